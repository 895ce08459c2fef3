// The mount seam for mounts made from open file descriptors (subPath staging). Node cannot call
// mount(2), so mount(8) does it, on `/proc/<daemon pid>/fd/<fd>`: the kernel follows that magic link
// to the object the descriptor holds, not to a name. `--no-canonicalize` is what makes this sound:
// without it util-linux first realpath()s the source into a plain path name and mounts that name,
// which a container sharing the volume can have swapped for a symlink in between (seen with strace
// on util-linux 2.38: readlink of the fd, then mount(2) of the resolved name).

import fs from 'node:fs';
import type { Exec } from './exec.js';
import { runChecked } from './exec.js';

export interface Mounter {
  /**
   * Bind-mounts the file or directory held open by `fd` (in this process) onto `target`, which must
   * exist and be of the same type. Checks that the target then is that very object, else unmounts
   * it again and throws.
   */
  bindFd(fd: number, target: string): Promise<void>;
  /** Unmounts the topmost mount at `target`. */
  unmount(target: string): Promise<void>;
}

export interface HostMounterOptions {
  exec: Exec;
  /** The pid whose descriptors are mounted; this process unless a test says otherwise. */
  pid?: number;
}

export class HostMounter implements Mounter {
  private readonly exec: Exec;
  private readonly pid: number;

  constructor(opts: HostMounterOptions) {
    this.exec = opts.exec;
    this.pid = opts.pid ?? process.pid;
  }

  async bindFd(fd: number, target: string): Promise<void> {
    await runChecked(this.exec, 'mount', ['--no-canonicalize', '--bind', `/proc/${this.pid}/fd/${fd}`, target]);
    // A cheap second line of defence: the target's root must be the inode the descriptor holds.
    const want = fs.fstatSync(fd, { bigint: true });
    const got = fs.lstatSync(target, { bigint: true });
    if (got.dev !== want.dev || got.ino !== want.ino) {
      await this.unmount(target);
      throw new Error(`bind mount of fd ${fd} on ${target}: the target shows inode ${got.dev}:${got.ino}, not ${want.dev}:${want.ino}`);
    }
  }

  async unmount(target: string): Promise<void> {
    await runChecked(this.exec, 'umount', [target]);
  }
}
