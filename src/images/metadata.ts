// The image store's metadata records. One JSON file per image and per layer, written with
// system/atomic-file.ts (pretty, fsynced): a crash leaves either the old or the new file, never a torn one.

import type { Image, ImageConfig } from './images.js';

/** What images/<id-hex>.json holds. */
export interface ImageRecord {
  /** Config digest "sha256:<hex>". */
  id: string;
  repoTags: string[];
  repoDigests: string[];
  /** Digest of the manifest blob in blobs/ (received, or written for docker-archive and import). */
  manifestDigest: string;
  configDigest: string;
  /** Diff ids, bottom first. */
  layers: string[];
  /** Sum of the layers' uncompressed sizes. */
  size: number;
  createdAt: number;
  config: ImageConfig;
  /** Every blob the image holds on to (manifest, config, layer blobs); removal frees unshared ones. */
  blobs: string[];
}

/** What layers/<hex>/layer.json holds. */
export interface LayerRecord {
  diffId: string;
  /** The key it is stored under (chain-id.ts); absent in records written before layers were keyed by it. */
  chainId?: string;
  /** Uncompressed tar size, bytes. */
  size: number;
  /** Digest of the blob it was unpacked from (compressed form), when known. */
  blobDigest?: string;
  createdAt: number;
}

export function toImage(r: ImageRecord): Image {
  return {
    id: r.id,
    repoTags: [...r.repoTags],
    repoDigests: [...r.repoDigests],
    size: r.size,
    createdAt: r.createdAt,
    config: structuredClone(r.config),
    layers: [...r.layers],
  };
}

/** Reads the process-relevant part of an OCI/docker image config ("config" object). Pure. */
export function parseImageConfig(configJson: unknown): ImageConfig {
  const root = isObject(configJson) ? configJson : {};
  const c = isObject(root.config) ? root.config : {};
  return {
    entrypoint: stringArray(c.Entrypoint),
    cmd: stringArray(c.Cmd),
    env: stringArray(c.Env),
    workingDir: typeof c.WorkingDir === 'string' && c.WorkingDir !== '' ? c.WorkingDir : '/',
    user: typeof c.User === 'string' ? c.User : '',
    stopSignal: typeof c.StopSignal === 'string' ? c.StopSignal : '',
    exposedPorts: isObject(c.ExposedPorts) ? Object.keys(c.ExposedPorts).sort() : [],
    labels: isObject(c.Labels) ? stringRecord(c.Labels) : {},
  };
}

/** The rootfs.diff_ids of an image config; throws when missing or malformed. Pure. */
export function configDiffIds(configJson: unknown): string[] {
  const rootfs = isObject(configJson) && isObject(configJson.rootfs) ? configJson.rootfs : undefined;
  const ids = rootfs?.diff_ids;
  if (!Array.isArray(ids) || !ids.every((d) => typeof d === 'string' && /^sha256:[a-f0-9]{64}$/.test(d))) {
    throw new Error('image config has no valid rootfs.diff_ids');
  }
  return ids as string[];
}

/** Validates a record read from disk (a hand-edited or foreign file must not crash the service). */
export function isImageRecord(v: unknown): v is ImageRecord {
  return (
    isObject(v) &&
    typeof v.id === 'string' &&
    Array.isArray(v.repoTags) &&
    Array.isArray(v.repoDigests) &&
    Array.isArray(v.layers) &&
    typeof v.manifestDigest === 'string' &&
    typeof v.configDigest === 'string' &&
    Array.isArray(v.blobs) &&
    typeof v.size === 'number' &&
    typeof v.createdAt === 'number' &&
    isObject(v.config)
  );
}

export function isLayerRecord(v: unknown): v is LayerRecord {
  return isObject(v) && typeof v.diffId === 'string' && typeof v.size === 'number';
}

export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function stringArray(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
}

function stringRecord(v: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, x] of Object.entries(v)) if (typeof x === 'string') out[k] = x;
  return out;
}
