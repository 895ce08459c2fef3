import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ctr, makePod } from './test-fixtures.js';
import type { Container, Pod, Volume } from '../k8s/types.js';
import { hasStorageLimits, localVolumes, storageEvictionMessage, type PodStorageUsage } from './local-storage.js';

const MI = 1024 * 1024;
/** A pod of containers c0, c1… (and init containers i0, i1…) with these fields. */
const pod = (containers: Partial<Container>[], volumes: Volume[] = [], initContainers: Partial<Container>[] = []): Pod =>
  makePod({ containers: containers.map((c, i) => ctr(`c${i}`, c)), initContainers: initContainers.map((c, i) => ctr(`i${i}`, c)), volumes });
const es = (limit: string) => ({ resources: { limits: { 'ephemeral-storage': limit } } });
const usage = (containers: [string, number, number][], volumes: [string, number][] = []): PodStorageUsage => ({
  containers: containers.map(([name, rootfsBytes, logsBytes]) => ({ name, rootfsBytes, logsBytes })),
  volumes: new Map(volumes),
});

test('issue 8: which pods are measured at all', () => {
  assert.equal(hasStorageLimits(pod([{}])), false);
  assert.equal(hasStorageLimits(pod([es('1Gi')])), true);
  assert.equal(hasStorageLimits(pod([{}], [], [es('1Gi')])), true);
  assert.equal(hasStorageLimits(pod([{}], [{ name: 'v', emptyDir: { sizeLimit: '1Mi' } }])), true);
  assert.equal(hasStorageLimits(pod([{}], [{ name: 'v', emptyDir: { medium: 'Memory', sizeLimit: '1Mi' } }])), false, 'a tmpfs cannot outgrow its size');
  assert.equal(hasStorageLimits(pod([{}], [{ name: 'v', emptyDir: {} }])), false);
  assert.deepEqual(localVolumes(pod([{}], [{ name: 'a', emptyDir: {} }, { name: 'm', emptyDir: { medium: 'Memory' } }, { name: 'c', configMap: { name: 'x' } }, { name: 's', secret: { secretName: 'x' } }])).map((v) => v.name), ['a', 'c']);
});

test('issue 8: an emptyDir over its sizeLimit evicts first, with the limit as written canonically', () => {
  const p = pod([es('100Mi')], [{ name: 'cache', emptyDir: { sizeLimit: '1024Ki' } }]);
  assert.equal(storageEvictionMessage(p, usage([['c0', 0, 0]], [['cache', MI]])), undefined, 'at the limit is not over it');
  assert.equal(storageEvictionMessage(p, usage([['c0', 0, 0]], [['cache', MI + 4096]])), 'Usage of EmptyDir volume "cache" exceeds the limit "1Mi". ');
});

test('issue 8: the pod total counts layers, logs and local volumes against the sum of the container limits', () => {
  const p = pod([es('1Mi'), es('2Mi'), {}], [{ name: 'data', emptyDir: {} }]);
  const under = usage([['c0', 0, 0], ['c1', 0, 0], ['c2', MI, MI]], [['data', MI]]);
  assert.equal(storageEvictionMessage(p, under), undefined);
  const over = usage([['c0', 0, 0], ['c1', 0, 0], ['c2', MI, MI]], [['data', MI + 1]]);
  assert.equal(storageEvictionMessage(p, over), 'Pod ephemeral local storage usage exceeds the total limit of containers 3Mi. ');
  // Decimal limits are summed and written in decimal.
  const d = pod([es('500M'), es('1G')]);
  assert.equal(storageEvictionMessage(d, usage([['c0', 1e9, 6e8]])), 'Pod ephemeral local storage usage exceeds the total limit of containers 1500M. ');
});

test('issue 8: one container over its own limit (layer and logs) evicts the pod, naming it', () => {
  const p = pod([es('4Mi'), es('1Mi')]);
  assert.equal(storageEvictionMessage(p, usage([['c0', 0, 0], ['c1', MI / 2, MI / 2]])), undefined);
  assert.equal(storageEvictionMessage(p, usage([['c0', 0, 0], ['c1', MI / 2, MI / 2 + 1]])), 'Container c1 exceeded its local ephemeral storage limit "1Mi". ');
  // As the kubelet's PodLimits: a limit of 0 is a limit, and any use is over it.
  assert.equal(storageEvictionMessage(pod([es('0'), {}]), usage([['c0', 4096, 0]])), 'Pod ephemeral local storage usage exceeds the total limit of containers 0. ');
});
