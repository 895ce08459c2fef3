// Reading the files whose size stat(2) does not tell (procfs, cgroupfs: st_size 0) into reused buffers.
// fs.readFile reads such a file in a fresh 64 KiB buffer per read(2), and procfs answers one read with a
// page at most (seq_file): with 250 pods, /proc/self/mountinfo (~250 KB) cost 60 such buffers, 4 MB of C
// heap per read, all live until the next collection. The hundreds of reads of a delete burst fragmented
// malloc's main arena, which then kept tens of MB resident after the pods were gone (heaptrack, issue 7).
// Here one buffer serves a whole read, and a few are kept for the next ones.

import fs from 'node:fs/promises';
import { KeptBuffers } from './kept-buffers.js';

const FIRST_SIZE = 64 * 1024;
/** Buffers kept for later reads, and the largest size kept. */
const KEEP = 4;
const KEEP_MAX_BYTES = 1024 * 1024;
/** The largest is taken first, so the one a big file grew to is the one the next read gets. */
const kept = new KeptBuffers(KEEP, KEEP_MAX_BYTES);

/**
 * Reads `file` whole and hands its bytes to `use`, whose result it returns. The bytes are only valid
 * during the call: the buffer is reused afterwards, so `use` must copy (decode, parse) what it keeps.
 */
export async function readVirtualFile<T>(file: string, use: (bytes: Buffer) => T): Promise<T> {
  const fh = await fs.open(file, 'r');
  let buf = kept.takeLargest() ?? Buffer.allocUnsafeSlow(FIRST_SIZE);
  try {
    let size = 0;
    for (;;) {
      if (size === buf.length) {
        const bigger = Buffer.allocUnsafeSlow(buf.length * 2);
        buf.copy(bigger, 0, 0, size);
        buf = bigger;
      }
      const { bytesRead } = await fh.read(buf, size, buf.length - size, null);
      if (bytesRead === 0) break;
      size += bytesRead;
    }
    return use(buf.subarray(0, size));
  } finally {
    await fh.close().catch(() => undefined);
    kept.give(buf);
  }
}

/** The file's text (UTF-8). */
export function readVirtualText(file: string): Promise<string> {
  return readVirtualFile(file, (bytes) => bytes.toString('utf8'));
}

/** Lets the kept buffers go (when the daemon hands its spare memory back after a churn). */
export function dropKeptBuffers(): void {
  kept.drop();
}
