import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parse } from 'yaml';
import { renderKubeconfig } from './kubeconfig.js';

test('the kubeconfig names the server and selects the peapod context', () => {
  const cfg = parse(renderKubeconfig('http://127.0.0.1:6443'));
  assert.equal(cfg['current-context'], 'peapod');
  assert.equal(cfg.clusters[0].cluster.server, 'http://127.0.0.1:6443');
  assert.deepEqual(cfg.contexts[0], { name: 'peapod', context: { cluster: 'peapod', user: 'peapod' } });
  assert.deepEqual(cfg.users[0], { name: 'peapod', user: {} });
});

test('a namespace option becomes the context namespace', () => {
  const cfg = parse(renderKubeconfig('http://127.0.0.1:1', { namespace: 'dev' }));
  assert.equal(cfg.contexts[0].context.namespace, 'dev');
});
