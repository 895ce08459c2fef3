// `peapod image load`: an OCI archive (oci-layout + index.json + blobs/) or a docker-archive (docker save:
// manifest.json with Config, RepoTags, Layers). The archive is extracted into a staging dir on the store's
// filesystem, every blob is verified against its digest and moved into blobs/, then each image is committed
// (layers unpacked once). Docker 25+ archives carry both layouts: OCI is used, names from both.

import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { BadRequestError, PeapodError, errorMessage } from '../errors.js';
import type { Exec } from '../system/exec.js';
import type { Logger } from '../system/logger.js';
import { exists, hashBuffer, hashFile, putBlobBytes, putBlobFile } from './blobs.js';
import type { Catalog, NewImage, WriteLog } from './catalog.js';
import { chainIds } from './chain-id.js';
import type { Image } from './images.js';
import {
  buildOciManifest,
  layerMediaType,
  manifestKind,
  ociRefNames,
  parseDockerManifest,
  parseImageManifest,
  parseIndex,
  parseLegacyRepositories,
  selectPlatform,
  type Descriptor,
} from './manifest.js';
import { configDiffIds } from './metadata.js';
import { isValidReference, normalizeReference } from './reference.js';
import type { StoreLayout } from './store-layout.js';
import { detectCompression } from './unpack.js';

export interface ArchiveDeps {
  exec: Exec;
  logger: Logger;
  layout: StoreLayout;
  catalog: Catalog;
  /** Filled with what the load writes, for the caller to discard should it fail. */
  written?: WriteLog;
}

export async function loadArchive(deps: ArchiveDeps, tarPath: string): Promise<Image[]> {
  const what = `load archive "${tarPath}"`;
  const st = await fs.stat(tarPath).catch(() => undefined);
  if (!st?.isFile()) throw new BadRequestError(`${what}: no such file`);
  const dir = path.join(deps.layout.tmpDir, `archive-${randomBytes(8).toString('hex')}`);
  await fs.mkdir(dir, { mode: 0o700 });
  try {
    const r = await deps.exec.run('tar', ['-xf', tarPath, '-C', dir, '--no-same-owner', '--no-same-permissions']);
    if (r.code !== 0) throw new BadRequestError(`${what}: not a readable tar archive: ${r.stderr.trim()}`);
    // realpath: the containment check compares canonical paths, and the data dir may sit behind a symlink.
    const src = new ArchiveDir(await fs.realpath(dir), what);
    const isOci = (await src.has('oci-layout')) && (await src.has('index.json'));
    const isDocker = await src.has('manifest.json');
    if (!isOci && !isDocker) {
      throw new BadRequestError(`${what}: neither an OCI archive (oci-layout, index.json) nor a docker archive (manifest.json)`);
    }
    const images = isOci ? await loadOci(deps, src) : await loadDocker(deps, src);
    if (images.length === 0) throw new BadRequestError(`${what}: the archive holds no linux/amd64 image`);
    return images;
  } catch (err) {
    if (err instanceof BadRequestError && err.message.startsWith(what)) throw err;
    if (err instanceof PeapodError && !(err instanceof BadRequestError)) throw err;
    throw new BadRequestError(`${what}: ${errorMessage(err)}`, { cause: err });
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
}

/** Reads files of the extracted archive without letting a symlink lead outside it. */
class ArchiveDir {
  constructor(
    readonly root: string,
    readonly what: string,
  ) {}

  async file(rel: string): Promise<string> {
    const p = path.resolve(this.root, rel);
    const real = await fs.realpath(p).catch(() => undefined);
    if (!real || !(real === this.root || real.startsWith(this.root + path.sep))) {
      throw new BadRequestError(`${this.what}: missing file "${rel}"`);
    }
    if (!(await fs.stat(real)).isFile()) throw new BadRequestError(`${this.what}: "${rel}" is not a file`);
    return real;
  }

  async has(rel: string): Promise<boolean> {
    return exists(path.join(this.root, rel));
  }

  async json(rel: string): Promise<unknown> {
    const text = await fs.readFile(await this.file(rel), 'utf8');
    try {
      return JSON.parse(text) as unknown;
    } catch {
      throw new BadRequestError(`${this.what}: "${rel}" is not valid JSON`);
    }
  }

  /** A blob's bytes, verified against its digest. */
  async blob(digest: string): Promise<Buffer> {
    const data = await fs.readFile(await this.file(`blobs/sha256/${digest.slice(7)}`));
    if (hashBuffer(data) !== digest) throw new BadRequestError(`${this.what}: blob ${digest} does not match its digest`);
    return data;
  }
}

async function loadOci(deps: ArchiveDeps, src: ArchiveDir): Promise<Image[]> {
  const index = parseIndex(await src.json('index.json'), `${src.what}: index.json`);
  const dockerNames = (await src.has('manifest.json')) ? await dockerNamesByConfig(src) : new Map<string, string[]>();
  // Several index entries may name the same manifest: collect the names per manifest digest.
  const byManifest = new Map<string, { desc: Descriptor; names: string[] }>();
  for (const desc of index) {
    const names = ociRefNames(desc.annotations);
    const chosen = await pickManifest(src, desc);
    if (!chosen) continue;
    const entry = byManifest.get(chosen.digest) ?? { desc: chosen, names: [] };
    entry.names.push(...names);
    byManifest.set(chosen.digest, entry);
  }
  const out: Image[] = [];
  for (const { desc, names } of byManifest.values()) {
    const doc = JSON.parse((await src.blob(desc.digest)).toString('utf8')) as unknown;
    const manifest = parseImageManifest(doc, `${src.what}: manifest ${desc.digest}`);
    const extra = dockerNames.get(manifest.config.digest) ?? [];
    const tags = [...new Set([...names, ...extra])];
    const repoDigests = tags.map((t) => `${t.replace(/:[^:/]+$/, '')}@${desc.digest}`);
    const configBytes = await src.blob(manifest.config.digest);
    const layerFiles: { digest: string; file: string }[] = [];
    for (const l of manifest.layers) layerFiles.push({ digest: l.digest, file: await src.file(`blobs/sha256/${l.digest.slice(7)}`) });
    out.push(await storeAndCommit(deps, { manifestBytes: (await src.blob(desc.digest)), configBytes, layerFiles, repoTags: tags, repoDigests }));
  }
  return out;
}

/** An image manifest descriptor for an index entry: itself, or the linux/amd64 entry of a nested index. */
async function pickManifest(src: ArchiveDir, desc: Descriptor): Promise<Descriptor | undefined> {
  const doc = JSON.parse((await src.blob(desc.digest)).toString('utf8')) as unknown;
  const kind = manifestKind(doc, desc.mediaType, `${src.what}: ${desc.digest}`);
  if (kind === 'manifest') return desc;
  const child = selectPlatform(parseIndex(doc, `${src.what}: index ${desc.digest}`));
  return child ? pickManifest(src, child) : undefined;
}

async function dockerNamesByConfig(src: ArchiveDir): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>();
  for (const e of parseDockerManifest(await src.json('manifest.json'))) {
    const { digest } = await hashFile(await src.file(e.config));
    out.set(digest, normalizeNames(e.repoTags, src.what));
  }
  return out;
}

async function loadDocker(deps: ArchiveDeps, src: ArchiveDir): Promise<Image[]> {
  const entries = parseDockerManifest(await src.json('manifest.json'));
  const legacy = entries.length === 1 && entries[0]!.repoTags.length === 0 && (await src.has('repositories'))
    ? parseLegacyRepositories(await src.json('repositories'))
    : [];
  const out: Image[] = [];
  for (const e of entries) {
    const configBytes = await fs.readFile(await src.file(e.config));
    const layerFiles: { digest?: string; file: string }[] = [];
    for (const l of e.layers) {
      const file = await src.file(l);
      layerFiles.push({ file }); // docker-archive has no layer digests: hashed while storing
    }
    const repoTags = normalizeNames(e.repoTags.length > 0 ? e.repoTags : legacy, src.what);
    out.push(await storeAndCommit(deps, { configBytes, layerFiles, repoTags, repoDigests: [] }));
  }
  return out;
}

function normalizeNames(names: string[], what: string): string[] {
  return names.map((n) => {
    if (!isValidReference(n)) throw new BadRequestError(`${what}: invalid image name "${n}"`);
    return normalizeReference(n);
  });
}

/**
 * Verifies and stores the layer files (copied: one file may back several layers or images), the config
 * and the manifest (synthesised as OCI when the archive has none), then commits the image.
 */
async function storeAndCommit(
  deps: ArchiveDeps,
  img: { manifestBytes?: Buffer; configBytes: Buffer; layerFiles: { digest?: string; file: string }[]; repoTags: string[]; repoDigests: string[] },
): Promise<Image> {
  const configDigest = hashBuffer(img.configBytes);
  const release = deps.catalog.hold([configDigest]);
  const releases = [release];
  try {
    const layers: { digest: string; size: number; mediaType: string }[] = [];
    for (const l of img.layerFiles) {
      const { digest, size } = await hashFile(l.file);
      if (l.digest && digest !== l.digest) throw new BadRequestError(`layer blob ${l.digest} does not match its digest (got ${digest})`);
      releases.push(deps.catalog.hold([digest]));
      deps.written?.blobs.add(digest);
      await putBlobFile(deps.layout, digest, l.file, false);
      layers.push({ digest, size, mediaType: layerMediaType(await detectCompression(l.file)) });
    }
    deps.written?.blobs.add(configDigest);
    await putBlobBytes(deps.layout, img.configBytes);
    const manifestBytes = img.manifestBytes ?? Buffer.from(buildOciManifest({ digest: configDigest, size: img.configBytes.length }, layers));
    deps.written?.blobs.add(hashBuffer(manifestBytes));
    const manifestDigest = await putBlobBytes(deps.layout, manifestBytes);
    let config: unknown;
    try {
      config = JSON.parse(img.configBytes.toString('utf8')) as unknown;
    } catch {
      throw new BadRequestError(`image config ${configDigest} is not valid JSON`);
    }
    try {
      for (const k of chainIds(configDiffIds(config))) deps.written?.layers.add(k);
    } catch {
      // commit() refuses the config with its own message
    }
    const image: NewImage = { manifestDigest, configDigest, config, layerBlobs: layers.map((l) => l.digest), repoTags: img.repoTags, repoDigests: img.repoDigests };
    const stored = await deps.catalog.commit(image);
    deps.logger.info({ id: stored.id, repoTags: stored.repoTags, layers: stored.layers.length }, 'image loaded');
    return stored;
  } finally {
    for (const r of releases) r();
  }
}
