// A sandbox's IPC and UTS namespaces pinned as files before any of its containers exists, as CRI-O's
// pinns does: one `unshare --ipc=<file> --uts=<file> true` makes both and bind-mounts them at
// <nsDir>/<sandboxId>.ipc and .uts (the network namespace is pinned the same way by the network layer).
// The infra container joins them like every app container; it still holds them for the pod's life in
// the runtime's view, and an app container no longer needs the infra's pid to join them, so it can be
// created while the infra container is being created.
//
// <nsDir> is a private bind mount of itself (preparePrivateDir), as the netns dir is.

import { promises as fs } from 'node:fs';
import path from 'node:path';

import { InternalError } from '../errors.js';
import type { Exec } from '../system/exec.js';
import { isNetnsMounted, preparePrivateDir, removeNsFile, removePrivateDir } from './network/netns.js';

export type PinnedKind = 'ipc' | 'uts';
export type PinnedPaths = Partial<Record<PinnedKind, string>>;

const ID = /^[A-Za-z0-9][A-Za-z0-9_-]*$/;

export class NamespacePins {
  private prepared?: Promise<void>;

  constructor(
    private readonly dir: string,
    private readonly exec: Exec,
  ) {}

  /** The files a sandbox's pins live at (whether they exist or not). */
  pathsOf(sandboxId: string, kinds: readonly PinnedKind[]): PinnedPaths {
    if (!ID.test(sandboxId)) throw new InternalError(`bad sandbox id "${sandboxId}"`);
    return Object.fromEntries(kinds.map((k) => [k, path.join(this.dir, `${sandboxId}.${k}`)]));
  }

  /** The dir and its private self bind mount, once per process (at the runtime's start, as the netns dir). */
  prepareDir(): Promise<void> {
    this.prepared ??= preparePrivateDir(this.exec, this.dir).catch((err: unknown) => {
      this.prepared = undefined;
      throw err;
    });
    return this.prepared;
  }

  /** Makes and pins the namespaces; ones pinned already (a retry) are kept, a partial set is redone. */
  async pin(sandboxId: string, kinds: readonly PinnedKind[]): Promise<PinnedPaths> {
    const paths = this.pathsOf(sandboxId, kinds);
    if (kinds.length === 0) return paths;
    await this.prepareDir();
    const files = kinds.map((k) => paths[k]!);
    const mounted = await Promise.all(files.map((f) => isNetnsMounted(f)));
    if (mounted.every(Boolean)) return paths;
    await this.remove(files);
    await Promise.all(files.map((f) => fs.writeFile(f, '', { mode: 0o444 })));
    const r = await this.exec.run('unshare', kinds.map((k) => `--${k}=${paths[k]}`).concat('true'));
    if (r.code !== 0) {
      await this.remove(files).catch(() => undefined);
      throw new InternalError(`pin ${kinds.join(' and ')} namespaces of sandbox ${sandboxId}: unshare exited ${r.code}: ${r.stderr.trim()}`);
    }
    return paths;
  }

  /** Unmounts and unlinks the files (only ours, under the dir); a missing one is fine. */
  async remove(files: readonly (string | undefined)[]): Promise<void> {
    for (const f of files) {
      if (!f) continue;
      if (path.dirname(path.resolve(f)) !== this.dir) throw new InternalError(`remove pinned namespace ${f}: not under ${this.dir}`);
      await removeNsFile(this.exec, f);
    }
  }

  /** Removes the pins of sandboxes not kept (a crash between pinning and recording); returns their ids. */
  async gc(keep: (sandboxId: string) => boolean): Promise<string[]> {
    const names = await fs.readdir(this.dir).catch(() => [] as string[]);
    const gone = names.filter((n) => !keep(n.replace(/\.(ipc|uts)$/, '')));
    await this.remove(gone.map((n) => path.join(this.dir, n)));
    return gone;
  }

  /** Unmounts the dir's own bind mount and removes it; only when no pin is left in it. */
  async removeDir(): Promise<void> {
    const left = await fs.readdir(this.dir).catch(() => [] as string[]);
    if (left.length > 0) throw new InternalError(`remove ${this.dir}: ${left.length} namespaces still pinned`);
    this.prepared = undefined;
    await removePrivateDir(this.exec, this.dir);
  }
}
