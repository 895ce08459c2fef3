// Events expire, as kube-apiserver's --event-ttl (1 h) makes them: etcd keeps each Event under a lease
// of that length from its last write, so an Event goes one TTL after it was created or last updated
// (a repeat bumping its count renews it). This keeps a long-running node's events bounded.
//
// The store keeps no write times, so the expirer watches the events and notes each write's time on the
// clock; an Event already stored when it starts (written by an earlier run) counts from the newest time
// it carries (series.lastObservedTime, lastTimestamp, eventTime, firstTimestamp, creationTimestamp), and
// never from later than now. A sweep every minute (at most every TTL) deletes the expired ones, each only
// if it was not written again since (a resourceVersion precondition).

import { errorMessage, isNotFound, PeapodError } from '../errors.js';
import { timeMs } from '../k8s/micro-time.js';
import type { KubeEvent, KubeObject } from '../k8s/types.js';
import type { ObjectStore, Watch } from '../store/store.js';
import type { Clock } from '../system/clock.js';
import type { Logger } from '../system/logger.js';

/** kube-apiserver's --event-ttl default. */
export const DEFAULT_EVENT_TTL_MS = 60 * 60_000;
const MAX_SWEEP_INTERVAL_MS = 60_000;

export interface EventTtlOptions {
  store: ObjectStore;
  clock: Clock;
  logger: Logger;
  ttlMs?: number;
}

interface Written {
  namespace: string;
  name: string;
  resourceVersion: string;
  at: number;
}

/** The newest time an Event carries itself, in ms (for events written before the expirer watched them). */
export function lastWrittenByContent(ev: KubeObject): number | undefined {
  const e = ev as KubeEvent;
  const times = [e.series?.lastObservedTime, e.lastTimestamp, e.eventTime, e.firstTimestamp, e.metadata.creationTimestamp].map(timeMs).filter((t): t is number => t !== undefined);
  return times.length ? Math.max(...times) : undefined;
}

export class EventExpirer {
  private readonly store: ObjectStore;
  private readonly clock: Clock;
  private readonly logger: Logger;
  readonly ttlMs: number;
  private readonly written = new Map<string, Written>();
  private watch: Watch | undefined;
  private cancel: (() => void) | undefined;

  constructor(opts: EventTtlOptions) {
    this.store = opts.store;
    this.clock = opts.clock;
    this.logger = opts.logger;
    this.ttlMs = opts.ttlMs ?? DEFAULT_EVENT_TTL_MS;
  }

  start(): void {
    let replaying = true;
    // the shared stored form: only metadata is read, so no copy of each event write is made
    this.watch = this.store.watchStored<KubeObject>('events', {}, (ev) => {
      const m = ev.stored.object.metadata;
      const key = `${m.namespace}/${m.name}`;
      if (ev.type === 'DELETED') {
        this.written.delete(key);
        return;
      }
      const now = this.clock.now();
      const at = replaying ? Math.min(now, lastWrittenByContent(ev.stored.object) ?? now) : now;
      this.written.set(key, { namespace: m.namespace!, name: m.name!, resourceVersion: m.resourceVersion!, at });
    });
    replaying = false;
    this.sweep();
    const interval = Math.max(1, Math.min(this.ttlMs, MAX_SWEEP_INTERVAL_MS));
    const again = (): void => {
      this.sweep();
      this.cancel = this.clock.setTimer(interval, again);
    };
    this.cancel = this.clock.setTimer(interval, again);
  }

  stop(): void {
    this.cancel?.();
    this.cancel = undefined;
    this.watch?.stop();
    this.watch = undefined;
  }

  /** Deletes the events whose TTL has run out; returns how many went. */
  sweep(): number {
    const now = this.clock.now();
    let deleted = 0;
    for (const w of [...this.written.values()]) {
      if (w.at + this.ttlMs > now) continue;
      try {
        this.store.delete('events', w.namespace, w.name, { expectedResourceVersion: w.resourceVersion });
        deleted++;
      } catch (err) {
        // Gone already, or written again since (the watch has noted the new write time).
        if (isNotFound(err) || (err instanceof PeapodError && err.code === 'Conflict')) continue;
        this.logger.warn({ err: errorMessage(err), event: `${w.namespace}/${w.name}` }, 'could not delete an expired event');
      }
    }
    if (deleted) this.logger.debug({ deleted }, 'expired events deleted');
    return deleted;
  }
}
