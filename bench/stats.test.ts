import { test } from 'node:test';
import assert from 'node:assert/strict';
import { percentile, perSecond, summarize } from './stats.js';

const hundred = Array.from({ length: 100 }, (_, i) => 100 - i); // 100..1, unsorted on purpose

const cases: { name: string; samples: number[]; p: number; want: number }[] = [
  { name: 'the median of an odd set is its middle sample', samples: [5, 1, 3], p: 50, want: 3 },
  { name: 'the median of an even set is the lower middle sample (nearest rank)', samples: [4, 1, 3, 2], p: 50, want: 2 },
  { name: 'p90 of 1..100 is 90', samples: hundred, p: 90, want: 90 },
  { name: 'p99 of 1..100 is 99', samples: hundred, p: 99, want: 99 },
  { name: 'p99 of 30 samples is the maximum', samples: Array.from({ length: 30 }, (_, i) => i + 1), p: 99, want: 30 },
  { name: 'p0 is the minimum', samples: [7, 3, 9], p: 0, want: 3 },
  { name: 'p100 is the maximum', samples: [7, 3, 9], p: 100, want: 9 },
  { name: 'a single sample is every percentile', samples: [42], p: 90, want: 42 },
];

for (const c of cases) {
  test(c.name, () => assert.equal(percentile(c.samples, c.p), c.want));
}

test('a percentile of no samples is NaN', () => assert.ok(Number.isNaN(percentile([], 50))));

test('a percentile outside 0..100 is rejected', () => assert.throws(() => percentile([1], 101), RangeError));

test('percentile does not reorder the caller\'s samples', () => {
  const s = [3, 1, 2];
  percentile(s, 50);
  assert.deepEqual(s, [3, 1, 2]);
});

test('summarize gives n, p50, p90, p99, max and mean', () => {
  assert.deepEqual(summarize([10, 20, 30, 40]), { n: 4, p50: 20, p90: 40, p99: 40, max: 40, mean: 25 });
});

test('perSecond turns a count over milliseconds into a rate', () => {
  assert.equal(perSecond(50, 10_000), 5);
  assert.ok(Number.isNaN(perSecond(0, 1000)));
  assert.ok(Number.isNaN(perSecond(5, 0)));
});
