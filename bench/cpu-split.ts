// Where the host's CPU went during a burst: the daemon and its spawn helper, the bench's own processes
// (this one with the kubectl it ran, the request sampler, the reference server), and everything else:
// runc, conmon, the CNI plugins, mount and the kernel's work for them. Everything else and the bench's
// own processes, spread over every core, is how long the burst would take, as the scenario runs it, if the
// daemon cost nothing: the floor under "all Running" (the host is saturated through a burst).
//
// Counted in clock ticks (USER_HZ, 100 a second on Linux): /proc/stat's busy time over all cores, and
// utime + stime of /proc/PID/stat (plus cutime + cstime for this process, which waited for its kubectl).

import fs from 'node:fs';
import os from 'node:os';
import { statFields } from '../src/system/proc-stat.js';

const TICKS_PER_S = 100;

export interface CpuReading {
  hostBusy: number;
  /** Ticks so far per process: the daemon's first, then each of its children's (the spawn helper). */
  daemon: Map<number, number>;
  /** This process (with its waited-for children) and the other bench processes. */
  bench: Map<number, number>;
}

export interface CpuSplit {
  /** The daemon and its children (the spawn helper), and of that the children. */
  daemonCoreS: number;
  helperCoreS: number;
  benchCoreS: number;
  otherCoreS: number;
  /** otherCoreS and benchCoreS over the host's cores, seconds. */
  floorS: number;
  cores: number;
}

/** utime + stime (+ cutime + cstime) of a /proc/PID/stat line, in ticks. */
export function statTicks(stat: string, withChildren = false): number {
  const f = statFields(stat);
  const own = Number(f[11]) + Number(f[12]);
  return withChildren ? own + Number(f[13]) + Number(f[14]) : own;
}

/** Busy and total CPU time of the host so far (/proc/stat's first line, in clock ticks): busy is all but idle and iowait. */
export function hostCpuTicks(stat: string): { busy: number; total: number } {
  const f = (stat.split('\n')[0] ?? '').trim().split(/\s+/).slice(1, 9).map(Number);
  const total = f.reduce((a, b) => a + b, 0);
  return { busy: total - (f[3] ?? 0) - (f[4] ?? 0), total };
}

function ticksOf(pid: number, withChildren = false): number | undefined {
  try {
    return statTicks(fs.readFileSync(`/proc/${pid}/stat`, 'utf8'), withChildren);
  } catch {
    return undefined;
  }
}

function childrenOf(pid: number): number[] {
  try {
    return fs.readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

export function readCpu(daemonPid: number, benchPids: readonly number[]): CpuReading {
  const daemon = new Map<number, number>();
  for (const pid of [daemonPid, ...childrenOf(daemonPid)]) {
    const t = ticksOf(pid);
    if (t !== undefined) daemon.set(pid, t);
  }
  const bench = new Map<number, number>();
  const self = ticksOf(process.pid, true);
  if (self !== undefined) bench.set(process.pid, self);
  for (const pid of benchPids) {
    const t = ticksOf(pid);
    if (t !== undefined) bench.set(pid, t);
  }
  return { hostBusy: hostCpuTicks(fs.readFileSync('/proc/stat', 'utf8')).busy, daemon, bench };
}

/** Growth of the processes present in both readings. */
function grown(a: Map<number, number>, b: Map<number, number>): number {
  let n = 0;
  for (const [pid, t] of b) {
    const before = a.get(pid);
    if (before !== undefined) n += Math.max(0, t - before);
  }
  return n;
}

export function cpuSplit(a: CpuReading, b: CpuReading, cores = os.availableParallelism()): CpuSplit {
  const host = Math.max(0, b.hostBusy - a.hostBusy);
  const daemon = grown(a.daemon, b.daemon);
  const children = grown(new Map([...a.daemon].slice(1)), new Map([...b.daemon].slice(1)));
  const bench = grown(a.bench, b.bench);
  const other = Math.max(0, host - daemon - bench);
  return { daemonCoreS: daemon / TICKS_PER_S, helperCoreS: children / TICKS_PER_S, benchCoreS: bench / TICKS_PER_S, otherCoreS: other / TICKS_PER_S, floorS: (other + bench) / TICKS_PER_S / cores, cores };
}
