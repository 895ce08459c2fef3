import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { certFacts, type CertAndKey } from './cert-facts.js';
import { createCa, issueCert, subjectAttributes } from './certs.js';
import { workerCertMaker } from './cert-maker.js';
import { ensurePki, hostAddresses, mintClientCert, pkiFiles, renewalReason, servingNames } from './pki.js';
import { silentLogger } from '../../system/logger.js';

const DAY = 86_400_000;
const NOW = Date.UTC(2026, 5, 1);

describe('certificates', () => {
  let ca: CertAndKey;
  before(async () => {
    ca = await createCa('test-ca', { now: NOW, validDays: 10 });
  });

  it('a client certificate carries the user as CN and the groups as O, for client auth only', async () => {
    const c = await issueCert(ca, { kind: 'client', user: 'alice', groups: ['system:masters', 'dev'] }, { now: NOW, validDays: 1 });
    const x = new X509Certificate(c.certPem);
    assert.match(x.subject, /CN=alice/);
    assert.match(x.subject, /O=system:masters/);
    assert.match(x.subject, /O=dev/);
    assert.deepEqual(x.keyUsage, ['1.3.6.1.5.5.7.3.2']);
    assert.equal(certFacts(c.certPem).issuedBy(ca.certPem), true);
  });

  it('keeps names with backslashes, commas and equals signs apart, one O per group', async () => {
    const c = await issueCert(ca, { kind: 'client', user: 'alice\\', groups: ['x\\', 'system:masters', 'a,b=c'] }, { now: NOW, validDays: 1 });
    const parsed = subjectAttributes(c.certPem);
    assert.deepEqual(parsed, [{ O: ['x\\'] }, { O: ['system:masters'] }, { O: ['a,b=c'] }, { CN: ['alice\\'] }]);
  });

  it('a serving certificate names its DNS names and addresses', async () => {
    const names = servingNames('Node-1', ['192.0.2.7']);
    const c = await issueCert(ca, { kind: 'server', names }, { now: NOW, validDays: 1 });
    const f = certFacts(c.certPem);
    assert.deepEqual(f.dnsNames, ['localhost', 'node-1']);
    assert.deepEqual(f.ips, ['127.0.0.1', '::1', '192.0.2.7']);
  });

  it('another CA did not issue it', async () => {
    const other = await createCa('other', { now: NOW, validDays: 10 });
    const c = await issueCert(ca, { kind: 'client', user: 'a', groups: [] }, { now: NOW, validDays: 1 });
    assert.equal(certFacts(c.certPem).issuedBy(other.certPem), false);
  });

  it('renewal: missing, foreign, expiring within 30 days, or missing a name', async () => {
    const names = servingNames('n', []);
    const c = await issueCert(ca, { kind: 'server', names }, { now: NOW, validDays: 365 });
    assert.equal(renewalReason(undefined, { now: NOW, caPem: ca.certPem }), 'missing');
    assert.equal(renewalReason(c, { now: NOW, caPem: ca.certPem, names }), undefined);
    assert.match(renewalReason(c, { now: NOW + 340 * DAY, caPem: ca.certPem, names }) ?? '', /^expires/);
    assert.equal(renewalReason(c, { now: NOW, caPem: ca.certPem, names: servingNames('n', ['192.0.2.9']) }), 'does not name 192.0.2.9');
    const other = await createCa('other', { now: NOW, validDays: 10 });
    assert.equal(renewalReason(c, { now: NOW, caPem: other.certPem }), 'not issued by the current CA');
    assert.equal(renewalReason({ certPem: 'junk', keyPem: '' }, { now: NOW, caPem: ca.certPem }), 'unreadable');
  });
});

describe('the worker-thread certificate maker', () => {
  it('makes a CA and a client certificate that chains to it', async () => {
    const ca = await workerCertMaker.createCa('worker-ca', { now: NOW, validDays: 2 });
    const leaf = await workerCertMaker.issueCert(ca, { kind: 'client', user: 'w', groups: ['g'] }, { now: NOW, validDays: 1 });
    assert.equal(certFacts(leaf.certPem).issuedBy(ca.certPem), true);
    assert.match(new X509Certificate(leaf.certPem).subject, /CN=w/);
  });
});

describe('hostAddresses', () => {
  it('leaves out loopback, link-local and pod networking', () => {
    const nic = (address: string, internal = false) => ({ address, internal, family: address.includes(':') ? 'IPv6' : 'IPv4', netmask: '', mac: '', cidr: null }) as os.NetworkInterfaceInfo;
    const got = hostAddresses({
      lo: [nic('127.0.0.1', true)],
      eth0: [nic('192.0.2.5'), nic('fe80::1')],
      peapod0: [nic('10.88.0.1')],
      ppdeadbeef: [nic('10.88.1.1')],
      veth12ab: [nic('169.254.1.1')],
    });
    assert.deepEqual(got, ['192.0.2.5']);
  });
});

describe('ensurePki', () => {
  let dir: string;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'peapod-pki-'));
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('makes a CA, a serving and an admin certificate once, private to the owner, and keeps them', async () => {
    const opts = { dataDir: dir, nodeName: 'n1', nodeIps: [], now: NOW, logger: silentLogger() };
    const first = await ensurePki(opts);
    const files = pkiFiles(dir);
    assert.equal(fs.statSync(files.dir).mode & 0o777, 0o700);
    for (const key of [files.caKey, files.servingKey, files.adminKey]) assert.equal(fs.statSync(key).mode & 0o777, 0o600);
    const again = await ensurePki(opts);
    assert.equal(again.serving.certPem, first.serving.certPem);
    assert.equal(again.admin.certPem, first.admin.certPem);
    assert.match(new X509Certificate(first.admin.certPem).subject, /O=system:masters/);
  });

  it('renews the serving certificate when a new address appears, and near its end', async () => {
    const base = { dataDir: dir, nodeName: 'n1', now: NOW, logger: silentLogger() };
    const first = await ensurePki({ ...base, nodeIps: [] });
    const moved = await ensurePki({ ...base, nodeIps: ['192.0.2.44'] });
    assert.notEqual(moved.serving.certPem, first.serving.certPem);
    assert.equal(moved.ca.certPem, first.ca.certPem);
    const late = await ensurePki({ ...base, nodeIps: ['192.0.2.44'], now: NOW + 350 * DAY });
    assert.notEqual(late.serving.certPem, moved.serving.certPem);
    assert.notEqual(late.admin.certPem, moved.admin.certPem);
  });

  it('serves the operator\'s own pair as is (--tls-cert-file)', async () => {
    const own = await createCa('own', { now: NOW, validDays: 30 });
    const pair = await issueCert(own, { kind: 'server', names: servingNames('api.example', []) }, { now: NOW, validDays: 30 });
    const byo = path.join(dir, 'byo');
    fs.mkdirSync(byo);
    fs.writeFileSync(path.join(byo, 'tls.crt'), pair.certPem);
    fs.writeFileSync(path.join(byo, 'tls.key'), pair.keyPem);
    const got = await ensurePki({
      dataDir: dir, nodeName: 'n1', nodeIps: [], now: NOW, logger: silentLogger(),
      servingFiles: { certFile: path.join(byo, 'tls.crt'), keyFile: path.join(byo, 'tls.key') },
    });
    assert.equal(got.serving.certPem, pair.certPem);
    await assert.rejects(ensurePki({ dataDir: dir, nodeName: 'n1', nodeIps: [], now: NOW, logger: silentLogger(), servingFiles: { certFile: path.join(byo, 'nope'), keyFile: path.join(byo, 'tls.key') } }), /read the API serving certificate/);
  });

  // Issue 6 security review: ensurePki chmod'ed pki through a symlink and loaded whatever ca.key it held.
  it('refuses a pki dir that is a symlink, leaving its target as it was', async () => {
    const data = fs.mkdtempSync(path.join(os.tmpdir(), 'peapod-pki-link-'));
    try {
      const theirs = path.join(data, 'theirs');
      fs.mkdirSync(theirs, { mode: 0o755 });
      fs.writeFileSync(path.join(theirs, 'ca.key'), 'their key');
      fs.symlinkSync(theirs, path.join(data, 'pki'));
      await assert.rejects(ensurePki({ dataDir: data, nodeName: 'n1', nodeIps: [], now: NOW, logger: silentLogger() }), /^Error: pki dir .*\/pki is a symlink: refusing to use it/);
      assert.equal(fs.statSync(theirs).mode & 0o777, 0o755);
      assert.deepEqual(fs.readdirSync(theirs), ['ca.key']);
      fs.rmSync(path.join(data, 'pki'));
      fs.writeFileSync(path.join(data, 'pki'), '');
      await assert.rejects(ensurePki({ dataDir: data, nodeName: 'n1', nodeIps: [], now: NOW, logger: silentLogger() }), /pki is not a directory: refusing/);
    } finally {
      fs.rmSync(data, { recursive: true, force: true });
    }
  });

  it('mints a client certificate with the data dir\'s CA', async () => {
    const { ca, client } = await mintClientCert(dir, 'bob', ['peapod:viewers'], { now: NOW, validDays: 30 });
    assert.equal(certFacts(client.certPem).issuedBy(ca.certPem), true);
    assert.match(new X509Certificate(client.certPem).subject, /CN=bob/);
  });

  it('says what to do when there is no CA yet', async () => {
    await assert.rejects(mintClientCert(path.join(dir, 'none'), 'x', [], { now: NOW, validDays: 1 }), /start `peapod serve`/);
  });
});
