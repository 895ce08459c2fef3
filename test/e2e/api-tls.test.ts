// The API server's TLS, in-process on 127.0.0.1 (no root): it speaks TLS only, verifies client
// certificates against its CA (a foreign or expired one gets 401), and serves renewed certificates to
// new connections without a restart.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import tls from 'node:tls';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { mkdtemp, rm } from 'node:fs/promises';
import { ApiServer } from '../../src/api/server.js';
import { buildSecurityStage } from '../../src/api/auth/security.js';
import { createCa, issueCert } from '../../src/api/auth/certs.js';
import { servingNames } from '../../src/api/auth/pki.js';
import { RESOURCES } from '../../src/k8s/registry.js';
import { nodePaths } from '../../src/node/paths.js';
import { SqliteStore } from '../../src/store/sqlite-store.js';
import { StoreEventSink } from '../../src/store/events.js';
import { ensureNamespaces } from '../../src/store/bootstrap.js';
import { SystemClock } from '../../src/system/clock.js';
import { silentLogger } from '../../src/system/logger.js';
import { httpsRequest, makeTestPki, plainHttpProbe, type TestPki } from '../support/api-tls.js';

const DAY = 86_400_000;
/** The security stage's clock: tests move it to expire certificates on open connections. */
let now = Date.now();

function servedCertificate(url: string, ca: string): Promise<X509Certificate> {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const s = tls.connect({ host: u.hostname, port: Number(u.port), ca, servername: 'localhost' }, () => {
      const c = s.getPeerX509Certificate();
      s.end();
      if (c) resolve(c);
      else reject(new Error('no certificate'));
    });
    s.on('error', reject);
  });
}

describe('the API over TLS', () => {
  let dir: string;
  let store: SqliteStore;
  let server: ApiServer;
  let url: string;
  let pki: TestPki;

  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'peapod-api-tls-'));
    pki = await makeTestPki();
    const clock = new SystemClock();
    const logger = silentLogger();
    store = new SqliteStore({ path: ':memory:', resources: RESOURCES, clock, logger });
    ensureNamespaces(store);
    const events = new StoreEventSink({ store, clock, logger, component: 'kubelet', host: 'n1' });
    server = new ApiServer({ store, logger, clock, nodeName: 'n1', paths: nodePaths(dir), events, security: buildSecurityStage({ now: () => now }) });
    ({ url } = await server.start('127.0.0.1:0', pki.tls));
  });

  after(async () => {
    await server?.stop();
    store?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('serves https:// and answers the admin\'s client certificate', async () => {
    assert.match(url, /^https:\/\/127\.0\.0\.1:\d+$/);
    const r = await httpsRequest(url, 'GET', '/api/v1/namespaces', { ca: pki.ca.certPem, client: pki.admin });
    assert.equal(r.code, 200);
    assert.ok(r.json.items.length >= 1);
  });

  it('gives a plain HTTP request no answer with data', async () => {
    const port = Number(new URL(url).port);
    const got = await plainHttpProbe(port, '/api/v1/namespaces');
    assert.doesNotMatch(got, /NamespaceList|"items"/);
  });

  it('answers 401 to a foreign, an expired and a serving certificate', async () => {
    const foreignCa = await createCa('foreign', { now: Date.now(), validDays: 1 });
    const foreign = await issueCert(foreignCa, { kind: 'client', user: 'x', groups: ['system:masters'] }, { now: Date.now(), validDays: 1 });
    const expired = await pki.client('old', ['system:masters'], { now: Date.now() - 10 * DAY, validDays: 2 });
    const serving = await issueCert(pki.ca, { kind: 'server', names: servingNames('localhost', []) }, { now: Date.now(), validDays: 1 });
    for (const [what, client] of [['foreign', foreign], ['expired', expired], ['serving', serving]] as const) {
      const r = await httpsRequest(url, 'GET', '/api/v1/namespaces', { ca: pki.ca.certPem, client });
      assert.equal(r.code, 401, what);
      assert.equal(r.json.reason, 'Unauthorized', what);
    }
  });

  it('reads groups from the certificate: a viewer may list but not create', async () => {
    const vera = await pki.client('vera', ['peapod:viewers']);
    assert.equal((await httpsRequest(url, 'GET', '/api/v1/namespaces', { ca: pki.ca.certPem, client: vera })).code, 200);
    const r = await httpsRequest(url, 'POST', '/api/v1/namespaces', { ca: pki.ca.certPem, client: vera, headers: { 'content-type': 'application/json' }, body: '{"metadata":{"name":"x"}}' });
    assert.equal(r.code, 403);
    assert.equal(r.json.message, 'namespaces is forbidden: User "vera" cannot create resource "namespaces" in API group "" at the cluster scope');
  });

  it('refuses a TLS 1.2 renegotiation (a second certificate on the same connection)', async () => {
    const vera = await pki.client('vera', ['peapod:viewers']);
    const u = new URL(url);
    const err = await new Promise<Error | null>((resolve, reject) => {
      const s = tls.connect({ host: u.hostname, port: Number(u.port), ca: pki.ca.certPem, cert: vera.certPem, key: vera.keyPem, maxVersion: 'TLSv1.2', servername: 'localhost' }, () => {
        s.renegotiate({ rejectUnauthorized: true }, (e) => {
          s.destroy();
          resolve(e);
        });
      });
      s.on('error', (e) => resolve(e));
      s.setTimeout(5000, () => reject(new Error('no answer to the renegotiation')));
    });
    assert.ok(err, 'the renegotiation must fail');
  });

  it('checks the certificate\'s dates on every request, not once per connection', async () => {
    const agent = new https.Agent({ keepAlive: true, ca: pki.ca.certPem, cert: pki.admin.certPem, key: pki.admin.keyPem, maxSockets: 1 });
    const get = () =>
      new Promise<number>((resolve, reject) => {
        https.get(new URL('/api/v1/namespaces', url), { agent }, (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode ?? 0));
        }).on('error', reject);
      });
    try {
      assert.equal(await get(), 200);
      now = Date.now() + 60 * DAY; // past the test certificates' 30 days
      assert.equal(await get(), 401, 'the same keep-alive connection, now with an expired certificate');
    } finally {
      now = Date.now();
      agent.destroy();
    }
  });

  it('serves a renewed certificate to new connections without a restart', async () => {
    const before = await servedCertificate(url, pki.ca.certPem);
    const renewed = await issueCert(pki.ca, { kind: 'server', names: servingNames('localhost', []) }, { now: Date.now(), validDays: 60 });
    server.updateTls({ certPem: renewed.certPem, keyPem: renewed.keyPem, clientCaPem: pki.ca.certPem });
    const after = await servedCertificate(url, pki.ca.certPem);
    assert.notEqual(after.serialNumber, before.serialNumber);
    assert.equal(after.serialNumber, new X509Certificate(renewed.certPem).serialNumber);
    assert.equal((await httpsRequest(url, 'GET', '/api/v1/namespaces', { ca: pki.ca.certPem, client: pki.admin })).code, 200);
  });
});
