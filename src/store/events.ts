// The EventSink on the object store: core/v1 Events in the involved object's namespace ("default" for
// cluster-scoped objects), named <object>.<16 hex digits of the clock in ns> like the kubelet's recorder.
// A repeat of (object, fieldPath, type, reason, message) seen recently bumps count and lastTimestamp of
// the existing Event instead of creating one; "recently" is a bounded LRU of keys, so after eviction or a
// restart a repeat starts a new Event (as upstream's correlator). Recording never throws.

import { errorMessage, isNotFound, PeapodError } from '../errors.js';
import type { EventSink, EventType } from '../k8s/events.js';
import type { KubeEvent, ObjectReference } from '../k8s/types.js';
import type { Clock } from '../system/clock.js';
import type { Logger } from '../system/logger.js';
import { rfc3339Seconds } from './object-meta.js';
import type { FieldRequirement, ObjectStore } from './store.js';

export interface StoreEventSinkOptions {
  store: ObjectStore;
  clock: Clock;
  logger: Logger;
  /** source.component and reportingComponent, e.g. "kubelet". */
  component: string;
  /** source.host and reportingInstance: the node name. */
  host: string;
  /** How many distinct events to remember for merging repeats (default 4096). */
  memory?: number;
}

interface EventRef {
  namespace: string;
  name: string;
}

const NAME_ATTEMPTS = 5;

export class StoreEventSink implements EventSink {
  private readonly store: ObjectStore;
  private readonly clock: Clock;
  private readonly logger: Logger;
  private readonly component: string;
  private readonly host: string;
  private readonly memory: number;
  /** Dedupe key → stored event; Map order is recency (oldest first). */
  private readonly recent = new Map<string, EventRef>();
  private seq = 0;

  constructor(opts: StoreEventSinkOptions) {
    this.store = opts.store;
    this.clock = opts.clock;
    this.logger = opts.logger;
    this.component = opts.component;
    this.host = opts.host;
    this.memory = Math.max(1, opts.memory ?? 4096);
  }

  record(involved: ObjectReference, type: EventType, reason: string, message: string): void {
    try {
      const key = dedupeKey(involved, type, reason, message);
      const now = rfc3339Seconds(this.clock.now());
      if (this.bumpExisting(key, now)) return;
      const ref = this.createEvent(involved, type, reason, message, now);
      this.remember(key, ref);
    } catch (err) {
      this.logger.warn(
        { err: errorMessage(err), object: involved.name, namespace: involved.namespace, reason },
        'failed to record event',
      );
    }
  }

  /**
   * Deletes the Events about an object (by name, and uid when given) in `namespace`, e.g. once a pod is
   * gone. Returns how many were deleted; failures are logged, never thrown.
   */
  deleteEventsFor(namespace: string, name: string, uid?: string): number {
    const selector: FieldRequirement[] = [{ field: 'involvedObject.name', operator: 'Equals', value: name }];
    if (uid) selector.push({ field: 'involvedObject.uid', operator: 'Equals', value: uid });
    let deleted = 0;
    try {
      const ns = namespace || 'default';
      const gone = new Set<string>();
      for (const ev of this.store.list<KubeEvent>('events', { namespace: ns, fieldSelector: selector }).items) {
        const evName = ev.metadata.name!;
        try {
          this.store.delete('events', ns, evName);
          deleted++;
        } catch (err) {
          if (!isNotFound(err)) throw err;
        }
        gone.add(evName);
      }
      for (const [key, ref] of this.recent) if (ref.namespace === ns && gone.has(ref.name)) this.recent.delete(key);
    } catch (err) {
      this.logger.warn({ err: errorMessage(err), object: name, namespace }, 'failed to delete events');
    }
    return deleted;
  }

  /** Bumps count/lastTimestamp of a remembered event; false when there is none (or it was deleted). */
  private bumpExisting(key: string, now: string): boolean {
    const ref = this.recent.get(key);
    if (!ref) return false;
    try {
      this.store.modify<KubeEvent>('events', ref.namespace, ref.name, (ev) => {
        ev.count = (ev.count ?? 1) + 1;
        ev.lastTimestamp = now;
        return ev;
      });
      this.remember(key, ref);
      return true;
    } catch (err) {
      if (!isNotFound(err)) throw err;
      this.recent.delete(key);
      return false;
    }
  }

  private createEvent(involved: ObjectReference, type: EventType, reason: string, message: string, now: string): EventRef {
    const namespace = involved.namespace || 'default';
    for (let attempt = 1; ; attempt++) {
      const name = `${involved.name ?? 'unknown'}.${this.nextHex()}`;
      const ev: KubeEvent = {
        apiVersion: 'v1',
        kind: 'Event',
        metadata: { name, namespace },
        involvedObject: { ...involved },
        reason,
        message,
        source: { component: this.component, host: this.host },
        firstTimestamp: now,
        lastTimestamp: now,
        count: 1,
        type,
        eventTime: null,
        reportingComponent: this.component,
        reportingInstance: this.host,
      };
      try {
        this.store.create('events', ev);
        return { namespace, name };
      } catch (err) {
        const clash = err instanceof PeapodError && err.code === 'AlreadyExists';
        if (!clash || attempt >= NAME_ATTEMPTS) throw err;
      }
    }
  }

  /** 16 hex digits: the clock in nanoseconds, plus a sequence so events in one millisecond differ. */
  private nextHex(): string {
    const ns = BigInt(this.clock.now()) * 1_000_000n + BigInt(this.seq++ % 1_000_000);
    return ns.toString(16).padStart(16, '0').slice(-16);
  }

  private remember(key: string, ref: EventRef): void {
    this.recent.delete(key);
    this.recent.set(key, ref);
    while (this.recent.size > this.memory) this.recent.delete(this.recent.keys().next().value!);
  }
}

function dedupeKey(o: ObjectReference, type: EventType, reason: string, message: string): string {
  const who = o.uid || `${o.kind ?? ''}/${o.namespace ?? ''}/${o.name ?? ''}`;
  return JSON.stringify([who, o.fieldPath ?? '', type, reason, message]);
}
