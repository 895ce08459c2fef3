// fsGroup volume ownership, as the kubelet's SetVolumeOwnership: every file and directory of the volume
// gets the pod's fsGroup as its group and the group bits it needs — read-write (0660) for writable
// volumes, read-only (0440) for projected ones — and directories also setgid and group search (2110),
// so that files made later inherit the group. Symlinks get the group but keep their mode.
// fsGroupChangePolicy OnRootMismatch skips the walk when the volume's root already has the group and
// the bits.
//
// A container may be writing into the volume while it is walked (an emptyDir on a restart, a
// PersistentVolume another pod uses), so the walk never goes by name: each directory is held open and
// each entry is reached through it (open-beneath.ts), opened O_PATH|O_NOFOLLOW and changed through its
// own descriptor. A directory swapped for a symlink to the host's /etc is then only a symlink whose
// group changes; the walk does not enter it, and does not enter another filesystem either.

import { promises as fs, constants } from 'node:fs';
import { O_PATH, beneath, fdPath } from '../system/open-beneath.js';
import { MAX_DEPTH } from '../system/remove-tree.js';

const RW_MASK = 0o660;
const RO_MASK = 0o440;
const DIR_EXTRA = 0o2110;
const OPEN = O_PATH | constants.O_NOFOLLOW;

export async function applyFsGroup(dir: string, gid: number, readOnly: boolean, policy: 'Always' | 'OnRootMismatch' = 'Always'): Promise<void> {
  const mask = readOnly ? RO_MASK : RW_MASK;
  if (policy === 'OnRootMismatch') {
    const st = await fs.lstat(dir);
    if (st.gid === gid && (st.mode & (mask | DIR_EXTRA)) === (mask | DIR_EXTRA)) return;
  }
  // The root is the engine's (an emptyDir) or the administrator's (a local PersistentVolume's path,
  // which may be a symlink to a disk): resolved once; below it nothing is followed.
  const root = await fs.open(await fs.realpath(dir), OPEN | constants.O_DIRECTORY);
  try {
    const dev = (await root.stat()).dev;
    await own(root.fd, { gid, mask, dev }, 0);
  } finally {
    await root.close();
  }
}

interface Walk {
  gid: number;
  mask: number;
  /** The root's filesystem: directories on another one (mounts) are not entered. */
  dev: number;
}

/** Gives what `fd` holds (a directory or file opened O_PATH, never a symlink) the group and bits; then its entries. */
async function own(fd: number, w: Walk, depth: number): Promise<void> {
  const st = await fs.stat(fdPath(fd));
  await fs.chown(fdPath(fd), -1, w.gid);
  const want = (st.mode & 0o7777) | w.mask | (st.isDirectory() ? DIR_EXTRA : 0);
  if ((st.mode & 0o7777) !== want) await fs.chmod(fdPath(fd), want);
  if (!st.isDirectory() || st.dev !== w.dev || depth >= MAX_DEPTH) return;
  for (const name of await fs.readdir(fdPath(fd))) {
    let child: fs.FileHandle;
    try {
      child = await fs.open(beneath(fd, name), OPEN);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') continue; // removed meanwhile
      throw err;
    }
    try {
      const cst = await child.stat();
      // fstat through an O_PATH|O_NOFOLLOW descriptor of a symlink describes the link itself.
      if (cst.isSymbolicLink()) await lchownEntry(fd, name, w.gid);
      else await own(child.fd, w, depth + 1);
    } finally {
      await child.close();
    }
  }
}

/** lchown of the name in the held directory: the last element is never followed, whatever it is by now. */
async function lchownEntry(dirFd: number, name: string, gid: number): Promise<void> {
  try {
    await fs.lchown(beneath(dirFd, name), -1, gid);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
}
