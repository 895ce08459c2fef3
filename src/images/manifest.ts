// OCI and Docker manifest formats: media types, descriptors, indexes, platform selection, and the
// docker-archive manifest.json. Pure: shared by archive loading now and a registry client later.

import { BadRequestError } from '../errors.js';
import { isObject } from './metadata.js';
import { isValidReference, normalizeReference } from './reference.js';

export const MediaType = {
  ociIndex: 'application/vnd.oci.image.index.v1+json',
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  ociConfig: 'application/vnd.oci.image.config.v1+json',
  ociLayer: 'application/vnd.oci.image.layer.v1.tar',
  ociLayerGzip: 'application/vnd.oci.image.layer.v1.tar+gzip',
  ociLayerZstd: 'application/vnd.oci.image.layer.v1.tar+zstd',
  dockerList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  dockerConfig: 'application/vnd.docker.container.image.v1+json',
  dockerLayerGzip: 'application/vnd.docker.image.rootfs.diff.tar.gzip',
  dockerSchema1Signed: 'application/vnd.docker.distribution.manifest.v1+prettyjws',
  dockerSchema1: 'application/vnd.docker.distribution.manifest.v1+json',
} as const;

export interface Platform {
  os: string;
  architecture: string;
  variant?: string;
}

export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  annotations?: Record<string, string>;
  platform?: Platform;
}

export interface ImageManifest {
  config: Descriptor;
  layers: Descriptor[];
}

const DIGEST = /^sha256:[a-f0-9]{64}$/;

export function parseDescriptor(v: unknown, what: string): Descriptor {
  if (!isObject(v) || typeof v.digest !== 'string' || !DIGEST.test(v.digest)) {
    throw new BadRequestError(`${what}: descriptor without a valid sha256 digest`);
  }
  const d: Descriptor = {
    mediaType: typeof v.mediaType === 'string' ? v.mediaType : '',
    digest: v.digest,
    size: typeof v.size === 'number' ? v.size : -1,
  };
  if (isObject(v.annotations)) {
    d.annotations = Object.fromEntries(Object.entries(v.annotations).filter((e): e is [string, string] => typeof e[1] === 'string'));
  }
  if (isObject(v.platform) && typeof v.platform.os === 'string' && typeof v.platform.architecture === 'string') {
    d.platform = { os: v.platform.os, architecture: v.platform.architecture, ...(typeof v.platform.variant === 'string' ? { variant: v.platform.variant } : {}) };
  }
  return d;
}

/** Whether a manifest document is an index (list) or an image manifest; schema 1 is rejected. */
export function manifestKind(doc: unknown, mediaType: string, what: string): 'index' | 'manifest' {
  const mt = mediaType || (isObject(doc) && typeof doc.mediaType === 'string' ? doc.mediaType : '');
  if (mt === MediaType.dockerSchema1 || mt === MediaType.dockerSchema1Signed || (isObject(doc) && doc.schemaVersion === 1)) {
    throw new BadRequestError(`${what}: docker schema 1 manifests are not supported`);
  }
  if (mt === MediaType.ociIndex || mt === MediaType.dockerList) return 'index';
  if (mt === MediaType.ociManifest || mt === MediaType.dockerManifest) return 'manifest';
  // umoci and some tools omit mediaType: decide by shape.
  if (isObject(doc) && Array.isArray(doc.manifests)) return 'index';
  if (isObject(doc) && isObject(doc.config) && Array.isArray(doc.layers)) return 'manifest';
  throw new BadRequestError(`${what}: unknown manifest media type "${mt}"`);
}

export function parseIndex(doc: unknown, what: string): Descriptor[] {
  if (!isObject(doc) || !Array.isArray(doc.manifests)) throw new BadRequestError(`${what}: index without manifests`);
  return doc.manifests.map((m, i) => parseDescriptor(m, `${what} manifests[${i}]`));
}

export function parseImageManifest(doc: unknown, what: string): ImageManifest {
  if (!isObject(doc) || !Array.isArray(doc.layers)) throw new BadRequestError(`${what}: manifest without layers`);
  return {
    config: parseDescriptor(doc.config, `${what} config`),
    layers: doc.layers.map((l, i) => parseDescriptor(l, `${what} layers[${i}]`)),
  };
}

/** The index entry for a platform (default linux/amd64); entries without a platform never match. */
export function selectPlatform(manifests: Descriptor[], want: Platform = { os: 'linux', architecture: 'amd64' }): Descriptor | undefined {
  return manifests.find(
    (m) => m.platform?.os === want.os && m.platform.architecture === want.architecture && (!want.variant || m.platform.variant === want.variant),
  );
}

/**
 * Image names an OCI index entry carries: `io.containerd.image.name` (a full name), then
 * `org.opencontainers.image.ref.name` when it is a name rather than a bare tag (it holds a "/" or ":";
 * docker save writes just "latest" there). Normalised, invalid ones dropped.
 */
export function ociRefNames(annotations: Record<string, string> | undefined): string[] {
  const out: string[] = [];
  const full = annotations?.['io.containerd.image.name'];
  if (full && isValidReference(full)) out.push(normalizeReference(full));
  const ref = annotations?.['org.opencontainers.image.ref.name'];
  if (ref && /[/:]/.test(ref) && isValidReference(ref)) out.push(normalizeReference(ref));
  return [...new Set(out)];
}

export interface DockerArchiveEntry {
  /** Path of the config JSON inside the archive. */
  config: string;
  repoTags: string[];
  /** Paths of the layer tars inside the archive, bottom first. */
  layers: string[];
}

/** docker save's manifest.json: [{Config, RepoTags, Layers}]. */
export function parseDockerManifest(doc: unknown): DockerArchiveEntry[] {
  if (!Array.isArray(doc) || doc.length === 0) throw new BadRequestError('docker archive manifest.json: expected a non-empty array');
  return doc.map((e, i) => {
    if (!isObject(e) || typeof e.Config !== 'string' || !Array.isArray(e.Layers) || !e.Layers.every((l) => typeof l === 'string')) {
      throw new BadRequestError(`docker archive manifest.json[${i}]: needs Config and Layers`);
    }
    const tags = Array.isArray(e.RepoTags) ? e.RepoTags.filter((t): t is string => typeof t === 'string') : [];
    return { config: e.Config, repoTags: tags, layers: e.Layers as string[] };
  });
}

/** Names from the legacy `repositories` file: {"repo": {"tag": "<layer id>"}}. */
export function parseLegacyRepositories(doc: unknown): string[] {
  if (!isObject(doc)) return [];
  const out: string[] = [];
  for (const [repo, tags] of Object.entries(doc)) {
    if (!isObject(tags)) continue;
    for (const tag of Object.keys(tags)) out.push(`${repo}:${tag}`);
  }
  return out;
}

/** The OCI layer media type for a blob's sniffed compression. */
export function layerMediaType(compression: 'gzip' | 'zstd' | 'none'): string {
  return compression === 'gzip' ? MediaType.ociLayerGzip : compression === 'zstd' ? MediaType.ociLayerZstd : MediaType.ociLayer;
}

/** An OCI image manifest for a config and layers (docker-archive and import have none of their own). */
export function buildOciManifest(config: { digest: string; size: number }, layers: { digest: string; size: number; mediaType: string }[]): string {
  return JSON.stringify({
    schemaVersion: 2,
    mediaType: MediaType.ociManifest,
    config: { mediaType: MediaType.ociConfig, digest: config.digest, size: config.size },
    layers: layers.map((l) => ({ mediaType: l.mediaType, digest: l.digest, size: l.size })),
  });
}
