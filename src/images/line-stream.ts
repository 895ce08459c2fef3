// Reads a text file line by line without ever holding it whole, with caps on one line and on the total:
// a tar listing written by tar itself (`--index-file`) can be as long as a crafted layer makes it.

import { createReadStream } from 'node:fs';
import { BadRequestError } from '../errors.js';

export interface LineLimits {
  /** Longest line accepted, bytes (without its newline). */
  maxLineBytes: number;
  /** Most bytes read in all. */
  maxTotalBytes: number;
}

/** Calls `onLine` for each line of `file` (the last one may lack its newline); BadRequestError past a cap. */
export async function forEachLine(file: string, limits: LineLimits, what: string, onLine: (line: string) => void): Promise<void> {
  let total = 0;
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  const take = (b: Buffer) => {
    if (pendingBytes + b.length > limits.maxLineBytes) throw new BadRequestError(`${what}: a line is longer than ${limits.maxLineBytes} bytes`);
    pending.push(b);
    pendingBytes += b.length;
  };
  const flush = () => {
    const line = Buffer.concat(pending, pendingBytes).toString('utf8');
    pending = [];
    pendingBytes = 0;
    onLine(line);
  };
  for await (const chunk of createReadStream(file, { highWaterMark: 1 << 16 })) {
    const buf = chunk as Buffer;
    total += buf.length;
    if (total > limits.maxTotalBytes) throw new BadRequestError(`${what}: longer than ${limits.maxTotalBytes} bytes`);
    let from = 0;
    for (let nl = buf.indexOf(10, from); nl >= 0; nl = buf.indexOf(10, from)) {
      take(buf.subarray(from, nl));
      flush();
      from = nl + 1;
    }
    if (from < buf.length) take(buf.subarray(from));
  }
  if (pendingBytes > 0) flush();
}
