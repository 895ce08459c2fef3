// Unpacked layers keyed by chain id (layers/<hex>/{diff,layer.json}) and their short links (l/<short>).
// A layer is staged in a dir under tmp/ and published by a rename under its per-layer lock (which removal
// takes too), so it is stored once even when two loads stage it at the same time. A layer dir without
// layer.json is incomplete and is ignored.
//
// The key is the chain id (chain-id.ts), as containerd keys snapshots: the dirs a layer only implies take
// mode and owner from its lowers, so the same diff over other lowers is another unpacked layer, and one
// image can never change what another image's rootfs shows. The bottom layer's key is its diff id.

import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Clock } from '../system/clock.js';
import type { Exec } from '../system/exec.js';
import type { Logger } from '../system/logger.js';
import { exists } from './blobs.js';
import { chainIdOf, chainIds } from './chain-id.js';
import { KeyedLock } from './keyed-lock.js';
import { readJsonIfExists, writeJsonAtomic } from '../system/atomic-file.js';
import { isLayerRecord, type LayerRecord } from './metadata.js';
import { digestHex } from './reference.js';
import type { StoreLayout } from './store-layout.js';
import { finishLayer, stageLayer, type LayerLimits } from './unpack.js';

/** At most `n` tasks at once; the others wait in order. */
class Slots {
  private active = 0;
  private readonly waiting: (() => void)[] = [];
  constructor(private readonly n: number) {}
  async run<T>(fn: () => Promise<T>): Promise<T> {
    if (this.active >= this.n) await new Promise<void>((r) => this.waiting.push(r));
    this.active++;
    try {
      return await fn();
    } finally {
      this.active--;
      this.waiting.shift()?.();
    }
  }
}

export class LayerStore {
  private readonly locks = new KeyedLock();
  /**
   * Layer stagings at once: two (a gunzip each on Node's 4-thread pool, which the daemon's file I/O
   * shares, and a tar each), about this machine's cores.
   */
  private readonly extracting = new Slots(2);
  private readonly layout: StoreLayout;
  private readonly exec: Exec;
  private readonly logger: Logger;
  private readonly clock: Clock;
  private readonly limits: LayerLimits | undefined;

  constructor(opts: { layout: StoreLayout; exec: Exec; logger: Logger; clock: Clock; limits?: LayerLimits }) {
    this.limits = opts.limits;
    this.layout = opts.layout;
    this.exec = opts.exec;
    this.logger = opts.logger;
    this.clock = opts.clock;
  }

  /** The layer stored under `key` (its chain id), if complete. */
  async get(key: string): Promise<LayerRecord | undefined> {
    const v = await readJsonIfExists(this.layout.layerRecordPath(key));
    return isLayerRecord(v) ? v : undefined;
  }

  /**
   * Returns the layer, unpacking `blob` first when it is not there. `expectedDiffId` (from the config)
   * is verified; without it (import) the computed diff id is used. `lowerDiffIds` are bottom first.
   * With `lowersReady`, the layer is extracted at once (a few at a time over the store) and finished
   * once that promise settles (the lowers are then in place): a puller stages several layers of one
   * image together.
   *
   * Staging holds no lock (so nothing waits on a lock while waiting for lowers: an image that lists a
   * layer twice cannot deadlock); finishing and publishing hold the layer's lock, which remove() takes
   * too. Two stagings of one new layer at once both run; the second finds it published and is dropped.
   */
  async ensure(opts: { blob: string; blobDigest: string; expectedDiffId?: string; lowerDiffIds: string[]; lowersReady?: Promise<unknown> }): Promise<LayerRecord> {
    if (opts.expectedDiffId) {
      const have = await this.get(chainIdOf(opts.lowerDiffIds, opts.expectedDiffId));
      if (have) return have;
    }
    const stage = path.join(this.layout.tmpDir, `layer-${randomBytes(8).toString('hex')}`);
    try {
      const started = this.clock.now();
      const lowers = chainIds(opts.lowerDiffIds).reverse().map((k) => this.layout.layerDiffDir(k));
      const staged = await this.extracting.run(() => stageLayer({ exec: this.exec, blob: opts.blob, stageDir: stage, ...(this.limits ? { limits: this.limits } : {}), ...(opts.expectedDiffId ? { expectedDiffId: opts.expectedDiffId } : {}) }));
      await opts.lowersReady;
      const key = chainIdOf(opts.lowerDiffIds, staged.diffId);
      return await this.locks.withLock(key, async () => {
        const have = await this.get(key);
        if (have) return have;
        await finishLayer(this.exec, staged, lowers);
        const record: LayerRecord = { diffId: staged.diffId, chainId: key, size: staged.size, blobDigest: opts.blobDigest, createdAt: this.clock.now() };
        await writeJsonAtomic(path.join(stage, 'layer.json'), record, { pretty: true });
        const dest = this.layout.layerDir(key);
        await fs.rm(dest, { recursive: true, force: true }); // an incomplete leftover (no layer.json)
        await fs.rename(stage, dest);
        this.logger.debug({ diffId: staged.diffId, chainId: key, size: staged.size, ms: this.clock.now() - started }, 'layer unpacked');
        return record;
      });
    } finally {
      await fs.rm(stage, { recursive: true, force: true });
    }
  }

  /** Deletes a layer (by its key, the chain id) and its short link; absent layers are fine. */
  async remove(key: string): Promise<void> {
    await this.locks.withLock(key, async () => {
      const link = await this.findLink(key);
      if (link) await fs.rm(path.join(this.layout.linksDir, link), { force: true });
      const dir = this.layout.layerDir(key);
      // Drop the marker first: a crash mid-delete leaves an incomplete layer, never a broken "complete" one.
      await fs.rm(path.join(dir, 'layer.json'), { force: true });
      await fs.rm(dir, { recursive: true, force: true });
    });
  }

  /**
   * The short link name for a layer (created if missing): the shortest hex prefix of its key, at
   * least 12 chars, that is free or already points at this layer. Keeps lowerdir lists short.
   */
  async ensureLink(key: string): Promise<string> {
    const hex = digestHex(key);
    const target = this.linkTarget(key);
    for (let len = 12; len <= hex.length; len++) {
      const name = hex.slice(0, len);
      const file = path.join(this.layout.linksDir, name);
      const cur = await fs.readlink(file).catch((e: NodeJS.ErrnoException) => (e.code === 'ENOENT' ? undefined : Promise.reject(e)));
      if (cur === target) return name;
      if (cur !== undefined) continue;
      try {
        await fs.symlink(target, file);
        return name;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
        if ((await fs.readlink(file)) === target) return name;
      }
    }
    throw new Error(`no free short link for layer ${key}`);
  }

  private async findLink(key: string): Promise<string | undefined> {
    const hex = digestHex(key);
    const target = this.linkTarget(key);
    for (let len = 12; len <= hex.length; len++) {
      const file = path.join(this.layout.linksDir, hex.slice(0, len));
      if (!(await exists(file))) return undefined;
      if ((await fs.readlink(file)) === target) return hex.slice(0, len);
    }
    return undefined;
  }

  private linkTarget(key: string): string {
    return path.join('..', 'layers', digestHex(key), 'diff');
  }
}
