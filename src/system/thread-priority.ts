// Raising a process's CPU priority for all its threads. On Linux the nice value is per thread
// (setpriority(2) with PRIO_PROCESS and a thread id), and a new thread inherits its creator's: V8's
// collector helpers and libuv's pool, started before, would otherwise keep the default.

import fs from 'node:fs';
import os from 'node:os';
import { statFields } from './proc-stat.js';

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

export type SessionPriority = 'set' | 'no-autogroup' | 'not-session-leader';

/**
 * With the kernel's autogroup scheduling (sched_autogroup_enabled, on by default in most distributions),
 * CPU time is shared between sessions first and between threads of a session only after: each conmon
 * starts a session of its own, and runc runs in it, so in a burst the daemon's session got a share like
 * any one container's, whatever its threads' nice values. A 250-pod burst probe (issue 7), with the
 * session's own nice raised to LOOP_NICE: event-loop ticks more than 5 ms late 131 → 53 while the pods
 * started; requests to the spawn helper delayed past 1 ms by a wait for a core 45 → 31. The spawn helper
 * leads a session of its own (spawner/client.ts), so the programs it starts are not raised with the loop:
 * with them in the daemon's session, clients at the default priority (kubectl) waited hundreds of ms.
 *
 * Only a session leader changes its session's nice (`setsid peapod serve`, as the README and systemd
 * start it): otherwise the session is someone else's (a terminal's shell and whatever runs in it), and is
 * left as it is.
 */
export function raiseSessionPriority(nice: number): SessionPriority {
  let enabled = '0';
  try {
    enabled = fs.readFileSync('/proc/sys/kernel/sched_autogroup_enabled', 'utf8').trim();
  } catch {
    // a kernel without autogroup
  }
  if (enabled !== '1') return 'no-autogroup';
  if (sessionId(fs.readFileSync('/proc/self/stat', 'utf8')) !== process.pid) return 'not-session-leader';
  fs.writeFileSync('/proc/self/autogroup', String(nice));
  return 'set';
}

/** The session id of a /proc/PID/stat line. */
export function sessionId(stat: string): number {
  return Number(statFields(stat)[3]);
}
