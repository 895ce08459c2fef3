// Reads a cgroup's CPU and memory figures (cgroup-stats.ts) wherever the host mounts them: the v1
// hierarchies (cpuacct, possibly joined as cpu,cpuacct, and memory) or one v2 tree. A cgroup is named by
// its path below the hierarchy root, as runc's cgroupsPath names it ("/peapod/burstable/pod<uid>/<id>");
// "/" is the root, which stands for the whole node. File reads are injected (tests give a map).

import path from 'node:path';
import { meminfoUsage, parseCpuacctUsage, parseCpuStatUsage, parseMemoryUsage, workingSet, type CpuMemorySample } from './cgroup-stats.js';

export type ReadText = (file: string) => Promise<string>;

export type CgroupLayout = { version: 1; cpuacct: string; memory: string } | { version: 2; root: string };

export const CGROUP_MOUNT = '/sys/fs/cgroup';

const readable = (read: ReadText, file: string) => read(file).then(() => true, () => false);

/** v2 when the mount point is itself a cgroup2 root (it has cgroup.controllers); else the v1 hierarchies. */
export async function detectCgroupLayout(read: ReadText, root = CGROUP_MOUNT): Promise<CgroupLayout> {
  if (await readable(read, path.join(root, 'cgroup.controllers'))) return { version: 2, root };
  let cpuacct = path.join(root, 'cpuacct');
  if (!(await readable(read, path.join(cpuacct, 'cpuacct.usage')))) cpuacct = path.join(root, 'cpu,cpuacct');
  return { version: 1, cpuacct, memory: path.join(root, 'memory') };
}

export class CgroupReader {
  constructor(
    private readonly layout: CgroupLayout,
    private readonly read: ReadText,
    /** /proc/meminfo, for the v2 root. */
    private readonly meminfoPath = '/proc/meminfo',
  ) {}

  /** The CPU and memory of the cgroup at `cgroupPath` ("/" for the node); rejects when it is not there. */
  async sample(cgroupPath: string): Promise<CpuMemorySample> {
    const rel = cgroupPath.replace(/^\/+/, '');
    const l = this.layout;
    if (l.version === 1) {
      const [usage, mem, stat] = await Promise.all([
        this.read(path.join(l.cpuacct, rel, 'cpuacct.usage')),
        this.read(path.join(l.memory, rel, 'memory.usage_in_bytes')),
        this.read(path.join(l.memory, rel, 'memory.stat')),
      ]);
      return { cpuNs: parseCpuacctUsage(usage), workingSetBytes: workingSet(parseMemoryUsage(mem), stat, 'total_inactive_file') };
    }
    const dir = path.join(l.root, rel);
    const isRoot = rel === '';
    const [cpuStat, mem, stat] = await Promise.all([
      this.read(path.join(dir, 'cpu.stat')),
      isRoot ? this.read(this.meminfoPath) : this.read(path.join(dir, 'memory.current')),
      this.read(path.join(dir, 'memory.stat')),
    ]);
    const usage = isRoot ? meminfoUsage(mem) : parseMemoryUsage(mem);
    return { cpuNs: parseCpuStatUsage(cpuStat), workingSetBytes: workingSet(usage, stat, 'inactive_file') };
  }
}
