import { test } from 'node:test';
import assert from 'node:assert/strict';
import { allContainersRunning, containerIds, type PodObject } from './pod-state.js';
import { parse, parseAllDocuments } from 'yaml';
import { appContainerCount, churnPod, claimVolumeDirs, initPod, sleepPod, toYaml, toYamlDocuments, withClaim } from './pod-specs.js';

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

test('withClaim adds a fresh 100Mi ReadWriteOnce claim on the default class, mounted at /data', () => {
  const { pod, claim } = withClaim(sleepPod('pvc-0'));
  assert.deepEqual(claim, {
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: { name: 'pvc-0-data', labels: { app: 'peapod-bench' } },
    spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '100Mi' } } },
  });
  assert.deepEqual(pod.spec.volumes, [{ name: 'data', persistentVolumeClaim: { claimName: 'pvc-0-data' } }]);
  assert.deepEqual((pod.spec.containers as any[]).map((c) => c.volumeMounts), [[{ name: 'data', mountPath: '/data' }]]);
  // The rest is start-1's pod, untouched (and the original is not changed).
  const plain = sleepPod('pvc-0');
  assert.deepEqual({ ...pod, spec: { ...pod.spec, volumes: undefined, containers: undefined } }, { ...plain, spec: { ...plain.spec, volumes: undefined, containers: undefined } });
  assert.equal((pod.spec.containers as any[])[0].command.join(' '), 'sleep 3600');
  const base = sleepPod('x');
  withClaim(base);
  assert.equal(base.spec.volumes, undefined);
});

test('withClaim keeps a pod\'s own volumes and mounts', () => {
  const { pod } = withClaim(initPod('i'));
  assert.deepEqual((pod.spec.volumes as any[]).map((v) => v.name), ['shared', 'data']);
  for (const c of pod.spec.containers as any[]) assert.deepEqual(c.volumeMounts.map((m: any) => m.mountPath), ['/shared', '/data']);
  assert.equal(appContainerCount(pod), 2);
});

test('the claim and the pod go in one two-document YAML, claim first', () => {
  const { pod, claim } = withClaim(sleepPod('p'));
  const docs = parseAllDocuments(toYamlDocuments([claim, pod])).map((d) => d.toJS());
  assert.deepEqual(docs.map((d) => d.kind), ['PersistentVolumeClaim', 'Pod']);
  assert.deepEqual(docs, [claim, pod]);
  assert.deepEqual(parse(toYamlDocuments([pod])), pod);
});

test('volume directories are the pvc- entries of the storage dir, or those of one claim uid', () => {
  const entries = ['pvc-aaa_default_pvc-0-data', 'pvc-bbb_default_pvc-1-data', 'lost+found', 'notes-pvc-aaa'];
  assert.deepEqual(claimVolumeDirs(entries), ['pvc-aaa_default_pvc-0-data', 'pvc-bbb_default_pvc-1-data']);
  assert.deepEqual(claimVolumeDirs(entries, 'bbb'), ['pvc-bbb_default_pvc-1-data']);
  assert.deepEqual(claimVolumeDirs(entries, 'bb'), []);
  assert.deepEqual(claimVolumeDirs([], 'aaa'), []);
});
