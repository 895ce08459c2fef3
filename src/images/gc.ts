// Image garbage collection by disk thresholds, as the kubelet's image GC manager does it. When the
// filesystem holding the image store is used at or above the high threshold (default 85%), images no
// container uses are removed, least recently used first, until usage is back at the low threshold (default
// 80%). "Used" counts every container the runtime still holds a rootfs for, running or stopped: removing the
// image under a stopped container would break its restart. Images younger than minAge are never removed
// (the kubelet's guard for an image pulled a moment ago for a container about to be created).
//
// The decision is a pure planner (planImageGc), tested on its own; ImageGc wraps it with narrow injected
// deps (list, in-use ids, remove, statfs), an in-memory last-used map and a periodic loop. Like the
// kubelet, the freed amount is estimated from image sizes: layers shared with a kept image are counted
// although they stay on disk, so a pass may free less than it reports; the next pass sees the real usage.

import fs from 'node:fs/promises';
import { errorMessage } from '../errors.js';
import { SystemClock, type Clock } from '../system/clock.js';
import type { Logger } from '../system/logger.js';

/** The kubelet's defaults: --image-gc-high-threshold=85, --image-gc-low-threshold=80. */
export const DEFAULT_GC_HIGH_PERCENT = 85;
export const DEFAULT_GC_LOW_PERCENT = 80;
/** The kubelet's minimum-image-ttl-duration: an image younger than this is never collected. */
export const DEFAULT_GC_MIN_AGE_MS = 120_000;
/** The kubelet collects images every 5 minutes. */
export const IMAGE_GC_PERIOD_MS = 5 * 60_000;

/** Size and free space of a filesystem, bytes (available = free to unprivileged users, as the kubelet reads it). */
export interface FsSpace {
  capacity: number;
  available: number;
}

/** One image as the planner sees it. */
export interface GcCandidate {
  id: string;
  /** Bytes the image is expected to free. */
  size: number;
  /** Unix ms a container last used it (or it was pulled/stored, if never used). */
  lastUsed: number;
  /** Unix ms the image was stored: its age for minAge. */
  createdAt: number;
  /** Some container (running or stopped) still has a rootfs from it. */
  inUse: boolean;
}

export interface ImageGcPlanInput {
  images: readonly GcCandidate[];
  fsCapacity: number;
  fsAvailable: number;
  highPercent: number;
  lowPercent: number;
  /** Unix ms of this pass. */
  now: number;
  minAgeMs: number;
}

export interface ImageGcPlan {
  /** Bytes to free to reach the low threshold; 0 when usage is below the high threshold. */
  needed: number;
  /** Ids to remove, in order: the shortest LRU prefix of `eligible` that frees `needed`. */
  delete: string[];
  /** Every removable image in eviction order (a caller whose removal fails goes on down this list). */
  eligible: string[];
  /** Sum of the sizes of `delete`. */
  freedEstimate: number;
  /** Usage of the filesystem, percent, rounded up as the kubelet computes it. */
  usagePercent: number;
  /** False when GC was needed but cannot reach the low threshold, or the capacity is invalid. */
  satisfied: boolean;
  /** A one-line account of the decision (the kubelet's message on a shortfall). */
  reason: string;
  /** Set when the kubelet would post a Node warning event: FreeDiskSpaceFailed or InvalidDiskCapacity. */
  warning?: 'FreeDiskSpaceFailed' | 'InvalidDiskCapacity';
}

/**
 * Checks thresholds as the kubelet's config validation does: 0 ≤ low < high ≤ 100 (high 100 disables
 * image GC). Throws an Error naming the bad value.
 */
export function validateGcThresholds(highPercent: number, lowPercent: number): void {
  for (const [name, v] of [['high', highPercent], ['low', lowPercent]] as const) {
    if (!Number.isFinite(v) || v < 0 || v > 100) throw new Error(`invalid image GC ${name} threshold ${v}: must be in the range [0-100]`);
  }
  if (lowPercent >= highPercent) {
    throw new Error(`image GC low threshold (${lowPercent}%) must be less than the high threshold (${highPercent}%)`);
  }
}

/** High 100 turns image GC off, as in the kubelet (usage can never exceed it in a way worth collecting). */
export function imageGcDisabled(highPercent: number): boolean {
  return highPercent >= 100;
}

/** The kubelet's shortfall message (FreeDiskSpaceFailed event). */
export function shortfallMessage(needed: number, found: number): string {
  return `Failed to garbage collect required amount of images. Attempted to free ${needed} bytes, but only found ${found} bytes eligible to free.`;
}

/**
 * Eviction order: least recently used first, then oldest stored, then by id so equal records always come
 * out the same way.
 */
export function compareEviction(a: GcCandidate, b: GcCandidate): number {
  return a.lastUsed - b.lastUsed || a.createdAt - b.createdAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

/**
 * Decides which images to remove. Pure. Usage percent is 100 − ⌊available·100/capacity⌋ and GC runs when
 * it is ≥ high; it then frees ⌊capacity·(100−low)/100⌋ − available bytes (= used − low% of capacity).
 * Candidates: not in use, not used at or after `now`, at least `minAgeMs` old; LRU first.
 * Throws on invalid thresholds (see validateGcThresholds).
 */
export function planImageGc(input: ImageGcPlanInput): ImageGcPlan {
  const { highPercent, lowPercent, now, minAgeMs } = input;
  validateGcThresholds(highPercent, lowPercent);
  const capacity = Math.max(0, Math.floor(input.fsCapacity));
  // statfs can report more available than capacity on some filesystems: the kubelet clamps it.
  const available = Math.min(capacity, Math.max(0, Math.floor(input.fsAvailable)));
  const nothing = { needed: 0, delete: [], eligible: [], freedEstimate: 0 };
  if (capacity === 0) {
    return { ...nothing, usagePercent: 0, satisfied: false, reason: 'invalid capacity 0 on image filesystem', warning: 'InvalidDiskCapacity' };
  }
  // BigInt: capacity·100 passes 2^53 on filesystems above ~90 TB.
  const cap = BigInt(capacity);
  const avail = BigInt(available);
  const usagePercent = 100 - Number((avail * 100n) / cap);
  if (imageGcDisabled(highPercent)) {
    return { ...nothing, usagePercent, satisfied: true, reason: `image garbage collection is disabled (high threshold ${highPercent}%)` };
  }
  if (usagePercent < highPercent) {
    return { ...nothing, usagePercent, satisfied: true, reason: `image filesystem usage ${usagePercent}% is below the high threshold ${highPercent}%` };
  }
  const needed = Math.max(0, Number((cap * BigInt(Math.round((100 - lowPercent) * 1000))) / 100_000n - avail));

  const eligible = input.images
    .filter((img) => !img.inUse && img.lastUsed < now && now - img.createdAt >= minAgeMs)
    .sort(compareEviction);
  const del: string[] = [];
  let freed = 0;
  for (const img of eligible) {
    if (freed >= needed) break;
    del.push(img.id);
    freed += img.size;
  }
  const head = `image filesystem usage ${usagePercent}% is at or above the high threshold ${highPercent}%`;
  if (freed < needed) {
    return { needed, delete: del, eligible: eligible.map((i) => i.id), freedEstimate: freed, usagePercent, satisfied: false, reason: shortfallMessage(needed, freed), warning: 'FreeDiskSpaceFailed' };
  }
  return {
    needed,
    delete: del,
    eligible: eligible.map((i) => i.id),
    freedEstimate: freed,
    usagePercent,
    satisfied: true,
    reason: `${head}: removing ${del.length} image(s) (${freed} bytes) to free ${needed} bytes down to the low threshold ${lowPercent}%`,
  };
}

/** An image as the store lists it (LocalImageService's Image fits). */
export interface StoredImage {
  id: string;
  size: number;
  createdAt: number;
  /** Used by prune (dangling = no tags and no repo digests); GC ignores them. */
  repoTags?: readonly string[];
  repoDigests?: readonly string[];
}

/** What image GC and prune need from the node: the store, the containers' rootfs users and the disk. */
export interface ImageStoreDeps {
  listImages(): Promise<StoredImage[]>;
  /** Ids of images some container (running or stopped) has a rootfs from. */
  inUseImageIds(): Promise<Set<string>>;
  /** Removes the image by id (ConflictError if a container took it meanwhile: logged, skipped). */
  removeImage(id: string): Promise<void>;
}

export interface ImageGcDeps extends ImageStoreDeps {
  /** Space on the filesystem holding the image store (see statfsSpace). */
  statfs(): Promise<FsSpace>;
  clock: Clock;
  logger: Logger;
}

export interface ImageGcPolicy {
  highPercent: number;
  lowPercent: number;
  minAgeMs: number;
}

export interface ImageGcResult {
  /** Ids removed, in order. */
  removed: string[];
  /** Sum of the removed images' sizes. */
  freedBytes: number;
  neededBytes: number;
  usagePercent: number;
  /** True when nothing was needed, or the low threshold was reached (by estimate) without errors. */
  ok: boolean;
  /** What happened, in one line (the kubelet's messages on failure). */
  message: string;
  /** Set when the kubelet would post a Node warning event. */
  warning?: 'FreeDiskSpaceFailed' | 'InvalidDiskCapacity';
  /** Removals that failed (the pass went on to the next candidate). */
  errors: { id: string; error: string }[];
}

/** Size and available bytes of the filesystem holding `path` (statfs(2); bavail, as non-root sees it). */
export async function statfsSpace(path: string): Promise<FsSpace> {
  const st = await fs.statfs(path);
  return { capacity: st.blocks * st.bsize, available: st.bavail * st.bsize };
}

/**
 * The image garbage collector. markUsed/markPulled feed the last-used map (kept in memory, like the
 * kubelet's: after a restart images count as last used when stored, or when a pass last saw them in use);
 * runOnce() does one pass; start()/stop() run it periodically. Passes never overlap.
 */
export class ImageGc {
  readonly policy: Readonly<ImageGcPolicy>;
  private readonly deps: ImageGcDeps;
  private readonly logger: Logger;
  private readonly lastUsed = new Map<string, number>();
  private running?: Promise<ImageGcResult>;
  private cancelTimer?: () => void;
  private stopped = true;

  /** Throws on invalid thresholds or a negative minAge. */
  constructor(deps: ImageGcDeps, policy: Partial<ImageGcPolicy> = {}) {
    const p: ImageGcPolicy = {
      highPercent: policy.highPercent ?? DEFAULT_GC_HIGH_PERCENT,
      lowPercent: policy.lowPercent ?? DEFAULT_GC_LOW_PERCENT,
      minAgeMs: policy.minAgeMs ?? DEFAULT_GC_MIN_AGE_MS,
    };
    validateGcThresholds(p.highPercent, p.lowPercent);
    if (!Number.isFinite(p.minAgeMs) || p.minAgeMs < 0) throw new Error(`invalid image GC minimum age ${p.minAgeMs} ms: must be 0 or more`);
    this.policy = Object.freeze(p);
    this.deps = deps;
    this.logger = deps.logger.child({ component: 'image-gc' });
  }

  /** A container was created from the image (call with the image id, not a tag). */
  markUsed(imageId: string): void {
    this.touch(imageId);
  }

  /** The image was pulled, loaded or imported (again): it counts as just used. */
  markPulled(imageId: string): void {
    this.touch(imageId);
  }

  /** The last-used time the next pass will see for an image, if recorded. */
  lastUsedOf(imageId: string): number | undefined {
    return this.lastUsed.get(imageId);
  }

  /** One pass (joins the one in flight, if any). Rejects only when listing or statfs fails. */
  runOnce(): Promise<ImageGcResult> {
    this.running ??= this.pass().finally(() => (this.running = undefined));
    return this.running;
  }

  /**
   * Runs a pass every `intervalMs`, the first after `firstDelayMs` (default: at once, as the kubelet's
   * loop). No-op when high is 100 (GC disabled) or already started. Errors are logged, never thrown.
   */
  start(intervalMs: number = IMAGE_GC_PERIOD_MS, firstDelayMs = 0): void {
    if (!this.stopped) return;
    if (imageGcDisabled(this.policy.highPercent)) {
      this.logger.info({ highThreshold: this.policy.highPercent }, 'image garbage collection disabled (high threshold 100%)');
      return;
    }
    this.stopped = false;
    const tick = (): void => {
      this.cancelTimer = undefined;
      if (this.stopped) return;
      this.runOnce()
        .catch((err: unknown) => this.logger.warn({ err }, 'image garbage collection failed'))
        .finally(() => {
          if (!this.stopped) this.cancelTimer = unrefTimer(this.deps.clock, intervalMs, tick);
        });
    };
    this.cancelTimer = unrefTimer(this.deps.clock, firstDelayMs, tick);
  }

  /** Stops the loop; a pass in flight finishes (await `runOnce()` to wait for it). */
  stop(): void {
    this.stopped = true;
    this.cancelTimer?.();
    this.cancelTimer = undefined;
  }

  private touch(imageId: string): void {
    const now = this.deps.clock.now();
    this.lastUsed.set(imageId, Math.max(now, this.lastUsed.get(imageId) ?? 0));
  }

  private async pass(): Promise<ImageGcResult> {
    const { clock } = this.deps;
    const [images, inUse] = await Promise.all([this.deps.listImages(), this.deps.inUseImageIds()]);
    const now = clock.now();
    // As the kubelet's detectImages: images in use now count as used now; forget images that are gone.
    const present = new Set(images.map((i) => i.id));
    for (const id of this.lastUsed.keys()) if (!present.has(id)) this.lastUsed.delete(id);
    for (const id of inUse) if (present.has(id)) this.lastUsed.set(id, now);

    const fsSpace = await this.deps.statfs();
    const plan = planImageGc({
      images: images.map((i) => ({ id: i.id, size: i.size, createdAt: i.createdAt, lastUsed: this.lastUsed.get(i.id) ?? i.createdAt, inUse: inUse.has(i.id) })),
      fsCapacity: fsSpace.capacity,
      fsAvailable: fsSpace.available,
      now,
      ...this.policy,
    });
    const result: ImageGcResult = { removed: [], freedBytes: 0, neededBytes: plan.needed, usagePercent: plan.usagePercent, ok: plan.satisfied, message: plan.reason, errors: [] };
    if (plan.warning) result.warning = plan.warning;
    if (plan.needed === 0) {
      if (plan.warning) this.logger.warn({ capacity: fsSpace.capacity }, plan.reason);
      else this.logger.debug({ usage: plan.usagePercent }, plan.reason);
      return result;
    }
    this.logger.info(
      { usage: plan.usagePercent, highThreshold: this.policy.highPercent, lowThreshold: this.policy.lowPercent, amountToFree: plan.needed },
      'disk usage on the image filesystem is over the high threshold, freeing bytes down to the low threshold',
    );
    // Like the kubelet, a failed removal moves on to the next image in eviction order.
    const sizes = new Map(images.map((i) => [i.id, i.size]));
    for (const id of plan.eligible) {
      if (result.freedBytes >= plan.needed) break;
      try {
        await this.deps.removeImage(id);
      } catch (err) {
        result.errors.push({ id, error: errorMessage(err) });
        this.logger.warn({ imageId: id, err }, 'image garbage collection could not remove an image');
        continue;
      }
      const size = sizes.get(id) ?? 0;
      this.lastUsed.delete(id);
      result.removed.push(id);
      result.freedBytes += size;
      this.logger.info({ imageId: id, size }, 'removed image to free disk space');
    }
    if (result.errors.length > 0) {
      result.ok = false;
      result.warning = 'FreeDiskSpaceFailed';
      result.message = `wanted to free ${plan.needed} bytes, but freed ${result.freedBytes} bytes with errors in image deletion: ${result.errors.map((e) => `${e.id}: ${e.error}`).join('; ')}`;
    } else if (result.freedBytes < plan.needed) {
      result.ok = false;
      result.warning = 'FreeDiskSpaceFailed';
      result.message = shortfallMessage(plan.needed, result.freedBytes);
    } else {
      result.ok = true;
      delete result.warning;
      result.message = `freed ${result.freedBytes} bytes by removing ${result.removed.length} image(s) (needed ${plan.needed} to reach the low threshold ${this.policy.lowPercent}%)`;
    }
    if (result.ok) this.logger.info({ removed: result.removed.length, freed: result.freedBytes }, result.message);
    else this.logger.warn({ removed: result.removed.length, freed: result.freedBytes }, result.message);
    return result;
  }
}

/**
 * A timer that does not keep the process alive. Clock.setTimer has no unref, so the system clock's
 * timer is made here; any other clock (FakeClock in tests) is used as it is.
 */
function unrefTimer(clock: Clock, ms: number, fn: () => void): () => void {
  if (!(clock instanceof SystemClock)) return clock.setTimer(ms, fn);
  const t = setTimeout(fn, ms);
  t.unref();
  return () => clearTimeout(t);
}
