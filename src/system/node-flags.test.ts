import { test } from 'node:test';
import assert from 'node:assert/strict';
import { missingNodeFlags, SERVE_NODE_FLAGS } from './node-flags.js';

test('a flag given on the command line or in NODE_OPTIONS, with any value or spelling, is not missing', () => {
  assert.deepEqual(missingNodeFlags(['--max-semi-space-size=4'], ''), []);
  assert.deepEqual(missingNodeFlags([], '--inspect --max_semi_space_size=8'), []);
});

test('without them, every serve flag is missing', () => {
  assert.deepEqual(missingNodeFlags([], ''), [...SERVE_NODE_FLAGS]);
  assert.deepEqual(missingNodeFlags(['--max-old-space-size=64'], '--trace-gc'), [...SERVE_NODE_FLAGS]);
});
