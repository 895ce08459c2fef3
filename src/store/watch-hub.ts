// In-process watch fan-out. The store hands each committed change to publish(); the hub delivers it to
// every watcher of that resource, synchronously and in commit order.
//
// Ordering: a listener may write to the store from inside its callback. That write's change is queued
// and delivered after the current change has reached every watcher, so all watchers see changes in
// resourceVersion order (the nested write returns before its own watchers have been told).
// Isolation: a listener that throws is logged and keeps its subscription; other listeners and the
// write that caused the event are unaffected.
// Selector semantics (as the apiserver's watch cache): a MODIFIED object that starts matching is sent as
// ADDED, one that stops matching as DELETED (carrying the new state and resourceVersion).

import type { Logger } from '../system/logger.js';
import type { KubeObject } from '../k8s/types.js';
import { errorMessage } from '../errors.js';
import { fieldValue, matchesLabels } from './selectors.js';
import type {
  FieldRequirement,
  LabelRequirement,
  ResourceInfo,
  StoredObject,
  StoredWatchEvent,
  WatchEventType,
} from './store.js';

/** What a selector can see of an object: its labels and every supported field's value. */
export interface SelectorView {
  l: Record<string, string>;
  f: Record<string, string>;
}

/** One committed change, as the change log stores it. */
export interface ChangeRecord {
  rv: number;
  type: WatchEventType;
  resource: string;
  /** "" for cluster-scoped resources. */
  namespace: string;
  name: string;
  /**
   * The object after the change; for DELETED its last state with the delete's resourceVersion. Parsed
   * once, on first use, for every watcher.
   */
  stored: StoredObject;
  /** MODIFIED only: the previous state's selector view, when it differed from the new one. */
  prev?: SelectorView;
  /**
   * The new state's selector view, when the writer has it (not from history): watchers with selectors
   * match on it instead of each parsing the object.
   */
  view?: SelectorView;
}

/** A copy: a view kept in a change record must not follow later changes to the writer's object. */
export function selectorView(obj: KubeObject, info: ResourceInfo): SelectorView {
  const f: Record<string, string> = {};
  for (const field of Object.keys(info.fields)) f[field] = fieldValue(obj, field, info);
  return { l: { ...obj.metadata.labels }, f };
}

function viewMatches(v: SelectorView, labels: LabelRequirement[], fields: FieldRequirement[]): boolean {
  if (!matchesLabels(v.l, labels)) return false;
  return fields.every((r) => (r.operator === 'Equals') === ((v.f[r.field] ?? '') === r.value));
}

export interface WatcherSpec {
  info: ResourceInfo;
  /** undefined: every namespace (always undefined for cluster-scoped resources). */
  namespace?: string;
  labelSelector: LabelRequirement[];
  fieldSelector: FieldRequirement[];
  onEvent: (ev: StoredWatchEvent) => void;
}

export class Watcher {
  stopped = false;
  /** Changes at or below this resourceVersion were already covered (initial list or replay). */
  lastRv: number;
  /** While replaying history, live changes wait here so nothing is lost or reordered. */
  private held: ChangeRecord[] | undefined = [];

  constructor(
    readonly spec: WatcherSpec,
    startRv: number,
    private readonly logger: Logger,
  ) {
    this.lastRv = startRv;
  }

  /** Translates a change into this watcher's event, or undefined when it does not concern it. */
  eventFor(c: ChangeRecord): StoredWatchEvent | undefined {
    const { namespace, labelSelector, fieldSelector, info } = this.spec;
    if (namespace !== undefined && c.namespace !== namespace) return undefined;
    const stored = c.stored;
    if (labelSelector.length === 0 && fieldSelector.length === 0) return { type: c.type, stored };
    const now = viewMatches(c.view ?? selectorView(stored.object, info), labelSelector, fieldSelector);
    if (c.type !== 'MODIFIED') return now ? { type: c.type, stored } : undefined;
    const before = c.prev ? viewMatches(c.prev, labelSelector, fieldSelector) : now;
    if (now) return { type: before ? 'MODIFIED' : 'ADDED', stored };
    return before ? { type: 'DELETED', stored } : undefined;
  }

  /** Delivers one event to the listener; a throwing listener is logged, never propagated. */
  emit(ev: StoredWatchEvent, name: string): void {
    try {
      this.spec.onEvent(ev);
    } catch (err) {
      this.logger.error({ err: errorMessage(err), resource: this.spec.info.resource, type: ev.type, name }, 'watch listener threw');
    }
  }

  /** A live change from the hub. */
  offer(c: ChangeRecord): void {
    if (this.stopped || c.rv <= this.lastRv) return;
    if (this.held) {
      this.held.push(c);
      return;
    }
    this.lastRv = c.rv;
    const ev = this.eventFor(c);
    if (ev) this.emit(ev, c.name);
  }

  /** A change from history (replay); delivered at once. */
  replay(c: ChangeRecord): void {
    if (this.stopped) return;
    const ev = this.eventFor(c);
    if (ev) this.emit(ev, c.name);
  }

  /** Ends the replay phase: delivers the live changes that arrived meanwhile. */
  goLive(): void {
    const held = this.held ?? [];
    this.held = undefined;
    for (const c of held) this.offer(c);
  }
}

export class WatchHub {
  private readonly byResource = new Map<string, Set<Watcher>>();
  private readonly queue: ChangeRecord[] = [];
  private draining = false;

  add(w: Watcher): void {
    const r = w.spec.info.resource;
    let set = this.byResource.get(r);
    if (!set) this.byResource.set(r, (set = new Set()));
    set.add(w);
  }

  remove(w: Watcher): void {
    w.stopped = true;
    this.byResource.get(w.spec.info.resource)?.delete(w);
  }

  removeAll(): void {
    for (const set of this.byResource.values()) for (const w of set) w.stopped = true;
    this.byResource.clear();
  }

  /** Queues committed changes and, unless already delivering, delivers everything queued in order. */
  publish(changes: ChangeRecord[]): void {
    for (const c of changes) if (this.byResource.get(c.resource)?.size) this.queue.push(c);
    if (this.draining) return;
    this.draining = true;
    try {
      for (let c = this.queue.shift(); c; c = this.queue.shift()) {
        const set = this.byResource.get(c.resource);
        if (!set) continue;
        for (const w of [...set]) w.offer(c);
      }
    } finally {
      this.draining = false;
    }
  }
}
