import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RESOURCES } from '../k8s/registry.js';
import { FakeClock } from '../system/clock.js';
import { ensureNamespaces } from './bootstrap.js';
import { SqliteStore } from './sqlite-store.js';

test('ensureNamespaces creates the four initial namespaces as Active', () => {
  const store = new SqliteStore({ path: ':memory:', resources: RESOURCES, clock: new FakeClock() });
  ensureNamespaces(store);
  const items = store.list('namespaces').items;
  assert.deepEqual(items.map((n) => n.metadata.name), ['default', 'kube-node-lease', 'kube-public', 'kube-system']);
  for (const ns of items) {
    assert.deepEqual(ns.status, { phase: 'Active' });
    assert.deepEqual(ns.spec, { finalizers: ['kubernetes'] });
  }
  store.close();
});

test('ensureNamespaces leaves existing namespaces alone', () => {
  const store = new SqliteStore({ path: ':memory:', resources: RESOURCES, clock: new FakeClock() });
  store.create('namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'default', labels: { mine: 'yes' } } });
  ensureNamespaces(store);
  const rv = store.currentResourceVersion();
  ensureNamespaces(store);
  assert.equal(store.currentResourceVersion(), rv);
  assert.deepEqual(store.get('namespaces', undefined, 'default').metadata.labels, { mine: 'yes' });
  assert.equal(store.list('namespaces').items.length, 4);
  store.close();
});
