// Memory figures read from /proc and the cgroup v1 memory controller (the bench's host side).

import fs from 'node:fs';
import { kbField, podProcessPids, ppidFromStat, type ProcEntry } from './proc-tree.js';

const MB = 1024;

export function readProcTable(): ProcEntry[] {
  const out: ProcEntry[] = [];
  for (const d of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const argv = fs.readFileSync(`/proc/${d}/cmdline`, 'utf8').split('\0').filter((a) => a !== '');
      const ppid = ppidFromStat(fs.readFileSync(`/proc/${d}/stat`, 'utf8'));
      out.push({ pid: Number(d), ppid, argv });
    } catch {
      /* exited meanwhile */
    }
  }
  return out;
}

/** RSS and PSS of one process, MB; zeros when it is gone. */
export function processMemory(pid: number): { rssMB: number; pssMB: number } {
  try {
    const t = fs.readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
    return { rssMB: kbField(t, 'Rss') / MB, pssMB: kbField(t, 'Pss') / MB };
  } catch {
    return { rssMB: 0, pssMB: 0 };
  }
}

/** Sum over the pods' processes (conmons naming `marker` and below). */
export function podsMemory(marker: string): { processes: number; rssMB: number; pssMB: number } {
  const pids = podProcessPids(readProcTable(), marker);
  let rssMB = 0;
  let pssMB = 0;
  for (const pid of pids) {
    const m = processMemory(pid);
    rssMB += m.rssMB;
    pssMB += m.pssMB;
  }
  return { processes: pids.length, rssMB, pssMB };
}

/** memory.usage_in_bytes of a cgroup v1 memory cgroup (hierarchical), MB; undefined when absent. */
export function cgroupMemoryMB(relPath: string): number | undefined {
  try {
    return Number(fs.readFileSync(`/sys/fs/cgroup/memory/${relPath}/memory.usage_in_bytes`, 'utf8').trim()) / (1024 * 1024);
  } catch {
    return undefined;
  }
}
