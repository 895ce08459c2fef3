import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ImageRecord } from './metadata.js';
import { InvalidImageNameError } from './reference.js';
import { mergeImage, resolveImageRef } from './resolve.js';

function rec(hexChar: string, tags: string[], digests: string[] = []): ImageRecord {
  const id = `sha256:${hexChar.repeat(64)}`;
  return {
    id,
    repoTags: tags,
    repoDigests: digests,
    manifestDigest: `sha256:${'f'.repeat(64)}`,
    configDigest: id,
    layers: [],
    size: 0,
    createdAt: 0,
    config: { entrypoint: [], cmd: [], env: [], workingDir: '/', user: '', stopSignal: '', exposedPorts: [], labels: {} },
    blobs: [id],
  };
}

const M = `sha256:${'9'.repeat(64)}`;
const records = [
  rec('a', ['localhost/busybox:latest', 'docker.io/library/busybox:latest']),
  rec('b', ['docker.io/library/nginx:1.27'], [`docker.io/library/nginx@${M}`]),
  rec('c', []),
];
records[2]!.id = `sha256:ab${'c'.repeat(62)}`;

const cases: [string, string, string | undefined, string | undefined][] = [
  ['a short name resolves through docker.io normalisation', 'busybox', 'a', 'tag'],
  ['a localhost name resolves by its tag', 'localhost/busybox', 'a', 'tag'],
  ['a full id resolves', `sha256:${'b'.repeat(64)}`, 'b', 'id'],
  ['a bare 64-hex id resolves', 'b'.repeat(64), 'b', 'id'],
  ['a repo digest resolves', `nginx@${M}`, 'b', 'digest'],
  ['an unambiguous short id resolves', 'bbb', 'b', 'short-id'],
  ['an unknown tag resolves to nothing', 'nginx:1.0', undefined, undefined],
];
for (const [name, ref, wantHex, by] of cases) {
  test(`resolveImageRef: ${name}`, () => {
    const got = resolveImageRef(records, ref);
    assert.equal(got?.record.repoTags, wantHex === undefined ? undefined : records.find((r) => r.id.endsWith(wantHex))!.repoTags);
    assert.equal(got?.by, by);
  });
}

test('resolveImageRef rejects an ambiguous short id', () => {
  assert.throws(() => resolveImageRef([rec('a', []), { ...rec('a', []), id: `sha256:aaa${'0'.repeat(61)}` }], 'aaa'), /ambiguous/);
});

test('resolveImageRef throws InvalidImageNameError for a reference that is neither name nor id', () => {
  assert.throws(() => resolveImageRef(records, 'Not A Name'), InvalidImageNameError);
});

test('mergeImage moves a tag from its old image to the new one', () => {
  const changed = mergeImage(records, rec('d', ['docker.io/library/nginx:1.27']));
  assert.deepEqual(
    changed.map((r) => [r.id.slice(7, 8), r.repoTags]),
    [['b', []], ['d', ['docker.io/library/nginx:1.27']]],
  );
});

test('mergeImage unions the tags of a reloaded image', () => {
  const changed = mergeImage(records, rec('a', ['localhost/other:1']));
  assert.equal(changed.length, 1);
  assert.deepEqual(changed[0]!.repoTags, ['localhost/busybox:latest', 'docker.io/library/busybox:latest', 'localhost/other:1']);
});
