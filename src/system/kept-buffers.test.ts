import assert from 'node:assert/strict';
import { test } from 'node:test';
import { KeptBuffers } from './kept-buffers.js';

const sizes = (take: () => Buffer | undefined) => {
  const out: number[] = [];
  for (let b = take(); b; b = take()) out.push(b.length);
  return out;
};

test('the largest buffers given back are kept, none above the bound', () => {
  const k = new KeptBuffers(2, 1000);
  for (const n of [100, 5000, 300, 200]) k.give(Buffer.alloc(n));
  assert.deepEqual(k.stats(), { count: 2, bytes: 500 });
  assert.deepEqual(sizes(() => k.takeLargest()), [300, 200]);
});

test('take gives the smallest kept buffer that is large enough, or none', () => {
  const k = new KeptBuffers(3, 1000);
  for (const n of [400, 100, 250]) k.give(Buffer.alloc(n));
  assert.equal(k.take(200)?.length, 250);
  assert.equal(k.take(500), undefined);
  assert.equal(k.take(1)?.length, 100);
  k.drop();
  assert.deepEqual(k.stats(), { count: 0, bytes: 0 });
});
