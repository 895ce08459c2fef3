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
 */
export interface ObjectStore {
  /** Assigns uid, resourceVersion, creationTimestamp (and a name from generateName). AlreadyExists on clash. */
  create<T extends KubeObject>(resource: string, obj: T): T;
  /** NotFoundError when absent. */
  get<T extends KubeObject>(resource: string, namespace: string | undefined, name: string): T;
  /** undefined when absent. */
  tryGet<T extends KubeObject>(resource: string, namespace: string | undefined, name: string): T | undefined;
  list<T extends KubeObject>(resource: string, opts?: ListOptions): ListResult<T>;
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
