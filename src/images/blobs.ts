// Content-addressed blobs: hashing files, verifying digests and moving files into blobs/sha256/<hex>.
// A registry client stores what it downloads with the same putBlobFile().

import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { BadRequestError } from '../errors.js';
import type { StoreLayout } from './store-layout.js';

/** "sha256:<hex>" and byte size of a file, streamed. */
export async function hashFile(file: string): Promise<{ digest: string; size: number }> {
  const h = createHash('sha256');
  let size = 0;
  for await (const chunk of createReadStream(file)) {
    h.update(chunk as Buffer);
    size += (chunk as Buffer).length;
  }
  return { digest: `sha256:${h.digest('hex')}`, size };
}

export function hashBuffer(b: Buffer | string): string {
  return `sha256:${createHash('sha256').update(b).digest('hex')}`;
}

/** Throws when the file's digest differs from `want`. */
export async function verifyFile(file: string, want: string, what: string): Promise<number> {
  const { digest, size } = await hashFile(file);
  if (digest !== want) throw new BadRequestError(`${what}: digest mismatch: want ${want}, got ${digest}`);
  return size;
}

/**
 * Stores `file` (already verified to have `digest`) as a blob. `move` renames it (same filesystem,
 * the source is consumed); otherwise it is copied through a temp file. Existing blobs are kept.
 */
export async function putBlobFile(layout: StoreLayout, digest: string, file: string, move: boolean): Promise<string> {
  const dest = layout.blobPath(digest);
  if (await exists(dest)) {
    if (move) await fs.rm(file, { force: true });
    return dest;
  }
  if (move) {
    await fs.rename(file, dest);
    return dest;
  }
  const tmp = path.join(layout.tmpDir, `blob-${randomBytes(6).toString('hex')}`);
  try {
    await fs.copyFile(file, tmp);
    await fs.rename(tmp, dest);
  } finally {
    await fs.rm(tmp, { force: true });
  }
  return dest;
}

/** Stores an in-memory blob (manifest, config); returns its digest. */
export async function putBlobBytes(layout: StoreLayout, data: Buffer | string): Promise<string> {
  const digest = hashBuffer(data);
  const dest = layout.blobPath(digest);
  if (await exists(dest)) return digest;
  const tmp = path.join(layout.tmpDir, `blob-${randomBytes(6).toString('hex')}`);
  try {
    await fs.writeFile(tmp, data);
    await fs.rename(tmp, dest);
  } finally {
    await fs.rm(tmp, { force: true });
  }
  return digest;
}

export async function exists(p: string): Promise<boolean> {
  try {
    await fs.lstat(p);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw err;
  }
}
