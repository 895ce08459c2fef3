import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MediaType, manifestKind, ociRefNames, parseDockerManifest, parseLegacyRepositories, selectPlatform, type Descriptor } from './manifest.js';

const d = (n: number, platform?: Descriptor['platform']): Descriptor => ({
  mediaType: MediaType.ociManifest,
  digest: `sha256:${String(n).repeat(64).slice(0, 64)}`,
  size: 1,
  ...(platform ? { platform } : {}),
});

test('selectPlatform picks linux/amd64 from an index', () => {
  const list = [d(1, { os: 'linux', architecture: 'arm64' }), d(2, { os: 'linux', architecture: 'amd64' }), d(3)];
  assert.equal(selectPlatform(list)?.digest, list[1]!.digest);
});

test('selectPlatform finds nothing when no entry is linux/amd64', () => {
  assert.equal(selectPlatform([d(1, { os: 'windows', architecture: 'amd64' }), d(2)]), undefined);
});

const kinds: [string, unknown, string, string][] = [
  ['an OCI index by media type', {}, MediaType.ociIndex, 'index'],
  ['a docker list by media type', {}, MediaType.dockerList, 'index'],
  ['a docker v2 manifest by media type', {}, MediaType.dockerManifest, 'manifest'],
  ['an index without media type by its manifests field', { manifests: [] }, '', 'index'],
  ['a manifest without media type by config and layers', { config: {}, layers: [] }, '', 'manifest'],
];
for (const [name, doc, mt, want] of kinds) {
  test(`manifestKind recognises ${name}`, () => assert.equal(manifestKind(doc, mt, 'x'), want));
}

test('manifestKind rejects docker schema 1', () => {
  assert.throws(() => manifestKind({ schemaVersion: 1 }, '', 'x'), /schema 1/);
});

const names: [string, Record<string, string> | undefined, string[]][] = [
  ['containerd full names are used', { 'io.containerd.image.name': 'docker.io/library/busybox:1' }, ['docker.io/library/busybox:1']],
  ['a ref.name with a tag is a name', { 'org.opencontainers.image.ref.name': 'localhost/t:v1' }, ['localhost/t:v1']],
  ['a bare-tag ref.name is not a name', { 'org.opencontainers.image.ref.name': 'latest' }, []],
  ['an invalid name is dropped', { 'io.containerd.image.name': 'Bad Name' }, []],
  ['no annotations give no names', undefined, []],
];
for (const [name, ann, want] of names) {
  test(`ociRefNames: ${name}`, () => assert.deepEqual(ociRefNames(ann), want));
}

test('parseDockerManifest reads Config, RepoTags and Layers, null RepoTags as none', () => {
  const got = parseDockerManifest([{ Config: 'c.json', RepoTags: null, Layers: ['a/layer.tar'] }]);
  assert.deepEqual(got, [{ config: 'c.json', repoTags: [], layers: ['a/layer.tar'] }]);
});

test('parseDockerManifest rejects an entry without Layers', () => {
  assert.throws(() => parseDockerManifest([{ Config: 'c.json' }]), /needs Config and Layers/);
});

test('parseLegacyRepositories turns repo/tag pairs into names', () => {
  assert.deepEqual(parseLegacyRepositories({ busybox: { latest: 'abc', '1': 'def' } }), ['busybox:1', 'busybox:latest']);
});
