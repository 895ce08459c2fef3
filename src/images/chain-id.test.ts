import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import { chainIdOf, chainIds } from './chain-id.js';

const d = (c: string) => `sha256:${c.repeat(64)}`;

test('the bottom layer\'s chain id is its diff id', () => {
  assert.deepEqual(chainIds([d('a')]), [d('a')]);
});

test('a chain id hashes the parent chain id, a space and the diff id (OCI image spec)', () => {
  const want = `sha256:${createHash('sha256').update(`${d('a')} ${d('b')}`).digest('hex')}`;
  assert.deepEqual(chainIds([d('a'), d('b')]), [d('a'), want]);
  assert.equal(chainIdOf([d('a')], d('b')), want);
});

test('the same diff over other lowers has another chain id', () => {
  assert.notEqual(chainIdOf([d('a')], d('c')), chainIdOf([d('b')], d('c')));
});
