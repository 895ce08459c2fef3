import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RESOURCES } from '../k8s/registry.js';
import { SqliteStore } from '../store/sqlite-store.js';
import { ensureNamespaces } from '../store/bootstrap.js';
import { FakeClock } from '../system/clock.js';
import { renderPrometheus } from './prometheus.js';
import { readStoreFigures, sqliteFileBytes, storeFamilies } from './store-figures.js';

test('the store\'s figures: objects per resource (group-qualified), pods by phase, the database size', () => {
  const store = new SqliteStore({ path: ':memory:', resources: RESOURCES, clock: new FakeClock() });
  ensureNamespaces(store);
  const pod = (name: string, phase?: string) =>
    store.create('pods', { apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'default' }, spec: { containers: [{ name: 'c', image: 'i' }] }, ...(phase ? { status: { phase } } : {}) });
  pod('a', 'Running');
  pod('b', 'Running');
  pod('c', 'Failed');
  pod('d');
  store.create('storageclasses', { apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass', metadata: { name: 'fast' }, provisioner: 'x' } as never);
  const text = renderPrometheus(storeFamilies(readStoreFigures(store, RESOURCES, 12288, '/data/peapod.db'))).split('\n');
  for (const line of [
    'peapod_pods{phase="Pending"} 1',
    'peapod_pods{phase="Running"} 2',
    'peapod_pods{phase="Succeeded"} 0',
    'peapod_pods{phase="Failed"} 1',
    'peapod_pods{phase="Unknown"} 0',
    'apiserver_storage_objects{resource="pods"} 4',
    'apiserver_storage_objects{resource="storageclasses.storage.k8s.io"} 1',
    'apiserver_storage_objects{resource="configmaps"} 0',
    'apiserver_storage_size_bytes{storage_cluster_id="/data/peapod.db"} 12288',
  ]) {
    assert.ok(text.includes(line), `missing: ${line}`);
  }
  store.close();
});

test('the database\'s size is its file and its write-ahead log', () => {
  const sizes: Record<string, number> = { '/d/p.db': 4096, '/d/p.db-wal': 8192 };
  assert.equal(sqliteFileBytes('/d/p.db', (p) => (p in sizes ? { size: sizes[p]! } : undefined)), 12288);
  assert.equal(sqliteFileBytes('/d/none.db', () => undefined), 0);
});
