// watchers (peapod only): many clients watching pods while a burst of pods starts. The watch connections
// live in a process of their own (watchers-process.ts), half of them on every namespace, half on the pods'
// own; all start from one resourceVersion before the burst. The bench then creates all the pods at once
// (every POST in flight together over its keep-alive connections) and waits until every watcher has had
// every pod's Running event. The same burst runs first with a single watcher, the baseline: what the
// other watchers add to the daemon's CPU, memory and the time to all Running is the difference.
// Cleanup (deleting the pods) is not timed.

import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { epochMs } from './api-client.js';
import { cpuSplit, readCpu } from './cpu-split.js';
import type { BenchDaemon } from './peapod-daemon.js';
import type { PeapodDriver } from './peapod-driver.js';
import { sleepPod } from './pod-specs.js';
import { fanoutFigures, watchPath, type FanoutFigures } from './watch-fanout.js';
import { WATCHERS_ARG, type WatchersReply, type WatchersRequest } from './watchers-process.js';

export interface WatchersRun extends FanoutFigures {
  /** From the first create until every watcher had every pod's Running event (the window of the rows below). */
  windowMs: number;
  /** The daemon process's CPU over the window, % of one core; its spawn helper's apart. */
  daemonCpuPct: number;
  helperCpuPct: number;
  /** The processes reading the watches, and their CPU together, % of one core. */
  watcherProcesses: number;
  watcherProcessCpuPct?: number;
  rssBeforeMB?: number;
  rssPeakMB?: number;
  /** Watch connections the server ended or that failed during the run. */
  errors: string[];
}

export interface WatchersFigures {
  pods: number;
  /** The baseline (one watcher), then the many. */
  runs: WatchersRun[];
}

export interface WatchersEnv {
  daemon: BenchDaemon;
  driver: PeapodDriver;
  progress: (line: string) => void;
}

const NAMESPACE = 'default';
const ALL_RUNNING_TIMEOUT_MS = 120_000;
const RSS_SAMPLE_MS = 50;
/**
 * The watch connections are read by this many processes: one process reading 100 TLS connections was the
 * bottleneck in a 100-pod burst (it reads the sockets in turn, decrypting each; the last socket's copy of
 * an event was read hundreds of ms after the first's), which would time the client, not the daemon.
 */
const WATCHER_PROCESSES = 4;

/** A forked watchers process and a request/reply over its channel. */
function startWatchers() {
  const child = fork(fileURLToPath(new URL('./watchers-process.js', import.meta.url)), [WATCHERS_ARG], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], serialization: 'advanced', detached: true });
  const ask = (req: WatchersRequest) =>
    new Promise<WatchersReply>((resolve, reject) => {
      const exited = () => reject(new Error('the watchers process exited'));
      child.once('exit', exited);
      child.once('message', (m: WatchersReply) => {
        child.off('exit', exited);
        resolve(m);
      });
      child.send(req);
    });
  return { child, ask, close: () => (child.connected ? child.send('close') : undefined) };
}

/**
 * One burst of `pods` pods under `watchers` watchers, spread over up to WATCHER_PROCESSES processes (round
 * robin, so each holds watchers of both kinds); the pods are deleted afterwards.
 */
export async function runWatchersOnce(env: WatchersEnv, pods: number, watchers: number, signal: AbortSignal): Promise<WatchersRun> {
  const { daemon, driver } = env;
  const names = Array.from({ length: pods }, (_, i) => `watch-${watchers}-${i}`);
  const list = await driver.client.listPods();
  if (list.status !== 200) throw new Error(`list pods: ${list.status}`);
  const rv = String(list.body?.metadata?.resourceVersion ?? '0');
  const procs = Array.from({ length: Math.min(WATCHER_PROCESSES, watchers) }, () => startWatchers());
  const pids = () => procs.map((p) => p.child.pid!);
  const all = async (req: WatchersRequest | ((i: number) => WatchersRequest)) => Promise.all(procs.map((p, i) => p.ask(typeof req === 'function' ? req(i) : req)));
  try {
    const paths = Array.from({ length: watchers }, (_, i) => watchPath(i, watchers, NAMESPACE));
    const ready = await all((k) => ({ t: 'init', cluster: daemon.cluster, paths: paths.filter((_, i) => i % procs.length === k), resourceVersion: rv }));
    const bad = ready.find((r) => r.t !== 'ready');
    if (bad) throw new Error(`opening ${watchers} watches: ${bad.t === 'failed' ? bad.error : bad.t}`);
    const allRunning = all({ t: 'await', pods: names, timeoutMs: ALL_RUNNING_TIMEOUT_MS });
    signal.throwIfAborted();

    const daemonPid = daemon.pid!;
    const rssBeforeMB = daemon.rssMB();
    let rssPeakMB = rssBeforeMB;
    const sampler = setInterval(() => {
      const r = daemon.rssMB();
      if (r !== undefined && (rssPeakMB === undefined || r > rssPeakMB)) rssPeakMB = r;
    }, RSS_SAMPLE_MS);
    const cpuBefore = readCpu(daemonPid, pids());
    const t0 = epochMs();
    let doneAt: number;
    let cpuAfter: ReturnType<typeof readCpu>;
    try {
      await Promise.all(names.map((n) => driver.client.createPod(sleepPod(n))));
      const r = await allRunning;
      doneAt = epochMs();
      cpuAfter = readCpu(daemonPid, pids());
      const late = r.find((x) => x.t !== 'done');
      if (late) throw new Error(`not every watcher had every pod Running in ${ALL_RUNNING_TIMEOUT_MS / 1000} s${late.t === 'timeout' ? ` (${late.watchersDone} of a process's watchers had)` : ''}`);
    } finally {
      clearInterval(sampler);
    }
    const collected = await all('collect');
    const logs = collected.flatMap((c) => (c.t === 'logs' ? c.logs : []));
    const errors = collected.flatMap((c) => (c.t === 'logs' ? c.errors : []));
    if (logs.length !== watchers) throw new Error(`collect: ${logs.length} of ${watchers} watchers' logs`);
    const windowMs = doneAt - t0;
    const split = cpuSplit(cpuBefore, cpuAfter);
    const pct = (coreS: number) => (coreS * 1000 * 100) / windowMs;
    const watcherTicks = pids().reduce((sum, pid) => sum + (cpuAfter.bench.get(pid) ?? NaN) - (cpuBefore.bench.get(pid) ?? NaN), 0);
    return {
      ...fanoutFigures(logs, names, t0),
      windowMs,
      watcherProcesses: procs.length,
      daemonCpuPct: pct(split.daemonCoreS - split.helperCoreS),
      helperCpuPct: pct(split.helperCoreS),
      ...(Number.isFinite(watcherTicks) ? { watcherProcessCpuPct: pct(watcherTicks / 100) } : {}),
      rssBeforeMB,
      rssPeakMB,
      errors,
    };
  } finally {
    for (const p of procs) p.close();
    await driver.removeAll();
  }
}

/** The baseline burst with one watcher, then the same with `watchers`. */
export async function runWatchers(env: WatchersEnv, counts: { pods: number; watchers: number }, signal: AbortSignal): Promise<WatchersFigures> {
  const out: WatchersFigures = { pods: counts.pods, runs: [] };
  for (const n of [1, counts.watchers]) {
    env.progress(`watchers: ${counts.pods} pods at once under ${n} watcher${n === 1 ? '' : 's'}`);
    out.runs.push(await runWatchersOnce(env, counts.pods, n, signal));
  }
  return out;
}
