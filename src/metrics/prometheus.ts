// Prometheus' text exposition format (0.0.4): families of samples, rendered with HELP and TYPE, and the
// shapes the daemon's figures take: plain histograms, and counters and histograms with labels (one
// series per label set, kept in a map; the label values come from small, fixed vocabularies). Pure.

import { Histogram, type HistogramSnapshot } from '../system/histogram.js';

export interface MetricSample {
  /** Appended to the family name: "_bucket", "_sum", "_count" for histograms. */
  suffix?: string;
  labels?: Record<string, string>;
  value: number;
}

export interface MetricFamily {
  name: string;
  help: string;
  type: 'counter' | 'gauge' | 'histogram';
  samples: MetricSample[];
}

function formatNumber(v: number): string {
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  return Number.isNaN(v) ? 'NaN' : String(v);
}

const escapeLabel = (v: string) => v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
const escapeHelp = (v: string) => v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');

export function renderPrometheus(families: readonly MetricFamily[]): string {
  const out: string[] = [];
  for (const f of families) {
    out.push(`# HELP ${f.name} ${escapeHelp(f.help)}`, `# TYPE ${f.name} ${f.type}`);
    for (const s of f.samples) {
      const labels = Object.entries(s.labels ?? {});
      const l = labels.length ? `{${labels.map(([k, v]) => `${k}="${escapeLabel(v)}"`).join(',')}}` : '';
      out.push(`${f.name}${s.suffix ?? ''}${l} ${formatNumber(s.value)}`);
    }
  }
  return out.join('\n') + '\n';
}

export function histogramFamily(name: string, help: string, h: HistogramSnapshot): MetricFamily {
  return {
    name,
    help,
    type: 'histogram',
    samples: [
      ...h.buckets.map((b) => ({ suffix: '_bucket', labels: { le: formatNumber(b.le) }, value: b.count })),
      { suffix: '_sum', value: h.sum },
      { suffix: '_count', value: h.count },
    ],
  };
}


/** Histogram series by label set (labels first, then le, as client_golang orders them). */
export function labelledHistogramFamily(name: string, help: string, series: readonly { labels: Record<string, string>; h: HistogramSnapshot }[]): MetricFamily {
  const samples: MetricSample[] = [];
  for (const { labels, h } of series) {
    for (const b of h.buckets) samples.push({ suffix: '_bucket', labels: { ...labels, le: formatNumber(b.le) }, value: b.count });
    samples.push({ suffix: '_sum', labels, value: h.sum }, { suffix: '_count', labels, value: h.count });
  }
  return { name, help, type: 'histogram', samples };
}

/** A counter per label set, in the order the sets first counted. */
export class LabelledCounter {
  private readonly series = new Map<string, { labels: Record<string, string>; value: number }>();

  inc(labels: Record<string, string>, by = 1): void {
    const key = JSON.stringify(labels);
    const s = this.series.get(key);
    if (s) s.value += by;
    else this.series.set(key, { labels: { ...labels }, value: by });
  }

  family(name: string, help: string): MetricFamily {
    return { name, help, type: 'counter', samples: [...this.series.values()].map((s) => ({ labels: s.labels, value: s.value })) };
  }
}

/** A fixed-bucket histogram per label set. */
export class LabelledHistogram {
  private readonly series = new Map<string, { labels: Record<string, string>; h: Histogram }>();

  constructor(private readonly bounds: readonly number[]) {}

  observe(labels: Record<string, string>, v: number): void {
    const key = JSON.stringify(labels);
    let s = this.series.get(key);
    if (!s) this.series.set(key, (s = { labels: { ...labels }, h: new Histogram(this.bounds) }));
    s.h.observe(v);
  }

  family(name: string, help: string): MetricFamily {
    return labelledHistogramFamily(name, help, [...this.series.values()].map((s) => ({ labels: s.labels, h: s.h.snapshot() })));
  }
}
