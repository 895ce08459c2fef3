// The cells of a `kubectl get pods` row, computed exactly as upstream's printPod
// (pkg/printers/internalversion/printers.go) does; see pod-lifecycle.md §3 "kubectl get pods".

import type { ContainerStatus, Pod } from '../../k8s/types.js';
import { since, Since } from './age.js';

/** The row before the time of a request: the restarts ("2 (5m ago)") and the age read at each request. */
export interface PodRow {
  ready: string;
  status: string;
  restarts: string | Since;
  age: Since;
  ip: string;
  node: string;
  nominatedNode: string;
  readinessGates: string;
  /** Set for terminal pods: the Table row condition kubectl uses to hide completed pods. */
  completed?: { reason: 'Succeeded' | 'Failed'; message: string };
}

/** The row as it reads at one moment. */
export type PodRowCells = Omit<PodRow, 'restarts' | 'age'> & { restarts: string; age: string };

const finishedAt = (c: ContainerStatus): number => {
  const t = c.lastState?.terminated?.finishedAt;
  return t ? Date.parse(t) || 0 : 0;
};

interface InitWalk {
  reason?: string;
  initializing: boolean;
  readySidecars: number;
  restarts: number;
  lastRestart: number;
  sidecarRestarts: number;
  lastSidecarRestart: number;
}

function walkInit(pod: Pod): InitWalk {
  const sidecars = new Set((pod.spec.initContainers ?? []).filter((c) => c.restartPolicy === 'Always').map((c) => c.name));
  const n = pod.spec.initContainers?.length ?? 0;
  const w: InitWalk = { initializing: false, readySidecars: 0, restarts: 0, lastRestart: 0, sidecarRestarts: 0, lastSidecarRestart: 0 };
  const statuses = pod.status?.initContainerStatuses ?? [];
  for (let i = 0; i < statuses.length; i++) {
    const c = statuses[i];
    w.restarts += c.restartCount ?? 0;
    w.lastRestart = Math.max(w.lastRestart, finishedAt(c));
    const sidecar = sidecars.has(c.name);
    if (sidecar) {
      w.sidecarRestarts += c.restartCount ?? 0;
      w.lastSidecarRestart = Math.max(w.lastSidecarRestart, finishedAt(c));
    }
    const term = c.state?.terminated;
    const wait = c.state?.waiting;
    if (term && term.exitCode === 0) continue;
    if (sidecar && c.started) {
      if (c.ready) w.readySidecars++;
      continue;
    }
    if (term) {
      if (term.reason) w.reason = `Init:${term.reason}`;
      else w.reason = term.signal ? `Init:Signal:${term.signal}` : `Init:ExitCode:${term.exitCode}`;
    } else if (wait && wait.reason && wait.reason !== 'PodInitializing') {
      w.reason = `Init:${wait.reason}`;
    } else {
      w.reason = `Init:${i}/${n}`;
    }
    w.initializing = true;
    break;
  }
  return w;
}

function conditionTrue(pod: Pod, type: string): boolean {
  return (pod.status?.conditions ?? []).some((c) => c.type === type && c.status === 'True');
}

/** Computes the row at `now` (unix ms). */
export function podRowCells(pod: Pod, now: number): PodRowCells {
  const row = podRow(pod);
  return { ...row, restarts: typeof row.restarts === 'string' ? row.restarts : row.restarts.render(now), age: row.age.render(now) };
}

/** The row of `pod`, all but the times; a stored pod's is made once (tables/table.ts keeps it). */
export function podRow(pod: Pod): PodRow {
  const status = pod.status ?? {};
  const phase = status.phase ?? '';
  let reason: string = status.reason || phase;
  if ((status.conditions ?? []).some((c) => c.type === 'PodScheduled' && c.reason === 'SchedulingGated')) {
    reason = 'SchedulingGated';
  }
  const sidecarCount = (pod.spec.initContainers ?? []).filter((c) => c.restartPolicy === 'Always').length;
  const total = (pod.spec.containers?.length ?? 0) + sidecarCount;

  const init = walkInit(pod);
  let ready = init.readySidecars;
  let restarts = init.restarts;
  let lastRestart = init.lastRestart;
  if (init.reason) reason = init.reason;

  if (!init.initializing || conditionTrue(pod, 'Initialized')) {
    restarts = init.sidecarRestarts;
    lastRestart = init.lastSidecarRestart;
    let hasRunning = false;
    const cs = status.containerStatuses ?? [];
    for (let i = cs.length - 1; i >= 0; i--) {
      const c = cs[i];
      restarts += c.restartCount ?? 0;
      lastRestart = Math.max(lastRestart, finishedAt(c));
      const wait = c.state?.waiting;
      const term = c.state?.terminated;
      if (wait && wait.reason) reason = wait.reason;
      else if (term && term.reason) reason = term.reason;
      else if (term) reason = term.signal ? `Signal:${term.signal}` : `ExitCode:${term.exitCode}`;
      else if (c.ready && c.state?.running) {
        hasRunning = true;
        ready++;
      }
    }
    if (reason === 'Completed' && hasRunning) reason = conditionTrue(pod, 'Ready') ? 'Running' : 'NotReady';
  }

  if (pod.metadata.deletionTimestamp && status.reason === 'NodeLost') reason = 'Unknown';
  else if (pod.metadata.deletionTimestamp && phase !== 'Succeeded' && phase !== 'Failed') reason = 'Terminating';

  const restartsCell = restarts !== 0 && lastRestart > 0 ? new Since(lastRestart, `${restarts} (`, ' ago)') : String(restarts);

  const row: PodRow = {
    ready: `${ready}/${total}`,
    status: reason,
    restarts: restartsCell,
    age: since(pod.metadata.creationTimestamp),
    ip: status.podIPs?.[0]?.ip || '<none>',
    node: pod.spec.nodeName || '<none>',
    nominatedNode: (status as { nominatedNodeName?: string }).nominatedNodeName || '<none>',
    readinessGates: readinessGates(pod),
  };
  if (phase === 'Succeeded') row.completed = { reason: 'Succeeded', message: 'The pod has completed successfully.' };
  if (phase === 'Failed') row.completed = { reason: 'Failed', message: 'The pod failed.' };
  return row;
}

function readinessGates(pod: Pod): string {
  const gates = pod.spec.readinessGates ?? [];
  if (gates.length === 0) return '<none>';
  let trueCount = 0;
  for (const g of gates) {
    const c = (pod.status?.conditions ?? []).find((x) => x.type === g.conditionType);
    if (c?.status === 'True') trueCount++;
  }
  return `${trueCount}/${gates.length}`;
}
