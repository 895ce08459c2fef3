// How many child processes this process starts, and how long each start blocks the event loop, for
// /metrics, without touching the spawn sites (system/exec.ts, runtime/conmon.ts). Node publishes every new
// ChildProcess (spawn, execFile, exec, fork; not the *Sync calls) on the 'child_process' diagnostics
// channel, synchronously, just before ChildProcess#spawn() forks and waits for the child's exec. The
// block ends when the caller's synchronous code does, which is when a microtask queued at publication
// runs. So each figure is an upper bound: it includes what the caller does synchronously right after
// spawn() (wiring stdio listeners, a few µs). Spawns in one synchronous stretch: each ends where the next
// begins, so none is counted twice.

import diagnostics from 'node:diagnostics_channel';
import { performance } from 'node:perf_hooks';
import { Histogram, type HistogramSnapshot } from './histogram.js';

const CHANNEL = 'child_process';
/** Upper bounds, seconds: a fork of a process of ~100 MB takes a few ms; the target is ≤ 1 ms. */
export const SPAWN_BLOCK_BUCKETS_S = [0.00025, 0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1];

export class SpawnMeter {
  private readonly blocked = new Histogram(SPAWN_BLOCK_BUCKETS_S);
  private started?: number;
  private subscribed = false;

  private readonly onSpawn = (): void => {
    const now = performance.now();
    if (this.started !== undefined) this.blocked.observe((now - this.started) / 1000);
    else queueMicrotask(this.settle);
    this.started = now;
  };

  private readonly settle = (): void => {
    if (this.started === undefined) return;
    this.blocked.observe((performance.now() - this.started) / 1000);
    this.started = undefined;
  };

  start(): void {
    if (this.subscribed) return;
    diagnostics.subscribe(CHANNEL, this.onSpawn);
    this.subscribed = true;
  }

  stop(): void {
    if (!this.subscribed) return;
    diagnostics.unsubscribe(CHANNEL, this.onSpawn);
    this.subscribed = false;
  }

  /** count = child processes started; sum = seconds of loop they blocked. */
  snapshot(): HistogramSnapshot {
    return this.blocked.snapshot();
  }
}
