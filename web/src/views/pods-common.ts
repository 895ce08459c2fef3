// What the pods list, the create form and the node view share: the Pod's shape as the page reads it, the
// kubectl-like summary of a pod (ready, restarts, reason, age), and the namespace the user chose last.
import { useEffect, useState } from 'preact/hooks';
import { listWatch, type ApiError, type KubeObject } from '../api.js';
import { humanDuration } from '../../../src/cli/printers/age.js';

interface ContainerStateK {
  waiting?: { reason?: string; message?: string };
  running?: { startedAt?: string };
  terminated?: { reason?: string; exitCode?: number; signal?: number };
}

export interface ContainerStatusK {
  name: string;
  ready?: boolean;
  restartCount?: number;
  started?: boolean;
  state?: ContainerStateK;
}

export interface Pod extends KubeObject {
  metadata: KubeObject['metadata'] & { deletionTimestamp?: string };
  spec?: { nodeName?: string; containers?: { name: string }[]; initContainers?: { name: string }[] };
  status?: {
    phase?: string;
    reason?: string;
    podIP?: string;
    containerStatuses?: ContainerStatusK[];
    initContainerStatuses?: ContainerStatusK[];
  };
}

export const podKey = (p: KubeObject) => `${p.metadata.namespace ?? ''}/${p.metadata.name}`;

/** Namespace, then name (plain code-unit order, as kubectl sorts). */
export function byNamespaceThenName(a: KubeObject, b: KubeObject): number {
  const an = a.metadata.namespace ?? '';
  const bn = b.metadata.namespace ?? '';
  if (an !== bn) return an < bn ? -1 : 1;
  return a.metadata.name < b.metadata.name ? -1 : a.metadata.name > b.metadata.name ? 1 : 0;
}

/** "ready/total" of the pod's app containers. */
export function readyOf(p: Pod): string {
  const total = p.spec?.containers?.length ?? p.status?.containerStatuses?.length ?? 0;
  const ready = (p.status?.containerStatuses ?? []).filter((c) => c.ready).length;
  return `${ready}/${total}`;
}

/** Restarts of all the pod's containers, init containers included (as kubectl counts them). */
export function restartsOf(p: Pod): number {
  let n = 0;
  for (const c of p.status?.containerStatuses ?? []) n += c.restartCount ?? 0;
  for (const c of p.status?.initContainerStatuses ?? []) n += c.restartCount ?? 0;
  return n;
}

function terminatedReason(t: NonNullable<ContainerStateK['terminated']>): string {
  if (t.reason) return t.reason;
  if (t.signal) return `Signal:${t.signal}`;
  return `ExitCode:${t.exitCode ?? 0}`;
}

/**
 * The STATUS column of `kubectl get pods`: the phase unless something more telling applies (an init
 * container's progress or failure, a container waiting as ContainerCreating or CrashLoopBackOff, one that
 * ended, Terminating while being deleted).
 */
export function reasonOf(p: Pod): string {
  const st = p.status ?? {};
  let reason = st.reason || st.phase || 'Unknown';
  let initializing = false;
  const inits = st.initContainerStatuses ?? [];
  const initTotal = p.spec?.initContainers?.length ?? inits.length;
  for (let i = 0; i < inits.length; i++) {
    const c = inits[i]!;
    const t = c.state?.terminated;
    if (t && t.exitCode === 0) continue;
    if (c.started && c.state?.running) continue; // a sidecar (restartable init container) that runs
    initializing = true;
    if (t) reason = `Init:${terminatedReason(t)}`;
    else if (c.state?.waiting?.reason && c.state.waiting.reason !== 'PodInitializing') reason = `Init:${c.state.waiting.reason}`;
    else reason = `Init:${i}/${initTotal}`;
    break;
  }
  if (!initializing) {
    let running = false;
    const cs = st.containerStatuses ?? [];
    for (let i = cs.length - 1; i >= 0; i--) {
      const c = cs[i]!;
      if (c.state?.waiting?.reason) reason = c.state.waiting.reason;
      else if (c.state?.terminated) reason = terminatedReason(c.state.terminated);
      else if (c.ready && c.state?.running) running = true;
    }
    if (reason === 'Completed' && running) reason = 'Running';
  }
  if (p.metadata.deletionTimestamp) reason = 'Terminating';
  return reason;
}

/** A pod that no longer holds node resources. */
export const isTerminated = (p: Pod) => p.status?.phase === 'Succeeded' || p.status?.phase === 'Failed';

/** kubectl's AGE column (the CLI's own rule, shared): 45s, 3m20s, 17m, 5h12m, 20h, 3d4h, 40d, 2y30d. */
export function age(since: string | undefined, now: number): string {
  if (!since) return '';
  const t = Date.parse(since);
  return Number.isNaN(t) ? '' : humanDuration(now - t);
}

const NS_KEY = 'peapod.namespace';

/** The namespace chosen last in the pods list ("" = all), kept for this tab's session. */
export function chosenNamespace(): string {
  return sessionStorage.getItem(NS_KEY) ?? '';
}

export function chooseNamespace(ns: string): void {
  sessionStorage.setItem(NS_KEY, ns);
}

/** The names of the namespaces, live; a user who may not list them gets an empty list (and the error). */
export function useNamespaces(): { names: string[]; error: ApiError | undefined } {
  const [names, setNames] = useState<string[]>([]);
  const [error, setError] = useState<ApiError>();
  useEffect(
    () =>
      listWatch<KubeObject>(
        '/api/v1/namespaces',
        (items) => {
          setError(undefined);
          setNames(items.map((n) => n.metadata.name).sort());
        },
        setError,
      ),
    [],
  );
  return { names, error };
}

/** A ticking clock (ms), for ages; one timer per view. */
export function useNow(periodMs = 1000): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), periodMs);
    return () => clearInterval(t);
  }, [periodMs]);
  return now;
}
