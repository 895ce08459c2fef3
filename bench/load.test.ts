import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseAllDocuments } from 'yaml';
import { hostCpuTicks } from './cpu-split.js';
import { loadManifest, storedPod } from './load.js';

test('the load manifest is one YAML document per pod, each a churn pod with a 1 s grace', () => {
  const docs = parseAllDocuments(loadManifest(['load-0', 'load-1', 'load-2'])).map((d) => d.toJSON());
  assert.deepEqual(docs.map((d) => d.metadata.name), ['load-0', 'load-1', 'load-2']);
  for (const d of docs) {
    assert.equal(d.kind, 'Pod');
    assert.equal(d.spec.terminationGracePeriodSeconds, 1);
    assert.equal(d.spec.containers.length, 1);
  }
});

test('a stored pod copies a real pod but is bound elsewhere, in its own namespace, without its identity', () => {
  const template = {
    metadata: { name: 'load-0', uid: 'u-1', resourceVersion: '7', labels: { app: 'peapod-bench' }, annotations: { a: 'b' } },
    spec: { nodeName: 'peapod-bench', containers: [{ name: 'main' }] },
    status: { phase: 'Running' },
  };
  const p = storedPod(template, 'stored-3') as { metadata: Record<string, unknown>; spec: Record<string, unknown>; status?: unknown };
  const { annotations, ...meta } = p.metadata as { annotations: Record<string, string> };
  assert.deepEqual(meta, { name: 'stored-3', namespace: 'load-stored', labels: { app: 'peapod-bench' } });
  assert.equal(annotations.a, 'b');
  const applied = JSON.parse(annotations['kubectl.kubernetes.io/last-applied-configuration']!);
  assert.deepEqual(applied.metadata, { name: 'stored-3', namespace: 'load-stored', labels: { app: 'peapod-bench' } });
  assert.equal(p.spec.nodeName, 'elsewhere');
  assert.deepEqual(p.spec.containers, [{ name: 'main' }]);
  assert.equal(p.status, undefined, 'status is written afterwards, through /status');
});

test('hostCpuTicks: busy is every tick but idle and iowait, over the first line of /proc/stat', () => {
  const stat = 'cpu  100 5 50 800 20 3 2 10 0 0\ncpu0 50 2 25 400 10 1 1 5 0 0\n';
  assert.deepEqual(hostCpuTicks(stat), { busy: 170, total: 990 });
});
