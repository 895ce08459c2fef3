import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkNestingDepth, MAX_YAML_DEPTH, yamlNestingEstimate } from './body-depth.js';
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

// Found by the full fuzz soak (seed 53873082, case 155): "- " 50,000 times as application/yaml ended the
// daemon with "FATAL ERROR: RegExpCompiler Allocation failed" (the YAML parser's recursion ran the stack out
// inside V8's regexp compiler, which does not throw).
test('a YAML body that may nest deeper than the cap is a 400 before the YAML parser sees it', () => {
  for (const text of ['- '.repeat(50_000) + 'x', '['.repeat(10_000) + ']'.repeat(10_000), Array.from({ length: 400 }, (_, i) => `${' '.repeat(i)}k:`).join('\n') + ' v']) {
    assert.throws(() => decodeBody(Buffer.from(text), 'application/yaml'), (err: Error) => {
      assert.equal(errorToStatus(err).status.code, 400);
      assert.match(err.message, new RegExp(`^error converting YAML to JSON: the document nests more than ${MAX_YAML_DEPTH} levels deep`));
      return true;
    });
  }
  const manifest = [
    'apiVersion: v1',
    'kind: Pod',
    'metadata: {name: p, labels: {a: b}}',
    'spec:',
    '  containers:',
    '  - name: c',
    '    image: busybox',
    '    command: ["sh", "-c", "echo [x] {y}"]',
    '    env:',
    '    - name: A',
    '      valueFrom: {fieldRef: {fieldPath: metadata.name}}',
  ].join('\n');
  assert.ok(yamlNestingEstimate(manifest) < 12, `estimate ${yamlNestingEstimate(manifest)}`);
  assert.equal((decodeBody(Buffer.from(manifest), 'application/yaml') as { kind: string }).kind, 'Pod');
  assert.ok(yamlNestingEstimate('- '.repeat(200) + 'x') >= 200, 'compact sequences count one level each');
});
