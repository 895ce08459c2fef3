// Raising a process's CPU priority for all its threads. On Linux the nice value is per thread
// (setpriority(2) with PRIO_PROCESS and a thread id), and a new thread inherits its creator's: V8's
// collector helpers and libuv's pool, started before, would otherwise keep the default.

import fs from 'node:fs';
import os from 'node:os';

/**
 * The event loop's thread gets a higher CPU priority than the programs the daemon starts. A burst of pod
 * starts or deletions keeps both cores busy with runc, conmon and CNI plugins (about half of it kernel
 * time); at the default priority the loop then waits its turn for a core for tens of ms at a time, and
 * every API request with it. The daemon's threads get it, the spawn helper (forked before) and the
 * programs it starts (containers among them) keep the default.
 */
export const LOOP_NICE = -10;

/** Sets every current thread of this process to `nice`; returns the threads it could not set, with why. */
export function setAllThreadsNice(nice: number): { tid: number; error: unknown }[] {
  let tids: number[] = [0];
  try {
    tids = fs.readdirSync('/proc/self/task').map(Number).filter((t) => t > 0);
  } catch {
    // no procfs: the calling thread only
  }
  const failed: { tid: number; error: unknown }[] = [];
  for (const tid of tids) {
    try {
      os.setPriority(tid, nice);
    } catch (error) {
      failed.push({ tid, error });
    }
  }
  return failed;
}
