// Reading the daemon's /metrics (Prometheus text format 0.0.4): samples by name and labels, and what a
// histogram holds over a window, as the difference of the scrapes at its two ends. Pure.

export interface PromSample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** A histogram as scraped: cumulative counts per upper bound (ascending, the last +Inf), count and sum. */
export interface ScrapedHistogram {
  buckets: { le: number; count: number }[];
  count: number;
  sum: number;
}

const LINE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)(?:\s+-?\d+)?$/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;

function parseNumber(s: string): number {
  if (s === '+Inf') return Infinity;
  if (s === '-Inf') return -Infinity;
  return Number(s);
}

const unescape = (v: string) => v.replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));

/** Every sample line; comments, blank lines and lines that are not samples are skipped. */
export function parsePrometheusText(text: string): PromSample[] {
  const out: PromSample[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const m = LINE.exec(line);
    if (!m) continue;
    const labels: Record<string, string> = {};
    for (const l of (m[2] ?? '').matchAll(LABEL)) labels[l[1]!] = unescape(l[2]!);
    out.push({ name: m[1]!, labels, value: parseNumber(m[3]!) });
  }
  return out;
}

/** The value of the sample with this name whose labels include `labels`. */
export function sampleValue(samples: readonly PromSample[], name: string, labels: Record<string, string> = {}): number | undefined {
  return samples.find((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))?.value;
}

export function scrapedHistogram(samples: readonly PromSample[], name: string): ScrapedHistogram | undefined {
  const buckets = samples
    .filter((s) => s.name === `${name}_bucket` && s.labels.le !== undefined)
    .map((s) => ({ le: parseNumber(s.labels.le!), count: s.value }))
    .sort((a, b) => a.le - b.le);
  const count = sampleValue(samples, `${name}_count`);
  const sum = sampleValue(samples, `${name}_sum`);
  if (!buckets.length || count === undefined || sum === undefined) return undefined;
  return { buckets, count, sum };
}

/** What was observed between two scrapes of the same histogram. */
export function histogramDelta(before: ScrapedHistogram, after: ScrapedHistogram): ScrapedHistogram {
  const at = new Map(before.buckets.map((b) => [b.le, b.count]));
  return {
    buckets: after.buckets.map((b) => ({ le: b.le, count: b.count - (at.get(b.le) ?? 0) })),
    count: after.count - before.count,
    sum: after.sum - before.sum,
  };
}

/**
 * The upper bound of the bucket holding the nearest-rank q-quantile (0 < q ≤ 1): the figure is "at most
 * this", never interpolated. Infinity when it lies above the last finite bound; NaN with no observations.
 */
export function bucketQuantile(h: ScrapedHistogram, q: number): number {
  if (h.count <= 0) return NaN;
  const rank = Math.max(1, Math.ceil(q * h.count));
  return h.buckets.find((b) => b.count >= rank)?.le ?? Infinity;
}

/** The upper bound of the highest bucket with an observation: the max is at most this. NaN when empty. */
export function highestBucketBound(h: ScrapedHistogram): number {
  if (h.count <= 0) return NaN;
  return h.buckets.find((b) => b.count >= h.count)?.le ?? Infinity;
}
