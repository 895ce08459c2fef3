// computePodActions: desired (the Pod) vs observed (runtime records) → a plain plan. Pure.
// Mirrors the kubelet's kuberuntime computePodActions (pod-lifecycle.md §4, §6, §9).
//
// Decision order:
//   1. deletionTimestamp set, the stored phase is terminal, or activeDeadlineSeconds ran out → kill
//      whatever is alive, start nothing.
//   2. No ready sandbox (or more than one) → kill the pod, create a sandbox, start the first init
//      container (or all regular ones) — unless RP Never and containers already ran, or RP OnFailure
//      and every regular container succeeded (then only kill).
//   3. Init containers (planInit, the kubelet's computeInitContainerActions): until the pod is
//      initialized, start the next init container once the one before exited 0 — or, for a sidecar
//      (restartPolicy Always), once it is started (running, startup probe passed); a failed init is
//      restarted, except under RP Never where the pod is killed and goes Failed. Sidecars are restarted
//      whenever they exit, whatever RP is, and killed and restarted on a liveness or startup failure.
//      Regular containers are not looked at until the pod is initialized.
//   4. Regular containers: start per §6; kill and restart a running one whose definition changed.
//      A running container whose liveness or startup probe failed is killed too ("Container c failed
//      liveness probe, will be restarted") and started again in the same pass unless RP is Never, with
//      crash-loop back-off judged by its newest exited instance (the kubelet's doBackOff).
//   5. No regular container running or to start → kill the pod (stops the sandbox of a finished pod,
//      and the sidecars of a job-like pod: they never keep a pod alive).

import type { Container, Pod } from '../k8s/types.js';
import type { ContainerStatus as Rec } from '../runtime/runtime.js';
import { backoffBlocked, crashLoopKey, type BackoffState } from './backoff.js';
import type { KillCause } from './kill.js';
import { NO_PROBES, type ProbeView } from './probes/manager.js';
import {
  ANNOTATION_HASH,
  containerHash,
  kindOf,
  newestRecord,
  nextAttempt,
  pastDeadline,
  restartPolicyOf,
  type ContainerKind,
  type ObservedPod,
} from './spec.js';

export interface ContainerStart {
  name: string;
  kind: ContainerKind;
  container: Container;
  /** Restart count of the new instance. */
  attempt: number;
  /** Crash-loop key; advanced by sync when a restart after an exit goes ahead. */
  backoffKey: string;
  /** True when a previous instance exited (the start is a restart and back-off applies). */
  isRestart: boolean;
  /** finishedAt of that previous instance (the back-off reference point). */
  lastFinishedAt?: number;
  /** Set when crash-loop back-off blocks this start until `until` (unix ms). */
  blockedUntil?: { until: number; delayMs: number };
  /** A created/unknown instance to kill before starting, so that two copies never run. */
  killFirst?: { id: string; state: string };
}

export type KillReason = 'deleted' | 'terminal' | 'deadline' | 'sandbox-changed' | 'init-failed' | 'completed' | 'definition-changed' | 'unknown-state' | 'probe-failed';

export interface ContainerKill {
  id: string;
  name: string;
  reason: KillReason;
  /** The Killing event message. */
  message: string;
  /** liveness/startup: the probe's own grace applies. */
  cause?: KillCause;
  running: boolean;
}

export interface KillPod {
  reason: KillReason;
  /** Alive containers (running, created or unknown) to stop; message and cause when a probe killed one. */
  containers: { id: string; name: string; running: boolean; message?: string; cause?: KillCause }[];
  /** Ready sandboxes to stop. */
  sandboxIds: string[];
}

export interface CreateSandbox {
  attempt: number;
  /** True when a previous sandbox existed (SandboxChanged): init records are purged and inits re-run. */
  changed: boolean;
}

export interface PodActions {
  killPod?: KillPod;
  createSandbox?: CreateSandbox;
  /**
   * Ephemeral containers not started yet (each runs once, never restarted), started before the others
   * so that a debugger gets in even while init containers hold the pod back.
   */
  ephemeralContainersToStart: ContainerStart[];
  /** Init containers to start, in spec order: the next init container, and sidecars to (re)start. */
  initContainersToStart: ContainerStart[];
  containersToStart: ContainerStart[];
  containersToKill: ContainerKill[];
}

export interface ActionsInput {
  pod: Pod;
  observed: ObservedPod;
  backoff: BackoffState;
  now: number;
  /** Probe results (default: no probes). */
  probes?: ProbeView;
  /** The crash-loop back-off ceiling (default the kubelet's 300 s). */
  backoffMaxMs?: number;
}

const alive = (r: Rec) => r.state === 'running' || r.state === 'created' || r.state === 'unknown';

function killPodOf(obs: ObservedPod, reason: KillReason): KillPod | undefined {
  const containers: KillPod['containers'] = [];
  for (const [name, recs] of obs.containers) for (const r of recs) if (alive(r)) containers.push({ id: r.id, name, running: r.state === 'running' });
  const sandboxIds = obs.sandboxes.filter((s) => s.state === 'ready').map((s) => s.id);
  return containers.length || sandboxIds.length ? { reason, containers, sandboxIds } : undefined;
}

function planStart(input: ActionsInput, c: Container, init: boolean, lastRecord?: Rec): ContainerStart {
  const { pod, observed, backoff, now } = input;
  const last = lastRecord ?? newestRecord(observed, c.name);
  const m = pod.metadata;
  const backoffKey = crashLoopKey(m.name ?? '', m.namespace ?? '', m.uid ?? '', c.name, containerHash(c));
  const start: ContainerStart = {
    name: c.name,
    kind: kindOf(c, init),
    container: c,
    attempt: nextAttempt(observed, c.name),
    backoffKey,
    isRestart: last?.state === 'exited',
  };
  if (last?.state === 'exited') start.lastFinishedAt = last.finishedAt;
  if (last && (last.state === 'created' || last.state === 'unknown')) start.killFirst = { id: last.id, state: last.state };
  if (last?.state === 'exited') {
    const blocked = backoffBlocked(backoff.get(backoffKey), last.finishedAt, now, input.backoffMaxMs);
    if (blocked) start.blockedUntil = blocked;
  }
  return start;
}

/** §6: whether a regular container (or a sidecar, which restarts whatever RP is) that is not running should be (re)started. */
export function shouldStart(pod: Pod, last: Rec | undefined, sidecar = false): boolean {
  if (pod.metadata.deletionTimestamp) return false;
  if (!last) return true;
  if (last.state === 'running') return false;
  if (last.state === 'created' || last.state === 'unknown' || sidecar) return true;
  const rp = restartPolicyOf(pod);
  if (rp === 'Never') return false;
  if (rp === 'OnFailure' && last.exitCode === 0) return false;
  return true;
}

const isSidecar = (c: Container) => c.restartPolicy === 'Always';

interface InitPlan {
  /** Every regular container's predecessors are done: regular containers may be planned. */
  initialized: boolean;
  starts: ContainerStart[];
  kills: ContainerKill[];
  /** An init container failed under RP Never: the pod is done. */
  killPod?: KillPod;
}

/**
 * Step 3 of the header. Walks the init containers from the last to the first (the newest records are
 * what is left after garbage collection); `previous` is whether everything before the current one is
 * done, which only the walk from the end can tell.
 */
function planInit(input: ActionsInput): InitPlan {
  const { pod, observed } = input;
  const inits = pod.spec.initContainers ?? [];
  const probes = input.probes ?? NO_PROBES;
  const plan: InitPlan = { initialized: inits.length === 0, starts: [], kills: [] };
  if (inits.length === 0) return plan;
  let initialized = pod.spec.containers.some((c) => {
    const st = newestRecord(observed, c.name)?.state;
    return st === 'running' || st === 'created';
  });
  let previous = initialized;
  const toStart = new Set<number>();
  const kill = (r: Rec, c: Container, message: string, cause?: KillCause) =>
    plan.kills.push({ id: r.id, name: c.name, reason: cause ? 'probe-failed' : 'unknown-state', message, running: r.state === 'running', ...(cause ? { cause } : {}) });
  for (let i = inits.length - 1; i >= 0; i--) {
    const c = inits[i];
    const sidecar = isSidecar(c);
    const r = newestRecord(observed, c.name);
    if (!r) {
      if (previous && sidecar) toStart.add(i);
      continue;
    }
    if (previous && !sidecar) continue;
    if (r.state === 'created') toStart.add(i);
    else if (r.state === 'running' && sidecar) {
      const failed = probes.failed(r.id);
      if (!probes.started(r.id, c)) {
        if (failed === 'Startup') {
          kill(r, c, `Init container ${c.name} failed startup probe`, 'startup');
          toStart.add(i);
        }
      } else {
        if (i === inits.length - 1) initialized = true;
        else if (!previous) toStart.add(i + 1);
        const hash = r.annotations[ANNOTATION_HASH];
        if (hash && hash !== containerHash(c)) {
          plan.kills.push({ id: r.id, name: c.name, reason: 'definition-changed', message: `Init container ${c.name} definition changed`, running: true });
          toStart.add(i);
        } else if (failed === 'Liveness') {
          kill(r, c, `Init container ${c.name} failed liveness probe`, 'liveness');
          toStart.add(i);
        }
      }
    } else if (r.state === 'exited') {
      if (sidecar) toStart.add(i);
      else if (r.exitCode !== 0) {
        if (restartPolicyOf(pod) === 'Never') return { ...plan, killPod: killPodOf(observed, 'init-failed') };
        toStart.add(i);
      } else if (i === inits.length - 1) initialized = true;
      else toStart.add(i + 1);
    } else if (r.state === 'unknown') {
      if (!sidecar && restartPolicyOf(pod) === 'Never') return { ...plan, killPod: killPodOf(observed, 'init-failed') };
      toStart.add(i); // planStart kills the unknown instance first
    }
    previous = true;
  }
  if (!previous) toStart.add(0);
  plan.initialized = initialized;
  for (const i of [...toStart].sort((a, b) => a - b)) {
    const c = inits[i];
    const killed = plan.kills.find((k) => k.name === c.name);
    if (killed) {
      // Restarted in this pass after its kill: back-off is judged by its newest exited instance.
      const exited = observed.containers.get(c.name)?.find((x) => x.state === 'exited');
      const start = planStart(input, c, true, exited);
      plan.starts.push(exited ? { ...start, attempt: nextAttempt(observed, c.name) } : { ...start, attempt: nextAttempt(observed, c.name), isRestart: false });
    } else plan.starts.push(planStart(input, c, true));
  }
  return plan;
}

const succeeded = (obs: ObservedPod, c: Container) => {
  const r = newestRecord(obs, c.name);
  return r?.state === 'exited' && r.exitCode === 0;
};

function planSandbox(input: ActionsInput, actions: PodActions): PodActions | undefined {
  const { pod, observed } = input;
  const ready = observed.sandboxes.filter((s) => s.state === 'ready');
  const newest = observed.sandboxes[0];
  if (ready.length === 1 && newest?.state === 'ready') return undefined;
  const attempt = newest ? newest.metadata.attempt + 1 : 0;
  const changed = !!newest;
  const kill = killPodOf(observed, 'sandbox-changed');
  const rp = restartPolicyOf(pod);
  const anyRecord = [...observed.containers.values()].some((l) => l.length > 0);
  if (rp === 'Never' && attempt !== 0 && anyRecord) return { ...actions, killPod: kill };
  const regular = pod.spec.containers.filter((c) => !(rp === 'OnFailure' && succeeded(observed, c)));
  // As the kubelet (with sidecars): nothing left to start means every regular container ran, so the pod
  // was initialized; a new sandbox would only re-run its init containers.
  if (regular.length === 0) return { ...actions, killPod: kill };
  const plan: PodActions = { ...actions, killPod: kill, createSandbox: { attempt, changed } };
  // After a sandbox change every init record is purged, so the planner starts from the first init.
  const fresh: ObservedPod = changed ? withoutInitRecords(pod, observed) : observed;
  const freshInput = { ...input, observed: fresh };
  const inits = pod.spec.initContainers ?? [];
  if (inits.length) plan.initContainersToStart = [planStart(freshInput, inits[0], true)];
  else plan.containersToStart = regular.map((c) => planStart(freshInput, c, false));
  return plan;
}

function withoutInitRecords(pod: Pod, obs: ObservedPod): ObservedPod {
  const containers = new Map(obs.containers);
  for (const c of pod.spec.initContainers ?? []) containers.delete(c.name);
  return { ...obs, containers };
}

export function computePodActions(input: ActionsInput): PodActions {
  const { pod, observed } = input;
  const empty: PodActions = { ephemeralContainersToStart: [], initContainersToStart: [], containersToStart: [], containersToKill: [] };
  if (pod.metadata.deletionTimestamp) return { ...empty, killPod: killPodOf(observed, 'deleted') };
  const phase = pod.status?.phase;
  if (phase === 'Succeeded' || phase === 'Failed') return { ...empty, killPod: killPodOf(observed, 'terminal') };
  if (pastDeadline(pod, input.now)) return { ...empty, killPod: killPodOf(observed, 'deadline') };

  const sandboxPlan = planSandbox(input, empty);
  if (sandboxPlan) return sandboxPlan;

  const init = planInit(input);
  if (init.killPod) return { ...empty, killPod: init.killPod };
  const ephemeralContainersToStart = planEphemeral(input);
  if (!init.initialized) return { ...empty, ephemeralContainersToStart, initContainersToStart: init.starts, containersToKill: init.kills };

  const plan: PodActions = { ...empty, ephemeralContainersToStart, initContainersToStart: init.starts, containersToStart: [], containersToKill: [...init.kills] };
  let keep = 0;
  for (const c of pod.spec.containers) {
    const last = newestRecord(observed, c.name);
    if (last?.state !== 'running') {
      if (shouldStart(pod, last)) plan.containersToStart.push(planStart(input, c, false));
      continue;
    }
    const hash = last.annotations[ANNOTATION_HASH];
    if (hash && hash !== containerHash(c)) {
      const message = `Container ${c.name} definition changed, will be restarted`;
      plan.containersToKill.push({ id: last.id, name: c.name, reason: 'definition-changed', message, running: true });
      plan.containersToStart.push({ ...planStart(input, c, false), isRestart: false });
      continue;
    }
    const failed = (input.probes ?? NO_PROBES).failed(last.id);
    if (failed) {
      const restart = restartPolicyOf(pod) !== 'Never';
      const message = `Container ${c.name} failed ${failed.toLowerCase()} probe${restart ? ', will be restarted' : ''}`;
      const cause: KillCause = failed === 'Liveness' ? 'liveness' : 'startup';
      plan.containersToKill.push({ id: last.id, name: c.name, reason: 'probe-failed', message, cause, running: true });
      if (restart) {
        const exited = observed.containers.get(c.name)?.find((r) => r.state === 'exited');
        const start = planStart(input, c, false, exited);
        plan.containersToStart.push(exited ? { ...start, attempt: nextAttempt(observed, c.name) } : { ...start, isRestart: false });
      }
      continue;
    }
    keep++;
  }
  if (keep === 0 && plan.containersToStart.length === 0) {
    // Nothing left to run: kill the pod, keeping the Killing message of a container a probe failed.
    const kill = killPodOf(observed, 'completed');
    for (const k of plan.containersToKill) {
      const c = kill?.containers.find((x) => x.id === k.id);
      if (c) Object.assign(c, { message: k.message, ...(k.cause ? { cause: k.cause } : {}) });
    }
    plan.killPod = kill;
    plan.containersToKill = [];
    plan.initContainersToStart = [];
    plan.ephemeralContainersToStart = [];
  }
  return plan;
}

/** Ephemeral containers with no instance yet: the kubelet starts each once and never again. */
function planEphemeral(input: ActionsInput): ContainerStart[] {
  return (input.pod.spec.ephemeralContainers ?? [])
    .filter((c) => !(input.observed.containers.get(c.name) ?? []).length)
    .map((c) => ({ ...planStart(input, c, false), kind: 'ephemeral' as const }));
}
