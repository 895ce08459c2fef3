import assert from 'node:assert/strict';
import { test } from 'node:test';
import { InvalidImageNameError, isIdPrefix, matchesIdPrefix, normalizeReference, parseReference, shortId } from './reference.js';

const HEX = 'a'.repeat(64);
const ID = `sha256:${'0123456789abcdef'.repeat(4)}`;

const valid: [string, string, string][] = [
  ['a bare name gets docker.io/library and latest', 'busybox', 'docker.io/library/busybox:latest'],
  ['a bare name keeps its tag', 'busybox:1.36', 'docker.io/library/busybox:1.36'],
  ['a docker.io user repo gets no library prefix', 'bitnami/nginx', 'docker.io/bitnami/nginx:latest'],
  ['localhost counts as a domain', 'localhost/busybox', 'localhost/busybox:latest'],
  ['a dotted host is a domain', 'quay.io/a/b:1.2', 'quay.io/a/b:1.2'],
  ['a host with a port is a domain and the port is not a tag', 'host:5000/a/b:tag', 'host:5000/a/b:tag'],
  ['a host with a port and no tag gets latest', 'host:5000/a/b', 'host:5000/a/b:latest'],
  ['a digest reference keeps the digest', `busybox@sha256:${HEX}`, `docker.io/library/busybox@sha256:${HEX}`],
  ['a tag next to a digest is dropped', `busybox:1@sha256:${HEX}`, `docker.io/library/busybox@sha256:${HEX}`],
  ['index.docker.io is docker.io', 'index.docker.io/library/nginx:1', 'docker.io/library/nginx:1'],
  ['docker.io/busybox gets library', 'docker.io/busybox', 'docker.io/library/busybox:latest'],
  ['separators in path components are allowed', 'reg.io/my_org/my-app.x__y:v1.0-rc_1', 'reg.io/my_org/my-app.x__y:v1.0-rc_1'],
];

for (const [name, input, want] of valid) {
  test(`normalizeReference: ${name}`, () => {
    assert.equal(normalizeReference(input), want);
  });
}

const invalid: [string, string][] = [
  ['an empty string is invalid', ''],
  ['uppercase repository names are invalid', 'BusyBox'],
  ['a trailing colon is invalid', 'busybox:'],
  ['a bad tag character is invalid', 'busybox:a+b'],
  ['a short digest is invalid', 'busybox@sha256:abc'],
  ['a 64-hex repository name is invalid', HEX],
  ['spaces are invalid', 'busy box'],
  ['a leading separator is invalid', '-busybox'],
  ['a double slash is invalid', 'a//b'],
  ['a tag longer than 128 characters is invalid', `busybox:${'t'.repeat(129)}`],
  ['a bad registry host is invalid', 'ho_st.io/a'],
];

for (const [name, input] of invalid) {
  test(`parseReference: ${name}`, () => {
    assert.throws(() => parseReference(input), (e: unknown) => e instanceof InvalidImageNameError && e.reason === 'InvalidImageName');
  });
}

test('parseReference splits domain, path, tag and digest', () => {
  assert.deepEqual(parseReference(`host:5000/a/b:t@sha256:${HEX}`), {
    domain: 'host:5000',
    path: 'a/b',
    name: 'host:5000/a/b',
    tag: 't',
    digest: `sha256:${HEX}`,
  });
});

const prefixes: [string, string, boolean][] = [
  ['a 3-char prefix matches', '012', true],
  ['a prefix with sha256: matches', 'sha256:0123456789ab', true],
  ['the full id matches', ID, true],
  ['2 chars are too short to be a short id', '01', false],
  ['a different prefix does not match', '0124', false],
  ['uppercase hex is not a short id', '0123ABC', false],
];

for (const [name, prefix, want] of prefixes) {
  test(`matchesIdPrefix: ${name}`, () => {
    assert.equal(matchesIdPrefix(ID, prefix), want);
  });
}

test('isIdPrefix rejects names that are not hex', () => {
  assert.equal(isIdPrefix('busybox'), false);
  assert.equal(isIdPrefix('abc'), true);
});

test('shortId gives 12 hex chars without the algorithm', () => {
  assert.equal(shortId(ID), '0123456789ab');
});
