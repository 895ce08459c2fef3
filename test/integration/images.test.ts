// The image store and overlay root filesystems for real (root): busybox build, OCI and docker archives
// with whiteouts and opaque dirs, shared layers, overlay mounts, release and gc. No network.

import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { after, before, test } from 'node:test';
import { ConflictError } from '../../src/errors.js';
import { buildBusyboxImage } from '../../src/images/busybox.js';
import { chainIdOf } from '../../src/images/chain-id.js';
import { LocalImageService } from '../../src/images/local-image-service.js';
import { mountPointsUnder, readMountInfo } from '../../src/system/mountinfo.js';
import { imageConfig, tarLayer, writeDockerArchive, writeOciArchive, type FixtureLayer } from '../../src/images/test-archives.js';
import { nodePaths } from '../../src/node/paths.js';
import { SystemClock } from '../../src/system/clock.js';
import { HostExec } from '../../src/system/exec.js';
import { createLogger } from '../../src/system/logger.js';

if (process.getuid?.() !== 0) {
  test('images integration (needs root)', { skip: 'needs root: run as root' }, () => {});
} else {
  suite();
}

function suite(): void {
  const exec = new HostExec();
  let dataDir: string;
  let svc: LocalImageService;
  let lower: FixtureLayer;
  let upper: FixtureLayer;
  let ociId: string;
  let dockerId: string;
  let busyboxId: string;
  const timings: Record<string, number> = {};

  const mountsIn = async (dir: string) => mountPointsUnder(await readMountInfo(), dir);
  const time = async <T>(name: string, fn: () => Promise<T>): Promise<T> => {
    const t0 = performance.now();
    const r = await fn();
    timings[name] = Math.round((performance.now() - t0) * 10) / 10;
    return r;
  };

  before(async () => {
    dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'peapod-images-it-'));
    svc = new LocalImageService({ paths: nodePaths(dataDir), exec, logger: createLogger({ name: 'images-it' }), clock: new SystemClock() });
    await svc.init();
    // lower: /tmp 1777, /etc/{keep,gone}, /data/{old1,sub/old2}
    const a = path.join(dataDir, 'src-lower');
    for (const d of ['tmp', 'etc', 'data/sub']) await fs.mkdir(path.join(a, d), { recursive: true });
    await fs.chmod(path.join(a, 'tmp'), 0o1777);
    for (const f of ['etc/keep', 'etc/gone', 'data/old1', 'data/sub/old2']) await fs.writeFile(path.join(a, f), f);
    lower = await tarLayer(exec, a);
    // upper: whiteout etc/gone, opaque data/ with data/new, tmp/newfile — no dir entries (implied dirs)
    const b = path.join(dataDir, 'src-upper');
    for (const d of ['tmp', 'etc', 'data']) await fs.mkdir(path.join(b, d), { recursive: true });
    for (const f of ['etc/.wh.gone', 'data/.wh..wh..opq']) await fs.writeFile(path.join(b, f), '');
    await fs.writeFile(path.join(b, 'data/new'), 'new');
    await fs.writeFile(path.join(b, 'tmp/newfile'), 'x');
    upper = await tarLayer(exec, b, ['etc/.wh.gone', 'data/.wh..wh..opq', 'data/new', 'tmp/newfile']);
  });

  after(async () => {
    if (!dataDir) return;
    const real = await fs.realpath(dataDir);
    for (const m of await mountsIn(real)) await exec.run('umount', ['-l', m]);
    await fs.rm(dataDir, { recursive: true, force: true });
    console.log(`# images timings (ms): ${JSON.stringify(timings)}`);
  });

  test('the busybox image is built deterministically and listed with Cmd sh', async () => {
    const img = await time('busyboxBuild', () => buildBusyboxImage(svc, { exec, tmpDir: dataDir }));
    busyboxId = img.id;
    const again = await buildBusyboxImage(svc, { exec, tmpDir: dataDir });
    assert.equal(again.id, img.id);
    const listed = (await svc.listImages()).filter((i) => i.repoTags.includes('localhost/busybox:latest'));
    assert.equal(listed.length, 1);
    assert.deepEqual(listed[0]!.repoTags, ['localhost/busybox:latest']);
    assert.deepEqual(listed[0]!.config.cmd, ['sh']);
    assert.equal((await svc.imageStatus('localhost/busybox'))?.id, img.id);
  });

  test('an OCI archive and a docker archive sharing layers unpack each layer once', async () => {
    const ociTar = path.join(dataDir, 'wh-oci.tar');
    await writeOciArchive({ exec, outPath: ociTar, layers: [lower, upper], refName: 'localhost/wh:oci' });
    const [oci] = await time('loadOci2Layers', () => svc.loadArchive(ociTar));
    ociId = oci!.id;
    const inode = (await fs.stat(svc.layout.layerDiffDir(lower.diffId))).ino;
    const dockerTar = path.join(dataDir, 'wh-docker.tar');
    await writeDockerArchive({ exec, outPath: dockerTar, layers: [lower, upper], repoTags: ['localhost/wh:docker'], config: imageConfig([lower, upper], ['true']) });
    const [docker] = await svc.loadArchive(dockerTar);
    dockerId = docker!.id;
    assert.notEqual(dockerId, ociId);
    assert.deepEqual(docker!.layers, oci!.layers);
    assert.equal((await fs.stat(svc.layout.layerDiffDir(lower.diffId))).ino, inode);
    const whiteout = await fs.lstat(path.join(svc.layout.layerDiffDir(chainIdOf([lower.diffId], upper.diffId)), 'etc/gone'));
    assert.ok(whiteout.isCharacterDevice() && whiteout.rdev === 0);
  });

  test('one layer unpacks in reasonable time', async () => {
    const c = path.join(dataDir, 'src-one');
    await fs.mkdir(c);
    await fs.writeFile(path.join(c, 'blob'), Buffer.alloc(1 << 20, 7));
    const layer = await tarLayer(exec, c);
    const out = path.join(dataDir, 'one.tar');
    await writeOciArchive({ exec, outPath: out, layers: [layer], refName: 'localhost/one:1' });
    await time('loadOci1Layer1MB', () => svc.loadArchive(out));
  });

  test('the merged view hides whiteouts, shows only new entries in opaque dirs and keeps /tmp 1777', async () => {
    const { mergedDir } = await time('prepareRootfs', () => svc.prepareRootfs('c1', ociId));
    assert.equal(await fs.readFile(path.join(mergedDir, 'etc/keep'), 'utf8'), 'etc/keep');
    await assert.rejects(fs.lstat(path.join(mergedDir, 'etc/gone')), { code: 'ENOENT' });
    assert.deepEqual((await fs.readdir(path.join(mergedDir, 'data'))).sort(), ['new']);
    assert.equal((await fs.stat(path.join(mergedDir, 'tmp'))).mode & 0o7777, 0o1777);
    assert.equal(await fs.readFile(path.join(mergedDir, 'tmp/newfile'), 'utf8'), 'x');
  });

  test('prepareRootfs twice is idempotent and writes land in upper only', async () => {
    const first = await svc.prepareRootfs('c1', ociId);
    const second = await svc.prepareRootfs('c1', ociId);
    assert.equal(second.mergedDir, first.mergedDir);
    assert.equal((await mountsIn(first.mergedDir)).length, 1);
    await fs.writeFile(path.join(first.mergedDir, 'etc/written'), 'w');
    await fs.rm(path.join(first.mergedDir, 'etc/keep'));
    const upperDir = path.join(svc.layout.containerDir('c1'), 'upper');
    assert.equal(await fs.readFile(path.join(upperDir, 'etc/written'), 'utf8'), 'w');
    for (const k of [lower.diffId, chainIdOf([lower.diffId], upper.diffId)]) await assert.rejects(fs.lstat(path.join(svc.layout.layerDiffDir(k), 'etc/written')));
    assert.equal(await fs.readFile(path.join(svc.layout.layerDiffDir(lower.diffId), 'etc/keep'), 'utf8'), 'etc/keep');
  });

  test('a busybox rootfs runs sh under chroot', async () => {
    const { mergedDir } = await svc.prepareRootfs('c2', 'localhost/busybox:latest');
    const r = await exec.run('chroot', [mergedDir, '/bin/sh', '-c', 'echo ok; ls -ld /tmp; id -u nobody']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^ok\ndrwxrwxrwt .*\n65534\n$/);
  });

  test('an image in use by a rootfs cannot be removed', async () => {
    await assert.rejects(svc.removeImage(ociId), ConflictError);
  });

  test('releaseRootfs leaves no mount and no dirs, and succeeds when already gone', async () => {
    const dir = svc.layout.containerDir('c1');
    await svc.releaseRootfs('c1');
    assert.deepEqual(await mountsIn(dir), []);
    await assert.rejects(fs.lstat(dir), { code: 'ENOENT' });
    await svc.releaseRootfs('c1');
  });

  test('gcRootfs releases rootfs of containers that are not live', async () => {
    await svc.prepareRootfs('c3', dockerId);
    await svc.prepareRootfs('keep', dockerId);
    const released = (await svc.gcRootfs(['keep'])).sort();
    assert.deepEqual(released, ['c2', 'c3']);
    const real = await fs.realpath(svc.layout.overlayDir);
    assert.deepEqual((await mountsIn(real)).map((m) => path.basename(path.dirname(m))), ['keep']);
    await svc.releaseRootfs('keep');
    assert.deepEqual(await mountsIn(real), []);
  });

  test('62 layers mount through short links and relative lowerdirs', async () => {
    const layers: FixtureLayer[] = [];
    for (let i = 0; i < 62; i++) {
      const d = path.join(dataDir, `src-many-${i}`);
      await fs.mkdir(path.join(d, 'many'), { recursive: true });
      await fs.writeFile(path.join(d, 'many', `f${i}`), String(i));
      layers.push(await tarLayer(exec, d));
    }
    const out = path.join(dataDir, 'many.tar');
    await writeOciArchive({ exec, outPath: out, layers, refName: 'localhost/many:1' });
    const [img] = await time('load62Layers', () => svc.loadArchive(out));
    const { mergedDir } = await time('prepareRootfs62', () => svc.prepareRootfs('many', img!.id));
    assert.equal((await fs.readdir(path.join(mergedDir, 'many'))).length, 62);
    await svc.releaseRootfs('many');
    await svc.removeImage('localhost/many:1');
  });

  test('one image cannot change the /etc another image sees through a shared layer (issue 13)', async () => {
    // Two bases whose /etc differ in mode, one layer adding etc/shared with no etc/ entry of its own.
    const mkBase = async (name: string, mode: number) => {
      const d = path.join(dataDir, `src-etc-${name}`);
      await fs.mkdir(path.join(d, 'etc'), { recursive: true });
      await fs.writeFile(path.join(d, 'etc', name), name);
      await fs.chmod(path.join(d, 'etc'), mode);
      return tarLayer(exec, d);
    };
    const open = await mkBase('open', 0o755);
    const closed = await mkBase('closed', 0o750);
    const s = path.join(dataDir, 'src-etc-shared');
    await fs.mkdir(path.join(s, 'etc'), { recursive: true });
    await fs.writeFile(path.join(s, 'etc', 'shared'), 'shared');
    const shared = await tarLayer(exec, s, ['etc/shared']);
    const ids: string[] = [];
    for (const [name, base] of [['open', open], ['closed', closed]] as const) {
      const out = path.join(dataDir, `etc-${name}.tar`);
      await writeOciArchive({ exec, outPath: out, layers: [base, shared], refName: `localhost/etc-${name}:1` });
      ids.push((await svc.loadArchive(out))[0]!.id);
    }
    try {
      const etcOf = async (container: string, id: string) => {
        const { mergedDir } = await svc.prepareRootfs(container, id);
        const st = await fs.stat(path.join(mergedDir, 'etc'));
        assert.equal(await fs.readFile(path.join(mergedDir, 'etc', 'shared'), 'utf8'), 'shared');
        return st.mode & 0o7777;
      };
      assert.equal(await etcOf('etc-open', ids[0]!), 0o755);
      assert.equal(await etcOf('etc-closed', ids[1]!), 0o750, 'the image loaded second keeps its own /etc');
    } finally {
      for (const c of ['etc-open', 'etc-closed']) await svc.releaseRootfs(c);
      for (const id of ids) await svc.removeImage(id);
    }
  });

  test('a generated 200 MB root filesystem imports under the default caps (issue 13)', async () => {
    const src = path.join(dataDir, 'src-rootfs-200m');
    for (const d of ['bin', 'usr/lib', 'var/lib/dpkg', 'etc']) await fs.mkdir(path.join(src, d), { recursive: true });
    await fs.writeFile(path.join(src, 'etc', 'passwd'), 'root:x:0:0:root:/root:/bin/sh\n');
    for (let i = 0; i < 50; i++) await fs.writeFile(path.join(src, 'usr/lib', `lib${i}.so`), randomBytes(4 << 20));
    const tarPath = path.join(dataDir, 'rootfs-200m.tar');
    const r = await exec.run('tar', ['-cf', tarPath, '-C', src, '.']);
    assert.equal(r.code, 0, r.stderr);
    await fs.rm(src, { recursive: true, force: true });
    assert.ok((await fs.stat(tarPath)).size > 200 * 1e6);
    try {
      const img = await svc.importRootfs(tarPath, 'localhost/rootfs-200m:1');
      assert.equal((await fs.stat(path.join(svc.layout.layerDiffDir(img.layers[0]!), 'usr/lib/lib49.so'))).size, 4 << 20);
      await svc.removeImage(img.id);
    } finally {
      await fs.rm(tarPath, { force: true });
    }
  });

  test('removeImage deletes layers no other image references', async () => {
    await svc.removeImage('localhost/wh:docker');
    assert.ok(await fs.stat(svc.layout.layerDir(chainIdOf([lower.diffId], upper.diffId))));
    await svc.removeImage('localhost/wh:oci');
    for (const k of [lower.diffId, chainIdOf([lower.diffId], upper.diffId)]) await assert.rejects(fs.lstat(svc.layout.layerDir(k)), { code: 'ENOENT' });
    await svc.removeImage(busyboxId);
    await svc.removeImage('localhost/one:1');
    assert.deepEqual(await svc.listImages(), []);
    assert.deepEqual(await fs.readdir(svc.layout.layersDir), []);
    assert.deepEqual(await fs.readdir(svc.layout.blobsDir), []);
    assert.deepEqual(await fs.readdir(svc.layout.linksDir), []);
  });
}
