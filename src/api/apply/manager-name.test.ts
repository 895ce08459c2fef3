import assert from 'node:assert/strict';
import { test } from 'node:test';
import { InvalidError } from '../../errors.js';
import { fieldManagerFor, managerFromUserAgent } from './manager-name.js';
import { duplicateFieldError } from './strict.js';

const q = (s: string) => new URLSearchParams(s);

const cases: { name: string; verb: 'create' | 'update' | 'patch' | 'apply'; query: string; ua?: string; want: string | RegExp }[] = [
  { name: 'the fieldManager parameter names the manager', verb: 'patch', query: 'fieldManager=kubectl-label', ua: 'kubectl/v1.33.0 (linux/amd64)', want: 'kubectl-label' },
  { name: 'without one, the User-Agent up to its first "/" does', verb: 'create', query: '', ua: 'kubectl/v1.33.0 (linux/amd64) kubernetes/abc', want: 'kubectl' },
  { name: 'without either, the manager is "unknown"', verb: 'update', query: '', want: 'unknown' },
  { name: 'apply without fieldManager is refused as upstream refuses PatchOptions', verb: 'apply', query: '', ua: 'kubectl/v1.33.0', want: /^PatchOptions\.meta\.k8s\.io "" is invalid: fieldManager: Required value: is required for apply patch$/ },
  { name: 'force on a non-apply patch is refused', verb: 'patch', query: 'force=true', want: /force: Forbidden: may not be specified for non-apply patch/ },
  { name: 'a fieldManager over 128 bytes is refused', verb: 'create', query: `fieldManager=${'m'.repeat(129)}`, want: /^CreateOptions\.meta\.k8s\.io "" is invalid: fieldManager: Too long: may not be more than 128 bytes$/ },
  { name: 'a fieldManager with a control character is refused', verb: 'update', query: 'fieldManager=a%01b', want: /fieldManager: Invalid value: "a\\u0001b": invalid character U\+0001 \(at position 1\)/ },
];

for (const c of cases) {
  test(`fieldManager: ${c.name}`, () => {
    if (typeof c.want === 'string') assert.equal(fieldManagerFor(c.verb, q(c.query), c.ua), c.want);
    else assert.throws(() => fieldManagerFor(c.verb, q(c.query), c.ua), (err: Error) => err instanceof InvalidError && (c.want as RegExp).test(err.message));
  });
}

test('a User-Agent manager drops unprintable characters and stops at 128 bytes', () => {
  assert.equal(managerFromUserAgent('my\u0007tool/1.0'), 'mytool');
  assert.equal(managerFromUserAgent('x'.repeat(200)).length, 128);
});

test('a duplicate key in an apply body is worded as sigs.k8s.io/yaml words it, with its line', () => {
  assert.equal(duplicateFieldError('data:\n  a: "1"\n  a: "2"\n'), 'error converting YAML to JSON: yaml: unmarshal errors:\n  line 3: key "a" already set in map');
  assert.match(duplicateFieldError('{"data":{"a":"1","a":"2"}}')!, /key "a" already set in map/);
  assert.equal(duplicateFieldError('data:\n  a: "1"\n'), undefined);
});
