import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Duplex } from 'node:stream';
import { test } from 'node:test';
import tls from 'node:tls';
import { createCa, issueCert, type CertAndKey } from '../../api/auth/certs.js';
import { allowsPlainHttp, invalidInsecureEntries, isLoopbackHost, loadRegistryTls, registryCertsDir, splitHostPort, type RegistryTlsOptions } from './tls.js';

const HOST = '127.0.0.1:5443';
const ISSUE = { now: Date.now(), validDays: 1 };

interface Pki {
  ca: CertAndKey;
  otherCa: CertAndKey;
  server: CertAndKey;
  clientCa: CertAndKey;
  client: CertAndKey;
}

let pki: Promise<Pki> | undefined;
/** Made once for the file: a registry CA and serving cert, a client CA and client cert. */
function getPki(): Promise<Pki> {
  pki ??= (async () => {
    const ca = await createCa('registry-ca', ISSUE);
    const otherCa = await createCa('other-ca', ISSUE);
    const clientCa = await createCa('client-ca', ISSUE);
    const server = await issueCert(ca, { kind: 'server', names: { dnsNames: ['localhost'], ips: ['127.0.0.1'] } }, ISSUE);
    const client = await issueCert(clientCa, { kind: 'client', user: 'puller', groups: [] }, ISSUE);
    return { ca, otherCa, server, clientCa, client };
  })();
  return pki;
}

/** Runs `fn` with a fresh certs dir (removed afterwards) and the host's folder inside it. */
function withCertsDir(fn: (certsDir: string, hostDir: string) => Promise<void>): () => Promise<void> {
  return async () => {
    const certsDir = fs.mkdtempSync(path.join(os.tmpdir(), 'peapod-certs-'));
    try {
      const hostDir = path.join(certsDir, HOST);
      fs.mkdirSync(hostDir);
      await fn(certsDir, hostDir);
    } finally {
      fs.rmSync(certsDir, { recursive: true, force: true });
    }
  };
}

function write(dir: string, name: string, text: string): void {
  fs.writeFileSync(path.join(dir, name), text);
}

// ---- loadRegistryTls ----------------------------------------------------------------------------------

test('loadRegistryTls: no certs dir or no host folder means Node defaults', withCertsDir(async (certsDir) => {
  assert.deepEqual(await loadRegistryTls(path.join(certsDir, 'absent'), HOST), {});
  assert.deepEqual(await loadRegistryTls(certsDir, 'other.io:5000'), {});
  assert.deepEqual(await loadRegistryTls(certsDir, HOST), {});
}));

test('loadRegistryTls: a ca.crt is added to Node\'s roots, not in place of them', withCertsDir(async (certsDir, hostDir) => {
  const { ca } = await getPki();
  write(hostDir, 'ca.crt', ca.certPem);
  const opts = await loadRegistryTls(certsDir, HOST);
  assert.equal(opts.ca?.length, tls.rootCertificates.length + 1);
  assert.deepEqual(opts.ca?.slice(0, tls.rootCertificates.length), [...tls.rootCertificates]);
  assert.equal(opts.ca?.at(-1)?.trim(), ca.certPem.trim());
  assert.equal(opts.cert, undefined);
  assert.equal(opts.key, undefined);
}));

test('loadRegistryTls: every .crt counts, bundles split into their certificates, in file-name order', withCertsDir(async (certsDir, hostDir) => {
  const { ca, otherCa, clientCa } = await getPki();
  write(hostDir, 'b.crt', `${otherCa.certPem}\n${clientCa.certPem}`);
  write(hostDir, 'a.crt', ca.certPem);
  const extra = (await loadRegistryTls(certsDir, HOST)).ca!.slice(tls.rootCertificates.length).map((p) => p.trim());
  assert.deepEqual(extra, [ca.certPem.trim(), otherCa.certPem.trim(), clientCa.certPem.trim()]);
}));

test('loadRegistryTls: a client.cert and client.key pair is the mutual-TLS identity', withCertsDir(async (certsDir, hostDir) => {
  const { client } = await getPki();
  write(hostDir, 'client.cert', client.certPem);
  write(hostDir, 'client.key', client.keyPem);
  assert.deepEqual(await loadRegistryTls(certsDir, HOST), { cert: client.certPem, key: client.keyPem });
}));

test('loadRegistryTls: reads the folder at each call, so a certificate added later applies', withCertsDir(async (certsDir, hostDir) => {
  const { ca } = await getPki();
  assert.deepEqual(await loadRegistryTls(certsDir, HOST), {});
  write(hostDir, 'ca.crt', ca.certPem);
  assert.ok((await loadRegistryTls(certsDir, HOST)).ca);
}));

test('loadRegistryTls: follows symlinks and ignores folders and other files', withCertsDir(async (certsDir, hostDir) => {
  const { ca } = await getPki();
  write(certsDir, 'shared-ca.pem', ca.certPem);
  fs.symlinkSync(path.join(certsDir, 'shared-ca.pem'), path.join(hostDir, 'ca.crt'));
  fs.mkdirSync(path.join(hostDir, 'dir.crt'));
  fs.mkdirSync(path.join(hostDir, 'dir.cert'));
  write(hostDir, 'hosts.toml', 'server = "https://x"');
  write(hostDir, 'README', 'not a certificate');
  const opts = await loadRegistryTls(certsDir, HOST);
  assert.equal(opts.ca?.length, tls.rootCertificates.length + 1);
}));

test('loadRegistryTls: a .cert without its .key is an error naming both (and the .crt rule)', withCertsDir(async (certsDir, hostDir) => {
  const { ca } = await getPki();
  write(hostDir, 'ca.cert', ca.certPem);
  await assert.rejects(loadRegistryTls(certsDir, HOST), (e: Error) => {
    assert.equal(
      e.message,
      `client certificate ${path.join(hostDir, 'ca.cert')} has no key ${path.join(hostDir, 'ca.key')} (CA certificates must end in .crt)`,
    );
    return true;
  });
}));

test('loadRegistryTls: a .key without its .cert is an error naming both', withCertsDir(async (certsDir, hostDir) => {
  const { ca } = await getPki();
  write(hostDir, 'ca.crt', ca.certPem);
  write(hostDir, 'ca.key', ca.keyPem); // skopeo's trap: the CA's key beside the CA
  await assert.rejects(loadRegistryTls(certsDir, HOST), (e: Error) => {
    assert.equal(e.message, `client key ${path.join(hostDir, 'ca.key')} has no certificate ${path.join(hostDir, 'ca.cert')}`);
    assert.ok(!e.message.includes('PRIVATE KEY'));
    return true;
  });
}));

test('loadRegistryTls: a key that does not belong to its certificate is an error naming both', withCertsDir(async (certsDir, hostDir) => {
  const { client, ca } = await getPki();
  write(hostDir, 'client.cert', client.certPem);
  write(hostDir, 'client.key', ca.keyPem);
  await assert.rejects(loadRegistryTls(certsDir, HOST), (e: Error) => {
    assert.equal(e.message, `client key ${path.join(hostDir, 'client.key')} does not belong to certificate ${path.join(hostDir, 'client.cert')}`);
    assert.ok(!e.message.includes('PRIVATE KEY'));
    return true;
  });
}));

test('loadRegistryTls: an unreadable client key is an error naming the file, not its content', withCertsDir(async (certsDir, hostDir) => {
  const { client } = await getPki();
  write(hostDir, 'client.cert', client.certPem);
  write(hostDir, 'client.key', '-----BEGIN PRIVATE KEY-----\nc2VjcmV0\n-----END PRIVATE KEY-----\n');
  await assert.rejects(loadRegistryTls(certsDir, HOST), (e: Error) => {
    assert.match(e.message, /^client key .*client\.key cannot be read/);
    assert.ok(!e.message.includes('c2VjcmV0'));
    return true;
  });
}));

test('loadRegistryTls: a .crt with no certificate or a broken one is an error naming the file', withCertsDir(async (certsDir, hostDir) => {
  write(hostDir, 'ca.crt', 'hello');
  await assert.rejects(loadRegistryTls(certsDir, HOST), new RegExp(`^InternalError: CA file .*ca\\.crt holds no PEM certificate$`));
  write(hostDir, 'ca.crt', '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n');
  await assert.rejects(loadRegistryTls(certsDir, HOST), /CA file .*ca\.crt holds a certificate that cannot be read/);
}));

test('loadRegistryTls: with several client pairs the first by name is used', withCertsDir(async (certsDir, hostDir) => {
  const { client, server } = await getPki();
  write(hostDir, 'b.cert', server.certPem);
  write(hostDir, 'b.key', server.keyPem);
  write(hostDir, 'a.cert', client.certPem);
  write(hostDir, 'a.key', client.keyPem);
  assert.equal((await loadRegistryTls(certsDir, HOST)).cert, client.certPem);
}));

test('registryCertsDir refuses a host that would leave the certs dir', () => {
  assert.equal(registryCertsDir('/etc/certs.d', 'reg.io:5000'), path.join('/etc/certs.d', 'reg.io:5000'));
  for (const bad of ['', '.', '..', '../x', 'a/b', 'a\\b']) assert.throws(() => registryCertsDir('/etc/certs.d', bad), /cannot name a certificates folder/);
});

// ---- the options in a real handshake (over an in-memory stream pair: no network) -------------------------

function streamPair(): [Duplex, Duplex] {
  const ends: Duplex[] = [];
  const make = (other: () => Duplex): Duplex =>
    new Duplex({
      read() {},
      write(chunk, _enc, cb) {
        other().push(chunk);
        cb();
      },
      final(cb) {
        other().push(null);
        cb();
      },
    });
  ends.push(make(() => ends[1]!), make(() => ends[0]!));
  return [ends[0]!, ends[1]!];
}

/** A TLS handshake between a client using `opts` and a registry serving `server`, asking for a client certificate signed by `clientCa`. */
async function handshake(opts: RegistryTlsOptions, p: Pki): Promise<{ clientCn?: string }> {
  const [a, b] = streamPair();
  const server = new tls.TLSSocket(b, {
    isServer: true,
    secureContext: tls.createSecureContext({ cert: p.server.certPem, key: p.server.keyPem, ca: p.clientCa.certPem }),
    requestCert: true,
    rejectUnauthorized: false,
  });
  server.on('error', () => {});
  const client = tls.connect({ socket: a, servername: 'localhost', ...opts });
  try {
    // TLS 1.3: the client is done before the server has read its certificate; wait for both ends.
    await Promise.all([
      new Promise<void>((resolve, reject) => {
        client.once('secureConnect', resolve);
        client.once('error', reject);
      }),
      new Promise<void>((resolve) => {
        server.once('secure', resolve);
        client.once('error', () => resolve());
      }),
    ]);
    // A bare server TLSSocket leaves `authorized` to tls.Server: check the client's issuer here.
    const peer = server.getPeerCertificate();
    if (!peer.raw) return {};
    assert.ok(new X509Certificate(peer.raw).checkIssued(new X509Certificate(p.clientCa.certPem)));
    return { clientCn: peer.subject.CN as string };
  } finally {
    client.destroy();
    server.destroy();
  }
}

test('loadRegistryTls options: the registry\'s CA makes its certificate trusted and the client pair is presented', { timeout: 20_000 }, withCertsDir(async (certsDir, hostDir) => {
  const p = await getPki();
  write(hostDir, 'ca.crt', p.ca.certPem);
  write(hostDir, 'client.cert', p.client.certPem);
  write(hostDir, 'client.key', p.client.keyPem);
  assert.deepEqual(await handshake(await loadRegistryTls(certsDir, HOST), p), { clientCn: 'puller' });
}));

test('loadRegistryTls options: without the registry\'s CA, Node\'s roots do not trust it', { timeout: 20_000 }, withCertsDir(async (certsDir, hostDir) => {
  const p = await getPki();
  write(hostDir, 'other.crt', p.otherCa.certPem);
  await assert.rejects(handshake(await loadRegistryTls(certsDir, HOST), p), (e: NodeJS.ErrnoException) => /UNABLE_TO_VERIFY|SELF_SIGNED|UNABLE_TO_GET_ISSUER/.test(e.code ?? ''));
  await assert.rejects(handshake({}, p), (e: NodeJS.ErrnoException) => /UNABLE_TO_VERIFY|SELF_SIGNED|UNABLE_TO_GET_ISSUER/.test(e.code ?? ''));
}));

test('loadRegistryTls options: without a client pair no client certificate is sent', { timeout: 20_000 }, withCertsDir(async (certsDir, hostDir) => {
  const p = await getPki();
  write(hostDir, 'ca.crt', p.ca.certPem);
  assert.deepEqual(await handshake(await loadRegistryTls(certsDir, HOST), p), {});
}));

// ---- plain HTTP ---------------------------------------------------------------------------------------

const hostPorts: [string, string, string][] = [
  ['reg.io', 'reg.io', ''],
  ['reg.io:5000', 'reg.io', '5000'],
  ['[::1]:5000', '::1', '5000'],
  ['[::1]', '::1', ''],
  ['::1', '::1', ''],
];
for (const [input, host, port] of hostPorts) {
  test(`splitHostPort ${input}`, () => assert.deepEqual(splitHostPort(input), { host, port }));
}

const loopback: [string, boolean][] = [
  ['localhost', true],
  ['LOCALHOST', true],
  ['registry.localhost', true],
  ['127.0.0.1', true],
  ['127.45.6.7', true],
  ['::1', true],
  ['::ffff:127.0.0.1', true],
  ['128.0.0.1', false],
  ['10.0.0.1', false],
  ['::2', false],
  ['127.0.0.1.nip.io', false],
  ['localhost.example.com', false],
];
for (const [host, want] of loopback) {
  test(`isLoopbackHost ${host} → ${want}`, () => assert.equal(isLoopbackHost(host), want));
}

const plain: [string, string, string[], boolean][] = [
  ['loopback by name', 'localhost:5000', [], true],
  ['loopback IPv4 with a port', '127.0.0.1:5000', [], true],
  ['loopback IPv4 anywhere in 127/8', '127.9.9.9', [], true],
  ['loopback IPv6', '[::1]:5000', [], true],
  ['a public registry by default', 'reg.io', [], false],
  ['a private IP by default', '10.1.2.3:5000', [], false],
  ['a listed host:port', 'reg.io:5000', ['reg.io:5000'], true],
  ['a listed host:port for another port', 'reg.io:5001', ['reg.io:5000'], false],
  ['a listed host:port for the host without port', 'reg.io', ['reg.io:5000'], false],
  ['a listed host', 'reg.io', ['reg.io'], true],
  ['a listed host for that host with a port (docker matches exactly)', 'reg.io:5000', ['reg.io'], false],
  ['a listed host in another case', 'reg.io', ['REG.IO'], true],
  ['a listed entry with a scheme and slash (dropped, as docker does)', 'reg.io:5000', ['http://reg.io:5000/'], true],
  ['an IP in a listed CIDR, any port', '10.1.2.3:5000', ['10.0.0.0/8'], true],
  ['an IP outside the listed CIDR', '11.1.2.3:5000', ['10.0.0.0/8'], false],
  ['an IPv6 address in a listed CIDR', '[fd00::5]:5000', ['fd00::/8'], true],
  ['a name is not resolved for a CIDR', 'reg.internal:5000', ['0.0.0.0/0'], false],
  ['an IPv4 address and an IPv6 CIDR', '10.1.2.3', ['fd00::/8'], false],
  ['bad entries are ignored', 'reg.io', ['10.0.0.0/33', 'a b', '', 'reg.io/x/y'], false],
  ['a subdomain of a listed host', 'eu.reg.io', ['reg.io'], false],
];
for (const [name, hostPort, list, want] of plain) {
  test(`allowsPlainHttp: ${name} (${hostPort}, [${list.join(', ')}]) → ${want}`, () => {
    assert.equal(allowsPlainHttp(hostPort, list), want);
  });
}

test('invalidInsecureEntries lists what is neither host[:port] nor a CIDR', () => {
  assert.deepEqual(invalidInsecureEntries(['reg.io', 'reg.io:5000', '10.0.0.0/8', 'fd00::/8', '10.0.0.0/33', 'a b', 'reg.io/x', '']), [
    '10.0.0.0/33',
    'a b',
    'reg.io/x',
    '',
  ]);
});
