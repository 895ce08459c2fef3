// The phase-by-phase profile of one pod start, from outside the daemon: the client's clock around the
// create call and the watch event that showed every container running, and the daemon's debug log lines
// that carry durations ("sandbox created" with msSinceStart per step and totalMs, "container created"
// with rootfsMs and totalMs; pino lines, `time` in epoch ms). Pods are started one after another, so the
// log lines inside a pod's window belong to it. Pure.

import { percentile } from './stats.js';

export interface StartTimeline {
  name: string;
  /** Epoch ms: create request sent, answered, and the watch event showing every container running. */
  sentAt: number;
  answeredAt: number;
  runningAt: number;
  containerIds: string[];
}

export interface LogLine {
  time: number;
  msg: string;
  [k: string]: unknown;
}

export interface Phase {
  name: string;
  /** Median over the profiled pods, ms. */
  p50Ms: number;
}

export interface Profile {
  pods: number;
  /** Median create → running, ms. */
  totalP50Ms: number;
  phases: Phase[];
  /** Where the figures come from. */
  source: string;
  /** One sentence: what dominates. */
  summary: string;
}

export function parseLogLines(text: string): LogLine[] {
  const out: LogLine[] = [];
  for (const line of text.split('\n')) {
    if (!line.startsWith('{')) continue;
    try {
      const o = JSON.parse(line) as LogLine;
      if (typeof o.time === 'number' && typeof o.msg === 'string') out.push(o);
    } catch {
      /* not a log record */
    }
  }
  return out;
}

const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);

/** Phase durations of one pod, in start order; undefined when its log lines are missing. */
export function podPhases(t: StartTimeline, logs: readonly LogLine[]): Record<string, number> | undefined {
  const inWindow = logs.filter((l) => l.time >= t.sentAt && l.time <= t.runningAt);
  const sb = inWindow.find((l) => l.msg === 'sandbox created');
  const ct = inWindow.find((l) => l.msg === 'container created' && (t.containerIds.length === 0 || t.containerIds.includes(String(l.containerId))));
  const sbTotal = num(sb?.totalMs);
  const ctTotal = num(ct?.totalMs);
  if (!sb || !ct || sbTotal === undefined || ctTotal === undefined) return undefined;
  const steps = (sb.msSinceStart ?? {}) as Record<string, unknown>;
  const prep = Math.max(num(steps.netns) ?? 0, num(steps.cgroup) ?? 0, num(steps.pins) ?? 0);
  const sbStart = sb.time - sbTotal;
  const ctStart = ct.time - ctTotal;
  const rootfs = num(ct.rootfsMs) ?? 0;
  const returned = num(sb.returnedMs);
  if (returned !== undefined) {
    // Issue 15: the sandbox is returned once its namespaces, cgroup and files are made; its infra
    // container and network are made while the app container is, and "sandbox created" is logged when
    // both are done. The phases on the path add up to the start; the other two run beside them
    // (PARALLEL, not in the sum).
    return {
      'API: create call answered (validation, store write)': t.answeredAt - t.sentAt,
      'pod manager: pick-up and sync until the sandbox starts': sbStart - t.answeredAt,
      'sandbox: netns + IPC/UTS pins + pod cgroup + files (parallel)': returned,
      'between sandbox and container: image lookup, container config': ctStart - (sbStart + returned),
      'container: rootfs (overlay mount)': rootfs,
      'container: spec + conmon + runc create': ctTotal - rootfs,
      'container start (once the infra and network are), status write, watch event': t.runningAt - ct.time,
      [`${PARALLEL}infra container (conmon + runc)`]: (num(steps.infra) ?? sbTotal) - returned,
      [`${PARALLEL}CNI attach, /etc/hosts`]: (num(steps.attach) ?? returned) - returned,
    };
  }
  return {
    'API: create call answered (validation, store write)': t.answeredAt - t.sentAt,
    'pod manager: pick-up and sync until the sandbox starts': sbStart - t.answeredAt,
    'sandbox: netns + pod cgroup (parallel)': prep,
    'sandbox: infra container (conmon + runc) ‖ CNI attach': sbTotal - prep,
    'between sandbox and container: image lookup, container config': ctStart - sb.time,
    'container: rootfs (overlay mount)': rootfs,
    'container: spec + conmon + runc create': ctTotal - rootfs,
    'container start, status write, watch event': t.runningAt - ct.time,
  };
}

/** Names of phases that run beside the others (not on the path, not in the sum) start with this. */
export const PARALLEL = '‖ in parallel: ';

export function buildProfile(timelines: readonly StartTimeline[], logs: readonly LogLine[]): Profile | undefined {
  if (timelines.length === 0) return undefined;
  const totals = timelines.map((t) => t.runningAt - t.sentAt);
  const per = timelines.map((t) => podPhases(t, logs)).filter((p): p is Record<string, number> => p !== undefined);
  const totalP50Ms = percentile(totals, 50);
  if (per.length === 0) {
    const api = percentile(timelines.map((t) => t.answeredAt - t.sentAt), 50);
    return {
      pods: timelines.length,
      totalP50Ms,
      phases: [
        { name: 'API: create call answered (validation, store write)', p50Ms: api },
        { name: 'everything after the create call until the watch shows Running', p50Ms: percentile(timelines.map((t) => t.runningAt - t.answeredAt), 50) },
      ],
      source: 'client timestamps only (the daemon log had no duration lines for these pods)',
      summary: `Of a median ${Math.round(totalP50Ms)} ms start, the create call takes ${Math.round(api)} ms; the engine side could not be split further without duration log lines.`,
    };
  }
  const phases = Object.keys(per[0]!).map((name) => ({ name, p50Ms: percentile(per.map((p) => p[name]!), 50) }));
  return {
    pods: per.length,
    totalP50Ms,
    phases,
    source: 'client timestamps around the create call and the watch event, plus the daemon debug log lines "sandbox created" and "container created" (their durations)',
    summary: summarizeProfile(phases, totalP50Ms),
  };
}

/** "Of a median N ms start, X takes the most (M ms, P%), then Y (…)". */
export function summarizeProfile(phases: readonly Phase[], totalMs: number): string {
  const top = phases.filter((p) => !p.name.startsWith(PARALLEL)).sort((a, b) => b.p50Ms - a.p50Ms).slice(0, 3);
  const share = (p: Phase) => `${Math.round(p.p50Ms)} ms, ${Math.round((100 * p.p50Ms) / totalMs)}%`;
  const [first, ...rest] = top;
  if (!first) return '';
  const then = rest.map((p) => `${p.name} (${share(p)})`).join(' and ');
  return `Of a median ${Math.round(totalMs)} ms pod start, "${first.name}" dominates (${share(first)})${then ? `, followed by ${then}` : ''}.`;
}
