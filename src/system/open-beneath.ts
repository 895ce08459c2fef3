// openat(2) for Node, which has none: the kernel resolves `/proc/self/fd/<dirfd>/<name>` by jumping
// through the magic link to the very directory the descriptor holds (not to a path name) and looking
// `name` up in it; with O_NOFOLLOW the last element is not followed either. A walk that opens each
// element this way, from a descriptor it already checked, cannot be sent elsewhere by a directory
// renamed or swapped for a symlink under it. Elements are opened with O_PATH, which needs no
// permission and has no side effects (a FIFO does not block, a device is not opened), so fstat can
// tell what an element is before anything else happens; chmod/chown of `fdPath(fd)` then change
// that very inode (fchmod refuses an O_PATH descriptor).
//
// Used by the subPath walk (volumes/subpath-open.ts) and the data dir check (node/private-dir.ts).

import fs from 'node:fs';

/** O_PATH (Linux, x86-64 and arm64); Node's fs.constants lacks it, fs.openSync accepts it numerically. */
export const O_PATH = 0o10000000;

/** A path that makes the kernel resolve `name` relative to the open directory `dirFd` (openat). */
export function beneath(dirFd: number, name: string): string {
  return `/proc/self/fd/${dirFd}/${name}`;
}

/** The path of what descriptor `fd` holds (for chmod, chown, readdir of an O_PATH descriptor). */
export function fdPath(fd: number): string {
  return `/proc/self/fd/${fd}`;
}

/** openat(dirFd, name, O_PATH|O_NOFOLLOW), or undefined when there is no such entry; other errors throw. */
export function openBeneath(dirFd: number, name: string): number | undefined {
  try {
    return fs.openSync(beneath(dirFd, name), O_PATH | fs.constants.O_NOFOLLOW);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}
