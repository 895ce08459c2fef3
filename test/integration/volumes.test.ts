// Root integration test of HostVolumeManager + containerMounts against the real host: tmpfs mounts,
// hostPath checks, atomic projections, subPath and a teardown that leaves nothing behind.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ConfigMap, Pod, Secret } from '../../src/k8s/types.js';
import { RESOURCES } from '../../src/k8s/registry.js';
import { ContainerConfigError } from '../../src/errors.js';
import { nodePaths, type NodePaths } from '../../src/node/paths.js';
import { SqliteStore } from '../../src/store/sqlite-store.js';
import { SystemClock } from '../../src/system/clock.js';
import { HostExec } from '../../src/system/exec.js';
import { silentLogger } from '../../src/system/logger.js';
import { HostVolumeManager } from '../../src/volumes/host-volumes.js';
import { makeContainerMounts } from '../../src/volumes/mounts.js';
import { HostMounter } from '../../src/system/mounter.js';
import type { ContainerMountsFn } from '../../src/volumes/volumes.js';
import { mountsUnder, readMountInfo } from '../../src/system/mountinfo.js';

if (process.getuid?.() !== 0) {
  test('volumes (needs root)', { skip: 'needs root: run as root' }, () => {});
} else {
  let dataDir = '';
  let hostDir = '';
  let paths: NodePaths;
  let store: SqliteStore;
  let vm: HostVolumeManager;
  let containerMounts: ContainerMountsFn;
  const uids: string[] = [];

  const mounts = () => readMountInfo();

  before(async () => {
    dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'peapod-vol-it-'));
    hostDir = path.join(dataDir, 'host');
    await fs.mkdir(hostDir);
    paths = nodePaths(dataDir);
    store = new SqliteStore({ path: ':memory:', resources: RESOURCES, clock: new SystemClock() });
    vm = new HostVolumeManager({ paths, exec: new HostExec(), store, logger: silentLogger() });
    containerMounts = makeContainerMounts({ paths, mounter: new HostMounter({ exec: new HostExec() }) });
  });

  after(async () => {
    // Runs even on failure: unmount anything left under the data dir, then remove it.
    for (const m of mountsUnder(await mounts(), dataDir)) await new HostExec().run('umount', ['-l', m.mountPoint]);
    store?.close();
    await fs.rm(dataDir, { recursive: true, force: true });
  });

  const newPod = (name: string, volumes: Pod['spec']['volumes'], uid = `uid-${name}`): Pod => {
    uids.push(uid);
    return { apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'default', uid }, spec: { containers: [{ name: 'c', image: 'busybox' }], volumes } };
  };

  test('emptyDir is a 0777 dir, and medium Memory a tmpfs of sizeLimit', async () => {
    const pod = newPod('ed', [
      { name: 'disk', emptyDir: {} },
      { name: 'mem', emptyDir: { medium: 'Memory', sizeLimit: '1Mi' } },
    ]);
    const vols = await vm.setUpPodVolumes(pod);
    const disk = vols.get('disk')!.hostPath;
    assert.equal(disk, path.join(paths.podsDir, 'uid-ed/volumes/kubernetes.io~empty-dir/disk'));
    assert.equal((await fs.stat(disk)).mode & 0o777, 0o777);
    const mem = vols.get('mem')!.hostPath;
    const entry = (await mounts()).find((m) => m.mountPoint === mem);
    assert.equal(entry?.fsType, 'tmpfs');
    assert.match(entry!.superOptions, /size=1024k/);
    const st = await fs.statfs(mem);
    assert.equal(st.blocks * st.bsize, 1024 * 1024);
    await vm.setUpPodVolumes(pod); // idempotent: no second mount
    assert.equal((await mounts()).filter((m) => m.mountPoint === mem).length, 1);
    await vm.tearDownPodVolumes('uid-ed');
    assert.equal(mountsUnder(await mounts(), path.join(paths.podsDir, 'uid-ed')).length, 0);
    await assert.rejects(fs.lstat(path.join(paths.podsDir, 'uid-ed')), { code: 'ENOENT' });
  });

  test('issue 8: a Memory emptyDir without sizeLimit is as large as the pod memory limit; an unknown medium fails the mount', async () => {
    const pod = newPod('edm', [
      { name: 'mem', emptyDir: { medium: 'Memory' } },
      { name: 'big', emptyDir: { medium: 'Memory', sizeLimit: '1Gi' } },
    ]);
    pod.spec.containers[0]!.resources = { limits: { memory: '3Mi' } };
    const vols = await vm.setUpPodVolumes(pod);
    for (const name of ['mem', 'big']) {
      const st = await fs.statfs(vols.get(name)!.hostPath);
      assert.equal(st.blocks * st.bsize, 3 * 1024 * 1024, `${name}: the pod's limit, not half the host's memory nor a larger sizeLimit`);
    }
    await vm.tearDownPodVolumes('uid-edm');
    const odd = newPod('edu', [{ name: 'x', emptyDir: { medium: 'Tape' } }]);
    await assert.rejects(vm.setUpPodVolumes(odd), /unknown storage medium "Tape"/);
    const huge = newPod('edh', [{ name: 'h', emptyDir: { medium: 'HugePages' } }]);
    await assert.rejects(vm.setUpPodVolumes(huge), /medium HugePages: hugePages storage requested, but there is no resource request for huge pages/);
    await vm.tearDownPodVolumes('uid-edu');
    await vm.tearDownPodVolumes('uid-edh');
    assert.equal(mountsUnder(await mounts(), paths.podsDir).length, 0);
  });

  test('issue 8: fsGroup gives emptyDir and secret volumes the group (setgid dirs, group bits); hostPath is left alone', async () => {
    store.create('secrets', { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'fsg', namespace: 'default' }, data: { key: Buffer.from('v').toString('base64') } });
    await fs.writeFile(path.join(hostDir, 'mine'), 'x', { mode: 0o600 });
    const pod = newPod('fsg', [
      { name: 'scratch', emptyDir: {} },
      { name: 'sec', secret: { secretName: 'fsg', defaultMode: 0o400 } },
      { name: 'host', hostPath: { path: hostDir } },
    ]);
    pod.spec.securityContext = { fsGroup: 4321 };
    const vols = await vm.setUpPodVolumes(pod);
    const scratch = await fs.stat(vols.get('scratch')!.hostPath);
    assert.equal(scratch.gid, 4321);
    assert.equal(scratch.mode & 0o7777, 0o2777);
    const key = await fs.stat(path.join(vols.get('sec')!.hostPath, 'key'));
    assert.equal(key.gid, 4321);
    assert.equal(key.mode & 0o777, 0o440, 'a 0400 secret file becomes group-readable');
    const mine = await fs.stat(path.join(hostDir, 'mine'));
    assert.equal(mine.gid, 0);
    assert.equal(mine.mode & 0o777, 0o600);
    await vm.tearDownPodVolumes('uid-fsg');
  });

  test('hostPath checks types and teardown never touches the host path', async () => {
    const target = path.join(hostDir, 'made');
    const pod = newPod('hp', [
      { name: 'made', hostPath: { path: target, type: 'DirectoryOrCreate' } },
      { name: 'file', hostPath: { path: path.join(hostDir, 'f.txt'), type: 'FileOrCreate' } },
    ]);
    const vols = await vm.setUpPodVolumes(pod);
    assert.equal(vols.get('made')!.hostPath, target);
    await fs.writeFile(path.join(target, 'keep'), 'k');
    assert.ok((await fs.stat(path.join(hostDir, 'f.txt'))).isFile());
    await vm.tearDownPodVolumes('uid-hp');
    assert.equal(await fs.readFile(path.join(target, 'keep'), 'utf8'), 'k');
    const bad = newPod('hp2', [{ name: 'x', hostPath: { path: path.join(hostDir, 'f.txt'), type: 'Directory' } }]);
    await assert.rejects(vm.setUpPodVolumes(bad), { message: `for volume "x" : hostPath type check failed: ${path.join(hostDir, 'f.txt')} is not a directory` });
    await vm.tearDownPodVolumes('uid-hp2');
  });

  test('configMap items, defaultMode, optional and refresh on update', async () => {
    store.create<ConfigMap>('configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cfg', namespace: 'default' }, data: { a: 'one', b: 'two' } });
    const pod = newPod('cm', [
      { name: 'all', configMap: { name: 'cfg', defaultMode: 0o600 } },
      { name: 'some', configMap: { name: 'cfg', items: [{ key: 'b', path: 'sub/bee', mode: 0o640 }] } },
      { name: 'opt', configMap: { name: 'absent', optional: true } },
    ]);
    const vols = await vm.setUpPodVolumes(pod);
    const all = vols.get('all')!.hostPath;
    assert.equal(vols.get('all')!.readOnly, true);
    assert.equal(await fs.readFile(path.join(all, 'a'), 'utf8'), 'one');
    assert.equal((await fs.stat(path.join(all, 'a'))).mode & 0o777, 0o600);
    const some = vols.get('some')!.hostPath;
    assert.equal(await fs.readFile(path.join(some, 'sub/bee'), 'utf8'), 'two');
    assert.equal((await fs.stat(path.join(some, 'sub/bee'))).mode & 0o777, 0o640);
    await assert.rejects(fs.lstat(path.join(some, 'a')), { code: 'ENOENT' });
    assert.deepEqual((await fs.readdir(vols.get('opt')!.hostPath)).filter((n) => !n.startsWith('..')), []);

    store.modify<ConfigMap>('configmaps', 'default', 'cfg', (c) => ({ ...c, data: { a: 'uno', b: 'dos', c: 'tres' } }));
    await vm.setUpPodVolumes(pod);
    assert.equal(await fs.readFile(path.join(all, 'a'), 'utf8'), 'uno');
    assert.equal(await fs.readFile(path.join(all, 'c'), 'utf8'), 'tres');
    assert.equal(await fs.readFile(path.join(some, 'sub/bee'), 'utf8'), 'dos');
    // Dropping key b: the full projection loses the file, the item that needs it is a config error.
    store.modify<ConfigMap>('configmaps', 'default', 'cfg', (c) => ({ ...c, data: { a: 'uno' } }));
    await assert.rejects(vm.setUpPodVolumes(pod), (err: unknown) => err instanceof ContainerConfigError && err.message === 'for volume "some" : configmap references non-existent config key: b');
    await assert.rejects(fs.lstat(path.join(all, 'b')), { code: 'ENOENT' });
    await assert.rejects(fs.lstat(path.join(all, 'c')), { code: 'ENOENT' });
    await vm.tearDownPodVolumes('uid-cm');
    const missing = newPod('cm2', [{ name: 'x', configMap: { name: 'nope' } }]);
    await assert.rejects(vm.setUpPodVolumes(missing), { message: 'for volume "x" : configmap "nope" not found' });
    await vm.tearDownPodVolumes('uid-cm2');
  });

  test('a secret is projected on its own tmpfs with decoded values', async () => {
    store.create<Secret>('secrets', { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'sec', namespace: 'default' }, data: { token: Buffer.from('s3cr3t').toString('base64') } });
    const pod = newPod('sec', [{ name: 's', secret: { secretName: 'sec' } }]);
    const dir = (await vm.setUpPodVolumes(pod)).get('s')!.hostPath;
    assert.equal(dir, path.join(paths.podsDir, 'uid-sec/volumes/kubernetes.io~secret/s'));
    assert.equal((await mounts()).find((m) => m.mountPoint === dir)?.fsType, 'tmpfs');
    assert.equal(await fs.readFile(path.join(dir, 'token'), 'utf8'), 's3cr3t');
    assert.equal((await fs.stat(path.join(dir, 'token'))).mode & 0o777, 0o644);
    await vm.tearDownPodVolumes('uid-sec');
    assert.equal(mountsUnder(await mounts(), path.join(paths.podsDir, 'uid-sec')).length, 0);
  });

  test('subPath mounts resolve inside volumes and teardown removes nested mounts', async () => {
    store.create<ConfigMap>('configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'app', namespace: 'default' }, data: { 'app.conf': 'x=1' } });
    const pod = newPod('sp', [
      { name: 'data', emptyDir: {} },
      { name: 'app', configMap: { name: 'app' } },
    ]);
    const vols = await vm.setUpPodVolumes(pod);
    const got = await containerMounts(pod, { name: 'c', volumeMounts: [
      { name: 'data', mountPath: '/logs', subPath: 'logs/c' },
      { name: 'app', mountPath: '/etc/app.conf', subPath: 'app.conf' },
    ] }, vols);
    // Each subPath is staged: a bind mount of the opened dir or file under the pod's volume-subpaths.
    const staging = path.join(await fs.realpath(paths.podsDir), 'uid-sp/volume-subpaths');
    assert.deepEqual(got.map((m) => m.hostPath), [path.join(staging, 'data/c/0'), path.join(staging, 'app/c/1')]);
    const same = async (a: string, b: string) => {
      const [x, y] = [await fs.stat(a), await fs.stat(b)];
      return x.dev === y.dev && x.ino === y.ino;
    };
    assert.ok(await same(got[0].hostPath, path.join(vols.get('data')!.hostPath, 'logs/c')));
    assert.equal(await fs.readFile(got[1].hostPath, 'utf8'), 'x=1');
    assert.ok((await mounts()).some((m) => m.mountPoint === got[1].hostPath), 'a file subPath is a bind mount on a file');
    // A mount a container propagated back (Bidirectional) must be unmounted, not deleted through.
    const nested = path.join(vols.get('data')!.hostPath, 'logs');
    const r = await new HostExec().run('mount', ['-t', 'tmpfs', 'tmpfs', nested]);
    assert.equal(r.code, 0, r.stderr);
    await vm.tearDownPodVolumes('uid-sp');
    assert.equal(mountsUnder(await mounts(), path.join(paths.podsDir, 'uid-sp')).length, 0);
    await assert.rejects(fs.lstat(path.join(paths.podsDir, 'uid-sp')), { code: 'ENOENT' });
  });

  test('gc removes the volumes of pods that are not live', async () => {
    const live = newPod('live', [{ name: 'm', emptyDir: { medium: 'Memory' } }]);
    const dead = newPod('dead', [{ name: 'm', emptyDir: { medium: 'Memory' } }]);
    await vm.setUpPodVolumes(live);
    await vm.setUpPodVolumes(dead);
    await vm.gc(new Set(['uid-live']));
    assert.ok((await fs.stat(path.join(paths.podsDir, 'uid-live'))).isDirectory());
    await assert.rejects(fs.lstat(path.join(paths.podsDir, 'uid-dead')), { code: 'ENOENT' });
    await vm.gc(new Set());
    assert.deepEqual(await fs.readdir(paths.podsDir), []);
    assert.equal(mountsUnder(await mounts(), dataDir).length, 0);
  });
}
