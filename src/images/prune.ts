// `peapod image prune`, with docker's and podman's semantics: by default the dangling images (no tag left,
// e.g. the old image after a tag moved to a newer load) that no container uses; with `all`, every image no
// container uses. "Uses" counts stopped containers too: their rootfs is built on the image, so an image in
// use is never removed, whatever the flags. The plan is pure; pruneImages() carries it out with the same
// narrow deps as image GC (gc.ts) and goes on past an image it cannot remove (say a container took it
// meanwhile), reporting it.

import { errorMessage } from '../errors.js';
import type { ImageStoreDeps, StoredImage } from './gc.js';
import type { Logger } from '../system/logger.js';

export interface PruneOptions {
  /** Remove every unused image, not only dangling ones (docker image prune -a). */
  all?: boolean;
}

export interface PruneResult {
  /** Ids removed, in plan order. */
  deleted: string[];
  /** Sum of the removed images' sizes (layers still shared with a kept image are counted, and stay). */
  reclaimedBytes: number;
  /** Images planned but not removed, with the error. */
  failed: { id: string; error: string }[];
}

/** An image no name reaches: no tag, and no repo digest (an image pulled by digest is not dangling). */
export function isDangling(image: Pick<StoredImage, 'repoTags' | 'repoDigests'>): boolean {
  return (image.repoTags?.length ?? 0) === 0 && (image.repoDigests?.length ?? 0) === 0;
}

/**
 * The images prune removes, oldest stored first (then by id): not in `inUse`, and dangling unless `all`.
 * Pure.
 */
export function planPrune<T extends StoredImage>(images: readonly T[], inUse: ReadonlySet<string>, opts: PruneOptions = {}): T[] {
  return images
    .filter((img) => !inUse.has(img.id) && (opts.all === true || isDangling(img)))
    .sort((a, b) => a.createdAt - b.createdAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

/** Lists, plans and removes; a failed removal is logged and reported, the rest go on. */
export async function pruneImages(
  deps: Pick<ImageStoreDeps, 'listImages' | 'inUseImageIds' | 'removeImage'> & { logger?: Logger },
  opts: PruneOptions = {},
): Promise<PruneResult> {
  const [images, inUse] = await Promise.all([deps.listImages(), deps.inUseImageIds()]);
  const out: PruneResult = { deleted: [], reclaimedBytes: 0, failed: [] };
  for (const img of planPrune(images, inUse, opts)) {
    try {
      await deps.removeImage(img.id);
    } catch (err) {
      out.failed.push({ id: img.id, error: errorMessage(err) });
      deps.logger?.warn({ imageId: img.id, err }, 'image prune could not remove an image');
      continue;
    }
    out.deleted.push(img.id);
    out.reclaimedBytes += img.size;
  }
  deps.logger?.info({ deleted: out.deleted.length, reclaimedBytes: out.reclaimedBytes, all: opts.all === true }, 'images pruned');
  return out;
}
