// The bodies of big replies (lists, Tables) are built in reused buffers. A fresh multi-megabyte buffer per
// list is memory outside V8's heap that only a collection gives back, and V8 counts it toward starting one:
// a client listing 1,000 stored pods one request after the other (2.6 MB each) made the daemon run a full
// collection every 200-400 ms (29 in 400 lists, each a 4-15 ms pause in some list's answer); with the body
// built in a kept buffer, one (issue 7).
//
// A buffer goes back to the pool only once its response has finished (every byte handed to the socket:
// TLS has encrypted it by then); a response that ends otherwise (the client went away) just lets its
// buffer go to the collector.

import type { ServerResponse } from 'node:http';
import { KeptBuffers } from '../system/kept-buffers.js';

/** Below this, Node's own pooled allocation is cheap and leaves nothing behind. */
export const REUSE_MIN_BYTES = 64 * 1024;
/** Buffers kept between replies, and the largest kept. */
const KEEP = 2;
const KEEP_MAX_BYTES = 32 * 1024 * 1024;
/** Sizes are rounded up to this, so a list that grows by a pod still fits the kept buffer. */
const GRAIN = 64 * 1024;

export class ReplyBuffers {
  private readonly pool = new KeptBuffers(KEEP, KEEP_MAX_BYTES);

  /** How many buffers are kept, and their bytes (for tests and /metrics-minded readers). */
  kept(): { count: number; bytes: number } {
    return this.pool.stats();
  }

  /**
   * An allocator for one reply's body, and `after(res)` to call once the body is handed to `res`: a
   * buffer it gave out comes back to the pool when `res` finishes. One allocation per reply.
   */
  forReply(): { alloc: (size: number) => Buffer; after: (res: ServerResponse) => void } {
    let taken: Buffer | undefined;
    return {
      alloc: (size) => {
        if (size < REUSE_MIN_BYTES || taken) return Buffer.allocUnsafe(size);
        taken = this.pool.take(size) ?? Buffer.allocUnsafeSlow(Math.ceil(size / GRAIN) * GRAIN);
        return taken.subarray(0, size);
      },
      after: (res) => {
        const buf = taken;
        if (buf) res.once('finish', () => this.pool.give(buf));
      },
    };
  }

  /** Lets every kept buffer go (the daemon's heap release). */
  drop(): void {
    this.pool.drop();
  }
}

/** The API server's pool (one daemon per process). */
export const replyBuffers = new ReplyBuffers();
