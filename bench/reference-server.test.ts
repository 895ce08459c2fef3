import assert from 'node:assert/strict';
import { test } from 'node:test';
import { filler } from './reference-server.js';

test('filler is valid JSON of exactly the asked size', () => {
  for (const n of [8, 9, 100, 3000, 250_000]) {
    const b = filler(n);
    assert.equal(b.length, n);
    assert.equal(typeof JSON.parse(b.toString('utf8')).x, 'string');
  }
  assert.equal(filler(0).length, 0);
  assert.equal(filler(5).length, 5);
});
