// The ObjectStore on embedded SQLite (better-sqlite3, synchronous). Every write is one transaction that
// bumps the global resourceVersion, stores the object and appends to the change log; watchers are told
// after the outermost transaction commits (see watch-hub.ts for ordering and listener isolation).
// Reads never touch SQLite: they are served from the in-memory index (object-index.ts), loaded at open
// and kept in step by every write.
//
// Semantics worth knowing:
// - update/modify that produce a byte-identical object are no-ops: no new resourceVersion, no event
//   (as the apiserver's GuaranteedUpdate). Every real write gets a new resourceVersion.
// - create overwrites uid, resourceVersion and creationTimestamp; update/modify keep the stored uid,
//   creationTimestamp, name and namespace whatever the new body says.
// - Returned objects and watch events are fresh copies parsed from the stored JSON, except from the
//   *Stored reads, which hand out the index's own frozen objects (store.ts, StoredObject).

import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import Database from 'better-sqlite3';
import type { Database as Db } from 'better-sqlite3';
import {
  AlreadyExistsError,
  BadRequestError,
  ConflictError,
  GoneError,
  InvalidError,
  NotFoundError,
} from '../errors.js';
import type { KubeObject } from '../k8s/types.js';
import type { Clock } from '../system/clock.js';
import { silentLogger, type Logger } from '../system/logger.js';
import { decodeContinue, encodeContinue } from './continue-token.js';
import { orderMetadata, randomNameSuffix, rfc3339Seconds } from './object-meta.js';
import { matchesFields, matchesLabels } from './selectors.js';
import { ObjectIndex, SharedJson, StoredEntry } from './object-index.js';
import { openSchema, type ChangeRow, type Statements } from './sqlite-schema.js';
import type {
  DeleteOptions,
  ListOptions,
  ListResult,
  ObjectStore,
  ResourceInfo,
  StoredList,
  StoredObject,
  StoredWatchEvent,
  UpdateOptions,
  Watch,
  WatchEvent,
  WatchOptions,
} from './store.js';
import { selectorView, Watcher, WatchHub, type ChangeRecord, type SelectorView } from './watch-hub.js';

export interface SqliteStoreOptions {
  /** A file path, or ':memory:'. */
  path: string;
  resources: ResourceInfo[];
  clock: Clock;
  logger?: Logger;
  /** Change-log entries kept for watch resume (default 10000, at least 1). */
  historyLimit?: number;
  /** The generateName suffix source (default: 5 random characters); a seam for tests. */
  nameSuffix?: () => string;
  /**
   * false: SQLite does not checkpoint the WAL inside commits; whoever opens the store does, off its
   * event loop (the daemon: wal-checkpointer.ts). Default true.
   */
  autoCheckpoint?: boolean;
  /** Called after each transaction that changed something has committed. */
  onCommit?: () => void;
}

const GENERATE_NAME_ATTEMPTS = 16;

/**
 * Creates a missing database file 0600 before SQLite opens it: SQLite would make it 0644, and gives
 * the -wal, -shm and -journal files it creates the database file's mode. Every Secret is in there.
 * An existing file keeps its mode (the daemon's start-up repair tightens it: node/private-dir.ts).
 */
function createPrivate(file: string): void {
  if (file === ':memory:' || file === '' || file.startsWith('file:')) return;
  fs.closeSync(fs.openSync(file, 'a', 0o600));
}

export class SqliteStore implements ObjectStore {
  private readonly db: Db;
  private readonly st: Statements;
  private readonly infos = new Map<string, ResourceInfo>();
  private readonly clock: Clock;
  private readonly logger: Logger;
  private readonly historyLimit: number;
  private readonly nameSuffix: () => string;
  private readonly hub: WatchHub;
  /** The current state, which every read is served from. */
  private readonly index: ObjectIndex;
  /** The newest resourceVersion handed out. */
  private rv: number;
  /** The oldest resourceVersion still in the change log (undefined: empty log). */
  private oldestChange: number | undefined;
  /** Changes committed by the current transaction, published when the outermost one commits. */
  private pending: ChangeRecord[] = [];
  private depth = 0;
  private readonly onCommit: (() => void) | undefined;

  constructor(opts: SqliteStoreOptions) {
    this.clock = opts.clock;
    this.logger = opts.logger ?? silentLogger();
    this.historyLimit = Math.max(1, Math.floor(opts.historyLimit ?? 10000));
    this.nameSuffix = opts.nameSuffix ?? randomNameSuffix;
    for (const info of opts.resources) this.infos.set(info.resource, info);
    createPrivate(opts.path);
    this.db = new Database(opts.path);
    // Durability: a commit is written into the WAL file before the call returns, so a write the API
    // acknowledged survives the daemon's death at any instant (SIGKILL, OOM kill; issue 13's soak and
    // sqlite-store-durability.test.ts). NORMAL fsyncs only at checkpoints: a power loss or kernel crash
    // can take back the last commits (never leaving a torn database); FULL would close that at the cost
    // of an fsync per commit on the event loop.
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = NORMAL');
    this.db.pragma('busy_timeout = 5000');
    // better-sqlite3 builds SQLite with a 16 MB page cache; reads are served from the index in memory,
    // so the cache only speeds writes, and SQLite's own 2 MB default keeps the daemon's C heap from
    // growing by the size of every page a burst of writes touched (issue 7).
    this.db.pragma('cache_size = -2000');
    if (opts.autoCheckpoint === false) this.db.pragma('wal_autocheckpoint = 0');
    this.onCommit = opts.onCommit;
    this.st = openSchema(this.db);
    this.index = ObjectIndex.load(this.st.allObjects.iterate());
    this.rv = this.st.maxRv.get()?.rv ?? 0;
    this.oldestChange = this.st.minChangeRv.get()?.rv ?? undefined;
    this.hub = new WatchHub();
  }

  // ---- reads ----

  get<T extends KubeObject>(resource: string, namespace: string | undefined, name: string): T {
    const info = this.info(resource);
    const obj = this.tryGet<T>(resource, namespace, name);
    if (!obj) throw NotFoundError.of({ resource, kind: info.kind, name });
    return obj;
  }

  tryGet<T extends KubeObject>(resource: string, namespace: string | undefined, name: string): T | undefined {
    const stored = this.getStored<T>(resource, namespace, name);
    return stored ? copyOf<T>(stored) : undefined;
  }

  getStored<T extends KubeObject>(resource: string, namespace: string | undefined, name: string): StoredObject<T> | undefined {
    const info = this.info(resource);
    return this.index.get(resource, this.scope(info, namespace), name) as StoredObject<T> | undefined;
  }

  list<T extends KubeObject>(resource: string, opts: ListOptions = {}): ListResult<T> {
    const page = this.listStored<T>(resource, opts);
    return { ...page, items: page.items.map((s) => copyOf<T>(s)) };
  }

  listStored<T extends KubeObject>(resource: string, opts: ListOptions = {}): StoredList<T> {
    const info = this.info(resource);
    const ns = info.namespaced ? opts.namespace : undefined;
    const labels = opts.labelSelector ?? [];
    const fields = opts.fieldSelector ?? [];
    const limit = opts.limit && opts.limit > 0 ? opts.limit : Infinity;
    const after = opts.continue ? decodeContinue(opts.continue, resource) : { namespace: '', name: '' };
    const { list, start, end } = this.index.seek(resource, after, ns);
    const items: StoredObject<T>[] = [];
    let last: StoredEntry | undefined;
    let more = false;
    for (let i = start; i < end; i++) {
      const e = list[i]!;
      if (labels.length && !matchesLabels(e.object.metadata.labels, labels)) continue;
      if (fields.length && !matchesFields(e.object, fields, info)) continue;
      if (items.length >= limit) {
        more = true;
        break;
      }
      items.push(e as StoredObject as StoredObject<T>);
      last = e;
    }
    const result: StoredList<T> = { items, resourceVersion: String(this.rv) };
    if (more && last) result.continue = encodeContinue({ resource, namespace: last.namespace, name: last.name });
    return result;
  }

  currentResourceVersion(): string {
    return String(this.rv);
  }

  // ---- writes ----

  create<T extends KubeObject>(resource: string, obj: T): T {
    const info = this.info(resource);
    const meta = obj.metadata ?? {};
    const ns = this.scope(info, meta.namespace);
    if (!meta.name && !meta.generateName) {
      throw new InvalidError({ resource, kind: info.kind, name: '' }, [
        { type: 'FieldValueRequired', field: 'metadata.name', message: 'name or generateName is required' },
      ]);
    }
    return this.write(() => {
      const name = meta.name || this.generateName(info, ns, meta.generateName!);
      if (this.index.get(resource, ns, name)) throw AlreadyExistsError.of({ resource, kind: info.kind, name });
      const rv = ++this.rv;
      const uid = randomUUID();
      const stored = this.withMeta(info, obj, {
        name,
        namespace: ns,
        uid,
        resourceVersion: String(rv),
        creationTimestamp: rfc3339Seconds(this.clock.now()),
      });
      const json = JSON.stringify(stored);
      this.st.insertObject.run(resource, ns, name, uid, rv, json);
      const entry = new StoredEntry(ns, name, uid, rv, json);
      this.index.put(resource, entry);
      this.logChange({ rv, type: 'ADDED', resource, namespace: ns, name, stored: entry, view: selectorView(stored, info) });
      return JSON.parse(json) as T;
    });
  }

  update<T extends KubeObject>(resource: string, obj: T, opts: UpdateOptions = {}): T {
    const info = this.info(resource);
    const name = obj.metadata?.name;
    if (!name) throw new BadRequestError(`update of ${resource}: metadata.name is required`);
    const ns = this.scope(info, obj.metadata.namespace);
    return this.write(() => {
      const row = this.mustGetRow(info, ns, name);
      this.checkPreconditions(info, name, row, opts, 'update');
      return this.replace(info, ns, name, row, obj);
    });
  }

  modify<T extends KubeObject>(
    resource: string,
    namespace: string | undefined,
    name: string,
    mutate: (current: T) => T | undefined,
    opts: UpdateOptions = {},
  ): T {
    const info = this.info(resource);
    const ns = this.scope(info, namespace);
    return this.write(() => {
      const row = this.mustGetRow(info, ns, name);
      this.checkPreconditions(info, name, row, opts, 'update');
      const next = mutate(copyOf<T>(row));
      if (next === undefined) return copyOf<T>(row);
      return this.replace(info, ns, name, row, next);
    });
  }

  delete<T extends KubeObject>(resource: string, namespace: string | undefined, name: string, opts: DeleteOptions = {}): T {
    const info = this.info(resource);
    const ns = this.scope(info, namespace);
    return this.write(() => {
      const row = this.mustGetRow(info, ns, name);
      this.checkPreconditions(info, name, row, opts, 'delete');
      const rv = ++this.rv;
      const last = copyOf<T>(row);
      last.metadata.resourceVersion = String(rv);
      const json = JSON.stringify(last);
      this.st.deleteObject.run(resource, ns, name);
      this.index.remove(resource, row);
      const view = selectorView(last, info);
      this.logChange({ rv, type: 'DELETED', resource, namespace: ns, name, stored: new SharedJson(json), view });
      return last;
    });
  }

  // ---- watch ----

  watch<T extends KubeObject>(resource: string, opts: WatchOptions, onEvent: (ev: WatchEvent<T>) => void): Watch {
    return this.watchStored<T>(resource, opts, (ev) => onEvent({ type: ev.type, object: copyOf(ev.stored) }));
  }

  watchStored<T extends KubeObject>(resource: string, opts: WatchOptions, onEvent: (ev: StoredWatchEvent<T>) => void): Watch {
    const info = this.info(resource);
    const from = parseResourceVersion(opts.resourceVersion);
    const current = this.rv;
    if (from !== undefined && from < current && (this.oldestChange === undefined || this.oldestChange > from + 1)) {
      throw new GoneError(`too old resource version: ${from} (${(this.oldestChange ?? current + 1) - 1})`);
    }
    const spec = {
      info,
      namespace: info.namespaced ? opts.namespace : undefined,
      labelSelector: opts.labelSelector ?? [],
      fieldSelector: opts.fieldSelector ?? [],
      onEvent: onEvent as (ev: StoredWatchEvent) => void,
    };
    // Registered before the initial events, holding live changes until the replay is done, so a write
    // made by the listener itself during the replay is neither lost nor delivered out of order.
    const w = new Watcher(spec, Math.max(current, from ?? 0), this.logger);
    this.hub.add(w);
    try {
      if (from === undefined) this.replayCurrent(w, current);
      else if (from < current) this.replayChanges(w, from);
    } finally {
      w.goLive();
    }
    return { stop: () => this.hub.remove(w) };
  }

  close(): void {
    this.hub.removeAll();
    if (this.db.open) this.db.close();
  }

  /**
   * Gives SQLite's page cache back (PRAGMA shrink_memory): after a burst it holds up to its 2 MB of pages
   * the writes touched, which the next write reads again from the OS's page cache if needed.
   */
  releaseMemory(): void {
    if (this.db.open) this.db.pragma('shrink_memory');
  }

  /** A PASSIVE WAL checkpoint on this connection (the in-process fallback of wal-checkpointer.ts). */
  checkpoint(): void {
    if (this.db.open) this.db.pragma('wal_checkpoint(PASSIVE)');
  }

  // ---- internals ----

  private info(resource: string): ResourceInfo {
    const info = this.infos.get(resource);
    if (!info) throw new BadRequestError(`unknown resource "${resource}"`);
    return info;
  }

  /** The stored namespace key: required for namespaced resources, "" for cluster-scoped ones. */
  private scope(info: ResourceInfo, namespace: string | undefined): string {
    if (!info.namespaced) return '';
    if (!namespace) throw new BadRequestError(`${info.resource}: a namespace is required`);
    return namespace;
  }

  private mustGetRow(info: ResourceInfo, ns: string, name: string): StoredEntry {
    const row = this.index.get(info.resource, ns, name);
    if (!row) throw NotFoundError.of({ resource: info.resource, kind: info.kind, name });
    return row;
  }

  private checkPreconditions(
    info: ResourceInfo,
    name: string,
    row: StoredEntry,
    opts: UpdateOptions,
    verb: 'update' | 'delete',
  ): void {
    const prefix = `Operation cannot be fulfilled on ${info.resource} "${name}"`;
    const ref = { resource: info.resource, kind: info.kind, name };
    if (opts.expectedUid !== undefined && opts.expectedUid !== row.uid) {
      throw new ConflictError(
        `${prefix}: Precondition failed: UID in precondition: ${opts.expectedUid}, UID in object meta: ${row.uid}`,
        ref,
      );
    }
    const want = opts.expectedResourceVersion;
    if (want !== undefined && want !== String(row.rv)) {
      const detail =
        verb === 'update'
          ? 'the object has been modified; please apply your changes to the latest version and try again'
          : `Precondition failed: ResourceVersion in precondition: ${want}, ResourceVersion in object meta: ${row.rv}`;
      throw new ConflictError(`${prefix}: ${detail}`, ref);
    }
  }

  /** Builds the stored form: server-owned metadata, upstream key order, no namespace when cluster-scoped. */
  private withMeta<T extends KubeObject>(
    info: ResourceInfo,
    obj: T,
    m: { name: string; namespace: string; uid: string; resourceVersion: string; creationTimestamp: unknown },
  ): T {
    const metadata = orderMetadata({
      ...obj.metadata,
      name: m.name,
      namespace: info.namespaced ? m.namespace : undefined,
      uid: m.uid,
      resourceVersion: m.resourceVersion,
      creationTimestamp: m.creationTimestamp as string,
    });
    return { ...obj, metadata };
  }

  /** Writes `obj` over the stored row, keeping identity; a byte-identical result is not a write. */
  private replace<T extends KubeObject>(info: ResourceInfo, ns: string, name: string, row: StoredEntry, obj: T): T {
    const cur = row.glance();
    const keep = { name, namespace: ns, uid: row.uid, creationTimestamp: cur.metadata.creationTimestamp };
    const same = JSON.stringify(this.withMeta(info, obj, { ...keep, resourceVersion: String(row.rv) }));
    if (same === row.json) return copyOf<T>(row);
    const rv = ++this.rv;
    const next = this.withMeta(info, obj, { ...keep, resourceVersion: String(rv) });
    const json = JSON.stringify(next);
    this.st.updateObject.run(row.uid, rv, json, info.resource, ns, name);
    const entry = new StoredEntry(ns, name, row.uid, rv, json);
    this.index.put(info.resource, entry);
    const prev = selectorView(cur, info);
    const view = selectorView(next, info);
    const changed = JSON.stringify(prev) !== JSON.stringify(view);
    const resource = info.resource;
    this.logChange({ rv, type: 'MODIFIED', resource, namespace: ns, name, stored: entry, view, prev: changed ? prev : undefined });
    return JSON.parse(json) as T;
  }

  private generateName(info: ResourceInfo, ns: string, prefix: string): string {
    let candidate = '';
    for (let i = 0; i < GENERATE_NAME_ATTEMPTS; i++) {
      candidate = prefix + this.nameSuffix();
      if (!this.index.get(info.resource, ns, candidate)) return candidate;
    }
    throw AlreadyExistsError.of({ resource: info.resource, kind: info.kind, name: candidate });
  }

  /** Appends to the change log, compacting it to the newest historyLimit entries. */
  private logChange(c: ChangeRecord): void {
    const prev = c.prev ? JSON.stringify(c.prev) : null;
    this.st.insertChange.run(c.rv, c.type, c.resource, c.namespace, c.name, c.stored.json, prev);
    if (this.oldestChange === undefined) this.oldestChange = c.rv;
    const cut = c.rv - this.historyLimit;
    if (cut >= this.oldestChange) {
      this.st.compactChanges.run(cut);
      this.oldestChange = cut + 1;
    }
    this.pending.push(c);
  }

  /**
   * Runs `fn` in a transaction (a savepoint when nested, e.g. a store call inside modify's mutate).
   * On failure the in-memory counter, index and pending events roll back with the database.
   */
  private write<R>(fn: () => R): R {
    const saved = { rv: this.rv, oldest: this.oldestChange, pending: this.pending.length, index: this.index.mark() };
    this.depth++;
    let result: R;
    try {
      result = this.db.transaction(fn)();
    } catch (err) {
      this.rv = saved.rv;
      this.oldestChange = saved.oldest;
      this.pending.length = saved.pending;
      this.index.rollback(saved.index);
      throw err;
    } finally {
      this.depth--;
    }
    if (this.depth > 0) return result;
    this.index.commit();
    if (this.pending.length > 0) {
      const committed = this.pending;
      this.pending = [];
      this.onCommit?.();
      this.hub.publish(committed);
    }
    return result;
  }

  // The entries are taken before any listener runs: a listener's own write changes the index.
  private replayCurrent(w: Watcher, current: number): void {
    const { info, namespace } = w.spec;
    const resource = info.resource;
    const { list, start, end } = this.index.seek(resource, { namespace: '', name: '' }, namespace);
    for (const e of list.slice(start, end)) {
      w.replay({ rv: current, type: 'ADDED', resource, namespace: e.namespace, name: e.name, stored: e });
    }
  }

  private replayChanges(w: Watcher, from: number): void {
    for (const row of this.st.changesSince.all(from, w.spec.info.resource)) w.replay(changeFromRow(row));
  }
}

function changeFromRow(row: ChangeRow): ChangeRecord {
  const c: ChangeRecord = {
    rv: row.rv,
    type: row.type,
    resource: row.resource,
    namespace: row.namespace,
    name: row.name,
    stored: new SharedJson(row.json),
  };
  if (row.prev) c.prev = JSON.parse(row.prev) as SelectorView;
  return c;
}

/** A fresh copy of a stored object, which the caller may change. */
function copyOf<T extends KubeObject>(stored: { readonly json: string }): T {
  return JSON.parse(stored.json) as T;
}

/** undefined for "" / "0" / absent (start with the current state); otherwise a non-negative integer. */
function parseResourceVersion(rv: string | undefined): number | undefined {
  if (rv === undefined || rv === '' || rv === '0') return undefined;
  if (!/^\d+$/.test(rv)) throw new BadRequestError(`invalid resource version "${rv}"`);
  return Number(rv);
}
