// events.k8s.io/v1 served over the core Events' storage, and coordination.k8s.io/v1 Leases, through the
// in-process API: one stored Event read and written in both versions.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startHarness, type ApiHarness } from '../testing/harness.js';

const json = { 'content-type': 'application/json' };
const V1 = '/apis/events.k8s.io/v1/namespaces/default/events';
const CORE = '/api/v1/namespaces/default/events';

const newEvent = (name: string, over: Record<string, unknown> = {}) => ({
  apiVersion: 'events.k8s.io/v1',
  kind: 'Event',
  metadata: { name },
  eventTime: '2026-01-01T01:00:00.000000+01:00',
  reportingController: 'example.com/ctl',
  reportingInstance: 'ctl-1',
  action: 'Testing',
  reason: 'Tested',
  regarding: { kind: 'Pod', namespace: 'default', name: 'web', apiVersion: 'v1' },
  note: 'it works',
  type: 'Normal',
  ...over,
});

describe('events.k8s.io/v1 over the core Events', () => {
  let h: ApiHarness;
  before(() => {
    h = startHarness();
  });
  after(() => h.close());
  const req = (method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE', url: string, body?: unknown, headers: Record<string, string> = json) =>
    h.request('admin', { method, url, headers, ...(body === undefined ? {} : { payload: JSON.stringify(body) }) });

  it('issue 12: is discovered in its group with the core events short name', async () => {
    const r = await req('GET', '/apis/events.k8s.io/v1');
    assert.equal(r.statusCode, 200);
    const events = r.json().resources.find((x: { name: string }) => x.name === 'events');
    assert.equal(events.kind, 'Event');
    assert.equal(events.namespaced, true);
    assert.deepEqual(events.shortNames, ['ev']);
  });

  it('issue 12: an event created through events.k8s.io/v1 reads back through core/v1', async () => {
    const c = await req('POST', V1, newEvent('a'));
    assert.equal(c.statusCode, 201, c.body);
    assert.equal(c.json().apiVersion, 'events.k8s.io/v1');
    assert.equal(c.json().eventTime, '2026-01-01T00:00:00.000000Z');
    assert.deepEqual(c.json().deprecatedSource, {});
    const core = (await req('GET', `${CORE}/a`)).json();
    assert.equal(core.apiVersion, 'v1');
    assert.equal(core.message, 'it works');
    assert.equal(core.reportingComponent, 'example.com/ctl');
    assert.deepEqual(core.involvedObject, { kind: 'Pod', namespace: 'default', name: 'web', apiVersion: 'v1' });
    assert.equal(core.firstTimestamp, null);
    const v1 = (await req('GET', `${V1}/a`)).json();
    assert.equal(v1.note, 'it works');
    assert.equal(v1.metadata.uid, core.metadata.uid);
  });

  it('issue 12: a core event reads through events.k8s.io/v1 with its deprecated fields', async () => {
    const core = { apiVersion: 'v1', kind: 'Event', metadata: { name: 'old' }, involvedObject: { kind: 'Pod', namespace: 'default', name: 'web' }, reason: 'Started', message: 'm', source: { component: 'kubelet', host: 'n1' }, firstTimestamp: '2026-01-01T00:00:00Z', lastTimestamp: '2026-01-01T00:00:00Z', count: 3, type: 'Normal' };
    assert.equal((await req('POST', CORE, core)).statusCode, 201);
    const v1 = (await req('GET', `${V1}/old`)).json();
    assert.deepEqual([v1.note, v1.deprecatedCount, v1.deprecatedSource, v1.eventTime, v1.regarding.name], ['m', 3, { component: 'kubelet', host: 'n1' }, null, 'web']);
  });

  it('issue 12: creating through events.k8s.io/v1 applies its stricter validation, naming the stored fields', async () => {
    const r = await req('POST', V1, newEvent('bad', { eventTime: undefined, deprecatedCount: 2 }));
    assert.equal(r.statusCode, 422);
    assert.deepEqual(r.json().details.causes.map((c: { field: string }) => c.field), ['eventTime', 'count']);
    assert.match(r.json().message, /^Event\.events\.k8s\.io "bad" is invalid: /);
    const noAction = await req('POST', V1, newEvent('bad', { action: '' }));
    assert.deepEqual(noAction.json().details.causes.map((c: { field: string; message: string }) => `${c.field}: ${c.message}`), ['action: Required value']);
    const badTime = await req('POST', V1, newEvent('t', { eventTime: '2026-01-01T00:00:00Z' }));
    assert.equal(badTime.statusCode, 400);
    assert.match(badTime.json().message, /cannot parse "Z" as ".000000"/);
    const unknown = await req('POST', `${V1}?fieldValidation=Strict`, newEvent('u', { message: 'core field name' }));
    assert.equal(unknown.statusCode, 400);
    assert.match(unknown.json().message, /strict decoding error: unknown field "message"/);
  });

  it('issue 12: lists in the requested version with its field selectors', async () => {
    const l = (await req('GET', `${V1}?fieldSelector=regarding.name=web,reportingController=example.com/ctl`)).json();
    assert.equal(l.kind, 'EventList');
    assert.equal(l.apiVersion, 'events.k8s.io/v1');
    assert.deepEqual(l.items.map((e: { metadata: { name: string } }) => e.metadata.name), ['a']);
    assert.ok(l.items.every((e: { apiVersion: string }) => e.apiVersion === 'events.k8s.io/v1'));
    const bad = await req('GET', `${V1}?fieldSelector=source=kubelet`);
    assert.equal(bad.statusCode, 400);
    assert.equal(bad.json().message, 'field label not supported: source');
    assert.equal((await req('GET', `${CORE}?fieldSelector=source=kubelet`)).json().items.length, 1);
  });

  it('issue 12: a Table prints the events as core/v1 does, its rows\' objects in the requested version', async () => {
    const accept = { accept: 'application/json;as=Table;v=v1;g=meta.k8s.io', ...json };
    const core = (await req('GET', `${CORE}?includeObject=Object`, undefined, accept)).json();
    const v1 = (await req('GET', `${V1}?includeObject=Object`, undefined, accept)).json();
    assert.deepEqual(v1.columnDefinitions, core.columnDefinitions);
    assert.deepEqual(v1.rows.map((r: { cells: unknown[] }) => r.cells), core.rows.map((r: { cells: unknown[] }) => r.cells));
    assert.deepEqual(v1.rows.map((r: { object: { apiVersion: string } }) => r.object.apiVersion), ['events.k8s.io/v1', 'events.k8s.io/v1']);
    assert.deepEqual(core.rows.map((r: { object: { apiVersion: string } }) => r.object.apiVersion), ['v1', 'v1']);
    const one = (await req('GET', `${V1}/a?includeObject=Object`, undefined, accept)).json();
    assert.equal(one.rows[0].object.note, 'it works');
  });

  it('issue 12: a patch works on the events.k8s.io/v1 form; only the series may change', async () => {
    const patch = { 'content-type': 'application/merge-patch+json' };
    const ok = await req('PATCH', `${V1}/a`, { series: { count: 2, lastObservedTime: '2026-01-01T00:05:00.000000Z' } }, patch);
    assert.equal(ok.statusCode, 200, ok.body);
    assert.equal(ok.json().series.count, 2);
    assert.equal((await req('GET', `${CORE}/a`)).json().series.count, 2);
    const no = await req('PATCH', `${V1}/a`, { note: 'rewritten' }, patch);
    assert.equal(no.statusCode, 422);
    assert.equal(no.json().details.causes[0].field, 'message');
    assert.equal(no.json().message, 'Event.events.k8s.io "a" is invalid: message: Invalid value: "rewritten": field is immutable');
  });

  it('issue 12: a server-side apply through events.k8s.io/v1 owns only what its configuration holds', async () => {
    const apply = (name: string, body: unknown, manager: string) =>
      h.request('admin', { method: 'PATCH', url: `${V1}/${name}?fieldManager=${manager}`, headers: { 'content-type': 'application/apply-patch+yaml' }, payload: JSON.stringify(body) });
    const made = await apply('applied', newEvent('applied'), 'creator');
    assert.equal(made.statusCode, 201, made.body);
    const labelled = await apply('applied', { apiVersion: 'events.k8s.io/v1', kind: 'Event', metadata: { name: 'applied', labels: { a: 'b' } } }, 'labeler');
    assert.equal(labelled.statusCode, 200, labelled.body);
    const e = labelled.json();
    assert.deepEqual(e.metadata.labels, { a: 'b' });
    assert.equal(e.note, 'it works');
    assert.equal(e.reportingController, 'example.com/ctl');
    const labeler = e.metadata.managedFields.find((m: { manager: string }) => m.manager === 'labeler');
    assert.deepEqual(labeler.fieldsV1, { 'f:metadata': { 'f:labels': { 'f:a': {} } } });
  });

  it('issue 12: update replaces through events.k8s.io/v1', async () => {
    const cur = (await req('GET', `${V1}/a`)).json();
    cur.metadata.labels = { team: 'x' };
    const r = await req('PUT', `${V1}/a`, cur);
    assert.equal(r.statusCode, 200, r.body);
    assert.equal(r.json().apiVersion, 'events.k8s.io/v1');
    assert.deepEqual((await req('GET', `${CORE}/a`)).json().metadata.labels, { team: 'x' });
  });

  it('issue 12: delete and deletecollection answer in the requested version', async () => {
    const d = await req('DELETE', `${V1}/old`);
    assert.equal(d.statusCode, 200);
    assert.equal(d.json().kind, 'Status');
    const all = (await req('DELETE', `${V1}?labelSelector=team=x`)).json();
    assert.equal(all.apiVersion, 'events.k8s.io/v1');
    assert.deepEqual(all.items.map((e: { apiVersion: string; metadata: { name: string } }) => [e.apiVersion, e.metadata.name]), [['events.k8s.io/v1', 'a']]);
    assert.equal((await req('GET', `${CORE}/a`)).json().message, 'events "a" not found');
    assert.equal((await req('GET', `${V1}/a`)).json().message, 'events.events.k8s.io "a" not found');
    assert.equal((await req('DELETE', `${V1}/a`)).json().details.group, 'events.k8s.io');
  });

  it('a namespaced kind\'s collection is not deleted across namespaces (405, as kube-apiserver): nothing goes', async () => {
    assert.equal((await req('POST', '/api/v1/namespaces/default/configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'keep' } })).statusCode, 201);
    for (const url of ['/api/v1/configmaps', '/api/v1/pods', '/apis/events.k8s.io/v1/events']) assert.equal((await req('DELETE', url)).statusCode, 405, url);
    assert.equal((await req('GET', '/api/v1/namespaces/default/configmaps/keep')).statusCode, 200);
    assert.equal((await req('DELETE', '/api/v1/namespaces/default/configmaps')).statusCode, 200, 'in one namespace it is');
  });
});

describe('coordination.k8s.io/v1 Leases', () => {
  let h: ApiHarness;
  before(() => {
    h = startHarness();
  });
  after(() => h.close());
  const URL = '/apis/coordination.k8s.io/v1/namespaces/default/leases';
  const lease = (spec: Record<string, unknown>) => JSON.stringify({ apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name: 'l1' }, spec });

  it('issue 12: a lease is created, printed with its holder, and validated as upstream', async () => {
    const bad = await h.request('admin', { method: 'POST', url: URL, headers: json, payload: lease({ leaseDurationSeconds: 0 }) });
    assert.equal(bad.statusCode, 422);
    assert.equal(bad.json().message, 'Lease.coordination.k8s.io "l1" is invalid: spec.leaseDurationSeconds: Invalid value: 0: must be greater than 0');
    assert.deepEqual([bad.json().details.kind, bad.json().details.group], ['Lease', 'coordination.k8s.io']);
    const c = await h.request('admin', { method: 'POST', url: URL, headers: json, payload: lease({ holderIdentity: 'me', leaseDurationSeconds: 15, renewTime: '2026-01-01T00:00:00.000000Z' }) });
    assert.equal(c.statusCode, 201, c.body);
    const t = await h.request('admin', { method: 'GET', url: '/apis/coordination.k8s.io/v1/leases', headers: { accept: 'application/json;as=Table;v=v1;g=meta.k8s.io' } });
    assert.deepEqual(t.json().columnDefinitions.map((d: { name: string }) => d.name), ['Name', 'Holder', 'Age']);
    assert.deepEqual(t.json().rows[0].cells.slice(0, 2), ['l1', 'me']);
    assert.equal((await h.request('admin', { method: 'GET', url: `${URL}/nope` })).json().message, 'leases.coordination.k8s.io "nope" not found');
  });
});
