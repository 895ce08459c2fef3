import assert from 'node:assert/strict';
import { test } from 'node:test';
import { backoffBlocked, backoffNext, formatDelay, type BackoffRecord } from './backoff.js';

/**
 * Simulates a crash loop as the worker drives it: each instance runs `runs[i]` s, then the restart is
 * attempted every second after the exit until it is no longer blocked (so an expiry in the middle of a
 * wait would show as a shorter gap). Returns the gaps between each exit and the next start, in s.
 */
function simulate(runs: number[]): number[] {
  let rec: BackoffRecord | undefined;
  let start = 0;
  const gaps: number[] = [];
  for (const run of runs) {
    const finishedAt = start + run * 1000;
    let now = finishedAt;
    while (backoffBlocked(rec, finishedAt, now)) now += 1000;
    gaps.push((now - finishedAt) / 1000);
    rec = backoffNext(rec, now, finishedAt);
    start = now;
  }
  return gaps;
}

const cases: { name: string; runs: number[]; gaps: number[] }[] = [
  { name: 'containers that crash at once restart after 0, 10, 20, 40, 80, 160, 300, 300, 300 s', runs: Array(9).fill(0), gaps: [0, 10, 20, 40, 80, 160, 300, 300, 300] },
  { name: 'containers that crash after 100 s restart after 0, 10, 20, 40, 80, 160, 300, 300, 300 s', runs: Array(9).fill(100), gaps: [0, 10, 20, 40, 80, 160, 300, 300, 300] },
  { name: 'containers that crash after 600 s keep the back-off (only more than 10 min resets it)', runs: [0, 0, 0, 600, 0], gaps: [0, 10, 20, 40, 80] },
  { name: 'a run of 601 s resets the schedule to an immediate restart, then 10 s', runs: [0, 0, 0, 601, 0], gaps: [0, 10, 20, 0, 10] },
  { name: 'a run of 601 s at the cap resets the schedule too', runs: [...Array(8).fill(0), 601, 0, 0], gaps: [0, 10, 20, 40, 80, 160, 300, 300, 0, 10, 20] },
];
for (const c of cases) {
  test(c.name, () => {
    assert.deepEqual(simulate(c.runs), c.gaps);
  });
}

test('a record remembers the restart time, not the previous finish', () => {
  assert.deepEqual(backoffNext(undefined, 5000, 1000), { delayMs: 10_000, lastUpdateMs: 5000 });
});

test('a start is allowed exactly when now minus finishedAt reaches the delay', () => {
  const rec = backoffNext(undefined, 0);
  assert.deepEqual(backoffBlocked(rec, 5000, 14_999), { until: 15_000, delayMs: 10_000 });
  assert.equal(backoffBlocked(rec, 5000, 15_000), undefined);
});

test('delays print like Go durations', () => {
  assert.equal(formatDelay(10_000), '10s');
  assert.equal(formatDelay(300_000), '5m0s');
  assert.equal(formatDelay(160_000), '2m40s');
});

test('a node ceiling (serve --max-backoff) caps the delay and shortens the reset to twice it', () => {
  let rec = backoffNext(undefined, 0, 0, 30_000);
  const delays = [rec.delayMs];
  for (let i = 1; i < 4; i++) {
    rec = backoffNext(rec, i * 1000, i * 1000, 30_000);
    delays.push(rec.delayMs);
  }
  assert.deepEqual(delays, [10_000, 20_000, 30_000, 30_000]);
  assert.equal(backoffBlocked(rec, 3000 + 60_001, 3000 + 60_002, 30_000), undefined, 'expired after 2 × 30 s');
  assert.equal(backoffNext(undefined, 0, 0, 5000).delayMs, 5000, 'a ceiling under 10 s is the first delay too');
});
