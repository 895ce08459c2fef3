import { test } from 'node:test';
import assert from 'node:assert/strict';
import { humanDuration, timestampSince } from './age.js';

const S = 1000;
const M = 60 * S;
const H = 60 * M;
const D = 24 * H;

const cases: [string, number, string][] = [
  ['shows seconds below two minutes', 90 * S, '90s'],
  ['shows zero for a slightly negative skew', -500, '0s'],
  ['shows invalid for a clock far in the future', -5 * S, '<invalid>'],
  ['shows minutes and seconds below ten minutes', 5 * M + 30 * S, '5m30s'],
  ['drops zero seconds below ten minutes', 5 * M, '5m'],
  ['shows whole minutes below three hours', 45 * M, '45m'],
  ['shows hours and minutes below eight hours', 3 * H + 20 * M, '3h20m'],
  ['shows whole hours below two days', 20 * H, '20h'],
  ['shows days and hours below eight days', 3 * D + 4 * H, '3d4h'],
  ['shows whole days below two years', 12 * D + 5 * H, '12d'],
  ['shows years and days', 800 * D, '2y70d'],
];

for (const [name, ms, want] of cases) {
  test(name, () => assert.equal(humanDuration(ms), want));
}

test('timestampSince reports unknown for a missing timestamp', () => {
  assert.equal(timestampSince(undefined, 0), '<unknown>');
  assert.equal(timestampSince('2026-01-01T00:00:00Z', Date.UTC(2026, 0, 1, 0, 1, 30)), '90s');
});
