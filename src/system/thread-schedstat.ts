// How long the calling thread ran on a CPU and how long it waited in a run queue for one (Linux schedstat,
// nanoseconds), to tell a block of the event loop that was its own work from one that was the host's: on
// two cores busy with a pod burst, the loop's thread is now and then preempted in the middle of a step of
// 0.1 ms and waits 1-3 ms for a core (issue 7). Two reads (about 8 µs each) around what is timed (time()).

import fs from 'node:fs';
import { performance } from 'node:perf_hooks';

export interface SchedTimes {
  /** Nanoseconds on a CPU so far. */
  runNs: number;
  /** Nanoseconds runnable but waiting for a CPU so far. */
  waitNs: number;
}

/** /proc/PID/task/TID/schedstat's first two fields. */
export function parseSchedstat(text: string): SchedTimes | undefined {
  const [run, wait] = text.trim().split(' ');
  const runNs = Number(run);
  const waitNs = Number(wait);
  return Number.isFinite(runNs) && Number.isFinite(waitNs) && run !== '' && wait !== undefined ? { runNs, waitNs } : undefined;
}

/**
 * The schedstat of the thread that made it (open it on the thread whose times it reads: the file is the
 * thread's own, resolved at open). `read()` is undefined where the kernel has no schedstat.
 */
export class ThreadSchedstat {
  private fd: number | undefined;
  private readonly buf = Buffer.alloc(96);

  constructor(file = '/proc/thread-self/schedstat') {
    try {
      this.fd = fs.openSync(file, 'r');
    } catch {
      this.fd = undefined;
    }
  }

  read(): SchedTimes | undefined {
    if (this.fd === undefined) return undefined;
    try {
      const n = fs.readSync(this.fd, this.buf, 0, this.buf.length, 0);
      return parseSchedstat(this.buf.toString('latin1', 0, n));
    } catch {
      return undefined;
    }
  }

  /**
   * Runs `fn` and tells `done` how long it took (seconds) and how much of that this thread waited for a
   * core; also when `fn` throws.
   */
  time<T>(fn: () => T, done: (blockedSeconds: number, waitedSeconds: number) => void): T {
    const before = this.read();
    const t0 = performance.now();
    try {
      return fn();
    } finally {
      const blocked = (performance.now() - t0) / 1000;
      done(blocked, waitedSeconds(before, this.read()));
    }
  }

  close(): void {
    if (this.fd !== undefined) fs.closeSync(this.fd);
    this.fd = undefined;
  }
}

/** Seconds of run-queue wait between two readings (0 when either is missing). */
export function waitedSeconds(before: SchedTimes | undefined, after: SchedTimes | undefined): number {
  return before && after ? Math.max(0, after.waitNs - before.waitNs) / 1e9 : 0;
}
