// The in-memory index behind SqliteStore's reads: it must always say what SQLite says (after commits,
// failed transactions, failed savepoints and a restart), and no reader may change it.

import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RESOURCES } from '../k8s/registry.js';
import type { KubeObject } from '../k8s/types.js';
import { FakeClock } from '../system/clock.js';
import { parseLabelSelector } from './selectors.js';
import { SqliteStore } from './sqlite-store.js';

const tmp = mkdtempSync(join(tmpdir(), 'peapod-store-cache-test-'));
after(() => rmSync(tmp, { recursive: true, force: true }));
let files = 0;

function openStore(path = ':memory:'): SqliteStore {
  return new SqliteStore({ path, resources: RESOURCES, clock: new FakeClock(Date.UTC(2026, 0, 1)) });
}

function pod(name: string, namespace = 'default', labels?: Record<string, string>): KubeObject {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace, ...(labels ? { labels } : {}) }, spec: {}, status: { phase: 'Pending' } };
}

/** Everything a store holds, as its reads see it. */
function contents(s: SqliteStore): string[] {
  return ['pods', 'configmaps', 'namespaces'].flatMap((r) => s.listStored(r).items.map((o) => o.json));
}

/** What a fresh store opened on the same file (SQLite alone) holds. */
function reopened(path: string): { contents: string[]; rv: string } {
  const s = openStore(path);
  try {
    return { contents: contents(s), rv: s.currentResourceVersion() };
  } finally {
    s.close();
  }
}

function fileStore(): { s: SqliteStore; path: string } {
  const path = join(tmp, `cache-${++files}.db`);
  return { s: openStore(path), path };
}

test('reads follow create, update, modify and delete', () => {
  const s = openStore();
  s.create('pods', pod('a'));
  assert.equal(s.get('pods', 'default', 'a').metadata.resourceVersion, '1');
  s.update('pods', { ...pod('a'), status: { phase: 'Running' } });
  assert.deepEqual(s.tryGet('pods', 'default', 'a')?.status, { phase: 'Running' });
  s.modify('pods', 'default', 'a', (p) => ({ ...p, status: { phase: 'Succeeded' } }));
  assert.deepEqual(s.getStored('pods', 'default', 'a')?.object.status, { phase: 'Succeeded' });
  assert.equal(s.list('pods').items[0]!.metadata.resourceVersion, '3');
  s.delete('pods', 'default', 'a');
  assert.equal(s.tryGet('pods', 'default', 'a'), undefined);
  assert.equal(s.getStored('pods', 'default', 'a'), undefined);
  assert.deepEqual(s.list('pods').items, []);
  s.close();
});

test('a stored object\'s json is exactly JSON.stringify of its object, and both match the copies', () => {
  const s = openStore();
  s.create('pods', pod('a', 'default', { '9': 'digits first', app: 'web' }));
  const stored = s.getStored('pods', 'default', 'a')!;
  assert.equal(stored.json, JSON.stringify(stored.object));
  assert.equal(JSON.stringify(s.get('pods', 'default', 'a')), stored.json);
  assert.equal(s.listStored('pods').items[0], stored);
  s.close();
});

test('a failed transaction leaves the reads as they were, and as SQLite has them', () => {
  const { s, path } = fileStore();
  s.create('pods', pod('a'));
  s.create('pods', pod('gone'));
  const before = contents(s);
  assert.throws(
    () =>
      s.modify('pods', 'default', 'a', (p) => {
        s.create('pods', pod('b'));
        s.delete('pods', 'default', 'gone');
        s.update('pods', { ...pod('gone2') }); // NotFound: but the outer mutate throws anyway below
        return p;
      }),
    /not found/,
  );
  assert.deepEqual(contents(s), before);
  assert.equal(s.tryGet('pods', 'default', 'b'), undefined);
  assert.ok(s.getStored('pods', 'default', 'gone'));
  assert.equal(s.currentResourceVersion(), '2');
  s.close();
  assert.deepEqual(reopened(path), { contents: before, rv: '2' });
});

test('a failed savepoint undoes only its own writes; the enclosing transaction\'s stay', () => {
  const { s, path } = fileStore();
  s.create('pods', pod('a'));
  s.create('pods', pod('other'));
  s.modify('pods', 'default', 'a', (p) => {
    s.create('pods', pod('kept'));
    assert.throws(() =>
      s.modify('pods', 'default', 'other', () => {
        s.create('pods', pod('undone'));
        s.delete('pods', 'default', 'kept');
        s.modify('pods', 'default', 'a', (x) => ({ ...x, status: { phase: 'Failed' } }));
        throw new Error('boom');
      }),
    );
    // Inside the transaction, reads already see its own surviving writes, as SQLite's did.
    assert.ok(s.tryGet('pods', 'default', 'kept'));
    assert.equal(s.tryGet('pods', 'default', 'undone'), undefined);
    return { ...p, status: { phase: 'Running' } };
  });
  assert.deepEqual(
    s.list('pods').items.map((o) => `${o.metadata.name}@${o.metadata.resourceVersion}:${(o.status as { phase: string }).phase}`),
    ['a@4:Running', 'kept@3:Pending', 'other@2:Pending'],
  );
  const now = contents(s);
  s.close();
  assert.deepEqual(reopened(path), { contents: now, rv: '4' });
});

test('a reopened store reads the same objects, in the same order, as the one that wrote them', () => {
  const { s, path } = fileStore();
  for (const name of ['zeta', 'alpha', 'mid']) for (const ns of ['prod', 'default', 'kube-system']) s.create('pods', pod(name, ns));
  s.create('configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm', namespace: 'default' }, data: { k: 'v' } });
  s.create('namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'prod' } });
  s.modify('pods', 'prod', 'mid', (p) => ({ ...p, status: { phase: 'Running' } }));
  s.delete('pods', 'default', 'alpha');
  const now = contents(s);
  const rv = s.currentResourceVersion();
  s.close();
  assert.deepEqual(reopened(path), { contents: now, rv });
});

test('lists come in (namespace, name) order, and continue tokens page through the index', () => {
  const s = openStore();
  const keys: string[] = [];
  for (const ns of ['b', 'a', 'c']) for (const name of ['p3', 'p1', 'p10', 'p2']) {
    s.create('pods', pod(name, ns, { long: String(name.length > 2) }));
    keys.push(`${ns}/${name}`);
  }
  const key = (o: KubeObject) => `${o.metadata.namespace}/${o.metadata.name}`;
  assert.deepEqual(s.list('pods').items.map(key), [...keys].sort());
  const paged = (opts: { namespace?: string; labelSelector?: ReturnType<typeof parseLabelSelector> }) => {
    const seen: string[] = [];
    let cont: string | undefined;
    do {
      const page = s.listStored('pods', { ...opts, limit: 3, continue: cont });
      seen.push(...page.items.map((o) => key(o.object)));
      cont = page.continue;
    } while (cont);
    return seen;
  };
  assert.deepEqual(paged({}), [...keys].sort());
  assert.deepEqual(paged({ namespace: 'b' }), ['b/p1', 'b/p10', 'b/p2', 'b/p3']);
  assert.deepEqual(paged({ labelSelector: parseLabelSelector('long=true') }), ['a/p10', 'b/p10', 'c/p10']);
  // A token from one namespace's walk, used for another namespace, starts where that namespace would.
  const token = s.list('pods', { namespace: 'a', limit: 1 }).continue!;
  assert.deepEqual(s.list('pods', { namespace: 'b', continue: token }).items.map(key), ['b/p1', 'b/p10', 'b/p2', 'b/p3']);
  assert.deepEqual(s.list('pods', { namespace: 'a', continue: token }).items.map(key), ['a/p10', 'a/p2', 'a/p3']);
  s.close();
});

test('changing a returned object or a watch event never changes the store', () => {
  const s = openStore();
  s.create('pods', pod('a', 'default', { app: 'web' }));
  const json = s.getStored('pods', 'default', 'a')!.json;
  s.get('pods', 'default', 'a').metadata.labels!.app = 'changed';
  s.tryGet('pods', 'default', 'a')!.spec = { changed: true };
  (s.list('pods').items[0]!.status as { phase: string }).phase = 'changed';
  s.modify('pods', 'default', 'a', (p) => {
    p.metadata.labels = { app: 'changed' };
    return undefined; // no write: the change to the copy must not stick
  });
  const w = s.watch('pods', {}, (ev) => {
    ev.object.metadata.name = 'changed';
  });
  w.stop();
  assert.equal(s.getStored('pods', 'default', 'a')!.json, json);
  assert.equal(JSON.stringify(s.get('pods', 'default', 'a')), json);
  s.close();
});

test('shared objects are frozen: a reader that tries to change one fails instead of changing the store', () => {
  const s = openStore();
  s.create('pods', pod('a', 'default', { app: 'web' }));
  const shared = s.getStored('pods', 'default', 'a')!.object;
  assert.throws(() => {
    shared.metadata.labels!.app = 'changed';
  }, TypeError);
  assert.throws(() => {
    (shared.status as { phase: string }).phase = 'changed';
  }, TypeError);
  const events: string[] = [];
  const w = s.watchStored('pods', {}, (ev) => {
    assert.ok(Object.isFrozen(ev.stored.object.metadata));
    events.push(ev.stored.json);
  });
  w.stop();
  assert.deepEqual(events, [s.getStored('pods', 'default', 'a')!.json]);
  assert.equal(s.get('pods', 'default', 'a').metadata.labels!.app, 'web');
  s.close();
});

test('watchers match a change on what was written, even if the writer changes its object before the commit', () => {
  const s = openStore();
  s.create('pods', pod('outer'));
  const seen: string[] = [];
  const w = s.watchStored('pods', { labelSelector: parseLabelSelector('app=web') }, (ev) => seen.push(`${ev.type} ${ev.stored.object.metadata.name}`));
  s.modify('pods', 'default', 'outer', () => {
    const labels = { app: 'web' };
    s.create('pods', pod('inner', 'default', labels));
    labels.app = 'db'; // after the nested write, before the outer transaction commits and publishes
    return undefined;
  });
  assert.deepEqual(seen, ['ADDED inner']);
  w.stop();
  s.close();
});
