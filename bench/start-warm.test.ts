import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { PodDriver } from './driver.js';
import { sleepPod, type PodManifest } from './pod-specs.js';
import { parsePrometheusText } from './prom-text.js';
import { readPool, runWarmStarts, type PoolReading } from './start-warm.js';

const METRICS = `# HELP peapod_warm_pool_size Sandboxes the warm pool keeps ready (serve --warm-pool).
# TYPE peapod_warm_pool_size gauge
peapod_warm_pool_size 1
# TYPE peapod_warm_pool_ready_sandboxes gauge
peapod_warm_pool_ready_sandboxes 0
# TYPE peapod_warm_pool_claims_total counter
peapod_warm_pool_claims_total 7
`;

test('readPool reads the pool size, its ready sandboxes and its claims from a scrape', () => {
  assert.deepEqual(readPool(parsePrometheusText(METRICS)), { size: 1, ready: 0, claims: 7 });
});

test('readPool fails when the daemon does not report the pool', () => {
  const without = METRICS.split('\n').filter((l) => !l.includes('claims')).join('\n');
  assert.throws(() => readPool(parsePrometheusText(without)), /the daemon's \/metrics has no peapod_warm_pool_claims_total/);
});

/**
 * A daemon's pool and a driver over it, in one log: each pool read answers from `ready` (per read, the last
 * one repeating), a start claims the ready sandbox when `claims(i)` says so, as the daemon would.
 */
function world(opts: { size?: number; reads: number[]; claims: (i: number) => boolean; latency?: (i: number) => number }) {
  const log: string[] = [];
  let reads = 0;
  let claims = 0;
  let ready = 0;
  const pool = async (): Promise<PoolReading> => {
    ready = opts.reads[Math.min(reads, opts.reads.length - 1)]!;
    log.push(`read ready=${ready}`);
    reads++;
    return { size: opts.size ?? 1, ready, claims };
  };
  let started = 0;
  const d = {
    side: 'peapod',
    start: async (pod: PodManifest) => {
      const i = started++;
      assert.deepEqual(pod, sleepPod(`warm-${i}`));
      if (opts.claims(i)) claims++;
      log.push(`start ${pod.metadata.name}`);
      return opts.latency ? opts.latency(i) : 100 + i;
    },
  } as unknown as PodDriver;
  return { d, pool, log };
}

const signal = () => new AbortController().signal;

test('runWarmStarts: each start once the pool shows a ready sandbox, one after another; claims counted from the counter', async () => {
  // Reads: the size check (ready), then after start 0; before start 1 two reads empty then ready; after 1; before 2 ready; after 2.
  const w = world({ reads: [1, 0, 0, 0, 1, 0, 1, 0], claims: () => true });
  const f = await runWarmStarts(w.d, w.pool, { prefix: 'warm', count: 3, poolSize: 1, pollMs: 1 }, signal());
  assert.deepEqual(w.log, [
    'read ready=1', 'start warm-0', 'read ready=0',
    'read ready=0', 'read ready=0', 'read ready=1', 'start warm-1', 'read ready=0',
    'read ready=1', 'start warm-2', 'read ready=0',
  ]);
  assert.deepEqual([f.poolSize, f.claimed, f.waitTimedOut, f.readyNotClaimed], [1, 3, 0, 0]);
  assert.deepEqual([f.starts.n, f.starts.p50, f.starts.max], [3, 101, 102]);
  assert.equal(f.waits.n, 3);
  assert.ok(f.waits.max >= 2 * 1, 'the second start waited two polls');
});

test('runWarmStarts: a start after a ready read that does not claim is counted apart; a wait that runs out still times the start', async () => {
  // Start 0: ready, not claimed. Start 1: never ready (wait of 30 ms runs out), not claimed.
  const w = world({ reads: [1, 0], claims: () => false });
  const f = await runWarmStarts(w.d, w.pool, { prefix: 'warm', count: 2, poolSize: 1, waitMs: 30, pollMs: 5 }, signal());
  assert.deepEqual([f.claimed, f.readyNotClaimed, f.waitTimedOut, f.starts.n], [0, 1, 1, 2]);
  assert.ok(w.log.includes('start warm-1'));
  assert.ok(f.waits.max >= 30 && f.waits.max < 1000, `waited ${f.waits.max} ms`);
});

test('runWarmStarts: once the run\'s wait budget is spent, starts go without waiting', async () => {
  const w = world({ reads: [0], claims: () => false });
  const t0 = Date.now();
  const f = await runWarmStarts(w.d, w.pool, { prefix: 'warm', count: 4, poolSize: 1, waitMs: 10_000, waitBudgetMs: 40, pollMs: 5 }, signal());
  assert.ok(Date.now() - t0 < 2000);
  assert.deepEqual([f.waitTimedOut, f.claimed, f.readyNotClaimed, f.starts.n], [4, 0, 0, 4]);
});

test('runWarmStarts refuses a daemon whose pool is not the size asked for, before any start', async () => {
  const w = world({ size: 0, reads: [0], claims: () => true });
  await assert.rejects(runWarmStarts(w.d, w.pool, { prefix: 'warm', count: 2, poolSize: 1 }, signal()), /peapod_warm_pool_size is 0, not 1: it does not serve with --warm-pool 1/);
  assert.ok(!w.log.some((x) => x.startsWith('start')));
});

test('runWarmStarts stops once its signal is aborted, also in the middle of a wait', async () => {
  const w = world({ reads: [1, 0], claims: () => true });
  const ac = new AbortController();
  setTimeout(() => ac.abort(new Error('limit')), 30);
  await assert.rejects(runWarmStarts(w.d, w.pool, { prefix: 'warm', count: 3, poolSize: 1, pollMs: 5 }, ac.signal), /limit|abort/i);
  assert.deepEqual(w.log.filter((x) => x.startsWith('start')), ['start warm-0']);
});
