import assert from 'node:assert/strict';
import { test } from 'node:test';
import { backoffBlocked, backoffNext, formatDelay, type BackoffRecord } from './backoff.js';

test('restart gaps follow 0, 10, 20, 40, 80, 160, 300, 300 s when each run is short', () => {
  let rec: BackoffRecord | undefined;
  let now = 0;
  const gaps: number[] = [];
  for (let i = 0; i < 8; i++) {
    const finishedAt = now + 1000; // each instance runs 1 s
    now = finishedAt;
    const blocked = backoffBlocked(rec, finishedAt, now);
    const start = blocked ? blocked.until : now;
    gaps.push((start - finishedAt) / 1000);
    rec = backoffNext(rec, finishedAt);
    now = start;
  }
  assert.deepEqual(gaps, [0, 10, 20, 40, 80, 160, 300, 300]);
});

test('a run of more than 10 minutes resets the schedule to an immediate restart', () => {
  const rec = backoffNext(backoffNext(undefined, 0), 1000); // delay 20 s, updated at 1 s
  const finishedAt = 1000 + 11 * 60_000;
  assert.equal(backoffBlocked(rec, finishedAt, finishedAt), undefined);
  assert.equal(backoffNext(rec, finishedAt).delayMs, 10_000);
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
