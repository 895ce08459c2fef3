import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parse } from 'yaml';
import { renderKubeconfig } from './kubeconfig.js';

test('the kubeconfig names the server and selects the peapod context', () => {
  const cfg = parse(renderKubeconfig('https://127.0.0.1:6443'));
  assert.equal(cfg['current-context'], 'peapod');
  assert.equal(cfg.clusters[0].cluster.server, 'https://127.0.0.1:6443');
  assert.deepEqual(cfg.contexts[0], { name: 'peapod', context: { cluster: 'peapod', user: 'peapod' } });
  assert.deepEqual(cfg.users[0], { name: 'peapod', user: {} });
});

test('a namespace option becomes the context namespace', () => {
  const cfg = parse(renderKubeconfig('https://127.0.0.1:1', { namespace: 'dev' }));
  assert.equal(cfg.contexts[0].context.namespace, 'dev');
});

test('the CA and the client certificate are embedded as base64 data', () => {
  const cfg = parse(renderKubeconfig('https://127.0.0.1:1', { caPem: 'CA', client: { certPem: 'CERT', keyPem: 'KEY' } }));
  assert.equal(Buffer.from(cfg.clusters[0].cluster['certificate-authority-data'], 'base64').toString(), 'CA');
  assert.equal(Buffer.from(cfg.users[0].user['client-certificate-data'], 'base64').toString(), 'CERT');
  assert.equal(Buffer.from(cfg.users[0].user['client-key-data'], 'base64').toString(), 'KEY');
});

test('a named user gets its own user entry and context', () => {
  const cfg = parse(renderKubeconfig('https://127.0.0.1:1', { token: 't0k', userName: 'alice' }));
  assert.equal(cfg['current-context'], 'alice@peapod');
  assert.deepEqual(cfg.users[0], { name: 'alice', user: { token: 't0k' } });
  assert.deepEqual(cfg.contexts[0].context, { cluster: 'peapod', user: 'alice' });
});
