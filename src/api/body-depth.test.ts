import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkNestingDepth } from './body-depth.js';
import { decodeBody, warningHeader } from './http.js';
import { errorToStatus } from './status.js';

test('a body nested deeper than the cap is a 400 naming the cap, before any handler recurses into it (was a 500: stack overflow)', () => {
  const deep = Buffer.from('{"a":'.repeat(200_000) + '1' + '}'.repeat(200_000));
  assert.throws(() => decodeBody(deep, 'application/json'), (err: Error & { code?: string }) => {
    assert.equal(errorToStatus(err).status.code, 400);
    assert.match(err.message, /nests objects and arrays more than 1000 levels deep/);
    return true;
  });
  assert.throws(() => decodeBody(Buffer.from('['.repeat(5000) + ']'.repeat(5000)), 'application/json'), /more than 1000 levels/);
  let ok: unknown = 1;
  for (let i = 0; i < 999; i++) ok = [ok];
  assert.doesNotThrow(() => checkNestingDepth(ok));
  assert.doesNotThrow(() => decodeBody(Buffer.from(JSON.stringify({ spec: { a: [{ b: { c: 1 } }] } })), 'application/json'));
});

test('a warning naming a non-Latin-1 or control character goes out as UTF-8 bytes Node accepts (was an unhandled throw: no answer)', () => {
  const h = warningHeader('unknown field "metadata.annotatio\ufffds" \u4e2d \u007f');
  assert.doesNotMatch(h, /[^\t\x20-\x7e\x80-\xff]/);
  assert.equal(Buffer.from(h, 'latin1').toString('utf8'), '299 - "unknown field \\"metadata.annotatio\ufffds\\" \u4e2d \\u007f"');
});
