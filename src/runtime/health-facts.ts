// The probes behind the liveness facts (health.ts). Each answers true (present), false (provably gone:
// ENOENT/ESRCH, a mismatched process) or rejects when it cannot tell (EMFILE, EIO, EACCES...): a
// container is never judged lost on a read that failed for want of descriptors.

import { stat, statfs } from 'node:fs/promises';
import path from 'node:path';
import { statFields } from '../system/proc-stat.js';
import { isMountPoint, readMountInfo } from '../system/mountinfo.js';
import { readVirtualText } from '../system/virtual-file.js';
import { isGoneError } from './conmon.js';

/** statfs f_type of nsfs (linux/magic.h NSFS_MAGIC). */
const NSFS_MAGIC = 0x6e736673;
/**
 * v1 hierarchies where runc makes every container's cgroup, in the order looked for: pids first (the
 * pod cgroups code makes each pod's dir there, cgroups.ts), memory last (absent with cgroup_disable=memory).
 */
const V1_PROBE_HIERARCHIES = ['pids', 'devices', 'cpu', 'memory'];

/** Whether `p` exists: false only when provably not; rejects when it cannot be told. */
export async function exists(p: string): Promise<boolean> {
  return stat(p).then(
    () => true,
    (err) => {
      if (isGoneError(err)) return false;
      throw err;
    },
  );
}

/**
 * The hierarchy where container cgroups are looked for: the root on a v2 (unified) host, as
 * metrics/cgroup-reader.ts decides it (the mount point has cgroup.controllers); on v1 the first of
 * pids, devices, cpu, memory that is mounted; undefined when none is (the cgroup fact is not judged).
 */
export async function probeHierarchy(root: string): Promise<string | undefined> {
  if (await exists(path.join(root, 'cgroup.controllers'))) return root;
  for (const c of V1_PROBE_HIERARCHIES) {
    const dir = path.join(root, c);
    if (await exists(dir)) return dir;
  }
  return undefined;
}

/** Start time of a process in unix ms (/proc/<pid>/stat starttime + the boot time), undefined when gone. */
export async function processStartMs(pid: number): Promise<number | undefined> {
  try {
    const [stat, procStat] = await Promise.all([readVirtualText(`/proc/${pid}/stat`), readVirtualText('/proc/stat')]);
    const ticks = Number(statFields(stat)[19]);
    const btime = Number(/^btime (\d+)$/m.exec(procStat)?.[1]);
    if (!Number.isFinite(ticks) || !Number.isFinite(btime)) return undefined;
    // USER_HZ is 100 on every Linux architecture the engine runs on.
    return btime * 1000 + ticks * 10;
  } catch {
    return undefined;
  }
}

/**
 * Whether a sandbox's pinned netns is still there, seen from a daemon that may run in another mount
 * namespace than the one that pinned it (where the pin is the plain file under the mount):
 *   - the pin file is missing: lost (false);
 *   - it is an nsfs file: mounted (true);
 *   - it is something else while the daemon sees the netns dir itself as a mount point (the node's
 *     private bind mount, so the daemon shares the view where the pin was made): unmounted (false);
 *   - otherwise the daemon cannot see the pin's mount at all: not judged (undefined).
 * Rejects when a read fails for another reason than the file being gone.
 */
export async function netnsFact(pinFile: string, mountinfoFile: string): Promise<boolean | undefined> {
  let type: number;
  try {
    type = Number((await statfs(pinFile)).type);
  } catch (err) {
    if (isGoneError(err)) return false;
    throw err;
  }
  if (type === NSFS_MAGIC) return true;
  const dir = path.dirname(pinFile);
  const mounts = await readMountInfo(mountinfoFile, dir);
  return isMountPoint(mounts, dir) ? false : undefined;
}
