// The image service contract: a local image store (content by digest, each layer unpacked once and
// shared), registry pulls into it (images/registry/), and the container root filesystems built from it
// with overlayfs.

import type { PruneResult } from './prune.js';
import type { PullOptions } from './registry/types.js';

export interface ImageConfig {
  entrypoint: string[];
  cmd: string[];
  env: string[];
  workingDir: string;
  user: string;
  stopSignal: string;
  exposedPorts: string[];
  labels: Record<string, string>;
}

export interface Image {
  /** The config digest, "sha256:<hex>". */
  id: string;
  /** Normalised references, e.g. "localhost/busybox:latest", "docker.io/library/nginx:1.27". */
  repoTags: string[];
  /** "<repo>@sha256:<manifest digest>" where known. */
  repoDigests: string[];
  /** Sum of the unpacked layer sizes, bytes. */
  size: number;
  /** Unix ms the image was stored. */
  createdAt: number;
  config: ImageConfig;
  /** Layer diff ids, bottom first. */
  layers: string[];
}

export interface PreparedRootfs {
  /** The overlay mount point used as the container's root. */
  mergedDir: string;
}

export interface ImageService {
  /** The image a reference resolves to (by tag, digest, id or short id), or undefined. */
  imageStatus(ref: string): Promise<Image | undefined>;
  listImages(): Promise<Image[]>;
  /** Removes the tag (or the image, when referenced by id); layers no other image uses are deleted. */
  removeImage(ref: string): Promise<void>;
  /** Loads an OCI-archive or docker-archive tarball; returns the images it held. */
  loadArchive(tarPath: string): Promise<Image[]>;
  /** Imports a root filesystem tarball as a one-layer image named `ref` (like docker import). */
  importRootfs(tarPath: string, ref: string, config?: Partial<ImageConfig>): Promise<Image>;
  /** `peapod image prune`: removes dangling images (or, with `all`, every image) no container uses. */
  prune(all: boolean): Promise<PruneResult>;
  /** Pulls from a registry into the store (credentials, cancellation and progress in `opts`). */
  pullImage(ref: string, opts?: PullOptions): Promise<Image>;

  /** Mounts an overlay for a container (lower = the image's layers, upper/work private). Idempotent. */
  prepareRootfs(containerId: string, imageId: string): Promise<PreparedRootfs>;
  /** Unmounts and deletes the container's overlay dirs; succeeds when already gone. */
  releaseRootfs(containerId: string): Promise<void>;
  /** Bytes on disk of each container's writable layer (upper dir); containers without one are absent. */
  rootfsUsage(containerIds: string[]): Promise<Map<string, number>>;
}

/**
 * Normalises a reference the way Kubernetes/containers do: "busybox" → "docker.io/library/busybox:latest",
 * "localhost/busybox" → "localhost/busybox:latest". Implemented in images/reference.ts.
 */
export type NormalizeReference = (ref: string) => string;
