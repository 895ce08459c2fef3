import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatRatio, formatValue, renderMarkdownTable, renderTextTable } from './format.js';

const values: { name: string; v: number | undefined; unit: string; want: string }[] = [
  { name: 'milliseconds of 10 or more are whole', v: 123.456, unit: 'ms', want: '123 ms' },
  { name: 'milliseconds under 10 keep two decimals', v: 4.567, unit: 'ms', want: '4.57 ms' },
  { name: 'megabytes between 10 and 100 keep one decimal', v: 42.25, unit: 'MB', want: '42.3 MB' },
  { name: 'a rate under 10 keeps two decimals', v: 3.14159, unit: 'pods/s', want: '3.14 pods/s' },
  { name: 'a missing value is a dash', v: undefined, unit: 'ms', want: '—' },
  { name: 'NaN is a dash', v: NaN, unit: 'ms', want: '—' },
  { name: 'a unitless value has no trailing space', v: 2.5, unit: '', want: '2.50' },
  { name: 'a unitless whole number (a count) has no decimals', v: 30, unit: '', want: '30' },
];
for (const c of values) test(c.name, () => assert.equal(formatValue(c.v, c.unit), c.want));

test('ratios print with a multiplication sign, missing ones as a dash', () => {
  assert.equal(formatRatio(3.456), '3.5×');
  assert.equal(formatRatio(0.256), '0.26×');
  assert.equal(formatRatio(12.4), '12×');
  assert.equal(formatRatio(undefined), '—');
  assert.equal(formatRatio(Infinity), '—');
});

test('a ratio can be asked for with a set number of decimals', () => {
  assert.equal(formatRatio(1.5249, 2), '1.52×');
  assert.equal(formatRatio(1.46, 2), '1.46×');
  assert.equal(formatRatio(1.46), '1.5×');
  assert.equal(formatRatio(12.345, 2), '12.35×');
  assert.equal(formatRatio(undefined, 2), '—');
});

test('a text table pads the first column left and the others right', () => {
  const t = renderTextTable(['metric', 'peapod'], [['p50', '12 ms'], ['max', '130 ms']]);
  assert.equal(t, ['metric  peapod', '------  ------', 'p50      12 ms', 'max     130 ms'].join('\n'));
});

test('a markdown table right-aligns the value columns and escapes pipes', () => {
  const t = renderMarkdownTable(['a', 'b'], [['x|y', '1']]);
  assert.equal(t, ['| a | b |', '|---|---:|', '| x\\|y | 1 |'].join('\n'));
});
