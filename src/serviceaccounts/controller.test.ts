import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../k8s/types.js';
import { silentLogger } from '../system/logger.js';
import { namespacesMissingDefault, ServiceAccountsController } from './controller.js';
import { memoryStore } from './test-fixtures.js';

const ns = (name: string, phase = 'Active'): KubeObject => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name }, status: { phase } });
const defaults = (store: ReturnType<typeof memoryStore>) =>
  store.list<KubeObject>('serviceaccounts').items.filter((s) => s.metadata.name === 'default').map((s) => s.metadata.namespace).sort();

test('namespaces without a default account are the active ones missing it', () => {
  assert.deepEqual(namespacesMissingDefault([ns('a'), ns('b'), ns('c', 'Terminating')], new Set(['b'])), ['a']);
});

test('makes the default account in every namespace at start, and in a new one before its create returns', () => {
  const store = memoryStore();
  const c = new ServiceAccountsController({ store, logger: silentLogger() });
  c.start();
  assert.deepEqual(defaults(store), ['default', 'kube-node-lease', 'kube-public', 'kube-system']);
  store.create('namespaces', ns('team'));
  assert.ok(store.tryGet('serviceaccounts', 'team', 'default'), 'made synchronously');
  c.stop();
  store.create('namespaces', ns('later'));
  assert.equal(store.tryGet('serviceaccounts', 'later', 'default'), undefined, 'stopped');
});

test('a deleted default account is made again, with a new uid; other accounts are left deleted', () => {
  const store = memoryStore();
  new ServiceAccountsController({ store, logger: silentLogger() }).start();
  const before = store.get<KubeObject>('serviceaccounts', 'default', 'default').metadata.uid;
  store.delete('serviceaccounts', 'default', 'default');
  const after = store.tryGet<KubeObject>('serviceaccounts', 'default', 'default');
  assert.ok(after);
  assert.notEqual(after.metadata.uid, before);
  store.create('serviceaccounts', { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'robot', namespace: 'default' } });
  store.delete('serviceaccounts', 'default', 'robot');
  assert.equal(store.tryGet('serviceaccounts', 'default', 'robot'), undefined);
});

test('a terminating namespace gets no default account, so its deletion can empty it', () => {
  const store = memoryStore();
  new ServiceAccountsController({ store, logger: silentLogger() }).start();
  store.create('namespaces', ns('going'));
  store.modify<KubeObject>('namespaces', undefined, 'going', (n) => ({ ...n, status: { phase: 'Terminating' } }));
  store.delete('serviceaccounts', 'going', 'default');
  assert.equal(store.tryGet('serviceaccounts', 'going', 'default'), undefined);
});
