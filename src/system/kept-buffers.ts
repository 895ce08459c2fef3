// Large buffers kept between uses (procfs reads: virtual-file.ts; API reply bodies: api/reply-buffers.ts),
// so a burst does not allocate a fresh one each time and leave it to the collector and to malloc: the
// largest `keep` given back are kept, none larger than `maxBytes`.

export class KeptBuffers {
  /** Ascending by length. */
  private readonly free: Buffer[] = [];

  constructor(
    private readonly keep: number,
    private readonly maxBytes: number,
  ) {}

  /** The smallest kept buffer of at least `size` bytes, taken out; undefined when none is that large. */
  take(size: number): Buffer | undefined {
    const i = this.free.findIndex((b) => b.length >= size);
    return i < 0 ? undefined : this.free.splice(i, 1)[0];
  }

  /** The largest kept buffer, taken out. */
  takeLargest(): Buffer | undefined {
    return this.free.pop();
  }

  /** Hands a buffer back: kept if it is among the `keep` largest and no larger than `maxBytes`. */
  give(buf: Buffer): void {
    if (buf.length > this.maxBytes) return;
    let i = this.free.length;
    while (i > 0 && this.free[i - 1]!.length > buf.length) i--;
    this.free.splice(i, 0, buf);
    if (this.free.length > this.keep) this.free.shift();
  }

  /** Lets every kept buffer go. */
  drop(): void {
    this.free.length = 0;
  }

  /** How many are kept, and their bytes. */
  stats(): { count: number; bytes: number } {
    return { count: this.free.length, bytes: this.free.reduce((n, b) => n + b.length, 0) };
  }
}
