// peapod's own endpoints (/peapod/v1/...) over HTTP: image import, list and delete through the real
// LocalImageService (needs root: layers are unpacked with ownership), runtime ps through FakeRuntime,
// and 503 when the daemon has no image service.

import { after, before, describe, it, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createReadStream } from 'node:fs';
import { buildSecurityStage } from '../../src/api/auth/security.js';
import { httpsRequest, makeTestPki, type TestPki } from '../support/api-tls.js';
import os from 'node:os';
import path from 'node:path';
import { ApiServer } from '../../src/api/server.js';
import { LocalImageService } from '../../src/images/local-image-service.js';
import { RESOURCES } from '../../src/k8s/registry.js';
import { nodePaths } from '../../src/node/paths.js';
import { FakeRuntime } from '../../src/runtime/fake.js';
import { SqliteStore } from '../../src/store/sqlite-store.js';
import { StoreEventSink } from '../../src/store/events.js';
import { SystemClock } from '../../src/system/clock.js';
import { HostExec } from '../../src/system/exec.js';
import { silentLogger } from '../../src/system/logger.js';

let pki: TestPki;

/** A request as the admin (system:masters, by client certificate). */
async function request(base: string, method: string, p: string, body?: Buffer | string | NodeJS.ReadableStream): Promise<{ code: number; json: any }> {
  const r = await httpsRequest(base, method, p, { ca: pki.ca.certPem, client: pki.admin, body: body as Buffer | string | undefined });
  return { code: r.code, json: r.json };
}

if (process.getuid?.() !== 0) {
  test('peapod endpoints (needs root)', { skip: 'needs root: run as root' }, () => {});
} else {
  describe('peapod endpoints', () => {
    let dir: string;
    let store: SqliteStore;
    let server: ApiServer;
    let bare: ApiServer;
    let url: string;
    let bareUrl: string;
    const clock = new SystemClock();
    const logger = silentLogger();
    const exec = new HostExec();

    before(async () => {
      dir = await mkdtemp(path.join(os.tmpdir(), 'peapod-api-peapod-'));
      const paths = nodePaths(path.join(dir, 'data'));
      store = new SqliteStore({ path: ':memory:', resources: RESOURCES, clock, logger });
      const events = new StoreEventSink({ store, clock, logger, component: 'kubelet', host: 'n1' });
      const images = new LocalImageService({ paths, exec, logger, clock });
      await images.init();
      pki = await makeTestPki();
      server = new ApiServer({ store, logger, clock, nodeName: 'n1', paths, events, images, runtime: new FakeRuntime({ clock }), security: buildSecurityStage() });
      ({ url } = await server.start('127.0.0.1:0', pki.tls));
      bare = new ApiServer({ store, logger, clock, nodeName: 'n1', paths, events, security: buildSecurityStage() });
      ({ url: bareUrl } = await bare.start('127.0.0.1:0', pki.tls));
    });

    after(async () => {
      await server?.stop();
      await bare?.stop();
      store?.close();
      if (dir) await rm(dir, { recursive: true, force: true });
    });

    it('imports a rootfs tarball, lists it and deletes it', async () => {
      const root = path.join(dir, 'rootfs');
      await mkdir(path.join(root, 'etc'), { recursive: true });
      await writeFile(path.join(root, 'etc', 'hello'), 'hi\n');
      const tar = path.join(dir, 'rootfs.tar');
      assert.equal((await exec.run('tar', ['-cf', tar, '-C', root, '.'])).code, 0);
      const imported = await request(url, 'POST', '/peapod/v1/images/import?name=localhost/tiny:1', createReadStream(tar));
      assert.equal(imported.code, 201, JSON.stringify(imported.json));
      assert.ok(imported.json.repoTags.includes('localhost/tiny:1'));
      const listed = await request(url, 'GET', '/peapod/v1/images');
      assert.equal(listed.code, 200);
      assert.ok(listed.json.items.some((i: { repoTags: string[] }) => i.repoTags.includes('localhost/tiny:1')));
      const removed = await request(url, 'DELETE', `/peapod/v1/images/${encodeURIComponent('localhost/tiny:1')}`);
      assert.equal(removed.code, 200);
      assert.equal(removed.json.status, 'Success');
      const after = await request(url, 'GET', '/peapod/v1/images');
      assert.ok(!after.json.items.some((i: { repoTags: string[] }) => i.repoTags.includes('localhost/tiny:1')));
    });

    it('rejects an import without a name', async () => {
      const r = await request(url, 'POST', '/peapod/v1/images/import', 'x');
      assert.equal(r.code, 400);
    });

    it('lists sandboxes and containers for ps', async () => {
      const r = await request(url, 'GET', '/peapod/v1/runtime/ps');
      assert.equal(r.code, 200);
      assert.deepEqual(r.json, { sandboxes: [], containers: [] });
    });

    it('answers 503 without an image service or runtime', async () => {
      assert.equal((await request(bareUrl, 'GET', '/peapod/v1/images')).code, 503);
      assert.equal((await request(bareUrl, 'GET', '/peapod/v1/runtime/ps')).code, 503);
      assert.equal((await request(bareUrl, 'GET', '/peapod/v1/version')).code, 503);
    });
  });
}
