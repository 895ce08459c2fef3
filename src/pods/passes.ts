// One pass of a pod worker (the kubelet's syncPod, syncTerminatingPod and syncTerminatedPod): what the
// queue (workers.ts) runs each time a pod is kicked, returning when to look again.
//
//   running pod:     observe → computePodActions → PodSync.run → observe again → status (status-manager.ts)
//   deleted pod:     the same passes kill it (with the deletion's grace); once nothing is alive, the final
//                    status, teardown, then store.delete(uid) when no finalizer remains (terminated)
//   removed pod:     gone from the store (force delete): kill with the 2 s minimum, tear down, forget
//
// A pass works on the pod as it was when it began (podToSync: an evicted pod is seen Failed with the
// eviction's grace; a removed one with a force delete's). An update that deletes, removes or evicts the
// pod makes the pass start nothing more (PassControl.aborted); one that shortens the kill grace also
// interrupts its stop waits, so the next pass stops again with the shorter grace.

import type { Pod, PodStatus } from '../k8s/types.js';
import type { ObjectStore } from '../store/store.js';
import type { Clock } from '../system/clock.js';
import type { LoopTurns } from '../system/loop-turns.js';
import { errorMessage, isNotFound, ConflictError } from '../errors.js';
import { computePodActions, type PodActions } from './actions.js';
import { isStaticPod } from '../node/static-pods/manifest.js';
import { stopTimeoutSeconds } from './kill.js';
import { EVICTION_GRACE_SECONDS } from './local-storage.js';
import type { ProbeManager } from './probes/manager.js';
import { deadlineOf, podIPOf, type ObservedPod } from './spec.js';
import type { PodStatusManager } from './status-manager.js';
import { observePod, PodSync, refreshVolumes, teardownPod, type StepResult, type SyncDeps } from './sync.js';
import { deleting, type Worker } from './worker-record.js';

export const RESYNC_PENDING_MS = 1_000;
export const RESYNC_STEADY_MS = 10_000;
/** Retries of failed steps (sandbox, create, mount, config) double from 1 s up to the kubelet's 10 s. */
export const RESYNC_ERROR_MAX_MS = 10_000;

const alive = (obs: ObservedPod) =>
  obs.sandboxes.some((s) => s.state === 'ready') ||
  [...obs.containers.values()].some((l) => l.some((r) => r.state !== 'exited'));

const planIsEmpty = (p: PodActions) =>
  !p.killPod && !p.createSandbox && !p.ephemeralContainersToStart.length && !p.initContainersToStart.length && !p.containersToStart.length && !p.containersToKill.length;

/**
 * An evicted pod as a pass sees it: Failed with reason Evicted (kept from then on, as a terminal phase
 * is), its grace the eviction's unless a delete set a grace of its own.
 */
function evictedPod(pod: Pod, message: string): Pod {
  const status = pod.status?.phase === 'Failed' ? pod.status : { ...pod.status, phase: 'Failed' as const, reason: 'Evicted', message };
  return { ...pod, spec: { ...pod.spec, terminationGracePeriodSeconds: EVICTION_GRACE_SECONDS }, status };
}

export interface PodPassesOptions {
  deps: SyncDeps;
  store: ObjectStore;
  clock: Clock;
  turns: LoopTurns;
  status: PodStatusManager;
  probes?: ProbeManager;
  /** UIDs this manager deletes from the store: their DELETED watch event is expected (workers.ts). */
  finished: Set<string>;
}

export class PodPasses {
  constructor(private readonly o: PodPassesOptions) {}

  /** One pass; returns when the next resync is due (ms from now). */
  async run(w: Worker): Promise<number> {
    if (w.removed) return this.syncRemoved(w);
    const { deps, probes } = this.o;
    const pod = this.podToSync(w);
    let observed = await observePod(deps.runtime, w.uid);
    probes?.syncPod(pod, observed, podIPOf(pod, observed, deps.nodeIP));
    const plan = computePodActions({ pod, observed, backoff: w.state.backoff, now: this.o.clock.now(), probes, backoffMaxMs: deps.backoffMaxMs });
    let results: StepResult[] = [];
    if (!planIsEmpty(plan)) {
      results = await this.runPlan(w, pod, observed, plan);
      observed = await observePod(deps.runtime, w.uid);
      probes?.syncPod(w.pod, observed, podIPOf(w.pod, observed, deps.nodeIP));
    }
    if (!pod.metadata.deletionTimestamp && observed.sandboxes[0]?.state === 'ready') await refreshVolumes(deps, w.pod, w.state);
    // The status and its write (with the watch fan-out) run on a turn of their own (see LoopTurns).
    await this.o.turns.next();
    if (pod.metadata.deletionTimestamp && !alive(observed)) return this.finishDeletion(w, observed);
    await this.o.status.prepare(w, observed);
    const status = this.o.status.statusOf(w, this.podToSync(w), observed);
    const wasRunning = w.pod.status?.phase === 'Running';
    this.o.status.write(w, status);
    if (!wasRunning && status.phase === 'Running' && w.seenAt !== undefined) deps.metrics?.podStarted((this.o.clock.now() - w.seenAt) / 1000);
    await this.releaseVolumes(w, status, observed);
    return this.nextWake(w, results, status);
  }

  /**
   * A finished pod (Succeeded or Failed, nothing left running) keeps its object, records and logs, but
   * not its volumes: the kubelet unmounts a terminated pod's volumes, which gives back the disk of its
   * emptyDirs (an evicted pod's above all) and the memory of its tmpfs ones. Tried again next pass if
   * it fails; deletion tears down whatever is left.
   */
  private async releaseVolumes(w: Worker, status: PodStatus, observed: ObservedPod): Promise<void> {
    if (w.state.volumesReleased || (status.phase !== 'Succeeded' && status.phase !== 'Failed') || alive(observed)) return;
    try {
      await this.o.deps.volumes.tearDownPodVolumes(w.uid);
      w.state.volumesReleased = true;
    } catch (err) {
      this.o.deps.logger.warn({ pod: w.pod.metadata.name, err: errorMessage(err) }, 'could not release the volumes of a finished pod');
    }
  }

  /**
   * The pod a pass works on. An evicted pod is Failed with the eviction's grace (evictedPod). A pod
   * removed from the store was removed without waiting (a force delete, or a delete of a pod already
   * marked without a grace; our own graceful finish is never synced): as the apiserver records a force
   * delete, its grace is 0, whatever grace an earlier delete had set — so its containers get the 2 s minimum.
   */
  podToSync(w: Worker): Pod {
    if (!w.removed) return w.evicted === undefined ? w.pod : evictedPod(w.pod, w.evicted);
    const m = w.pod.metadata;
    const deletionTimestamp = m.deletionTimestamp ?? new Date(this.o.clock.now()).toISOString();
    return { ...w.pod, metadata: { ...m, deletionTimestamp, deletionGracePeriodSeconds: 0 } };
  }

  /** Runs a plan on `pod` (the pod as this pass began), steerable by newer updates (see the header). */
  private async runPlan(w: Worker, pod: Pod, observed: ObservedPod, plan: PodActions): Promise<StepResult[]> {
    const pass = { graceSeconds: stopTimeoutSeconds(pod), deleted: new AbortController(), interrupt: new AbortController() };
    w.pass = pass;
    const control = { aborted: () => deleting(w) || w.evicted !== undefined, deleted: pass.deleted.signal, interrupt: pass.interrupt.signal };
    try {
      return await new PodSync(this.o.deps, pod, observed, w.state, control).run(plan);
    } finally {
      w.pass = undefined;
    }
  }

  /**
   * When to look again: at the end of a back-off (crash loop or pull) or of activeDeadlineSeconds; after a
   * failed step 1 s doubling to 10 s; 1 s while a container is still being created; 10 s when steady.
   * Runtime events wake a worker earlier.
   */
  private nextWake(w: Worker, results: StepResult[], status: PodStatus): number {
    const now = this.o.clock.now();
    const retries = results.filter((r) => r.retryAt !== undefined).map((r) => r.retryAt! - now);
    const deadline = deadlineOf({ ...w.pod, status });
    if (deadline !== undefined && status.phase !== 'Failed' && status.phase !== 'Succeeded') retries.push(deadline - now);
    const failedNow = results.some((r) => !r.ok && r.retryAt === undefined && r.step !== 'GarbageCollect');
    // A failing step is retried after 1, 2, 4, 8, then every 10 s (the kubelet retries failed syncs after
    // ~10 s): never a hot loop of creates, yet a quick first retry.
    w.failedPasses = failedNow ? (w.failedPasses ?? 0) + 1 : 0;
    const quiet = new Set(['CrashLoopBackOff', 'ImagePullBackOff', 'PodInitializing']);
    const statuses = [...(status.initContainerStatuses ?? []), ...(status.containerStatuses ?? []), ...(status.ephemeralContainerStatuses ?? [])];
    const busy = statuses.some((s) => s.state.waiting && !quiet.has(s.state.waiting.reason ?? ''));
    const pending = failedNow
      ? Math.min(RESYNC_ERROR_MAX_MS, RESYNC_PENDING_MS * 2 ** (w.failedPasses - 1))
      : busy
        ? RESYNC_PENDING_MS
        : RESYNC_STEADY_MS;
    return Math.min(...retries.map((ms) => Math.max(0, ms)), pending);
  }

  /**
   * Deleted pod, everything stopped: terminal phase, teardown, then delete with a UID precondition.
   * While metadata.finalizers is non-empty the object stays (terminal, nothing running); the update
   * that clears them syncs again and finishes here.
   */
  private async finishDeletion(w: Worker, observed: ObservedPod): Promise<number> {
    const status = this.o.status.statusOf(w, this.podToSync(w), observed);
    if (status.phase !== 'Succeeded' && status.phase !== 'Failed') {
      const all = status.containerStatuses ?? [];
      const ok = all.length > 0 && all.every((s) => s.state.terminated?.exitCode === 0);
      status.phase = ok ? 'Succeeded' : 'Failed';
    }
    this.o.status.write(w, status);
    if (!w.tornDown) await teardownPod(this.o.deps, w.uid);
    w.tornDown = true;
    const m = w.pod.metadata;
    if (m.finalizers?.length) return RESYNC_STEADY_MS;
    if (isStaticPod(w.pod)) {
      // Its manifest is gone: nothing in the store to remove (the source removes its mirror pod).
      w.done = true;
      return 0;
    }
    await this.o.turns.next();
    this.o.finished.add(w.uid);
    try {
      this.o.store.delete('pods', m.namespace, m.name ?? '', { expectedUid: w.uid });
    } catch (err) {
      this.o.finished.delete(w.uid);
      if (!isNotFound(err) && !(err instanceof ConflictError)) throw err;
    }
    w.done = true;
    return 0;
  }

  /** Gone from the store while possibly running (force delete): stop (2 s), tear down, forget. */
  private async syncRemoved(w: Worker): Promise<number> {
    const observed = await observePod(this.o.deps.runtime, w.uid);
    const pod = this.podToSync(w);
    this.o.probes?.removePod(w.uid);
    const plan = computePodActions({ pod, observed, backoff: w.state.backoff, now: this.o.clock.now() });
    if (plan.killPod) await this.runPlan(w, pod, observed, plan);
    await teardownPod(this.o.deps, w.uid);
    w.done = true;
    return 0;
  }
}
