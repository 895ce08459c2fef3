// Which host processes belong to the pods of one engine: every conmon whose command line names the
// engine's state dir, plus all their descendants (the pause process and the containers; conmon is their
// subreaper). Pure over a process table; proc-memory.ts reads the table from /proc.

import { statFields } from '../src/system/proc-stat.js';

export interface ProcEntry {
  pid: number;
  ppid: number;
  argv: string[];
}

/** Pids of conmon processes mentioning `marker`, and of every process below them. */
export function podProcessPids(table: readonly ProcEntry[], marker: string): number[] {
  const roots = table.filter((p) => (p.argv[0] ?? '').endsWith('conmon') && p.argv.some((a) => a.includes(marker))).map((p) => p.pid);
  const children = new Map<number, number[]>();
  for (const p of table) children.set(p.ppid, [...(children.get(p.ppid) ?? []), p.pid]);
  const out = new Set<number>();
  const stack = [...roots];
  while (stack.length) {
    const pid = stack.pop()!;
    if (out.has(pid)) continue;
    out.add(pid);
    stack.push(...(children.get(pid) ?? []));
  }
  return [...out].sort((a, b) => a - b);
}

/** Parses "Pss:  123 kB" style fields of /proc/PID/smaps_rollup or status; kB, 0 when absent. */
export function kbField(text: string, field: string): number {
  const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(text);
  return m ? Number(m[1]) : 0;
}

/** PPid from /proc/PID/stat. */
export function ppidFromStat(stat: string): number {
  return Number(statFields(stat)[1]);
}
