// The store's current state in memory, beside SQLite (a watch cache, as kube-apiserver keeps one): every
// read is served from here, SQLite is only written to (and read once, at open). Per resource, the entries
// sit in one array sorted by (namespace, name), the order of list and of continue tokens.
//
// Writes change the index inside the SQLite transaction, so a read inside it (a store call in modify's
// mutate) sees the transaction's own writes as SQLite did; each change is logged so a failed transaction
// or savepoint puts back exactly what it changed (rollback(mark)). Nothing else runs meanwhile (the
// store is synchronous), so no other reader ever sees an uncommitted entry.

import type { KubeObject } from '../k8s/types.js';
import type { StoredObject } from './store.js';

/** A serialised object with a deeply frozen parse, made on first use and shared by every reader. */
export class SharedJson implements StoredObject {
  private parsed: KubeObject | undefined;
  /** The entry's Table row, kept by api/tables while the entry is current. */
  tableRow: unknown;

  constructor(readonly json: string) {}

  get object(): KubeObject {
    return (this.parsed ??= deepFreeze(JSON.parse(this.json) as KubeObject));
  }

  /**
   * The object for one look by the store itself: the shared parse when made already, else a throwaway
   * one (a writer about to replace the entry would only pay for freezing and keeping it).
   */
  glance(): KubeObject {
    return this.parsed ?? (JSON.parse(this.json) as KubeObject);
  }

  /**
   * Drops the shared parse (those who took it keep theirs). For an entry no longer current: only the
   * change log still holds it, for watchers that resume from an older resourceVersion, and a parsed pod
   * takes several times its JSON's memory. A later look parses again.
   */
  release(): void {
    this.parsed = undefined;
    this.tableRow = undefined;
  }
}

/** One stored object with its key and what write preconditions check. */
export class StoredEntry extends SharedJson {
  constructor(
    readonly namespace: string,
    readonly name: string,
    readonly uid: string,
    readonly rv: number,
    json: string,
  ) {
    super(json);
  }
}

export interface IndexKey {
  namespace: string;
  name: string;
}

/** A row of the objects table, as the index is loaded from it. */
export interface ObjectRow extends IndexKey {
  resource: string;
  uid: string;
  rv: number;
  json: string;
}

/** What put/remove changed, to undo it. */
interface Undo {
  resource: string;
  key: IndexKey;
  /** The entry before the change; undefined when there was none. */
  before: StoredEntry | undefined;
}

export class ObjectIndex {
  private readonly byResource = new Map<string, StoredEntry[]>();
  private undo: Undo[] = [];

  /** Builds the index from rows in any order. */
  static load(rows: Iterable<ObjectRow>): ObjectIndex {
    const index = new ObjectIndex();
    for (const row of rows) index.entries(row.resource).push(new StoredEntry(row.namespace, row.name, row.uid, row.rv, row.json));
    for (const list of index.byResource.values()) list.sort(compareEntries);
    return index;
  }

  get(resource: string, namespace: string, name: string): StoredEntry | undefined {
    const list = this.byResource.get(resource);
    if (!list) return undefined;
    const i = search(list, { namespace, name });
    return i >= 0 ? list[i] : undefined;
  }

  /**
   * The live array of `resource` entries and the range of a list in it: from the first entry strictly
   * after `after` and, for one namespace, not before that namespace's first entry; up to the end of the
   * array, or of that namespace's entries (which are contiguous). The array changes with the next write:
   * a caller that may write while walking it copies the range first.
   */
  seek(resource: string, after: IndexKey, namespace?: string): { list: readonly StoredEntry[]; start: number; end: number } {
    const list = this.byResource.get(resource) ?? [];
    const i = search(list, after);
    let start = i >= 0 ? i + 1 : -i - 1;
    let end = list.length;
    if (namespace !== undefined) {
      const j = search(list, { namespace, name: '' });
      start = Math.max(start, j >= 0 ? j : -j - 1);
      end = Math.max(start, pastNamespace(list, namespace));
    }
    return { list, start, end };
  }

  /** Adds or replaces the entry at its key. */
  put(resource: string, entry: StoredEntry): void {
    const list = this.entries(resource);
    const i = search(list, entry);
    this.undo.push({ resource, key: entry, before: i >= 0 ? list[i] : undefined });
    if (i >= 0) list[i] = entry;
    else list.splice(-i - 1, 0, entry);
  }

  remove(resource: string, key: IndexKey): void {
    const list = this.entries(resource);
    const i = search(list, key);
    if (i < 0) return;
    this.undo.push({ resource, key, before: list[i] });
    list.splice(i, 1);
  }

  /** A point to roll back to (taken when a transaction or savepoint begins). */
  mark(): number {
    return this.undo.length;
  }

  /** Undoes every change made since `mark`, newest first. */
  rollback(mark: number): void {
    while (this.undo.length > mark) {
      const u = this.undo.pop()!;
      const list = this.entries(u.resource);
      const i = search(list, u.key);
      if (u.before && i >= 0) list[i] = u.before;
      else if (u.before) list.splice(-i - 1, 0, u.before);
      else if (i >= 0) list.splice(i, 1);
    }
  }

  /** The outermost transaction committed: its changes are final; the entries it replaced let go of their parse. */
  commit(): void {
    for (const u of this.undo) u.before?.release();
    this.undo = [];
  }

  private entries(resource: string): StoredEntry[] {
    let list = this.byResource.get(resource);
    if (!list) this.byResource.set(resource, (list = []));
    return list;
  }
}

/**
 * Binary search by (namespace, name): the index when found, otherwise -(insertion point) - 1.
 */
function search(list: readonly IndexKey[], key: IndexKey): number {
  let lo = 0;
  let hi = list.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const c = compareEntries(list[mid]!, key);
    if (c < 0) lo = mid + 1;
    else if (c > 0) hi = mid - 1;
    else return mid;
  }
  return -lo - 1;
}

/** The index of the first entry whose namespace sorts after `namespace` (list.length when none does). */
function pastNamespace(list: readonly IndexKey[], namespace: string): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (compareBinary(list[mid]!.namespace, namespace) <= 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function compareEntries(a: IndexKey, b: IndexKey): number {
  return compareBinary(a.namespace, b.namespace) || compareBinary(a.name, b.name);
}

/**
 * Compares as SQLite's BINARY collation does (UTF-8 bytes), which is the order list pages had when they
 * came from SQLite. UTF-16 code units order the same except that surrogates (code points above U+FFFF)
 * must sort after U+E000–U+FFFF.
 */
export function compareBinary(a: string, b: string): number {
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) return utf8Rank(x) - utf8Rank(y);
  }
  return a.length - b.length;
}

function utf8Rank(unit: number): number {
  if (unit < 0xd800) return unit;
  return unit < 0xe000 ? unit + 0x2000 : unit - 0x800;
}

/** Freezes `value` and everything it holds (a parsed JSON tree: plain objects and arrays). */
export function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object') {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}
