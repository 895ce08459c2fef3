import assert from 'node:assert/strict';
import { test } from 'node:test';
import { bucketQuantile, highestBucketBound, histogramDelta, parsePrometheusText, sampleValue, scrapedHistogram } from './prom-text.js';

const scrape = (counts: [string, number][], count: number, sum: number) =>
  [
    '# HELP d_seconds Delay.',
    '# TYPE d_seconds histogram',
    ...counts.map(([le, c]) => `d_seconds_bucket{le="${le}"} ${c}`),
    `d_seconds_sum ${sum}`,
    `d_seconds_count ${count}`,
    'd_max_seconds{window="1s"} 0.004',
    'd_max_seconds{window="10s"} 0.03',
    'process_resident_memory_bytes 8.5e+07',
    '',
  ].join('\n');

test('parses samples with labels, escapes, exponents, +Inf and timestamps; skips comments', () => {
  const s = parsePrometheusText('# HELP x y\nx{a="1",b="q\\"uote\\\\"} 2.5\ny +Inf\nz 3 1700000000000\n\nnot a sample line {\n');
  assert.deepEqual(s, [
    { name: 'x', labels: { a: '1', b: 'q"uote\\' }, value: 2.5 },
    { name: 'y', labels: {}, value: Infinity },
    { name: 'z', labels: {}, value: 3 },
  ]);
  const t = parsePrometheusText(scrape([['+Inf', 0]], 0, 0));
  assert.equal(sampleValue(t, 'process_resident_memory_bytes'), 85e6);
  assert.equal(sampleValue(t, 'd_max_seconds', { window: '10s' }), 0.03);
  assert.equal(sampleValue(t, 'd_max_seconds', { window: '60s' }), undefined);
});

test('a window of a histogram is the difference of two scrapes; its quantiles are bucket bounds', () => {
  const before = scrapedHistogram(parsePrometheusText(scrape([['0.001', 90], ['0.01', 99], ['0.05', 100], ['+Inf', 100]], 100, 0.2)), 'd_seconds')!;
  const after = scrapedHistogram(parsePrometheusText(scrape([['0.001', 180], ['0.01', 296], ['0.05', 299], ['+Inf', 300]], 300, 1.7)), 'd_seconds')!;
  const w = histogramDelta(before, after);
  assert.deepEqual(w.buckets.map((b) => b.count), [90, 197, 199, 200]);
  assert.equal(w.count, 200);
  assert.ok(Math.abs(w.sum - 1.5) < 1e-9);
  assert.equal(bucketQuantile(w, 0.5), 0.01, 'the 100th of 200 is above 1 ms');
  assert.equal(bucketQuantile(w, 0.99), 0.05, 'the 198th of 200 needs 50 ms');
  assert.equal(bucketQuantile(w, 0.45), 0.001);
  assert.equal(highestBucketBound(w), Infinity, 'one observation above the last finite bound');
});

test('an empty window has no quantile; a missing histogram is undefined', () => {
  const h = { buckets: [{ le: 1, count: 0 }, { le: Infinity, count: 0 }], count: 0, sum: 0 };
  assert.ok(Number.isNaN(bucketQuantile(h, 0.99)));
  assert.ok(Number.isNaN(highestBucketBound(h)));
  assert.equal(scrapedHistogram(parsePrometheusText('x 1\n'), 'd_seconds'), undefined);
});
