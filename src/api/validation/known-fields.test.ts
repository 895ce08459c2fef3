import assert from 'node:assert/strict';
import { test } from 'node:test';
import { findUnknownFields } from './known-fields.js';

const pod = (spec: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
  apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', labels: { 'any/key': 'v' }, creationTimestamp: null }, spec, status: {}, ...extra,
});

const cases: { name: string; resource: string; obj: unknown; want: string[] }[] = [
  { name: 'a typo in a container field is reported with its index', resource: 'pods', obj: pod({ containers: [{ name: 'a', image: 'x', imagePullPolicyy: 'Always' }] }), want: ['spec.containers[0].imagePullPolicyy'] },
  { name: 'fields peapod does not implement are still known', resource: 'pods', obj: pod({
    containers: [{ name: 'a', image: 'x', resizePolicy: [{ resourceName: 'cpu', restartPolicy: 'NotRequired' }], lifecycle: { stopSignal: 'SIGTERM' } }],
    affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'k', operator: 'In', values: ['v'] }] }] } } },
    volumes: [{ name: 'v', image: { reference: 'r', pullPolicy: 'Always' } }, { name: 'w', csi: { driver: 'd', volumeAttributes: { anything: 'x' } } }],
    os: { name: 'linux' }, hostUsers: false, schedulingGates: [{ name: 'g' }], resources: { limits: { cpu: '1' } },
  }), want: [] },
  { name: 'free-key maps accept any key', resource: 'pods', obj: pod({ containers: [{ name: 'a', resources: { limits: { 'nvidia.com/gpu': 1 } } }], nodeSelector: { 'x/y': 'z' } }), want: [] },
  { name: 'targetContainerName is unknown on a regular container', resource: 'pods', obj: pod({ containers: [{ name: 'a', targetContainerName: 'b' }] }), want: ['spec.containers[0].targetContainerName'] },
  { name: 'targetContainerName is known on an ephemeral container', resource: 'pods', obj: pod({ containers: [], ephemeralContainers: [{ name: 'd', targetContainerName: 'a' }] }), want: [] },
  { name: 'several unknowns come in document order', resource: 'pods', obj: pod({ foo: 1, containers: [{ name: 'a', ports: [{ containerPort: 1, nmae: 'x' }] }] }, { extra: true }), want: ['spec.foo', 'spec.containers[0].ports[0].nmae', 'extra'] },
  { name: 'an unknown metadata field is reported', resource: 'configmaps', obj: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', lables: {} }, data: { k: 'v' } }, want: ['metadata.lables'] },
  { name: 'secret stringData is known', resource: 'secrets', obj: { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' }, stringData: { a: 'b' }, type: 'Opaque' }, want: [] },
  { name: 'an unknown event field is reported', resource: 'events', obj: { kind: 'Event', metadata: {}, involvedObject: { kind: 'Pod', nam: 'x' }, reason: 'r' }, want: ['involvedObject.nam'] },
  { name: 'node status fields are known', resource: 'nodes', obj: { kind: 'Node', metadata: { name: 'n' }, status: { daemonEndpoints: { kubeletEndpoint: { Port: 10250 } }, nodeInfo: { kernelVersion: 'k', swap: { capacity: 1 } } } }, want: [] },
  { name: 'a namespace spec typo is reported', resource: 'namespaces', obj: { kind: 'Namespace', metadata: { name: 'n' }, spec: { finalizer: [] } }, want: ['spec.finalizer'] },
  { name: 'an unknown resource reports nothing', resource: 'widgets', obj: { whatever: 1 }, want: [] },
];

for (const c of cases) {
  test(c.name, () => assert.deepEqual(findUnknownFields(c.resource, c.obj), c.want));
}
