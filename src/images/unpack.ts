// Unpacking one layer blob into its own dir for overlayfs (node-runtime.md §5.3):
//   1. decompress once into a scratch tar (gzip in Node, zstd with the zstd program), hashing on the way:
//      the sha256 is the diff id, checked against the config's rootfs.diff_ids before any extraction;
//   2. extract those same bytes into an EMPTY staging dir with GNU tar (owners, modes, xattrs), taking
//      the member list from tar's own verbose output, then delete the `.wh.*` markers it wrote;
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
import { forEachLine } from './line-stream.js';
import { LayerPlanner, type LayerPlan } from './tar-listing.js';
import { refuseExtractedOver } from './extracted-size.js';
import { refuseSparseMembers } from './tar-scan.js';

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
  /** The plain tar made in `scratch`. */
  tarPath: string;
  diffId: string;
  size: number;
}

/**
 * A compressed layer as a plain tar in `scratch`, and the digest of exactly those bytes: gzip in Node
 * (hashed on the way), zstd with the zstd program (Node 20 has none). tar then extracts the very bytes
 * that were hashed, so the diff id a layer is stored under covers what it holds.
 */
export async function decompressToScratch(exec: Exec, blob: string, kind: 'gzip' | 'zstd', scratch: string, maxBytes = Number.MAX_SAFE_INTEGER): Promise<UncompressedTar> {
  if (kind === 'zstd') {
    // zstd has no output limit: head stops the stream one byte past the cap (zstd then dies of SIGPIPE).
    const r = await exec.run('bash', ['-c', 'set -o pipefail; zstd -d -q -c -- "$1" | head -c "$2" > "$3"', 'zstd', blob, String(maxBytes + 1), scratch]);
    const { digest, size } = await hashFile(scratch);
    if (size > maxBytes) throw new LayerTooLargeError(maxBytes);
    if (r.code !== 0) throw new BadRequestError(`zstd -d: exit ${r.code}: ${r.stderr.trim()}`);
    return { tarPath: scratch, diffId: digest, size };
  }
  const h = createHash('sha256');
  let size = 0;
  const tap = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      h.update(chunk);
      size += chunk.length;
      cb(size > maxBytes ? new LayerTooLargeError(maxBytes) : null, chunk);
    },
  });
  await pipeline(createReadStream(blob, { highWaterMark: 1 << 20 }), createGunzip({ chunkSize: 1 << 20 }), tap, createWriteStream(scratch, { highWaterMark: 1 << 20 }));
  return { tarPath: scratch, diffId: `sha256:${h.digest('hex')}`, size };
}

/** The flag that sets the cap on a layer's uncompressed size (`peapod serve`). */
export const MAX_LAYER_SIZE_FLAG = '--max-layer-size';
/** Default cap on one layer's uncompressed tar: real layers of several GB (CUDA, ML runtimes) fit. */
export const DEFAULT_MAX_LAYER_BYTES = 32 * 1024 ** 3;

/** A layer whose uncompressed tar is over the cap (a decompression bomb, or a limit set too low). */
export class LayerTooLargeError extends BadRequestError {
  constructor(readonly limit: number) {
    super(`the uncompressed layer is larger than the limit of ${limit} bytes (${MAX_LAYER_SIZE_FLAG})`);
  }
}

/** Caps on what one layer may make the node hold. */
export interface LayerLimits {
  /** The uncompressed tar, bytes (what extraction writes is bounded by it: sparse members are refused). */
  maxLayerBytes: number;
}

/** A listing (one line per member, escaped) longer than this is refused: it is held as a set of paths. */
export const MAX_LISTING_BYTES = 256 * 1024 * 1024;
/** One listed name: PATH_MAX (4096) bytes, each escaped as up to 4 chars. */
const MAX_LISTING_LINE = 4 * 4096;

/** tar in the C locale, so listings escape every non-ASCII byte the same way. */
function tarEnv(): NodeJS.ProcessEnv {
  return { ...process.env, LC_ALL: 'C' };
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

/** A layer extracted into its staging dir and verified, waiting for its lowers to finish it. */
export interface StagedLayer extends UnpackResult {
  diffDir: string;
  plan: LayerPlan;
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
  limits?: LayerLimits;
  /** Lower layers' diff dirs, top first, for implied dirs. */
  lowerDiffDirs: string[];
}): Promise<UnpackResult> {
  const staged = await stageLayer(opts);
  await finishLayer(opts.exec, staged, opts.lowerDiffDirs);
  return { diffId: staged.diffId, size: staged.size };
}

/**
 * Steps 1–2: extracts `blob` into `stageDir`/diff and checks its diff id. Needs no other layer, so
 * several layers of one image can be staged at once; finishLayer then needs the lowers in place.
 *
 * The layer is decompressed once, into a scratch tar, hashed on the way; the diff id is checked before
 * anything is extracted, and tar then extracts those same bytes, listing what it extracts (no second
 * pass to list it).
 */
export async function stageLayer(opts: { exec: Exec; blob: string; stageDir: string; expectedDiffId?: string; limits?: LayerLimits }): Promise<StagedLayer> {
  const { exec, stageDir } = opts;
  const maxBytes = opts.limits?.maxLayerBytes ?? DEFAULT_MAX_LAYER_BYTES;
  await fs.mkdir(stageDir, { mode: 0o700 });
  const diffDir = path.join(stageDir, 'diff');
  await fs.mkdir(diffDir, { mode: 0o755 });
  const kind = await detectCompression(opts.blob);
  const scratch = path.join(stageDir, 'layer.tar');
  const listingFile = path.join(stageDir, 'listing.txt');
  const what = `layer ${path.basename(opts.blob)}`;
  try {
    let tar: UncompressedTar;
    try {
      if (kind === 'none') {
        if ((await fs.stat(opts.blob)).size > maxBytes) throw new LayerTooLargeError(maxBytes);
        tar = { tarPath: opts.blob, ...(await hashFile(opts.blob).then((h) => ({ diffId: h.digest, size: h.size }))) };
      } else {
        tar = await decompressToScratch(exec, opts.blob, kind, scratch, maxBytes);
      }
    } catch (err) {
      if (err instanceof LayerTooLargeError) throw new BadRequestError(`${what}: ${err.message}`, { cause: err });
      throw err;
    }
    // Verified before a single file is extracted.
    if (opts.expectedDiffId && tar.diffId !== opts.expectedDiffId) {
      throw new BadRequestError(`layer diff id mismatch: config says ${opts.expectedDiffId}, content is ${tar.diffId}`);
    }
    await refuseSparseMembers(tar.tarPath, what);
    await extractListing(exec, tar.tarPath, diffDir, listingFile);
    // What tar wrote is bounded by what the archive holds (and so by --max-layer-size), whatever it expanded.
    await refuseExtractedOver(diffDir, Math.min(tar.size, maxBytes), what);
    const planner = new LayerPlanner();
    try {
      await forEachLine(listingFile, { maxLineBytes: MAX_LISTING_LINE, maxTotalBytes: MAX_LISTING_BYTES }, `${what}: its listing`, (line) => planner.add(line));
    } catch (err) {
      if (err instanceof BadRequestError) throw err;
      throw new BadRequestError(`${what}: ${(err as Error).message}`, { cause: err });
    }
    let plan: LayerPlan;
    try {
      plan = planner.finish();
    } catch (err) {
      throw new BadRequestError(`${what}: ${(err as Error).message}`, { cause: err });
    }
    // The whiteout markers came out as plain files: they are replaced by what they stand for in finishLayer.
    for (const rel of plan.markers) {
      await assertNoSymlinkPath(diffDir, path.dirname(rel));
      await fs.rm(path.join(diffDir, rel), { recursive: true, force: true });
    }
    return { diffId: tar.diffId, size: tar.size, diffDir, plan };
  } finally {
    await fs.rm(scratch, { force: true });
    await fs.rm(listingFile, { force: true });
  }
}

/**
 * Extracts everything (whiteout markers included: tar cannot both skip them and list them), tar writing
 * the listing it makes on the way into `listingFile` (the same as `tar -t` would: one decompression
 * instead of two), read back line by line: a listing can be longer than a string or a pipe's buffer.
 */
async function extractListing(exec: Exec, tarPath: string, diffDir: string, listingFile: string): Promise<void> {
  await runChecked(
    exec,
    'tar',
    ['-xvf', tarPath, '-C', diffDir, `--index-file=${listingFile}`, '--same-owner', '--numeric-owner', '-p', '--xattrs', '--xattrs-include=*', '--quoting-style=escape'],
    { env: tarEnv() },
  );
}

/** Steps 3–4: implied dirs (from the lowers, which must be in place) and whiteouts. */
export async function finishLayer(exec: Exec, staged: StagedLayer, lowerDiffDirs: string[]): Promise<void> {
  await applyLayerPlan(exec, staged.diffDir, staged.plan, lowerDiffDirs);
}

