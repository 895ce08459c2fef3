// The ImageService of the node: a local store under paths.imagesDir (see store-layout.ts) filled by archive
// loads, rootfs imports and registry pulls (registry/puller.ts), and overlay root filesystems for
// containers.

import fs from 'node:fs/promises';
import { NotFoundError, errorMessage } from '../errors.js';
import type { NodePaths } from '../node/paths.js';
import type { Clock } from '../system/clock.js';
import type { Exec } from '../system/exec.js';
import type { Logger } from '../system/logger.js';
import { loadArchive } from './archive.js';
import { Catalog, newWriteLog, type WriteLog } from './catalog.js';
import type { Image, ImageConfig, ImageService, PreparedRootfs } from './images.js';
import { importRootfs } from './import.js';
import { LayerStore } from './layer-store.js';
import { toImage, type ImageRecord } from './metadata.js';
import { OverlayManager } from './overlay.js';
import { pruneImages, type PruneResult } from './prune.js';
import { RegistrySession, type EndpointPolicy, type RetryPolicy } from './registry/client.js';
import { nodePlatform } from './registry/platform.js';
import { RegistryPuller } from './registry/puller.js';
import type { PullOptions } from './registry/types.js';
import { resolveImage } from './resolve.js';
import { StoreLayout } from './store-layout.js';
import type { LayerLimits } from './unpack.js';

export class LocalImageService implements ImageService {
  readonly layout: StoreLayout;
  private readonly exec: Exec;
  private readonly logger: Logger;
  private readonly layers: LayerStore;
  private readonly catalog: Catalog;
  private readonly overlay: OverlayManager;
  private readonly puller: RegistryPuller;

  constructor(opts: { paths: NodePaths; exec: Exec; logger: Logger; clock: Clock; registry?: Partial<RegistryOptions>; limits?: LayerLimits }) {
    this.layout = new StoreLayout(opts.paths.imagesDir);
    this.exec = opts.exec;
    this.logger = opts.logger.child({ component: 'images' });
    this.layers = new LayerStore({ layout: this.layout, exec: opts.exec, logger: this.logger, clock: opts.clock, ...(opts.limits ? { limits: opts.limits } : {}) });
    this.catalog = new Catalog({ layout: this.layout, layers: this.layers, clock: opts.clock, logger: this.logger });
    this.overlay = new OverlayManager({ layout: this.layout, layers: this.layers, exec: opts.exec, logger: this.logger });
    const reg = { ...defaultRegistryOptions(), ...opts.registry };
    const logger = this.logger;
    this.puller = new RegistryPuller({
      layout: this.layout,
      layers: this.layers,
      catalog: this.catalog,
      logger,
      clock: opts.clock,
      platform: nodePlatform(),
      concurrency: reg.concurrency,
      openSession: (domain, repoPath, credential, onRetry) =>
        new RegistrySession({ policy: reg.policy, logger, retry: reg.retry, stallMs: reg.stallMs, onRetry }, domain, repoPath, credential),
    });
  }

  /** Creates the store dirs, clears staging leftovers and loads the image records. */
  async init(): Promise<void> {
    for (const d of this.layout.dirs()) await fs.mkdir(d, { recursive: true, mode: 0o700 });
    for (const name of await fs.readdir(this.layout.tmpDir)) {
      await fs.rm(`${this.layout.tmpDir}/${name}`, { recursive: true, force: true });
    }
    await this.catalog.load();
    await this.catalog.repairLayers();
    await this.catalog.sweep(await this.overlay.layersInUse(), 0); // nothing is in flight yet
  }

  /**
   * Removes layers and blobs no image or container uses that have not been touched for `graceMs` (a
   * failed pull's, kept that long for its retry); image GC calls it on each pass.
   */
  async sweep(graceMs = SWEEP_GRACE_MS): Promise<{ layers: number; blobs: number }> {
    return this.catalog.sweep(await this.overlay.layersInUse(), graceMs);
  }

  async imageStatus(ref: string): Promise<Image | undefined> {
    const r = resolveImage(this.catalog.all(), ref);
    return r ? toImage(r) : undefined;
  }

  async listImages(): Promise<Image[]> {
    return this.catalog
      .all()
      .map(toImage)
      .sort((a, b) => a.createdAt - b.createdAt || (a.id < b.id ? -1 : 1));
  }

  /** Idempotent: an unknown reference is not an error (CRI RemoveImage). In-use images → ConflictError. */
  async removeImage(ref: string): Promise<void> {
    await this.catalog.remove(ref, (id) => this.overlay.usersOf(id));
  }

  /** Ids of the images some container's rootfs (running or stopped) is built from. */
  imagesInUse(): Promise<Set<string>> {
    return this.overlay.imagesInUse();
  }

  /** `peapod image prune`: dangling images (or, with `all`, every image) no container uses. */
  prune(all: boolean): Promise<PruneResult> {
    return pruneImages({ listImages: () => this.listImages(), inUseImageIds: () => this.imagesInUse(), removeImage: (id) => this.removeImage(id), logger: this.logger }, { all });
  }

  /** Called with every image a container is built from or that was just stored (for GC's LRU order). */
  onImageUsed?: (imageId: string) => void;

  /** A failed load removes the blobs and layers it wrote that nothing else uses (discardOnFailure). */
  async loadArchive(tarPath: string): Promise<Image[]> {
    const out = await this.discardOnFailure((written) => loadArchive({ exec: this.exec, logger: this.logger, layout: this.layout, catalog: this.catalog, written }, tarPath));
    for (const img of out) this.onImageUsed?.(img.id);
    return out;
  }

  /** A failed import removes the blobs and layer it wrote that nothing else uses. */
  async importRootfs(tarPath: string, ref: string, config?: Partial<ImageConfig>): Promise<Image> {
    const img = await this.discardOnFailure((written) => importRootfs({ logger: this.logger, layout: this.layout, layers: this.layers, catalog: this.catalog, written }, tarPath, ref, config));
    this.onImageUsed?.(img.id);
    return img;
  }

  /**
   * Runs a load; when it fails, what it wrote and nothing else uses goes at once (staged layers are gone
   * already: a staging dir never outlives its attempt). The load's own error is what the caller sees.
   */
  private async discardOnFailure<T>(load: (written: WriteLog) => Promise<T>): Promise<T> {
    const written = newWriteLog();
    try {
      return await load(written);
    } catch (err) {
      try {
        await this.catalog.discard(written, await this.overlay.layersInUse());
      } catch (cleanup) {
        this.logger.warn({ err: errorMessage(cleanup) }, 'could not remove what a failed load wrote: the sweep will');
      }
      throw err;
    }
  }

  async pullImage(ref: string, opts?: PullOptions): Promise<Image> {
    const img = await this.puller.pull(ref, opts);
    this.onImageUsed?.(img.id);
    return img;
  }

  async prepareRootfs(containerId: string, imageId: string): Promise<PreparedRootfs> {
    const { image, layers } = await this.rootfsLayers(imageId);
    this.onImageUsed?.(image.id);
    return this.overlay.prepare(containerId, { imageId: image.id, layers });
  }

  /**
   * The image and the layer keys (bottom first) its containers are built from: its chain ids, or, while
   * the layers of an image from a store before chain ids could not be unpacked again, its old layers.
   */
  async rootfsLayers(imageId: string): Promise<{ image: ImageRecord; layers: string[] }> {
    const image = resolveImage(this.catalog.all(), imageId);
    if (!image) throw new NotFoundError(`image "${imageId}" not found`, { resource: 'images', name: imageId });
    return { image, layers: await this.catalog.rootfsLayers(image) };
  }

  releaseRootfs(containerId: string): Promise<void> {
    return this.overlay.release(containerId);
  }

  rootfsUsage(containerIds: string[]): Promise<Map<string, number>> {
    return this.overlay.usage(containerIds);
  }

  /**
   * Startup reconciliation: unmounts and deletes every container rootfs whose container is not in
   * `liveContainerIds` (crash leftovers), deepest mounts first. Returns the released container ids.
   */
  gcRootfs(liveContainerIds: Iterable<string>): Promise<string[]> {
    return this.overlay.gc(liveContainerIds);
  }
}

/** How long a layer or blob no image uses is kept (for the retry of a failed pull). */
export const SWEEP_GRACE_MS = 10 * 60_000;

/** How the node talks to registries. */
export interface RegistryOptions {
  policy: EndpointPolicy;
  retry: RetryPolicy;
  /** No bytes for this long: the request is abandoned and retried. */
  stallMs: number;
  /** Blob downloads at once, over all pulls. */
  concurrency: number;
}

export function defaultRegistryOptions(): RegistryOptions {
  return {
    // Without a node policy: system CAs only, HTTPS only.
    policy: { tlsFor: async () => ({}), plainHttpAllowed: () => false },
    retry: { attempts: 5, baseDelayMs: 500, maxDelayMs: 8000 },
    stallMs: 30_000,
    concurrency: 3,
  };
}
