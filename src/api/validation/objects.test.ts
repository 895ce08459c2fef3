import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { FieldCause } from '../../errors.js';
import type { KubeObject } from '../../k8s/types.js';
import { validateCreate, validateUpdate } from './index.js';
import { DNS1123_LABEL_ERROR } from './names.js';
import { base64ErrorOffset } from './objects.js';

const lines = (causes: FieldCause[]): string[] => causes.map((c) => `${c.field}: ${c.message}`);
const cm = (extra: Record<string, unknown> = {}): KubeObject => ({
  apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cfg', namespace: 'default' }, data: { 'app.conf': 'x' }, ...extra,
});
const secret = (extra: Record<string, unknown> = {}): KubeObject => ({
  apiVersion: 'v1', kind: 'Secret', metadata: { name: 's', namespace: 'default' }, type: 'Opaque', data: { pw: 'aGk=' }, ...extra,
});

const creates: { name: string; resource: string; obj: KubeObject; want: string[] }[] = [
  { name: 'a plain configmap is valid', resource: 'configmaps', obj: cm(), want: [] },
  { name: 'a configmap key with a slash is invalid', resource: 'configmaps', obj: cm({ data: { 'a/b': 'x' } }), want: [
    `data[a/b]: Invalid value: "a/b": a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')`,
  ] },
  { name: 'a key in both data and binaryData is a duplicate', resource: 'configmaps', obj: cm({ binaryData: { 'app.conf': 'AA==' } }), want: [
    'data[app.conf]: Invalid value: "app.conf": duplicate of key present in binaryData',
  ] },
  { name: 'a configmap over 1 MiB is too long', resource: 'configmaps', obj: cm({ data: { a: 'x'.repeat(1024 * 1024 + 1) } }), want: [
    ': Too long: may not be more than 1048576 bytes',
  ] },
  { name: 'a configmap without a namespace needs one', resource: 'configmaps', obj: { ...cm(), metadata: { name: 'cfg' } }, want: ['metadata.namespace: Required value'] },
  { name: 'a secret with valid base64 is valid', resource: 'secrets', obj: secret(), want: [] },
  { name: 'a secret value that is not base64 is invalid', resource: 'secrets', obj: secret({ data: { pw: 'hi!!' } }), want: [
    'data[pw]: Invalid value: "<secret contents redacted>": illegal base64 data at input byte 2',
  ] },
  { name: 'a tls secret needs its keys', resource: 'secrets', obj: secret({ type: 'kubernetes.io/tls' }), want: ['data[tls.crt]: Required value', 'data[tls.key]: Required value'] },
  { name: 'a namespace name must be a DNS label', resource: 'namespaces', obj: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'a.b' } }, want: [
    'metadata.name: Invalid value: "a.b": must not contain dots',
  ] },
  { name: 'a namespace with an underscore is invalid', resource: 'namespaces', obj: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'My_ns' } }, want: [
    `metadata.name: Invalid value: "My_ns": ${DNS1123_LABEL_ERROR}`,
  ] },
  { name: 'a namespace may not carry a namespace', resource: 'namespaces', obj: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'x', namespace: 'y' } }, want: [
    'metadata.namespace: Forbidden: not allowed on this type',
  ] },
  { name: 'a node name may be a subdomain', resource: 'nodes', obj: { apiVersion: 'v1', kind: 'Node', metadata: { name: 'node-1.example.com' } }, want: [] },
  { name: 'an event with a foreign involved namespace is invalid', resource: 'events', obj: {
    apiVersion: 'v1', kind: 'Event', metadata: { name: 'e.1', namespace: 'a' }, involvedObject: { namespace: 'b' },
  }, want: ['involvedObject.namespace: Invalid value: "b": does not match event.namespace'] },
  { name: 'an unknown resource has no rules', resource: 'widgets', obj: cm({ metadata: {} }), want: [] },
];

for (const c of creates) {
  test(c.name, () => assert.deepEqual(lines(validateCreate(c.resource, c.obj)), c.want));
}

test('an immutable configmap may not change data or become mutable', () => {
  const old = cm({ immutable: true });
  assert.deepEqual(validateUpdate('configmaps', cm({ immutable: true }), old), []);
  assert.deepEqual(lines(validateUpdate('configmaps', cm({ immutable: true, data: { a: 'y' } }), old)), [
    'data: Forbidden: field is immutable when `immutable` is set',
  ]);
  assert.deepEqual(lines(validateUpdate('configmaps', cm(), old)), ['immutable: Forbidden: field is immutable when `immutable` is set']);
});

test('a secret type may not change', () => {
  assert.deepEqual(lines(validateUpdate('secrets', secret({ type: 'x/y' }), secret())), ['type: Invalid value: "x/y": field is immutable']);
});

test('base64 offsets match Go for bad characters, padding and length', () => {
  assert.equal(base64ErrorOffset('aGk='), -1);
  assert.equal(base64ErrorOffset(''), -1);
  assert.equal(base64ErrorOffset('a$bc'), 1);
  assert.equal(base64ErrorOffset('ab=c'), 2);
  assert.equal(base64ErrorOffset('abcde'), 4);
});
