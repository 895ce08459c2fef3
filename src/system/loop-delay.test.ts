import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LOOP_DELAY_BUCKETS_S, LoopDelayRecord, LoopDelaySampler } from './loop-delay.js';

const bucketCount = (r: LoopDelayRecord, le: number, at: number) => r.snapshot(at).histogram.buckets.find((b) => b.le === le)?.count;

test('delays land in buckets that tell 1, 2, 5, 10, 20, 50, 100, 200, 500 and 1000 ms apart', () => {
  for (const ms of [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000]) assert.ok(LOOP_DELAY_BUCKETS_S.includes(ms / 1000), `${ms} ms`);
  const r = new LoopDelayRecord();
  for (const s of [0.0004, 0.0015, 0.004, 0.03, 0.3]) r.record(s, 0);
  assert.equal(bucketCount(r, 0.001, 0), 1);
  assert.equal(bucketCount(r, 0.002, 0), 2);
  assert.equal(bucketCount(r, 0.005, 0), 3);
  assert.equal(bucketCount(r, 0.02, 0), 3);
  assert.equal(bucketCount(r, 0.05, 0), 4);
  assert.equal(bucketCount(r, 0.5, 0), 5);
  assert.equal(r.snapshot(0).histogram.count, 5);
});

test('a timer that ran early (clock rounding) counts as no delay', () => {
  const r = new LoopDelayRecord();
  r.record(-0.0003, 0);
  assert.equal(r.snapshot(0).histogram.sum, 0);
  assert.equal(bucketCount(r, 0.001, 0), 1);
});

test('the max over a window covers the current second and the window before it, and forgets older seconds', () => {
  const r = new LoopDelayRecord();
  r.record(0.2, 1_500); // second 1
  r.record(0.05, 5_100); // second 5
  r.record(0.01, 5_900);
  r.record(0.03, 9_000); // second 9
  const max = (windowS: number, at: number) => r.maxOver(windowS, at);
  assert.equal(max(1, 9_500), 0.03, 'seconds 8 and 9');
  assert.equal(max(4, 9_500), 0.05, 'seconds 5 to 9');
  assert.equal(max(10, 9_500), 0.2);
  assert.equal(max(1, 30_000), 0, 'nothing in seconds 29 and 30');
  assert.deepEqual(r.snapshot(9_500).max, [
    { windowS: 1, seconds: 0.03 },
    { windowS: 10, seconds: 0.2 },
    { windowS: 60, seconds: 0.2 },
  ]);
});

test('a second reused by the ring starts from its own delays, not the ones a minute earlier', () => {
  const r = new LoopDelayRecord();
  r.record(0.5, 2_000);
  r.record(0.001, 63_000); // same ring slot as second 2 (61 slots)
  assert.equal(r.maxOver(60, 63_000), 0.001);
});

test('the sampler records ticks while it runs and stops cleanly', async () => {
  const s = new LoopDelaySampler();
  s.start();
  await new Promise((r) => setTimeout(r, 60));
  const block = Date.now() + 30;
  while (Date.now() < block) {
    /* hold the loop for 30 ms */
  }
  await new Promise((r) => setTimeout(r, 30));
  s.stop();
  const snap = s.snapshot();
  assert.ok(snap.histogram.count >= 3, `ticks: ${snap.histogram.count}`);
  assert.ok(snap.max[0]!.seconds >= 0.015, `the 30 ms block shows: ${snap.max[0]!.seconds}`);
  const after = snap.histogram.count;
  await new Promise((r) => setTimeout(r, 40));
  assert.equal(s.snapshot().histogram.count, after, 'no ticks after stop');
});
