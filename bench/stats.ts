// Latency figures for the bench: nearest-rank percentiles and a summary of one sample set. Pure.

export interface LatencySummary {
  n: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  mean: number;
}

/**
 * Nearest-rank percentile (the smallest sample with at least p% of the samples at or below it), so every
 * figure is a real observation: with 30 samples p99 is the maximum. NaN for no samples.
 */
export function percentile(samples: readonly number[], p: number): number {
  if (samples.length === 0) return NaN;
  if (p < 0 || p > 100) throw new RangeError(`percentile ${p} is outside 0..100`);
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1]!;
}

export function summarize(samples: readonly number[]): LatencySummary {
  const n = samples.length;
  const mean = n ? samples.reduce((a, b) => a + b, 0) / n : NaN;
  return {
    n,
    p50: percentile(samples, 50),
    p90: percentile(samples, 90),
    p99: percentile(samples, 99),
    max: n ? Math.max(...samples) : NaN,
    mean,
  };
}

/** Items per second over a span in ms; NaN when nothing was measured. */
export function perSecond(count: number, elapsedMs: number): number {
  return count > 0 && elapsedMs > 0 ? (count * 1000) / elapsedMs : NaN;
}
