import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ProtoWriter, decodeFields } from './protobuf.js';

test('strings are length-delimited fields with the right tag', () => {
  const buf = new ProtoWriter().string(1, '2.0').finish();
  assert.deepEqual([...buf], [0x0a, 3, 0x32, 0x2e, 0x30]);
});

test('long lengths use multi-byte varints', () => {
  const s = 'x'.repeat(300);
  const buf = new ProtoWriter().string(2, s).finish();
  assert.deepEqual([...buf.subarray(0, 3)], [0x12, 0xac, 0x02]);
  const [f] = decodeFields(buf);
  assert.equal(f.field, 2);
  assert.equal((f.value as Buffer).toString(), s);
});

test('nested messages and bools round-trip through the decoder', () => {
  const buf = new ProtoWriter().message(8, (w) => w.string(1, 'a').bool(3, true)).finish();
  const [outer] = decodeFields(buf);
  assert.equal(outer.field, 8);
  const inner = decodeFields(outer.value as Buffer);
  assert.deepEqual(inner.map((x) => [x.field, x.wire]), [[1, 2], [3, 0]]);
  assert.equal(inner[1].value, 1);
});
