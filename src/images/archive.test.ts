// Loading small archives built in a temp dir with GNU tar: format detection, names, digests, metadata
// persistence and removal. No root needed: the layers hold plain files, no devices, xattrs or whiteouts.

import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { nodePaths } from '../node/paths.js';
import { FakeClock } from '../system/clock.js';
import { HostExec } from '../system/exec.js';
import { silentLogger } from '../system/logger.js';
import { chainIdOf } from './chain-id.js';
import { LocalImageService } from './local-image-service.js';
import { imageConfig, tarLayer, writeDockerArchive, writeOciArchive, type FixtureLayer } from './test-archives.js';

const exec = new HostExec();
let tmp: string;
let base: FixtureLayer;
let top: FixtureLayer;

function newService(dataDir: string): LocalImageService {
  return new LocalImageService({ paths: nodePaths(dataDir), exec, logger: silentLogger(), clock: new FakeClock() });
}

async function freshService(name: string): Promise<LocalImageService> {
  const svc = newService(path.join(tmp, name));
  await svc.init();
  return svc;
}

async function layersOnDisk(svc: LocalImageService): Promise<string[]> {
  return (await fs.readdir(svc.layout.layersDir)).sort();
}

before(async () => {
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'peapod-images-unit-'));
  const a = path.join(tmp, 'src-a');
  await fs.mkdir(path.join(a, 'etc'), { recursive: true });
  await fs.writeFile(path.join(a, 'etc', 'hello'), 'hello\n');
  base = await tarLayer(exec, a);
  const b = path.join(tmp, 'src-b');
  await fs.mkdir(path.join(b, 'etc'), { recursive: true });
  await fs.writeFile(path.join(b, 'etc', 'top'), 'top\n');
  top = await tarLayer(exec, b);
});

after(async () => {
  await fs.rm(tmp, { recursive: true, force: true });
});

test('an OCI archive loads with its ref.name as a normalised tag and the manifest as repo digest', async () => {
  const svc = await freshService('oci');
  const out = path.join(tmp, 'oci.tar');
  const { manifestDigest, configDigest } = await writeOciArchive({ exec, outPath: out, layers: [base, top], refName: 'localhost/two:v1' });
  const [img] = await svc.loadArchive(out);
  assert.equal(img?.id, configDigest);
  assert.deepEqual(img?.repoTags, ['localhost/two:v1']);
  assert.deepEqual(img?.repoDigests, [`localhost/two@${manifestDigest}`]);
  assert.deepEqual(img?.layers, [base.diffId, top.diffId]);
  assert.deepEqual(img?.config.cmd, ['sh']);
  assert.equal(await fs.readFile(path.join(svc.layout.layerDiffDir(chainIdOf([base.diffId], top.diffId)), 'etc', 'top'), 'utf8'), 'top\n');
  assert.equal((await svc.imageStatus('localhost/two:v1'))?.id, configDigest);
  assert.equal((await svc.imageStatus(`localhost/two@${manifestDigest}`))?.id, configDigest);
  assert.equal((await svc.imageStatus(configDigest.slice(7, 12)))?.id, configDigest);
});

test('a nested index loads its linux/amd64 manifest', async () => {
  const svc = await freshService('nested');
  const out = path.join(tmp, 'nested.tar');
  const { configDigest } = await writeOciArchive({ exec, outPath: out, layers: [base], refName: 'localhost/nested:1', nested: true });
  const imgs = await svc.loadArchive(out);
  assert.deepEqual(imgs.map((i) => [i.id, i.repoTags]), [[configDigest, ['localhost/nested:1']]]);
});

test('a docker archive loads with RepoTags and shares layers with an OCI image already present', async () => {
  const svc = await freshService('docker');
  await writeOciArchive({ exec, outPath: path.join(tmp, 'd-oci.tar'), layers: [base], refName: 'localhost/one:1' });
  await svc.loadArchive(path.join(tmp, 'd-oci.tar'));
  const out = path.join(tmp, 'docker.tar');
  const { configDigest } = await writeDockerArchive({ exec, outPath: out, layers: [base, top], repoTags: ['busybox:x'] });
  const [img] = await svc.loadArchive(out);
  assert.equal(img?.id, configDigest);
  assert.deepEqual(img?.repoTags, ['docker.io/library/busybox:x']);
  assert.deepEqual(img?.repoDigests, []);
  assert.deepEqual(await layersOnDisk(svc), [base.diffId.slice(7), chainIdOf([base.diffId], top.diffId).slice(7)].sort());
});

test('an archive without names stores the image by id only', async () => {
  const svc = await freshService('noname');
  const out = path.join(tmp, 'noname.tar');
  const { configDigest } = await writeDockerArchive({ exec, outPath: out, layers: [base], repoTags: null });
  const [img] = await svc.loadArchive(out);
  assert.deepEqual(img?.repoTags, []);
  assert.equal((await svc.imageStatus(configDigest))?.id, configDigest);
});

test('the catalog survives a restart of the service', async () => {
  const dataDir = path.join(tmp, 'restart');
  const svc = newService(dataDir);
  await svc.init();
  await writeOciArchive({ exec, outPath: path.join(tmp, 'r.tar'), layers: [base], refName: 'localhost/r:1' });
  await svc.loadArchive(path.join(tmp, 'r.tar'));
  const again = newService(dataDir);
  await again.init();
  assert.deepEqual(await again.listImages(), await svc.listImages());
});

test('loading a tag already held by another image moves the tag', async () => {
  const svc = await freshService('retag');
  await writeOciArchive({ exec, outPath: path.join(tmp, 'm1.tar'), layers: [base], refName: 'localhost/m:1' });
  await writeOciArchive({ exec, outPath: path.join(tmp, 'm2.tar'), layers: [base, top], refName: 'localhost/m:1' });
  const [first] = await svc.loadArchive(path.join(tmp, 'm1.tar'));
  const [second] = await svc.loadArchive(path.join(tmp, 'm2.tar'));
  assert.deepEqual((await svc.imageStatus(first!.id))?.repoTags, []);
  assert.equal((await svc.imageStatus('localhost/m:1'))?.id, second!.id);
});

test('removing an image deletes the layers and blobs no other image uses', async () => {
  const svc = await freshService('remove');
  await writeOciArchive({ exec, outPath: path.join(tmp, 'x1.tar'), layers: [base], refName: 'localhost/x:1' });
  await writeOciArchive({ exec, outPath: path.join(tmp, 'x2.tar'), layers: [base, top], refName: 'localhost/x:2' });
  await svc.loadArchive(path.join(tmp, 'x1.tar'));
  await svc.loadArchive(path.join(tmp, 'x2.tar'));
  const blobsBefore = (await fs.readdir(svc.layout.blobsDir)).length;
  await svc.removeImage('localhost/x:2');
  assert.equal(await svc.imageStatus('localhost/x:2'), undefined);
  assert.deepEqual(await layersOnDisk(svc), [base.diffId.slice(7)]);
  assert.equal((await fs.readdir(svc.layout.blobsDir)).length, blobsBefore - 3); // manifest, config, top layer
  await svc.removeImage('localhost/x:1');
  assert.deepEqual(await layersOnDisk(svc), []);
  assert.deepEqual(await fs.readdir(svc.layout.blobsDir), []);
  await svc.removeImage('localhost/x:1'); // idempotent
});

test('removing one of two tags only untags', async () => {
  const svc = await freshService('untag');
  await writeOciArchive({ exec, outPath: path.join(tmp, 'u1.tar'), layers: [base], refName: 'localhost/u:1' });
  await writeOciArchive({ exec, outPath: path.join(tmp, 'u2.tar'), layers: [base], refName: 'localhost/u:2' });
  await svc.loadArchive(path.join(tmp, 'u1.tar'));
  const [img] = await svc.loadArchive(path.join(tmp, 'u2.tar'));
  assert.deepEqual(img?.repoTags, ['localhost/u:1', 'localhost/u:2']);
  await svc.removeImage('localhost/u:1');
  assert.deepEqual((await svc.imageStatus(img!.id))?.repoTags, ['localhost/u:2']);
  assert.equal((await layersOnDisk(svc)).length, 1);
});

test('concurrent loads of images sharing a layer unpack it once', async () => {
  const svc = await freshService('concurrent');
  await writeOciArchive({ exec, outPath: path.join(tmp, 'c1.tar'), layers: [base], refName: 'localhost/c:1' });
  await writeOciArchive({ exec, outPath: path.join(tmp, 'c2.tar'), layers: [base, top], refName: 'localhost/c:2' });
  await Promise.all([svc.loadArchive(path.join(tmp, 'c1.tar')), svc.loadArchive(path.join(tmp, 'c2.tar'))]);
  const rec = JSON.parse(await fs.readFile(svc.layout.layerRecordPath(base.diffId), 'utf8')) as { createdAt: number };
  assert.equal(typeof rec.createdAt, 'number');
  assert.equal((await svc.listImages()).length, 2);
  assert.deepEqual(await fs.readdir(svc.layout.tmpDir), []);
});

const bad: [string, (p: string) => Promise<void>, RegExp][] = [
  ['a file that is not a tar is rejected', (p) => fs.writeFile(p, 'not a tar archive at all'.repeat(40)), /not a readable tar archive/],
  ['a tar with neither layout is rejected', async (p) => {
    await fs.mkdir(`${p}.d`);
    await fs.writeFile(`${p}.d/hello`, 'x');
    await exec.run('tar', ['-cf', p, '-C', `${p}.d`, '.']);
  }, /neither an OCI archive/],
  ['a layer whose content does not match the config diff id is rejected', async (p) => {
    await writeOciArchive({ exec, outPath: p, layers: [top], config: imageConfig([base]), refName: 'localhost/bad:1' });
  }, /diff id mismatch/],
  ['a missing file is rejected', async () => {}, /no such file/],
];
for (const [name, make, want] of bad) {
  test(`loadArchive: ${name}`, async () => {
    const svc = await freshService(`bad-${name.length}-${name.slice(2, 12).replace(/\W/g, '')}`);
    const p = path.join(tmp, `bad-${name.replace(/\W/g, '').slice(0, 20)}.tar`);
    await make(p);
    await assert.rejects(svc.loadArchive(p), (e: Error) => want.test(e.message) && e.message.startsWith(`load archive "${p}"`));
    assert.equal((await svc.listImages()).length, 0);
    assert.deepEqual(await fs.readdir(svc.layout.tmpDir), []);
  });
}

test('importRootfs makes a one-layer image with the given process config and the same id every time', async () => {
  const svc = await freshService('import');
  const tarPath = path.join(tmp, 'rootfs.tar.gz');
  await fs.writeFile(tarPath, gzipSync(base.tar));
  const img = await svc.importRootfs(tarPath, 'localhost/imp', { cmd: ['sh'], env: ['A=1'], workingDir: '/w', user: '1:1', stopSignal: 'SIGINT' });
  assert.deepEqual(img.repoTags, ['localhost/imp:latest']);
  assert.deepEqual(img.layers, [base.diffId]);
  assert.deepEqual(
    [img.config.cmd, img.config.env, img.config.workingDir, img.config.user, img.config.stopSignal],
    [['sh'], ['A=1'], '/w', '1:1', 'SIGINT'],
  );
  const again = await svc.importRootfs(tarPath, 'localhost/imp:2', { cmd: ['sh'], env: ['A=1'], workingDir: '/w', user: '1:1', stopSignal: 'SIGINT' });
  assert.equal(again.id, img.id);
  assert.deepEqual(again.repoTags, ['localhost/imp:latest', 'localhost/imp:2']);
});

test('pullImage of a malformed reference fails before any network access', async () => {
  const svc = await freshService('pull');
  await assert.rejects(svc.pullImage('Bad Name'), /invalid image reference/);
});

test('importRootfs accepts a zstd-compressed tarball and verifies the same diff id', async () => {
  const svc = await freshService('zstd');
  const plain = path.join(tmp, 'zrootfs.tar');
  await fs.writeFile(plain, top.tar);
  const r = await exec.run('zstd', ['-q', '-f', plain, '-o', `${plain}.zst`]);
  assert.equal(r.code, 0, r.stderr);
  const img = await svc.importRootfs(`${plain}.zst`, 'localhost/z:1');
  assert.deepEqual(img.layers, [top.diffId]);
  assert.equal(await fs.readFile(path.join(svc.layout.layerDiffDir(top.diffId), 'etc', 'top'), 'utf8'), 'top\n');
});
