import assert from 'node:assert/strict';
import { test } from 'node:test';
import { computeQosClass } from './qos.js';
import type { Container, PodSpec } from './types.js';

const c = (resources?: Container['resources'], name = 'c'): Container => ({ name, image: 'busybox', resources });
const both = { cpu: '100m', memory: '64Mi' };

const cases: { name: string; spec: PodSpec; want: string }[] = [
  { name: 'no resources anywhere is BestEffort', spec: { containers: [c(), c(undefined, 'd')] }, want: 'BestEffort' },
  { name: 'requests equal to limits for cpu and memory is Guaranteed', spec: { containers: [c({ requests: both, limits: both })] }, want: 'Guaranteed' },
  { name: 'limits alone count as requests and give Guaranteed', spec: { containers: [c({ limits: both })] }, want: 'Guaranteed' },
  { name: 'requests lower than limits is Burstable', spec: { containers: [c({ requests: { cpu: '50m', memory: '64Mi' }, limits: both })] }, want: 'Burstable' },
  { name: 'only a cpu limit is Burstable', spec: { containers: [c({ limits: { cpu: '1' } })] }, want: 'Burstable' },
  { name: 'one guaranteed and one empty container is Burstable', spec: { containers: [c({ limits: both }), c(undefined, 'd')] }, want: 'Burstable' },
  { name: 'an init container without limits makes the pod Burstable', spec: { initContainers: [c({ requests: { cpu: '10m' } }, 'i')], containers: [c({ limits: both })] }, want: 'Burstable' },
  { name: 'zero quantities count as unset', spec: { containers: [c({ requests: { cpu: '0', memory: '0' } })] }, want: 'BestEffort' },
  { name: 'resources other than cpu and memory are ignored', spec: { containers: [c({ limits: { 'ephemeral-storage': '1Gi' } })] }, want: 'BestEffort' },
  { name: 'equal values in different units still match', spec: { containers: [c({ requests: { cpu: '1', memory: '1Gi' }, limits: { cpu: '1000m', memory: '1024Mi' } })] }, want: 'Guaranteed' },
  { name: 'ephemeral containers never count', spec: { containers: [c({ limits: both })], ephemeralContainers: [c(undefined, 'e')] }, want: 'Guaranteed' },
  { name: 'pod-level resources win when set', spec: { containers: [c()], resources: { limits: both } }, want: 'Guaranteed' },
];

for (const tc of cases) {
  test(tc.name, () => assert.equal(computeQosClass(tc.spec), tc.want));
}
