// The image catalog: ImageRecords in memory, one file each under images/, plus the rules that tie records
// to layers and blobs. Every source of images (archive load, import, later a registry pull) stores its
// blobs, then calls commit(); removal frees the layers and blobs no other image (or in-flight commit) uses.

import fs from 'node:fs/promises';
import { ConflictError, errorMessage, InternalError } from '../errors.js';
import { exists } from './blobs.js';
import { parseImageManifest } from './manifest.js';
import type { Clock } from '../system/clock.js';
import type { Logger } from '../system/logger.js';
import type { Image } from './images.js';
import { chainIds } from './chain-id.js';
import { KeyedLock } from './keyed-lock.js';
import type { LayerStore } from './layer-store.js';
import { readJsonIfExists, writeJsonAtomic } from '../system/atomic-file.js';
import { configDiffIds, isImageRecord, parseImageConfig, toImage, type ImageRecord } from './metadata.js';
import { mergeImage, resolveImageRef } from './resolve.js';
import type { StoreLayout } from './store-layout.js';

/** An image whose manifest, config and layer blobs are already in blobs/. */
export interface NewImage {
  manifestDigest: string;
  configDigest: string;
  /** The parsed config JSON (rootfs.diff_ids and config are read from it). */
  config: unknown;
  /** Layer blob digests, bottom first, as the manifest lists them. */
  layerBlobs: string[];
  /** Normalised "name:tag" references; may be empty (an image known by id only). */
  repoTags: string[];
  repoDigests: string[];
}

const CATALOG = 'catalog';

/** What a load or import wrote (blob digests, layer keys), for discard() when it fails. */
export interface WriteLog {
  blobs: Set<string>;
  layers: Set<string>;
}

export function newWriteLog(): WriteLog {
  return { blobs: new Set(), layers: new Set() };
}

export class Catalog {
  private readonly records = new Map<string, ImageRecord>();
  private readonly lock = new KeyedLock();
  /** Digests (blobs and diff ids) an in-flight load still needs: removal must not free them. */
  private readonly held = new Map<string, number>();
  private readonly layout: StoreLayout;
  private readonly layers: LayerStore;
  private readonly clock: Clock;
  private readonly logger: Logger;

  constructor(opts: { layout: StoreLayout; layers: LayerStore; clock: Clock; logger: Logger }) {
    this.layout = opts.layout;
    this.layers = opts.layers;
    this.clock = opts.clock;
    this.logger = opts.logger;
  }

  /** Records load() could not read: while there are any, sweep() removes nothing (their layers may be in use). */
  private unreadable = 0;
  /**
   * Images whose layers could not be unpacked again under their chain ids (repairLayers), with why: their
   * layers as stored before chain ids (keyed by diff id) stay in use, and their containers are built from
   * those, until a later repair (at the next start, or at the image's next use) succeeds.
   */
  private readonly unrepaired = new Map<string, string>();

  /** Loads every images/*.json; unreadable files are logged and skipped. */
  async load(): Promise<void> {
    this.records.clear();
    this.unreadable = 0;
    for (const name of await fs.readdir(this.layout.imagesMetaDir)) {
      if (!name.endsWith('.json') || name.startsWith('.')) continue;
      const file = `${this.layout.imagesMetaDir}/${name}`;
      try {
        const v = await readJsonIfExists(file);
        if (isImageRecord(v)) this.records.set(v.id, v);
        else {
          this.unreadable++;
          this.logger.warn({ file }, 'ignoring malformed image record');
        }
      } catch (err) {
        this.unreadable++;
        this.logger.warn({ file, err }, 'ignoring unreadable image record');
      }
    }
  }

  /**
   * Unpacks again, from their blobs, the layers of image records not stored under their chain ids: a
   * store written before layers were keyed by chain id holds upper layers under their diff id alone
   * (the sweep then removes those no container uses). Returns how many images needed it.
   */
  async repairLayers(): Promise<number> {
    let repaired = 0;
    for (const r of this.records.values()) {
      const state = await this.repairImage(r);
      if (state === 'repaired') repaired++;
    }
    if (repaired) this.logger.info({ images: repaired }, 'layers unpacked again under their chain ids');
    return repaired;
  }

  private async hasAll(keys: string[]): Promise<boolean> {
    return (await Promise.all(keys.map(async (k) => (await this.layers.get(k)) !== undefined))).every(Boolean);
  }

  /** One image's part of repairLayers; a failure is remembered in `unrepaired` (its old layers stay). */
  private async repairImage(r: ImageRecord): Promise<'complete' | 'repaired' | 'failed'> {
    const keys = chainIds(r.layers);
    if (await this.hasAll(keys)) {
      this.unrepaired.delete(r.id);
      return 'complete';
    }
    const release = this.hold([...r.layers, ...keys, ...r.blobs]);
    try {
      const manifest = parseImageManifest(JSON.parse(await fs.readFile(this.layout.blobPath(r.manifestDigest), 'utf8')) as unknown, `manifest ${r.manifestDigest}`);
      if (manifest.layers.length !== r.layers.length) throw new Error(`the manifest lists ${manifest.layers.length} layers, the image ${r.layers.length}`);
      for (let i = 0; i < r.layers.length; i++) {
        const blobDigest = manifest.layers[i]!.digest;
        await this.layers.ensure({ blob: this.layout.blobPath(blobDigest), blobDigest, expectedDiffId: r.layers[i]!, lowerDiffIds: r.layers.slice(0, i) });
      }
      this.unrepaired.delete(r.id);
      return 'repaired';
    } catch (err) {
      this.unrepaired.set(r.id, errorMessage(err));
      this.logger.warn({ image: r.id, err: errorMessage(err) }, 'could not unpack the layers of an image again: its containers use its layers as stored before chain ids');
      return 'failed';
    } finally {
      release();
    }
  }

  /**
   * The layer keys (bottom first) a container of `r` is built from: its chain ids; for an image whose
   * repair failed, the repair is tried again first, and if it fails again, the layers as stored before
   * chain ids (keyed by diff id, as that store built rootfs). Throws a clear error when neither is whole.
   */
  async rootfsLayers(r: ImageRecord): Promise<string[]> {
    const keys = chainIds(r.layers);
    if (!this.unrepaired.has(r.id) || (await this.repairImage(r)) !== 'failed') return keys;
    if (await this.hasAll(r.layers)) return [...r.layers];
    throw new InternalError(
      `image ${r.id}: its layers are not stored under their chain ids and could not be unpacked again (${this.unrepaired.get(r.id) ?? 'unknown error'}); remove the image and pull or load it again`,
    );
  }

  /** Ids of images whose layers could not be unpacked again under their chain ids, with why. */
  unrepairedImages(): Map<string, string> {
    return new Map(this.unrepaired);
  }

  all(): ImageRecord[] {
    return [...this.records.values()];
  }

  /** Protects digests from removal until the returned release function is called. */
  hold(digests: string[]): () => void {
    for (const d of digests) this.held.set(d, (this.held.get(d) ?? 0) + 1);
    let done = false;
    return () => {
      if (done) return;
      done = true;
      for (const d of digests) {
        const n = (this.held.get(d) ?? 1) - 1;
        if (n <= 0) this.held.delete(d);
        else this.held.set(d, n);
      }
    };
  }

  /** Unpacks missing layers (bottom first), then records the image, moving its tags off other images. */
  async commit(img: NewImage): Promise<Image> {
    const diffIds = configDiffIds(img.config);
    if (diffIds.length !== img.layerBlobs.length) {
      throw new Error(`image ${img.configDigest}: config lists ${diffIds.length} diff ids but the manifest ${img.layerBlobs.length} layers`);
    }
    const release = this.hold([...diffIds, ...chainIds(diffIds), ...img.layerBlobs, img.manifestDigest, img.configDigest]);
    try {
      let size = 0;
      for (let i = 0; i < diffIds.length; i++) {
        const blobDigest = img.layerBlobs[i]!;
        const layer = await this.layers.ensure({ blob: this.layout.blobPath(blobDigest), blobDigest, expectedDiffId: diffIds[i], lowerDiffIds: diffIds.slice(0, i) });
        size += layer.size;
      }
      const record: ImageRecord = {
        id: img.configDigest,
        repoTags: [...new Set(img.repoTags)],
        repoDigests: [...new Set(img.repoDigests)],
        manifestDigest: img.manifestDigest,
        configDigest: img.configDigest,
        layers: diffIds,
        size,
        createdAt: this.clock.now(),
        config: parseImageConfig(img.config),
        blobs: [...new Set([img.manifestDigest, img.configDigest, ...img.layerBlobs])],
      };
      return await this.lock.withLock(CATALOG, async () => {
        const changed = mergeImage(this.records.values(), record);
        for (const r of changed) await this.save(r);
        return toImage(changed[changed.length - 1]!);
      });
    } finally {
      release();
    }
  }

  /**
   * Removes a reference: a tag of an image with other tags is untagged; anything else (last tag, id,
   * short id, digest) deletes the image and frees unshared layers and blobs. Unknown refs are a no-op
   * (CRI RemoveImage is idempotent). `usersOf` names containers whose rootfs uses the image.
   */
  async remove(ref: string, usersOf: (imageId: string) => Promise<string[]>): Promise<void> {
    await this.lock.withLock(CATALOG, async () => {
      const hit = resolveImageRef(this.records.values(), ref);
      if (!hit) return;
      const r = hit.record;
      if (hit.by === 'tag' && r.repoTags.length > 1) {
        await this.save({ ...r, repoTags: r.repoTags.filter((t) => t !== hit.tag) });
        return;
      }
      const users = await usersOf(r.id);
      if (users.length > 0) throw new ConflictError(`image "${ref}" (${r.id}) is in use by container ${users.join(', ')}`);
      await fs.rm(this.layout.imageRecordPath(r.id), { force: true });
      this.records.delete(r.id);
      this.unrepaired.delete(r.id); // its old layers are the sweep's now
      await this.freeUnreferenced(r);
    });
  }

  /**
   * After a failed load or import: deletes those of the blobs and layers (by key) it wrote that no image
   * record uses, no container's rootfs uses (`layersInUse`) and nothing in flight holds, at once rather
   * than at the sweep (what a refused archive wrote is of no use to a retry: it is sent again whole).
   * The caller has released its own holds.
   */
  async discard(written: WriteLog, layersInUse: Set<string>): Promise<{ layers: number; blobs: number }> {
    return this.lock.withLock(CATALOG, async () => {
      const { usedLayers, usedBlobs } = this.used(layersInUse);
      let layers = 0;
      let blobs = 0;
      for (const k of new Set(written.layers)) {
        if (usedLayers.has(k) || this.held.has(k) || !(await this.layers.get(k))) continue;
        await this.layers.remove(k);
        layers++;
      }
      for (const b of new Set(written.blobs)) {
        if (usedBlobs.has(b) || this.held.has(b) || !(await exists(this.layout.blobPath(b)))) continue;
        await fs.rm(this.layout.blobPath(b), { force: true });
        blobs++;
      }
      if (layers || blobs) this.logger.info({ layers, blobs }, 'removed what a failed load wrote');
      return { layers, blobs };
    });
  }

  /**
   * Deletes unpacked layers and blobs that no image record uses, no container's rootfs uses
   * (`layersInUse`) and nothing in flight holds: what a failed or canceled pull (or a crash) left.
   * Only items untouched for `graceMs`, so that a retry soon after a failure finds the layers it
   * fetched, and so that nothing a load is about to hold goes; `held` is checked again for each item.
   * Does nothing while some image record could not be read. Returns how many of each went.
   */
  async sweep(layersInUse: Set<string>, graceMs: number): Promise<{ layers: number; blobs: number }> {
    return this.lock.withLock(CATALOG, async () => {
      if (this.unreadable > 0) {
        this.logger.warn({ unreadable: this.unreadable }, 'not sweeping unused layers: some image records could not be read');
        return { layers: 0, blobs: 0 };
      }
      const { usedLayers, usedBlobs } = this.used(layersInUse);
      const old = async (p: string) => {
        const st = await fs.lstat(p).catch(() => undefined);
        return st !== undefined && Date.now() - st.mtimeMs >= graceMs; // file times are wall-clock
      };
      let layers = 0;
      let blobs = 0;
      for (const name of await fs.readdir(this.layout.layersDir).catch(() => [] as string[])) {
        const d = `sha256:${name}`;
        if (!/^[a-f0-9]{64}$/.test(name) || usedLayers.has(d) || this.held.has(d) || !(await old(this.layout.layerDir(d)))) continue;
        if (this.held.has(d)) continue; // taken while we looked
        await this.layers.remove(d);
        layers++;
      }
      for (const name of await fs.readdir(this.layout.blobsDir).catch(() => [] as string[])) {
        const d = `sha256:${name}`;
        if (!/^[a-f0-9]{64}$/.test(name) || usedBlobs.has(d) || this.held.has(d) || !(await old(this.layout.blobPath(d)))) continue;
        if (this.held.has(d)) continue;
        await fs.rm(this.layout.blobPath(d), { force: true });
        blobs++;
      }
      if (layers || blobs) this.logger.info({ layers, blobs }, 'removed layers and blobs no image uses');
      return { layers, blobs };
    });
  }

  /** The layers (by key: chain id) and blobs the image records use, plus `layers` and `blobs`. */
  private used(layers: Iterable<string>, blobs: Iterable<string> = []): { usedLayers: Set<string>; usedBlobs: Set<string> } {
    const usedLayers = new Set<string>(layers);
    const usedBlobs = new Set<string>(blobs);
    for (const r of this.records.values()) {
      for (const k of chainIds(r.layers)) usedLayers.add(k);
      // Not repaired yet: the layers as stored before chain ids are what its containers use.
      if (this.unrepaired.has(r.id)) for (const k of r.layers) usedLayers.add(k);
      for (const b of r.blobs) usedBlobs.add(b);
    }
    return { usedLayers, usedBlobs };
  }

  private async freeUnreferenced(removed: ImageRecord): Promise<void> {
    // Diff ids and blob digests are kept apart: an uncompressed layer blob has its diff id as digest.
    const held = [...this.held.keys()];
    const { usedLayers, usedBlobs } = this.used(held, held);
    for (const key of chainIds(removed.layers)) if (!usedLayers.has(key)) await this.layers.remove(key);
    for (const blob of removed.blobs) if (!usedBlobs.has(blob)) await fs.rm(this.layout.blobPath(blob), { force: true });
    this.logger.debug({ image: removed.id }, 'image removed');
  }

  private async save(r: ImageRecord): Promise<void> {
    await writeJsonAtomic(this.layout.imageRecordPath(r.id), r, { pretty: true });
    this.records.set(r.id, r);
  }
}
