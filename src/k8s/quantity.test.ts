import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compareQuantities, formatWholeQuantity, isValidQuantity, parseQuantity, quantityToBytes, quantityToMilli } from './quantity.js';

const cases: { name: string; q: string | number; milli: number; bytes: number }[] = [
  { name: 'a plain integer is whole units', q: '2', milli: 2000, bytes: 2 },
  { name: 'a JSON number parses like its string', q: 3, milli: 3000, bytes: 3 },
  { name: 'milli cpu is exact', q: '250m', milli: 250, bytes: 1 },
  { name: 'a decimal fraction is exact, not float-rounded', q: '0.1', milli: 100, bytes: 1 },
  { name: 'binary suffixes are powers of 1024', q: '1Ki', milli: 1024000, bytes: 1024 },
  { name: 'Mi is 2^20', q: '64Mi', milli: 64 * 2 ** 20 * 1000, bytes: 64 * 2 ** 20 },
  { name: 'Gi with a fraction', q: '1.5Gi', milli: 1.5 * 2 ** 30 * 1000, bytes: 1.5 * 2 ** 30 },
  { name: 'decimal k is 1000', q: '2k', milli: 2000000, bytes: 2000 },
  { name: 'decimal M is a million', q: '1M', milli: 1e9, bytes: 1e6 },
  { name: 'nano rounds up to one milli', q: '1n', milli: 1, bytes: 1 },
  { name: 'micro rounds up', q: '1500u', milli: 2, bytes: 1 },
  { name: 'an exponent multiplies by ten', q: '1e3', milli: 1e6, bytes: 1000 },
  { name: 'an upper-case exponent with sign', q: '5E+2', milli: 500000, bytes: 500 },
  { name: 'a negative exponent', q: '15e-1', milli: 1500, bytes: 2 },
  { name: 'zero is zero', q: '0', milli: 0, bytes: 0 },
  { name: 'E alone is the exa suffix', q: '1E', milli: 1e21, bytes: 1e18 },
];

for (const c of cases) {
  test(`quantity ${JSON.stringify(c.q)}: ${c.name}`, () => {
    assert.equal(quantityToMilli(c.q), c.milli);
    assert.equal(quantityToBytes(c.q), c.bytes);
    assert.equal(isValidQuantity(c.q), true);
  });
}

const junk = ['', 'abc', '1KB', '1K', '1e', '1.2.3', 'Mi', '--1', ' 1', '1 Gi', '1i', '0x10', '1Mii'];
for (const q of junk) {
  test(`junk quantity ${JSON.stringify(q)} throws and is not valid`, () => {
    assert.throws(() => parseQuantity(q), /quantities must match the regular expression/);
    assert.equal(isValidQuantity(q), false);
  });
}

test('parseQuantity returns the numeric value', () => {
  assert.equal(parseQuantity('500m'), 0.5);
  assert.equal(parseQuantity('-1Ki'), -1024);
  assert.equal(parseQuantity('2.5'), 2.5);
});

test('non-finite numbers and non-scalars are not quantities', () => {
  assert.equal(isValidQuantity(Infinity), false);
  assert.equal(isValidQuantity(null), false);
  assert.equal(isValidQuantity({}), false);
});

test('compareQuantities compares exactly across suffixes', () => {
  assert.equal(compareQuantities('1', '1000m'), 0);
  assert.equal(compareQuantities('1Gi', '1G'), 1);
  assert.equal(compareQuantities('100Mi', '1Gi'), -1);
  assert.equal(compareQuantities('-1', 0), -1);
});

test('whole amounts are written as Quantity.String() writes them, in the format of the quantity they came from', () => {
  assert.equal(formatWholeQuantity(1024 * 1024, '1024Ki'), '1Mi');
  assert.equal(formatWholeQuantity(3 * 1024 * 1024, '1Mi'), '3Mi');
  assert.equal(formatWholeQuantity(1536 * 1024, '1Mi'), '1536Ki');
  assert.equal(formatWholeQuantity(1500, '1Ki'), '1500');
  assert.equal(formatWholeQuantity(1.5e9, '1.5G'), '1500M');
  assert.equal(formatWholeQuantity(1e9, 1000000000), '1G');
  assert.equal(formatWholeQuantity(0, '1Gi'), '0');
});
