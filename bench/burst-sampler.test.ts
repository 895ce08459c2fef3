import assert from 'node:assert/strict';
import { test } from 'node:test';
import { maxWindow, readScrape, windowFigures } from './burst-sampler.js';
import { parsePrometheusText } from './prom-text.js';

function scrape(delay: number[], delayCount: number, spawns: number[], spawnSum: number, running?: number[]): string {
  const les = ['0.001', '0.01', '0.05', '+Inf'];
  return [
    ...(running ?? []).map((c, i) => `peapod_spawn_blocked_running_seconds_bucket{le="${les[i]}"} ${c}`),
    ...(running ? [`peapod_spawn_blocked_running_seconds_sum 0`, `peapod_spawn_blocked_running_seconds_count ${running.at(-1)}`] : []),
    ...delay.map((c, i) => `peapod_event_loop_delay_seconds_bucket{le="${les[i]}"} ${c}`),
    'peapod_event_loop_delay_seconds_sum 1',
    `peapod_event_loop_delay_seconds_count ${delayCount}`,
    ...spawns.map((c, i) => `peapod_spawn_blocked_seconds_bucket{le="${les[i]}"} ${c}`),
    `peapod_spawn_blocked_seconds_sum ${spawnSum}`,
    `peapod_spawn_blocked_seconds_count ${spawns.at(-1)}`,
  ].join('\n');
}

test('a window\'s figures come from the growth of the daemon\'s histograms between its first and last scrape', () => {
  const first = parsePrometheusText(scrape([100, 100, 100, 100], 100, [0, 5, 5, 5], 0.01));
  const last = parsePrometheusText(scrape([150, 198, 200, 200], 200, [0, 105, 105, 105], 0.31));
  const f = windowFigures(first, last, [0.004, 0.03]);
  assert.equal(f.loopDelay.ticks, 100);
  assert.equal(f.loopDelay.p99Ms, 50, 'the 99th of 100 ticks is above 10 ms');
  assert.equal(f.loopDelay.maxMs, 30, 'the largest 1 s max read, within the highest bucket');
  assert.equal(f.spawns.count, 100);
  assert.ok(Math.abs(f.spawns.meanBlockedMs - 3) < 1e-9);
  assert.equal(f.spawns.p99BlockedMs, 10);
  assert.ok(Number.isNaN(f.spawns.p99RunningMs), 'a daemon without the running family');
});

test('the spawns less the waits for a core have their own p99', () => {
  const first = parsePrometheusText(scrape([0, 0, 0, 0], 0, [0, 0, 0, 0], 0, [0, 0, 0, 0]));
  const last = parsePrometheusText(scrape([0, 0, 0, 0], 0, [90, 99, 100, 100], 0.2, [99, 100, 100, 100]));
  const f = windowFigures(first, last, []);
  assert.equal(f.spawns.p99BlockedMs, 10);
  assert.equal(f.spawns.p99RunningMs, 1);
});

test('a rolling max from before the window is capped by the highest bucket the window reached', () => {
  const first = parsePrometheusText(scrape([10, 10, 10, 10], 10, [0, 0, 0, 0], 0));
  const last = parsePrometheusText(scrape([60, 60, 60, 60], 60, [0, 0, 0, 0], 0));
  const f = windowFigures(first, last, [0.2]);
  assert.equal(f.loopDelay.maxMs, 1);
  assert.ok(Number.isNaN(f.spawns.meanBlockedMs), 'no spawns, no mean');
});

test('a scrape that is not the metrics text is an error', () => {
  assert.throws(() => readScrape(403, { kind: 'Status' }), /GET \/metrics answered 403/);
  assert.equal(readScrape(200, 'x 1\n').length, 1);
});

test('each max reading is over the shortest window that reaches back to the previous scrape', () => {
  assert.equal(maxWindow(300), '1s');
  assert.equal(maxWindow(1000), '1s');
  assert.equal(maxWindow(1001), '10s', 'a slow scrape needs the 10 s window');
  assert.equal(maxWindow(45_000), '60s');
  assert.equal(maxWindow(90_000), '60s', 'the longest there is');
});
