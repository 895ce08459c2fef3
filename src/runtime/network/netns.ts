// Pinned network namespaces: one nsfs bind mount per sandbox at <netnsDir>/<sandboxId>, made with
// `unshare --net=<file> true` (~5 ms, same as `ip netns add`, but keyed to our own dir). The file
// outlives every process in it, so CNI DEL still works after the pause container died.
//
// The dir is made a private bind mount of itself once (as `ip netns` does with /run/netns), so the
// nsfs mounts never propagate into or out of other mount namespaces on hosts where / is shared.

import { promises as fs } from 'node:fs';
import path from 'node:path';

import { InternalError } from '../../errors.js';
import type { Exec } from '../../system/exec.js';
import { runChecked } from '../../system/exec.js';
import { isMountPoint, readMountInfo } from '../../system/mountinfo.js';

/** statfs f_type of nsfs (linux/magic.h NSFS_MAGIC). */
const NSFS_MAGIC = 0x6e736673;

/** Whether `file` is a mounted namespace file (false when missing or a plain file). */
export async function isNetnsMounted(file: string): Promise<boolean> {
  try {
    return (await fs.statfs(file)).type === NSFS_MAGIC;
  } catch {
    return false;
  }
}

/**
 * mkdir (0700: only the daemon and its plugins open the files) and a private self bind mount, so the nsfs
 * mounts made in it never propagate to or from other mount namespaces; idempotent across restarts.
 */
export async function preparePrivateDir(exec: Exec, dir: string): Promise<void> {
  await fs.mkdir(dir, { recursive: true, mode: 0o700 });
  if (isMountPoint(await readMountInfo(undefined, dir), dir)) return;
  // --rbind keeps namespace mounts left by a previous daemon visible under the new mount.
  await runChecked(exec, 'mount', ['--rbind', dir, dir]);
  await runChecked(exec, 'mount', ['--make-private', dir]);
}

/** Undoes preparePrivateDir: unmounts the dir's own bind mount (the path as given) and removes the dir. */
export async function removePrivateDir(exec: Exec, dir: string): Promise<void> {
  if (isMountPoint(await readMountInfo(undefined, dir).catch(() => []), dir)) {
    await runChecked(exec, 'umount', ['--no-canonicalize', dir]);
  }
  await fs.rm(dir, { recursive: true, force: true });
}

/** Unmounts (lazily, as `ip netns del`) a namespace file and unlinks it; succeeds when already gone. */
export async function removeNsFile(exec: Exec, file: string): Promise<void> {
  if (await isNetnsMounted(file)) {
    const r = await exec.run('umount', ['--lazy', file]);
    if (r.code !== 0 && (await isNetnsMounted(file))) {
      throw new InternalError(`remove namespace file ${file}: umount exited ${r.code}: ${r.stderr.trim()}`);
    }
  }
  await fs.rm(file, { force: true });
}

export class NetnsManager {
  private readonly dir: string;
  private readonly exec: Exec;
  private prepared?: Promise<void>;

  constructor(opts: { dir: string; exec: Exec }) {
    this.dir = opts.dir;
    this.exec = opts.exec;
  }

  /** mkdir + private self bind mount, once per process (idempotent across restarts). */
  prepareDir(): Promise<void> {
    this.prepared ??= this.doPrepare().catch((err: unknown) => {
      this.prepared = undefined;
      throw err;
    });
    return this.prepared;
  }

  private doPrepare(): Promise<void> {
    return preparePrivateDir(this.exec, this.dir);
  }


  pathOf(sandboxId: string): string {
    if (!/^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(sandboxId)) throw new InternalError(`bad sandbox id "${sandboxId}"`);
    return path.join(this.dir, sandboxId);
  }

  /** Creates and pins the sandbox's netns; an already pinned one is returned as is (retry-safe). */
  async create(sandboxId: string): Promise<string> {
    await this.prepareDir();
    const file = this.pathOf(sandboxId);
    if (await isNetnsMounted(file)) return file;
    await fs.writeFile(file, '', { mode: 0o444 });
    const r = await this.exec.run('unshare', [`--net=${file}`, 'true']);
    if (r.code !== 0) {
      await fs.rm(file, { force: true });
      throw new InternalError(`create netns for sandbox ${sandboxId}: unshare exited ${r.code}: ${r.stderr.trim()}`);
    }
    return file;
  }

  /** Unmounts (lazily, as `ip netns del`) and unlinks; succeeds when already gone. */
  async remove(file: string): Promise<void> {
    if (!file) return;
    if (path.dirname(path.resolve(file)) !== this.dir) {
      throw new InternalError(`remove netns ${file}: not under ${this.dir}`);
    }
    await removeNsFile(this.exec, file);
  }

  /** Sandbox ids that have a file in the dir. */
  async list(): Promise<string[]> {
    try {
      return await fs.readdir(this.dir);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw err;
    }
  }

  /** Unmounts the dir's own bind mount and removes it; only when no netns is left in it. */
  async removeDir(): Promise<void> {
    const left = await this.list();
    if (left.length > 0) throw new InternalError(`remove netns dir ${this.dir}: ${left.length} netns still pinned`);
    this.prepared = undefined;
    await removePrivateDir(this.exec, this.dir);
  }
}
