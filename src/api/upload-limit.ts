// A cap on image uploads. `peapod image load` and `import` stream a tar body into the daemon, which
// writes it to a temp file before unpacking it: without a cap one upload can fill the disk the node's
// containers and images live on. Three checks, cheapest first: the declared Content-Length against the
// cap (before a byte is read), the declared length against the free space (leaving a reserve, e.g. the
// image GC low threshold, free), and while streaming a counter that fails the body once it passes the
// cap or eats into the reserve (chunked bodies declare nothing).
//
// The failure is an HTTP 413 with reason RequestEntityTooLarge, as the Kubernetes API server answers a
// body over its limit: UploadTooLargeError extends api/api-errors.ts' HttpStatusError, which api/status.ts
// already turns into a Status with that code and reason. The endpoint pipes req → limitBytes(max) → file
// without destroying the request on failure, answers with `Connection: close` (see closeConnection) and
// drops the rest of the body while the client sends it, so the client reads the 413, not a broken pipe.

import type { IncomingMessage } from 'node:http';
import { Transform, type TransformCallback } from 'node:stream';
import { HttpStatusError } from './api-errors.js';
import { BadRequestError } from '../errors.js';
import { quantityToBytes } from '../k8s/quantity.js';
import type { FsSpace } from '../images/gc.js';

/** The flag named in the messages (`peapod serve --max-image-upload`). */
export const MAX_UPLOAD_FLAG = '--max-image-upload';
/** A suggested default cap: 8 GiB, larger than any image worth loading by hand on one host. */
export const DEFAULT_MAX_IMAGE_UPLOAD = 8 * 1024 ** 3;

/** 413 RequestEntityTooLarge: the upload is over the cap, or would leave too little disk free. */
export class UploadTooLargeError extends HttpStatusError {
  /** The byte limit that was passed (the cap, or the space left above the reserve). */
  readonly limit: number;
  /** The connection is not worth keeping: answer with `Connection: close` (the rest of the body is dropped). */
  readonly closeConnection = true;
  constructor(message: string, limit: number) {
    super(413, 'RequestEntityTooLarge', message);
    this.limit = limit;
  }
}

/** Bytes in binary units with one decimal: 512 → "512 B", 8·2^30 → "8.0 GiB", 1536 → "1.5 KiB". */
export function formatBytes(n: number): string {
  const units = ['KiB', 'MiB', 'GiB', 'TiB', 'PiB', 'EiB'];
  if (!(Math.abs(n) >= 1024)) return `${n} B`;
  let v = n;
  let i = -1;
  while (Math.abs(v) >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v.toFixed(1)} ${units[i]}`;
}

/**
 * Parses a size for a flag: plain bytes ("1073741824") or a Kubernetes quantity ("8Gi", "500M", "1.5Gi",
 * parsed by k8s/quantity.ts and rounded up to whole bytes). A trailing "B" is tolerated ("8GiB", "500MB",
 * "100B"). Throws an Error on anything else, a negative size or one past 2^53.
 */
export function parseByteSize(s: string): number {
  const t = s.trim();
  const q = /^(.*?(?:[0-9]|[kKMGTPE]i?))B$/.exec(t)?.[1] ?? t;
  let n: number;
  try {
    n = quantityToBytes(q);
  } catch {
    throw new Error(`invalid size ${JSON.stringify(s)}: use bytes or a quantity such as 500Mi, 8Gi or 10G`);
  }
  if (n < 0 || !Number.isSafeInteger(n)) throw new Error(`invalid size ${JSON.stringify(s)}: must be between 0 and ${Number.MAX_SAFE_INTEGER} bytes`);
  return n;
}

function overCap(what: string, max: number, flag: string, declared?: number): UploadTooLargeError {
  const size = declared === undefined ? '' : ` of ${formatBytes(declared)}`;
  return new UploadTooLargeError(`${what}${size} exceeds the limit of ${formatBytes(max)} (${flag})`, max);
}

/**
 * Checks a Content-Length header against `max` before the body is read. Returns the declared length, or
 * undefined when there is none (chunked). Throws UploadTooLargeError when it is over `max`, and
 * BadRequestError when it is not a decimal number.
 */
export function checkDeclaredLength(header: string | string[] | undefined, max: number, what = 'image upload', flag = MAX_UPLOAD_FLAG): number | undefined {
  if (header === undefined) return undefined;
  const values = (Array.isArray(header) ? header : [header]).flatMap((h) => h.split(',')).map((h) => h.trim());
  if (values.length === 0 || !values.every((v) => /^[0-9]+$/.test(v)) || new Set(values).size !== 1) {
    throw new BadRequestError(`invalid Content-Length ${JSON.stringify(header)}`);
  }
  const n = Number(values[0]);
  if (n > max) throw overCap(what, max, flag, n);
  return n;
}

/** Bytes that can still be written before free space drops below `reservePercent` of capacity (≥ 0). */
export function spaceAboveReserve(fs: FsSpace, reservePercent: number): number {
  if (!Number.isFinite(reservePercent) || reservePercent < 0 || reservePercent > 100) {
    throw new Error(`invalid reserve ${reservePercent}%: must be in the range [0-100]`);
  }
  const available = Math.max(0, Math.min(fs.available, fs.capacity));
  return Math.max(0, available - reserveBytes(fs, reservePercent));
}

function reserveBytes(fs: FsSpace, reservePercent: number): number {
  return Math.ceil((Math.max(0, fs.capacity) * reservePercent) / 100);
}

function noSpace(what: string, bytes: number | undefined, fs: FsSpace, reservePercent: number): UploadTooLargeError {
  const size = bytes === undefined ? '' : ` of ${formatBytes(bytes)}`;
  const room = spaceAboveReserve(fs, reservePercent);
  return new UploadTooLargeError(
    `${what}${size} does not fit: ${formatBytes(Math.max(0, fs.available))} is free on the filesystem and ${reservePercent}% of it ` +
      `(${formatBytes(reserveBytes(fs, reservePercent))}) is kept free, leaving room for ${formatBytes(room)}; ` +
      `remove unused images (peapod image prune) or free disk space`,
    room,
  );
}

/**
 * Throws UploadTooLargeError when writing `bytes` would leave less than `reservePercent` of the
 * filesystem's capacity free. `fs` is a statfs snapshot of the filesystem the upload is written to.
 * Unpacking needs room too (layers are stored unpacked): pass a multiple of the size to account for it.
 * An upload of unknown size (undefined: chunked) is refused only when there is no room at all.
 */
export function checkSpaceFor(bytes: number | undefined, fs: FsSpace, reservePercent: number, what = 'image upload'): void {
  const room = spaceAboveReserve(fs, reservePercent);
  if (bytes === undefined ? room === 0 : bytes > room) throw noSpace(what, bytes, fs, reservePercent);
}

export interface LimitOptions {
  /** The flag named in the message (default --max-image-upload). */
  flag?: string;
  /** Also fail once the bytes passed would eat into this reserve of the filesystem (snapshot taken before). */
  space?: { fs: FsSpace; reservePercent: number };
}

/**
 * A pass-through Transform that fails with UploadTooLargeError as soon as more than `max` bytes have
 * passed (the chunk that crosses the line is not passed on), or, with `opts.space`, more than the room
 * above the reserve.
 */
export function limitBytes(max: number, what = 'image upload', opts: LimitOptions = {}): Transform {
  const flag = opts.flag ?? MAX_UPLOAD_FLAG;
  const room = opts.space ? spaceAboveReserve(opts.space.fs, opts.space.reservePercent) : Infinity;
  let seen = 0;
  return new Transform({
    transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback) {
      seen += chunk.length;
      if (seen > max) return cb(overCap(what, max, flag));
      if (seen > room) return cb(noSpace(what, undefined, opts.space!.fs, opts.space!.reservePercent));
      cb(null, chunk);
    },
  });
}

/** How much of a refused upload's body is read before answering, and for how long at most. */
export const DRAIN_MAX_BYTES = 256 * 1024 ** 2;
export const DRAIN_MAX_MS = 10_000;

/** Reads and drops the rest of a request body; resolves at its end, or once past either bound. */
export function drainRequest(req: IncomingMessage, maxBytes: number, after: (fn: () => void) => () => void): Promise<void> {
  if (req.readableEnded || req.destroyed) return Promise.resolve();
  return new Promise((resolve) => {
    let seen = 0;
    const done = (): void => {
      cancel();
      req.off('data', onData).off('end', done).off('close', done).off('error', done);
      req.resume();
      resolve();
    };
    const onData = (chunk: Buffer): void => {
      seen += chunk.length;
      if (seen > maxBytes) done();
    };
    const cancel = after(done);
    req.on('data', onData).once('end', done).once('close', done).once('error', done);
    req.resume();
  });
}
