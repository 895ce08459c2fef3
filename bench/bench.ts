// `npm run bench`: peapod against `podman kube play` — pod start latency, churn, density, API — on the
// same pods and image. Runs as root; starts its own daemon and podman world, removes both at the end
// (also on failure or Ctrl-C), prints tables and targets, writes BENCHMARKS.md. See BENCHMARKS.md § Method.

import { existsSync } from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { HostExec } from '../src/system/exec.js';
import { KUBECTL } from '../test/support/daemon.js';
import { commandLine, countsFor, parseArgs, selected, wantsPodman, type BenchArgs, type Counts } from './args.js';
import type { PodDriver } from './driver.js';
import { busyboxLayer } from './image-export.js';
import { hostLeftovers, QUIET_BUDGET_MS, QUIET_BUSY, runLoad, waitQuietHost } from './load.js';
import { describeMachine } from './machine.js';
import { BenchDaemon } from './peapod-daemon.js';
import { PeapodDriver } from './peapod-driver.js';
import { initPod, sleepPod } from './pod-specs.js';
import { PodmanDriver } from './podman-driver.js';
import { PodmanEnv } from './podman-env.js';
import { findPodman, installPodman } from './podman-setup.js';
import { buildProfile, parseLogLines } from './profile.js';
import { renderBenchmarksMd, renderConsole, type BenchReport } from './report.js';
import { emptyResults, loadedRatioNotes, warmNotes, type LoadFigures, type ProbeFigures } from './results.js';
import { runProbes } from './probes.js';
import { runExec } from './exec.js';
import { describePullRuns, preparePullImage, runPull, type PullFixture } from './pull.js';
import { runApi, runChurn, runDensity, runLoadedStarts, runStarts, startSleepPods } from './scenarios.js';
import { readPool, runWarmStarts, WARM_POOL_SIZE, WARM_WAIT_BUDGET_MS } from './start-warm.js';
import { runWatchers } from './watchers.js';
import { runApiAuth } from './api-auth.js';
import { runDashboard } from './dashboard.js';
import { runCli } from './cli.js';
import { KUBE_VERSION } from '../src/k8s/version.js';

const PEAPOD_CIDR = '10.88.220.0/22';
const KUBECTL_DIRECT = `/usr/lib/google-cloud-sdk/bin/kubectl.1.${KUBE_VERSION.minor}`;
const exec = new HostExec();
const progress = (line: string) => process.stderr.write(`[bench] ${line}\n`);
const fileExists = (p: string) => fs.access(p).then(() => true, () => false);

/** Hard time limits per scenario and side, ms. */
/** load: its bursts have budgets of their own (load.ts), 9 minutes in all; this bounds the rest. */
/** startLoaded: density's, the quiet wait's budget (load.ts) and start-1's. startWarm: start-1's and its waits' budget. */
/** dashboard: density's (when it starts pods of its own) and 2 minutes for the browser. cli: its pods' start and 155 runs (5 commands, 31 rounds) of a few hundred ms each. */
const LIMITS = { cli: 240_000, start1: 120_000, startWarm: 120_000 + WARM_WAIT_BUDGET_MS, startPvc: 150_000, startLoaded: 150_000 + QUIET_BUDGET_MS + 120_000, exec: 180_000, startInit: 150_000, churnSeq: 120_000, churnBatch: 120_000, density: 150_000, api: 60_000, load: 780_000, probes: 420_000, watchers: 300_000, apiAuth: 180_000, dashboard: 150_000 + 120_000, pullSetup: 120_000, pull: 360_000, cleanup: 120_000 };

/** Runs one scenario under its time limit; a failure or timeout becomes a note and undefined. */
async function scenario<T>(label: string, limitMs: number, outer: AbortSignal, notes: string[], fn: (signal: AbortSignal) => Promise<T>): Promise<T | undefined> {
  const signal = AbortSignal.any([outer, AbortSignal.timeout(limitMs)]);
  progress(`${label} …`);
  const t0 = Date.now();
  try {
    const aborted = new Promise<never>((_, reject) =>
      signal.addEventListener('abort', () => reject(outer.aborted ? outer.reason : new Error(`hard limit of ${limitMs / 1000} s reached`)), { once: true }),
    );
    const v = await Promise.race([fn(signal), aborted]);
    progress(`${label} done in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    return v;
  } catch (err) {
    const msg = `${label} did not complete: ${(err as Error).message.split('\n')[0]}`;
    progress(msg);
    notes.push(msg);
    return undefined;
  }
}

/** One churn run; its time budget is 80% of the hard limit, and a shortened run is noted. */
async function churn(d: PodDriver, label: string, prefix: string, concurrency: number, limitMs: number, count: number, report: BenchReport, signal: AbortSignal): Promise<number | undefined> {
  const f = await scenario(`${d.side} churn ${label}`, limitMs, signal, report.notes, (s) => runChurn(d, prefix, count, concurrency, limitMs * 0.8, s));
  if (f && f.pods < count) report.notes.push(`${d.side} churn ${label}: ${f.pods} of ${count} pods within the ${(limitMs * 0.8) / 1000} s budget; the rate is over those`);
  return f?.podsPerSecond;
}

/** What a side runs besides the scenarios every side runs: after density (over its pods), and start-warm. */
interface SideHooks {
  afterDensity?: (names: string[]) => Promise<void>;
  startWarm?: () => Promise<void>;
}

/** The scenarios every side runs, in order (those selected); cleanup (not timed) after each. */
async function runSide(d: PodDriver, args: BenchArgs, counts: Counts, report: BenchReport, signal: AbortSignal, hooks: SideHooks = {}): Promise<void> {
  const r = report.results;
  const notes = report.notes;
  const clean = () => scenario(`${d.side} cleanup`, LIMITS.cleanup, signal, notes, () => d.removeAll());
  if (selected(args, 'start-1')) {
    r.start1[d.side] = await scenario(`${d.side} start-1`, LIMITS.start1, signal, notes, (s) => runStarts(d, sleepPod, 'start1', counts.start1, s));
    await clean();
  }
  if (selected(args, 'start-warm') && hooks.startWarm) await hooks.startWarm();
  if (selected(args, 'start-init')) {
    r.startInit[d.side] = await scenario(`${d.side} start-init`, LIMITS.startInit, signal, notes, (s) =>
      runStarts(d, initPod, 'init', d.side === 'podman' ? counts.podmanStartInit : counts.startInit, s),
    );
    await clean();
  }
  if (selected(args, 'start-pvc')) {
    // start-1's pod and count, each pod with a fresh claim; cleanup deletes the pods, then the claims, until their volumes are gone.
    r.startPvc[d.side] = await scenario(`${d.side} start-pvc`, LIMITS.startPvc, signal, notes, (s) => runStarts(d, sleepPod, 'pvc', counts.start1, s, { claim: true }));
    await clean();
  }
  if (selected(args, 'churn')) {
    r.churnSequential[d.side] = await churn(d, 'one at a time', 'churn1', 1, LIMITS.churnSeq, counts.churn, report, signal);
    await clean();
    r.churnBatch[d.side] = await churn(d, '10 at a time', 'churn10', 10, LIMITS.churnBatch, counts.churn, report, signal);
    await clean();
  }
  if (selected(args, 'density')) {
    r.density[d.side] = await scenario(`${d.side} density`, LIMITS.density, signal, notes, (s) => runDensity(d, 'dense', counts.density, s));
    if (r.density[d.side] && hooks.afterDensity) await hooks.afterDensity(Array.from({ length: counts.density }, (_, i) => `dense-${i}`));
    await clean();
  }
  if (selected(args, 'start-loaded')) {
    // Background pods as density starts them (a prefix of their own), the host left to settle once they run,
    // then start-1's pods and count, one after another; cleanup removes both kinds.
    const c = { background: counts.startLoadedBackground, starts: counts.start1 };
    const f = await scenario(`${d.side} start-loaded`, LIMITS.startLoaded, signal, notes, (s) =>
      runLoadedStarts(d, 'loaded', c, (q) => waitQuietHost(QUIET_BUSY, QUIET_BUDGET_MS, q), s),
    );
    r.startLoaded[d.side] = f;
    if (f && !f.quiet) notes.push(`${d.side} start-loaded: the host was still more than ${QUIET_BUSY * 100}% busy ${QUIET_BUDGET_MS / 1000} s after the ${f.background} background pods ran; the starts were timed anyway`);
    await clean();
  }
  if (selected(args, 'exec')) {
    r.exec[d.side] = await scenario(`${d.side} exec`, LIMITS.exec, signal, notes, async (s) => {
      await d.start(sleepPod('exec-target'));
      return runExec(d.execCommand('exec-target', 'main'), counts.execs, s);
    });
    await clean();
  }
}

/**
 * start-warm: the daemon serves again with --warm-pool, start-1's pods are started on it each once a pool
 * sandbox is ready, then cleaned up. With every pod deleted the daemon stops (draining its pool) and the
 * host must hold nothing of the engine; then it serves as before for the scenarios after. Only a failure
 * to serve as before is thrown (the peapod column cannot go on); the rest becomes notes.
 */
async function runStartWarm(daemon: BenchDaemon, driver: PeapodDriver, counts: Counts, report: BenchReport, signal: AbortSignal): Promise<void> {
  const notes = report.notes;
  const label = 'peapod start-warm';
  driver.close();
  await daemon.stopServing();
  let warm = false;
  try {
    await daemon.serve({ warmPool: WARM_POOL_SIZE });
    await driver.reconnect();
    warm = true;
  } catch (err) {
    const msg = `${label} did not complete: the daemon did not serve with --warm-pool ${WARM_POOL_SIZE}: ${(err as Error).message.split('\n')[0]} ${daemon.logTail(3).replace(/\s+/g, ' ').slice(0, 400)}`;
    progress(msg);
    notes.push(msg);
  }
  if (warm) {
    const opts = { prefix: 'warm', count: counts.start1, poolSize: WARM_POOL_SIZE };
    report.results.startWarm.peapod = await scenario(label, LIMITS.startWarm, signal, notes, (s) => runWarmStarts(driver, async () => readPool(await driver.metrics()), opts, s));
    await scenario('peapod cleanup', LIMITS.cleanup, signal, notes, () => driver.removeAll());
    const remaining = await driver.client.listPods().then((r) => (r.body?.items ?? []).length as number, () => -1);
    driver.close();
    await daemon.stopServing();
    // The pool daemon drains its pool at a clean stop: with no pod left, nothing of the engine may stay.
    if (remaining !== 0) notes.push(`${label}: host check skipped: ${remaining < 0 ? 'the pods could not be listed' : `${remaining} pods were still being deleted`} when the --warm-pool daemon stopped`);
    else {
      const left = await hostLeftovers(daemon);
      if (left.length) notes.push(`${label}: with every pod deleted and the --warm-pool daemon stopped, the host still held ${left.join('; ')}`);
    }
  }
  await daemon.stopServing();
  await daemon.serve();
  await driver.reconnect();
}

/**
 * dashboard: the page's first render in chromium with `counts.dashboardPods` pods running: over density's
 * pods (`names`, still running) when it made as many, else over sleep pods of its own, started as density
 * starts them and removed after.
 */
async function dashboard(daemon: BenchDaemon, driver: PeapodDriver, counts: Counts, report: BenchReport, signal: AbortSignal, names?: string[]): Promise<void> {
  const own = !names;
  let before = NaN;
  report.results.dashboard = await scenario('peapod dashboard', LIMITS.dashboard, signal, report.notes, async (s) => {
    const pods = names ?? Array.from({ length: counts.dashboardPods }, (_, i) => `dash-${i}`);
    if (own) await startSleepPods(driver, 'dash', counts.dashboardPods, s);
    before = os.loadavg()[0]!;
    return runDashboard({ api: driver.client, cluster: daemon.cluster }, pods.map((n) => `default/${n}`), counts.dashboardReloads, s);
  });
  // The browser, the page and the daemon share the host's cores: other work shows in every reload.
  if (report.results.dashboard) report.notes.push(`dashboard: host load average (1 min) ${before.toFixed(1)} once the pods ran, ${os.loadavg()[0]!.toFixed(1)} after the reloads (${os.cpus().length} cores)`);
  if (own) await scenario('peapod cleanup', LIMITS.cleanup, signal, report.notes, () => driver.removeAll());
}

/**
 * cli: `peapod get pods` and `peapod version --client` beside kubectl's, each run a fresh process (the
 * checkout's bin/peapod.js executed as the /usr/local/bin/peapod link runs it), over `counts.cliPods` sleep
 * pods of its own, started as density starts them and removed after. It runs first, right after the daemon
 * serves: nothing of the bench runs then, no pod is starting or being deleted, and the daemon has served no
 * scenario yet, so the figures are those of an idle daemon (what a user typing the command meets).
 */
async function cli(daemon: BenchDaemon, driver: PeapodDriver, counts: Counts, report: BenchReport, signal: AbortSignal): Promise<void> {
  let before = NaN;
  report.results.cli = await scenario('peapod cli', LIMITS.cli, signal, report.notes, async (s) => {
    const pods = Array.from({ length: counts.cliPods }, (_, i) => `cli-${i}`);
    await startSleepPods(driver, 'cli', counts.cliPods, s);
    before = os.loadavg()[0]!;
    const opts = {
      peapod: path.join(repoRoot(), 'bin', 'peapod.js'),
      kubectl: KUBECTL,
      // The kubectl /usr/bin/kubectl (the Google Cloud SDK's dispatcher here) execs for this server's version.
      ...(existsSync(KUBECTL_DIRECT) ? { kubectlDirect: KUBECTL_DIRECT } : {}),
      kubeconfig: daemon.paths.kubeconfigPath,
      kubectlCacheDir: path.join(daemon.paths.dataDir, 'kubectl-cache-cli'),
      pods,
      runs: counts.cliRuns,
      node: 'node',
    };
    return runCli(opts, s);
  });
  // Start-up is CPU work: other work on the host's cores shows in every run.
  if (report.results.cli) report.notes.push(`cli: host load average (1 min) ${before.toFixed(1)} once the pods ran, ${os.loadavg()[0]!.toFixed(1)} after the runs (${os.cpus().length} cores)`);
  // Node reads and parses every certificate of that file when it starts (the floor row shows it); Go's kubectl does not read it.
  if (report.results.cli && process.env.NODE_EXTRA_CA_CERTS) report.notes.push(`cli: NODE_EXTRA_CA_CERTS=${process.env.NODE_EXTRA_CA_CERTS} was set: every node process (peapod's and the floor's) parsed that bundle as it started`);
  await scenario('peapod cleanup', LIMITS.cleanup, signal, report.notes, () => driver.removeAll());
}

async function runPeapod(daemon: BenchDaemon, args: BenchArgs, counts: Counts, report: BenchReport, signal: AbortSignal): Promise<void> {
  await daemon.serve();
  const driver = new PeapodDriver(daemon);
  let dashboardRan = false;
  try {
    await driver.open();
    if (selected(args, 'cli')) await cli(daemon, driver, counts, report, signal);
    await runSide(driver, args, counts, report, signal, {
      afterDensity: async (names) => {
        if (selected(args, 'api')) {
          report.results.api = await scenario('peapod api', LIMITS.api, signal, report.notes, (s) =>
            runApi(driver.client, names, { list: counts.apiList, get: counts.apiGet }, 8, s),
          );
        }
        if (selected(args, 'dashboard') && names.length === counts.dashboardPods) {
          dashboardRan = true;
          await dashboard(daemon, driver, counts, report, signal, names);
        }
      },
      startWarm: () => runStartWarm(daemon, driver, counts, report, signal),
    });
    if (selected(args, 'dashboard') && !dashboardRan) await dashboard(daemon, driver, counts, report, signal);
    if (selected(args, 'load')) {
      const load: LoadFigures = { pods: counts.loadPods };
      report.results.load = load;
      const loadCounts = { pods: counts.loadPods, storedIdle: counts.loadStoredIdle, stored: counts.loadStored, listRequests: counts.loadListRequests };
      // Other work on a shared host shows in every figure of a burst: the note says how busy it was.
      const before = os.loadavg()[0]!;
      await scenario('peapod load', LIMITS.load, signal, report.notes, (s) => runLoad({ daemon, driver, progress, note: (n) => report.notes.push(n) }, loadCounts, s, load));
      report.notes.push(`load: host load average (1 min) ${before.toFixed(1)} before the scenario, ${os.loadavg()[0]!.toFixed(1)} after (${os.cpus().length} cores)`);
      if (load.leftovers?.length) report.notes.push(`load: once every pod was deleted the engine still held ${load.leftovers.join('; ')}`);
    }
    if (selected(args, 'probes')) {
      const probes: ProbeFigures = { pods: counts.probePods, execPods: counts.probeExecPods };
      report.results.probes = probes;
      await scenario('peapod probes', LIMITS.probes, signal, report.notes, (s) =>
        runProbes(daemon, driver, { pods: counts.probePods, execPods: counts.probeExecPods, windowMs: counts.probeWindowMs }, s, probes),
      );
    }
    if (selected(args, 'watchers')) {
      report.results.watchers = await scenario('peapod watchers', LIMITS.watchers, signal, report.notes, (s) =>
        runWatchers({ daemon, driver, progress }, { pods: counts.watchPods, watchers: counts.watchers }, s),
      );
      for (const run of report.results.watchers?.runs ?? []) for (const e of run.errors.slice(0, 3)) report.notes.push(`watchers (${run.watchers}): ${e}`);
    }
    if (selected(args, 'api-auth')) {
      const c = { pods: counts.authPods, reusedGet: counts.authReusedGet, reusedList: counts.authReusedList, newGet: counts.authNewGet, newList: counts.authNewList, rounds: counts.authRounds };
      report.results.apiAuth = await scenario('peapod api-auth', LIMITS.apiAuth, signal, report.notes, (s) => runApiAuth(driver, daemon, c, s));
    }
    const start1 = driver.timelines.filter((t) => t.name.startsWith('start1-'));
    if (start1.length) report.profile = buildProfile(start1, parseLogLines(daemon.log()));
  } finally {
    await driver.removeAll().catch(() => undefined);
    // The leak check: with every pod deleted, nothing of the engine may stay on the host (the scrub at
    // stop would hide it). Pods still being deleted would read as leaks: then it is skipped.
    const remaining = await driver.client.listPods().then((r) => (r.body?.items ?? []).length as number, () => -1);
    if (remaining !== 0) report.notes.push(`leak check skipped: ${remaining < 0 ? 'the pods could not be listed' : `${remaining} pods were still being deleted`} when the bench stopped the daemon`);
    else {
      const left = await hostLeftovers(daemon);
      if (left.length) report.notes.push(`peapod left on the host after every pod was deleted: ${left.join('; ')}`);
    }
    driver.close();
  }
}

async function preparePodman(args: BenchArgs, daemon: BenchDaemon, report: BenchReport): Promise<PodmanEnv | undefined> {
  let podman = await findPodman(fileExists);
  if (!podman && args.withPodman) podman = await installPodman({ exec, exists: fileExists, out: progress });
  if (!podman) {
    report.notes.push('podman column skipped: podman is not installed (`npm run bench -- --with-podman` installs it)');
    return undefined;
  }
  const env = await PodmanEnv.create({ podman, exec });
  try {
    report.podmanVersion = await env.version();
    const layer = await busyboxLayer(daemon.paths, exec);
    await env.importRootfs(layer.layerDir, layer.env, layer.cmd);
    return env;
  } catch (err) {
    await env.destroy();
    throw err;
  }
}

function repoRoot(): string {
  // dist/bench/bench.js or .build/<dir>/bench/bench.js: the repo root is the nearest dir above with
  // package.json and bench/.
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++) {
    dir = path.dirname(dir);
    if (existsSync(path.join(dir, 'package.json')) && existsSync(path.join(dir, 'bench'))) return dir;
  }
  return process.cwd();
}

async function main(): Promise<number> {
  const argv = process.argv.slice(2);
  const args = parseArgs(argv);
  if (process.getuid?.() !== 0) {
    console.error('the bench must run as root: it runs pods (runc, CNI, overlayfs)');
    return 1;
  }
  const counts = countsFor(args);
  const here = path.dirname(fileURLToPath(import.meta.url));
  const report: BenchReport = {
    machine: describeMachine(),
    date: new Date().toISOString(),
    command: commandLine(argv, process.env.npm_lifecycle_event, path.relative(process.cwd(), process.argv[1] ?? 'bench.js')),
    results: emptyResults(),
    notes: [],
  };
  if (args.quick) report.notes.push(`quick run: ${JSON.stringify(counts)} pods/requests per scenario`);
  if (args.only) report.notes.push(`only these scenarios ran: ${args.only.join(', ')}`);
  const abort = new AbortController();
  const onSignal = () => abort.abort(new Error('interrupted'));
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);

  const daemon = await BenchDaemon.create({ cliEntry: args.peapodCli ?? path.join(here, 'peapod-cli.js'), podCidr: PEAPOD_CIDR, nodeName: 'peapod-bench' });
  let podmanEnv: PodmanEnv | undefined;
  let pull: PullFixture | undefined;
  try {
    if (args.podman && wantsPodman(args)) podmanEnv = await preparePodman(args, daemon, report);
    if (args.peapod) {
      await runPeapod(daemon, args, counts, report, abort.signal).catch((err: Error) => {
        report.notes.push(`peapod column incomplete: ${err.message.split('\n')[0]} ${daemon.logTail(3).replace(/\s+/g, ' ').slice(0, 400)}`);
      });
    } else report.notes.push('peapod column skipped (--no-peapod)');
    if (podmanEnv) {
      if (selected(args, 'start-init')) report.notes.push(`podman start-init runs ${counts.podmanStartInit} pods, not ${counts.startInit}: \`kube play\` of a pod with an init container is slow with podman ${report.podmanVersion} here (see its p50), and the whole bench stays under 10 minutes`);
      await runSide(new PodmanDriver(podmanEnv), args, counts, report, abort.signal);
    }
    // pull, last: one registry and image for both sides, built once (not timed); then both sides take turns
    // run by run (the daemon still serves, podman's world still exists).
    if (selected(args, 'pull') && (args.peapod || podmanEnv)) pull = await scenario('pull image build', LIMITS.pullSetup, abort.signal, report.notes, () => preparePullImage(progress));
    if (pull) {
      const fx = pull;
      const sides = { ...(args.peapod ? { peapod: daemon } : {}), ...(podmanEnv ? { podman: podmanEnv } : {}) };
      const r = await scenario('pull', LIMITS.pull, abort.signal, report.notes, (s) => runPull(fx, sides, counts.pulls, s, (n) => report.notes.push(n)));
      report.results.pull = r ?? {};
      for (const side of ['peapod', 'podman'] as const) if (r?.[side]) report.notes.push(...describePullRuns(side, r[side]));
    }
  } finally {
    const keptLog = path.join(os.tmpdir(), 'peapod-bench-daemon.log');
    await daemon.stop({ keepLogAt: keptLog }).catch((e: Error) => report.notes.push(`peapod cleanup: ${e.message}`));
    progress(`daemon log kept at ${keptLog}`);
    if (podmanEnv) for (const p of await podmanEnv.destroy()) report.notes.push(`podman cleanup: ${p}`);
    await pull?.stop().catch((e: Error) => report.notes.push(`pull registry cleanup: ${e.message}`));
  }

  report.notes.push(...loadedRatioNotes(report.results, selected(args, 'start-1')));
  report.notes.push(...warmNotes(report.results, selected(args, 'start-1')));
  console.log(renderConsole(report));
  const out = args.out ?? path.join(repoRoot(), 'BENCHMARKS.md');
  if (!args.write) return 0;
  // BENCHMARKS.md only with start-1's figures; a file named with --out whatever ran.
  if (!args.out && !report.results.start1.peapod) {
    progress(`not writing ${out}: the peapod column has no start-1 figures`);
    return 1;
  }
  report.analysis = await fs.readFile(path.join(repoRoot(), 'bench', 'ANALYSIS.md'), 'utf8').catch(() => undefined);
  await fs.writeFile(out, renderBenchmarksMd(report));
  progress(`wrote ${out}`);
  return 0;
}

process.exitCode = await main().catch((err: Error) => {
  console.error(`bench failed: ${err.stack ?? err.message}`);
  return 1;
});
