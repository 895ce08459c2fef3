// Pod-level cgroups (cgroupfs, hybrid v1 host): <hierarchy>/<cgroupParent>[/<qos>]/pod<uid> in every
// mounted hierarchy, as the kubelet lays them out: Guaranteed pods directly under the parent, the
// others under burstable/ or besteffort/ (whose cpu.shares is 2, so best-effort pods together get no
// more than the minimum when the CPU is contended; burstable/'s is the sum of its pods' requests, which
// the pod manager keeps through setLevelShares). Where the host has a hugetlb hierarchy, the pod dir
// there limits each page size to what the pod asked for, the others to 0. runc creates each container's leaf (and the parents, mkdir -p) but `runc delete` removes
// only the leaf, so the engine removes pod dirs itself, leaf-first, after killing leftover tasks.
// Every pod dir in the pids hierarchy gets the node's pod pids limit (the kubelet's podPidsLimit), so a
// fork bomb in one pod runs out of pids there instead of exhausting the host's.

import { mkdir, readdir, rmdir, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Clock } from '../system/clock.js';
import type { Logger } from '../system/logger.js';
import { sigkill } from '../system/exec.js';
import { readVirtualText } from '../system/virtual-file.js';
import type { LinuxSandboxResources } from './runtime.js';
import { hugetlbLimits, podCgroupName } from './oci-spec.js';

export const CGROUP_ROOT = '/sys/fs/cgroup';
export type QosLevel = 'burstable' | 'besteffort';
const QOS_DIRS: (QosLevel | undefined)[] = [undefined, 'burstable', 'besteffort'];
/** The kubelet's cpu.shares of the besteffort level (MinShares). */
const BESTEFFORT_SHARES = 2;
/**
 * The default pod pids limit (`serve --pod-pids-limit`). The kubelet's podPidsLimit defaults to -1 (no
 * limit); a finite default keeps a fork bomb inside its pod while admitting real workloads (OpenShift
 * sets the same 4096; a busy JVM or Postgres uses a few hundred).
 */
export const DEFAULT_POD_PIDS_LIMIT = 4096;

export class PodCgroups {
  private readonly root: string;
  private readonly parent: string;
  private readonly clock: Clock;
  private readonly logger: Logger;
  private hierarchies: string[] = [];
  /** Page sizes the hugetlb controller limits ("2MB", "1GB"), empty without that controller. */
  hugepageSizes: string[] = [];
  /** pids.max of every pod cgroup; undefined or below 1 = no limit (the kubelet's podPidsLimit -1). */
  private readonly podPidsLimit: number | undefined;

  constructor(opts: { cgroupParent: string; clock: Clock; logger: Logger; root?: string; podPidsLimit?: number }) {
    this.podPidsLimit = opts.podPidsLimit !== undefined && opts.podPidsLimit > 0 ? opts.podPidsLimit : undefined;
    this.parent = opts.cgroupParent;
    this.clock = opts.clock;
    this.logger = opts.logger;
    this.root = opts.root ?? CGROUP_ROOT;
  }

  /** Discovers the mounted hierarchies (real dirs, not the cpu,cpuacct-style symlinks). */
  async init(): Promise<void> {
    const entries = await readdir(this.root, { withFileTypes: true });
    this.hierarchies = entries.filter((e) => e.isDirectory()).map((e) => path.join(this.root, e.name));
    const hugetlb = this.hierarchy('hugetlb');
    const files = hugetlb ? await readdir(hugetlb).catch(() => [] as string[]) : [];
    this.hugepageSizes = files.flatMap((f) => /^hugetlb\.(\w+)\.limit_in_bytes$/.exec(f)?.[1] ?? []).sort();
  }

  /** The mounted hierarchy of a controller (cpu, memory, hugetlb), if the host has it. */
  private hierarchy(controller: string): string | undefined {
    return this.hierarchies.find((h) => path.basename(h) === controller);
  }

  podDir(hierarchy: string, uid: string, qos?: QosLevel): string {
    return path.join(hierarchy, this.parent, qos ?? '', podCgroupName(uid));
  }

  /** Creates the pod dirs where limits are written (cpu, memory); runc makes the rest on demand. */
  async create(uid: string, res: LinuxSandboxResources | undefined, qos?: QosLevel): Promise<void> {
    const cpu = this.hierarchy('cpu');
    const mem = this.hierarchy('memory');
    const hugetlb = this.hierarchy('hugetlb');
    const pids = this.hierarchy('pids');
    const jobs: Promise<void>[] = [];
    if (pids && this.podPidsLimit !== undefined) {
      const d = this.podDir(pids, uid, qos);
      const limit = String(this.podPidsLimit);
      jobs.push(mkdir(d, { recursive: true }).then(() => writeFile(path.join(d, 'pids.max'), limit)));
    }
    if (qos === 'besteffort') jobs.push(this.setLevelShares(qos, BESTEFFORT_SHARES));
    if (cpu && res && (res.cpuShares || res.cpuQuota)) {
      jobs.push(
        (async () => {
          const d = this.podDir(cpu, uid, qos);
          await mkdir(d, { recursive: true });
          if (res.cpuShares) await writeFile(path.join(d, 'cpu.shares'), String(res.cpuShares));
          if (res.cpuPeriod) await writeFile(path.join(d, 'cpu.cfs_period_us'), String(res.cpuPeriod));
          if (res.cpuQuota) await writeFile(path.join(d, 'cpu.cfs_quota_us'), String(res.cpuQuota));
        })(),
      );
    }
    if (mem && res?.memoryLimitBytes) {
      const limit = String(res.memoryLimitBytes);
      jobs.push(
        (async () => {
          const d = this.podDir(mem, uid, qos);
          await mkdir(d, { recursive: true });
          await writeFile(path.join(d, 'memory.limit_in_bytes'), limit);
          await writeFile(path.join(d, 'memory.memsw.limit_in_bytes'), limit).catch(() => undefined);
        })(),
      );
    }
    if (hugetlb && this.hugepageSizes.length) {
      jobs.push(
        (async () => {
          const d = this.podDir(hugetlb, uid, qos);
          await mkdir(d, { recursive: true });
          for (const h of hugetlbLimits(res?.hugepageLimits, this.hugepageSizes)) {
            await writeFile(path.join(d, `hugetlb.${h.pageSize}.limit_in_bytes`), String(h.limit));
          }
        })(),
      );
    }
    await Promise.all(jobs);
  }

  /** Writes a QoS level's cpu.shares (making the level's dir when it is not there yet). */
  async setLevelShares(level: QosLevel, shares: number): Promise<void> {
    const cpu = this.hierarchy('cpu');
    if (!cpu) return;
    const d = path.join(cpu, this.parent, level);
    await mkdir(d, { recursive: true });
    await writeFile(path.join(d, 'cpu.shares'), String(shares));
  }

  /**
   * Moves a process from the leaf `leaf` of one pod's cgroup to the same leaf under another pod's, in every
   * hierarchy where it is (runc placed it in all of them): a warm pool sandbox's pause joining the pod that
   * claimed it (warm-pool.ts). New dirs are made as runc makes them: cpuset's cpus and mems copied from the
   * parent, and the leaf's device rules copied from the old leaf (an inherited dir would allow every device).
   * The old leaves stay, empty, for runc's own state (its freezer state is read there) until the sandbox is removed.
   */
  async movePid(pid: number, leaf: string, from: { uid: string; qos?: QosLevel }, to: { uid: string; qos?: QosLevel }): Promise<void> {
    // 0 would move the writer itself (the daemon), 1 init.
    if (!Number.isInteger(pid) || pid <= 1) throw new Error(`move pid ${pid} into a pod cgroup: not a pause process`);
    const moved = await Promise.all(
      this.hierarchies.map(async (h) => {
        const src = path.join(this.podDir(h, from.uid, from.qos), leaf);
        if (!(await isDir(src))) return false;
        const dst = path.join(this.podDir(h, to.uid, to.qos), leaf);
        const cpuset = path.basename(h) === 'cpuset';
        let dir = h;
        for (const part of path.relative(h, dst).split(path.sep)) {
          const parent = dir;
          dir = path.join(dir, part);
          await mkdir(dir).catch((e: NodeJS.ErrnoException) => {
            if (e.code !== 'EEXIST') throw e;
          });
          if (cpuset) {
            for (const f of ['cpuset.cpus', 'cpuset.mems']) {
              const own = await readVirtualText(path.join(dir, f)).catch(() => '');
              if (own.trim() === '') await writeFile(path.join(dir, f), await readVirtualText(path.join(parent, f)));
            }
          }
        }
        if (path.basename(h) === 'devices') {
          const rules = (await readVirtualText(path.join(src, 'devices.list'))).split('\n').filter(Boolean);
          await writeFile(path.join(dst, 'devices.deny'), 'a');
          for (const r of rules) await writeFile(path.join(dst, 'devices.allow'), r);
        }
        await writeFile(path.join(dst, 'cgroup.procs'), String(pid));
        return true;
      }),
    );
    if (!moved.some(Boolean)) throw new Error(`move pid ${pid}: no cgroup of pod ${from.uid} holds ${leaf}`);
  }

  /** Removes one leaf (a sandbox's or container's dir) of a pod's cgroup in every hierarchy; gone is fine. */
  async removeLeaf(uid: string, qos: QosLevel | undefined, leaf: string): Promise<void> {
    await Promise.all(this.hierarchies.map((h) => this.removeTree(path.join(this.podDir(h, uid, qos), leaf))));
  }

  /** Removes the pod's dirs in every hierarchy, at whichever QoS level; succeeds when already gone. */
  async remove(uid: string): Promise<void> {
    await Promise.all(this.hierarchies.flatMap((h) => QOS_DIRS.map((q) => this.removeTree(this.podDir(h, uid, q)))));
  }

  /** Removes pod dirs whose uid is not in `liveUids` (crash leftovers). */
  async gc(liveUids: Set<string>): Promise<void> {
    const stale = new Set<string>();
    for (const h of this.hierarchies) {
      for (const q of QOS_DIRS) {
        const names = await readdir(path.join(h, this.parent, q ?? '')).catch(() => [] as string[]);
        for (const n of names) {
          if (n.startsWith('pod') && !liveUids.has(n.slice(3))) stale.add(n.slice(3));
        }
      }
    }
    for (const uid of stale) {
      this.logger.info({ podUid: uid }, 'removing leftover pod cgroup');
      await this.remove(uid).catch((e) => this.logger.warn({ err: e, podUid: uid }, 'cgroup gc failed'));
    }
  }

  /** Removes the engine's parent dirs (all pods must be gone): for tests and uninstall. */
  async removeParent(): Promise<void> {
    await Promise.all(this.hierarchies.map((h) => this.removeTree(path.join(h, this.parent))));
  }

  private async removeTree(dir: string): Promise<void> {
    let entries;
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch {
      return;
    }
    await Promise.all(entries.filter((e) => e.isDirectory()).map((e) => this.removeTree(path.join(dir, e.name))));
    for (let attempt = 0; ; attempt++) {
      try {
        await rmdir(dir);
        return;
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (code === 'ENOENT') return;
        if (code !== 'EBUSY' || attempt >= 20) throw new Error(`remove cgroup ${dir}: ${(e as Error).message}`);
        await this.killTasks(dir);
        await this.clock.sleep(50);
      }
    }
  }

  private async killTasks(dir: string): Promise<void> {
    const text = await readVirtualText(path.join(dir, 'cgroup.procs')).catch(() => '');
    for (const p of text.split('\n').filter(Boolean)) sigkill(Number(p));
  }
}

async function isDir(p: string): Promise<boolean> {
  return stat(p).then((s) => s.isDirectory(), () => false);
}
