// probes (issue 8): what probing costs at scale. First N pods each running a busybox httpd, no probes: the
// daemon's CPU for the pods alone. Then N such pods with an httpGet readiness probe and a tcpSocket
// liveness probe every second; once all are Ready, the bench reads over a window
// the daemon's CPU (its process and its spawn helper's, /proc/PID/stat) and, from its /metrics, the probe
// attempts and how late each periodic result came after it was due (peapod_probe_lateness_seconds, the
// previous attempt's start plus periodSeconds). Then M pods with an exec readiness probe (`true`) every
// second: the host's CPU per exec probe (runc exec, its init, the command, the daemon's share), beside
// the same figure for the httpGet and tcpSocket probes; both less the host's idle rate measured before.
// The floor under the daemon's figure: the unprobed pods' own cost plus a do-nothing prober
// (probe-floor.ts) making the same connections to them.

import { cpuSplit, hostCpuTicks, readCpu } from './cpu-split.js';
import fs from 'node:fs';
import { statFields } from '../src/system/proc-stat.js';
import type { BenchDaemon } from './peapod-daemon.js';
import type { PeapodDriver } from './peapod-driver.js';
import { BENCH_IMAGE, BENCH_LABEL, type PodManifest } from './pod-specs.js';
import { histogramDelta, scrapedHistogram, type PromSample, type ScrapedHistogram } from './prom-text.js';
import type { ProbeFigures } from './results.js';
import { runPool } from './scenarios.js';
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { SERVE_NODE_FLAGS, serveEnv } from '../src/system/node-flags.js';
import { PROBE_FLOOR_ARG, type FloorResult, type FloorRun } from './probe-floor.js';

export interface ProbeCounts {
  /** Pods with an httpGet readiness and a tcpSocket liveness probe. */
  pods: number;
  /** Pods with an exec readiness probe. */
  execPods: number;
  windowMs: number;
}

const TICKS_PER_S = 100;
const READY_BUDGET_MS = 180_000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

type PodKind = 'net' | 'bare' | 'exec';

function probedPod(name: string, kind: PodKind): PodManifest {
  const container =
    kind === 'net' || kind === 'bare'
      ? {
          name: 'web',
          image: BENCH_IMAGE,
          imagePullPolicy: 'IfNotPresent',
          command: ['sh', '-c', 'mkdir -p /www && echo ok > /www/index.html && exec httpd -f -p 8080 -h /www'],
          ports: [{ name: 'http', containerPort: 8080 }],
          ...(kind === 'net'
            ? { readinessProbe: { httpGet: { path: '/', port: 'http' }, periodSeconds: 1 }, livenessProbe: { tcpSocket: { port: 8080 }, periodSeconds: 1 } }
            : {}),
        }
      : {
          name: 'app',
          image: BENCH_IMAGE,
          imagePullPolicy: 'IfNotPresent',
          command: ['sh', '-c', 'trap "exit 0" TERM; sleep 3600 & wait'],
          readinessProbe: { exec: { command: ['true'] }, periodSeconds: 1 },
        };
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name, labels: { ...BENCH_LABEL } }, spec: { terminationGracePeriodSeconds: 1, containers: [container] } };
}

const attempts = (s: PromSample[]) => s.filter((x) => x.name === 'prober_probe_total').reduce((n, x) => n + x.value, 0);
const failed = (s: PromSample[]) => s.filter((x) => x.name === 'prober_probe_total' && x.labels.result !== 'successful').reduce((n, x) => n + x.value, 0);

async function readyCount(driver: PeapodDriver, prefix: string): Promise<number> {
  const r = await driver.client.listPods();
  const items = (r.body?.items ?? []) as { metadata: { name: string }; status?: { conditions?: { type: string; status: string }[] } }[];
  return items.filter((p) => p.metadata.name.startsWith(prefix) && p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True')).length;
}

async function startAll(driver: PeapodDriver, names: string[], kind: PodKind, signal: AbortSignal, prefix: string): Promise<number> {
  const t0 = Date.now();
  await runPool(names, 10, async (n) => {
    await driver.client.createPod(probedPod(n, kind));
  }, signal);
  while (Date.now() - t0 < READY_BUDGET_MS) {
    if (signal.aborted) throw new Error('aborted');
    if ((await readyCount(driver, prefix)) === names.length) return Date.now() - t0;
    await sleep(1000);
  }
  throw new Error(`${names.length} ${kind} pods not all Ready within ${READY_BUDGET_MS / 1000} s`);
}

/** The daemon's own user and system CPU ticks so far (its main process; the helper is in daemonCoreS). */
function userSystemTicks(pid: number): { user: number; system: number } {
  const f = statFields(fs.readFileSync(`/proc/${pid}/stat`, 'utf8'));
  return { user: Number(f[11]), system: Number(f[12]) };
}

interface Window {
  daemonCoreS: number;
  /** Of the daemon process's own CPU, user and system (kernel) time, core-s. */
  userCoreS: number;
  systemCoreS: number;
  hostCoreS: number;
  attempts: number;
  failed: number;
  lateness?: ScrapedHistogram;
  seconds: number;
}

async function measure(daemon: BenchDaemon, driver: PeapodDriver, ms: number): Promise<Window> {
  const m0 = await driver.metrics();
  const c0 = readCpu(daemon.pid!, []);
  const us0 = userSystemTicks(daemon.pid!);
  const t0 = Date.now();
  await sleep(ms);
  const m1 = await driver.metrics();
  const c1 = readCpu(daemon.pid!, []);
  const us1 = userSystemTicks(daemon.pid!);
  const seconds = (Date.now() - t0) / 1000;
  const split = cpuSplit(c0, c1);
  const l0 = scrapedHistogram(m0, 'peapod_probe_lateness_seconds');
  const l1 = scrapedHistogram(m1, 'peapod_probe_lateness_seconds');
  return {
    daemonCoreS: split.daemonCoreS,
    userCoreS: (us1.user - us0.user) / TICKS_PER_S,
    systemCoreS: (us1.system - us0.system) / TICKS_PER_S,
    hostCoreS: (c1.hostBusy - c0.hostBusy) / TICKS_PER_S,
    attempts: attempts(m1) - attempts(m0),
    failed: failed(m1) - failed(m0),
    ...(l0 && l1 ? { lateness: histogramDelta(l0, l1) } : {}),
    seconds,
  };
}

/** Host busy core-seconds per second with nothing of the bench running (the baseline under both figures). */
async function idleRate(ms: number): Promise<number> {
  const busy = () => hostCpuTicks(fs.readFileSync('/proc/stat', 'utf8')).busy;
  const b0 = busy();
  const t0 = Date.now();
  await sleep(ms);
  return (busy() - b0) / TICKS_PER_S / ((Date.now() - t0) / 1000);
}

/** ip:8080 of each Running pod whose name starts with `prefix`. */
async function podTargets(driver: PeapodDriver, prefix: string): Promise<string[]> {
  const r = await driver.client.listPods();
  const items = (r.body?.items ?? []) as { metadata: { name: string }; status?: { podIP?: string } }[];
  return items.filter((p) => p.metadata.name.startsWith(prefix) && p.status?.podIP).map((p) => `${p.status!.podIP}:8080`);
}

/** Runs the do-nothing prober (probe-floor.ts) against `targets` for a window; its CPU over it. */
function floorProber(targets: string[], windowMs: number): Promise<FloorResult> {
  const child = fork(fileURLToPath(new URL('./probe-floor.js', import.meta.url)), [PROBE_FLOOR_ARG], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], execArgv: [...SERVE_NODE_FLAGS], env: serveEnv() });
  return new Promise<FloorResult>((resolve, reject) => {
    child.once('exit', () => reject(new Error('the floor prober exited before it answered')));
    child.once('message', (m: FloorResult) => {
      child.removeAllListeners('exit');
      child.disconnect();
      resolve(m);
    });
    const run: FloorRun = { t: 'run', targets, periodMs: 1000, warmupMs: 3000, windowMs };
    child.send(run);
  });
}

async function removeAll(driver: PeapodDriver, names: string[]): Promise<void> {
  await runPool(names, 10, (n) => driver.remove(n).catch(() => undefined), AbortSignal.timeout(READY_BUDGET_MS));
}

export async function runProbes(daemon: BenchDaemon, driver: PeapodDriver, counts: ProbeCounts, signal: AbortSignal, out: ProbeFigures): Promise<void> {
  const idle = await idleRate(5000);
  out.idleHostCores = idle;
  // The same pods without probes first: what the daemon spends on them anyway (resyncs, heartbeat).
  const bare = Array.from({ length: counts.pods }, (_, i) => `probe-bare-${i}`);
  try {
    await startAll(driver, bare, 'bare', signal, 'probe-bare-');
    await sleep(3000);
    const w = await measure(daemon, driver, counts.windowMs);
    out.bareDaemonCpuPct = (w.daemonCoreS / w.seconds) * 100;
    // The floor: the same connections from a prober that does nothing else, to these same pods.
    const floor = await floorProber(await podTargets(driver, 'probe-bare-'), counts.windowMs);
    out.floorProberCpuPct = ((floor.user + floor.system) / 1e6 / (counts.windowMs / 1000)) * 100;
    out.floorConnections = floor.connections;
  } finally {
    await removeAll(driver, bare);
  }
  const net = Array.from({ length: counts.pods }, (_, i) => `probe-net-${i}`);
  try {
    out.readyMs = await startAll(driver, net, 'net', signal, 'probe-net-');
    await sleep(3000); // past the readiness flips of the start
    const w = await measure(daemon, driver, counts.windowMs);
    out.windowS = w.seconds;
    out.attempts = w.attempts;
    out.failedAttempts = w.failed;
    out.daemonCpuPct = (w.daemonCoreS / w.seconds) * 100;
    out.daemonUserPct = (w.userCoreS / w.seconds) * 100;
    out.daemonSystemPct = (w.systemCoreS / w.seconds) * 100;
    out.netCpuMsPerProbe = w.attempts ? ((w.hostCoreS - idle * w.seconds) * 1000) / w.attempts : undefined;
    if (w.lateness) {
      const within1s = w.lateness.buckets.find((b) => b.le === 1)?.count ?? 0;
      out.lateOver1s = w.lateness.count - within1s;
      out.latenessMaxBoundS = w.lateness.buckets.find((b) => b.count >= w.lateness!.count)?.le;
      out.latenessSamples = w.lateness.count;
    }
  } finally {
    await removeAll(driver, net);
  }
  const exec = Array.from({ length: counts.execPods }, (_, i) => `probe-exec-${i}`);
  try {
    await startAll(driver, exec, 'exec', signal, 'probe-exec-');
    await sleep(3000);
    const w = await measure(daemon, driver, counts.windowMs);
    out.execAttempts = w.attempts;
    out.execDaemonCpuPct = (w.daemonCoreS / w.seconds) * 100;
    out.execCpuMsPerProbe = w.attempts ? ((w.hostCoreS - idle * w.seconds) * 1000) / w.attempts : undefined;
  } finally {
    await removeAll(driver, exec);
  }
}
