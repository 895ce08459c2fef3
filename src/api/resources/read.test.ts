// get and list reply with the stored JSON spliced in: the bytes must be what serialising the objects gives.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../k8s/types.js';
import { startHarness, type ApiHarness } from '../testing/harness.js';

const PODS = '/api/v1/namespaces/default/pods';

function pod(name: string): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    // Keys JavaScript reorders (integer-like), escapes and non-ASCII text: all must come out as JSON.stringify puts them.
    metadata: { name, labels: { b: '1', '10': 'ten', '2': 'two' }, annotations: { note: 'quote " backslash \\ tab \t née 🚀 \u2028' } },
    spec: { containers: [{ name: 'c', image: 'busybox', imagePullPolicy: 'IfNotPresent' }] },
  };
}

describe('get and list replies', () => {
  let h: ApiHarness;
  before(() => {
    h = startHarness();
    for (const name of ['b', 'a', 'c']) h.store.create('pods', { ...pod(name), metadata: { ...pod(name).metadata, namespace: 'default' } });
  });
  after(() => h.close());

  it('a get is the object, byte for byte as JSON.stringify gives it', async () => {
    const r = await h.request('admin', { method: 'GET', url: `${PODS}/a`, headers: { accept: 'application/json' } });
    assert.equal(r.statusCode, 200);
    assert.equal(r.headers['content-type'], 'application/json');
    assert.equal(r.payload, JSON.stringify(h.store.get('pods', 'default', 'a')));
    assert.equal(Number(r.headers['content-length']), Buffer.byteLength(r.payload));
  });

  it('a list is the PodList, byte for byte as JSON.stringify gives it, with and without paging', async () => {
    const whole = await h.request('admin', { method: 'GET', url: PODS });
    const list = h.store.list('pods', { namespace: 'default' });
    assert.equal(whole.payload, JSON.stringify({ kind: 'PodList', apiVersion: 'v1', metadata: { resourceVersion: list.resourceVersion }, items: list.items }));
    assert.equal(Number(whole.headers['content-length']), Buffer.byteLength(whole.payload));
    const page = await h.request('admin', { method: 'GET', url: `${PODS}?limit=2` });
    const first = h.store.list('pods', { namespace: 'default', limit: 2 });
    const metadata = { resourceVersion: first.resourceVersion, continue: first.continue };
    assert.equal(page.payload, JSON.stringify({ kind: 'PodList', apiVersion: 'v1', metadata, items: first.items }));
  });

  it('an empty list is an empty items array', async () => {
    const r = await h.request('admin', { method: 'GET', url: '/api/v1/namespaces/kube-system/pods' });
    assert.deepEqual(r.json().items, []);
    assert.match(r.payload, /"items":\[\]\}$/);
  });
});
