import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startHarness } from '../testing/harness.js';

const json = { 'content-type': 'application/json' };
const strategic = { 'content-type': 'application/strategic-merge-patch+json' };
const POD = JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web' }, spec: { containers: [{ name: 'app', image: 'busybox' }] } });
const URL_EPH = '/api/v1/namespaces/default/pods/web/ephemeralcontainers';

describe('pods/ephemeralcontainers', () => {
  const h = startHarness();
  after(() => h.close());

  it('adds a debugger by strategic patch as kubectl debug does, defaulted, and only through this subresource', async () => {
    assert.equal((await h.request('admin', { method: 'POST', url: '/api/v1/namespaces/default/pods', headers: json, payload: POD })).statusCode, 201);
    const got = await h.request('admin', { method: 'GET', url: URL_EPH });
    assert.equal(got.statusCode, 200);
    assert.equal(got.json().kind, 'Pod');
    const patch = { spec: { ephemeralContainers: [{ name: 'debugger-1', image: 'busybox', targetContainerName: 'app', stdin: true, tty: true, resources: {} }] } };
    const r = await h.request('admin', { method: 'PATCH', url: URL_EPH, headers: strategic, payload: JSON.stringify(patch) });
    assert.equal(r.statusCode, 200, r.body);
    const eph = r.json().spec.ephemeralContainers;
    assert.equal(eph.length, 1);
    assert.equal(eph[0].terminationMessagePath, '/dev/termination-log');
    assert.equal(eph[0].imagePullPolicy, 'Always');
    // The pod itself cannot change them: a PUT keeps the stored ones.
    const pod = r.json();
    pod.spec.ephemeralContainers = [];
    const put = await h.request('admin', { method: 'PUT', url: '/api/v1/namespaces/default/pods/web', headers: json, payload: JSON.stringify(pod) });
    assert.equal(put.statusCode, 200, put.body);
    assert.equal(put.json().spec.ephemeralContainers.length, 1);
    // Nor does this subresource change anything but them.
    const labels = { metadata: { labels: { x: 'y' } }, spec: { ephemeralContainers: [...eph, { name: 'debugger-2', image: 'busybox' }] } };
    const two = await h.request('admin', { method: 'PATCH', url: URL_EPH, headers: strategic, payload: JSON.stringify(labels) });
    assert.equal(two.statusCode, 200, two.body);
    assert.equal(two.json().metadata.labels, undefined);
    assert.deepEqual(two.json().spec.ephemeralContainers.map((c: { name: string }) => c.name), ['debugger-1', 'debugger-2']);
  });

  it('refuses ports, a name in use and a missing target with field errors; a viewer may not add one', async () => {
    const bad = { spec: { ephemeralContainers: [{ name: 'app', image: 'busybox', targetContainerName: 'nope', ports: [{ containerPort: 80 }] }] } };
    const r = await h.request('admin', { method: 'PATCH', url: URL_EPH, headers: strategic, payload: JSON.stringify(bad) });
    assert.equal(r.statusCode, 422);
    const causes = r.json().details.causes.map((c: { field: string }) => c.field);
    assert.ok(causes.includes('spec.ephemeralContainers[2].name'), JSON.stringify(causes));
    assert.ok(causes.includes('spec.ephemeralContainers[2].targetContainerName'));
    assert.ok(causes.includes('spec.ephemeralContainers[2].ports'));
    const viewer = await h.request('viewer', { method: 'PATCH', url: URL_EPH, headers: strategic, payload: JSON.stringify({ spec: { ephemeralContainers: [] } }) });
    assert.equal(viewer.statusCode, 403);
  });
});
