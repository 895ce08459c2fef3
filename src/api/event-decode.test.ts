import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startHarness } from './testing/harness.js';

const TABLE = 'application/json;as=Table;v=v1beta1;g=meta.k8s.io, application/json';
const event = (name: string, over: Record<string, unknown>) => ({
  apiVersion: 'v1',
  kind: 'Event',
  metadata: { name, namespace: 'default' },
  involvedObject: { kind: 'Pod', name: 'p', namespace: 'default' },
  reason: 'Started',
  message: 'started',
  type: 'Normal',
  ...over,
});

// Found by the full fuzz soak (seed 53873082, case 5522): an Event with a number for its message (or its
// involvedObject.kind) was stored, and every later `kubectl get events` of its namespace was a 500
// ("(e.message ?? "").trim is not a function"). Go's decoder refuses such a body with a 400.
test('an Event with a number where a string or a string where an integer belongs is a 400 decode error, and the namespace\'s event table stays readable', async () => {
  const h = startHarness();
  try {
    const cases: [Record<string, unknown>, string][] = [
      [{ message: 5 }, 'json: cannot unmarshal number into Go struct field message of type string'],
      [{ involvedObject: { kind: 5, name: 'p', namespace: 'default' } }, 'json: cannot unmarshal number into Go struct field involvedObject.kind of type string'],
      [{ count: 'x' }, 'json: cannot unmarshal string into Go struct field count of type int32'],
      [{ source: { component: true } }, 'json: cannot unmarshal bool into Go struct field source.component of type string'],
    ];
    for (const [i, [over, message]] of cases.entries()) {
      const r = await h.request('admin', { method: 'POST', url: '/api/v1/namespaces/default/events', payload: event(`bad-${i}`, over) });
      assert.equal(r.statusCode, 400, r.body);
      assert.equal(r.json().message, `Event in version "v1" cannot be handled as a Event: ${message}`);
    }
    const ok = await h.request('admin', { method: 'POST', url: '/api/v1/namespaces/default/events', payload: event('good', { count: 3, source: { component: 'kubelet' } }) });
    assert.equal(ok.statusCode, 201, ok.body);
    const list = await h.request('admin', { method: 'GET', url: '/api/v1/namespaces/default/events', headers: { accept: TABLE } });
    assert.equal(list.statusCode, 200, list.body);
    assert.deepEqual(list.json().rows.map((r: { cells: unknown[] }) => r.cells[9]), ['good']);
  } finally {
    h.close();
  }
});
