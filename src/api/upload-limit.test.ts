import assert from 'node:assert/strict';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { test } from 'node:test';
import { HttpStatusError } from './api-errors.js';
import { errorToStatus } from './status.js';
import { BadRequestError } from '../errors.js';
import {
  checkDeclaredLength,
  checkSpaceFor,
  formatBytes,
  limitBytes,
  parseByteSize,
  spaceAboveReserve,
  UploadTooLargeError,
} from './upload-limit.js';

const GiB = 1024 ** 3;

test('formatBytes uses binary units with one decimal', () => {
  assert.equal(formatBytes(0), '0 B');
  assert.equal(formatBytes(1023), '1023 B');
  assert.equal(formatBytes(1024), '1.0 KiB');
  assert.equal(formatBytes(1536), '1.5 KiB');
  assert.equal(formatBytes(500 * 1024 ** 2), '500.0 MiB');
  assert.equal(formatBytes(8 * GiB), '8.0 GiB');
  assert.equal(formatBytes(3 * 1024 ** 4), '3.0 TiB');
});

test('parseByteSize reads bytes and Kubernetes quantities', () => {
  assert.equal(parseByteSize('1073741824'), GiB);
  assert.equal(parseByteSize('8Gi'), 8 * GiB);
  assert.equal(parseByteSize('500M'), 500_000_000);
  assert.equal(parseByteSize('500Mi'), 500 * 1024 ** 2);
  assert.equal(parseByteSize('1.5Gi'), 1.5 * GiB);
  assert.equal(parseByteSize('10G'), 10_000_000_000);
  assert.equal(parseByteSize('1e3'), 1000);
  assert.equal(parseByteSize(' 2k '), 2000);
  assert.equal(parseByteSize('0'), 0);
});

test('parseByteSize tolerates a trailing B', () => {
  assert.equal(parseByteSize('8GiB'), 8 * GiB);
  assert.equal(parseByteSize('500MB'), 500_000_000);
  assert.equal(parseByteSize('100B'), 100);
});

test('parseByteSize rejects junk and negative sizes', () => {
  for (const bad of ['', 'lots', '8 GiB', '8gi', '8KB', 'B', '1..2', 'Gi']) {
    assert.throws(() => parseByteSize(bad), /invalid size/, bad);
  }
  assert.throws(() => parseByteSize('-1Gi'), /must be between 0/);
  assert.throws(() => parseByteSize('100Ei'), /must be between 0/);
});

test('UploadTooLargeError becomes a 413 RequestEntityTooLarge Status', () => {
  const err = new UploadTooLargeError('image upload exceeds the limit of 8.0 GiB (--max-image-upload)', 8 * GiB);
  assert.ok(err instanceof HttpStatusError);
  assert.equal(err.httpCode, 413);
  assert.equal(err.reason, 'RequestEntityTooLarge');
  assert.equal(err.limit, 8 * GiB);
  assert.equal(err.closeConnection, true);
  const { status, internal } = errorToStatus(err);
  assert.equal(internal, false);
  assert.deepEqual([status.code, status.reason, status.message], [413, 'RequestEntityTooLarge', 'image upload exceeds the limit of 8.0 GiB (--max-image-upload)']);
});

test('checkDeclaredLength accepts up to the limit and rejects more before reading', () => {
  assert.equal(checkDeclaredLength(undefined, 100), undefined);
  assert.equal(checkDeclaredLength('0', 100), 0);
  assert.equal(checkDeclaredLength('100', 100), 100);
  assert.equal(checkDeclaredLength(['100'], 100), 100);
  assert.throws(
    () => checkDeclaredLength(String(9 * GiB), 8 * GiB),
    (err: unknown) => err instanceof UploadTooLargeError && err.message === 'image upload of 9.0 GiB exceeds the limit of 8.0 GiB (--max-image-upload)',
  );
  assert.throws(() => checkDeclaredLength('101', 100, 'rootfs import', '--max-upload'), /: rootfs import of 101 B exceeds the limit of 100 B \(--max-upload\)$/);
});

test('checkDeclaredLength rejects a malformed header as a bad request', () => {
  for (const bad of ['', 'abc', '-1', '1.5', '10, 20', ' ']) {
    assert.throws(() => checkDeclaredLength(bad, 100), (err: unknown) => err instanceof BadRequestError, JSON.stringify(bad));
  }
  assert.equal(checkDeclaredLength('10, 10', 100), 10); // repeated identical values are allowed (RFC 9110)
});

function source(chunks: number[]): Readable {
  return Readable.from(chunks.map((n) => Buffer.alloc(n, 1)));
}

function sink(): { stream: Writable; bytes: () => number } {
  let n = 0;
  return {
    stream: new Writable({
      write(chunk: Buffer, _e, cb) {
        n += chunk.length;
        cb();
      },
    }),
    bytes: () => n,
  };
}

test('limitBytes passes exactly the limit through', async () => {
  const out = sink();
  await pipeline(source([400, 400, 200]), limitBytes(1000), out.stream);
  assert.equal(out.bytes(), 1000);
});

test('limitBytes fails once the limit is passed, without passing the crossing chunk', async () => {
  const out = sink();
  await assert.rejects(
    pipeline(source([400, 400, 201, 5000]), limitBytes(1000), out.stream),
    (err: unknown) => err instanceof UploadTooLargeError && err.message === 'image upload exceeds the limit of 1000 B (--max-image-upload)' && err.limit === 1000,
  );
  assert.equal(out.bytes(), 800);
  await assert.rejects(pipeline(source([9 * 1024]), limitBytes(8 * 1024, 'rootfs import', { flag: '--max-import' }), sink().stream), /: rootfs import exceeds the limit of 8.0 KiB \(--max-import\)$/);
});

test('spaceAboveReserve and checkSpaceFor keep the reserve free', () => {
  const fs = { capacity: 100 * GiB, available: 30 * GiB };
  assert.equal(spaceAboveReserve(fs, 20), 10 * GiB);
  assert.doesNotThrow(() => checkSpaceFor(10 * GiB, fs, 20)); // leaves exactly 20%
  assert.throws(
    () => checkSpaceFor(10 * GiB + 1, fs, 20),
    (err: unknown) =>
      err instanceof UploadTooLargeError &&
      err.httpCode === 413 &&
      err.limit === 10 * GiB &&
      /image upload of 10.0 GiB does not fit: 30.0 GiB is free on the filesystem and 20% of it \(20.0 GiB\) is kept free, leaving room for 10.0 GiB/.test(err.message),
  );
  assert.equal(spaceAboveReserve({ capacity: 100, available: 10 }, 20), 0); // already inside the reserve
  assert.throws(() => checkSpaceFor(1, { capacity: 100, available: 10 }, 20), UploadTooLargeError);
  assert.doesNotThrow(() => checkSpaceFor(0, { capacity: 100, available: 10 }, 20));
  assert.equal(spaceAboveReserve({ capacity: 100, available: 500 }, 0), 100); // clamped to capacity
  assert.throws(() => spaceAboveReserve(fs, 101), /invalid reserve/);
});

test('an upload of unknown size is refused up front only when the disk has no room above the reserve', () => {
  assert.throws(
    () => checkSpaceFor(undefined, { capacity: 100 * GiB, available: 0 }, 20),
    (err: unknown) => err instanceof UploadTooLargeError && /^image upload does not fit: 0 B is free on the filesystem/.test(err.message),
  );
  assert.doesNotThrow(() => checkSpaceFor(undefined, { capacity: 100 * GiB, available: 21 * GiB }, 20));
});

test('limitBytes with a space reserve fails a chunked upload that would eat into it', async () => {
  const space = { fs: { capacity: 10_000, available: 3_000 }, reservePercent: 20 }; // room: 1 000
  await pipeline(source([500, 500]), limitBytes(1_000_000, 'image upload', { space }), sink().stream);
  await assert.rejects(pipeline(source([500, 501]), limitBytes(1_000_000, 'image upload', { space }), sink().stream), (err: unknown) =>
    err instanceof UploadTooLargeError && /^image upload does not fit: .*leaving room for 1000 B; remove unused images/.test(err.message),
  );
  // The cap still applies first.
  await assert.rejects(pipeline(source([2_000]), limitBytes(1_500, 'image upload', { space }), sink().stream), /exceeds the limit of 1.5 KiB/);
});
