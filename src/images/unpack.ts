// Unpacking one layer blob into its own dir for overlayfs (node-runtime.md §5.3):
//   1. decompress (gzip in-process, zstd via the zstd binary, plain tar as is) while hashing: the sha256
//      of the uncompressed tar is the diff id, checked against the config's rootfs.diff_ids;
//   2. extract into an EMPTY staging dir with GNU tar, keeping owners, modes and xattrs, minus `.wh.*`;
//   3. whiteouts from the listing: `.wh.<n>` → char device 0:0, `.wh..wh..opq` → trusted.overlay.opaque=y
//      (node cannot mknod/setxattr: one python3 call does all of them);
//   4. dirs the layer only implies get mode and owner from the first lower layer that has them (a default
//      0755 dir would hide /tmp's 1777);
//   5. the caller renames the staging dir into place.
// Layers are never extracted on top of each other: a lower layer's symlink could redirect writes.

import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { BadRequestError } from '../errors.js';
import { runChecked, type Exec } from '../system/exec.js';
import { hashFile } from './blobs.js';
import { planLayer, type LayerPlan } from './tar-listing.js';

export type Compression = 'gzip' | 'zstd' | 'none';

/** Sniffs the compression from the first bytes (media types lie: docker-archive has none). */
export async function detectCompression(file: string): Promise<Compression> {
  const fh = await fs.open(file, 'r');
  try {
    const buf = Buffer.alloc(4);
    const { bytesRead } = await fh.read(buf, 0, 4, 0);
    if (bytesRead >= 2 && buf[0] === 0x1f && buf[1] === 0x8b) return 'gzip';
    if (bytesRead >= 4 && buf.readUInt32LE(0) === 0xfd2fb528) return 'zstd';
    return 'none';
  } finally {
    await fh.close();
  }
}

export interface UncompressedTar {
  /** The plain tar: the blob itself when uncompressed, else `scratch`. */
  tarPath: string;
  diffId: string;
  size: number;
}

/** Produces the uncompressed tar of a layer blob (in `scratch` unless it is already plain) and its digest. */
export async function decompressLayer(exec: Exec, blob: string, scratch: string): Promise<UncompressedTar> {
  const kind = await detectCompression(blob);
  if (kind === 'none') {
    const { digest, size } = await hashFile(blob);
    return { tarPath: blob, diffId: digest, size };
  }
  if (kind === 'zstd') {
    await runChecked(exec, 'zstd', ['-d', '-q', '-f', '-o', scratch, blob]);
    const { digest, size } = await hashFile(scratch);
    return { tarPath: scratch, diffId: digest, size };
  }
  const h = createHash('sha256');
  let size = 0;
  const tap = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      h.update(chunk);
      size += chunk.length;
      cb(null, chunk);
    },
  });
  await pipeline(createReadStream(blob), createGunzip(), tap, createWriteStream(scratch));
  return { tarPath: scratch, diffId: `sha256:${h.digest('hex')}`, size };
}

/** tar in the C locale, so listings escape every non-ASCII byte the same way. */
function tarEnv(): NodeJS.ProcessEnv {
  return { ...process.env, LC_ALL: 'C' };
}

/** Lists a tar's member names (raw, escape-quoted) and plans whiteouts and implied dirs. */
export async function listLayer(exec: Exec, tarPath: string): Promise<LayerPlan> {
  const out = await runChecked(exec, 'tar', ['-tf', tarPath, '--quoting-style=escape'], { env: tarEnv() });
  try {
    return planLayer(out.split('\n'));
  } catch (err) {
    throw new BadRequestError(`layer ${path.basename(tarPath)}: ${(err as Error).message}`, { cause: err });
  }
}

/** Extracts a plain tar into the empty dir `diffDir` as §5.3 prescribes. */
export async function extractLayer(exec: Exec, tarPath: string, diffDir: string): Promise<void> {
  await runChecked(
    exec,
    'tar',
    ['-xf', tarPath, '-C', diffDir, '--same-owner', '--numeric-owner', '-p', '--xattrs', '--xattrs-include=*', '--exclude=.wh.*'],
    { env: tarEnv() },
  );
}

// stdin: JSON [["w"|"o", path], ...]; "w" = whiteout device, "o" = opaque xattr.
const APPLY_WHITEOUTS_PY = `
import json, os, stat, sys
for kind, p in json.load(sys.stdin):
    if kind == "w":
        os.mknod(p, stat.S_IFCHR | 0o000, os.makedev(0, 0))
    else:
        os.setxattr(p, "trusted.overlay.opaque", b"y")
`;

/**
 * Applies the plan to an extracted layer: implied dirs first (created if missing, mode/owner from the
 * lowers, given top first), then whiteout devices and opaque xattrs. Never follows a symlink.
 */
export async function applyLayerPlan(exec: Exec, diffDir: string, plan: LayerPlan, lowerDiffDirs: string[]): Promise<void> {
  for (const rel of plan.impliedDirs) await fixImpliedDir(diffDir, rel, lowerDiffDirs);
  const ops: [string, string][] = [];
  for (const rel of plan.whiteouts) {
    const target = path.join(diffDir, rel);
    await assertNoSymlinkPath(diffDir, path.dirname(rel));
    await fs.rm(target, { recursive: true, force: true });
    ops.push(['w', target]);
  }
  for (const rel of plan.opaqueDirs) {
    await assertNoSymlinkPath(diffDir, rel);
    const target = path.join(diffDir, rel);
    const st = await fs.lstat(target).catch(() => undefined);
    if (st?.isDirectory()) ops.push(['o', target]);
  }
  if (ops.length > 0) await runChecked(exec, 'python3', ['-c', APPLY_WHITEOUTS_PY], { input: JSON.stringify(ops) });
}

async function fixImpliedDir(diffDir: string, rel: string, lowers: string[]): Promise<void> {
  await assertNoSymlinkPath(diffDir, path.dirname(rel));
  const target = path.join(diffDir, rel);
  const own = await fs.lstat(target).catch(() => undefined);
  if (own && !own.isDirectory()) return; // tar put something else there; leave it
  if (!own) await fs.mkdir(target, { mode: 0o755 });
  for (const lower of lowers) {
    const st = await lstatNoFollow(lower, rel);
    if (st === undefined) continue;
    if (!st.isDirectory()) break; // a lower non-dir is hidden by this dir anyway
    await fs.chown(target, st.uid, st.gid);
    await fs.chmod(target, st.mode & 0o7777);
    return;
  }
}

/** lstat of root/rel, or undefined when it is missing or any parent component is a symlink. */
async function lstatNoFollow(root: string, rel: string) {
  let cur = root;
  const parts = rel.split('/').filter(Boolean);
  for (let i = 0; i < parts.length; i++) {
    cur = path.join(cur, parts[i]!);
    const st = await fs.lstat(cur).catch(() => undefined);
    if (!st) return undefined;
    if (i === parts.length - 1) return st;
    if (!st.isDirectory()) return undefined;
  }
  return undefined;
}

/** Throws when a component of root/rel is a symlink or not a dir (a whiteout must not escape the layer). */
async function assertNoSymlinkPath(root: string, rel: string): Promise<void> {
  let cur = root;
  for (const part of rel.split('/').filter((p) => p && p !== '.')) {
    cur = path.join(cur, part);
    const st = await fs.lstat(cur).catch(() => undefined);
    if (!st) {
      await fs.mkdir(cur, { mode: 0o755 });
      continue;
    }
    if (!st.isDirectory()) throw new BadRequestError(`layer path "${rel}" passes through a non-directory "${part}"`);
  }
}

export interface UnpackResult {
  diffId: string;
  /** Uncompressed tar size, bytes. */
  size: number;
}

/**
 * Unpacks `blob` into `stageDir`/diff (stageDir must not exist; the caller renames it into place).
 * Throws, leaving cleanup of stageDir to the caller, when the diff id differs from `expectedDiffId`.
 */
export async function unpackLayer(opts: {
  exec: Exec;
  blob: string;
  stageDir: string;
  expectedDiffId?: string;
  /** Lower layers' diff dirs, top first, for implied dirs. */
  lowerDiffDirs: string[];
}): Promise<UnpackResult> {
  const { exec, stageDir } = opts;
  await fs.mkdir(stageDir, { mode: 0o700 });
  const scratch = path.join(stageDir, 'layer.tar');
  const tar = await decompressLayer(exec, opts.blob, scratch);
  try {
    if (opts.expectedDiffId && tar.diffId !== opts.expectedDiffId) {
      throw new BadRequestError(`layer diff id mismatch: config says ${opts.expectedDiffId}, content is ${tar.diffId}`);
    }
    const plan = await listLayer(exec, tar.tarPath);
    const diffDir = path.join(stageDir, 'diff');
    await fs.mkdir(diffDir, { mode: 0o755 });
    await extractLayer(exec, tar.tarPath, diffDir);
    await applyLayerPlan(exec, diffDir, plan, opts.lowerDiffDirs);
  } finally {
    await fs.rm(scratch, { force: true });
  }
  return { diffId: tar.diffId, size: tar.size };
}
