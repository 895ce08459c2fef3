import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startHarness, type ApiHarness } from './testing/harness.js';

// Services are served read-only and always empty (peapod has no Service proxy): kubectl cluster-info
// and get all find an empty list, while every write is refused with 405 rather than stored and ignored.
describe('services are served read-only and empty', () => {
  let h: ApiHarness;
  before(() => {
    h = startHarness();
  });
  after(() => h.close());

  it('lists no services, in one namespace and across all', async () => {
    for (const url of ['/api/v1/namespaces/default/services', '/api/v1/services']) {
      const r = await h.request('admin', { method: 'GET', url });
      assert.equal(r.statusCode, 200, url);
      assert.equal(r.json().kind, 'ServiceList');
      assert.deepEqual(r.json().items, []);
    }
    assert.equal((await h.request('admin', { method: 'GET', url: '/api/v1/namespaces/default/services/web' })).statusCode, 404);
  });

  it('refuses to create, replace, patch or delete one with 405 MethodNotAllowed', async () => {
    const body = JSON.stringify({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'web' }, spec: { ports: [{ port: 80 }] } });
    const headers = { 'content-type': 'application/json' };
    const writes = [
      { method: 'POST', url: '/api/v1/namespaces/default/services', body, headers },
      { method: 'PUT', url: '/api/v1/namespaces/default/services/web', body, headers },
      { method: 'PATCH', url: '/api/v1/namespaces/default/services/web?fieldManager=t', body, headers: { 'content-type': 'application/apply-patch+yaml' } },
      { method: 'DELETE', url: '/api/v1/namespaces/default/services/web' },
    ];
    for (const w of writes) {
      const r = await h.request('admin', w);
      assert.equal(r.statusCode, 405, `${w.method} ${w.url}`);
      assert.equal(r.json().reason, 'MethodNotAllowed');
    }
    assert.deepEqual((await h.request('admin', { method: 'GET', url: '/api/v1/services' })).json().items, []);
  });

  it('is in discovery under the all category with its short name', async () => {
    const r = (await h.request('admin', { method: 'GET', url: '/api/v1' })).json();
    const svc = r.resources.find((x: { name: string }) => x.name === 'services');
    assert.deepEqual(svc.shortNames, ['svc']);
    assert.deepEqual(svc.categories, ['all']);
    assert.deepEqual(svc.verbs, ['get', 'list', 'watch']);
  });
});
