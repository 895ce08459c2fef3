import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseChallenges, pullScope, tokenUrl } from './challenge.js';
import { choosePlatform, nodePlatform } from './platform.js';
import type { Descriptor } from '../manifest.js';

test('WWW-Authenticate: Docker Hub bearer, basic, several challenges and quoted escapes', () => {
  assert.deepEqual(parseChallenges('Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/nginx:pull"'), [
    { scheme: 'bearer', params: { realm: 'https://auth.docker.io/token', service: 'registry.docker.io', scope: 'repository:library/nginx:pull' } },
  ]);
  assert.deepEqual(parseChallenges('Basic realm="test"'), [{ scheme: 'basic', params: { realm: 'test' } }]);
  assert.deepEqual(parseChallenges(['Basic realm="a, b"', 'Bearer realm=x, error="insufficient_scope"']), [
    { scheme: 'basic', params: { realm: 'a, b' } },
    { scheme: 'bearer', params: { realm: 'x', error: 'insufficient_scope' } },
  ]);
  assert.deepEqual(parseChallenges('Basic realm="say \\"hi\\"", Bearer realm="r"'), [
    { scheme: 'basic', params: { realm: 'say "hi"' } },
    { scheme: 'bearer', params: { realm: 'r' } },
  ]);
  assert.deepEqual(parseChallenges(undefined), []);
});

test('the token URL carries the service and the challenge scope before ours, once each', () => {
  const [ch] = parseChallenges('Bearer realm="https://auth.example/token?x=1",service="reg",scope="repository:a/b:pull"');
  assert.equal(tokenUrl(ch!, pullScope('a/b')).toString(), 'https://auth.example/token?x=1&service=reg&scope=repository%3Aa%2Fb%3Apull');
  const [plain] = parseChallenges('Bearer realm="https://auth.example/token"');
  assert.equal(tokenUrl(plain!, pullScope('team/app')).searchParams.getAll('scope').join(), 'repository:team/app:pull');
  assert.throws(() => tokenUrl({ scheme: 'bearer', params: {} }, 'x'), /without a realm/);
});

const d = (platform: Descriptor['platform'], n: number): Descriptor => ({ mediaType: '', digest: `sha256:${String(n).repeat(64).slice(0, 64)}`, size: 1, ...(platform ? { platform } : {}) });

test('platform choice: amd64, arm64 with or without v8, arm falls back to older variants, attestations ignored', () => {
  assert.deepEqual(nodePlatform('x64'), { os: 'linux', architecture: 'amd64' });
  assert.deepEqual(nodePlatform('arm64'), { os: 'linux', architecture: 'arm64', variant: 'v8' });
  assert.deepEqual(nodePlatform('arm', '7'), { os: 'linux', architecture: 'arm', variant: 'v7' });
  const idx = [d({ os: 'linux', architecture: 'arm', variant: 'v6' }, 1), d({ os: 'linux', architecture: 'arm64' }, 2), d({ os: 'linux', architecture: 'amd64' }, 3), d({ os: 'unknown', architecture: 'unknown' }, 4)];
  assert.equal(choosePlatform(idx, nodePlatform('x64'))?.digest, idx[2]!.digest);
  assert.equal(choosePlatform(idx, nodePlatform('arm64'))?.digest, idx[1]!.digest);
  assert.equal(choosePlatform(idx, nodePlatform('arm', '7'))?.digest, idx[0]!.digest);
  assert.equal(choosePlatform(idx, { os: 'linux', architecture: 's390x' }), undefined);
  assert.equal(choosePlatform([d({ os: 'windows', architecture: 'amd64' }, 5)], nodePlatform('x64')), undefined);
  assert.equal(choosePlatform([d(undefined, 6)], nodePlatform('x64'))?.digest, d(undefined, 6).digest);
  assert.equal(choosePlatform([d({ os: 'linux', architecture: 'amd64', variant: 'v3' }, 7), d({ os: 'linux', architecture: 'amd64' }, 8)], nodePlatform('x64'))?.digest, d(undefined, 8).digest);
});
