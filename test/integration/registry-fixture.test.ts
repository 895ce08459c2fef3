// Self-test of the registry fixture (test/support/registry.ts, registry-proxy.ts): a real docker-registry
// on loopback with TLS and basic auth, images built by hand and pushed with skopeo, read back with plain
// node:https (manifests by tag with Accept headers, blobs by digest, digests checked), and the proxy's
// bearer-token flow and every fault mode. Leaves nothing behind: the registry process, its temp dir, the
// layouts, the proxy's listeners.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { after, before, test } from 'node:test';
import { gunzipSync } from 'node:zlib';
import { startProxy, type RegistryProxy } from '../support/registry-proxy.js';
import {
  buildBusyboxImage,
  buildImage,
  MANIFEST_ACCEPT,
  MEDIA_TYPES,
  rawRequest,
  sha256Digest,
  startRegistry,
  type BuiltImage,
  type BuiltLayer,
  type Registry,
} from '../support/registry.js';

const AUTH = { username: 'tester', password: 'p@ss:word' };

if (process.getuid?.() !== 0) {
  test('registry fixture (needs root)', { skip: 'needs root: run as root' }, () => {});
} else {
  suite();
}

function uncompress(layer: BuiltLayer, blob: Buffer): Buffer {
  if (layer.compression === 'gzip') return gunzipSync(blob);
  if (layer.compression === 'zstd') {
    const r = spawnSync('zstd', ['-d', '-c', '-q'], { input: blob, maxBuffer: 1 << 28 });
    assert.equal(r.status, 0, r.stderr.toString());
    return r.stdout;
  }
  return blob;
}

function tarMember(tar: Buffer, member: string): string {
  const r = spawnSync('tar', ['-xOf', '-', member], { input: tar, maxBuffer: 1 << 28 });
  assert.equal(r.status, 0, r.stderr.toString());
  return r.stdout.toString();
}

function tarList(tar: Buffer): string[] {
  const r = spawnSync('tar', ['-tvf', '-'], { input: tar, maxBuffer: 1 << 28 });
  assert.equal(r.status, 0, r.stderr.toString());
  return r.stdout.toString().trim().split('\n');
}

function suite(): void {
  let reg: Registry;
  let proxy: RegistryProxy;
  let work = '';
  let layout = '';
  let twoLayer: BuiltImage;
  const timings: Record<string, number> = {};
  const t0 = performance.now();

  const time = async <T>(name: string, fn: () => Promise<T>): Promise<T> => {
    const s = performance.now();
    const r = await fn();
    timings[name] = Math.round(performance.now() - s);
    return r;
  };
  const basic = () => ({ authorization: reg.basicAuth()! });
  const get = (p: string, headers: Record<string, string> = {}, base = reg.url) => rawRequest(`${base}${p}`, { ca: reg.caCertPem, headers });
  const getBlob = (repo: string, digest: string, headers: Record<string, string> = {}, base = reg.url) =>
    get(`/v2/${repo}/blobs/${digest}`, { ...basic(), ...headers }, base);

  before(async () => {
    work = await fs.mkdtemp(path.join(os.tmpdir(), 'peapod-registry-it-'));
    layout = path.join(work, 'layout');
    reg = await time('startRegistry', () => startRegistry({ auth: AUTH }));
    proxy = await startProxy({ registry: reg });
  });

  after(async () => {
    await proxy?.stop();
    await reg?.stop();
    if (reg) await assert.rejects(fs.stat(reg.dir), 'the registry temp dir is removed');
    if (reg) assert.throws(() => process.kill(reg.pid, 0), 'the registry process is gone');
    if (work) await fs.rm(work, { recursive: true, force: true });
    timings.total = Math.round(performance.now() - t0);
    console.log(`# registry fixture timings (ms): ${JSON.stringify(timings)}`);
  });

  test('TLS with the fixture CA; basic auth is required', async () => {
    const anon = await get('/v2/');
    assert.equal(anon.status, 401);
    assert.equal(anon.headers['www-authenticate'], 'Basic realm="test"');
    const wrong = await get('/v2/', { authorization: `Basic ${Buffer.from('tester:nope').toString('base64')}` });
    assert.equal(wrong.status, 401);
    assert.equal((await get('/v2/', basic())).status, 200);
    await assert.rejects(rawRequest(`${reg.url}/v2/`), /self-signed|unable to verify|certificate/i, 'not trusted without the CA');
    assert.deepEqual(await fs.readdir(reg.certDir), ['ca.crt'], 'certDir holds only ca.crt');
    const certsD = path.join(work, 'certs.d');
    const f = await reg.writeCertsD(certsD);
    assert.equal(f, path.join(certsD, reg.host, 'ca.crt'));
    assert.equal(await fs.readFile(f, 'utf8'), reg.caCertPem);
    assert.equal(reg.ref('a/b:c'), `${reg.host}/a/b:c`);
  });

  test('a 2-layer OCI image (gzip + zstd) pushed and read back by tag and digest', async () => {
    twoLayer = await time('build2layer', () =>
      buildImage({
        layout,
        tag: 'two',
        config: { cmd: ['/bin/tool'], env: ['A=1'] },
        layers: [
          { files: [{ path: 'hello.txt', content: 'hello\n' }, { path: 'data/blob.bin', randomBytes: 300_000 }], compression: 'gzip' },
          {
            files: [
              { path: '/bin/tool', randomBytes: 1000, mode: 0o755 },
              { path: 'etc/motd', content: 'motd\n' },
              { path: 'etc/link', type: 'symlink', target: 'motd' },
              { path: 'var/empty', type: 'dir', mode: 0o700 },
            ],
            compression: 'zstd',
          },
        ],
      }),
    );
    const m = twoLayer.manifests[0]!;
    assert.equal(twoLayer.isIndex, false);
    assert.equal(twoLayer.digest, m.digest);
    assert.deepEqual(m.layers.map((l) => l.mediaType), [MEDIA_TYPES.ociLayerGzip, MEDIA_TYPES.ociLayerZstd]);
    const digest = await time('push2layer', () => reg.push(twoLayer, 'it/two:v1'));
    assert.equal(digest, twoLayer.digest, 'skopeo --preserve-digests keeps the built manifest');

    const byTag = await get('/v2/it/two/manifests/v1', { ...basic(), accept: MANIFEST_ACCEPT });
    assert.equal(byTag.status, 200);
    assert.equal(byTag.headers['content-type'], MEDIA_TYPES.ociManifest);
    assert.equal(byTag.headers['docker-content-digest'], digest);
    assert.equal(sha256Digest(byTag.body), digest);
    assert.deepEqual(byTag.body, twoLayer.bytes);
    const noOci = await get('/v2/it/two/manifests/v1', { ...basic(), accept: MEDIA_TYPES.dockerManifest });
    assert.equal(noOci.status, 404, 'distribution 2.8 hides an OCI manifest from a client that does not accept it');
    const byDigest = await get(`/v2/it/two/manifests/${digest}`, { ...basic(), accept: MANIFEST_ACCEPT });
    assert.equal(sha256Digest(byDigest.body), digest);

    const manifest = JSON.parse(byTag.body.toString()) as { config: { digest: string }; layers: { digest: string; size: number }[] };
    const cfgBlob = await getBlob('it/two', manifest.config.digest);
    assert.equal(sha256Digest(cfgBlob.body), m.config.digest);
    const cfg = JSON.parse(cfgBlob.body.toString()) as { os: string; architecture: string; config: { Cmd: string[]; Env: string[] }; rootfs: { diff_ids: string[] }; history: unknown[] };
    assert.deepEqual(cfg.config.Cmd, ['/bin/tool']);
    assert.deepEqual(cfg.rootfs.diff_ids, m.layers.map((l) => l.diffId));
    assert.equal(cfg.history.length, 2);
    assert.equal(cfg.os, 'linux');
    for (const [i, l] of m.layers.entries()) {
      const b = await getBlob('it/two', manifest.layers[i]!.digest);
      assert.equal(b.status, 200);
      assert.equal(b.body.length, l.size);
      assert.equal(sha256Digest(b.body), l.digest);
      const tar = uncompress(l, b.body);
      assert.equal(sha256Digest(tar), l.diffId);
      assert.equal(tar.length, l.uncompressedSize);
    }
    const tar1 = uncompress(m.layers[1]!, (await getBlob('it/two', m.layers[1]!.digest)).body);
    const listing = tarList(tar1).join('\n');
    assert.match(listing, /^-rwxr-xr-x 0\/0 +1000 1970-01-01 00:00 bin\/tool$/m);
    assert.match(listing, /^lrwxrwxrwx 0\/0 .* etc\/link -> motd$/m);
    assert.match(listing, /^drwx------ 0\/0 .* var\/empty\/$/m);
    assert.doesNotMatch(listing, /\.\//, 'no "./" members');
    const range = await getBlob('it/two', m.layers[0]!.digest, { range: 'bytes=100-' });
    assert.equal(range.status, 206, 'the registry serves Range requests');
    assert.equal(range.body.length, m.layers[0]!.size - 100);

    const again = await buildImage({ layout: path.join(work, 'layout-again'), tag: 'two', config: { cmd: ['/bin/tool'], env: ['A=1'] }, layers: [
      { files: [{ path: 'hello.txt', content: 'hello\n' }, { path: 'data/blob.bin', randomBytes: 300_000 }], compression: 'gzip' },
      { files: [{ path: '/bin/tool', randomBytes: 1000, mode: 0o755 }, { path: 'etc/motd', content: 'motd\n' }, { path: 'etc/link', type: 'symlink', target: 'motd' }, { path: 'var/empty', type: 'dir', mode: 0o700 }], compression: 'zstd' },
    ] });
    assert.equal(again.digest, twoLayer.digest, 'builds are deterministic');
  });

  test('a 2-platform OCI index and a Docker manifest list, pushed with --all', async () => {
    const shared = { files: [{ path: 'shared.txt', content: 'same on every platform\n' }] };
    const oci = await time('buildIndex', () => buildImage({ layout, tag: 'multi', index: ['linux/amd64', 'linux/arm64/v8'], layers: [shared] }));
    assert.equal(oci.isIndex, true);
    assert.equal(oci.mediaType, MEDIA_TYPES.ociIndex);
    assert.equal(await time('pushIndex', () => reg.push(oci, 'it/multi:v1')), oci.digest);
    const idx = await get('/v2/it/multi/manifests/v1', { ...basic(), accept: MANIFEST_ACCEPT });
    assert.equal(idx.headers['content-type'], MEDIA_TYPES.ociIndex);
    assert.equal(sha256Digest(idx.body), oci.digest);
    const parsed = JSON.parse(idx.body.toString()) as { manifests: { digest: string; platform: { os: string; architecture: string; variant?: string } }[] };
    assert.deepEqual(parsed.manifests.map((e) => e.platform), [{ architecture: 'amd64', os: 'linux' }, { architecture: 'arm64', os: 'linux', variant: 'v8' }]);
    for (const [i, e] of parsed.manifests.entries()) {
      const built = oci.manifests[i]!;
      const mm = await get(`/v2/it/multi/manifests/${e.digest}`, { ...basic(), accept: MANIFEST_ACCEPT });
      assert.equal(mm.status, 200);
      assert.equal(sha256Digest(mm.body), built.digest);
      assert.equal(built.layers.length, 2);
      assert.equal(built.layers[0]!.digest, oci.manifests[0]!.layers[0]!.digest, 'the shared layer is one blob');
      const top = built.layers[1]!;
      const b = await getBlob('it/multi', top.digest);
      assert.equal(sha256Digest(b.body), top.digest);
      assert.equal(tarMember(uncompress(top, b.body), 'platform.txt'), ['linux/amd64\n', 'linux/arm64/v8\n'][i]);
    }

    const docker = await buildImage({ layout, tag: 'dmulti', format: 'docker', index: ['linux/amd64', 'linux/arm/v7'], layers: [{ ...shared, compression: 'none' }] });
    assert.equal(docker.mediaType, MEDIA_TYPES.dockerManifestList);
    assert.equal(await time('pushDockerList', () => reg.push(docker, 'it/dmulti:v1')), docker.digest);
    const list = await get('/v2/it/dmulti/manifests/v1', { ...basic(), accept: MANIFEST_ACCEPT });
    assert.equal(list.headers['content-type'], MEDIA_TYPES.dockerManifestList);
    assert.equal(sha256Digest(list.body), docker.digest);
    const arm = docker.manifests[1]!;
    const armM = await get(`/v2/it/dmulti/manifests/${arm.digest}`, { ...basic(), accept: MANIFEST_ACCEPT });
    assert.equal(armM.headers['content-type'], MEDIA_TYPES.dockerManifest);
    const armJson = JSON.parse(armM.body.toString()) as { config: { mediaType: string }; layers: { mediaType: string }[] };
    assert.equal(armJson.config.mediaType, MEDIA_TYPES.dockerConfig);
    assert.deepEqual(armJson.layers.map((l) => l.mediaType), [MEDIA_TYPES.dockerLayer, MEDIA_TYPES.dockerLayerGzip]);
    const armCfg = JSON.parse((await getBlob('it/dmulti', arm.config.digest)).body.toString()) as { architecture: string; variant: string };
    assert.deepEqual([armCfg.architecture, armCfg.variant], ['arm', 'v7']);

    const single = await buildImage({ layout, tag: 'dsingle', format: 'docker', layers: [shared] });
    assert.equal(await reg.push(single, 'it/dsingle:v1'), single.digest);
    assert.equal((await reg.readManifest('it/dsingle:v1')).mediaType, MEDIA_TYPES.dockerManifest);
  });

  test('a runnable busybox image with an extra layer', async () => {
    const img = await time('buildBusybox', () =>
      buildBusyboxImage({ layout, tag: 'busybox', extraLayers: [{ files: [{ path: 'srv/index.html', content: 'hi\n' }] }] }),
    );
    const digest = await time('pushBusybox', () => reg.push(img, 'it/busybox:v1'));
    assert.equal(digest, img.digest);
    const m = img.manifests[0]!;
    assert.equal(m.layers.length, 2);
    assert.deepEqual((JSON.parse(m.config.bytes.toString()) as { config: { Cmd: string[] } }).config.Cmd, ['sh']);
    const base = uncompress(m.layers[0]!, (await getBlob('it/busybox', m.layers[0]!.digest)).body);
    const listing = tarList(base).join('\n');
    assert.match(listing, /^-rwxr-xr-x 0\/0 .* bin\/busybox$/m);
    assert.match(listing, /^lrwxrwxrwx 0\/0 .* bin\/sh -> \/bin\/busybox$/m);
    assert.match(listing, /^drwxrwxrwt 0\/0 .* tmp\/$/m);
    // Runnable: the layers unpacked in order, then a shell in a chroot.
    const rootfs = path.join(work, 'busybox-rootfs');
    await fs.mkdir(rootfs);
    for (const l of m.layers) {
      const r = spawnSync('tar', ['-xf', '-', '-C', rootfs], { input: uncompress(l, (await getBlob('it/busybox', l.digest)).body) });
      assert.equal(r.status, 0, r.stderr.toString());
    }
    const sh = spawnSync('chroot', [rootfs, '/bin/sh', '-c', 'cat /srv/index.html; ls /usr/bin/env'], { env: { PATH: '/usr/sbin:/usr/bin:/sbin:/bin' } });
    assert.equal(sh.stderr.toString(), '');
    assert.equal(sh.stdout.toString(), 'hi\n/usr/bin/env\n');
  });

  test('corruptBlob keeps the length and breaks the digest', async () => {
    const img = await buildImage({ layout, tag: 'corrupt', layers: [{ files: [{ path: 'victim.bin', randomBytes: 4096, seed: 'corrupt-me' }] }] });
    await reg.push(img, 'it/corrupt:v1');
    const l = img.manifests[0]!.layers[0]!;
    await reg.corruptBlob(l.digest);
    const b = await getBlob('it/corrupt', l.digest);
    assert.equal(b.status, 200);
    assert.equal(b.body.length, l.size);
    assert.notEqual(sha256Digest(b.body), l.digest);
    assert.equal((await fs.stat(reg.blobPath(l.digest))).size, l.size);
  });

  test('proxy pass: forwards with the client credentials and rewrites Location', async () => {
    proxy.setMode({ kind: 'pass' });
    proxy.resetStats();
    assert.equal((await get('/v2/', {}, proxy.url)).status, 401);
    const m = await get('/v2/it/two/manifests/v1', { ...basic(), accept: MANIFEST_ACCEPT }, proxy.url);
    assert.equal(sha256Digest(m.body), twoLayer.digest);
    const up = await rawRequest(`${proxy.url}/v2/it/upload/blobs/uploads/`, { ca: reg.caCertPem, method: 'POST', headers: basic() });
    assert.equal(up.status, 202);
    assert.ok(String(up.headers.location).startsWith(`${proxy.url}/v2/it/upload/blobs/uploads/`), String(up.headers.location));
    assert.equal(proxy.count('/v2/it/two/manifests/v1'), 1);
    assert.equal(proxy.requests.find((r) => r.path === '/v2/it/two/manifests/v1')?.authorization, 'basic');
  });

  test('proxy bearer: challenge, token endpoint, scoped tokens', async () => {
    proxy.setMode({ kind: 'bearer' });
    proxy.resetStats();
    const base = await get('/v2/', {}, proxy.url);
    assert.equal(base.status, 401);
    assert.equal(base.headers['www-authenticate'], `Bearer realm="${proxy.url}/token",service="test-registry"`);
    const ch = await get('/v2/it/two/manifests/v1', { accept: MANIFEST_ACCEPT }, proxy.url);
    assert.equal(ch.status, 401);
    const wa = String(ch.headers['www-authenticate']);
    assert.equal(wa, `Bearer realm="${proxy.url}/token",service="test-registry",scope="repository:it/two:pull"`);
    const realm = /realm="([^"]+)"/.exec(wa)![1]!;
    const tokenUrl = `${realm}?service=test-registry&scope=${encodeURIComponent('repository:it/two:pull')}`;
    assert.equal((await rawRequest(tokenUrl, { ca: reg.caCertPem })).status, 401, 'no anonymous tokens');
    assert.equal((await rawRequest(tokenUrl, { ca: reg.caCertPem, headers: { authorization: `Basic ${Buffer.from('tester:bad').toString('base64')}` } })).status, 401);
    const tr = await rawRequest(tokenUrl, { ca: reg.caCertPem, headers: basic() });
    assert.equal(tr.status, 200);
    const tok = JSON.parse(tr.body.toString()) as { token: string; access_token: string; expires_in: number };
    assert.equal(tok.token, tok.access_token);
    assert.equal(tok.expires_in, 300);
    const bearer = { authorization: `Bearer ${tok.token}` };
    const m = await get('/v2/it/two/manifests/v1', { ...bearer, accept: MANIFEST_ACCEPT }, proxy.url);
    assert.equal(m.status, 200, 'the proxy authenticates to the registry itself');
    assert.equal(sha256Digest(m.body), twoLayer.digest);
    const blob = await get(`/v2/it/two/blobs/${twoLayer.manifests[0]!.layers[0]!.digest}`, bearer, proxy.url);
    assert.equal(sha256Digest(blob.body), twoLayer.manifests[0]!.layers[0]!.digest);
    const other = await get('/v2/it/multi/manifests/v1', { ...bearer, accept: MANIFEST_ACCEPT }, proxy.url);
    assert.equal(other.status, 401, 'a token for it/two does not open it/multi');
    assert.match(String(other.headers['www-authenticate']), /scope="repository:it\/multi:pull",error="insufficient_scope"/);
    assert.equal((await get('/v2/it/two/manifests/v1', { ...basic(), accept: MANIFEST_ACCEPT }, proxy.url)).status, 401, 'basic is not enough');
    assert.deepEqual(proxy.tokenRequests.map((r) => [r.scopes, r.granted, r.user]), [
      [['repository:it/two:pull'], false, undefined],
      [['repository:it/two:pull'], false, 'tester'],
      [['repository:it/two:pull'], true, 'tester'],
    ]);
    const post = await rawRequest(realm, {
      ca: reg.caCertPem,
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'password', username: AUTH.username, password: AUTH.password, service: 'test-registry', scope: 'repository:it/multi:pull repository:it/two:pull' }).toString(),
    });
    assert.equal(post.status, 200, 'OAuth2 password grant');
    const both = `Bearer ${(JSON.parse(post.body.toString()) as { access_token: string }).access_token}`;
    assert.equal((await get('/v2/it/multi/manifests/v1', { authorization: both, accept: MANIFEST_ACCEPT }, proxy.url)).status, 200);

    proxy.expireTokens();
    const expired = await get('/v2/it/multi/manifests/v1', { authorization: both, accept: MANIFEST_ACCEPT }, proxy.url);
    assert.equal(expired.status, 401);
    assert.match(String(expired.headers['www-authenticate']), /error="invalid_token"/);

    proxy.setMode({ kind: 'bearer', anonymous: true });
    const anon = await rawRequest(`${realm}?service=test-registry&scope=repository:it/busybox:pull`, { ca: reg.caCertPem });
    assert.equal(anon.status, 200, 'anonymous tokens when allowed');
    const at = (JSON.parse(anon.body.toString()) as { token: string }).token;
    assert.equal((await get('/v2/it/busybox/manifests/v1', { authorization: `Bearer ${at}`, accept: MANIFEST_ACCEPT }, proxy.url)).status, 200);
  });

  test('proxy drop-mid-blob: half a body then a dead socket, once; Range resumes', async () => {
    const l = twoLayer.manifests[0]!.layers[0]!;
    proxy.setMode({ kind: 'drop-mid-blob', times: 1 });
    proxy.resetStats();
    const p = `${proxy.url}/v2/it/two/blobs/${l.digest}`;
    const cut = await rawRequest(p, { ca: reg.caCertPem, headers: basic(), partial: true });
    assert.equal(cut.status, 200);
    assert.equal(cut.incomplete, true);
    assert.equal(Number(cut.headers['content-length']), l.size);
    assert.equal(cut.body.length, Math.floor(l.size / 2));
    const rest = await rawRequest(p, { ca: reg.caCertPem, headers: { ...basic(), range: `bytes=${cut.body.length}-` } });
    assert.equal(rest.status, 206);
    assert.equal(sha256Digest(Buffer.concat([cut.body, rest.body])), l.digest);
    const full = await rawRequest(p, { ca: reg.caCertPem, headers: basic() });
    assert.equal(sha256Digest(full.body), l.digest);
    assert.equal(proxy.blobGets(l.digest), 3);
    assert.deepEqual(proxy.ranges(l.digest), [undefined, `bytes=${cut.body.length}-`, undefined]);
    assert.equal(proxy.faults, 1);
  });

  test('proxy status: 503 with Retry-After twice on manifests, then 429, then pass', async () => {
    proxy.setMode({ kind: 'status', status: 503, times: 2, path: /\/manifests\//, retryAfter: 1 });
    proxy.resetStats();
    const p = '/v2/it/two/manifests/v1';
    const h = { ...basic(), accept: MANIFEST_ACCEPT };
    assert.equal((await get('/v2/', basic(), proxy.url)).status, 200, 'other paths pass');
    for (let i = 0; i < 2; i++) {
      const r = await get(p, h, proxy.url);
      assert.equal(r.status, 503);
      assert.equal(r.headers['retry-after'], '1');
    }
    assert.equal((await get(p, h, proxy.url)).status, 200);
    proxy.setMode({ kind: 'status', status: 429 });
    const r = await get(p, h, proxy.url);
    assert.equal(r.status, 429);
    assert.equal(r.headers['retry-after'], undefined);
    assert.equal((await get(p, h, proxy.url)).status, 200);
    assert.deepEqual(proxy.requests.filter((x) => x.path === p).map((x) => x.status), [503, 503, 200, 429, 200]);
  });

  test('proxy stall: part of the body, then silence until the client gives up', async () => {
    const l = twoLayer.manifests[0]!.layers[0]!;
    proxy.setMode({ kind: 'stall', fraction: 0.25 });
    proxy.resetStats();
    const p = `${proxy.url}/v2/it/two/blobs/${l.digest}`;
    const stalled = await rawRequest(p, { ca: reg.caCertPem, headers: basic(), partial: true, timeoutMs: 400 });
    assert.equal(stalled.incomplete, true);
    assert.match(String(stalled.error?.message), /timeout/);
    assert.equal(stalled.body.length, Math.floor(l.size / 4));
    const full = await rawRequest(p, { ca: reg.caCertPem, headers: basic(), timeoutMs: 2000 });
    assert.equal(sha256Digest(full.body), l.digest);
    assert.equal(proxy.blobGets(l.digest), 2);
  });

  test('proxy redirect-blobs: 307 to a blob store that refuses credentials', async () => {
    const l = twoLayer.manifests[0]!.layers[1]!;
    proxy.setMode({ kind: 'redirect-blobs', bearer: true });
    proxy.resetStats();
    const tr = await rawRequest(`${proxy.url}/token?service=test-registry&scope=repository:it/two:pull`, { ca: reg.caCertPem, headers: basic() });
    const bearer = { authorization: `Bearer ${(JSON.parse(tr.body.toString()) as { token: string }).token}` };
    const r = await get(`/v2/it/two/blobs/${l.digest}`, bearer, proxy.url);
    assert.equal(r.status, 307);
    const loc = String(r.headers.location);
    assert.ok(loc.startsWith(`${proxy.blobStoreUrl}/`), loc);
    const leaked = await rawRequest(loc, { ca: reg.caCertPem, headers: bearer });
    assert.equal(leaked.status, 400, 'the blob store refuses a forwarded Authorization');
    assert.equal(proxy.blobStoreRefusals, 1);
    const ok = await rawRequest(loc, { ca: reg.caCertPem });
    assert.equal(ok.status, 200);
    assert.equal(sha256Digest(ok.body), l.digest);
    const part = await rawRequest(loc, { ca: reg.caCertPem, headers: { range: 'bytes=0-9' } });
    assert.equal(part.status, 206);
    assert.equal(part.body.length, 10);
    assert.equal((await rawRequest(loc.replace(/Signature=[0-9a-f]+/, 'Signature=00'), { ca: reg.caCertPem })).status, 403);
    const m = await get('/v2/it/two/manifests/v1', { ...bearer, accept: MANIFEST_ACCEPT }, proxy.url);
    assert.equal(m.status, 200, 'manifests are not redirected');
    assert.equal(proxy.count(/^\/blobs\//, { server: 'blob-store' }), 4);
    assert.deepEqual(proxy.ranges(l.digest), [undefined, undefined, undefined, 'bytes=0-9', undefined]);
    proxy.setMode({ kind: 'pass' });
  });

  test('a registry without auth, behind a bearer proxy with anonymous tokens', async () => {
    const open = await time('startRegistryNoAuth', () => startRegistry());
    const p2 = await startProxy({ registry: open, mode: { kind: 'bearer' } });
    try {
      assert.equal(open.credentials, undefined);
      assert.equal((await rawRequest(`${open.url}/v2/`, { ca: open.caCertPem })).status, 200);
      const digest = await open.push(twoLayer, 'anon/two:v1');
      assert.equal(digest, twoLayer.digest);
      const ch = await rawRequest(`${p2.url}/v2/anon/two/manifests/v1`, { ca: open.caCertPem, headers: { accept: MANIFEST_ACCEPT } });
      assert.equal(ch.status, 401);
      const tr = await rawRequest(`${p2.url}/token?service=test-registry&scope=repository:anon/two:pull`, { ca: open.caCertPem });
      assert.equal(tr.status, 200);
      const token = (JSON.parse(tr.body.toString()) as { token: string }).token;
      const m = await rawRequest(`${p2.url}/v2/anon/two/manifests/v1`, { ca: open.caCertPem, headers: { accept: MANIFEST_ACCEPT, authorization: `Bearer ${token}` } });
      assert.equal(sha256Digest(m.body), digest);
    } finally {
      await p2.stop();
      await open.stop();
    }
  });
}
