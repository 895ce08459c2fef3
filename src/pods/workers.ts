// One serialized worker per pod UID (the kubelet's pod workers). Updates that arrive while a worker
// is busy collapse into the newest; each worker resyncs on a timer (1 s while anything is pending or
// backing off, 10 s when steady) and at once on a runtime event for its pod.
//
// A pass:  observe → computePodActions → PodSync.run → observe again → computePodStatus → write if changed.
// Lifecycle of a worker:
//
//   syncing ──deletionTimestamp──▶ terminating ──all stopped──▶ terminated: final status, teardown,
//      │                                                        store.delete(uid) once no finalizers remain
//      └──removed from the store (force delete)──▶ kill with the 2 s minimum grace, teardown, forget
//
// A pass works on the pod as it was when it began. An update that deletes or removes the pod makes the
// pass start nothing more (PassControl.aborted); one that shortens the kill grace also interrupts its
// stop waits, so the next pass (with the newest pod) stops again with the shorter grace.

import { ConflictError, errorMessage, isNotFound } from '../errors.js';
import type { Pod, PodStatus } from '../k8s/types.js';
import type { ObjectStore } from '../store/store.js';
import type { Clock } from '../system/clock.js';
import type { Logger } from '../system/logger.js';
import { loopTurns } from '../system/loop-turns.js';
import { computePodActions, type PodActions } from './actions.js';
import type { ProbeManager } from './probes/manager.js';
import { readLogTail, wantsLogMessage } from './termination-message.js';
import { deadlineOf, podIPOf, type ObservedPod } from './spec.js';
import { computePodStatus } from './status.js';
import { resolvedImageOf } from './image-pull.js';
import { OWN_CONDITIONS } from './status.js';
import { stopTimeoutSeconds } from './kill.js';
import { EVICTION_GRACE_SECONDS } from './local-storage.js';
import {
  newPodSyncState,
  observePod,
  PodSync,
  refreshVolumes,
  teardownPod,
  type PodSyncState,
  type StepResult,
  type SyncDeps,
} from './sync.js';

export const RESYNC_PENDING_MS = 1_000;
export const RESYNC_STEADY_MS = 10_000;
/** Retries of failed steps (sandbox, create, mount, config) double from 1 s up to the kubelet's 10 s. */
export const RESYNC_ERROR_MAX_MS = 10_000;

export interface PodUpdate {
  pod: Pod;
  /** The object is gone from the store (deleted, possibly forced): tear everything down. */
  removed?: boolean;
}

interface Worker {
  uid: string;
  pod: Pod;
  /** specKey(pod), kept beside it: every watch event of the pod compares against it. */
  specKey?: string;
  /** stableJson(pod.status), kept beside it: every pass compares the status it computed against it. */
  statusKey?: string;
  removed: boolean;
  dirty: boolean;
  running?: Promise<void>;
  cancelTimer?: () => void;
  state: PodSyncState;
  done: boolean;
  /** Consecutive passes with a failed step (no back-off of its own): spaces the retries out. */
  failedPasses?: number;
  /** The plan in flight: the kill grace it uses; `deleted` ends its pull waits, `interrupt` its stop waits. */
  pass?: { graceSeconds: number; deleted: AbortController; interrupt: AbortController };
  /** The deleted pod's runtime and volumes are gone; only its finalizers keep the object. */
  tornDown?: boolean;
  /** Evicted (local-storage.ts): the message; the pod is Failed, its containers killed with a 1 s grace. */
  evicted?: string;
}

/** Whether the newest state of the pod is deleted (marked) or removed from the store. */
const deleting = (w: Worker) => w.removed || !!w.pod.metadata.deletionTimestamp;

/** Stable JSON for change detection (key order independent). */
export function stableJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(stableJson).join(',')}]`;
  if (v && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    return `{${Object.keys(o).filter((k) => o[k] !== undefined).sort().map((k) => `${JSON.stringify(k)}:${stableJson(o[k])}`).join(',')}}`;
  }
  return JSON.stringify(v);
}

/** What a sync depends on: metadata (minus bookkeeping), spec, and conditions others own (gates). */
function specKey(pod: Pod): string {
  const { resourceVersion: _rv, managedFields: _mf, ...meta } = pod.metadata;
  const foreign = (pod.status?.conditions ?? []).filter((c) => !OWN_CONDITIONS.includes(c.type));
  return stableJson({ meta, spec: pod.spec, foreign });
}

const alive = (obs: ObservedPod) =>
  obs.sandboxes.some((s) => s.state === 'ready') ||
  [...obs.containers.values()].some((l) => l.some((r) => r.state !== 'exited'));

/**
 * An evicted pod as a pass sees it: Failed with reason Evicted (kept from then on, as a terminal phase
 * is), its grace the eviction's unless a delete set a grace of its own.
 */
function evictedPod(pod: Pod, message: string): Pod {
  const status = pod.status?.phase === 'Failed' ? pod.status : { ...pod.status, phase: 'Failed' as const, reason: 'Evicted', message };
  return { ...pod, spec: { ...pod.spec, terminationGracePeriodSeconds: EVICTION_GRACE_SECONDS }, status };
}

const planIsEmpty = (p: PodActions) =>
  !p.killPod && !p.createSandbox && !p.initContainersToStart.length && !p.containersToStart.length && !p.containersToKill.length;

export class PodWorkers {
  private readonly workers = new Map<string, Worker>();
  /** UIDs this manager deleted from the store; their DELETED watch event is expected and ignored. */
  private readonly finished = new Set<string>();
  private stopped = false;
  /** Passes take turns for their synchronous parts, so a burst of pods does not hold the loop. */
  private readonly turns = loopTurns;
  private readonly deps: SyncDeps;
  private readonly store: ObjectStore;
  private readonly clock: Clock;
  private readonly logger: Logger;
  private readonly onPodGone?: () => void;
  private readonly probes?: ProbeManager;

  constructor(opts: { deps: SyncDeps; store: ObjectStore; clock: Clock; logger: Logger; probes?: ProbeManager; onPodGone?: () => void }) {
    this.deps = opts.deps;
    this.probes = opts.probes;
    this.store = opts.store;
    this.clock = opts.clock;
    this.logger = opts.logger;
    this.onPodGone = opts.onPodGone;
  }

  updatePod(u: PodUpdate): void {
    if (this.stopped) return;
    const uid = u.pod.metadata.uid ?? '';
    if (u.removed && this.finished.delete(uid)) return;
    let w = this.workers.get(uid);
    if (!w) {
      // A pod known only from its DELETED event still gets whatever the runtime has torn down.
      w = { uid, pod: u.pod, removed: false, dirty: false, state: newPodSyncState(), done: false };
      this.workers.set(uid, w);
    }
    const key = specKey(u.pod);
    const statusOnly = !u.removed && !w.removed && (w.specKey ?? specKey(w.pod)) === key;
    w.pod = u.pod;
    w.specKey = key;
    w.statusKey = undefined;
    w.removed = w.removed || !!u.removed;
    const pass = w.pass;
    if (pass && deleting(w)) {
      pass.deleted.abort();
      if (stopTimeoutSeconds(this.podToSync(w)) < pass.graceSeconds) pass.interrupt.abort();
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
        wakeMs = await this.syncOnce(w);
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

  /** One pass; returns when the next resync is due (ms from now). */
  private async syncOnce(w: Worker): Promise<number> {
    if (w.removed) return this.syncRemoved(w);
    const pod = this.podToSync(w);
    let observed = await observePod(this.deps.runtime, w.uid);
    this.probes?.syncPod(pod, observed, podIPOf(pod, observed, this.deps.nodeIP));
    const plan = computePodActions({ pod, observed, backoff: w.state.backoff, now: this.clock.now(), probes: this.probes, backoffMaxMs: this.deps.backoffMaxMs });
    let results: StepResult[] = [];
    if (!planIsEmpty(plan)) {
      results = await this.runPlan(w, pod, observed, plan);
      observed = await observePod(this.deps.runtime, w.uid);
      this.probes?.syncPod(w.pod, observed, podIPOf(w.pod, observed, this.deps.nodeIP));
    }
    if (!pod.metadata.deletionTimestamp && observed.sandboxes[0]?.state === 'ready') await refreshVolumes(this.deps, w.pod, w.state);
    // The status and its write (with the watch fan-out) run on a turn of their own (see LoopTurns).
    await this.turns.next();
    if (pod.metadata.deletionTimestamp && !alive(observed)) return this.finishDeletion(w, observed);
    await this.resolveImages(w, observed);
    await this.resolveLogMessages(w, observed);
    const status = this.statusOf(w, observed);
    this.writeStatus(w, status);
    return this.nextWake(w, results, status);
  }

  /** Runs a plan on `pod` (the pod as this pass began), steerable by newer updates (see the header). */
  private async runPlan(w: Worker, pod: Pod, observed: ObservedPod, plan: PodActions): Promise<StepResult[]> {
    const pass = { graceSeconds: stopTimeoutSeconds(pod), deleted: new AbortController(), interrupt: new AbortController() };
    w.pass = pass;
    const control = { aborted: () => deleting(w) || w.evicted !== undefined, deleted: pass.deleted.signal, interrupt: pass.interrupt.signal };
    try {
      return await new PodSync(this.deps, pod, observed, w.state, control).run(plan);
    } finally {
      w.pass = undefined;
    }
  }

  /**
   * The pod a pass works on. A pod removed from the store was removed without waiting (a force delete,
   * or a delete of a pod already marked without a grace; our own graceful finish is never synced): as
   * the apiserver records a force delete, its grace is 0, whatever grace an earlier delete had set —
   * so its containers get the 2 s minimum.
   */
  private podToSync(w: Worker): Pod {
    if (!w.removed) return w.evicted === undefined ? w.pod : evictedPod(w.pod, w.evicted);
    const m = w.pod.metadata;
    const deletionTimestamp = m.deletionTimestamp ?? new Date(this.clock.now()).toISOString();
    return { ...w.pod, metadata: { ...m, deletionTimestamp, deletionGracePeriodSeconds: 0 } };
  }

  /**
   * When to look again: at the end of a back-off (crash loop or pull) or of activeDeadlineSeconds; after a
   * failed step 1 s doubling to 10 s; 1 s while a container is still being created; 10 s when steady.
   * Runtime events wake a worker earlier.
   */
  private nextWake(w: Worker, results: StepResult[], status: PodStatus): number {
    const now = this.clock.now();
    const retries = results.filter((r) => r.retryAt !== undefined).map((r) => r.retryAt! - now);
    const deadline = deadlineOf({ ...w.pod, status });
    if (deadline !== undefined && status.phase !== 'Failed' && status.phase !== 'Succeeded') retries.push(deadline - now);
    const failedNow = results.some((r) => !r.ok && r.retryAt === undefined && r.step !== 'GarbageCollect');
    // A failing step is retried after 1, 2, 4, 8, then every 10 s (the kubelet retries failed syncs after
    // ~10 s): never a hot loop of creates, yet a quick first retry.
    w.failedPasses = failedNow ? (w.failedPasses ?? 0) + 1 : 0;
    const quiet = new Set(['CrashLoopBackOff', 'ImagePullBackOff', 'PodInitializing']);
    const statuses = [...(status.initContainerStatuses ?? []), ...(status.containerStatuses ?? [])];
    const busy = statuses.some((s) => s.state.waiting && !quiet.has(s.state.waiting.reason ?? ''));
    const pending = failedNow
      ? Math.min(RESYNC_ERROR_MAX_MS, RESYNC_PENDING_MS * 2 ** (w.failedPasses - 1))
      : busy
        ? RESYNC_PENDING_MS
        : RESYNC_STEADY_MS;
    return Math.min(...retries.map((ms) => Math.max(0, ms)), pending);
  }

  /** Reads the log tail of exited instances whose message comes from their log (termination-message.ts), once each. */
  private async resolveLogMessages(w: Worker, observed: ObservedPod): Promise<void> {
    const cache = w.state.logMessages;
    const ids = new Set<string>();
    for (const recs of observed.containers.values()) {
      for (const r of recs.slice(0, 2)) {
        ids.add(r.id);
        if (wantsLogMessage(r) && !cache.has(r.id)) cache.set(r.id, await readLogTail(r.logPath));
      }
    }
    for (const id of cache.keys()) if (!ids.has(id)) cache.delete(id);
  }

  /** Resolves images of observed instances not pulled by this worker (after a daemon restart). */
  private async resolveImages(w: Worker, observed: ObservedPod): Promise<void> {
    const specs = [...(w.pod.spec.initContainers ?? []), ...w.pod.spec.containers];
    for (const c of specs) {
      const ref = c.image ?? '';
      if (w.state.images.has(ref) || !observed.containers.get(c.name)?.length) continue;
      const img = await this.deps.images.imageStatus(ref).catch(() => undefined);
      if (img) w.state.images.set(ref, resolvedImageOf(ref, img));
    }
  }

  private statusOf(w: Worker, observed: ObservedPod): PodStatus {
    return computePodStatus({
      pod: this.podToSync(w),
      observed,
      startErrors: w.state.startErrors,
      images: w.state.images,
      nodeIP: this.deps.nodeIP,
      qosClass: this.deps.qosOf(w.pod),
      now: this.clock.now(),
      probes: this.probes,
      logMessages: w.state.logMessages,
    });
  }

  /** Writes the status only when it changed, guarded by UID. */
  private writeStatus(w: Worker, status: PodStatus): void {
    const m = w.pod.metadata;
    const key = stableJson(status);
    w.statusKey ??= stableJson(w.pod.status ?? {});
    if (w.statusKey === key) return;
    try {
      w.specKey = undefined;
      w.statusKey = undefined;
      w.pod = this.store.modify<Pod>(
        'pods',
        m.namespace,
        m.name ?? '',
        (cur) => (cur.metadata.uid !== w.uid || stableJson(cur.status ?? {}) === key ? undefined : { ...cur, status }),
        { expectedUid: w.uid },
      );
      // Written, or found equal already: either way the stored status is `status` (unless the UID differs).
      w.statusKey = w.pod.metadata.uid === w.uid ? key : undefined;
    } catch (err) {
      if (!isNotFound(err) && !(err instanceof ConflictError)) throw err;
    }
  }

  /**
   * Deleted pod, everything stopped: terminal phase, teardown, then delete with a UID precondition.
   * While metadata.finalizers is non-empty the object stays (terminal, nothing running); the update
   * that clears them syncs again and finishes here.
   */
  private async finishDeletion(w: Worker, observed: ObservedPod): Promise<number> {
    const status = this.statusOf(w, observed);
    if (status.phase !== 'Succeeded' && status.phase !== 'Failed') {
      const all = status.containerStatuses ?? [];
      const ok = all.length > 0 && all.every((s) => s.state.terminated?.exitCode === 0);
      status.phase = ok ? 'Succeeded' : 'Failed';
    }
    this.writeStatus(w, status);
    if (!w.tornDown) await teardownPod(this.deps, w.uid);
    w.tornDown = true;
    const m = w.pod.metadata;
    if (m.finalizers?.length) return RESYNC_STEADY_MS;
    await this.turns.next();
    this.finished.add(w.uid);
    try {
      this.store.delete('pods', m.namespace, m.name ?? '', { expectedUid: w.uid });
    } catch (err) {
      this.finished.delete(w.uid);
      if (!isNotFound(err) && !(err instanceof ConflictError)) throw err;
    }
    w.done = true;
    return 0;
  }

  /** Gone from the store while possibly running (force delete): stop (2 s), tear down, forget. */
  private async syncRemoved(w: Worker): Promise<number> {
    const observed = await observePod(this.deps.runtime, w.uid);
    const pod = this.podToSync(w);
    this.probes?.removePod(w.uid);
    const plan = computePodActions({ pod, observed, backoff: w.state.backoff, now: this.clock.now() });
    if (plan.killPod) await this.runPlan(w, pod, observed, plan);
    await teardownPod(this.deps, w.uid);
    w.done = true;
    return 0;
  }
}
