import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BadRequestError } from '../errors.js';
import { resourceInfo } from '../k8s/registry.js';
import type { KubeObject } from '../k8s/types.js';
import { matchesFields, matchesLabels, parseFieldSelector, parseLabelSelector } from './selectors.js';
import type { LabelRequirement } from './store.js';

const pods = resourceInfo('pods')!;

const validLabelSelectors: { name: string; input: string; want: LabelRequirement[] }[] = [
  { name: 'the empty selector selects everything', input: '', want: [] },
  { name: 'a=b is equality', input: 'a=b', want: [{ key: 'a', operator: 'Equals', values: ['b'] }] },
  { name: 'a==b is equality', input: 'a==b', want: [{ key: 'a', operator: 'Equals', values: ['b'] }] },
  { name: 'a!=b is inequality', input: 'a!=b', want: [{ key: 'a', operator: 'NotEquals', values: ['b'] }] },
  { name: 'a= compares with the empty value', input: 'a=', want: [{ key: 'a', operator: 'Equals', values: [''] }] },
  { name: 'a bare key means exists', input: 'app', want: [{ key: 'app', operator: 'Exists', values: [] }] },
  { name: 'a negated key means does not exist', input: '!app', want: [{ key: 'app', operator: 'DoesNotExist', values: [] }] },
  {
    name: 'in takes a parenthesised set',
    input: 'env in (prod, staging)',
    want: [{ key: 'env', operator: 'In', values: ['prod', 'staging'] }],
  },
  { name: 'notin takes a set', input: 'env notin (dev)', want: [{ key: 'env', operator: 'NotIn', values: ['dev'] }] },
  {
    name: 'commas separate terms and spaces are ignored',
    input: ' app = web , tier!=db,!legacy, env in (a,b) ',
    want: [
      { key: 'app', operator: 'Equals', values: ['web'] },
      { key: 'tier', operator: 'NotEquals', values: ['db'] },
      { key: 'legacy', operator: 'DoesNotExist', values: [] },
      { key: 'env', operator: 'In', values: ['a', 'b'] },
    ],
  },
  {
    name: 'prefixed keys are accepted',
    input: 'app.kubernetes.io/name=nginx',
    want: [{ key: 'app.kubernetes.io/name', operator: 'Equals', values: ['nginx'] }],
  },
];

for (const c of validLabelSelectors) {
  test(`parseLabelSelector: ${c.name}`, () => {
    assert.deepEqual(parseLabelSelector(c.input), c.want);
  });
}

const invalidLabelSelectors: { name: string; input: string; message: RegExp }[] = [
  { name: 'an operator without a key is rejected', input: '=b', message: /expected a label key/ },
  { name: 'an empty in-set is rejected', input: 'a in ()', message: /can't be empty/ },
  { name: 'an unclosed set is rejected', input: 'a in (x', message: /expected "," or "\)"/ },
  { name: 'in without a set is rejected', input: 'a in x', message: /expected "\(" after "in"/ },
  { name: 'two values in a row are rejected', input: 'a=b c', message: /expected ","/ },
  { name: 'a key with a space-separated word is rejected', input: 'a b', message: /expected an operator/ },
  { name: 'greater-than is not supported', input: 'a>1', message: /operator ">" is not supported/ },
  { name: 'an invalid key character is rejected', input: 'a$b=c', message: /invalid label key "a\$b"/ },
  { name: 'a key ending in a dash is rejected', input: 'a-=c', message: /invalid label key "a-"/ },
  { name: 'an uppercase prefix is rejected', input: 'Example.com/a=b', message: /prefix part/ },
  { name: 'an empty prefix is rejected', input: '/a=b', message: /prefix part must be non-empty/ },
  { name: 'a too long value is rejected', input: `a=${'x'.repeat(64)}`, message: /no more than 63 characters/ },
  { name: 'an invalid value is rejected', input: 'a=-b', message: /invalid label value "-b"/ },
  { name: 'a trailing comma is rejected', input: 'a=b,', message: /expected a label key/ },
];

for (const c of invalidLabelSelectors) {
  test(`parseLabelSelector: ${c.name}`, () => {
    assert.throws(
      () => parseLabelSelector(c.input),
      (err: unknown) => err instanceof BadRequestError && c.message.test(err.message),
    );
  });
}

const labelMatches: { name: string; selector: string; labels?: Record<string, string>; want: boolean }[] = [
  { name: 'equality matches the same value', selector: 'a=b', labels: { a: 'b' }, want: true },
  { name: 'equality fails on another value', selector: 'a=b', labels: { a: 'c' }, want: false },
  { name: 'equality fails when the label is missing', selector: 'a=b', labels: {}, want: false },
  { name: 'inequality matches when the label is missing', selector: 'a!=b', labels: undefined, want: true },
  { name: 'inequality fails on the same value', selector: 'a!=b', labels: { a: 'b' }, want: false },
  { name: 'in matches a member', selector: 'a in (x,y)', labels: { a: 'y' }, want: true },
  { name: 'in fails when missing', selector: 'a in (x,y)', labels: {}, want: false },
  { name: 'notin matches when missing', selector: 'a notin (x)', labels: {}, want: true },
  { name: 'notin fails on a member', selector: 'a notin (x)', labels: { a: 'x' }, want: false },
  { name: 'exists matches an empty value', selector: 'a', labels: { a: '' }, want: true },
  { name: 'does-not-exist fails when present', selector: '!a', labels: { a: '' }, want: false },
  { name: 'all terms must hold', selector: 'a=1,b=2', labels: { a: '1', b: '3' }, want: false },
  { name: 'the empty selector matches no labels', selector: '', labels: undefined, want: true },
];

for (const c of labelMatches) {
  test(`matchesLabels: ${c.name}`, () => {
    assert.equal(matchesLabels(c.labels, parseLabelSelector(c.selector)), c.want);
  });
}

test('parseFieldSelector: accepts =, == and != on supported fields', () => {
  assert.deepEqual(parseFieldSelector('metadata.name=web,status.phase==Running,spec.nodeName!=', pods), [
    { field: 'metadata.name', operator: 'Equals', value: 'web' },
    { field: 'status.phase', operator: 'Equals', value: 'Running' },
    { field: 'spec.nodeName', operator: 'NotEquals', value: '' },
  ]);
});

test('parseFieldSelector: unescapes backslash-escaped commas and equals signs in values', () => {
  assert.deepEqual(parseFieldSelector('metadata.name=a\\,b\\=c\\\\', pods), [
    { field: 'metadata.name', operator: 'Equals', value: 'a,b=c\\' },
  ]);
});

test('parseFieldSelector: the empty selector selects everything', () => {
  assert.deepEqual(parseFieldSelector('', pods), []);
});

const invalidFieldSelectors: { name: string; input: string; message: RegExp }[] = [
  { name: 'an unknown field is not supported', input: 'spec.foo=x', message: /^field label not supported: spec\.foo$/ },
  { name: 'a term without an operator is rejected', input: 'metadata.name', message: /can't understand "metadata.name"/ },
  { name: 'an unescaped equals sign in a value is rejected', input: 'metadata.name=a=b', message: /unescaped "="/ },
  { name: 'a bad escape is rejected', input: 'metadata.name=a\\b', message: /invalid escape/ },
];

for (const c of invalidFieldSelectors) {
  test(`parseFieldSelector: ${c.name}`, () => {
    assert.throws(
      () => parseFieldSelector(c.input, pods),
      (err: unknown) => err instanceof BadRequestError && c.message.test(err.message),
    );
  });
}

test('parseFieldSelector: a field of another resource is not supported', () => {
  assert.throws(() => parseFieldSelector('status.phase=Active', resourceInfo('configmaps')!), /field label not supported: status\.phase/);
});

const pod: KubeObject = {
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'web', namespace: 'default' },
  spec: { nodeName: 'node1' },
  status: { phase: 'Running' },
};

const fieldMatches: { name: string; selector: string; want: boolean }[] = [
  { name: 'a matching name selects the pod', selector: 'metadata.name=web', want: true },
  { name: 'another name does not', selector: 'metadata.name=db', want: false },
  { name: 'inequality on the phase excludes a running pod', selector: 'status.phase!=Running', want: false },
  { name: 'a missing podIP reads as empty', selector: 'status.podIP=', want: true },
  { name: 'spec.nodeName and namespace combine', selector: 'spec.nodeName=node1,metadata.namespace=default', want: true },
];

for (const c of fieldMatches) {
  test(`matchesFields: ${c.name}`, () => {
    assert.equal(matchesFields(pod, parseFieldSelector(c.selector, pods), pods), c.want);
  });
}
