// The mount seam for mounts made from open file descriptors (subPath staging). Node cannot call
// mount(2), so mount(8) does it, on `/proc/<daemon pid>/fd/<fd>`: the kernel follows that magic link
// to the object the descriptor holds, not to a name. `--no-canonicalize` is what makes this sound:
// without it util-linux first realpath()s the source into a plain path name and mounts that name,
// which a container sharing the volume can have swapped for a symlink in between (seen with strace
// on util-linux 2.38: readlink of the fd, then mount(2) of the resolved name). umount(8) gets it too,
// for the same reason: it would realpath() the target before unmounting (issue 6).

import fs from 'node:fs';
import { errorMessage } from '../errors.js';
import type { Exec } from './exec.js';
import { runChecked } from './exec.js';

export interface Mounter {
  /**
   * Bind-mounts the file or directory held open by `fd` (in this process) onto `target`, which must
   * exist and be of the same type. Checks that the target then is that very object, else unmounts
   * it again and throws. When it throws, a mount may be on `target` all the same (mount(8) exiting
   * non-zero after mounting, a check that could not run, an unmount that failed): never verified,
   * it is the caller's to unmount, by what mountinfo shows there.
   */
  bindFd(fd: number, target: string): Promise<void>;
  /** Unmounts the topmost mount at `target`, with the path as given (not canonicalized). */
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
    let want: fs.BigIntStats;
    let got: fs.BigIntStats;
    try {
      want = fs.fstatSync(fd, { bigint: true });
      got = fs.lstatSync(target, { bigint: true });
    } catch (err) {
      throw new Error(`bind mount of fd ${fd} on ${target}: check the target: ${errorMessage(err)}`, { cause: err });
    }
    if (got.dev !== want.dev || got.ino !== want.ino) {
      const mismatch = `bind mount of fd ${fd} on ${target}: the target shows inode ${got.dev}:${got.ino}, not ${want.dev}:${want.ino}`;
      // The mismatch is what went wrong; a failed unmount is context, not a replacement for it.
      const failed = await this.unmount(target).then(() => undefined, (err: unknown) => err);
      if (failed !== undefined) throw new Error(`${mismatch}; unmounting it again failed too: ${errorMessage(failed)}`, { cause: failed });
      throw new Error(mismatch);
    }
  }

  async unmount(target: string): Promise<void> {
    await runChecked(this.exec, 'umount', ['--no-canonicalize', target]);
  }
}
