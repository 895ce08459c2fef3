// End to end, issue 10: pods pull their images from a real registry on loopback (Debian's docker-registry
// over TLS from a test CA, htpasswd auth), through the real kubectl: imagePullSecrets made with
// `kubectl create secret docker-registry`, the kubelet's events and waiting reasons, imageID as
// repo@digest, a wrong password, a missing tag, a corrupt blob, a connection dropped mid-layer, two pods
// pulling one image at once, a multi-platform index, bearer tokens, the node's config.json, and
// `peapod image pull|ls|prune`. Nothing here reaches any address but loopback.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { TestDaemon } from '../support/daemon.js';
import { reportingFailure } from '../support/failure.js';
import { buildBusyboxImage, startRegistry, type BuiltImage, type Registry } from '../support/registry.js';
import { startProxy, type RegistryProxy } from '../support/registry-proxy.js';

const ROOT = process.getuid?.() === 0;
const USER = 'alice';
const PASS = 'pull-s3cret';

describe('registry pulls (issue 10)', { skip: ROOT ? false : 'needs root: run the tests as root' }, () => {
  let d: TestDaemon;
  let reg: Registry;
  let proxy: RegistryProxy;
  let work: string;
  let failed = false;
  const images: Record<string, { built: BuiltImage; digest: string }> = {};

  before(async () => {
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'peapod-e2e-pulls-'));
    reg = await startRegistry({ auth: { username: USER, password: PASS } });
    proxy = await startProxy({ registry: reg });
    const layout = path.join(work, 'layout');
    const build = async (name: string, extra: string, opts: { index?: string[] } = {}) => {
      const built = await buildBusyboxImage({
        layout,
        tag: name,
        extraLayers: [{ files: [{ path: 'srv/hello.txt', content: `${extra}\n` }, { path: `srv/${name}.bin`, randomBytes: 300_000, seed: name }] }],
        ...(opts.index ? { index: opts.index } : {}),
      });
      images[name] = { built, digest: await reg.push(built, `team/${name}:1.4`) };
    };
    for (const name of ['app', 'corrupt', 'flaky', 'same', 'bearer', 'cli', 'node']) await build(name, `hello from ${name}`);
    await build('multi', 'multi', { index: ['linux/arm64/v8', 'linux/amd64', 'linux/arm/v7'] });
    const mani = images.corrupt!.built.manifests[0]!;
    await reg.corruptBlob(mani.layers[mani.layers.length - 1]!.digest);

    d = await TestDaemon.start({ name: 'e2e-pulls', podCidr: '10.88.229.0/24', extraArgs: ['--max-image-upload', '2Mi'] });
    const certsD = path.join(d.paths.dataDir, 'certs.d');
    await reg.writeCertsD(certsD);
    fs.mkdirSync(path.join(certsD, proxy.host), { recursive: true });
    fs.writeFileSync(path.join(certsD, proxy.host, 'ca.crt'), reg.caCertPem);
    await d.k('create', 'secret', 'docker-registry', 'regcred', `--docker-server=${reg.host}`, `--docker-username=${USER}`, `--docker-password=${PASS}`);
    await d.k('create', 'secret', 'docker-registry', 'proxycred', `--docker-server=${proxy.host}`, `--docker-username=${USER}`, `--docker-password=${PASS}`);
    await d.k('create', 'secret', 'docker-registry', 'badcred', `--docker-server=${reg.host}`, `--docker-username=${USER}`, '--docker-password=wrong-password-xyz');
  });
  after(async () => {
    await d?.destroy(failed);
    await proxy?.stop();
    await reg?.stop();
    if (work) fs.rmSync(work, { recursive: true, force: true });
  });

  const step = (title: string, fn: () => Promise<void>) => it(title, reportingFailure(fn, () => (failed = true)));
  const podYaml = (name: string, image: string, secrets: string[] = [], extra = '') => `apiVersion: v1
kind: Pod
metadata: {name: ${name}}
spec:
  terminationGracePeriodSeconds: 1
${secrets.length ? `  imagePullSecrets: [${secrets.map((s) => `{name: ${s}}`).join(', ')}]\n` : ''}  containers:
  - name: c
    image: ${image}
    command: ["sh", "-c", "cat /srv/hello.txt; cat /platform.txt 2>/dev/null; exec sleep 100000"]${extra}
`;
  const apply = (yaml: string) => d.kubectl(['apply', '-f', '-'], { input: yaml });
  const status = async (name: string) => (await d.getJson('pod', name)).status?.containerStatuses?.[0];
  const running = (name: string, timeoutMs = 60_000) =>
    d.waitFor(`${name} running`, async () => ((await status(name))?.state?.running ? status(name) : false), timeoutMs);
  const waiting = (name: string, reason: string, timeoutMs = 60_000) =>
    d.waitFor(`${name} waiting with ${reason}`, async () => {
      const s = await status(name);
      return s?.state?.waiting?.reason === reason ? (s.state.waiting.message as string) : false;
    }, timeoutMs);
  const events = async (name: string) =>
    (await d.getJson('events', '--field-selector', `involvedObject.name=${name}`)).items.map((e: { reason: string; message: string }) => `${e.reason}: ${e.message}`) as string[];

  step('a private image with imagePullSecrets: ContainerCreating → Running, Pulling/Pulled events, imageID as repo@digest', async () => {
    const image = reg.ref('team/app:1.4');
    const r = await apply(podYaml('app', image, ['regcred']));
    assert.equal(r.code, 0, r.stderr);
    const s = await running('app');
    assert.equal(s.image, image);
    assert.equal(s.imageID, `${reg.host}/team/app@${images.app!.digest}`);
    assert.equal((await d.kubectl(['logs', 'app'])).stdout, 'hello from app\n');
    const ev = await events('app');
    assert.ok(ev.includes(`Pulling: Pulling image "${image}"`), ev.join('\n'));
    assert.ok(ev.some((e) => new RegExp(`^Pulled: Successfully pulled image "${image.replace(/[.]/g, '\\.')}" in [\\d.]+m?s \\([\\d.]+m?s including waiting\\)\\. Image size: \\d+ bytes\\.$`).test(e)), ev.join('\n'));
    const describe = await d.k('describe', 'pod', 'app');
    assert.match(describe, /Successfully pulled image/);
  });

  step('a wrong password: ErrImagePull, then ImagePullBackOff naming the auth failure; the password appears nowhere', async () => {
    const image = reg.ref('team/cli:1.4');
    assert.equal((await apply(podYaml('badauth', image, ['badcred']))).code, 0);
    const first = await waiting('badauth', 'ErrImagePull');
    assert.match(first, /401 Unauthorized/);
    assert.match(first, /authentication failed with the credentials of secret default\/badcred/);
    const backoff = await waiting('badauth', 'ImagePullBackOff', 40_000);
    assert.match(backoff, new RegExp(`Back-off pulling image "${image.replace(/[.]/g, '\\.')}": ErrImagePull: .*401 Unauthorized`));
    const ev = await events('badauth');
    assert.ok(ev.some((e) => e.startsWith('Failed: Failed to pull image') && /401/.test(e)), ev.join('\n'));
    assert.ok(ev.some((e) => e === `BackOff: Back-off pulling image "${image}"`), ev.join('\n'));
    const describe = await d.k('describe', 'pod', 'badauth');
    for (const text of [JSON.stringify(ev), describe, d.log()]) assert.doesNotMatch(text, /wrong-password-xyz|pull-s3cret/);
    // Without any credentials the registry's demand is named too.
    assert.equal((await apply(podYaml('noauth', image))).code, 0);
    assert.match(await waiting('noauth', 'ErrImagePull'), /authentication required/);
    // Gone before the node config.json step below, whose credentials would let their retries succeed.
    await d.k('delete', 'pod', 'badauth', 'noauth', '--grace-period=1');
  });

  step('a missing tag and a corrupt layer blob: ErrImagePull with the reason; nothing partial is kept', async () => {
    assert.equal((await apply(podYaml('notag', reg.ref('team/app:nope'), ['regcred']))).code, 0);
    assert.match(await waiting('notag', 'ErrImagePull'), new RegExp(`${reg.host.replace(/[.]/g, '\\.')}/team/app:nope: not found`));
    assert.equal((await apply(podYaml('corrupt', reg.ref('team/corrupt:1.4'), ['regcred']))).code, 0);
    assert.match(await waiting('corrupt', 'ErrImagePull'), /digest mismatch/);
    const tmp = path.join(d.paths.imagesDir, 'tmp');
    await d.waitFor('no pull leftovers in the image store', async () => fs.readdirSync(tmp).length === 0);
    const ls = await d.peapod(['image', 'ls']);
    assert.doesNotMatch(ls.stdout, /team\/corrupt/);
  });

  step('a registry that drops the connection mid-layer: the pull resumes with a Range request and the pod runs', async () => {
    proxy.setMode({ kind: 'drop-mid-blob', times: 1, minSize: 100_000 }); // the app layer, not the config
    const mani = images.flaky!.built.manifests[0]!;
    const big = mani.layers[mani.layers.length - 1]!.digest;
    assert.equal((await apply(podYaml('flaky', `${proxy.host}/team/flaky:1.4`, ['proxycred']))).code, 0);
    await running('flaky');
    assert.equal(proxy.faults, 1);
    assert.equal(proxy.requests.find((r) => r.fault === 'drop-mid-blob')?.path.split('/').pop(), big);
    assert.ok(proxy.ranges(big).some((r) => r?.startsWith('bytes=') && r !== 'bytes=0-'), `ranges ${JSON.stringify(proxy.ranges(big))}`);
    proxy.setMode({ kind: 'pass' });
  });

  step('two pods pulling one image at once: both run, each blob fetched once', async () => {
    proxy.resetStats();
    const image = `${proxy.host}/team/same:1.4`;
    const [a, b] = await Promise.all([apply(podYaml('same-a', image, ['proxycred'])), apply(podYaml('same-b', image, ['proxycred']))]);
    assert.equal(a.code + b.code, 0);
    await running('same-a');
    await running('same-b');
    const mani = images.same!.built.manifests[0]!;
    const unique = mani.layers[mani.layers.length - 1]!.digest;
    assert.equal(proxy.blobGets(unique), 1);
  });

  step('a multi-platform index: the node platform is chosen; imageID names the index digest', async () => {
    assert.equal((await apply(podYaml('multi', reg.ref('team/multi:1.4'), ['regcred']))).code, 0);
    const s = await running('multi');
    assert.equal(s.imageID, `${reg.host}/team/multi@${images.multi!.digest}`);
    const want = process.arch === 'x64' ? 'linux/amd64' : process.arch === 'arm64' ? 'linux/arm64/v8' : '';
    await d.waitFor('the platform printed', async () => (await d.kubectl(['logs', 'multi'])).stdout.includes(want));
  });

  step('bearer tokens (the Docker Hub flow) with a scope per repository', async () => {
    proxy.resetStats();
    proxy.setMode({ kind: 'bearer' });
    assert.equal((await apply(podYaml('bearer', `${proxy.host}/team/bearer:1.4`, ['proxycred']))).code, 0);
    await running('bearer');
    assert.ok(proxy.tokenRequests.some((t) => t.granted && t.user === USER && t.scopes.includes('repository:team/bearer:pull')), JSON.stringify(proxy.tokenRequests));
    proxy.setMode({ kind: 'pass' });
  });

  step('the node config.json gives credentials to pods without imagePullSecrets, read at pull time', async () => {
    const auth = Buffer.from(`${USER}:${PASS}`).toString('base64');
    fs.writeFileSync(path.join(d.paths.dataDir, 'config.json'), JSON.stringify({ auths: { [`https://${reg.host}`]: { auth } } }), { mode: 0o600 });
    try {
      assert.equal((await apply(podYaml('nodecreds', reg.ref('team/node:1.4')))).code, 0);
      await running('nodecreds');
    } finally {
      fs.rmSync(path.join(d.paths.dataDir, 'config.json'), { force: true });
    }
  });

  step('peapod image pull (piped: plain lines), image ls with the digest, image prune', async () => {
    const ref = reg.ref('team/cli:1.4');
    const bad = await d.peapod(['image', 'pull', '--creds', `${USER}:nope`, ref]);
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /Error: .*401 Unauthorized/);
    const r = await d.peapod(['image', 'pull', '--creds', `${USER}:${PASS}`, ref]);
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.trim().split('\n');
    assert.ok(lines.some((l) => /: Pull complete$/.test(l)), r.stdout);
    assert.ok(lines.includes(`Digest: ${images.cli!.digest}`), r.stdout);
    assert.match(lines[lines.length - 1]!, /^sha256:[0-9a-f]{64}$/);
    const ls = await d.peapod(['image', 'ls']);
    assert.match(ls.stdout, new RegExp(`${reg.host.replace(/[.]/g, '\\.')}/team/cli\\s+1\\.4\\s+${images.cli!.digest.slice(7, 19)}`));
    const pruned = await d.peapod(['image', 'prune', '--all', '-f']);
    assert.equal(pruned.code, 0, pruned.stderr);
    assert.match(pruned.stdout, /Total reclaimed space/);
    const after = (await d.peapod(['image', 'ls'])).stdout;
    assert.doesNotMatch(after, /team\/cli/);
    assert.match(after, /team\/app/, 'an image in use is kept');
  });

  step('kubectl 1.27 and the newest show the pull states in get and describe', async () => {
    for (const v of ['1.27', '1.33']) {
      const bin = `/usr/lib/google-cloud-sdk/bin/kubectl.${v}`;
      if (!fs.existsSync(bin)) continue;
      const name = `k${v.replace('.', '')}`;
      const sec = await d.kubectl(['create', 'secret', 'docker-registry', `${name}cred`, `--docker-server=${reg.host}`, `--docker-username=${USER}`, `--docker-password=${PASS}`], { bin });
      assert.equal(sec.code, 0, sec.stderr);
      const ok = await d.kubectl(['apply', '-f', '-'], { bin, input: podYaml(`${name}-ok`, reg.ref('team/app:1.4'), [`${name}cred`]) });
      assert.equal(ok.code, 0, ok.stderr);
      const bad = await d.kubectl(['apply', '-f', '-'], { bin, input: podYaml(`${name}-bad`, reg.ref('team/app:missing'), [`${name}cred`]) });
      assert.equal(bad.code, 0, bad.stderr);
      await running(`${name}-ok`);
      await d.waitFor(`kubectl ${v} get shows the pull error`, async () => {
        const out = (await d.kubectl(['get', 'pod', `${name}-bad`, '--no-headers'], { bin })).stdout;
        return /ErrImagePull|ImagePullBackOff/.test(out);
      });
      const desc = (await d.kubectl(['describe', 'pod', `${name}-ok`], { bin })).stdout;
      assert.match(desc, /Image ID:\s+127\.0\.0\.1:\d+\/team\/app@sha256:[0-9a-f]{64}/);
      await d.kubectl(['delete', 'pod', `${name}-ok`, `${name}-bad`, '--grace-period=1'], { bin });
    }
  });

  step('an image upload over --max-image-upload is refused with 413 and leaves nothing behind', async () => {
    const big = path.join(work, 'big.tar');
    fs.writeFileSync(big, Buffer.alloc(3 << 20, 7));
    const r = await d.peapod(['image', 'load', '-i', big]);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /exceeds the limit of 2\.0 MiB \(--max-image-upload\)/);
    assert.deepEqual(fs.readdirSync(path.join(d.paths.dataDir, 'tmp')).filter((f) => f.startsWith('upload-')), []);
  });

  step('mutual TLS: a registry that demands a client certificate gets the one in certs.d/HOST:PORT (client.cert, client.key)', async () => {
    const mtls = await startRegistry({ requireClientCert: true });
    try {
      const built = await buildBusyboxImage({ layout: path.join(work, 'mtls-layout'), tag: 'm', extraLayers: [{ files: [{ path: 'srv/hello.txt', content: 'hello over mutual TLS\n' }] }] });
      await mtls.push(built, 'team/mtls:1');
      const dir = path.join(d.paths.dataDir, 'certs.d', mtls.host);
      fs.mkdirSync(dir, { recursive: true });
      fs.writeFileSync(path.join(dir, 'ca.crt'), mtls.caCertPem);
      assert.equal((await apply(podYaml('mtls-none', mtls.ref('team/mtls:1')))).code, 0);
      const refused = await waiting('mtls-none', 'ErrImagePull');
      assert.match(refused, /certificate|tls|socket hang up|ECONNRESET/i);
      // Read at pull time: the pair added while the daemon runs is used by the next attempt.
      fs.writeFileSync(path.join(dir, 'client.cert'), mtls.clientCert!.certPem);
      fs.writeFileSync(path.join(dir, 'client.key'), mtls.clientCert!.keyPem, { mode: 0o600 });
      assert.equal((await apply(podYaml('mtls', mtls.ref('team/mtls:1')))).code, 0);
      await running('mtls');
      assert.equal((await d.kubectl(['logs', 'mtls'])).stdout, 'hello over mutual TLS\n');
      await d.k('delete', 'pod', 'mtls', 'mtls-none', '--grace-period=1');
    } finally {
      await mtls.stop();
    }
  });
});
