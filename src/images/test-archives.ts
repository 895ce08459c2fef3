// Test fixtures: builds small OCI archives and docker-archives from layer tarballs, with GNU tar, the way
// skopeo/docker lay them out. Used by unit and integration tests only; never wired into the daemon.

import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { runChecked, type Exec } from '../system/exec.js';

export interface FixtureLayer {
  /** Uncompressed tar. */
  tar: Buffer;
  diffId: string;
}

const sha = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');

/**
 * tar -cf of `members` (relative to dir; "." for everything) with fixed mtimes, owned by the current
 * user (0:0 as root), so unit tests can extract it with --same-owner without root.
 */
export async function tarLayer(exec: Exec, dir: string, members: string[] = ['.']): Promise<FixtureLayer> {
  const out = path.join(path.dirname(dir), `${path.basename(dir)}-${sha(members.join('\n')).slice(0, 8)}.tar`);
  await runChecked(exec, 'tar', ['--sort=name', '--mtime=@0', '--numeric-owner', '--format=gnu', `--owner=${process.getuid?.() ?? 0}`, `--group=${process.getgid?.() ?? 0}`, '-cf', out, '-C', dir, ...members]);
  const tar = await fs.readFile(out);
  await fs.rm(out, { force: true });
  return { tar, diffId: `sha256:${sha(tar)}` };
}

export function imageConfig(layers: FixtureLayer[], cmd: string[] = ['sh']): Buffer {
  return Buffer.from(
    JSON.stringify({
      architecture: 'amd64',
      os: 'linux',
      config: { Cmd: cmd, Env: ['PATH=/bin'], WorkingDir: '/' },
      rootfs: { type: 'layers', diff_ids: layers.map((l) => l.diffId) },
    }),
  );
}

/** Writes an OCI archive (gzip layers). `refName` goes into org.opencontainers.image.ref.name. */
export async function writeOciArchive(opts: {
  exec: Exec;
  outPath: string;
  layers: FixtureLayer[];
  config?: Buffer;
  refName?: string;
  /** Wrap the manifest in a nested multi-platform index (an arm64 decoy first). */
  nested?: boolean;
}): Promise<{ manifestDigest: string; configDigest: string }> {
  const dir = `${opts.outPath}.d`;
  await fs.mkdir(path.join(dir, 'blobs', 'sha256'), { recursive: true });
  const put = async (b: Buffer) => {
    const hex = sha(b);
    await fs.writeFile(path.join(dir, 'blobs', 'sha256', hex), b);
    return { digest: `sha256:${hex}`, size: b.length };
  };
  const config = opts.config ?? imageConfig(opts.layers);
  const cfg = await put(config);
  const layers = [];
  for (const l of opts.layers) layers.push({ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', ...(await put(gzipSync(l.tar))) });
  const manifest = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json', config: { mediaType: 'application/vnd.oci.image.config.v1+json', ...cfg }, layers }));
  const m = await put(manifest);
  const annotations = opts.refName ? { 'org.opencontainers.image.ref.name': opts.refName } : undefined;
  let top: Record<string, unknown> = { mediaType: 'application/vnd.oci.image.manifest.v1+json', ...m, ...(annotations ? { annotations } : {}) };
  if (opts.nested) {
    const decoy = await put(Buffer.from('{"schemaVersion":2,"config":{},"layers":[]}'));
    const inner = Buffer.from(JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.index.v1+json',
      manifests: [
        { mediaType: 'application/vnd.oci.image.manifest.v1+json', ...decoy, platform: { os: 'linux', architecture: 'arm64' } },
        { mediaType: 'application/vnd.oci.image.manifest.v1+json', ...m, platform: { os: 'linux', architecture: 'amd64' } },
      ],
    }));
    top = { mediaType: 'application/vnd.oci.image.index.v1+json', ...(await put(inner)), ...(annotations ? { annotations } : {}) };
  }
  await fs.writeFile(path.join(dir, 'oci-layout'), '{"imageLayoutVersion":"1.0.0"}');
  await fs.writeFile(path.join(dir, 'index.json'), JSON.stringify({ schemaVersion: 2, manifests: [top] }));
  await runChecked(opts.exec, 'tar', ['-cf', opts.outPath, '-C', dir, '.']);
  await fs.rm(dir, { recursive: true, force: true });
  return { manifestDigest: m.digest, configDigest: cfg.digest };
}

/** Writes a docker-archive (docker save before v25): <id>/layer.tar, <config hex>.json, manifest.json. */
export async function writeDockerArchive(opts: {
  exec: Exec;
  outPath: string;
  layers: FixtureLayer[];
  repoTags: string[] | null;
  config?: Buffer;
}): Promise<{ configDigest: string }> {
  const dir = `${opts.outPath}.d`;
  await fs.mkdir(dir, { recursive: true });
  const config = opts.config ?? imageConfig(opts.layers);
  const cfgHex = sha(config);
  await fs.writeFile(path.join(dir, `${cfgHex}.json`), config);
  const layerPaths: string[] = [];
  for (const l of opts.layers) {
    const id = l.diffId.slice(7);
    await fs.mkdir(path.join(dir, id), { recursive: true });
    await fs.writeFile(path.join(dir, id, 'layer.tar'), l.tar);
    layerPaths.push(`${id}/layer.tar`);
  }
  await fs.writeFile(path.join(dir, 'manifest.json'), JSON.stringify([{ Config: `${cfgHex}.json`, RepoTags: opts.repoTags, Layers: layerPaths }]));
  await runChecked(opts.exec, 'tar', ['-cf', opts.outPath, '-C', dir, '.']);
  await fs.rm(dir, { recursive: true, force: true });
  return { configDigest: `sha256:${cfgHex}` };
}
