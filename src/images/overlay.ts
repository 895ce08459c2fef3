// Container root filesystems: one overlay per container under <imagesDir>/overlay/<id>/ (outside the runc
// state root), lower = the image's layers, upper and work private to the container.
//
//   overlay/<id>/rootfs.json   {imageId, layers} — written before the mount, so gc and removeImage see it
//   overlay/<id>/upper, work   the container's writes
//   overlay/<id>/merged        the mount point, handed to runc as root.path
//
// lowerdir uses the short links in l/ and is given relative to that dir (mount runs with cwd = l/), so
// 60+ layers fit in the one-page option string (node-runtime.md §5.3).

import fs from 'node:fs/promises';
import path from 'node:path';
import { ConflictError, InternalError } from '../errors.js';
import type { Exec } from '../system/exec.js';
import type { Logger } from '../system/logger.js';
import { KeyedLock } from './keyed-lock.js';
import type { LayerStore } from './layer-store.js';
import { readJsonIfExists, writeJsonAtomic } from '../system/atomic-file.js';
import { isObject } from './metadata.js';
import { mountPointsUnder, readMountInfo } from '../system/mountinfo.js';
import { removeTreeBeneath } from '../system/remove-tree.js';
import { diskUsage } from '../system/disk-usage.js';
import type { StoreLayout } from './store-layout.js';

/** The kernel copies mount options into one page; keep a margin. */
const MAX_OPTIONS = 4000;

export interface RootfsRecord {
  imageId: string;
  /** Layer keys (chain ids; diff ids in records written before), bottom first. */
  layers: string[];
}

export class OverlayManager {
  private readonly locks = new KeyedLock();
  private readonly layout: StoreLayout;
  private readonly layers: LayerStore;
  private readonly exec: Exec;
  private readonly logger: Logger;

  constructor(opts: { layout: StoreLayout; layers: LayerStore; exec: Exec; logger: Logger }) {
    this.layout = opts.layout;
    this.layers = opts.layers;
    this.exec = opts.exec;
    this.logger = opts.logger;
  }

  /** Mounts the container's overlay; an existing mount of the same image is returned as is. */
  async prepare(containerId: string, rec: RootfsRecord): Promise<{ mergedDir: string }> {
    const dir = this.layout.containerDir(containerId);
    return this.locks.withLock(containerId, async () => {
      const merged = path.join(dir, 'merged');
      const prev = await this.record(containerId);
      if (prev && prev.imageId !== rec.imageId) {
        throw new ConflictError(`rootfs of container ${containerId} already exists for image ${prev.imageId}, not ${rec.imageId}`);
      }
      if (await this.isMounted(merged)) return { mergedDir: merged };
      const upper = path.join(dir, 'upper');
      const work = path.join(dir, 'work');
      for (const d of [dir, upper, work, merged]) await fs.mkdir(d, { recursive: true, mode: 0o755 });
      await writeJsonAtomic(path.join(dir, 'rootfs.json'), rec, { pretty: true });
      const lower: string[] = [];
      for (const key of [...rec.layers].reverse()) lower.push(await this.layers.ensureLink(key));
      const options = `lowerdir=${lower.join(':')},upperdir=${upper},workdir=${work}`;
      if (/[,:]/.test(dir)) throw new InternalError(`rootfs dir "${dir}" contains "," or ":", which overlay options cannot carry`);
      if (options.length > MAX_OPTIONS) {
        throw new InternalError(`overlay options for container ${containerId} are ${options.length} bytes (${rec.layers.length} layers): over the one-page limit`);
      }
      const r = await this.exec.run('mount', ['-t', 'overlay', 'overlay', '-o', options, merged], { cwd: this.layout.linksDir });
      if (r.code !== 0) {
        throw new InternalError(`mount overlay for container ${containerId}: mount exited ${r.code}: ${(r.stderr || r.stdout).trim()}`);
      }
      this.logger.debug({ containerId, layers: rec.layers.length }, 'rootfs mounted');
      return { mergedDir: merged };
    });
  }

  /** Unmounts (lazily when busy) everything under the container's dir, then deletes it. Absent is fine. */
  async release(containerId: string): Promise<void> {
    const dir = this.layout.containerDir(containerId);
    await this.locks.withLock(containerId, async () => {
      const real = await fs.realpath(dir).catch(() => undefined);
      if (real === undefined) return;
      for (const m of mountPointsUnder(await readMountInfo(undefined, real), real)) await this.unmount(m);
      const left = mountPointsUnder(await readMountInfo(undefined, real), real);
      // Never rm -rf through a mount: it could reach the shared layers or host files.
      if (left.length > 0) throw new InternalError(`release rootfs of container ${containerId}: still mounted: ${left.join(', ')}`);
      // By descriptor, not fs.rm: the upper dir is the container's writable layer, and a container that
      // outlived a lazy unmount could swap a dir in it for a symlink to the host mid-removal (issue 6).
      await removeTreeBeneath(dir);
      this.logger.debug({ containerId }, 'rootfs released');
    });
  }

  /** Disk usage of the containers' upper dirs (their writes), by container id; missing ones are absent. */
  async usage(containerIds: string[]): Promise<Map<string, number>> {
    const byPath = new Map(containerIds.map((id) => [path.join(this.layout.containerDir(id), 'upper'), id]));
    const used = await diskUsage(this.exec, [...byPath.keys()]);
    return new Map([...used].map(([p, bytes]) => [byPath.get(p) ?? '', bytes] as const).filter(([id]) => id !== ''));
  }

  /** The rootfs record of a container, or undefined. */
  async record(containerId: string): Promise<RootfsRecord | undefined> {
    const v = await readJsonIfExists(path.join(this.layout.containerDir(containerId), 'rootfs.json')).catch(() => undefined);
    return isObject(v) && typeof v.imageId === 'string' && Array.isArray(v.layers) ? (v as unknown as RootfsRecord) : undefined;
  }

  /** Container ids that have a rootfs dir. */
  async containerIds(): Promise<string[]> {
    const names = await fs.readdir(this.layout.overlayDir).catch(() => [] as string[]);
    return names.filter((n) => !n.startsWith('.'));
  }

  /** Containers whose rootfs uses the image. */
  /** The layers (diff ids) any container's rootfs (running or stopped) is built from. */
  async layersInUse(): Promise<Set<string>> {
    const out = new Set<string>();
    for (const id of await this.containerIds()) for (const d of (await this.record(id))?.layers ?? []) out.add(d);
    return out;
  }

  /** The image ids any container's rootfs (running or stopped) is built from. */
  async imagesInUse(): Promise<Set<string>> {
    const out = new Set<string>();
    for (const id of await this.containerIds()) {
      const r = await this.record(id);
      if (r) out.add(r.imageId);
    }
    return out;
  }

  async usersOf(imageId: string): Promise<string[]> {
    const out: string[] = [];
    for (const id of await this.containerIds()) if ((await this.record(id))?.imageId === imageId) out.push(id);
    return out;
  }

  /**
   * Crash leftovers: releases every rootfs (mounted or not) whose container is not in `live`, including
   * mounts under overlay/ whose dir is gone from the listing. Returns the released container ids.
   */
  async gc(live: Iterable<string>): Promise<string[]> {
    const keep = new Set(live);
    const ids = new Set(await this.containerIds());
    const base = await fs.realpath(this.layout.overlayDir);
    for (const m of mountPointsUnder(await readMountInfo(undefined, base), base)) {
      const id = path.relative(base, m).split(path.sep)[0];
      if (id) ids.add(id);
    }
    const released: string[] = [];
    for (const id of ids) {
      if (keep.has(id)) continue;
      try {
        await this.release(id);
        released.push(id);
      } catch (err) {
        this.logger.warn({ containerId: id, err }, 'could not release leftover rootfs');
      }
    }
    return released;
  }

  private async isMounted(dir: string): Promise<boolean> {
    const real = await fs.realpath(dir).catch(() => undefined);
    if (!real) return false;
    return (await readMountInfo(undefined, real)).some((e) => e.mountPoint === real);
  }

  private async unmount(mountPoint: string): Promise<void> {
    // --no-canonicalize: mountinfo's path as it is, not umount(8)'s realpath() of it (issue 6).
    const r = await this.exec.run('umount', ['--no-canonicalize', mountPoint]);
    if (r.code === 0) return;
    this.logger.warn({ mountPoint, stderr: r.stderr.trim() }, 'umount failed, detaching lazily');
    const l = await this.exec.run('umount', ['--no-canonicalize', '-l', mountPoint]);
    if (l.code !== 0) throw new InternalError(`umount -l ${mountPoint}: exit ${l.code}: ${l.stderr.trim()}`);
  }
}
