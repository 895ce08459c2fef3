// start-warm (issue 15): start-1's pods, one after another, on a daemon serving with `--warm-pool N`.
// Before each timed start the bench waits, untimed, until the daemon's /metrics shows a pool sandbox
// ready to be claimed: each start measures a pod created with the pool warm, what a developer who
// applies a pod now and then sees (the pool refills in the background once the node is idle, so a pod
// created right after another could find it empty). The pool's claims counter, read around each start,
// tells which starts really took a pool sandbox. The caller serves the daemon with the flag.

import { setTimeout as sleep } from 'node:timers/promises';
import { epochMs } from './api-client.js';
import type { PodDriver } from './driver.js';
import { sleepPod } from './pod-specs.js';
import { sampleValue, type PromSample } from './prom-text.js';
import type { WarmStartFigures } from './results.js';
import { summarize } from './stats.js';

/** The pool size the scenario serves the daemon with. */
export const WARM_POOL_SIZE = 1;
/** How long one start waits for a ready pool sandbox before it is timed anyway. */
export const WARM_WAIT_MS = 20_000;
/** The waits of one run together: a pool that never refills still leaves the starts time to run. */
export const WARM_WAIT_BUDGET_MS = 120_000;
const POLL_MS = 50;

/** The pool's figures in one scrape of /metrics. */
export interface PoolReading {
  size: number;
  ready: number;
  claims: number;
}

/** The pool's gauges and claims counter from a scrape; throws when the daemon does not report them. */
export function readPool(samples: readonly PromSample[]): PoolReading {
  const get = (name: string) => {
    const v = sampleValue(samples, name);
    if (v === undefined) throw new Error(`the daemon's /metrics has no ${name}`);
    return v;
  };
  return { size: get('peapod_warm_pool_size'), ready: get('peapod_warm_pool_ready_sandboxes'), claims: get('peapod_warm_pool_claims_total') };
}

export interface WarmOptions {
  prefix: string;
  count: number;
  /** The size the daemon was served with: its peapod_warm_pool_size must say so. */
  poolSize: number;
  waitMs?: number;
  waitBudgetMs?: number;
  pollMs?: number;
}

/**
 * `count` sleep pods `<prefix>-<i>`, one after another, each timed as start-1's; before each, untimed,
 * `pool()` is read until a sandbox is ready (at most `waitMs`, and `waitBudgetMs` over the run); after
 * each, once more: a start claimed when the claims counter went up meanwhile. Pods stay until cleanup.
 */
export async function runWarmStarts(d: PodDriver, pool: () => Promise<PoolReading>, opts: WarmOptions, signal: AbortSignal): Promise<WarmStartFigures> {
  const waitMs = opts.waitMs ?? WARM_WAIT_MS;
  const pollMs = opts.pollMs ?? POLL_MS;
  let budget = opts.waitBudgetMs ?? WARM_WAIT_BUDGET_MS;
  const first = await pool();
  if (first.size !== opts.poolSize) throw new Error(`the daemon's peapod_warm_pool_size is ${first.size}, not ${opts.poolSize}: it does not serve with --warm-pool ${opts.poolSize}`);
  const samples: number[] = [];
  const waits: number[] = [];
  let claimed = 0;
  let waitTimedOut = 0;
  let readyNotClaimed = 0;
  for (let i = 0; i < opts.count; i++) {
    signal.throwIfAborted();
    const t0 = epochMs();
    const deadline = t0 + Math.min(waitMs, Math.max(0, budget));
    let before = i === 0 ? first : await pool();
    while (before.ready < 1 && epochMs() < deadline) {
      await sleep(pollMs, undefined, { signal });
      before = await pool();
    }
    const waited = epochMs() - t0;
    budget -= waited;
    waits.push(waited);
    if (before.ready < 1) waitTimedOut++;
    samples.push(await d.start(sleepPod(`${opts.prefix}-${i}`)));
    const after = await pool();
    if (after.claims > before.claims) claimed++;
    else if (before.ready >= 1) readyNotClaimed++;
  }
  return { poolSize: opts.poolSize, starts: summarize(samples), claimed, waitTimedOut, readyNotClaimed, waits: summarize(waits) };
}
