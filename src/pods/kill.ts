// The one way a container is stopped (style.md §9): every kill — deletion, a liveness or startup
// failure, a changed definition, a failed postStart, a finished pod, a sandbox being replaced — goes
// through killContainer, as in the kubelet's killContainer:
//
//   1. Killing event with the reason's message;
//   2. the grace: the deletion's grace if the pod is being deleted, else the failing probe's own
//      terminationGracePeriodSeconds (liveness/startup kills), else the pod's (default 30);
//   3. the preStop hook, if the container has one, is running, and the grace is above 0: it may use the
//      whole grace, and its time is subtracted (FailedPreStopHook on failure; the kill goes on); the
//      container exiting on its own meanwhile ends the wait;
//   4. its turn, when the pod has sidecars: a sidecar is stopped only after every regular container and
//      every later sidecar has exited (reverse order); the wait counts against the grace too;
//   5. the stop signal with what is left, never under 2 s, then SIGKILL (the runtime's stopContainer).
//
// `signal` (a newer delete with a shorter grace) abandons the waits; the runtime's stop goes on in the
// background and the caller's next pass kills again with the newer grace.

import type { Container, Pod } from '../k8s/types.js';
import type { ContainerRuntime } from '../runtime/runtime.js';
import type { Clock } from '../system/clock.js';
import type { HookRunner } from './hooks.js';

export const MIN_GRACE_SECONDS = 2;
export const DEFAULT_GRACE_SECONDS = 30;

export type KillCause = 'liveness' | 'startup' | 'other';

export interface KillTarget {
  id: string;
  name: string;
  /** The container's spec (undefined when it is no longer in the pod): preStop and probe grace. */
  container?: Container;
  /** Only a running container gets its preStop hook. */
  running: boolean;
}

export interface KillDeps {
  runtime: Pick<ContainerRuntime, 'stopContainer' | 'onContainerEvent'>;
  hooks: HookRunner;
  clock: Clock;
  event: (type: 'Normal' | 'Warning', reason: string, message: string, container: string) => void;
}

export interface KillOptions {
  /** The Killing event's message. */
  message: string;
  cause?: KillCause;
  podIP: string;
  signal?: AbortSignal;
  /** Step 4: settles when the containers this one waits for have exited. */
  turn?: Promise<unknown>;
}

/** Step 2 of the header: the grace before the 2 s floor (0 for a forced delete). */
export function killGraceSeconds(pod: Pod, container?: Container, cause: KillCause = 'other'): number {
  if (pod.metadata.deletionGracePeriodSeconds !== undefined && pod.metadata.deletionGracePeriodSeconds !== null) {
    return pod.metadata.deletionGracePeriodSeconds;
  }
  const probe = cause === 'liveness' ? container?.livenessProbe : cause === 'startup' ? container?.startupProbe : undefined;
  if (probe?.terminationGracePeriodSeconds) return probe.terminationGracePeriodSeconds;
  return pod.spec.terminationGracePeriodSeconds ?? DEFAULT_GRACE_SECONDS;
}

/** The stop timeout of a kill with no preStop: the grace, at least 2 s. */
export function stopTimeoutSeconds(pod: Pod, container?: Container, cause?: KillCause): number {
  return Math.max(MIN_GRACE_SECONDS, killGraceSeconds(pod, container, cause));
}

/** Resolves when `p` settles (its value) or `signal` fires (undefined); p's rejection propagates. */
export function unlessSignalled<T>(p: Promise<T>, signal: AbortSignal | undefined): Promise<{ value: T } | undefined> {
  if (!signal) return p.then((value) => ({ value }));
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      p.catch(() => undefined);
      resolve(undefined);
    };
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    p.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve({ value });
      },
      (err: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(err);
      },
    );
  });
}

/**
 * Kills one container (see the header). Resolves 'stopped' once it has exited, 'interrupted' when
 * `signal` ended the wait first; rejects when the runtime could not stop it.
 */
export async function killContainer(deps: KillDeps, pod: Pod, target: KillTarget, opts: KillOptions): Promise<'stopped' | 'interrupted'> {
  deps.event('Normal', 'Killing', opts.message, target.name);
  let grace = killGraceSeconds(pod, target.container, opts.cause);
  const began = deps.clock.now();
  const preStop = target.container?.lifecycle?.preStop;
  if (preStop && target.running && grace > 0) {
    // A container that exits meanwhile ends the wait (a sleep hook is interrupted, as on the kubelet).
    const exited = new AbortController();
    const off = deps.runtime.onContainerEvent((ev) => ev.type === 'exited' && ev.containerId === target.id && exited.abort());
    const signal = opts.signal ? AbortSignal.any([opts.signal, exited.signal]) : exited.signal;
    try {
      const outcome = await within(deps.clock, grace, signal, (budget) =>
        deps.hooks.run(preStop, { pod, container: target.container!, containerId: target.id, podIP: opts.podIP }, { signal: budget, timeoutMs: grace * 1000 }),
      );
      if (opts.signal?.aborted) return 'interrupted';
      if (outcome && !outcome.value.ok && !exited.signal.aborted) deps.event('Warning', 'FailedPreStopHook', 'PreStopHook failed', target.name);
      if (outcome?.value.ok && outcome.value.fallback) deps.event('Warning', 'LifecycleHTTPFallback', outcome.value.fallback, target.name);
    } finally {
      off();
    }
  }
  if (opts.turn) {
    const left = grace - Math.floor((deps.clock.now() - began) / 1000);
    if (left > 0) await within(deps.clock, left, opts.signal, () => opts.turn!);
    if (opts.signal?.aborted) return 'interrupted';
  }
  grace -= Math.floor((deps.clock.now() - began) / 1000);
  const stopped = await unlessSignalled(deps.runtime.stopContainer(target.id, Math.max(MIN_GRACE_SECONDS, grace)), opts.signal);
  return stopped ? 'stopped' : 'interrupted';
}

/** Runs `work` for at most `seconds` (or until `signal`): its value, or undefined when cut off. */
async function within<T>(clock: Clock, seconds: number, signal: AbortSignal | undefined, work: (budget: AbortSignal) => Promise<T>): Promise<{ value: T } | undefined> {
  const budget = new AbortController();
  const onAbort = () => budget.abort();
  signal?.addEventListener('abort', onAbort, { once: true });
  if (signal?.aborted) budget.abort();
  const cancel = clock.setTimer(seconds * 1000, () => budget.abort());
  try {
    return await unlessSignalled(work(budget.signal), budget.signal);
  } finally {
    cancel();
    signal?.removeEventListener('abort', onAbort);
  }
}
