// How many child processes this process starts, and how long each start blocks the event loop, for
// /metrics, without touching the spawn sites (system/exec.ts, runtime/conmon.ts). Node publishes every new
// ChildProcess (spawn, execFile, exec, fork; not the *Sync calls) on the 'child_process' diagnostics
// channel from its constructor, before the caller's `child.spawn(options)`: that synchronous call forks,
// then waits until the child has exec'd (libuv reads the exec status from a pipe), and it is the whole
// block. The meter wraps `spawn` on that one instance to time it. Timing from publication to a microtask
// instead would also count every microtask already queued, which under load is most of the figure.

import diagnostics from 'node:diagnostics_channel';
import type { ChildProcess } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { Histogram, type HistogramSnapshot } from './histogram.js';

const CHANNEL = 'child_process';
/** Upper bounds, seconds: a fork of a process of ~100 MB takes a few ms; the target is ≤ 1 ms. */
export const SPAWN_BLOCK_BUCKETS_S = [0.00025, 0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1];

type Spawnable = ChildProcess & { spawn?: (...args: unknown[]) => unknown };

export class SpawnMeter {
  private readonly blocked = new Histogram(SPAWN_BLOCK_BUCKETS_S);
  private subscribed = false;

  private readonly onChild = (message: unknown): void => {
    const child = (message as { process?: Spawnable }).process;
    const spawn = child?.spawn;
    if (!child || typeof spawn !== 'function') return;
    const observe = (s: number) => this.blocked.observe(s);
    child.spawn = function timedSpawn(this: unknown, ...args: unknown[]) {
      const t0 = performance.now();
      try {
        return spawn.apply(this, args);
      } finally {
        observe((performance.now() - t0) / 1000);
      }
    };
  };

  start(): void {
    if (this.subscribed) return;
    diagnostics.subscribe(CHANNEL, this.onChild);
    this.subscribed = true;
  }

  stop(): void {
    if (!this.subscribed) return;
    diagnostics.unsubscribe(CHANNEL, this.onChild);
    this.subscribed = false;
  }

  /**
   * A program started on this process's behalf by another (the spawn helper): the loop time its request
   * took to send. Counted with this process's own starts, since it is what starting it cost this loop.
   */
  record(blockedSeconds: number): void {
    this.blocked.observe(blockedSeconds);
  }

  /** count = child processes started; sum = seconds of loop their starts blocked. */
  snapshot(): HistogramSnapshot {
    return this.blocked.snapshot();
  }
}
