import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PeapodError } from '../errors.js';
import { RESOURCES } from '../k8s/registry.js';
import type { KubeObject } from '../k8s/types.js';
import { FakeClock } from '../system/clock.js';
import { parseFieldSelector, parseLabelSelector } from './selectors.js';
import { SqliteStore, type SqliteStoreOptions } from './sqlite-store.js';

const pods = RESOURCES.find((r) => r.resource === 'pods')!;
const tmp = mkdtempSync(join(tmpdir(), 'peapod-store-test-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

function newStore(opts: Partial<SqliteStoreOptions> = {}): SqliteStore {
  return new SqliteStore({ path: ':memory:', resources: RESOURCES, clock: new FakeClock(Date.UTC(2026, 10, 22, 3, 4, 5, 678)), ...opts });
}

function pod(name: string, extra: { namespace?: string; labels?: Record<string, string>; phase?: string } = {}): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: extra.namespace ?? 'default', ...(extra.labels ? { labels: extra.labels } : {}) },
    spec: { containers: [{ name: 'c', image: 'busybox' }] },
    status: { phase: extra.phase ?? 'Pending' },
  };
}

function code(err: unknown): string | undefined {
  return err instanceof PeapodError ? err.code : undefined;
}

function throwsWith(fn: () => unknown, wantCode: string, message: string | RegExp): void {
  assert.throws(fn, (err: unknown) => {
    assert.equal(code(err), wantCode);
    if (typeof message === 'string') assert.equal((err as Error).message, message);
    else assert.match((err as Error).message, message);
    return true;
  });
}

test('create assigns uid, resourceVersion and a creationTimestamp in whole UTC seconds', () => {
  const s = newStore();
  const p = s.create<KubeObject>('pods', { ...pod('web'), metadata: { name: 'web', namespace: 'default', uid: 'mine', resourceVersion: '99' } });
  assert.match(p.metadata.uid!, /^[0-9a-f-]{36}$/);
  assert.notEqual(p.metadata.uid, 'mine');
  assert.equal(p.metadata.resourceVersion, '1');
  assert.equal(p.metadata.creationTimestamp, '2026-11-22T03:04:05Z');
  assert.deepEqual(s.get('pods', 'default', 'web'), p);
  s.close();
});

test('create of an existing name fails with AlreadyExists', () => {
  const s = newStore();
  s.create('pods', pod('web'));
  throwsWith(() => s.create('pods', pod('web')), 'AlreadyExists', 'pods "web" already exists');
  assert.equal(s.currentResourceVersion(), '1');
  s.close();
});

test('the same name in another namespace is a different object', () => {
  const s = newStore();
  s.create('pods', pod('web'));
  const other = s.create('pods', pod('web', { namespace: 'prod' }));
  assert.equal(other.metadata.namespace, 'prod');
  assert.equal(s.list('pods').items.length, 2);
  s.close();
});

test('a namespaced resource needs a namespace', () => {
  const s = newStore();
  throwsWith(() => s.create('pods', { ...pod('web'), metadata: { name: 'web' } }), 'BadRequest', /namespace is required/);
  throwsWith(() => s.get('pods', undefined, 'web'), 'BadRequest', /namespace is required/);
  s.close();
});

test('a cluster-scoped resource ignores and drops the namespace', () => {
  const s = newStore();
  const ns = s.create('namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'prod', namespace: 'x' } });
  assert.equal(ns.metadata.namespace, undefined);
  assert.equal(s.get('namespaces', 'whatever', 'prod').metadata.name, 'prod');
  assert.equal(s.get('namespaces', undefined, 'prod').metadata.name, 'prod');
  s.close();
});

test('create without name or generateName is invalid', () => {
  const s = newStore();
  throwsWith(() => s.create('pods', { ...pod(''), metadata: { namespace: 'default' } }), 'Invalid', /name or generateName is required/);
  s.close();
});

test('an unknown resource is a bad request', () => {
  const s = newStore();
  throwsWith(() => s.list('widgets'), 'BadRequest', 'unknown resource "widgets"');
  s.close();
});

test('generateName appends five characters from the upstream alphabet', () => {
  const s = newStore();
  const p = s.create<KubeObject>('pods', { ...pod(''), metadata: { generateName: 'web-', namespace: 'default' } });
  assert.match(p.metadata.name!, /^web-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
  assert.equal(p.metadata.generateName, 'web-');
  s.close();
});

test('generateName retries when the generated name is taken', () => {
  const suffixes = ['aaaaa', 'aaaaa', 'bbbbb'];
  const s = newStore({ nameSuffix: () => suffixes.shift()! });
  const gen: KubeObject = { ...pod(''), metadata: { generateName: 'web-', namespace: 'default' } };
  assert.equal(s.create('pods', gen).metadata.name, 'web-aaaaa');
  assert.equal(s.create('pods', gen).metadata.name, 'web-bbbbb');
  s.close();
});

test('get of a missing object is NotFound and tryGet returns undefined', () => {
  const s = newStore();
  throwsWith(() => s.get('pods', 'default', 'nope'), 'NotFound', 'pods "nope" not found');
  assert.equal(s.tryGet('pods', 'default', 'nope'), undefined);
  s.close();
});

test('returned objects are copies that callers may mutate', () => {
  const s = newStore();
  const created = s.create('pods', pod('web', { labels: { a: 'b' } }));
  created.metadata.labels!.a = 'changed';
  const got = s.get('pods', 'default', 'web');
  got.metadata.labels!.a = 'changed too';
  assert.equal(s.get('pods', 'default', 'web').metadata.labels!.a, 'b');
  s.close();
});

test('every write bumps the global resourceVersion across resources', () => {
  const s = newStore();
  const seen: number[] = [];
  const note = (o: KubeObject) => seen.push(Number(o.metadata.resourceVersion));
  note(s.create('pods', pod('a')));
  note(s.create('configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'default' }, data: {} }));
  note(s.update('pods', { ...pod('a'), status: { phase: 'Running' } }));
  note(s.modify('pods', 'default', 'a', (p) => ({ ...p, status: { phase: 'Succeeded' } })));
  note(s.delete('pods', 'default', 'a'));
  assert.deepEqual(seen, [1, 2, 3, 4, 5]);
  assert.equal(s.currentResourceVersion(), '5');
  s.close();
});

test('update keeps uid and creationTimestamp and replaces the rest', () => {
  const clock = new FakeClock();
  const s = newStore({ clock });
  const created = s.create('pods', pod('web'));
  clock.advance(60_000);
  const body = pod('web', { labels: { x: 'y' }, phase: 'Running' });
  body.metadata.uid = 'forged';
  body.metadata.creationTimestamp = '1999-01-01T00:00:00Z';
  const updated = s.update('pods', body);
  assert.equal(updated.metadata.uid, created.metadata.uid);
  assert.equal(updated.metadata.creationTimestamp, created.metadata.creationTimestamp);
  assert.deepEqual(updated.metadata.labels, { x: 'y' });
  assert.deepEqual(updated.status, { phase: 'Running' });
  assert.equal(updated.metadata.resourceVersion, '2');
  s.close();
});

test('update with a stale resourceVersion conflicts', () => {
  const s = newStore();
  const v1 = s.create('pods', pod('web'));
  s.update('pods', { ...pod('web'), status: { phase: 'Running' } }, { expectedResourceVersion: v1.metadata.resourceVersion });
  throwsWith(
    () => s.update('pods', { ...pod('web'), status: { phase: 'Failed' } }, { expectedResourceVersion: v1.metadata.resourceVersion }),
    'Conflict',
    'Operation cannot be fulfilled on pods "web": the object has been modified; please apply your changes to the latest version and try again',
  );
  assert.deepEqual(s.get('pods', 'default', 'web').status, { phase: 'Running' });
  s.close();
});

test('update with another uid conflicts', () => {
  const s = newStore();
  s.create('pods', pod('web'));
  throwsWith(() => s.update('pods', pod('web'), { expectedUid: 'other' }), 'Conflict', /Precondition failed: UID in precondition: other/);
  s.close();
});

test('update of a missing object is NotFound', () => {
  const s = newStore();
  throwsWith(() => s.update('pods', pod('ghost')), 'NotFound', 'pods "ghost" not found');
  s.close();
});

test('an update that changes nothing is not a write', () => {
  const s = newStore();
  const v1 = s.create('pods', pod('web'));
  const same = s.update('pods', v1);
  assert.equal(same.metadata.resourceVersion, '1');
  assert.equal(s.currentResourceVersion(), '1');
  s.close();
});

test('modify passes a copy of the stored object and stores the result', () => {
  const s = newStore();
  s.create('pods', pod('web'));
  const out = s.modify('pods', 'default', 'web', (p) => {
    assert.equal(p.metadata.resourceVersion, '1');
    p.status = { phase: 'Running' };
    return p;
  });
  assert.equal(out.metadata.resourceVersion, '2');
  assert.deepEqual(s.get('pods', 'default', 'web').status, { phase: 'Running' });
  s.close();
});

test('modify returning undefined skips the write', () => {
  const s = newStore();
  s.create('pods', pod('web'));
  const out = s.modify('pods', 'default', 'web', () => undefined);
  assert.equal(out.metadata.resourceVersion, '1');
  assert.equal(s.currentResourceVersion(), '1');
  s.close();
});

test('modify that throws leaves the store and counter untouched', () => {
  const s = newStore();
  s.create('pods', pod('web'));
  assert.throws(() =>
    s.modify('pods', 'default', 'web', (p) => {
      s.create('pods', pod('side-effect'));
      p.status = { phase: 'Running' };
      throw new Error('boom');
    }),
  /boom/);
  assert.equal(s.currentResourceVersion(), '1');
  assert.equal(s.tryGet('pods', 'default', 'side-effect'), undefined);
  assert.equal(s.create('pods', pod('next')).metadata.resourceVersion, '2');
  s.close();
});

test('modify checks preconditions and keeps the stored identity', () => {
  const s = newStore();
  const v1 = s.create('pods', pod('web'));
  throwsWith(() => s.modify('pods', 'default', 'web', (p) => p, { expectedResourceVersion: '7' }), 'Conflict', /has been modified/);
  const out = s.modify('pods', 'default', 'web', (p) => ({ ...p, metadata: { ...p.metadata, name: 'renamed', uid: 'x' }, status: { phase: 'Running' } }));
  assert.equal(out.metadata.name, 'web');
  assert.equal(out.metadata.uid, v1.metadata.uid);
  s.close();
});

test('delete returns the last state with a new resourceVersion', () => {
  const s = newStore();
  s.create('pods', pod('web'));
  const gone = s.delete('pods', 'default', 'web');
  assert.equal(gone.metadata.resourceVersion, '2');
  assert.equal(gone.metadata.name, 'web');
  assert.equal(s.tryGet('pods', 'default', 'web'), undefined);
  throwsWith(() => s.delete('pods', 'default', 'web'), 'NotFound', 'pods "web" not found');
  s.close();
});

test('delete checks uid and resourceVersion preconditions', () => {
  const s = newStore();
  s.create('pods', pod('web'));
  throwsWith(() => s.delete('pods', 'default', 'web', { expectedUid: 'x' }), 'Conflict', /UID in precondition: x/);
  throwsWith(() => s.delete('pods', 'default', 'web', { expectedResourceVersion: '9' }), 'Conflict', /ResourceVersion in precondition: 9/);
  assert.ok(s.tryGet('pods', 'default', 'web'));
  s.close();
});

test('list filters by namespace, labels and fields, ordered by namespace and name', () => {
  const s = newStore();
  s.create('pods', pod('b', { labels: { app: 'web' }, phase: 'Running' }));
  s.create('pods', pod('a', { labels: { app: 'web' } }));
  s.create('pods', pod('c', { labels: { app: 'db' } }));
  s.create('pods', pod('a', { namespace: 'prod', labels: { app: 'web' } }));
  const names = (r: { items: KubeObject[] }) => r.items.map((o) => `${o.metadata.namespace}/${o.metadata.name}`);
  assert.deepEqual(names(s.list('pods')), ['default/a', 'default/b', 'default/c', 'prod/a']);
  assert.deepEqual(names(s.list('pods', { namespace: 'prod' })), ['prod/a']);
  assert.deepEqual(names(s.list('pods', { labelSelector: parseLabelSelector('app=web') })), ['default/a', 'default/b', 'prod/a']);
  assert.deepEqual(
    names(s.list('pods', { labelSelector: parseLabelSelector('app=web'), fieldSelector: parseFieldSelector('status.phase!=Running', pods) })),
    ['default/a', 'prod/a'],
  );
  assert.equal(s.list('pods').resourceVersion, '4');
  s.close();
});

test('list pages with limit and continue without losing or repeating items', () => {
  const s = newStore();
  for (const ns of ['a', 'b']) for (let i = 0; i < 5; i++) s.create('pods', pod(`p${i}`, { namespace: ns, labels: { odd: String(i % 2) } }));
  const collect = (opts: { namespace?: string; labelSelector?: ReturnType<typeof parseLabelSelector> }) => {
    const seen: string[] = [];
    let cont: string | undefined;
    let pages = 0;
    do {
      const page = s.list('pods', { ...opts, limit: 2, continue: cont });
      assert.ok(page.items.length <= 2);
      seen.push(...page.items.map((o) => `${o.metadata.namespace}/${o.metadata.name}`));
      cont = page.continue;
      pages++;
    } while (cont);
    return { seen, pages };
  };
  const all = collect({});
  assert.deepEqual(all.seen, ['a/p0', 'a/p1', 'a/p2', 'a/p3', 'a/p4', 'b/p0', 'b/p1', 'b/p2', 'b/p3', 'b/p4']);
  assert.equal(all.pages, 5);
  assert.deepEqual(collect({ namespace: 'b' }).seen, ['b/p0', 'b/p1', 'b/p2', 'b/p3', 'b/p4']);
  assert.deepEqual(collect({ labelSelector: parseLabelSelector('odd=1') }).seen, ['a/p1', 'a/p3', 'b/p1', 'b/p3']);
  assert.equal(s.list('pods', { limit: 10 }).continue, undefined);
  s.close();
});

test('a malformed continue token is a bad request', () => {
  const s = newStore();
  throwsWith(() => s.list('pods', { continue: 'garbage!' }), 'BadRequest', /invalid continue token/);
  s.close();
});

test('a reopened file store keeps its objects and continues the resourceVersion counter', () => {
  const path = join(tmp, 'restart.db');
  const s1 = newStore({ path });
  const created = s1.create('pods', pod('web'));
  s1.create('pods', pod('db'));
  s1.delete('pods', 'default', 'db');
  s1.close();
  const s2 = newStore({ path });
  assert.equal(s2.currentResourceVersion(), '3');
  assert.deepEqual(s2.get('pods', 'default', 'web'), created);
  assert.equal(s2.create('pods', pod('next')).metadata.resourceVersion, '4');
  s2.close();
});

test('the database file and the -wal and -shm files SQLite makes beside it are 0600, whatever the umask', () => {
  const file = join(tmp, 'private.db');
  const old = process.umask(0);
  try {
    const s = newStore({ path: file });
    s.create('pods', pod('a'));
    for (const f of [file, `${file}-wal`, `${file}-shm`]) assert.equal((statSync(f).mode & 0o777).toString(8), '600', f);
    s.close();
  } finally {
    process.umask(old);
  }
});

test('releasing memory keeps every object and later writes work; a closed store ignores it', () => {
  const s = new SqliteStore({ path: join(tmp, 'shrink.db'), resources: RESOURCES, clock: new FakeClock(Date.UTC(2026, 10, 22)) });
  for (let i = 0; i < 50; i++) s.create('pods', pod(`p${i}`));
  s.releaseMemory();
  s.create('pods', pod('after'));
  assert.equal(s.list('pods', { namespace: 'default' }).items.length, 51);
  s.close();
  s.releaseMemory();
  const again = new SqliteStore({ path: join(tmp, 'shrink.db'), resources: RESOURCES, clock: new FakeClock(Date.UTC(2026, 10, 22)) });
  assert.equal(again.list('pods', { namespace: 'default' }).items.length, 51);
  again.close();
});
