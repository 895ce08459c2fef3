// `docker import`: a root filesystem tarball (plain, gzip or zstd) becomes a one-layer image. The tarball is
// the layer blob as is; the config (rootfs.diff_ids, amd64/linux, process fields) and an OCI manifest are
// generated and stored by digest. The config carries no timestamp, so the same tarball and settings give
// the same image id every time.

import fs from 'node:fs/promises';
import { BadRequestError } from '../errors.js';
import type { Logger } from '../system/logger.js';
import { hashBuffer, hashFile, putBlobBytes, putBlobFile } from './blobs.js';
import type { Catalog, WriteLog } from './catalog.js';
import type { Image, ImageConfig } from './images.js';
import type { LayerStore } from './layer-store.js';
import { buildOciManifest, layerMediaType } from './manifest.js';
import { normalizeReference } from './reference.js';
import type { StoreLayout } from './store-layout.js';
import { detectCompression } from './unpack.js';

export interface ImportDeps {
  logger: Logger;
  layout: StoreLayout;
  layers: LayerStore;
  catalog: Catalog;
  /** Filled with what the import writes, for the caller to discard should it fail. */
  written?: WriteLog;
}

/** The OCI image config JSON for an imported rootfs. Pure. */
export function buildImportConfig(diffId: string, config: Partial<ImageConfig> = {}): Record<string, unknown> {
  const c: Record<string, unknown> = {};
  if (config.user) c.User = config.user;
  if (config.exposedPorts?.length) c.ExposedPorts = Object.fromEntries(config.exposedPorts.map((p) => [p, {}]));
  if (config.env?.length) c.Env = config.env;
  if (config.entrypoint?.length) c.Entrypoint = config.entrypoint;
  if (config.cmd?.length) c.Cmd = config.cmd;
  if (config.workingDir) c.WorkingDir = config.workingDir;
  if (config.labels && Object.keys(config.labels).length > 0) c.Labels = config.labels;
  if (config.stopSignal) c.StopSignal = config.stopSignal;
  return {
    architecture: 'amd64',
    os: 'linux',
    config: c,
    rootfs: { type: 'layers', diff_ids: [diffId] },
    history: [{ created_by: 'peapod import', comment: 'imported root filesystem' }],
  };
}

export async function importRootfs(deps: ImportDeps, tarPath: string, ref: string, config?: Partial<ImageConfig>): Promise<Image> {
  const name = normalizeReference(ref); // InvalidImageNameError before any work
  if (name.includes('@')) throw new BadRequestError(`import "${tarPath}" as "${ref}": an import needs a tag, not a digest`);
  const st = await fs.stat(tarPath).catch(() => undefined);
  if (!st?.isFile()) throw new BadRequestError(`import "${tarPath}": no such file`);
  const { digest: blobDigest, size } = await hashFile(tarPath);
  const releases = [deps.catalog.hold([blobDigest])];
  try {
    deps.written?.blobs.add(blobDigest);
    await putBlobFile(deps.layout, blobDigest, tarPath, false);
    const layer = await deps.layers.ensure({ blob: deps.layout.blobPath(blobDigest), blobDigest, lowerDiffIds: [] });
    deps.written?.layers.add(layer.diffId); // a bottom layer: its chain id is its diff id
    const configBytes = Buffer.from(JSON.stringify(buildImportConfig(layer.diffId, config)));
    const configDigest = hashBuffer(configBytes);
    const mediaType = layerMediaType(await detectCompression(tarPath));
    const manifest = buildOciManifest({ digest: configDigest, size: configBytes.length }, [{ digest: blobDigest, size, mediaType }]);
    const manifestDigest = hashBuffer(manifest);
    releases.push(deps.catalog.hold([configDigest, manifestDigest])); // commit re-ensures the layer itself
    deps.written?.blobs.add(configDigest).add(manifestDigest);
    await putBlobBytes(deps.layout, configBytes);
    await putBlobBytes(deps.layout, manifest);
    const image = await deps.catalog.commit({
      manifestDigest,
      configDigest,
      config: JSON.parse(configBytes.toString('utf8')) as unknown,
      layerBlobs: [blobDigest],
      repoTags: [name],
      repoDigests: [],
    });
    deps.logger.info({ id: image.id, ref: name }, 'image imported');
    return image;
  } catch (err) {
    if (err instanceof BadRequestError) throw new BadRequestError(`import "${tarPath}" as "${ref}": ${err.message}`, { cause: err });
    throw err;
  } finally {
    for (const r of releases) r();
  }
}
