// A fixed-bucket histogram as Prometheus exposes one: counts per upper bound (`le`), cumulative when read,
// plus the sum and count of every observation. Counts only grow, so any number of readers can subtract
// two readings to get the distribution over their own window. Pure.

export interface HistogramSnapshot {
  /** Cumulative: observations ≤ le, bounds ascending; the last is +Inf and equals `count`. */
  buckets: { le: number; count: number }[];
  count: number;
  sum: number;
}

export class Histogram {
  private readonly bounds: readonly number[];
  /** Per bucket, not cumulative; the last slot is +Inf. */
  private readonly counts: number[];
  private total = 0;
  private sum = 0;

  constructor(bounds: readonly number[]) {
    for (let i = 1; i < bounds.length; i++) {
      if (!(bounds[i]! > bounds[i - 1]!)) throw new RangeError('histogram bounds must ascend');
    }
    this.bounds = [...bounds];
    this.counts = new Array<number>(bounds.length + 1).fill(0);
  }

  observe(v: number): void {
    let i = 0;
    while (i < this.bounds.length && v > this.bounds[i]!) i++;
    this.counts[i]!++;
    this.total++;
    this.sum += v;
  }

  snapshot(): HistogramSnapshot {
    let acc = 0;
    const buckets = this.counts.map((c, i) => ({ le: i < this.bounds.length ? this.bounds[i]! : Infinity, count: (acc += c) }));
    return { buckets, count: this.total, sum: this.sum };
  }
}
