import { test } from 'node:test';
import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import { compareBinary, deepFreeze, ObjectIndex, StoredEntry } from './object-index.js';

const entry = (namespace: string, name: string, rv = 1) => new StoredEntry(namespace, name, `uid-${name}`, rv, `{"n":"${name}"}`);
const keys = (index: ObjectIndex, namespace?: string) => {
  const { list, start, end } = index.seek('pods', { namespace: '', name: '' }, namespace);
  return list.slice(start, end).map((e) => `${e.namespace}/${e.name}@${e.rv}`);
};

test('strings order as SQLite orders TEXT (UTF-8 bytes), not as UTF-16 code units', () => {
  const words = ['', 'a', 'ab', 'b', 'B', 'é', '\uffff', '\u{10000}', '\ue000', 'a\u{1f600}', 'a\uff00', 'z'];
  const db = new Database(':memory:');
  db.exec('CREATE TABLE t (s TEXT)');
  const insert = db.prepare('INSERT INTO t VALUES (?)');
  for (const w of words) insert.run(w);
  const sqlite = (db.prepare('SELECT s FROM t ORDER BY s').all() as { s: string }[]).map((r) => r.s);
  db.close();
  assert.deepEqual([...words].sort(compareBinary), sqlite);
});

test('put keeps (namespace, name) order; seek starts strictly after a key and at a namespace', () => {
  const index = new ObjectIndex();
  for (const [ns, name] of [['b', 'x'], ['a', 'y'], ['a', 'x'], ['c', 'a']] as const) index.put('pods', entry(ns, name));
  assert.deepEqual(keys(index), ['a/x@1', 'a/y@1', 'b/x@1', 'c/a@1']);
  assert.deepEqual(keys(index, 'b'), ['b/x@1']);
  assert.deepEqual(keys(index, 'a'), ['a/x@1', 'a/y@1']);
  assert.deepEqual(keys(index, 'aa'), []);
  assert.deepEqual(keys(index, 'd'), []);
  const { list, start } = index.seek('pods', { namespace: 'a', name: 'x' });
  assert.equal(list[start]!.name, 'y');
  assert.equal(index.get('pods', 'a', 'y')?.uid, 'uid-y');
  assert.equal(index.get('pods', 'a', 'z'), undefined);
  assert.equal(index.get('configmaps', 'a', 'y'), undefined);
});

test('rollback to a mark undoes puts, replacements and removals, newest first; commit makes them final', () => {
  const index = ObjectIndex.load([
    { resource: 'pods', namespace: 'a', name: 'x', uid: 'u', rv: 1, json: '{}' },
    { resource: 'pods', namespace: 'a', name: 'w', uid: 'u', rv: 2, json: '{}' },
  ]);
  assert.deepEqual(keys(index), ['a/w@2', 'a/x@1']);
  const outer = index.mark();
  index.put('pods', entry('a', 'x', 3));
  const inner = index.mark();
  index.put('pods', entry('a', 'v', 4));
  index.remove('pods', { namespace: 'a', name: 'x' });
  index.put('pods', entry('a', 'x', 5));
  index.remove('pods', { namespace: 'a', name: 'w' });
  assert.deepEqual(keys(index), ['a/v@4', 'a/x@5']);
  index.rollback(inner);
  assert.deepEqual(keys(index), ['a/w@2', 'a/x@3']);
  index.rollback(outer);
  assert.deepEqual(keys(index), ['a/w@2', 'a/x@1']);
  index.put('pods', entry('a', 'y', 6));
  index.commit();
  index.rollback(0);
  assert.deepEqual(keys(index), ['a/w@2', 'a/x@1', 'a/y@6']);
});

test('an entry parses its JSON once, on first use, into a deeply frozen object', () => {
  const e = new StoredEntry('a', 'x', 'u', 1, '{"metadata":{"labels":{"k":"v"}},"list":[{"a":1}]}');
  const obj = e.object as unknown as { metadata: { labels: Record<string, string> }; list: { a: number }[] };
  assert.equal(e.object, obj);
  assert.ok(Object.isFrozen(obj.metadata.labels) && Object.isFrozen(obj.list) && Object.isFrozen(obj.list[0]));
  assert.equal(deepFreeze(null), null);
});

test('a commit lets the entries it replaced or removed drop their parse; current entries keep theirs', () => {
  const index = new ObjectIndex();
  const x1 = entry('a', 'x', 1);
  const y1 = entry('a', 'y', 2);
  index.put('pods', x1);
  index.put('pods', y1);
  index.commit();
  const x1Obj = x1.object;
  const y1Obj = y1.object;
  const x2 = entry('a', 'x', 3);
  index.put('pods', x2);
  index.remove('pods', { namespace: 'a', name: 'y' });
  // Until the commit, a rollback may make them current again: they keep their parse.
  assert.equal(x1.object, x1Obj);
  const x2Obj = x2.object;
  index.commit();
  assert.notEqual(x1.object, x1Obj, 'replaced: parsed again on the next look');
  assert.deepEqual(x1.object, x1Obj);
  assert.notEqual(y1.object, y1Obj, 'removed: parsed again on the next look');
  assert.equal(x2.object, x2Obj, 'current: the same shared parse');
});
