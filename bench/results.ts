// What the bench measured, per scenario and side, and how it turns into tables (peapod, podman, ratio
// podman / peapod) and target verdicts. Pure: the scenario runners fill BenchResults, this renders it.

import { formatRatio, formatValue } from './format.js';
import type { LatencySummary } from './stats.js';

export interface Sides<T> {
  peapod?: T;
  podman?: T;
}

export interface DensityFigures {
  pods: number;
  /** From the first create to the moment every pod was seen Running. */
  allRunningMs: number;
  /** The daemon's own RSS (peapod only: podman has no daemon). */
  daemonRssMB?: number;
  /** Sum over the pods' host processes (pause, conmon monitors, containers) divided by the pod count. */
  perPodPssMB: number;
  perPodRssMB: number;
  /** The pods' cgroups' memory usage (rss + cache, v1 memory.stat), divided by the pod count. */
  perPodCgroupMB?: number;
}

export interface ApiFigures {
  pods: number;
  list: { rps: number; p99Ms: number };
  get: { rps: number; p99Ms: number };
}

export interface BenchResults {
  start1: Sides<LatencySummary>;
  startInit: Sides<LatencySummary>;
  /** Pods per second through create → Running → delete → gone. */
  churnSequential: Sides<number>;
  churnBatch: Sides<number>;
  density: Sides<DensityFigures>;
  api?: ApiFigures;
}

export interface Row {
  metric: string;
  unit: string;
  peapod?: number;
  podman?: number;
}

export interface ScenarioTable {
  id: string;
  title: string;
  rows: Row[];
}

export function emptyResults(): BenchResults {
  return { start1: {}, startInit: {}, churnSequential: {}, churnBatch: {}, density: {} };
}

/** podman / peapod; undefined unless both are finite and peapod's is not zero. */
export function ratio(row: Row): number | undefined {
  const { peapod, podman } = row;
  if (peapod === undefined || podman === undefined || !Number.isFinite(peapod) || !Number.isFinite(podman) || peapod === 0) return undefined;
  return podman / peapod;
}

export const TABLE_HEADER = ['metric', 'peapod', 'podman', 'podman / peapod'];

export function tableCells(rows: Row[]): string[][] {
  // Counts (unitless rows) get no ratio: they describe the run, not a result.
  return rows.map((r) => [r.metric, formatValue(r.peapod, r.unit), formatValue(r.podman, r.unit), r.unit ? formatRatio(ratio(r)) : '']);
}

function latencyRows(s: Sides<LatencySummary>): Row[] {
  const pick = (k: keyof LatencySummary) => ({ peapod: s.peapod?.[k], podman: s.podman?.[k] });
  return [
    { metric: 'pods', unit: '', ...pick('n') },
    { metric: 'p50', unit: 'ms', ...pick('p50') },
    { metric: 'p90', unit: 'ms', ...pick('p90') },
    { metric: 'p99', unit: 'ms', ...pick('p99') },
    { metric: 'max', unit: 'ms', ...pick('max') },
  ];
}

function densityRows(d: Sides<DensityFigures>): Row[] {
  const pick = (k: keyof DensityFigures) => ({ peapod: d.peapod?.[k], podman: d.podman?.[k] });
  return [
    { metric: 'pods', unit: '', ...pick('pods') },
    { metric: 'all Running after', unit: 'ms', ...pick('allRunningMs') },
    { metric: 'daemon RSS', unit: 'MB', ...pick('daemonRssMB') },
    { metric: 'host memory per pod (PSS)', unit: 'MB', ...pick('perPodPssMB') },
    { metric: 'host memory per pod (RSS)', unit: 'MB', ...pick('perPodRssMB') },
    { metric: 'pod cgroup memory per pod', unit: 'MB', ...pick('perPodCgroupMB') },
  ];
}

export function scenarioTables(r: BenchResults): ScenarioTable[] {
  const tables: ScenarioTable[] = [
    { id: 'start-1', title: 'start-1: one-container pod, create → every container running (one after another)', rows: latencyRows(r.start1) },
    { id: 'start-init', title: 'start-init: one init + two app containers sharing an emptyDir', rows: latencyRows(r.startInit) },
    {
      id: 'churn',
      title: 'churn: create → Running → delete → gone',
      rows: [
        { metric: 'one at a time', unit: 'pods/s', ...r.churnSequential },
        { metric: '10 at a time', unit: 'pods/s', ...r.churnBatch },
      ],
    },
    { id: 'density', title: 'density: one-container pods running at once', rows: densityRows(r.density) },
  ];
  if (r.api) {
    tables.push({
      id: 'api',
      title: `api: list / get with ${r.api.pods} pods stored (peapod only)`,
      rows: [
        { metric: 'list pods', unit: 'req/s', peapod: r.api.list.rps },
        { metric: 'list pods p99', unit: 'ms', peapod: r.api.list.p99Ms },
        { metric: 'get pod', unit: 'req/s', peapod: r.api.get.rps },
        { metric: 'get pod p99', unit: 'ms', peapod: r.api.get.p99Ms },
      ],
    });
  }
  return tables;
}

export interface TargetResult {
  description: string;
  /** The measured figure, in `unit`. */
  value?: number;
  unit: string;
  status: 'met' | 'missed' | 'not measured';
}

function check(description: string, value: number | undefined, op: '<=' | '>=', limit: number, unit: string): TargetResult {
  if (value === undefined || !Number.isFinite(value)) return { description, unit, status: 'not measured' };
  const ok = op === '<=' ? value <= limit : value >= limit;
  return { description, value, unit, status: ok ? 'met' : 'missed' };
}

/** peapod's advantage: how many times podman's latency (or peapod's rate over podman's). */
const speedup = (slow?: number, fast?: number) => (slow !== undefined && fast !== undefined && fast > 0 ? slow / fast : undefined);

/** The targets, each with the measured figure and whether it holds. Never asserted: reported. */
export function evaluateTargets(r: BenchResults): TargetResult[] {
  return [
    check('start-1 p50 ≤ 150 ms', r.start1.peapod?.p50, '<=', 150, 'ms'),
    check('start-1 p99 ≤ 300 ms', r.start1.peapod?.p99, '<=', 300, 'ms'),
    check('start-1 ≥ 3× faster than podman kube play (p50)', speedup(r.start1.podman?.p50, r.start1.peapod?.p50), '>=', 3, '×'),
    check('start-init p50 ≤ 400 ms', r.startInit.peapod?.p50, '<=', 400, 'ms'),
    check('churn one at a time ≥ 3× podman pods/s', speedup(r.churnSequential.peapod, r.churnSequential.podman), '>=', 3, '×'),
    check('churn 10 at a time ≥ 3× podman pods/s', speedup(r.churnBatch.peapod, r.churnBatch.podman), '>=', 3, '×'),
    check('density: 100 pods Running in ≤ 20 s', r.density.peapod ? r.density.peapod.allRunningMs / 1000 : undefined, '<=', 20, 's'),
    check('density: daemon RSS ≤ 150 MB', r.density.peapod?.daemonRssMB, '<=', 150, 'MB'),
    check('density: host memory per pod ≤ 4 MB (PSS)', r.density.peapod?.perPodPssMB, '<=', 4, 'MB'),
  ];
}

export function targetCells(targets: TargetResult[]): string[][] {
  return targets.map((t) => [t.description, t.unit === '×' ? formatRatio(t.value) : formatValue(t.value, t.unit), t.status]);
}

export const TARGET_HEADER = ['target', 'measured', 'verdict'];
