// How many child processes this process starts, and how long each start blocks the event loop, for
// /metrics, without touching the spawn sites (system/exec.ts, runtime/conmon.ts). Node publishes every new
// ChildProcess (spawn, execFile, exec, fork; not the *Sync calls) on the 'child_process' diagnostics
// channel from its constructor, before the caller's `child.spawn(options)`: that synchronous call forks,
// then waits until the child has exec'd (libuv reads the exec status from a pipe), and it is the whole
// block. The meter wraps `spawn` on that one instance to time it. Timing from publication to a microtask
// instead would also count every microtask already queued, which under load is most of the figure.

import diagnostics from 'node:diagnostics_channel';
import type { ChildProcess } from 'node:child_process';
import { Histogram, type HistogramSnapshot } from './histogram.js';
import { ThreadSchedstat } from './thread-schedstat.js';

const CHANNEL = 'child_process';
/** Upper bounds, seconds: a fork of a process of ~100 MB takes a few ms; the target is ≤ 1 ms. */
export const SPAWN_BLOCK_BUCKETS_S = [0.00025, 0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1];

type Spawnable = ChildProcess & { spawn?: (...args: unknown[]) => unknown };

export class SpawnMeter {
  private readonly blocked = new Histogram(SPAWN_BLOCK_BUCKETS_S);
  /** The same less the time the loop's thread waited for a core meanwhile: the start's own cost. */
  private readonly running = new Histogram(SPAWN_BLOCK_BUCKETS_S);
  /** The loop's thread's (made on it: the daemon's metrics are). */
  private readonly sched = new ThreadSchedstat();
  private subscribed = false;

  private readonly onChild = (message: unknown): void => {
    const child = (message as { process?: Spawnable }).process;
    const spawn = child?.spawn;
    if (!child || typeof spawn !== 'function') return;
    const meter = this;
    child.spawn = function timedSpawn(this: unknown, ...args: unknown[]) {
      return meter.sched.time(() => spawn.apply(this, args), (blocked, waited) => meter.record(blocked, waited));
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
   * A program started: the loop time it cost, and how much of that the loop's thread spent waiting for a
   * core (preempted). For one started on this process's behalf by another (the spawn helper), the time
   * its request took to send: counted with this process's own starts, since it is what starting it cost
   * this loop.
   */
  record(blockedSeconds: number, waitedSeconds = 0): void {
    this.blocked.observe(blockedSeconds);
    this.running.observe(Math.max(0, blockedSeconds - waitedSeconds));
  }

  /** count = child processes started; sum = seconds of loop their starts blocked. */
  snapshot(): HistogramSnapshot {
    return this.blocked.snapshot();
  }

  /** The blocked time less the waits for a core, per start. */
  runningSnapshot(): HistogramSnapshot {
    return this.running.snapshot();
  }
}
