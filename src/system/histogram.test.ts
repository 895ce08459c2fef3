import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Histogram } from './histogram.js';

test('a histogram counts each observation in the first bucket whose bound holds it, cumulatively', () => {
  const h = new Histogram([1, 5, 10]);
  for (const v of [0, 1, 1.5, 5, 7, 11, 100]) h.observe(v);
  assert.deepEqual(h.snapshot(), {
    buckets: [
      { le: 1, count: 2 },
      { le: 5, count: 4 },
      { le: 10, count: 5 },
      { le: Infinity, count: 7 },
    ],
    count: 7,
    sum: 125.5,
  });
});

test('an empty histogram has zero counts in every bucket', () => {
  const s = new Histogram([1]).snapshot();
  assert.deepEqual(s.buckets, [{ le: 1, count: 0 }, { le: Infinity, count: 0 }]);
  assert.equal(s.count, 0);
});

test('histogram bounds must ascend', () => {
  assert.throws(() => new Histogram([1, 1]), RangeError);
  assert.throws(() => new Histogram([2, 1]), RangeError);
});
