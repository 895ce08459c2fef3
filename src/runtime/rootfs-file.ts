// Reading a small file of an image's root filesystem (/etc/passwd, /etc/group) from the host, as a chroot
// into it would: the image controls every name on the way, so symlinks are resolved component by
// component against the rootfs (an absolute target starts again at the rootfs, ".." stops at it), never
// through the host's tree. Node has no openat2(RESOLVE_IN_ROOT), hence the walk. The file is opened with
// O_NOFOLLOW|O_NONBLOCK and must be a regular file (a FIFO would block a libuv thread for good, a device
// such as /dev/zero never ends), and at most `maxBytes` are read.
//
// The rootfs is the container's own overlay, not yet running anything: nothing renames its dirs while
// the walk goes on.

import fs from 'node:fs/promises';
import { constants } from 'node:fs';
import path from 'node:path';
import { BadRequestError } from '../errors.js';

/** The kernel's limit on symlinks followed in one lookup. */
const MAX_SYMLINKS = 40;
/** Cap on /etc/passwd and /etc/group: real ones are a few KB. */
export const MAX_ROOTFS_TABLE_BYTES = 1 << 20;

/**
 * The host path of `rel` inside `rootfs` with every symlink resolved inside it, or undefined when some
 * component is missing, is not a directory where one is needed, or the links loop.
 */
export async function resolveInRoot(rootfs: string, rel: string): Promise<string | undefined> {
  const done: string[] = []; // resolved components, none a symlink
  const todo = rel.split('/').filter((c) => c !== '' && c !== '.');
  let links = 0;
  while (todo.length > 0) {
    const c = todo.shift()!;
    if (c === '..') {
      done.pop(); // the root's parent is the root
      continue;
    }
    const host = path.join(rootfs, ...done, c);
    const st = await fs.lstat(host).catch(() => undefined);
    if (!st) return undefined;
    if (st.isSymbolicLink()) {
      if (++links > MAX_SYMLINKS) return undefined;
      const target = await fs.readlink(host);
      if (target.startsWith('/')) done.length = 0;
      todo.unshift(...target.split('/').filter((x) => x !== '' && x !== '.'));
      continue;
    }
    if (todo.length > 0 && !st.isDirectory()) return undefined;
    done.push(c);
  }
  return path.join(rootfs, ...done);
}

/**
 * The text of `rel` inside `rootfs`, or "" when it is missing or not a regular file. Throws
 * BadRequestError when it is larger than `maxBytes`.
 */
export async function readRootfsFile(rootfs: string, rel: string, maxBytes = MAX_ROOTFS_TABLE_BYTES): Promise<string> {
  const host = await resolveInRoot(rootfs, rel);
  if (host === undefined) return '';
  let fh: fs.FileHandle;
  try {
    fh = await fs.open(host, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK | constants.O_NOCTTY);
  } catch {
    return '';
  }
  try {
    const st = await fh.stat();
    if (!st.isFile()) return '';
    const buf = Buffer.alloc(Math.min(st.size, maxBytes) + 1);
    let n = 0;
    while (n < buf.length) {
      const { bytesRead } = await fh.read(buf, n, buf.length - n, n);
      if (bytesRead === 0) break;
      n += bytesRead;
    }
    if (n > maxBytes) throw new BadRequestError(`/${rel} in the image is larger than ${maxBytes} bytes`);
    return buf.subarray(0, n).toString('utf8');
  } finally {
    await fh.close();
  }
}
