// The puller against a small in-process registry on loopback (plain HTTP, which the policy allows for
// 127.0.0.1 after HTTPS fails): manifests and indexes, auth challenges, faults and retries, shared
// downloads, and what ends up in the store. The real docker-registry is exercised by the integration and
// e2e tests; this one makes every fault happen on demand.

import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before, beforeEach, test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { nodePaths } from '../../node/paths.js';
import { FakeClock } from '../../system/clock.js';
import { HostExec } from '../../system/exec.js';
import { silentLogger } from '../../system/logger.js';
import { LocalImageService } from '../local-image-service.js';
import { chainIds } from '../chain-id.js';
import type { LayerLimits } from '../unpack.js';
import { MediaType } from '../manifest.js';
import { imageConfig, tarLayer, type FixtureLayer } from '../test-archives.js';
import type { PullEvent } from './types.js';

const exec = new HostExec();
const sha = (b: Buffer | string) => `sha256:${createHash('sha256').update(b).digest('hex')}`;

interface Blob {
  bytes: Buffer;
  digest: string;
}
const blob = (bytes: Buffer): Blob => ({ bytes, digest: sha(bytes) });

/** A registry that serves what `repos` holds and misbehaves as `faults` says. */
class FakeRegistry {
  readonly manifests = new Map<string, { bytes: Buffer; mediaType: string }>(); // "repo:ref" → manifest
  readonly blobs = new Map<string, Buffer>();
  requests: { method: string; url: string; auth?: string; range?: string }[] = [];
  auth: { kind: 'none' } | { kind: 'basic'; user: string; pass: string } | { kind: 'bearer'; user?: string; pass?: string } = { kind: 'none' };
  faults = { status: [] as { path: RegExp; status: number; retryAfter?: string; times: number }[], dropBlob: new Set<string>(), fullThenReset: new Set<string>(), stallBlob: 0, redirectBlobs: false, storage401: false, corrupt: new Set<string>() };
  server!: http.Server;
  storage!: http.Server;
  host = '';
  storageHost = '';
  private tokens = new Set<string>();

  async start(): Promise<void> {
    this.server = http.createServer((req, res) => this.handle(req, res));
    this.storage = http.createServer((req, res) => {
      if (this.faults.storage401) {
        res.writeHead(401, { 'WWW-Authenticate': `Bearer realm="http://${this.host}/token",service="storage"` }).end();
        return;
      }
      // S3-like: refuses credentials it did not issue.
      if (req.headers.authorization) {
        res.writeHead(400).end('Authorization header not allowed here');
        return;
      }
      const b = this.blobs.get(decodeURIComponent(req.url!.slice(1)));
      if (!b) return res.writeHead(404).end();
      res.writeHead(200, { 'Content-Length': b.length }).end(b);
    });
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    await new Promise<void>((r) => this.storage.listen(0, '127.0.0.1', r));
    this.host = `127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    this.storageHost = `127.0.0.1:${(this.storage.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    this.storage.closeAllConnections();
    await new Promise((r) => this.server.close(r));
    await new Promise((r) => this.storage.close(r));
  }

  put(repo: string, ref: string, bytes: Buffer, mediaType: string): string {
    const digest = sha(bytes);
    this.manifests.set(`${repo}:${ref}`, { bytes, mediaType });
    this.manifests.set(`${repo}:${digest}`, { bytes, mediaType });
    return digest;
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    const url = new URL(req.url!, `http://${this.host}`);
    this.requests.push({ method: req.method!, url: url.pathname, ...(req.headers.authorization ? { auth: req.headers.authorization } : {}), ...(req.headers.range ? { range: req.headers.range } : {}) });
    if (url.pathname === '/token') {
      const a = this.auth;
      if (a.kind !== 'bearer') return void res.writeHead(404).end();
      if (a.user) {
        const want = `Basic ${Buffer.from(`${a.user}:${a.pass}`).toString('base64')}`;
        if (req.headers.authorization !== want) return void res.writeHead(401).end('{"details":"incorrect username or password"}');
      }
      const tok = `tok-${this.tokens.size}-${url.searchParams.getAll('scope').join(',')}`;
      this.tokens.add(tok);
      return void res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ token: tok }));
    }
    const f = this.faults.status.find((x) => x.times > 0 && x.path.test(url.pathname));
    if (f) {
      f.times--;
      return void res.writeHead(f.status, f.retryAfter ? { 'Retry-After': f.retryAfter } : {}).end('{"errors":[{"code":"UNAVAILABLE","message":"try later"}]}');
    }
    if (this.auth.kind !== 'none' && !this.check(req, res, url)) return;
    const m = /^\/v2\/(.+)\/(manifests|blobs)\/([^/]+)$/.exec(url.pathname);
    if (!m) return void res.writeHead(url.pathname === '/v2/' ? 200 : 404).end('{}');
    const [, repo, what, ref] = m as unknown as [string, string, string, string];
    if (what === 'manifests') {
      const man = this.manifests.get(`${repo}:${ref}`);
      if (!man) return void res.writeHead(404, { 'Content-Type': 'application/json' }).end('{"errors":[{"code":"MANIFEST_UNKNOWN","message":"manifest unknown"}]}');
      return void res.writeHead(200, { 'Content-Type': man.mediaType, 'Docker-Content-Digest': sha(man.bytes) }).end(man.bytes);
    }
    let b = this.blobs.get(ref);
    if (!b) return void res.writeHead(404).end('{"errors":[{"code":"BLOB_UNKNOWN","message":"blob unknown to registry"}]}');
    if (this.faults.corrupt.has(ref)) b = Buffer.from(b.map((x) => x ^ 1));
    if (this.faults.redirectBlobs) return void res.writeHead(307, { Location: `http://${this.storageHost}/${encodeURIComponent(ref)}` }).end();
    const range = /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
    const start = range ? Number(range[1]) : 0;
    const body = b.subarray(start);
    const headers: http.OutgoingHttpHeaders = { 'Content-Type': 'application/octet-stream' };
    if (!this.faults.fullThenReset.has(ref)) headers['Content-Length'] = body.length;
    if (range) headers['Content-Range'] = `bytes ${start}-${b.length - 1}/${b.length}`;
    res.writeHead(range ? 206 : 200, headers);
    if (this.faults.fullThenReset.delete(ref)) {
      // Every byte, chunked, then the connection breaks before the last chunk.
      res.write(body, () => setTimeout(() => res.destroy(), 20));
      return;
    }
    if (this.faults.dropBlob.delete(ref)) {
      res.write(body.subarray(0, Math.floor(body.length / 2)), () => res.destroy());
      return;
    }
    if (this.faults.stallBlob > 0) {
      this.faults.stallBlob--;
      res.write(body.subarray(0, Math.floor(body.length / 2)));
      return; // never ends; the client's stall timer must notice
    }
    res.end(body);
  }

  private check(req: http.IncomingMessage, res: http.ServerResponse, url: URL): boolean {
    const a = this.auth;
    const h = req.headers.authorization ?? '';
    if (a.kind === 'basic') {
      if (h === `Basic ${Buffer.from(`${a.user}:${a.pass}`).toString('base64')}`) return true;
      res.writeHead(401, { 'WWW-Authenticate': 'Basic realm="test"', 'Content-Type': 'application/json' }).end('{"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]}');
      return false;
    }
    const repo = /^\/v2\/(.+)\/(?:manifests|blobs)\//.exec(url.pathname)?.[1] ?? '';
    const tok = h.startsWith('Bearer ') ? h.slice(7) : '';
    if (this.tokens.has(tok) && tok.includes(`repository:${repo}:pull`)) return true;
    res
      .writeHead(401, { 'WWW-Authenticate': `Bearer realm="http://${this.host}/token",service="fake",scope="repository:${repo}:pull"` })
      .end('{"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]}');
    return false;
  }
}

/** Polls `check` for up to 2 s (cleanup after a failure finishes on its own, just after the rejection). */
async function until(check: () => Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < 40; i++) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  assert.fail(`timed out: ${what}`);
}

let tmp: string;
let layers: FixtureLayer[];
let reg: FakeRegistry;
let n = 0;

/** An image of the given layers (gzip), its manifest stored under repo:tag. */
function pushImage(repo: string, tag: string, ls: FixtureLayer[], opts: { docker?: boolean; cmd?: string[] } = {}) {
  const cfg = blob(imageConfig(ls, opts.cmd));
  reg.blobs.set(cfg.digest, cfg.bytes);
  const lbs = ls.map((l) => blob(gzipSync(l.tar)));
  for (const l of lbs) reg.blobs.set(l.digest, l.bytes);
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: opts.docker ? MediaType.dockerManifest : MediaType.ociManifest,
      config: { mediaType: opts.docker ? MediaType.dockerConfig : MediaType.ociConfig, digest: cfg.digest, size: cfg.bytes.length },
      layers: lbs.map((l) => ({ mediaType: opts.docker ? MediaType.dockerLayerGzip : MediaType.ociLayerGzip, digest: l.digest, size: l.bytes.length })),
    }),
  );
  const digest = reg.put(repo, tag, manifest, opts.docker ? MediaType.dockerManifest : MediaType.ociManifest);
  return { digest, manifest, config: cfg, layerBlobs: lbs };
}

async function service(limits?: LayerLimits): Promise<LocalImageService> {
  const svc = new LocalImageService({
    ...(limits ? { limits } : {}),
    paths: nodePaths(path.join(tmp, `svc-${n++}`)),
    exec,
    logger: silentLogger(),
    clock: new FakeClock(),
    registry: {
      policy: { tlsFor: async () => ({}), plainHttpAllowed: (h) => h.startsWith('127.0.0.1:') },
      retry: { attempts: 4, baseDelayMs: 1, maxDelayMs: 5 },
      stallMs: 300,
    },
  });
  await svc.init();
  return svc;
}

before(async () => {
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'peapod-pull-unit-'));
  layers = [];
  for (const [i, content] of ['base', 'middle', 'top'].entries()) {
    const d = path.join(tmp, `layer-${i}`);
    await fs.mkdir(path.join(d, 'etc'), { recursive: true });
    await fs.writeFile(path.join(d, 'etc', content), `${content}\n`.repeat(2000 * (i + 1)));
    await fs.writeFile(path.join(d, 'etc', `${content}.bin`), randomBytes(20_000 * (i + 1)));
    layers.push(await tarLayer(exec, d));
  }
});

after(async () => {
  await fs.rm(tmp, { recursive: true, force: true });
});

beforeEach(async () => {
  if (reg) await reg.stop();
  reg = new FakeRegistry();
  await reg.start();
});

after(async () => {
  if (reg) await reg.stop();
});

test('pulls an OCI image by tag: layers unpacked, tag and repo digest recorded, HTTPS tried first', async () => {
  const svc = await service();
  const { digest, config } = pushImage('team/app', '1.4', layers);
  const events: PullEvent[] = [];
  const img = await svc.pullImage(`${reg.host}/team/app:1.4`, { progress: (e) => events.push(e) });
  assert.equal(img.id, config.digest);
  assert.deepEqual(img.repoTags, [`${reg.host}/team/app:1.4`]);
  assert.deepEqual(img.repoDigests, [`${reg.host}/team/app@${digest}`]);
  assert.deepEqual(img.layers, layers.map((l) => l.diffId));
  assert.equal(await fs.readFile(path.join(svc.layout.layerDiffDir(chainIds(layers.map((l) => l.diffId))[2]!), 'etc', 'top'), 'utf8'), 'top\n'.repeat(6000));
  assert.equal((await svc.imageStatus(`${reg.host}/team/app@${digest}`))?.id, img.id);
  const resolved = events.find((e) => e.type === 'resolved');
  assert.equal(resolved?.type === 'resolved' && resolved.layers.length, 3);
  assert.equal(events.filter((e) => e.type === 'layer' && e.status === 'done').length, 3);
  assert.deepEqual(await fs.readdir(svc.layout.tmpDir), []);

  // Pulling again: nothing is downloaded, every layer exists.
  reg.requests = [];
  const again: PullEvent[] = [];
  await svc.pullImage(`${reg.host}/team/app:1.4`, { progress: (e) => again.push(e) });
  assert.equal(reg.requests.filter((r) => r.url.includes('/blobs/')).length, 0);
  assert.equal(again.filter((e) => e.type === 'layer' && e.status === 'exists').length, 3);
});

test('docker schema 2 manifests and a multi-platform index pick the node platform', async () => {
  const svc = await service();
  const amd = pushImage('multi', 'amd-only', layers.slice(0, 2), { docker: true, cmd: ['amd64'] });
  const arm = pushImage('multi', 'arm-only', layers.slice(0, 1), { docker: true, cmd: ['arm64'] });
  const index = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: MediaType.dockerList,
      manifests: [
        { mediaType: MediaType.dockerManifest, digest: arm.digest, size: reg.manifests.get(`multi:${arm.digest}`)!.bytes.length, platform: { os: 'linux', architecture: 'arm64', variant: 'v8' } },
        { mediaType: MediaType.dockerManifest, digest: amd.digest, size: reg.manifests.get(`multi:${amd.digest}`)!.bytes.length, platform: { os: 'linux', architecture: 'amd64' } },
      ],
    }),
  );
  const indexDigest = reg.put('multi', 'latest', index, MediaType.dockerList);
  const img = await svc.pullImage(`${reg.host}/multi`);
  assert.equal(process.arch === 'x64' ? img.config.cmd[0] : 'amd64', 'amd64');
  assert.deepEqual(img.repoDigests, [`${reg.host}/multi@${indexDigest}`]);
  assert.deepEqual(img.repoTags, [`${reg.host}/multi:latest`]);
  // By digest: no tag is recorded.
  const byDigest = await (await service()).pullImage(`${reg.host}/multi@${indexDigest}`);
  assert.deepEqual(byDigest.repoTags, []);
});

test('a platform the index lacks, a missing tag and a digest mismatch fail with clear messages', async () => {
  const svc = await service();
  const arm = pushImage('armonly', 'x', layers.slice(0, 1));
  const index = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: MediaType.ociIndex, manifests: [{ mediaType: MediaType.ociManifest, digest: arm.digest, size: 1, platform: { os: 'linux', architecture: 's390x' } }] }));
  reg.put('armonly', '1', index, MediaType.ociIndex);
  await assert.rejects(svc.pullImage(`${reg.host}/armonly:1`), /no match for platform in manifest: the image offers linux\/s390x/);
  await assert.rejects(svc.pullImage(`${reg.host}/armonly:nope`), new RegExp(`failed to pull and unpack image "${reg.host}/armonly:nope": failed to resolve reference "${reg.host}/armonly:nope": ${reg.host}/armonly:nope: not found`));
  const bad = pushImage('corrupt', '1', layers.slice(0, 2));
  reg.faults.corrupt.add(bad.layerBlobs[1]!.digest);
  await assert.rejects(svc.pullImage(`${reg.host}/corrupt:1`), /digest mismatch/);
  await until(async () => (await fs.readdir(svc.layout.tmpDir)).length === 0, 'the aborted downloads remove their temp files');
  assert.equal(await svc.imageStatus(`${reg.host}/corrupt:1`), undefined);
});

test('basic auth: no credentials, wrong ones, then the right ones after a wrong one', async () => {
  const svc = await service();
  pushImage('private/app', '1', layers.slice(0, 1));
  reg.auth = { kind: 'basic', user: 'alice', pass: 's3cret' };
  await assert.rejects(svc.pullImage(`${reg.host}/private/app:1`), /authentication required: the registry asks for a username and password and none were given/);
  const wrong = { username: 'alice', password: 'nope', source: 'secret default/old' };
  await assert.rejects(svc.pullImage(`${reg.host}/private/app:1`, { credentials: [wrong] }), (err: Error) => {
    assert.match(err.message, /401 Unauthorized.*authentication failed with the credentials of secret default\/old/);
    assert.doesNotMatch(err.message, /nope/);
    return true;
  });
  const img = await svc.pullImage(`${reg.host}/private/app:1`, { credentials: [wrong, { username: 'alice', password: 's3cret', source: 'secret default/regcred' }] });
  assert.deepEqual(img.repoTags, [`${reg.host}/private/app:1`]);
});

test('bearer tokens: the challenge flow with scopes, anonymous and with credentials', async () => {
  const svc = await service();
  pushImage('library/nginx', '1.27', layers.slice(0, 2));
  reg.auth = { kind: 'bearer' };
  await svc.pullImage(`${reg.host}/library/nginx:1.27`);
  const tokenReqs = reg.requests.filter((r) => r.url === '/token');
  assert.equal(tokenReqs.length, 1, 'one token for the whole pull');
  assert.ok(reg.requests.filter((r) => r.url.includes('/blobs/')).every((r) => r.auth?.startsWith('Bearer tok-')));
  reg.auth = { kind: 'bearer', user: 'bob', pass: 'pw' };
  await assert.rejects((await service()).pullImage(`${reg.host}/library/nginx:1.27`, { credentials: [{ username: 'bob', password: 'bad', source: 'node config' }] }), /failed to fetch oauth token with the credentials of node config.*401/);
  await (await service()).pullImage(`${reg.host}/library/nginx:1.27`, { credentials: [{ username: 'bob', password: 'pw' }] });
});

test('5xx and 429 are retried with backoff; a dropped connection resumes with a Range request', async () => {
  const svc = await service();
  const img = pushImage('flaky', '1', layers);
  reg.faults.status.push({ path: /manifests/, status: 503, times: 2 }, { path: /blobs/, status: 429, retryAfter: '0', times: 1 });
  reg.faults.dropBlob.add(img.layerBlobs[2]!.digest);
  const events: PullEvent[] = [];
  await svc.pullImage(`${reg.host}/flaky:1`, { progress: (e) => events.push(e) });
  assert.ok(events.filter((e) => e.type === 'retry').length >= 4, JSON.stringify(events.filter((e) => e.type === 'retry')));
  assert.ok(reg.requests.some((r) => r.range?.startsWith('bytes=') && r.range !== 'bytes=0-'), 'resumed with a Range');
  assert.equal((await svc.imageStatus(`${reg.host}/flaky:1`))?.id, img.config.digest);
});

test('a stalled download is noticed and retried; a registry that keeps failing gives up with the reason', async () => {
  const svc = await service();
  pushImage('stall', '1', layers.slice(0, 1));
  reg.faults.stallBlob = 1;
  const events: PullEvent[] = [];
  await svc.pullImage(`${reg.host}/stall:1`, { progress: (e) => events.push(e) });
  assert.ok(events.some((e) => e.type === 'retry' && /no data for/.test(e.reason)));
  reg.faults.status.push({ path: /manifests/, status: 500, times: 100 });
  await assert.rejects((await service()).pullImage(`${reg.host}/stall:1`), /500 Internal Server Error: unavailable: try later/);
});

test('blob redirects are followed without the Authorization header', async () => {
  const svc = await service();
  pushImage('redir', '1', layers.slice(0, 2));
  reg.auth = { kind: 'basic', user: 'u', pass: 'p' };
  reg.faults.redirectBlobs = true;
  await svc.pullImage(`${reg.host}/redir:1`, { credentials: [{ username: 'u', password: 'p' }] });
});

test('two pulls of one image at once download each blob once', async () => {
  const a = await service();
  pushImage('shared', '1', layers);
  const [x, y] = await Promise.all([a.pullImage(`${reg.host}/shared:1`), a.pullImage(`${reg.host}/shared:1`)]);
  assert.equal(x.id, y.id);
  const gets = reg.requests.filter((r) => r.url.includes('/blobs/') && !r.url.endsWith(x.id.slice(7)));
  const per = new Map<string, number>();
  for (const g of gets) per.set(g.url, (per.get(g.url) ?? 0) + 1);
  for (const [u, count] of per) if (!u.includes(x.id)) assert.equal(count, 1, `${u} fetched ${count} times`);
});

test('a canceled pull stops and leaves nothing behind', async () => {
  const svc = await service();
  pushImage('cancel', '1', layers);
  reg.faults.stallBlob = 10;
  const ac = new AbortController();
  const p = svc.pullImage(`${reg.host}/cancel:1`, { signal: ac.signal });
  setTimeout(() => ac.abort(), 100);
  await assert.rejects(p, /canceled/);
  await until(async () => (await fs.readdir(svc.layout.tmpDir)).length === 0, 'the canceled downloads remove their temp files');
});

test('a 401 from where a redirect led never gets the credentials; a plain-HTTP registry where that is not allowed fails with the reason', async () => {
  const svc = await service();
  pushImage('storage', '1', layers.slice(0, 1));
  reg.auth = { kind: 'basic', user: 'u', pass: 'p' };
  reg.faults.redirectBlobs = true;
  reg.faults.storage401 = true;
  await assert.rejects(svc.pullImage(`${reg.host}/storage:1`, { credentials: [{ username: 'u', password: 'p' }] }), /401 Unauthorized/);
  assert.equal(reg.requests.filter((r) => r.url === '/token').length, 0, 'no token asked for on the storage host\'s say-so');
  // The same registry (plain HTTP) for a node that allows only HTTPS for it.
  const strict = new LocalImageService({
    paths: nodePaths(path.join(tmp, `svc-${n++}`)),
    exec,
    logger: silentLogger(),
    clock: new FakeClock(),
    registry: { policy: { tlsFor: async () => ({}), plainHttpAllowed: () => false }, retry: { attempts: 1, baseDelayMs: 1, maxDelayMs: 1 }, stallMs: 300 },
  });
  await strict.init();
  await assert.rejects(strict.pullImage(`${reg.host}/storage:1`), /the server speaks plain HTTP/);
});

test('a blob whose every byte arrived before the connection broke is verified, not asked for again', async () => {
  const svc = await service();
  const img = pushImage('full', '1', layers.slice(0, 1));
  reg.faults.fullThenReset.add(img.layerBlobs[0]!.digest);
  await svc.pullImage(`${reg.host}/full:1`);
  assert.ok(!reg.requests.some((r) => r.range), JSON.stringify(reg.requests.filter((r) => r.range)));
});

test('a pull whose layer is refused (over --max-layer-size) removes that layer\'s blob at once (issue 13)', async () => {
  const svc = await service({ maxLayerBytes: 64 << 10 });
  const dir = path.join(tmp, 'src-pull-bomb');
  await fs.mkdir(dir, { recursive: true });
  await fs.writeFile(path.join(dir, 'zeros'), Buffer.alloc(1 << 20));
  const big = await tarLayer(exec, dir);
  const img = pushImage('bomb', '1', [big]);
  await assert.rejects(svc.pullImage(`${reg.host}/bomb:1`), /--max-layer-size/);
  assert.equal(await fs.stat(svc.layout.blobPath(img.layerBlobs[0]!.digest)).catch(() => undefined), undefined, 'the refused blob is gone');
  assert.deepEqual(await fs.readdir(svc.layout.layersDir), []);
});

test('a failed pull leaves layers and blobs no image uses; the sweep removes them', async () => {
  const svc = await service();
  const bad = pushImage('half', '1', layers.slice(0, 2));
  reg.faults.corrupt.add(bad.layerBlobs[1]!.digest);
  await assert.rejects(svc.pullImage(`${reg.host}/half:1`), /digest mismatch/);
  // What got in before the failure (the config blob at least; layer 0 unless its download was stopped).
  const left = { layers: (await fs.readdir(svc.layout.layersDir)).length, blobs: (await fs.readdir(svc.layout.blobsDir)).length };
  assert.ok(left.blobs >= 1);
  assert.deepEqual(await svc.sweep(60_000), { layers: 0, blobs: 0 }, 'kept for a retry for a while');
  assert.deepEqual(await svc.sweep(0), left);
  assert.deepEqual(await fs.readdir(svc.layout.layersDir), []);
  assert.deepEqual(await fs.readdir(svc.layout.blobsDir), []);
});

test('one of two pulls sharing a download is canceled: the other finishes; a later pull does not join a dead download', async () => {
  const svc = await service();
  pushImage('pair', '1', layers);
  reg.faults.stallBlob = 1;
  const a = new AbortController();
  const pa = svc.pullImage(`${reg.host}/pair:1`, { signal: a.signal });
  const pb = svc.pullImage(`${reg.host}/pair:1`);
  setTimeout(() => a.abort(), 50);
  await assert.rejects(pa, /canceled/);
  assert.equal((await pb).repoTags[0], `${reg.host}/pair:1`);

  const other = await service();
  reg.faults.stallBlob = 10;
  const c = new AbortController();
  const pc = other.pullImage(`${reg.host}/pair:1`, { signal: c.signal });
  setTimeout(() => c.abort(), 50);
  await assert.rejects(pc, /canceled/);
  reg.faults.stallBlob = 0;
  assert.equal((await other.pullImage(`${reg.host}/pair:1`)).repoTags[0], `${reg.host}/pair:1`);
});
