// Staging a subPath for the runtime, as the kubelet does: the subPath is opened by descriptor beneath
// its volume (subpath-open.ts) and that descriptor is bind-mounted on a private staging path,
//   <podsDir>/<uid>/volume-subpaths/<volume>/<container>/<mount index>
// which is what the runtime gets as the mount's host path. runc resolves that path by name later,
// but every element of it is made by the engine, root-owned and 0700 from volume-subpaths down, so
// no container can change what it names. A directory is staged on a directory, anything else on a
// file (binding onto a file gives the target the source's type).
//
// Lifecycle: each container (re)start replaces its staging mounts (whatever is mounted there is
// unmounted, the target removed and made again), so a mount never outlives the descriptor decision
// that made it; a staging that fails unmounts whatever it may have left on the target too. Pod volume teardown unmounts everything under the pod dir, deepest first, and
// removes it (host-volumes.ts): that covers staging mounts, including those a crash left behind.

import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { NodePaths } from '../node/paths.js';
import { errorMessage } from '../errors.js';
import type { Mounter } from '../system/mounter.js';
import { isMountPoint, readMountInfo } from '../system/mountinfo.js';
import { checkElement } from './subpath.js';
import { openSubPath } from './subpath-open.js';
import { podDir } from './layout.js';

/** The kubelet's name for the staging dir under the pod dir. */
export const SUBPATHS_DIR = 'volume-subpaths';

/** Which mount of which container: names are DNS labels (validated by the API), index the volumeMount's. */
export interface SubPathMountRef {
  podUid: string;
  volume: string;
  container: string;
  index: number;
}

/** The staging path's elements below the pod dir. Pure; throws on a name that is not one plain element. */
export function stagingElements(ref: SubPathMountRef): string[] {
  for (const [what, name] of [['pod uid', ref.podUid], ['volume', ref.volume], ['container', ref.container]] as const) {
    const bad = checkElement(name);
    if (bad) throw new Error(`subPath staging: ${what}: ${bad}`);
  }
  if (!Number.isInteger(ref.index) || ref.index < 0) throw new Error(`subPath staging: invalid mount index ${ref.index}`);
  return [SUBPATHS_DIR, ref.volume, ref.container, String(ref.index)];
}

/** <podsDir>/<uid>/volume-subpaths/<volume>/<container>/<index>. Pure. */
export function stagingPath(paths: NodePaths, ref: SubPathMountRef): string {
  return path.join(podDir(paths, ref.podUid), ...stagingElements(ref));
}

export interface SubPathStagerOptions {
  paths: NodePaths;
  mounter: Mounter;
  /** Where mounts are listed; tests never change it. */
  mountInfoPath?: string;
}

export interface StageRequest extends SubPathMountRef {
  /** Host path of the volume's root directory. */
  volumeRoot: string;
  subPath: string;
}

/**
 * Opens the subPath beneath the volume and bind-mounts it on its staging path, replacing what a
 * previous instance of the container left there; returns the staging path. Throws
 * ContainerConfigError for a subPath that is invalid or not safely reachable inside the volume.
 */
export async function stageSubPath(opts: SubPathStagerOptions, req: StageRequest): Promise<string> {
  const elements = stagingElements(req);
  const opened = await openSubPath(req.volumeRoot, req.subPath);
  try {
    // mountinfo lists canonical paths; the pod dir exists (volumes are set up first).
    const base = await fs.realpath(podDir(opts.paths, req.podUid));
    let dir = base;
    for (const name of elements.slice(0, -1)) {
      dir = path.join(dir, name);
      await ensurePrivateDir(dir);
    }
    const target = path.join(dir, elements[elements.length - 1]);
    await clearTarget(opts, target);
    if (opened.isDirectory) await fs.mkdir(target, { mode: 0o700 });
    else await (await fs.open(target, 'wx', 0o600)).close(); // O_CREAT|O_EXCL: never through a symlink
    try {
      await opts.mounter.bindFd(opened.fd, target);
    } catch (err) {
      // Something may be mounted on the target all the same (mount(8) exiting non-zero after mounting,
      // a check that threw, an unmount that failed), never verified: unmount it before removing the
      // target. The staging error is the one reported; a failed clean-up is added as context.
      const failed = await clearTarget(opts, target).then(() => undefined, (e: unknown) => e);
      const context = failed === undefined ? '' : `; clean-up of ${target} failed too: ${errorMessage(failed)}`;
      throw new Error(`stage subPath ${req.subPath} of volume "${req.volume}" for container "${req.container}": ${errorMessage(err)}${context}`, { cause: err });
    }
    return target;
  } finally {
    opened.close();
  }
}

/** A root-only directory: made 0700, or checked to be a real directory (not a symlink) and set to 0700. */
async function ensurePrivateDir(dir: string): Promise<void> {
  try {
    await fs.mkdir(dir, { mode: 0o700 });
    return;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
  const st = await fs.lstat(dir);
  if (!st.isDirectory()) throw new Error(`subPath staging dir ${dir} is not a directory`);
  // No race: every parent is root-only, so nothing can swap dir for a symlink after the lstat.
  if ((st.mode & 0o777) !== 0o700) await fs.chmod(dir, 0o700);
}

/** Unmounts everything stacked on the target, then removes it (never recursively, never through a link). */
async function clearTarget(opts: SubPathStagerOptions, target: string): Promise<void> {
  for (let round = 0; ; round++) {
    if (!isMountPoint(await readMountInfo(opts.mountInfoPath, target), target)) break;
    if (round === 8) throw new Error(`subPath staging target ${target} is still mounted`);
    await opts.mounter.unmount(target);
  }
  await removeTarget(target);
}

async function removeTarget(target: string): Promise<void> {
  const st = await fs.lstat(target).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return undefined;
    throw err;
  });
  if (!st) return;
  // rmdir refuses a non-empty dir: a staging dir with content means something is wrong, so stop.
  if (st.isDirectory()) await fs.rmdir(target);
  else await fs.unlink(target);
}
