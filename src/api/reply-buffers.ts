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

/** Below this, Node's own pooled allocation is cheap and leaves nothing behind. */
export const REUSE_MIN_BYTES = 64 * 1024;
/** Buffers kept between replies, and the largest kept. */
const KEEP = 2;
const KEEP_MAX_BYTES = 32 * 1024 * 1024;
/** Sizes are rounded up to this, so a list that grows by a pod still fits the kept buffer. */
const GRAIN = 64 * 1024;

export class ReplyBuffers {
  private readonly free: Buffer[] = [];

  /** How many buffers are kept, and their bytes (for tests and /metrics-minded readers). */
  kept(): { count: number; bytes: number } {
    return { count: this.free.length, bytes: this.free.reduce((n, b) => n + b.length, 0) };
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
        taken = this.take(size);
        return taken.subarray(0, size);
      },
      after: (res) => {
        const buf = taken;
        if (buf) res.once('finish', () => this.give(buf));
      },
    };
  }

  /** Lets every kept buffer go (the daemon's heap release). */
  drop(): void {
    this.free.length = 0;
  }

  private take(size: number): Buffer {
    let best = -1;
    for (let i = 0; i < this.free.length; i++) {
      const b = this.free[i]!;
      if (b.length >= size && (best < 0 || b.length < this.free[best]!.length)) best = i;
    }
    if (best >= 0) return this.free.splice(best, 1)[0]!;
    return Buffer.allocUnsafeSlow(Math.ceil(size / GRAIN) * GRAIN);
  }

  private give(buf: Buffer): void {
    if (buf.length > KEEP_MAX_BYTES) return;
    this.free.push(buf);
    if (this.free.length > KEEP) {
      let smallest = 0;
      for (let i = 1; i < this.free.length; i++) if (this.free[i]!.length < this.free[smallest]!.length) smallest = i;
      this.free.splice(smallest, 1);
    }
  }
}

/** The API server's pool (one daemon per process). */
export const replyBuffers = new ReplyBuffers();
