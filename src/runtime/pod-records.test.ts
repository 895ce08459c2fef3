import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PodRecords } from './pod-records.js';
import { LABEL_POD_UID } from './runtime.js';

interface Rec {
  id: string;
  config: { labels: Record<string, string> };
}
const rec = (id: string, uid?: string): Rec => ({ id, config: { labels: uid === undefined ? { app: 'x' } : { [LABEL_POD_UID]: uid, app: 'x' } } });
const ids = (it: Iterable<{ id: string }>) => [...it].map((r) => r.id);

test("a pod UID selector yields that pod's records only, in the order they were added", () => {
  const m = new PodRecords<Rec>();
  m.set('a1', rec('a1', 'A')).set('b1', rec('b1', 'B')).set('a2', rec('a2', 'A')).set('n', rec('n'));
  assert.deepEqual(ids(m.candidates({ [LABEL_POD_UID]: 'A' })), ['a1', 'a2']);
  assert.deepEqual(ids(m.candidates({ [LABEL_POD_UID]: 'C' })), []);
  assert.deepEqual(ids(m.candidates({ app: 'x' })), ['a1', 'b1', 'a2', 'n']);
  assert.deepEqual(ids(m.candidates()), ['a1', 'b1', 'a2', 'n']);
  assert.equal(m.size, 4);
});

test('delete, replace and clear keep the pod index true', () => {
  const m = new PodRecords<Rec>();
  m.set('a1', rec('a1', 'A')).set('a2', rec('a2', 'A'));
  assert.equal(m.delete('a1'), true);
  assert.equal(m.delete('a1'), false);
  assert.deepEqual(ids(m.candidates({ [LABEL_POD_UID]: 'A' })), ['a2']);
  // The same id again, now another pod's (a record read back from disk, say).
  m.set('a2', rec('a2', 'B'));
  assert.deepEqual(ids(m.candidates({ [LABEL_POD_UID]: 'A' })), []);
  assert.deepEqual(ids(m.candidates({ [LABEL_POD_UID]: 'B' })), ['a2']);
  m.clear();
  assert.deepEqual(ids(m.candidates({ [LABEL_POD_UID]: 'B' })), []);
  assert.equal(m.size, 0);
});
