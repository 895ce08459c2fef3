// The scenarios, written once against PodDriver so both sides run exactly the same sequence of pods.
// Each checks `signal` between pods: the caller aborts it at the scenario's hard time limit.

import { epochMs } from './api-client.js';
import type { PodDriver } from './driver.js';
import { churnPod, type PodManifest, sleepPod, withClaim } from './pod-specs.js';
import type { ApiFigures, DensityFigures, LoadedStartFigures } from './results.js';
import { percentile, perSecond, summarize, type LatencySummary } from './stats.js';
import type { ApiClient } from './api-client.js';

/** Runs `fn` over `items` with at most `concurrency` at once; rejects on the first failure. */
export async function runPool<T>(items: readonly T[], concurrency: number, fn: (item: T) => Promise<void>, signal?: AbortSignal): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      signal?.throwIfAborted();
      const item = items[next++]!;
      await fn(item);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
}

/**
 * start-1 / start-init / start-pvc: `count` pods one after another; latency of each start. `claim`: each pod
 * comes with a fresh claim of its own, mounted at /data (pod-specs withClaim), created with it. Pods (and
 * claims) stay until cleanup.
 */
export async function runStarts(d: PodDriver, make: (name: string) => PodManifest, prefix: string, count: number, signal: AbortSignal, opts: { claim?: boolean } = {}): Promise<LatencySummary> {
  const samples: number[] = [];
  for (let i = 0; i < count; i++) {
    signal.throwIfAborted();
    const pod = make(`${prefix}-${i}`);
    if (opts.claim) {
      const w = withClaim(pod);
      samples.push(await d.start(w.pod, [w.claim]));
    } else samples.push(await d.start(pod));
  }
  return summarize(samples);
}

export interface ChurnFigures {
  podsPerSecond: number;
  /** Pods that went through; fewer than asked when the time budget ran out. */
  pods: number;
}

/**
 * churn: create → Running → delete → gone for `count` pods, `concurrency` at a time; pods per second.
 * No new pod starts after `budgetMs`, so a slow side still yields a rate (over the pods that went through).
 */
export async function runChurn(d: PodDriver, prefix: string, count: number, concurrency: number, budgetMs: number, signal: AbortSignal): Promise<ChurnFigures> {
  const names = Array.from({ length: count }, (_, i) => `${prefix}-${i}`);
  const t0 = epochMs();
  let done = 0;
  await runPool(names, concurrency, async (name) => {
    if (epochMs() - t0 > budgetMs) return;
    await d.start(churnPod(name));
    await d.remove(name);
    done++;
  }, signal);
  return { podsPerSecond: perSecond(done, epochMs() - t0), pods: done };
}

/** `count` sleep pods `<prefix>-<i>`, 10 creates in flight, until every one runs; ms from the first create until the last ran. */
export async function startSleepPods(d: PodDriver, prefix: string, count: number, signal: AbortSignal): Promise<number> {
  const names = Array.from({ length: count }, (_, i) => `${prefix}-${i}`);
  const t0 = epochMs();
  let lastRunning = t0;
  await runPool(names, 10, async (name) => {
    await d.start(sleepPod(name));
    lastRunning = Math.max(lastRunning, epochMs());
  }, signal);
  return lastRunning - t0;
}

/** density: `count` one-container pods (10 creates in flight), until every one runs; then memory. */
export async function runDensity(d: PodDriver, prefix: string, count: number, signal: AbortSignal): Promise<DensityFigures> {
  const allRunningMs = await startSleepPods(d, prefix, count, signal);
  return { pods: count, allRunningMs, ...(await d.memory(count)) };
}

/**
 * start-loaded: `background` sleep pods `<prefix>-bg-<i>` started as density starts them, until every one
 * runs; then `waitQuiet` (the host settling once they run: false when it did not within its budget);
 * then start-1's sequence, `starts` sleep pods `<prefix>-<i>` one after another, each start timed. Every
 * pod stays until cleanup.
 */
export async function runLoadedStarts(
  d: PodDriver,
  prefix: string,
  counts: { background: number; starts: number },
  waitQuiet: (signal: AbortSignal) => Promise<boolean>,
  signal: AbortSignal,
): Promise<LoadedStartFigures> {
  const backgroundRunningMs = await startSleepPods(d, `${prefix}-bg`, counts.background, signal);
  const t0 = epochMs();
  const quiet = await waitQuiet(signal);
  const settleMs = epochMs() - t0;
  const starts = await runStarts(d, sleepPod, prefix, counts.starts, signal);
  return { background: counts.background, backgroundRunningMs, settleMs, quiet, starts };
}

/** `n` requests, `concurrency` in flight; each must answer 200. Rate and p99 latency. */
export async function measureRequests(n: number, concurrency: number, call: (i: number) => Promise<{ status: number }>, signal: AbortSignal): Promise<{ rps: number; p99Ms: number }> {
  const lat: number[] = [];
  const t0 = epochMs();
  await runPool(Array.from({ length: n }, (_, i) => i), concurrency, async (i) => {
    const s = epochMs();
    const r = await call(i);
    if (r.status !== 200) throw new Error(`request ${i} answered ${r.status}`);
    lat.push(epochMs() - s);
  }, signal);
  return { rps: perSecond(n, epochMs() - t0), p99Ms: percentile(lat, 99) };
}

/** api: `requests` lists then gets (round-robin over `names`), `concurrency` in flight; rate and p99. */
export async function runApi(client: ApiClient, names: string[], requests: { list: number; get: number }, concurrency: number, signal: AbortSignal): Promise<ApiFigures> {
  const list = await measureRequests(requests.list, concurrency, () => client.listPods(), signal);
  const get = await measureRequests(requests.get, concurrency, (i) => client.getPod(names[i % names.length]!), signal);
  return { pods: names.length, list, get };
}
