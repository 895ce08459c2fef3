// Issue 6, end to end against a real daemon: the API serves TLS only; anonymous requests get 401 except
// the health and version endpoints; a wrong token, an expired or foreign client certificate get 401; a
// read-only user (minted with `peapod kubeconfig --user … --group peapod:viewers`) reads but gets
// Kubernetes' 403 for secrets, writes and exec; `kubectl auth can-i` and `kubectl auth whoami` work;
// and every bundled kubectl (1.27–1.33) works through the kubeconfig.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PEAPOD_BIN, TestDaemon, run } from '../support/daemon.js';
import { renderKubeconfig } from '../../src/api/kubeconfig.js';
import { httpsRequest, plainHttpProbe } from '../support/api-tls.js';
import { createCa, issueCert } from '../../src/api/auth/certs.js';
import { pkiFiles } from '../../src/api/auth/pki.js';
import { reportingFailure } from '../support/failure.js';

const SDK = '/usr/lib/google-cloud-sdk/bin';
const VERSIONS = ['1.27', '1.28', '1.29', '1.30', '1.31', '1.32', '1.33'].filter((v) => fs.existsSync(`${SDK}/kubectl.${v}`));
const TOKEN = 'e2e-token-0123456789';
const DAY = 86_400_000;

const isRoot = process.getuid?.() === 0;

describe('API security (issue 6)', { skip: isRoot ? false : 'needs root (a real daemon)' }, () => {
  let d: TestDaemon;
  let failed = false;
  let viewerKubeconfig: string;
  let ca: string;
  let base: string;
  const tokenDir = fs.mkdtempSync(path.join(os.tmpdir(), 'peapod-e2e-auth-tokens-'));

  before(async () => {
    const tokenFile = path.join(tokenDir, 'tokens.csv');
    fs.writeFileSync(tokenFile, `# the e2e suite's token\n${TOKEN},tess,42,"system:masters"\n`, { mode: 0o600 });
    d = await TestDaemon.start({ name: 'e2e-auth', podCidr: '10.88.211.0/24', extraArgs: ['--token-auth-file', tokenFile] });
    ca = d.cluster.ca!.toString();
    base = d.cluster.server;
    const minted = await d.peapod(['kubeconfig', '--user', 'vera', '--group', 'peapod:viewers', '--data-dir', d.paths.dataDir]);
    assert.equal(minted.code, 0, minted.stderr);
    viewerKubeconfig = path.join(d.paths.dataDir, 'vera.kubeconfig');
    fs.writeFileSync(viewerKubeconfig, minted.stdout, { mode: 0o600 });
    await d.k('run', 'web', '--image=localhost/busybox:latest', '--image-pull-policy=IfNotPresent', '--restart=Never', '--', 'sh', '-c', 'echo hello from web; sleep 3600');
    await d.k('create', 'secret', 'generic', 'db', '--from-literal=password=s3cret');
  });

  after(async () => {
    await d?.destroy(failed);
    fs.rmSync(tokenDir, { recursive: true, force: true });
  });

  const track = (fn: () => Promise<void>) => reportingFailure(fn, () => (failed = true));

  it('answers anonymous requests 401, except health and version', track(async () => {
    for (const p of ['/healthz', '/livez', '/readyz', '/version']) {
      assert.equal((await httpsRequest(base, 'GET', p, { ca })).code, 200, p);
    }
    for (const [m, p] of [['GET', '/api/v1/pods'], ['GET', '/api'], ['POST', '/api/v1/namespaces/default/pods'], ['GET', '/api/v1/namespaces/default/secrets/db']]) {
      // A body only on the POST: Node's client sends a GET's body unframed (no length, not chunked), which
      // the server reads as a second, malformed request on the connection.
      const r = await httpsRequest(base, m, p, m === 'POST' ? { ca, headers: { 'content-type': 'application/json' }, body: '{}' } : { ca });
      assert.equal(r.code, 401, `${m} ${p}`);
      assert.deepEqual(r.json, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'Unauthorized', reason: 'Unauthorized', code: 401 });
    }
  }));

  it('gives plain HTTP no answer with data', track(async () => {
    const port = Number(new URL(base).port);
    const got = await plainHttpProbe(port, '/api/v1/namespaces/default/secrets');
    assert.doesNotMatch(got, /s3cret|SecretList|"items"/);
  }));

  it('refuses a wrong token, an expired and a foreign client certificate with 401', track(async () => {
    assert.equal((await httpsRequest(base, 'GET', '/api/v1/pods', { ca, token: 'not-a-token' })).code, 401);
    assert.equal((await httpsRequest(base, 'GET', '/healthz', { ca, token: 'not-a-token' })).code, 401, 'a failed login is refused even where anonymous is allowed');
    const files = pkiFiles(d.paths.dataDir);
    const realCa = { certPem: fs.readFileSync(files.caCert, 'utf8'), keyPem: fs.readFileSync(files.caKey, 'utf8') };
    const expired = await issueCert(realCa, { kind: 'client', user: 'old', groups: ['system:masters'] }, { now: Date.now() - 10 * DAY, validDays: 2 });
    assert.equal((await httpsRequest(base, 'GET', '/api/v1/pods', { ca, client: expired })).code, 401);
    const foreignCa = await createCa('foreign', { now: Date.now(), validDays: 1 });
    const foreign = await issueCert(foreignCa, { kind: 'client', user: 'mallory', groups: ['system:masters'] }, { now: Date.now(), validDays: 1 });
    assert.equal((await httpsRequest(base, 'GET', '/api/v1/pods', { ca, client: foreign })).code, 401);
    const kc = path.join(d.paths.dataDir, 'bad-token.kubeconfig');
    fs.writeFileSync(kc, renderKubeconfig(base, { caPem: ca, token: 'wrong' }));
    const r = await d.kubectl(['get', 'pods'], { kubeconfig: kc });
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /Unauthorized/);
  }));

  it('lets a token from --token-auth-file in', track(async () => {
    const r = await httpsRequest(base, 'GET', '/api/v1/namespaces/default/pods', { ca, token: TOKEN });
    assert.equal(r.code, 200);
    assert.ok(r.json.items.some((p: { metadata: { name: string } }) => p.metadata.name === 'web'));
  }));

  it('gives a viewer reads and logs, and Kubernetes\' 403 for secrets, writes and exec', track(async () => {
    const v = (args: string[]) => d.kubectl(args, { kubeconfig: viewerKubeconfig });
    const list = await v(['get', 'pods']);
    assert.equal(list.code, 0, list.stderr);
    assert.match(list.stdout, /^web\s/m);
    await d.waitFor('web logs', async () => /hello from web/.test((await v(['logs', 'web'])).stdout));
    const secrets = await v(['get', 'secrets']);
    assert.equal(secrets.code, 1);
    assert.match(secrets.stderr, /Error from server \(Forbidden\): secrets is forbidden: User "vera" cannot list resource "secrets" in API group "" in the namespace "default"/);
    const secret = await v(['get', 'secret', 'db']);
    assert.match(secret.stderr, /secrets "db" is forbidden: User "vera" cannot get resource "secrets" in API group "" in the namespace "default"/);
    const create = await v(['create', 'configmap', 'x', '--from-literal=a=b']);
    assert.match(create.stderr, /configmaps is forbidden: User "vera" cannot create resource "configmaps" in API group "" in the namespace "default"/);
    const del = await v(['delete', 'pod', 'web', '--wait=false']);
    assert.match(del.stderr, /pods "web" is forbidden: User "vera" cannot delete resource "pods"/);
    const exec = await v(['auth', 'can-i', 'create', 'pods', '--subresource=exec']);
    assert.equal(exec.stdout.trim(), 'no');
    assert.equal(exec.code, 1);
    // The exec endpoint itself is refused before any handler runs.
    const cert = fs.readFileSync(viewerKubeconfig, 'utf8');
    const data = (k: string) => Buffer.from(new RegExp(`${k}: (\\S+)`).exec(cert)![1], 'base64').toString();
    const r = await httpsRequest(base, 'POST', '/api/v1/namespaces/default/pods/web/exec?command=sh&stdin=true', { ca, client: { certPem: data('client-certificate-data'), keyPem: data('client-key-data') } });
    assert.equal(r.code, 403);
    assert.equal(r.json.message, 'pods "web" is forbidden: User "vera" cannot create resource "pods/exec" in API group "" in the namespace "default"');
  }));

  it('answers kubectl auth can-i and whoami for each user', track(async () => {
    const v = (args: string[]) => d.kubectl(args, { kubeconfig: viewerKubeconfig });
    assert.equal((await v(['auth', 'can-i', 'list', 'pods'])).stdout.trim(), 'yes');
    assert.equal((await v(['auth', 'can-i', 'get', 'secrets'])).stdout.trim(), 'no');
    assert.equal((await v(['auth', 'can-i', 'create', 'pods'])).stdout.trim(), 'no');
    assert.equal((await d.kubectl(['auth', 'can-i', 'create', 'pods'])).stdout.trim(), 'yes');
    assert.equal((await d.kubectl(['auth', 'can-i', '*', '*'])).stdout.trim(), 'yes');
    const who = await v(['auth', 'whoami']);
    assert.equal(who.code, 0, who.stderr);
    assert.match(who.stdout, /Username\s+vera/);
    assert.match(who.stdout, /Groups\s+\[peapod:viewers system:authenticated\]/);
    const admin = await d.kubectl(['auth', 'whoami', '-o', 'json']);
    assert.equal(JSON.parse(admin.stdout).status.userInfo.username, 'peapod-admin');
  }));

  it('works with every bundled kubectl through the kubeconfig', track(async () => {
    for (const ver of VERSIONS) {
      const bin = `${SDK}/kubectl.${ver}`;
      const pods = await d.kubectl(['get', 'pods'], { bin });
      assert.equal(pods.code, 0, `kubectl ${ver}: ${pods.stderr}`);
      assert.match(pods.stdout, /^web\s/m, `kubectl ${ver}`);
      const denied = await d.kubectl(['get', 'secrets'], { bin, kubeconfig: viewerKubeconfig });
      assert.match(denied.stderr, /Forbidden/, `kubectl ${ver}`);
      const can = await d.kubectl(['auth', 'can-i', 'get', 'pods'], { bin, kubeconfig: viewerKubeconfig });
      assert.equal(can.stdout.trim(), 'yes', `kubectl ${ver}: ${can.stderr}`);
      const who = await d.kubectl(['auth', 'whoami'], { bin, kubeconfig: viewerKubeconfig });
      assert.match(who.stdout, /vera/, `kubectl ${ver} auth whoami: ${who.stderr}`);
    }
  }));

  it('keeps the peapod CLI working through the kubeconfig, and refuses a viewer\'s secret read', track(async () => {
    const got = await d.peapod(['get', 'pods']);
    assert.equal(got.code, 0, got.stderr);
    assert.match(got.stdout, /^web\s/m);
    const r = await run(process.execPath, [PEAPOD_BIN, 'get', 'secrets', '--kubeconfig', viewerKubeconfig]);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /Forbidden/);
  }));

  it('gives a local user other than root nothing: no kubeconfig, no key, no API', track(async () => {
    const asNobody = (file: string, args: string[]) =>
      run('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', '--', file, ...args]);
    const files = pkiFiles(d.paths.dataDir);
    for (const f of [d.kubeconfig, files.caKey, files.adminKey, d.paths.dbPath]) {
      const r = await asNobody('/bin/cat', [f]);
      assert.notEqual(r.code, 0, `nobody read ${f}`);
      assert.match(r.stderr, /Permission denied/, f);
    }
    const kc = await asNobody(process.execPath, [PEAPOD_BIN, 'kubeconfig', '--data-dir', d.paths.dataDir]);
    assert.notEqual(kc.code, 0);
    assert.match(kc.stderr, /permission denied/);
    const mint = await asNobody(process.execPath, [PEAPOD_BIN, 'kubeconfig', '--user', 'me', '--group', 'system:masters', '--data-dir', d.paths.dataDir]);
    assert.notEqual(mint.code, 0);
    // The API itself: without credentials, nothing but 401 (the request is made as nobody, over loopback).
    const script = `const https=require('https');https.get(${JSON.stringify(base + '/api/v1/namespaces/default/secrets')},{rejectUnauthorized:false},r=>{let b='';r.on('data',d=>b+=d);r.on('end',()=>console.log(r.statusCode,b))}).on('error',e=>console.log('error',e.message))`;
    const api = await asNobody(process.execPath, ['-e', script]);
    assert.match(api.stdout, /^401 /);
    assert.doesNotMatch(api.stdout, /s3cret|czNjcmV0/);
  }));

  it('keeps its keys and kubeconfig private to root', track(async () => {
    const files = pkiFiles(d.paths.dataDir);
    for (const f of [files.caKey, files.servingKey, files.adminKey, d.kubeconfig]) {
      const st = fs.statSync(f);
      assert.equal(st.mode & 0o077, 0, `${f} is ${(st.mode & 0o777).toString(8)}`);
      assert.equal(st.uid, 0);
    }
    assert.equal(fs.statSync(files.dir).mode & 0o777, 0o700);
  }));
});
