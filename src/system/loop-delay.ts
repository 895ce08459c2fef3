// The daemon's event-loop delay, for /metrics: a timer due every SAMPLE_MS records how late it ran. While
// the loop is blocked (a synchronous spawn, a big JSON.stringify, a SQLite query) no timer can run, so the
// lateness is the block it waited behind. A 200 ms block shows as one ~200 ms observation, as with any
// tick-based sampler: percentiles are over ticks, and the max is what tells a long block.
//
// Why our own timer and not perf_hooks.monitorEventLoopDelay: that histogram is read as percentiles only
// (in coarse halving steps) since its last reset(), which every reader would share, and it records the
// whole time between its timer's runs (interval included), not the lateness. Prometheus wants cumulative
// bucket counts that any number of scrapers can subtract between two scrapes. One JS timer callback
// every 10 ms (100 a second, a few µs each) is a cost we can afford for that.
//
// Node's timers run on libuv's millisecond loop clock, so an idle loop shows 0–1.x ms of lateness:
// below 2 ms is the noise floor.
//
// The max: a histogram cannot give a scraper the max of its own window, and a "max since the last scrape"
// that resets on read is wrong as soon as two scrapers read it. So the sampler keeps the largest delay of
// each second (monotonic clock) of the last minute, and maxOver(n) is the largest over the current second and the
// n before it: it covers at least the last n seconds (at most n + 1). A scraper that reads, each time, the
// shortest window reaching back to its previous scrape and keeps the largest reading has the max over its
// own window (plus a little before it); its histogram delta bounds it from above too.

import { performance } from 'node:perf_hooks';
import { Histogram, type HistogramSnapshot } from './histogram.js';

const SAMPLE_MS = 10;
/** Upper bounds, seconds: fine enough to tell 1/2/5/10/20/50/100/200/500/1000 ms, and a saturated loop's seconds. */
export const LOOP_DELAY_BUCKETS_S = [0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 30];
/** The windows the max is offered over, seconds. */
export const MAX_WINDOWS_S = [1, 10, 60];
const RING_S = Math.max(...MAX_WINDOWS_S) + 1;

export interface LoopDelaySnapshot {
  histogram: HistogramSnapshot;
  /** The largest delay per window (MAX_WINDOWS_S), seconds; 0 when nothing was sampled in it. */
  max: { windowS: number; seconds: number }[];
}

/** The delays and their per-second maxima, with the time passed in (ms, monotonic). Pure. */
export class LoopDelayRecord {
  private readonly histogram = new Histogram(LOOP_DELAY_BUCKETS_S);
  /** Per second (index = second % RING_S): that second's largest delay, and which second it was. */
  private readonly maxes = new Float64Array(RING_S);
  private readonly seconds = new Float64Array(RING_S).fill(-1);

  record(delaySeconds: number, atMs: number): void {
    const d = Math.max(0, delaySeconds);
    this.histogram.observe(d);
    const s = Math.floor(atMs / 1000);
    const i = s % RING_S;
    if (this.seconds[i] !== s) {
      this.seconds[i] = s;
      this.maxes[i] = d;
    } else if (d > this.maxes[i]!) this.maxes[i] = d;
  }

  /** The largest delay in the second of `atMs` and the `windowS` seconds before it. */
  maxOver(windowS: number, atMs: number): number {
    const now = Math.floor(atMs / 1000);
    let m = 0;
    for (let i = 0; i < RING_S; i++) {
      const s = this.seconds[i]!;
      if (s >= now - windowS && s <= now && this.maxes[i]! > m) m = this.maxes[i]!;
    }
    return m;
  }

  snapshot(atMs: number): LoopDelaySnapshot {
    return { histogram: this.histogram.snapshot(), max: MAX_WINDOWS_S.map((windowS) => ({ windowS, seconds: this.maxOver(windowS, atMs) })) };
  }
}

export class LoopDelaySampler {
  private readonly record = new LoopDelayRecord();
  private timer?: NodeJS.Timeout;

  start(): void {
    if (this.timer) return;
    let due = performance.now() + SAMPLE_MS;
    const tick = () => {
      const now = performance.now();
      this.record.record((now - due) / 1000, now);
      due = now + SAMPLE_MS;
      this.timer = setTimeout(tick, SAMPLE_MS).unref();
    };
    this.timer = setTimeout(tick, SAMPLE_MS).unref();
  }

  stop(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  snapshot(): LoopDelaySnapshot {
    return this.record.snapshot(performance.now());
  }
}
