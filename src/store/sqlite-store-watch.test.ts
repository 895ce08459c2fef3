import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GoneError, PeapodError } from '../errors.js';
import { RESOURCES } from '../k8s/registry.js';
import type { KubeObject } from '../k8s/types.js';
import { FakeClock } from '../system/clock.js';
import { parseFieldSelector, parseLabelSelector } from './selectors.js';
import { SqliteStore, type SqliteStoreOptions } from './sqlite-store.js';
import type { WatchEvent, WatchOptions } from './store.js';

const pods = RESOURCES.find((r) => r.resource === 'pods')!;
const tmp = mkdtempSync(join(tmpdir(), 'peapod-store-watch-test-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

function newStore(opts: Partial<SqliteStoreOptions> = {}): SqliteStore {
  return new SqliteStore({ path: ':memory:', resources: RESOURCES, clock: new FakeClock(), ...opts });
}

function pod(name: string, labels?: Record<string, string>, namespace = 'default'): KubeObject {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace, labels }, spec: {}, status: { phase: 'Pending' } };
}

/** Records events as "TYPE name@rv". */
function recorder(store: SqliteStore, opts: WatchOptions, resource = 'pods') {
  const seen: string[] = [];
  const events: WatchEvent[] = [];
  const w = store.watch(resource, opts, (ev) => {
    events.push(ev);
    seen.push(`${ev.type} ${ev.object.metadata.name}@${ev.object.metadata.resourceVersion}`);
  });
  return { seen, events, stop: () => w.stop() };
}

function setLabels(store: SqliteStore, name: string, labels: Record<string, string>): void {
  store.modify('pods', 'default', name, (p) => ({ ...p, metadata: { ...p.metadata, labels } }));
}

test('a watch from "0" sends ADDED for current objects, then live changes in order', () => {
  const s = newStore();
  s.create('pods', pod('a'));
  s.create('pods', pod('b'));
  const r = recorder(s, { resourceVersion: '0' });
  s.modify('pods', 'default', 'a', (p) => ({ ...p, status: { phase: 'Running' } }));
  s.delete('pods', 'default', 'b');
  s.create('configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm', namespace: 'default' } });
  s.create('pods', pod('c'));
  assert.deepEqual(r.seen, ['ADDED a@1', 'ADDED b@2', 'MODIFIED a@3', 'DELETED b@4', 'ADDED c@6']);
  s.close();
});

test('a watch without a resourceVersion behaves like "0"', () => {
  const s = newStore();
  s.create('pods', pod('a'));
  assert.deepEqual(recorder(s, {}).seen, ['ADDED a@1']);
  s.close();
});

test('a namespace watch sees only that namespace', () => {
  const s = newStore();
  const r = recorder(s, { namespace: 'prod' });
  s.create('pods', pod('a'));
  s.create('pods', pod('b', undefined, 'prod'));
  assert.deepEqual(r.seen, ['ADDED b@2']);
  s.close();
});

test('a label selector watch turns entering into ADDED and leaving into DELETED', () => {
  const s = newStore();
  s.create('pods', pod('a', { app: 'web' }));
  s.create('pods', pod('b', { app: 'db' }));
  const r = recorder(s, { labelSelector: parseLabelSelector('app=web') });
  setLabels(s, 'a', { app: 'web', v: '2' }); // still matches: MODIFIED
  setLabels(s, 'a', { app: 'db' }); // leaves: DELETED
  setLabels(s, 'a', { app: 'db', v: '3' }); // outside: nothing
  setLabels(s, 'b', { app: 'web' }); // enters: ADDED
  s.delete('pods', 'default', 'a'); // deleted while outside: nothing
  s.delete('pods', 'default', 'b'); // deleted while inside: DELETED
  assert.deepEqual(r.seen, ['ADDED a@1', 'MODIFIED a@3', 'DELETED a@4', 'ADDED b@6', 'DELETED b@8']);
  s.close();
});

test('a field selector watch follows status.phase', () => {
  const s = newStore();
  const r = recorder(s, { fieldSelector: parseFieldSelector('status.phase=Running', pods) });
  s.create('pods', pod('a'));
  s.modify('pods', 'default', 'a', (p) => ({ ...p, status: { phase: 'Running' } }));
  s.modify('pods', 'default', 'a', (p) => ({ ...p, status: { phase: 'Running', podIP: '10.0.0.2' } }));
  s.modify('pods', 'default', 'a', (p) => ({ ...p, status: { phase: 'Succeeded' } }));
  assert.deepEqual(r.seen, ['ADDED a@2', 'MODIFIED a@3', 'DELETED a@4']);
  assert.deepEqual(r.events[2]!.object.status, { phase: 'Succeeded' });
  s.close();
});

test('resuming from a list resourceVersion replays later changes, then goes live without gaps or duplicates', () => {
  const s = newStore();
  s.create('pods', pod('a'));
  const listRv = s.list('pods').resourceVersion;
  s.create('pods', pod('b'));
  s.modify('pods', 'default', 'a', (p) => ({ ...p, status: { phase: 'Running' } }));
  const r = recorder(s, { resourceVersion: listRv });
  s.delete('pods', 'default', 'b');
  assert.deepEqual(r.seen, ['ADDED b@2', 'MODIFIED a@3', 'DELETED b@4']);
  s.close();
});

test('resuming at the current resourceVersion delivers only new changes', () => {
  const s = newStore();
  s.create('pods', pod('a'));
  const r = recorder(s, { resourceVersion: s.currentResourceVersion() });
  s.create('pods', pod('b'));
  assert.deepEqual(r.seen, ['ADDED b@2']);
  s.close();
});

test('replayed history applies selector enter and leave like live changes', () => {
  const s = newStore();
  s.create('pods', pod('a', { app: 'web' }));
  setLabels(s, 'a', { app: 'db' });
  setLabels(s, 'a', { app: 'web' });
  s.modify('pods', 'default', 'a', (p) => ({ ...p, status: { phase: 'Running' } }));
  const r = recorder(s, { resourceVersion: '1', labelSelector: parseLabelSelector('app=web') });
  assert.deepEqual(r.seen, ['DELETED a@2', 'ADDED a@3', 'MODIFIED a@4']);
  s.close();
});

test('resuming from before the compacted history is Gone', () => {
  const s = newStore({ historyLimit: 5 });
  s.create('pods', pod('a'));
  for (let i = 0; i < 9; i++) s.modify('pods', 'default', 'a', (p) => ({ ...p, status: { phase: `P${i}` } }));
  assert.equal(s.currentResourceVersion(), '10');
  assert.throws(
    () => s.watch('pods', { resourceVersion: '4' }, () => {}),
    (err: unknown) => err instanceof GoneError && err.message === 'too old resource version: 4 (5)',
  );
  assert.deepEqual(recorder(s, { resourceVersion: '5' }).seen, ['MODIFIED a@6', 'MODIFIED a@7', 'MODIFIED a@8', 'MODIFIED a@9', 'MODIFIED a@10']);
  s.close();
});

test('an invalid resourceVersion is a bad request', () => {
  const s = newStore();
  assert.throws(
    () => s.watch('pods', { resourceVersion: 'abc' }, () => {}),
    (err: unknown) => err instanceof PeapodError && err.code === 'BadRequest',
  );
  s.close();
});

test('a watch resumes across a restart of a file store', () => {
  const path = join(tmp, 'resume.db');
  const s1 = newStore({ path });
  s1.create('pods', pod('a'));
  const rv = s1.currentResourceVersion();
  s1.create('pods', pod('b'));
  s1.delete('pods', 'default', 'a');
  s1.close();
  const s2 = newStore({ path });
  const r = recorder(s2, { resourceVersion: rv });
  s2.create('pods', pod('c'));
  assert.deepEqual(r.seen, ['ADDED b@2', 'DELETED a@3', 'ADDED c@4']);
  s2.close();
});

test('a throwing listener breaks neither the write nor other listeners', () => {
  const s = newStore();
  s.watch('pods', {}, () => {
    throw new Error('listener bug');
  });
  const r = recorder(s, {});
  const created = s.create('pods', pod('a'));
  s.delete('pods', 'default', 'a');
  assert.equal(created.metadata.resourceVersion, '1');
  assert.deepEqual(r.seen, ['ADDED a@1', 'DELETED a@2']);
  s.close();
});

test('writes made by a listener reach every watcher after the current change, in order', () => {
  const s = newStore();
  const first = recorder(s, {});
  s.watch('pods', {}, (ev) => {
    if (ev.type === 'ADDED' && ev.object.metadata.name === 'a') s.create('pods', pod('from-listener'));
  });
  const last = recorder(s, {});
  s.create('pods', pod('a'));
  assert.deepEqual(first.seen, ['ADDED a@1', 'ADDED from-listener@2']);
  assert.deepEqual(last.seen, ['ADDED a@1', 'ADDED from-listener@2']);
  s.close();
});

test('a write made during the initial events is delivered once, after them', () => {
  const s = newStore();
  s.create('pods', pod('a'));
  s.create('pods', pod('b'));
  const seen: string[] = [];
  s.watch('pods', {}, (ev) => {
    seen.push(`${ev.type} ${ev.object.metadata.name}`);
    if (ev.object.metadata.name === 'a' && ev.type === 'ADDED') s.create('pods', pod('c'));
  });
  assert.deepEqual(seen, ['ADDED a', 'ADDED b', 'ADDED c']);
  s.close();
});

test('events of a rolled-back write are never delivered', () => {
  const s = newStore();
  s.create('pods', pod('a'));
  const r = recorder(s, { resourceVersion: s.currentResourceVersion() });
  assert.throws(() =>
    s.modify('pods', 'default', 'a', () => {
      s.create('pods', pod('inner'));
      throw new Error('abort');
    }),
  );
  s.create('pods', pod('b'));
  assert.deepEqual(r.seen, ['ADDED b@2']);
  s.close();
});

test('stop ends delivery and may be called twice', () => {
  const s = newStore();
  const r = recorder(s, {});
  s.create('pods', pod('a'));
  r.stop();
  r.stop();
  s.create('pods', pod('b'));
  assert.deepEqual(r.seen, ['ADDED a@1']);
  s.close();
});

test('each watcher gets its own copy of the object', () => {
  const s = newStore();
  const mutator = s.watch('pods', {}, (ev) => {
    ev.object.metadata.name = 'mutated';
  });
  const r = recorder(s, {});
  s.create('pods', pod('a'));
  mutator.stop();
  assert.deepEqual(r.seen, ['ADDED a@1']);
  assert.equal(s.get('pods', 'default', 'a').metadata.name, 'a');
  s.close();
});
