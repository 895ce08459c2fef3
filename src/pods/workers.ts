// One serialized worker per pod UID (the kubelet's pod workers): the queue. Updates that arrive while a
// worker is busy collapse into the newest; each worker resyncs on a timer (1 s while anything is pending
// or backing off, 10 s when steady) and at once on a runtime event or probe result for its pod. What a
// pass does is passes.ts; the status it writes, status-manager.ts.
//
// Lifecycle of a worker:
//
//   syncing ──deletionTimestamp──▶ terminating ──all stopped──▶ terminated: final status, teardown,
//      │                                                        store.delete(uid) once no finalizers remain
//      └──removed from the store (force delete)──▶ kill with the 2 s minimum grace, teardown, forget

import { isStaticPod } from '../node/static-pods/manifest.js';
import { errorMessage } from '../errors.js';
import type { ObjectStore } from '../store/store.js';
import type { Clock } from '../system/clock.js';
import type { Logger } from '../system/logger.js';
import { loopTurns } from '../system/loop-turns.js';
import { stopTimeoutSeconds } from './kill.js';
import { PodPasses, RESYNC_PENDING_MS } from './passes.js';
import type { ProbeManager } from './probes/manager.js';
import { PodStatusManager } from './status-manager.js';
import { newPodSyncState, type SyncDeps } from './sync.js';
import { deleting, specKey, type PodUpdate, type Worker } from './worker-record.js';

export type { PodUpdate } from './worker-record.js';

export class PodWorkers {
  private readonly workers = new Map<string, Worker>();
  /** UIDs this manager deleted from the store; their DELETED watch event is expected and ignored. */
  private readonly finished = new Set<string>();
  private stopped = false;
  /** Passes take turns for their synchronous parts, so a burst of pods does not hold the loop. */
  private readonly turns = loopTurns;
  private readonly passes: PodPasses;
  private readonly clock: Clock;
  private readonly logger: Logger;
  private readonly onPodGone?: () => void;
  private readonly probes?: ProbeManager;

  constructor(opts: { deps: SyncDeps; store: ObjectStore; clock: Clock; logger: Logger; probes?: ProbeManager; onPodGone?: () => void }) {
    this.probes = opts.probes;
    this.clock = opts.clock;
    this.logger = opts.logger;
    this.onPodGone = opts.onPodGone;
    const status = new PodStatusManager({ deps: opts.deps, store: opts.store, clock: opts.clock, probes: opts.probes });
    this.passes = new PodPasses({ deps: opts.deps, store: opts.store, clock: opts.clock, turns: this.turns, status, probes: opts.probes, finished: this.finished });
  }

  updatePod(u: PodUpdate): void {
    if (this.stopped) return;
    const uid = u.pod.metadata.uid ?? '';
    if (u.removed && this.finished.delete(uid)) return;
    let w = this.workers.get(uid);
    if (!w) {
      // A pod known only from its DELETED event still gets whatever the runtime has torn down.
      w = { uid, pod: u.pod, seenAt: this.clock.now(), removed: false, dirty: false, state: newPodSyncState(), done: false };
      this.workers.set(uid, w);
    }
    // A static pod comes again from its manifest without the status its worker has built: keep that.
    if (isStaticPod(u.pod) && w.pod.status && w.pod !== u.pod) u = { ...u, pod: { ...u.pod, status: w.pod.status } };
    const key = specKey(u.pod);
    const statusOnly = !u.removed && !w.removed && (w.specKey ?? specKey(w.pod)) === key;
    w.pod = u.pod;
    w.specKey = key;
    w.statusKey = undefined;
    w.removed = w.removed || !!u.removed;
    const pass = w.pass;
    if (pass && deleting(w)) {
      pass.deleted.abort();
      if (stopTimeoutSeconds(this.passes.podToSync(w)) < pass.graceSeconds) pass.interrupt.abort();
    }
    // Like the kubelet, a change to status alone (e.g. our own writes) waits for the resync; a change
    // to a condition someone else owns (a readiness gate) is in specKey and syncs at once.
    if (!statusOnly || !w.running && !w.cancelTimer) this.kick(uid);
  }

  /**
   * Evicts a running pod (the kubelet's killPodNow from its eviction manager): every later pass sees it
   * Failed with reason Evicted and `message`, and kills its containers with the eviction grace. A pass
   * in flight starts nothing more. False when the pod has no worker or is already finished or deleting.
   */
  evict(uid: string, message: string): boolean {
    const w = this.workers.get(uid);
    const phase = w?.pod.status?.phase;
    if (!w || w.done || w.evicted !== undefined || deleting(w) || phase === 'Succeeded' || phase === 'Failed') return false;
    w.evicted = message;
    w.pass?.deleted.abort();
    this.kick(uid);
    return true;
  }

  /** Resync a pod now (runtime events, timers). */
  kick(uid: string): void {
    const w = this.workers.get(uid);
    if (!w || this.stopped || w.done) return;
    w.dirty = true;
    if (!w.running) w.running = this.loop(w);
  }

  knownUids(): Set<string> {
    return new Set(this.workers.keys());
  }

  /**
   * Resolves once no worker has a pass in flight, including passes started by runtime events raised
   * during other passes (tests step a fake clock, then await this).
   */
  async idle(): Promise<void> {
    for (let i = 0; i < 1000; i++) {
      const busy = [...this.workers.values()].map((w) => w.running).filter(Boolean);
      if (busy.length) {
        await Promise.all(busy);
        continue;
      }
      for (let j = 0; j < 20; j++) await Promise.resolve();
      if (![...this.workers.values()].some((w) => w.running)) return;
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const w of this.workers.values()) w.cancelTimer?.();
    await Promise.all([...this.workers.values()].map((w) => w.running));
  }

  private async loop(w: Worker): Promise<void> {
    // Not inside the caller's turn: a kick often comes from a store write's watch event, and the API
    // request that wrote should not carry this pod's sync (nor a burst of deletes every pod's).
    await this.turns.next();
    let wakeMs = RESYNC_PENDING_MS;
    while (w.dirty && !this.stopped && !w.done) {
      w.dirty = false;
      w.cancelTimer?.();
      w.cancelTimer = undefined;
      try {
        wakeMs = await this.passes.run(w);
      } catch (err) {
        wakeMs = RESYNC_PENDING_MS;
        this.logger.warn({ pod: w.pod.metadata.name, uid: w.uid, err: errorMessage(err) }, 'pod sync failed');
      }
    }
    w.running = undefined;
    if (w.done) {
      this.probes?.removePod(w.uid);
      this.workers.delete(w.uid);
      this.onPodGone?.();
      return;
    }
    if (!this.stopped && !w.dirty) {
      w.cancelTimer = this.clock.setTimer(wakeMs, () => this.kick(w.uid));
    }
  }
}
