// What the bench measured, per scenario and side, and how it turns into tables (peapod, podman, ratio
// podman / peapod) and target verdicts. Pure: the scenario runners fill BenchResults, this renders it.

import type { BurstFigures } from './burst-sampler.js';
import type { CpuSplit } from './cpu-split.js';
import { formatRatio, formatValue } from './format.js';
import type { LatencySummary } from './stats.js';
import type { ExecFigures } from './exec.js';
import type { PullFigures } from './pull.js';
import type { WatchersFigures } from './watchers.js';
import type { ApiAuthFigures } from './api-auth.js';
import { DASHBOARD_RENDER_TARGET_MS, type DashboardFigures } from './dashboard.js';
import { CLI_GET_TARGET_MS, cliP50Ratio, type CliFigures } from './cli.js';
import { WARM_WAIT_BUDGET_MS, WARM_WAIT_MS } from './start-warm.js';

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

/** start-loaded: start-1's sequence with `background` sleep pods already running. */
export interface LoadedStartFigures {
  background: number;
  /** From the first background create until every background pod ran. */
  backgroundRunningMs: number;
  /** Then the wait for the host to settle before the first measured start, and whether it did within its budget. */
  settleMs: number;
  quiet: boolean;
  /** The measured starts, as start-1's. */
  starts: LatencySummary;
}

/** The issue's bound on the loaded p99 over the idle (start-1) p99 of the same run. */
export const LOADED_P99_LIMIT = 1.5;

/** start-warm: start-1's sequence on a daemon with a warm pool of sandboxes, each start once one was ready. */
export interface WarmStartFigures {
  /** The daemon's --warm-pool. */
  poolSize: number;
  /** The measured starts, as start-1's. */
  starts: LatencySummary;
  /** Starts during which the pool's claims counter went up: their sandbox came from the pool. */
  claimed: number;
  /** Starts timed although no pool sandbox was ready within the wait. */
  waitTimedOut: number;
  /** Starts that did not claim although the pool showed a ready sandbox just before. */
  readyNotClaimed: number;
  /** The untimed waits for a ready pool sandbox before each start. */
  waits: LatencySummary;
}

export interface ApiFigures {
  pods: number;
  list: { rps: number; p99Ms: number };
  get: { rps: number; p99Ms: number };
}

/** load (peapod only): every field is filled as it is measured, so a run cut short keeps what it got. */
export interface LoadFigures {
  pods: number;
  /** The whole `kubectl apply -f` of all pods; unset when it overran its budget. */
  applyMs?: number;
  /** Pods that existed once the apply ended (or was cut), and that were Running by the end of the budget. */
  created?: number;
  running?: number;
  /** From the apply's start until the watch showed the last pod Running; unset unless all were. */
  allRunningMs?: number;
  /** The whole `kubectl delete -f --wait=false`. */
  deleteMs?: number;
  /** From the delete's start until the watch showed the last pod deleted. */
  allGoneMs?: number;
  /** The API and the daemon's own figures while the pods start, and while they are deleted. */
  start?: BurstFigures;
  stop?: BurstFigures;
  idleRssMB?: number;
  runningRssMB?: number;
  /** Where the host's CPU went from the apply to the last pod Running (cpu-split.ts). */
  startCpu?: CpuSplit;
  /** A few seconds after the last pod was gone. */
  afterDeleteRssMB?: number;
  /** 30 s after the last pod was gone, once the spare heap has gone back. */
  settledRssMB?: number;
  /** What the engine left on the host once every pod was deleted ("netns: …"); empty when clean. */
  leftovers?: string[];
  /** List p99, one request at a time, with only stored pods (bound to another node). */
  storedIdle?: { pods: number; listP99Ms: number; floorP99Ms?: number };
  /** The floors: the reference server answering as many bytes, timed after each list. */
  stored?: { pods: number; listP99Ms: number; tableP99Ms: number; listFloorP99Ms?: number; tableFloorP99Ms?: number };
}

/** probes (peapod only): filled as measured. */
export interface ProbeFigures {
  pods: number;
  execPods: number;
  /** From the first create to every httpGet/tcp pod Ready. */
  readyMs?: number;
  windowS?: number;
  /** Probe attempts in the window (readiness and liveness), and those that did not succeed. */
  attempts?: number;
  failedAttempts?: number;
  /** The daemon's and its spawn helper's CPU over the window, % of one core; and with the same pods unprobed. */
  daemonCpuPct?: number;
  bareDaemonCpuPct?: number;
  /** A do-nothing prober's CPU making the same connections to the unprobed pods (probe-floor.ts), and how many it made. */
  floorProberCpuPct?: number;
  floorConnections?: number;
  /** The daemon process's own share, split into user (its JS) and system (the kernel's TCP work for it). */
  daemonUserPct?: number;
  daemonSystemPct?: number;
  /** Periodic results in the window, how many came more than 1 s after they were due, and the bound on the latest. */
  latenessSamples?: number;
  lateOver1s?: number;
  latenessMaxBoundS?: number;
  /** The host's CPU per probe (less its idle rate): httpGet + tcpSocket, and exec. */
  netCpuMsPerProbe?: number;
  execAttempts?: number;
  execDaemonCpuPct?: number;
  execCpuMsPerProbe?: number;
  idleHostCores?: number;
}

export interface BenchResults {
  start1: Sides<LatencySummary>;
  startInit: Sides<LatencySummary>;
  /** start-1's pod with a fresh claim (default StorageClass) mounted at /data: claim and pod created → running. */
  startPvc: Sides<LatencySummary>;
  /** start-1's sequence with pods already running (issue 15), set against start-1 of the same run. */
  startLoaded: Sides<LoadedStartFigures>;
  /** start-1's sequence with a warm pool of sandboxes (issue 15; peapod only), set against podman's start-1. */
  startWarm: Sides<WarmStartFigures>;
  /** Pods per second through create → Running → delete → gone. */
  churnSequential: Sides<number>;
  churnBatch: Sides<number>;
  density: Sides<DensityFigures>;
  exec: Sides<ExecFigures>;
  /** A 5-layer image from a loopback registry into an empty store, each side over its runs. */
  pull: Sides<PullFigures>;
  api?: ApiFigures;
  load?: LoadFigures;
  probes?: ProbeFigures;
  /** A pod burst under many watch connections (issue 12). */
  watchers?: WatchersFigures;
  /** GET and LIST over each credential and connection kind (issue 12). */
  apiAuth?: ApiAuthFigures;
  /** The dashboard's first render in chromium with 100 pods (issue 16). */
  dashboard?: DashboardFigures;
  /** `peapod get pods` and `peapod version --client` beside kubectl's, each a fresh process, the daemon idle (issue 17). */
  cli?: CliFigures;
}

export interface Row {
  metric: string;
  unit: string;
  peapod?: number;
  podman?: number;
}

/**
 * A row of a table with its own columns (peapod-only tables): a value per column and the issue's target
 * as text. `bound`: the values are upper bounds (a histogram bucket's), shown as "≤ x".
 */
export interface ColumnsRow {
  metric: string;
  unit: string;
  values: (number | undefined)[];
  target?: string;
  bound?: boolean;
}

export interface ScenarioTable {
  id: string;
  title: string;
  /** Comparison rows: peapod, podman, ratio. */
  rows: Row[];
  /** Instead, a table with its own value columns and a target column. */
  columns?: { names: string[]; rows: ColumnsRow[] };
}

export function emptyResults(): BenchResults {
  return { start1: {}, startInit: {}, startPvc: {}, startLoaded: {}, startWarm: {}, churnSequential: {}, churnBatch: {}, density: {}, exec: {}, pull: {} };
}

/** podman / peapod; undefined unless both are finite and peapod's is not zero. */
export function ratio(row: Row): number | undefined {
  const { peapod, podman } = row;
  if (peapod === undefined || podman === undefined || !Number.isFinite(peapod) || !Number.isFinite(podman) || peapod === 0) return undefined;
  return podman / peapod;
}

export const TABLE_HEADER = ['metric', 'peapod', 'podman', 'podman / peapod'];

/** Rows in this unit hold a ratio of each side's own figures: shown as one (two decimals), with no podman / peapod. */
export const OWN_RATIO = '×';

export function tableCells(rows: Row[]): string[][] {
  // Counts (unitless rows) get no ratio: they describe the run, not a result; nor do a side's own ratios.
  return rows.map((r) =>
    r.unit === OWN_RATIO
      ? [r.metric, formatRatio(r.peapod, 2), formatRatio(r.podman, 2), '']
      : [r.metric, formatValue(r.peapod, r.unit), formatValue(r.podman, r.unit), r.unit ? formatRatio(ratio(r)) : ''],
  );
}

/**
 * A side's start-loaded p99 over its start-1 p99 of the same run; undefined unless both were measured
 * (start-1 may not have been selected, or may have failed) and are finite, the idle one above zero.
 */
export function loadedP99Ratio(r: BenchResults, side: keyof Sides<unknown>): number | undefined {
  const loaded = r.startLoaded[side]?.starts.p99;
  const idle = r.start1[side]?.p99;
  if (loaded === undefined || idle === undefined || !Number.isFinite(loaded) || !Number.isFinite(idle) || idle <= 0) return undefined;
  return loaded / idle;
}

/**
 * Why a side's start-loaded figures come without the ratio to start-1: start-1 was not selected for this
 * run, or it has no figures for that side (it failed); one note per such side, none when every ratio is there.
 */
export function loadedRatioNotes(r: BenchResults, start1Selected: boolean): string[] {
  const notes: string[] = [];
  for (const side of ['peapod', 'podman'] as const) {
    if (!r.startLoaded[side] || loadedP99Ratio(r, side) !== undefined) continue;
    notes.push(
      start1Selected
        ? `start-loaded (${side}): start-1 has no figures for ${side} in this run, so the loaded p99 is not set against an idle one`
        : `start-loaded (${side}): start-1 did not run in this run (--only), so the loaded p99 is not set against an idle one (run both: --only start-1,start-loaded)`,
    );
  }
  return notes;
}

/** podman's start-1 p50 over peapod's start-warm p50, both of this run; undefined unless both were measured. */
export function warmSpeedup(r: BenchResults): number | undefined {
  return speedup(r.start1.podman?.p50, r.startWarm.peapod?.starts.p50);
}

/**
 * What the table does not say about start-warm: how many starts claimed a pool sandbox, the waits that
 * ran out, the starts that did not claim though one was ready, and why there is no ratio to podman.
 */
export function warmNotes(r: BenchResults, start1Selected: boolean): string[] {
  const f = r.startWarm.peapod;
  if (!f) return [];
  const notes = [`start-warm: ${f.claimed} of ${f.starts.n} starts claimed a pool sandbox (peapod_warm_pool_claims_total went up during the start)`];
  if (f.waitTimedOut) {
    notes.push(
      `start-warm: before ${f.waitTimedOut} of ${f.starts.n} starts no pool sandbox was ready within the wait (${WARM_WAIT_MS / 1000} s each, ${WARM_WAIT_BUDGET_MS / 1000} s in all); they were timed anyway`,
    );
  }
  if (f.readyNotClaimed) notes.push(`start-warm: ${f.readyNotClaimed} starts did not claim a pool sandbox although /metrics showed one ready just before`);
  if (warmSpeedup(r) === undefined) {
    notes.push(
      start1Selected
        ? "start-warm: podman's start-1 has no figures in this run, so the warm p50 is not set against it"
        : "start-warm: start-1 did not run in this run (--only), so the warm p50 is not set against podman's (run both: --only start-1,start-warm)",
    );
  }
  return notes;
}

function formatBound(v: number | undefined, unit: string, bound?: boolean): string {
  if (bound && v === Infinity) return 'off scale';
  const s = formatValue(v, unit);
  return bound && s !== '—' ? `≤ ${s}` : s;
}

/** Header and cells of any scenario table. */
export function tableLayout(t: ScenarioTable): { header: string[]; cells: string[][] } {
  if (!t.columns) return { header: TABLE_HEADER, cells: tableCells(t.rows) };
  const { names, rows } = t.columns;
  return {
    header: ['metric', ...names, 'target'],
    cells: rows.map((r) => [r.metric, ...r.values.map((v) => (r.unit === OWN_RATIO ? (v === undefined ? '' : formatRatio(v, 2)) : formatBound(v, r.unit, r.bound))), r.target ?? '']),
  };
}

const seconds = (ms?: number) => (ms === undefined ? undefined : ms / 1000);

function loadTables(l: LoadFigures): ScenarioTable[] {
  const stored = l.stored?.pods.toLocaleString('en-US') ?? '';
  const peapodRows: ColumnsRow[] = [
    { metric: 'pods', unit: '', values: [l.pods] },
    { metric: 'kubectl apply -f (the whole command)', unit: 's', values: [seconds(l.applyMs)], target: '≤ 5 s' },
    { metric: 'pods created by the apply', unit: '', values: [l.created] },
    { metric: 'pods Running (within the budget)', unit: '', values: [l.running] },
    { metric: 'all Running after (from the apply)', unit: 's', values: [seconds(l.allRunningMs)], target: '≤ 30 s' },
    { metric: 'CPU until then: the daemon and its spawn helper', unit: 'core-s', values: [l.startCpu?.daemonCoreS] },
    { metric: 'of which the spawn helper', unit: 'core-s', values: [l.startCpu?.helperCoreS] },
    { metric: 'CPU until then: the bench (kubectl, its clients)', unit: 'core-s', values: [l.startCpu?.benchCoreS] },
    { metric: 'CPU until then: the rest (runc, conmon, CNI, kernel)', unit: 'core-s', values: [l.startCpu?.otherCoreS] },
    { metric: `floor: the rest and the bench on ${l.startCpu?.cores ?? ''} cores (a daemon that cost nothing)`, unit: 's', values: [l.startCpu?.floorS] },
    { metric: 'kubectl delete -f --wait=false', unit: 's', values: [seconds(l.deleteMs)] },
    { metric: 'all gone after (from the delete)', unit: 's', values: [seconds(l.allGoneMs)] },
    { metric: 'daemon RSS idle', unit: 'MB', values: [l.idleRssMB] },
    { metric: `daemon RSS, ${l.pods} pods Running`, unit: 'MB', values: [l.runningRssMB], target: '≤ 150 MB' },
    { metric: 'daemon RSS 5 s after the delete', unit: 'MB', values: [l.afterDeleteRssMB] },
    { metric: 'daemon RSS 30 s after the delete', unit: 'MB', values: [l.settledRssMB], target: 'idle + 10 MB' },
    { metric: 'host leftovers after the delete', unit: '', values: [l.leftovers?.length], target: '0' },
    { metric: `list ${l.storedIdle?.pods ?? ''} pods p99 (idle, one client)`, unit: 'ms', values: [l.storedIdle?.listP99Ms], target: '≤ 10 ms' },
    { metric: 'floor: a do-nothing server, as many bytes, p99', unit: 'ms', values: [l.storedIdle?.floorP99Ms] },
    { metric: `list ${stored} pods p99 (JSON)`, unit: 'ms', values: [l.stored?.listP99Ms], target: '≤ 50 ms' },
    { metric: 'floor: a do-nothing server, as many bytes, p99', unit: 'ms', values: [l.stored?.listFloorP99Ms] },
    { metric: `list ${stored} pods p99 (Table, as kubectl get)`, unit: 'ms', values: [l.stored?.tableP99Ms], target: '≤ 50 ms' },
    { metric: 'floor: a do-nothing server, as many bytes, p99', unit: 'ms', values: [l.stored?.tableFloorP99Ms] },
  ];
  const w = [l.start, l.stop];
  const each = (f: (b: BurstFigures) => number | undefined) => w.map((b) => (b ? f(b) : undefined));
  const burstRows: ColumnsRow[] = [
    { metric: 'window', unit: 's', values: each((b) => b.ms / 1000) },
    { metric: 'GET pod: samples', unit: '', values: each((b) => b.get.n) },
    { metric: 'GET pod p50', unit: 'ms', values: each((b) => b.get.p50) },
    { metric: 'GET pod p99', unit: 'ms', values: each((b) => b.get.p99), target: '≤ 20 ms' },
    { metric: 'GET pod max', unit: 'ms', values: each((b) => b.get.max) },
    { metric: 'floor: a do-nothing server, GET-sized answer p99', unit: 'ms', values: each((b) => b.refGet.p99) },
    { metric: 'list pods: samples', unit: '', values: each((b) => b.list.n) },
    { metric: 'list pods p50', unit: 'ms', values: each((b) => b.list.p50) },
    { metric: 'list pods p99', unit: 'ms', values: each((b) => b.list.p99), target: '≤ 50 ms' },
    { metric: 'list pods max', unit: 'ms', values: each((b) => b.list.max) },
    { metric: 'floor: a do-nothing server, list-sized answer p99', unit: 'ms', values: each((b) => b.refList.p99) },
    { metric: 'failed requests', unit: '', values: each((b) => b.failures), target: '0' },
    { metric: 'event-loop delay: 10 ms ticks', unit: '', values: each((b) => b.loopDelay.ticks) },
    { metric: 'event-loop delay p99', unit: 'ms', values: each((b) => b.loopDelay.p99Ms), target: '≤ 10 ms', bound: true },
    { metric: 'event-loop delay max', unit: 'ms', values: each((b) => b.loopDelay.maxMs), target: '≤ 50 ms' },
    { metric: 'child processes started', unit: '', values: each((b) => b.spawns.count) },
    { metric: 'loop blocked per spawn, mean', unit: 'ms', values: each((b) => b.spawns.meanBlockedMs) },
    { metric: 'loop blocked per spawn, p99', unit: 'ms', values: each((b) => b.spawns.p99BlockedMs), target: '≤ 1 ms', bound: true },
    { metric: 'the same less the waits for a core (schedstat), p99', unit: 'ms', values: each((b) => b.spawns.p99RunningMs), bound: true },
    { metric: 'daemon RSS peak', unit: 'MB', values: each((b) => b.peakRssMB) },
    { metric: 'daemon JS heap used, peak', unit: 'MB', values: each((b) => b.peakHeapMB) },
  ];
  return [
    { id: 'load', title: `load: ${l.pods} pods in one kubectl apply, then one kubectl delete (peapod only)`, rows: [], columns: { names: ['peapod'], rows: peapodRows } },
    { id: 'load-bursts', title: 'load: the API (sampled every 50 ms) and the daemon\'s event loop during the bursts', rows: [], columns: { names: ['pods start', 'pods stop'], rows: burstRows } },
  ];
}

const sum = (a?: number, b?: number) => (a === undefined || b === undefined ? undefined : a + b);

function probeTable(p: ProbeFigures): ScenarioTable {
  const rows: ColumnsRow[] = [
    { metric: 'pods with an httpGet readiness and a tcpSocket liveness probe, every 1 s', unit: '', values: [p.pods] },
    { metric: 'all Ready after (from the first create)', unit: 's', values: [seconds(p.readyMs)] },
    { metric: 'window', unit: 's', values: [p.windowS] },
    { metric: 'probe attempts in the window', unit: '', values: [p.attempts] },
    { metric: 'of which not successful', unit: '', values: [p.failedAttempts], target: '0' },
    { metric: 'daemon CPU (with its spawn helper)', unit: '%', values: [p.daemonCpuPct], target: '≤ 10% of one core' },
    { metric: 'of which the daemon process in user mode (its JS)', unit: '%', values: [p.daemonUserPct] },
    { metric: 'of which the daemon process in the kernel (both TCP ends over the veth)', unit: '%', values: [p.daemonSystemPct] },
    { metric: 'the same with the same pods, no probes', unit: '%', values: [p.bareDaemonCpuPct] },
    { metric: 'a do-nothing prober: the same connections from plain Node sockets', unit: '%', values: [p.floorProberCpuPct] },
    { metric: 'connections it made in the window', unit: '', values: [p.floorConnections] },
    { metric: 'floor: the pods alone and that prober (a daemon whose probing cost nothing)', unit: '%', values: [sum(p.bareDaemonCpuPct, p.floorProberCpuPct)] },
    { metric: 'periodic results in the window', unit: '', values: [p.latenessSamples] },
    { metric: 'results more than 1 s past their period', unit: '', values: [p.lateOver1s], target: '0' },
    { metric: 'latest result past its period', unit: 's', values: [p.latenessMaxBoundS], bound: true },
    { metric: 'host CPU per httpGet or tcpSocket probe (less idle)', unit: 'ms', values: [p.netCpuMsPerProbe] },
    { metric: `pods with an exec readiness probe (\`true\`), every 1 s`, unit: '', values: [p.execPods] },
    { metric: 'exec probe attempts in the window', unit: '', values: [p.execAttempts] },
    { metric: 'daemon CPU with exec probes (with its spawn helper)', unit: '%', values: [p.execDaemonCpuPct] },
    { metric: 'host CPU per exec probe (runc exec and all; less idle)', unit: 'ms', values: [p.execCpuMsPerProbe] },
  ];
  return { id: 'probes', title: `probes: ${p.pods} pods probed every second (peapod only)`, rows: [], columns: { names: ['peapod'], rows } };
}

function watchersTable(w: WatchersFigures): ScenarioTable {
  const each = (f: (x: WatchersFigures['runs'][number]) => number | undefined) => w.runs.map(f);
  const rows: ColumnsRow[] = [
    { metric: 'pods created at once', unit: '', values: each((x) => x.pods) },
    { metric: 'events about them (distinct resourceVersions)', unit: '', values: each((x) => x.events) },
    { metric: 'deliveries (events × watchers)', unit: '', values: each((x) => x.deliveries) },
    { metric: 'deliveries missed', unit: '', values: each((x) => x.missing), target: '0' },
    { metric: 'first create → the first watcher had every pod Running', unit: 's', values: each((x) => seconds(x.firstWatcherAllRunningMs)) },
    { metric: 'first create → the last watcher had every pod Running', unit: 's', values: each((x) => seconds(x.lastWatcherAllRunningMs)) },
    { metric: 'delivery lag behind the first delivery of the event, p50', unit: 'ms', values: each((x) => x.lag.p50) },
    { metric: 'delivery lag p99', unit: 'ms', values: each((x) => x.lag.p99) },
    { metric: 'delivery lag max', unit: 'ms', values: each((x) => x.lag.max) },
    { metric: 'deliveries per second (first create → last arrival)', unit: '/s', values: each((x) => x.deliveriesPerSecond) },
    { metric: 'daemon CPU over the window', unit: '%', values: each((x) => x.daemonCpuPct) },
    { metric: 'its spawn helper', unit: '%', values: each((x) => x.helperCpuPct) },
    { metric: "the processes reading the watches (4 or fewer), together", unit: '%', values: each((x) => x.watcherProcessCpuPct) },
    { metric: 'daemon RSS before', unit: 'MB', values: each((x) => x.rssBeforeMB) },
    { metric: 'daemon RSS peak', unit: 'MB', values: each((x) => x.rssPeakMB) },
    { metric: 'watches ended or failed', unit: '', values: each((x) => x.errors.length), target: '0' },
  ];
  const names = w.runs.map((x) => `${x.watchers} watcher${x.watchers === 1 ? '' : 's'}`);
  return { id: 'watchers', title: `watchers: ${w.pods} pods created at once while pods are watched (peapod only)`, rows: [], columns: { names, rows } };
}

function apiAuthTable(a: ApiAuthFigures): ScenarioTable {
  const cols = [['reused', 'token'], ['reused', 'cert'], ['new', 'token'], ['new', 'cert']] as const;
  const pick = (call: 'get' | 'list', f: (r: ApiAuthFigures['rows'][number]) => number) =>
    cols.map(([connection, credential]) => {
      const r = a.rows.find((x) => x.call === call && x.connection === connection && x.credential === credential);
      return r ? f(r) : undefined;
    });
  const rows: ColumnsRow[] = [
    { metric: 'GET one pod: requests', unit: '', values: pick('get', (r) => r.n) },
    { metric: 'GET one pod p50', unit: 'ms', values: pick('get', (r) => r.p50Ms) },
    { metric: 'GET one pod p99', unit: 'ms', values: pick('get', (r) => r.p99Ms) },
    { metric: 'GET one pod, one at a time', unit: 'req/s', values: pick('get', (r) => r.rps) },
    { metric: 'GET one pod: daemon CPU per request', unit: 'ms', values: pick('get', (r) => r.daemonCpuMs ?? NaN) },
    { metric: `LIST ${a.pods} pods: requests`, unit: '', values: pick('list', (r) => r.n) },
    { metric: `LIST ${a.pods} pods p50`, unit: 'ms', values: pick('list', (r) => r.p50Ms) },
    { metric: `LIST ${a.pods} pods p99`, unit: 'ms', values: pick('list', (r) => r.p99Ms) },
    { metric: `LIST ${a.pods} pods, one at a time`, unit: 'req/s', values: pick('list', (r) => r.rps) },
    { metric: `LIST ${a.pods} pods: daemon CPU per request`, unit: 'ms', values: pick('list', (r) => r.daemonCpuMs ?? NaN) },
  ];
  const names = ['kept connection, bearer token', 'kept connection, client cert', 'new connection, bearer token', 'new connection, client cert'];
  return { id: 'api-auth', title: `api-auth: GET and LIST over TLS with each credential, on a kept and a new connection (peapod only${a.tls ? `; ${a.tls}` : ''})`, rows: [], columns: { names, rows } };
}

const kB = (bytes?: number) => (bytes === undefined ? undefined : bytes / 1000);

function dashboardTable(d: DashboardFigures): ScenarioTable {
  const target = `≤ ${DASHBOARD_RENDER_TARGET_MS} ms`;
  // What the first render loads: the entry script and the chunks the page modulepreloads, and the stylesheet.
  const sum = (ext: string, k: 'bytes' | 'gzipBytes') => {
    const of = d.assets.filter((a) => a.path.endsWith(ext));
    return of.length ? of.reduce((n, a) => n + a[k], 0) : undefined;
  };
  const scripts = d.assets.filter((a) => a.path.endsWith('.js')).length;
  const css = d.assets.find((a) => a.path.endsWith('.css'));
  const rows: ColumnsRow[] = [
    { metric: 'pods listed', unit: '', values: [d.pods] },
    { metric: 'reloads timed (cache disabled)', unit: '', values: [d.reloads] },
    { metric: 'navigation start → every pod\'s row in the table, p50', unit: 'ms', values: [d.rows.p50], target },
    { metric: 'the same, p99', unit: 'ms', values: [d.rows.p99], target },
    { metric: 'the same, max', unit: 'ms', values: [d.rows.max] },
    { metric: 'navigation start → the frame that paints them, p50', unit: 'ms', values: [d.frame.p50] },
    { metric: 'the same, p99', unit: 'ms', values: [d.frame.p99] },
    { metric: 'of it: the HTML arrived, p50', unit: 'ms', values: [d.htmlP50Ms] },
    { metric: 'of it: the script arrived, p50', unit: 'ms', values: [d.scriptP50Ms] },
    { metric: 'of it: the page asked for the pods list, p50', unit: 'ms', values: [d.listAskedP50Ms] },
    { metric: 'of it: the pods list arrived, p50', unit: 'ms', values: [d.listP50Ms] },
    { metric: `scripts the first render loads (${scripts} file${scripts === 1 ? '' : 's'}), raw`, unit: 'kB', values: [kB(sum('.js', 'bytes'))] },
    { metric: 'the same gzipped (level 6)', unit: 'kB', values: [kB(sum('.js', 'gzipBytes'))] },
    { metric: `stylesheet ${css?.path ?? ''}, raw`, unit: 'kB', values: [kB(css?.bytes)] },
    { metric: 'the same gzipped (level 6)', unit: 'kB', values: [kB(css?.gzipBytes)] },
  ];
  return { id: 'dashboard', title: `dashboard: the page's first render in headless chromium with ${d.pods} pods running (peapod only)`, rows: [], columns: { names: ['peapod'], rows } };
}

function cliTable(c: CliFigures): ScenarioTable {
  // The kubectl the dispatcher execs, as a third column when the bench ran it.
  const direct = c.get['kubectl-direct'].runs > 0;
  const pad = (values: (number | undefined)[]) => (direct ? values : values.slice(0, 2));
  const rows = (command: 'get' | 'version', label: string, target?: string): ColumnsRow[] => {
    const f = c[command];
    const each = (pick: (x: CliFigures['get']['peapod']) => number) => pad([pick(f.peapod), pick(f.kubectl), pick(f['kubectl-direct'])]);
    return [
      { metric: `${label}: wall time p50`, unit: 'ms', values: each((x) => x.wall.p50), ...(target ? { target } : {}) },
      { metric: `${label}: wall time p99`, unit: 'ms', values: each((x) => x.wall.p99) },
      { metric: `${label}: CPU (user + sys) p50`, unit: 'ms', values: each((x) => x.cpu.p50) },
      { metric: `${label}: CPU (user + sys) mean`, unit: 'ms', values: each((x) => x.cpu.mean) },
      { metric: `${label}: peapod p50 over kubectl p50`, unit: OWN_RATIO, values: pad([cliP50Ratio(c, command), undefined, undefined]), ...(target ? { target: '≤ 1×' } : {}) },
    ];
  };
  return {
    id: 'cli',
    title: `cli: \`peapod get pods\` beside \`kubectl get pods\` (${c.pods} pods, the daemon idle) and \`version --client\`, each run a fresh process (peapod only: podman has no kubectl-compatible daemon)`,
    rows: [],
    columns: {
      names: direct ? ['peapod', 'kubectl', 'kubectl.1.NN, direct'] : ['peapod', 'kubectl'],
      rows: [
        { metric: 'pods listed', unit: '', values: pad([c.pods, c.pods, c.pods]) },
        { metric: 'timed runs of each command', unit: '', values: pad([c.get.peapod.runs, c.get.kubectl.runs, c.get['kubectl-direct'].runs]) },
        ...rows('get', 'get pods', `≤ ${CLI_GET_TARGET_MS} ms, ≤ kubectl`),
        ...rows('version', 'version --client'),
        { metric: 'floor: `node -e 0` (the node bin/peapod.js starts), wall time p50', unit: 'ms', values: pad([c.nodeFloor?.wall.p50, undefined, undefined]) },
        { metric: 'floor: `node -e 0`, CPU (user + sys) p50', unit: 'ms', values: pad([c.nodeFloor?.cpu.p50, undefined, undefined]) },
      ],
    },
  };
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

function loadedRows(s: Sides<LoadedStartFigures>): Row[] {
  const pick = <T>(f: (x: LoadedStartFigures) => T) => ({ peapod: s.peapod ? f(s.peapod) : undefined, podman: s.podman ? f(s.podman) : undefined });
  return [
    { metric: 'pods running in the background', unit: '', ...pick((x) => x.background) },
    { metric: 'background: all Running after', unit: 'ms', ...pick((x) => x.backgroundRunningMs) },
    { metric: 'then until the host was quiet', unit: 'ms', ...pick((x) => x.settleMs) },
    ...latencyRows({ peapod: s.peapod?.starts, podman: s.podman?.starts }),
  ];
}

function warmRows(w: WarmStartFigures | undefined, vsPodman: number | undefined): Row[] {
  return [
    { metric: 'pool sandboxes kept ready (--warm-pool)', unit: '', peapod: w?.poolSize },
    ...latencyRows({ peapod: w?.starts }),
    { metric: 'starts that claimed a pool sandbox', unit: '', peapod: w?.claimed },
    { metric: 'wait for a ready pool sandbox before a start (not timed), p50', unit: 'ms', peapod: w?.waits.p50 },
    { metric: 'wait for a ready pool sandbox before a start (not timed), max', unit: 'ms', peapod: w?.waits.max },
    { metric: "podman's start-1 p50 (this run) over this p50 (target ≥ 3×)", unit: OWN_RATIO, peapod: vsPodman },
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

function pullTable(p: Sides<PullFigures>): ScenarioTable {
  const img = p.peapod?.image ?? p.podman?.image;
  const what = img
    ? `a ${img.layers}-layer image (${formatValue(img.uncompressedBytes / 1e6, 'MB')}, ${formatValue(img.compressedBytes / 1e6, 'MB')} gzip, ${img.files} files)`
    : 'an image';
  const pick = (f: (x: PullFigures) => number | undefined) => ({ peapod: p.peapod ? f(p.peapod) : undefined, podman: p.podman ? f(p.podman) : undefined });
  return {
    id: 'pull',
    title: `pull: ${what} from a loopback registry into an empty store, beside \`podman pull\``,
    rows: [
      { metric: 'runs', unit: '', ...pick((x) => x.runs) },
      { metric: 'wall time p50', unit: 's', ...pick((x) => seconds(x.p50Ms)) },
      { metric: 'wall time min', unit: 's', ...pick((x) => seconds(x.minMs)) },
      { metric: 'wall time max', unit: 's', ...pick((x) => seconds(x.maxMs)) },
      { metric: 'throughput (gzip bytes over the p50)', unit: 'MB/s', ...pick((x) => x.mbps) },
      { metric: 'peak RSS (the daemon / the podman process)', unit: 'MB', ...pick((x) => x.peakRssMB) },
      { metric: 'CPU per pull, p50 (daemon + its tar / podman + children)', unit: 'core-s', ...pick((x) => x.engineCpuS) },
    ],
  };
}

export function scenarioTables(r: BenchResults): ScenarioTable[] {
  const tables: ScenarioTable[] = [
    { id: 'start-1', title: 'start-1: one-container pod, create → every container running (one after another)', rows: latencyRows(r.start1) },
    {
      id: 'start-warm',
      title: "start-warm: start-1's pods, one after another, each once the daemon's warm pool held a ready sandbox (peapod only: podman has no pool)",
      rows: warmRows(r.startWarm.peapod, warmSpeedup(r)),
    },
    {
      id: 'start-loaded',
      title: `start-loaded: start-1's pods, one after another, with ${r.startLoaded.peapod?.background ?? r.startLoaded.podman?.background ?? ''} one-container pods already running`,
      rows: [
        ...loadedRows(r.startLoaded),
        { metric: `p99 over start-1's p99 (idle, this run; target ≤ ${LOADED_P99_LIMIT}×)`, unit: OWN_RATIO, peapod: loadedP99Ratio(r, 'peapod'), podman: loadedP99Ratio(r, 'podman') },
      ],
    },
    { id: 'start-init', title: 'start-init: one init + two app containers sharing an emptyDir', rows: latencyRows(r.startInit) },
    { id: 'start-pvc', title: 'start-pvc: a pod with a new claim on the default StorageClass, create → running (one after another)', rows: latencyRows(r.startPvc) },
    {
      id: 'churn',
      title: 'churn: create → Running → delete → gone',
      rows: [
        { metric: 'one at a time', unit: 'pods/s', ...r.churnSequential },
        { metric: '10 at a time', unit: 'pods/s', ...r.churnBatch },
      ],
    },
    { id: 'density', title: 'density: one-container pods running at once', rows: densityRows(r.density) },
    {
      id: 'exec',
      title: 'exec: `kubectl exec POD -- true` beside `podman exec CTR true`, and a 100 MB cat through stdout',
      rows: [
        { metric: 'execs', unit: '', peapod: r.exec.peapod?.roundTrip.n, podman: r.exec.podman?.roundTrip.n },
        { metric: 'round trip p50', unit: 'ms', peapod: r.exec.peapod?.roundTrip.p50, podman: r.exec.podman?.roundTrip.p50 },
        { metric: 'round trip p99', unit: 'ms', peapod: r.exec.peapod?.roundTrip.p99, podman: r.exec.podman?.roundTrip.p99 },
        { metric: 'cat of 100 MB through stdout', unit: 'MB/s', peapod: r.exec.peapod?.catMBps, podman: r.exec.podman?.catMBps },
      ],
    },
  ];
  tables.push(pullTable(r.pull));
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
  if (r.load) tables.push(...loadTables(r.load));
  if (r.probes) tables.push(probeTable(r.probes));
  if (r.watchers?.runs.length) tables.push(watchersTable(r.watchers));
  if (r.apiAuth?.rows.length) tables.push(apiAuthTable(r.apiAuth));
  if (r.dashboard) tables.push(dashboardTable(r.dashboard));
  if (r.cli) tables.push(cliTable(r.cli));
  // A table without a single figure is left out: its scenario did not run (--only) or failed (the notes say).
  return tables.filter((t) => t.columns || t.rows.some((row) => row.peapod !== undefined || row.podman !== undefined));
}

export interface TargetResult {
  description: string;
  /** The measured figure, in `unit`. */
  value?: number;
  unit: string;
  /** Decimals of a ratio (unit ×), when formatRatio's own are too few to tell it from its limit. */
  digits?: number;
  /** The figure is an upper bound (a histogram bucket's). */
  bound?: boolean;
  status: 'met' | 'missed' | 'not measured';
}

function check(description: string, value: number | undefined, op: '<=' | '>=', limit: number, unit: string): TargetResult {
  if (value === undefined || !Number.isFinite(value)) return { description, unit, status: 'not measured' };
  const ok = op === '<=' ? value <= limit : value >= limit;
  return { description, value, unit, status: ok ? 'met' : 'missed' };
}

/** peapod's advantage: how many times podman's latency (or peapod's rate over podman's). */
const speedup = (slow?: number, fast?: number) => (slow !== undefined && fast !== undefined && fast > 0 ? slow / fast : undefined);

/** The issue's targets, each with the measured figure and whether it holds. Never asserted: reported. */
export function evaluateTargets(r: BenchResults): TargetResult[] {
  return [
    check('start-1 p50 ≤ 150 ms', r.start1.peapod?.p50, '<=', 150, 'ms'),
    check('start-1 p99 ≤ 200 ms', r.start1.peapod?.p99, '<=', 200, 'ms'),
    check('start-1 ≥ 3× faster than podman kube play (p50)', speedup(r.start1.podman?.p50, r.start1.peapod?.p50), '>=', 3, '×'),
    check("start-1 with a warm pool: p50 ≥ 3× faster than podman's start-1", warmSpeedup(r), '>=', 3, '×'),
    check('start-1 with a warm pool: p99 ≤ 200 ms', r.startWarm.peapod?.starts.p99, '<=', 200, 'ms'),
    {
      ...check(`start-1 under load: p99 with ${r.startLoaded.peapod?.background ?? 100} pods running ≤ ${LOADED_P99_LIMIT}× the idle p99`, loadedP99Ratio(r, 'peapod'), '<=', LOADED_P99_LIMIT, '×'),
      digits: 2,
    },
    check('start-init p50 ≤ 180 ms', r.startInit.peapod?.p50, '<=', 180, 'ms'),
    check('churn one at a time ≥ 3× podman pods/s', speedup(r.churnSequential.peapod, r.churnSequential.podman), '>=', 3, '×'),
    check('churn 10 at a time ≥ 5× podman pods/s', speedup(r.churnBatch.peapod, r.churnBatch.podman), '>=', 5, '×'),
    check('density: 100 pods Running in ≤ 20 s', r.density.peapod ? r.density.peapod.allRunningMs / 1000 : undefined, '<=', 20, 's'),
    check('density: daemon RSS ≤ 150 MB', r.density.peapod?.daemonRssMB, '<=', 150, 'MB'),
    check('density: host memory per pod ≤ 4 MB (PSS)', r.density.peapod?.perPodPssMB, '<=', 4, 'MB'),
    check('exec round trip p50 no slower than podman exec', speedup(r.exec.podman?.roundTrip.p50, r.exec.peapod?.roundTrip.p50), '>=', 1, '×'),
    check('exec round trip p99 no slower than podman exec', speedup(r.exec.podman?.roundTrip.p99, r.exec.peapod?.roundTrip.p99), '>=', 1, '×'),
    check('exec stdout ≥ 100 MB/s', r.exec.peapod?.catMBps, '>=', 100, 'MB/s'),
    check('exec stdout no slower than podman exec', speedup(r.exec.peapod?.catMBps, r.exec.podman?.catMBps), '>=', 1, '×'),
    check('pull no slower than podman pull (p50)', speedup(r.pull.podman?.p50Ms, r.pull.peapod?.p50Ms), '>=', 1, '×'),
    check('pull: peak daemon RSS ≤ 200 MB', r.pull.peapod?.peakRssMB, '<=', 200, 'MB'),
    ...(r.load ? loadTargets(r.load) : []),
    ...(r.dashboard ? [check(`dashboard: first render with ${r.dashboard.pods} pods ≤ ${DASHBOARD_RENDER_TARGET_MS} ms (p99)`, r.dashboard.rows.p99, '<=', DASHBOARD_RENDER_TARGET_MS, 'ms')] : []),
    ...(r.cli
      ? [
          check(`cli: peapod get pods p50 ≤ ${CLI_GET_TARGET_MS} ms`, r.cli.get.peapod.wall.p50, '<=', CLI_GET_TARGET_MS, 'ms'),
          { ...check('cli: peapod get pods p50 ≤ kubectl get pods p50', cliP50Ratio(r.cli, 'get'), '<=', 1, '×'), digits: 2 },
        ]
      : []),
    ...(r.probes
      ? [
          check(`probes: daemon CPU ≤ 10% of one core with ${r.probes.pods} pods probed every second`, r.probes.daemonCpuPct, '<=', 10, '%'),
          check('probes: no result more than 1 s past its period', r.probes.lateOver1s, '<=', 0, ''),
        ]
      : []),
  ];
}

const worst = (...v: (number | undefined)[]) => (v.some((x) => x === undefined) ? undefined : Math.max(...(v as number[])));
const minus = (a?: number, b?: number) => (a === undefined || b === undefined ? undefined : a - b);

function loadTargets(l: LoadFigures): TargetResult[] {
  const bursts = (what: string, limit: number, pick: (b: BurstFigures) => number, bound = false) =>
    (['start', 'stop'] as const).map((k) => ({
      ...check(`load: ${what} ≤ ${limit} ms while ${l.pods} pods ${k}`, l[k] ? pick(l[k]) : undefined, '<=', limit, 'ms'),
      bound,
    }));
  return [
    check(`load: ${l.pods} pods applied with one kubectl apply in ≤ 5 s`, seconds(l.applyMs), '<=', 5, 's'),
    check(`load: ${l.pods} pods Running in ≤ 30 s`, seconds(l.allRunningMs), '<=', 30, 's'),
    ...bursts('GET pod p99', 20, (b) => b.get.p99),
    ...bursts('list pods p99', 50, (b) => b.list.p99),
    ...bursts('event-loop delay p99', 10, (b) => b.loopDelay.p99Ms, true),
    ...bursts('event-loop delay max', 50, (b) => b.loopDelay.maxMs),
    check(`load: daemon RSS ≤ 150 MB with ${l.pods} pods Running`, l.runningRssMB, '<=', 150, 'MB'),
    check('load: daemon RSS back within 10 MB of idle 30 s after the delete', minus(l.settledRssMB, l.idleRssMB), '<=', 10, 'MB'),
    check(`load: list ${l.storedIdle?.pods ?? ''} pods p99 ≤ 10 ms (idle)`, l.storedIdle?.listP99Ms, '<=', 10, 'ms'),
    check(`load: list ${l.stored?.pods.toLocaleString('en-US') ?? ''} pods p99 ≤ 50 ms (JSON)`, l.stored?.listP99Ms, '<=', 50, 'ms'),
    check(`load: list ${l.stored?.pods.toLocaleString('en-US') ?? ''} pods p99 ≤ 50 ms (Table)`, l.stored?.tableP99Ms, '<=', 50, 'ms'),
    { ...check('load: ≤ 1 ms of blocked loop per spawn (p99, both bursts)', worst(l.start?.spawns.p99BlockedMs, l.stop?.spawns.p99BlockedMs), '<=', 1, 'ms'), bound: true },
  ];
}

export function targetCells(targets: TargetResult[]): string[][] {
  return targets.map((t) => [t.description, t.unit === '×' ? formatRatio(t.value, t.digits) : formatBound(t.value, t.unit, t.bound), t.status]);
}

export const TARGET_HEADER = ['target', 'measured', 'verdict'];
