import { test } from 'node:test';
import assert from 'node:assert/strict';
import { allContainersRunning, containerIds, type PodObject } from './pod-state.js';
import { appContainerCount, churnPod, initPod, sleepPod, toYaml } from './pod-specs.js';

const running = { running: { startedAt: '2025-01-01T00:00:00Z' } };
const waiting = { waiting: { reason: 'ContainerCreating' } };
const twoContainers = { containers: [{}, {}] };

const cases: { name: string; pod: PodObject; want: boolean }[] = [
  { name: 'a pod without statuses is not running', pod: { spec: twoContainers }, want: false },
  { name: 'a pod with one of two containers running is not running', pod: { spec: twoContainers, status: { containerStatuses: [{ state: running }, { state: waiting }] } }, want: false },
  { name: 'a pod with every container running is running', pod: { spec: twoContainers, status: { containerStatuses: [{ state: running }, { state: running }] } }, want: true },
  { name: 'a pod whose spec lists no containers is never running', pod: { spec: { containers: [] }, status: { containerStatuses: [] } }, want: false },
  { name: 'a terminated container does not count as running', pod: { spec: { containers: [{}] }, status: { containerStatuses: [{ state: {} }] } }, want: false },
];
for (const c of cases) test(c.name, () => assert.equal(allContainersRunning(c.pod), c.want));

test('container ids lose their runtime prefix', () => {
  assert.deepEqual(containerIds({ status: { containerStatuses: [{ containerID: 'runc://abc' }, {}] } }), ['abc']);
});

test('every bench pod uses the local image, IfNotPresent and a 1 s grace', () => {
  for (const p of [sleepPod('a'), initPod('b'), churnPod('c')]) {
    assert.equal(p.spec.terminationGracePeriodSeconds, 1);
    const all = [...((p.spec.initContainers as any[]) ?? []), ...(p.spec.containers as any[])];
    for (const c of all) {
      assert.equal(c.image, 'localhost/busybox:latest');
      assert.equal(c.imagePullPolicy, 'IfNotPresent');
    }
  }
});

test('the init pod starts two app containers after its init container', () => {
  assert.equal(appContainerCount(initPod('x')), 2);
  assert.match(toYaml(initPod('x')), /initContainers:/);
});
