// The ObjectStore contract: the only way the API and the pod manager read and write objects.
// It knows no HTTP. Objects are plain JSON (KubeObject); the store owns uid, resourceVersion,
// creationTimestamp and generateName. resourceVersion is one global, monotonic counter.

import type { KubeObject } from '../k8s/types.js';

/** A parsed label selector requirement (a=b, a!=b, a in (x,y), a notin (x), a, !a). */
export interface LabelRequirement {
  key: string;
  operator: 'Equals' | 'NotEquals' | 'In' | 'NotIn' | 'Exists' | 'DoesNotExist';
  values: string[];
}

/** A parsed field selector term (field=value, field==value, field!=value). */
export interface FieldRequirement {
  field: string;
  operator: 'Equals' | 'NotEquals';
  value: string;
}

export interface ListOptions {
  /** Namespace to list in; undefined = all namespaces (or a cluster-scoped resource). */
  namespace?: string;
  labelSelector?: LabelRequirement[];
  fieldSelector?: FieldRequirement[];
  /** Page size; 0 or undefined = everything. */
  limit?: number;
  /** Opaque continue token from a previous page. */
  continue?: string;
}

export interface ListResult<T extends KubeObject = KubeObject> {
  items: T[];
  /** The store's resourceVersion at the time of the list. */
  resourceVersion: string;
  /** Set when more items remain. */
  continue?: string;
}

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface WatchEvent<T extends KubeObject = KubeObject> {
  type: WatchEventType;
  object: T;
}

/**
 * An object as the store holds it, shared by every reader instead of copied (the *Stored reads). `object`
 * is deeply frozen: a reader that wants to change it copies it first (changing it throws). `json` is its
 * serialised form, byte for byte JSON.stringify(object), to splice into a reply without serialising again.
 */
export interface StoredObject<T extends KubeObject = KubeObject> {
  readonly object: T;
  readonly json: string;
  /** Kept for the API's Table rows (api/tables/table.ts) while this is the object's current version. */
  tableRow: unknown;
}

/** A list page of shared stored objects (listStored). */
export type StoredList<T extends KubeObject = KubeObject> = Omit<ListResult<T>, 'items'> & { items: StoredObject<T>[] };

/** A watch event carrying the shared stored form (watchStored). */
export interface StoredWatchEvent<T extends KubeObject = KubeObject> {
  type: WatchEventType;
  stored: StoredObject<T>;
}

export interface WatchOptions {
  namespace?: string;
  labelSelector?: LabelRequirement[];
  fieldSelector?: FieldRequirement[];
  /**
   * Resume point. undefined or "0": synthetic ADDED for every current match, then live changes.
   * "N": every change with resourceVersion > N (GoneError if that history was compacted away).
   */
  resourceVersion?: string;
}

export interface Watch {
  /** Stop delivering events; idempotent. */
  stop(): void;
}

export interface UpdateOptions {
  /** When set, the update fails with ConflictError unless the stored resourceVersion equals it. */
  expectedResourceVersion?: string;
  /** When set, the update fails with ConflictError unless the stored uid equals it. */
  expectedUid?: string;
}

export interface DeleteOptions {
  /** Precondition: the stored uid must equal it (ConflictError otherwise). */
  expectedUid?: string;
  expectedResourceVersion?: string;
}

/**
 * Resources are named by their plural ("pods", "configmaps", "namespaces"); whether a resource is
 * namespaced is decided by the registry passed to the store (cluster-scoped resources ignore namespace).
 * Every write bumps the global resourceVersion and notifies watchers synchronously, in commit order.
 *
 * Reads come in two kinds. get/tryGet/list/watch return fresh copies the caller may change. The *Stored
 * reads (getStored, listStored, watchStored) return the store's own shared objects with their serialised
 * form: no copy, no serialisation, for the readers that only look (the API's get, list and watch replies).
 */
export interface ObjectStore {
  /** Assigns uid, resourceVersion, creationTimestamp (and a name from generateName). AlreadyExists on clash. */
  create<T extends KubeObject>(resource: string, obj: T): T;
  /** NotFoundError when absent. */
  get<T extends KubeObject>(resource: string, namespace: string | undefined, name: string): T;
  /** undefined when absent. */
  tryGet<T extends KubeObject>(resource: string, namespace: string | undefined, name: string): T | undefined;
  list<T extends KubeObject>(resource: string, opts?: ListOptions): ListResult<T>;
  /** tryGet without the copy: the shared stored form (see StoredObject); undefined when absent. */
  getStored<T extends KubeObject>(resource: string, namespace: string | undefined, name: string): StoredObject<T> | undefined;
  /** list without copies: the same options, order and paging, items in their shared stored form. */
  listStored<T extends KubeObject>(resource: string, opts?: ListOptions): StoredList<T>;
  /** Replaces the whole object (metadata.uid/creationTimestamp are kept from the stored one). */
  update<T extends KubeObject>(resource: string, obj: T, opts?: UpdateOptions): T;
  /**
   * Read-modify-write under the store's lock: `mutate` gets a deep copy of the stored object and returns
   * the new one (or undefined to skip the write). Returns the stored result.
   */
  modify<T extends KubeObject>(
    resource: string,
    namespace: string | undefined,
    name: string,
    mutate: (current: T) => T | undefined,
    opts?: UpdateOptions,
  ): T;
  /** Removes the object, returning its last state with a new resourceVersion. NotFound when absent. */
  delete<T extends KubeObject>(resource: string, namespace: string | undefined, name: string, opts?: DeleteOptions): T;
  /** Calls `onEvent` for each matching change, in order, until stopped. */
  watch<T extends KubeObject>(resource: string, opts: WatchOptions, onEvent: (ev: WatchEvent<T>) => void): Watch;
  /** watch without copies: the same events, each carrying the shared stored form of its object. */
  watchStored<T extends KubeObject>(resource: string, opts: WatchOptions, onEvent: (ev: StoredWatchEvent<T>) => void): Watch;
  /** The newest resourceVersion the store has handed out. */
  currentResourceVersion(): string;
  close(): void;
}

/** Per-resource facts the store needs: scope, and which fields a field selector may use. */
export interface ResourceInfo {
  resource: string;
  kind: string;
  namespaced: boolean;
  /** Field selector keys this resource supports, with how to read each from an object. */
  fields: Record<string, (obj: KubeObject) => string | undefined>;
}
