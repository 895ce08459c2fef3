// Issue 13, host safety: what one layer may make the node hold (the uncompressed size, sparse members,
// the listing), what a failed load leaves behind, and layers keyed by chain id so one image cannot change
// what another image's rootfs shows. No root needed: the layers hold plain files of the current user.

import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { nodePaths } from '../node/paths.js';
import { FakeClock } from '../system/clock.js';
import { HostExec, MAX_EXEC_OUTPUT_BYTES, runChecked } from '../system/exec.js';
import { silentLogger } from '../system/logger.js';
import { chainIdOf } from './chain-id.js';
import { LocalImageService } from './local-image-service.js';
import { imageConfig, tarLayer, writeOciArchive, type FixtureLayer } from './test-archives.js';
import type { LayerLimits } from './unpack.js';

const exec = new HostExec();
let tmp: string;
let base: FixtureLayer;
let n = 0;

async function service(limits?: LayerLimits): Promise<LocalImageService> {
  const svc = new LocalImageService({ paths: nodePaths(path.join(tmp, `svc-${n++}`)), exec, logger: silentLogger(), clock: new FakeClock(), ...(limits ? { limits } : {}) });
  await svc.init();
  return svc;
}

/** Everything the store holds besides its empty dirs: blobs, layers, short links and staging leftovers. */
async function storeContents(svc: LocalImageService): Promise<string[]> {
  const out: string[] = [];
  for (const d of [svc.layout.blobsDir, svc.layout.layersDir, svc.layout.linksDir, svc.layout.tmpDir]) {
    for (const name of await fs.readdir(d)) out.push(`${path.basename(d)}/${name}`);
  }
  return out.sort();
}

async function writeFileAt(p: string, data: string | Buffer): Promise<void> {
  await fs.mkdir(path.dirname(p), { recursive: true });
  await fs.writeFile(p, data);
}

before(async () => {
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'peapod-layer-limits-'));
  const a = path.join(tmp, 'src-base');
  await writeFileAt(path.join(a, 'etc', 'hello'), 'hello\n');
  base = await tarLayer(exec, a);
});

after(async () => {
  await fs.rm(tmp, { recursive: true, force: true });
});

/** A tar of one file of `bytes` zeros. */
async function zerosTar(name: string, bytes: number): Promise<string> {
  const dir = path.join(tmp, `zeros-${name}`);
  await writeFileAt(path.join(dir, 'zeros'), Buffer.alloc(bytes));
  const out = path.join(tmp, `${name}.tar`);
  await runChecked(exec, 'tar', ['-cf', out, '-C', dir, '.']);
  return out;
}

test('a gzip layer that inflates past --max-layer-size is refused and the import leaves nothing', async () => {
  const svc = await service({ maxLayerBytes: 1 << 20 });
  const bomb = path.join(tmp, 'bomb.tar.gz');
  await fs.writeFile(bomb, gzipSync(await fs.readFile(await zerosTar('gz', 8 << 20))));
  assert.ok((await fs.stat(bomb)).size < 64 << 10);
  await assert.rejects(svc.importRootfs(bomb, 'localhost/bomb:1'), /larger than the limit of 1048576 bytes \(--max-layer-size\)/);
  assert.deepEqual(await storeContents(svc), []);
});

test('a zstd layer that inflates past --max-layer-size is refused, its scratch tar bounded', async () => {
  const svc = await service({ maxLayerBytes: 1 << 20 });
  const plain = await zerosTar('zst', 8 << 20);
  await runChecked(exec, 'zstd', ['-q', '-f', plain, '-o', `${plain}.zst`]);
  await assert.rejects(svc.importRootfs(`${plain}.zst`, 'localhost/bomb:1'), /larger than the limit of 1048576 bytes \(--max-layer-size\)/);
  assert.deepEqual(await storeContents(svc), []);
});

test('a plain tar layer past --max-layer-size is refused; one under it loads', async () => {
  const svc = await service({ maxLayerBytes: 1 << 20 });
  await assert.rejects(svc.importRootfs(await zerosTar('plain-big', 2 << 20), 'localhost/big:1'), /--max-layer-size/);
  assert.deepEqual(await storeContents(svc), []);
  const img = await svc.importRootfs(await zerosTar('plain-small', 512 << 10), 'localhost/small:1');
  assert.equal(img.layers.length, 1);
});

for (const format of ['gnu', 'posix']) {
  test(`a layer with a sparse member (${format} format) is refused before extraction: 10 KB must not become 5 GB`, async () => {
    const src = path.join(tmp, `sparse-${format}`);
    await fs.mkdir(src, { recursive: true });
    const fh = await fs.open(path.join(src, 'big'), 'w');
    await fh.truncate(5 * 1024 ** 3);
    await fh.close();
    const tarPath = path.join(tmp, `sparse-${format}.tar`);
    await runChecked(exec, 'tar', [`--format=${format}`, '-S', '-cf', tarPath, '-C', src, '.']);
    assert.ok((await fs.stat(tarPath)).size < 64 << 10);
    const svc = await service();
    await assert.rejects(svc.importRootfs(tarPath, 'localhost/sparse:1'), /sparse file/);
    assert.deepEqual(await storeContents(svc), []);
  });
}

test('a failed archive load removes the blobs and layers it wrote, but not those another image uses', async () => {
  const svc = await service({ maxLayerBytes: 1 << 20 });
  const okArchive = path.join(tmp, 'ok.tar');
  await writeOciArchive({ exec, outPath: okArchive, layers: [base], refName: 'localhost/ok:1' });
  await svc.loadArchive(okArchive);
  const kept = await storeContents(svc);
  // A second image: the shared base, a good new layer, then a bomb: the first two are unpacked first.
  const mid = await tarLayer(exec, await (async () => {
    const d = path.join(tmp, 'src-mid');
    await writeFileAt(path.join(d, 'usr', 'mid'), 'mid\n');
    return d;
  })());
  await zerosTar('archive-bomb', 4 << 20);
  const bomb = await tarLayer(exec, path.join(tmp, 'zeros-archive-bomb'));
  const bad = path.join(tmp, 'bad.tar');
  await writeOciArchive({ exec, outPath: bad, layers: [base, mid, bomb], refName: 'localhost/bad:1' });
  await assert.rejects(svc.loadArchive(bad), /--max-layer-size/);
  assert.deepEqual(await storeContents(svc), kept, 'only the first image\'s blobs and layer are left');
  assert.deepEqual((await svc.listImages()).map((i) => i.repoTags), [['localhost/ok:1']]);
});

test('a load refused for a wrong diff id removes the blobs it stored', async () => {
  const svc = await service();
  const d = path.join(tmp, 'src-lying');
  await writeFileAt(path.join(d, 'etc', 'lie'), 'lie\n');
  const layer = await tarLayer(exec, d);
  const out = path.join(tmp, 'lying.tar');
  await writeOciArchive({ exec, outPath: out, layers: [layer], config: imageConfig([{ ...layer, diffId: `sha256:${'0'.repeat(64)}` }]), refName: 'localhost/lying:1' });
  await assert.rejects(svc.loadArchive(out), /diff id mismatch/);
  assert.deepEqual(await storeContents(svc), []);
});

test('a layer whose listing is longer than an exec may print unpacks (the listing is streamed from a file)', async () => {
  // One dir 4 × 250 control bytes deep, listed 4,500 times: each line escapes to ~4,000 chars, ~18 MB
  // in all, past the 16 MiB an exec keeps of a program's output (tar -xv used to print it to stdout).
  const src = path.join(tmp, 'src-long');
  const rel = Array.from({ length: 4 }, () => '\x01'.repeat(250)).join('/');
  await fs.mkdir(path.join(src, rel), { recursive: true });
  const list = path.join(tmp, 'long.list');
  await fs.writeFile(list, `${rel}\0`.repeat(4500));
  const tarPath = path.join(tmp, 'long.tar');
  await runChecked(exec, 'tar', ['-C', src, '--no-recursion', '--null', '-T', list, '-cf', tarPath]);
  assert.ok(4500 * rel.length * 4 > MAX_EXEC_OUTPUT_BYTES);
  const svc = await service();
  const img = await svc.importRootfs(tarPath, 'localhost/long:1');
  assert.ok((await fs.stat(path.join(svc.layout.layerDiffDir(img.layers[0]!), rel))).isDirectory());
});

test('one image cannot change the implied dirs another image sees through a shared layer', async () => {
  // Two bases with different /etc modes, and one layer that adds etc/shared without an etc/ entry.
  const mkBase = async (name: string, mode: number) => {
    const d = path.join(tmp, `src-${name}`);
    await writeFileAt(path.join(d, 'etc', name), `${name}\n`);
    await fs.chmod(path.join(d, 'etc'), mode);
    return tarLayer(exec, d);
  };
  const open = await mkBase('open', 0o755);
  const closed = await mkBase('closed', 0o700);
  const s = path.join(tmp, 'src-shared');
  await writeFileAt(path.join(s, 'etc', 'shared'), 'shared\n');
  const shared = await tarLayer(exec, s, ['etc/shared']);
  const svc = await service();
  for (const [name, b] of [['open', open], ['closed', closed]] as const) {
    const out = path.join(tmp, `${name}-img.tar`);
    await writeOciArchive({ exec, outPath: out, layers: [b, shared], refName: `localhost/${name}:1` });
    await svc.loadArchive(out);
  }
  // What each image's rootfs shows as /etc: the topmost of its layers that has it (overlayfs' rule).
  const etcMode = async (lowers: FixtureLayer[]) => (await fs.stat(path.join(svc.layout.layerDiffDir(chainIdOf(lowers.map((l) => l.diffId), shared.diffId)), 'etc'))).mode & 0o7777;
  assert.equal(await etcMode([open]), 0o755);
  assert.equal(await etcMode([closed]), 0o700, 'the closed image keeps its own /etc mode, whatever was loaded first');
});

test('a store from before chain ids unpacks its upper layers again under their chain ids at start', async () => {
  const svc = await service();
  const d = path.join(tmp, 'src-upper-old');
  await writeFileAt(path.join(d, 'etc', 'upper'), 'upper\n');
  const upper = await tarLayer(exec, d, ['etc/upper']);
  const out = path.join(tmp, 'old-store.tar');
  await writeOciArchive({ exec, outPath: out, layers: [base, upper], refName: 'localhost/old:1' });
  await svc.loadArchive(out);
  // The old layout: the upper layer under its diff id.
  const key = chainIdOf([base.diffId], upper.diffId);
  await fs.rename(svc.layout.layerDir(key), svc.layout.layerDir(upper.diffId));
  const again = new LocalImageService({ paths: nodePaths(path.dirname(svc.layout.root)), exec, logger: silentLogger(), clock: new FakeClock() });
  await again.init();
  assert.equal(await fs.readFile(path.join(again.layout.layerDiffDir(key), 'etc', 'upper'), 'utf8'), 'upper\n');
  assert.equal(await fs.stat(again.layout.layerDir(upper.diffId)).catch(() => undefined), undefined, 'the old dir is swept');
});

/** The digest of a layer's blob as writeOciArchive stores it (gzip, deterministic). */
const gzipBlobDigest = (l: FixtureLayer) => `sha256:${createHash('sha256').update(gzipSync(l.tar)).digest('hex')}`;

test('an image from before chain ids whose layers cannot be unpacked again keeps its old layers and builds containers from them until a repair succeeds', async () => {
  const svc = await service();
  const d = path.join(tmp, 'src-upper-unrepairable');
  await writeFileAt(path.join(d, 'etc', 'kept'), 'kept\n');
  const upper = await tarLayer(exec, d, ['etc/kept']);
  const out = path.join(tmp, 'unrepairable-store.tar');
  await writeOciArchive({ exec, outPath: out, layers: [base, upper], refName: 'localhost/unrepairable:1' });
  const [img] = await svc.loadArchive(out);
  // The old layout, and the upper layer's blob gone: the repair at start fails for this image.
  const key = chainIdOf([base.diffId], upper.diffId);
  await fs.rename(svc.layout.layerDir(key), svc.layout.layerDir(upper.diffId));
  const upperBlob = svc.layout.blobPath(gzipBlobDigest(upper));
  const saved = path.join(tmp, 'unrepairable-upper.blob');
  await fs.rename(upperBlob, saved);
  const restart = async () => {
    const s = new LocalImageService({ paths: nodePaths(path.dirname(svc.layout.root)), exec, logger: silentLogger(), clock: new FakeClock() });
    await s.init();
    return s;
  };
  const again = await restart();
  assert.equal(await fs.readFile(path.join(again.layout.layerDiffDir(upper.diffId), 'etc', 'kept'), 'utf8'), 'kept\n', 'the old dir is kept');
  const { layers } = await again.rootfsLayers(img!.id);
  assert.deepEqual(layers, [base.diffId, upper.diffId], "the image's containers are built from its old layers");
  assert.deepEqual(await again.sweep(0), { layers: 0, blobs: 0 }, 'a later sweep keeps them too');
  // The blob is back: the next use repairs the image, and its old dir is then the sweep's.
  await fs.rename(saved, upperBlob);
  assert.deepEqual((await again.rootfsLayers(img!.id)).layers, [base.diffId, key]);
  assert.equal(await fs.readFile(path.join(again.layout.layerDiffDir(key), 'etc', 'kept'), 'utf8'), 'kept\n');
  await again.sweep(0);
  assert.equal(await fs.stat(again.layout.layerDir(upper.diffId)).catch(() => undefined), undefined, 'the old dir is swept once repaired');
});

test('an image whose layers are neither under chain ids nor under their old keys is reported clearly at use', async () => {
  const svc = await service();
  const d = path.join(tmp, 'src-upper-lost');
  await writeFileAt(path.join(d, 'etc', 'lost'), 'lost\n');
  const upper = await tarLayer(exec, d, ['etc/lost']);
  const out = path.join(tmp, 'lost-store.tar');
  await writeOciArchive({ exec, outPath: out, layers: [base, upper], refName: 'localhost/lost:1' });
  const [img] = await svc.loadArchive(out);
  await fs.rm(svc.layout.layerDir(chainIdOf([base.diffId], upper.diffId)), { recursive: true });
  await fs.rm(svc.layout.blobPath(gzipBlobDigest(upper)));
  const again = new LocalImageService({ paths: nodePaths(path.dirname(svc.layout.root)), exec, logger: silentLogger(), clock: new FakeClock() });
  await again.init();
  await assert.rejects(again.rootfsLayers('localhost/lost:1'), new RegExp(`image ${img!.id}: its layers are not stored under their chain ids and could not be unpacked again \\(.*\\); remove the image and pull or load it again`));
});
