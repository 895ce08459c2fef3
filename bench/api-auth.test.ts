import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AUTH_VARIANTS, authRow, requestsPerRound, variantKey } from './api-auth.js';

test('every call, connection and credential is measured once, GET before LIST', () => {
  assert.equal(new Set(AUTH_VARIANTS.map(variantKey)).size, 8);
  assert.deepEqual(AUTH_VARIANTS.slice(0, 4).map(variantKey), ['get/reused/token', 'get/reused/cert', 'get/new/token', 'get/new/cert']);
});

test('a variant\'s requests are split over the rounds, the first rounds taking the rest', () => {
  const c = { pods: 100, reusedGet: 1002, reusedList: 300, newGet: 7, newList: 150, rounds: 5 };
  assert.deepEqual(requestsPerRound({ call: 'get', connection: 'reused', credential: 'cert' }, c), [201, 201, 200, 200, 200]);
  assert.deepEqual(requestsPerRound({ call: 'get', connection: 'new', credential: 'token' }, c), [2, 2, 1, 1, 1]);
  assert.equal(requestsPerRound({ call: 'list', connection: 'new', credential: 'cert' }, c).reduce((a, b) => a + b), 150);
});

test('a row: nearest-rank p50 and p99, and the rate over the time its blocks took', () => {
  const lat = Array.from({ length: 100 }, (_, i) => i + 1);
  const r = authRow({ call: 'list', connection: 'new', credential: 'token' }, lat, 5000);
  assert.deepEqual([r.n, r.p50Ms, r.p99Ms, r.rps, r.daemonCpuMs], [100, 50, 99, 20, undefined]);
  assert.equal(authRow(r, lat, 5000, 30).daemonCpuMs, 3, '30 ticks of 10 ms over 100 requests');
});
