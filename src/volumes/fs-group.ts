// fsGroup volume ownership, as the kubelet's SetVolumeOwnership: every file and directory of the volume
// gets the pod's fsGroup as its group and the group bits it needs — read-write (0660) for writable
// volumes, read-only (0440) for projected ones — and directories also setgid and group search (2110),
// so that files made later inherit the group. Symlinks get the group but keep their mode.
// fsGroupChangePolicy OnRootMismatch skips the walk when the volume's root already has the group and
// the bits.

import { promises as fs } from 'node:fs';
import path from 'node:path';

const RW_MASK = 0o660;
const RO_MASK = 0o440;
const DIR_EXTRA = 0o2110;

export async function applyFsGroup(dir: string, gid: number, readOnly: boolean, policy: 'Always' | 'OnRootMismatch' = 'Always'): Promise<void> {
  const mask = readOnly ? RO_MASK : RW_MASK;
  if (policy === 'OnRootMismatch') {
    const st = await fs.lstat(dir);
    if (st.gid === gid && (st.mode & (mask | DIR_EXTRA)) === (mask | DIR_EXTRA)) return;
  }
  await walk(dir, gid, mask);
}

async function walk(p: string, gid: number, mask: number): Promise<void> {
  const st = await fs.lstat(p);
  await fs.lchown(p, -1, gid);
  if (st.isSymbolicLink()) return;
  const want = (st.mode & 0o7777) | mask | (st.isDirectory() ? DIR_EXTRA : 0);
  if ((st.mode & 0o7777) !== want) await fs.chmod(p, want);
  if (!st.isDirectory()) return;
  for (const name of await fs.readdir(p)) await walk(path.join(p, name), gid, mask);
}
