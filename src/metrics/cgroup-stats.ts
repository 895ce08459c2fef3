// Parsing what the kernel's cgroup and proc files say about CPU and memory use, into the two figures
// the kubelet's resource metrics give metrics-server (cAdvisor's reading of the same files):
//
//   CPU     cumulative CPU time, ns: cgroup v1 cpuacct.usage; v2 cpu.stat usage_usec × 1000
//   memory  the working set, bytes: usage minus inactive file pages, never below 0;
//           v1 memory.usage_in_bytes − memory.stat total_inactive_file (hierarchical, as cAdvisor reads it),
//           v2 memory.current − memory.stat inactive_file; the v2 root has no memory.current, so there
//           usage is MemTotal − MemFree from /proc/meminfo (runc's root statistics)
//
// Pure: text in, numbers out. A malformed file throws, naming what it lacked.

export interface CpuMemorySample {
  /** Cumulative CPU time since the cgroup was made (or boot, for the node), ns. */
  cpuNs: number;
  /** Working set, bytes. */
  workingSetBytes: number;
}

function wholeNumber(text: string, what: string): number {
  const t = text.trim();
  if (!/^\d+$/.test(t)) throw new Error(`${what}: not a whole number: ${JSON.stringify(t.slice(0, 40))}`);
  return Number(t);
}

/** cgroup v1 cpuacct.usage: one number, ns. */
export function parseCpuacctUsage(text: string): number {
  return wholeNumber(text, 'cpuacct.usage');
}

/** Flat keyed files ("key value" per line: memory.stat, cpu.stat), as a map. */
export function parseFlatKeyed(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    const m = /^(\S+)\s+(\d+)\s*$/.exec(line);
    if (m) out.set(m[1]!, Number(m[2]));
  }
  return out;
}

/** cgroup v2 cpu.stat: usage_usec, as ns. */
export function parseCpuStatUsage(text: string): number {
  const usec = parseFlatKeyed(text).get('usage_usec');
  if (usec === undefined) throw new Error('cpu.stat: no usage_usec');
  return usec * 1000;
}

/** Usage less the inactive file pages named by `inactiveKey` in memory.stat, floored at 0 (cAdvisor). */
export function workingSet(usageBytes: number, memoryStat: string, inactiveKey: 'total_inactive_file' | 'inactive_file'): number {
  const inactive = parseFlatKeyed(memoryStat).get(inactiveKey) ?? 0;
  return usageBytes > inactive ? usageBytes - inactive : 0;
}

/** cgroup v1 memory.usage_in_bytes / v2 memory.current: one number, bytes. */
export function parseMemoryUsage(text: string): number {
  return wholeNumber(text, 'memory usage');
}

/** /proc/meminfo's MemTotal − MemFree, bytes: the memory in use on the host. */
export function meminfoUsage(text: string): number {
  const kb = (key: string) => {
    const m = new RegExp(`^${key}:\\s+(\\d+) kB$`, 'm').exec(text);
    if (!m) throw new Error(`/proc/meminfo: no ${key}`);
    return Number(m[1]) * 1024;
  };
  return Math.max(0, kb('MemTotal') - kb('MemFree'));
}
