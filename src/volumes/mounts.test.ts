import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs, { promises as fsp } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Container, Pod, VolumeMount } from '../k8s/types.js';
import { ContainerConfigError } from '../errors.js';
import { nodePaths } from '../node/paths.js';
import type { Mounter } from '../system/mounter.js';
import { makeContainerMounts } from './mounts.js';
import type { ContainerMountsFn, MountedVolume } from './volumes.js';
import { writeAtomic } from './atomic-writer.js';

const pod = (): Pod => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'p', namespace: 'default', uid: 'u1' },
  spec: {
    containers: [],
    volumes: [
      { name: 'data', emptyDir: {} },
      { name: 'cfg', configMap: { name: 'cfg' } },
      { name: 'file', hostPath: { path: '/dev/null', type: 'CharDevice' } },
    ],
  },
});

/** Records what each staged mount would bind: the path the kernel gives for the open descriptor. */
class RecordingMounter implements Mounter {
  readonly binds: { source: string; target: string }[] = [];
  async bindFd(fd: number, target: string): Promise<void> {
    this.binds.push({ source: fs.readlinkSync(`/proc/self/fd/${fd}`), target });
  }
  async unmount(): Promise<void> {}
}

interface Env {
  root: string;
  vols: Map<string, MountedVolume>;
  mounter: RecordingMounter;
  containerMounts: ContainerMountsFn;
  /** The staging path of mount `index` of container "c" on `volume`. */
  staged: (volume: string, index: number) => string;
}

async function withVolumes(fn: (env: Env) => Promise<void>): Promise<void> {
  const root = await fsp.realpath(await fsp.mkdtemp(path.join(os.tmpdir(), 'peapod-mnt-')));
  try {
    await fsp.mkdir(path.join(root, 'data'));
    await fsp.mkdir(path.join(root, 'cfg'));
    await writeAtomic(path.join(root, 'cfg'), new Map([['app.conf', { data: Buffer.from('x'), mode: 0o644 }]]), 0);
    const vols = new Map<string, MountedVolume>([
      ['data', { name: 'data', hostPath: path.join(root, 'data'), readOnly: false }],
      ['cfg', { name: 'cfg', hostPath: path.join(root, 'cfg'), readOnly: true }],
      ['file', { name: 'file', hostPath: '/dev/null', readOnly: false }],
    ]);
    const paths = nodePaths(path.join(root, 'state'));
    await fsp.mkdir(path.join(paths.podsDir, 'u1'), { recursive: true });
    const mounter = new RecordingMounter();
    const staged = (volume: string, index: number) => path.join(paths.podsDir, 'u1', 'volume-subpaths', volume, 'c', String(index));
    await fn({ root, vols, mounter, containerMounts: makeContainerMounts({ paths, mounter }), staged });
  } finally {
    await fsp.rm(root, { recursive: true, force: true });
  }
}

const ctr = (mounts: VolumeMount[]): Container => ({ name: 'c', image: 'busybox', volumeMounts: mounts });

test('maps a plain mount with private propagation and the mount readOnly flag', () =>
  withVolumes(async ({ root, vols, containerMounts, mounter }) => {
    const got = await containerMounts(pod(), ctr([{ name: 'data', mountPath: '/data', readOnly: true }]), vols);
    assert.deepEqual(got, [{ containerPath: '/data', hostPath: path.join(root, 'data'), readonly: true, propagation: 'private' }]);
    assert.deepEqual(mounter.binds, [], 'a mount without subPath is not staged');
  }));

test('a projected volume is read-only even when the mount is not', () =>
  withVolumes(async ({ vols, containerMounts }) => {
    const [m] = await containerMounts(pod(), ctr([{ name: 'cfg', mountPath: '/etc/app' }]), vols);
    assert.equal(m.readonly, true);
  }));

test('maps HostToContainer to rslave and Bidirectional to rshared', () =>
  withVolumes(async ({ vols, containerMounts }) => {
    const got = await containerMounts(pod(), ctr([
      { name: 'data', mountPath: '/a', mountPropagation: 'HostToContainer' },
      { name: 'data', mountPath: '/b', mountPropagation: 'Bidirectional' },
      { name: 'data', mountPath: '/c', mountPropagation: 'None' },
    ]), vols);
    assert.deepEqual(got.map((m) => m.propagation), ['rslave', 'rshared', 'private']);
  }));

test('creates a missing subPath as a directory inside the volume and stages it', () =>
  withVolumes(async ({ root, vols, containerMounts, mounter, staged }) => {
    const [m] = await containerMounts(pod(), ctr([{ name: 'data', mountPath: '/x', subPath: 'a/b' }]), vols);
    assert.equal(m.hostPath, staged('data', 0));
    assert.deepEqual(mounter.binds, [{ source: path.join(root, 'data/a/b'), target: staged('data', 0) }]);
    assert.ok((await fsp.stat(path.join(root, 'data/a/b'))).isDirectory());
    assert.ok((await fsp.lstat(m.hostPath)).isDirectory(), 'a directory is staged on a directory');
  }));

test('the staging path carries the volumeMount index', () =>
  withVolumes(async ({ vols, containerMounts, staged }) => {
    const got = await containerMounts(pod(), ctr([
      { name: 'data', mountPath: '/plain' },
      { name: 'data', mountPath: '/x', subPath: 'x' },
    ]), vols);
    assert.equal(got[1].hostPath, staged('data', 1));
  }));

test('a configMap subPath binds the key file under ..data, staged on a file', () =>
  withVolumes(async ({ root, vols, containerMounts, mounter, staged }) => {
    const [m] = await containerMounts(pod(), ctr([{ name: 'cfg', mountPath: '/etc/app.conf', subPath: 'app.conf' }]), vols);
    assert.equal(m.hostPath, staged('cfg', 0));
    assert.equal(mounter.binds[0].source, await fsp.realpath(path.join(root, 'cfg/..data/app.conf')));
    assert.ok((await fsp.lstat(m.hostPath)).isFile());
  }));

test('follows a symlink that stays inside the volume', () =>
  withVolumes(async ({ root, vols, containerMounts, mounter }) => {
    await fsp.mkdir(path.join(root, 'data/real'));
    await fsp.symlink('real', path.join(root, 'data/link'));
    await containerMounts(pod(), ctr([{ name: 'data', mountPath: '/x', subPath: 'link' }]), vols);
    assert.equal(mounter.binds[0].source, path.join(root, 'data/real'));
  }));

test('a restart replaces the staged target, also when the subPath changed type', () =>
  withVolumes(async ({ root, vols, containerMounts, mounter, staged }) => {
    const mount = ctr([{ name: 'data', mountPath: '/x', subPath: 'x' }]);
    await fsp.writeFile(path.join(root, 'data/x'), 'f');
    await containerMounts(pod(), mount, vols);
    assert.ok((await fsp.lstat(staged('data', 0))).isFile());
    await fsp.rm(path.join(root, 'data/x'));
    await containerMounts(pod(), mount, vols);
    assert.ok((await fsp.lstat(staged('data', 0))).isDirectory());
    assert.equal(mounter.binds.length, 2);
  }));

test('the staging dirs are private to root', () =>
  withVolumes(async ({ vols, containerMounts, staged }) => {
    await containerMounts(pod(), ctr([{ name: 'data', mountPath: '/x', subPath: 'x' }]), vols);
    for (let dir = path.dirname(staged('data', 0)); path.basename(dir) !== 'u1'; dir = path.dirname(dir)) {
      assert.equal((await fsp.lstat(dir)).mode & 0o777, 0o700, dir);
    }
  }));

const bad: { name: string; subPath: string; volume?: string; setup?: (root: string) => Promise<void>; message: RegExp }[] = [
  { name: 'rejects a subPath with ..', subPath: 'a/../../etc', message: /must not contain '\.\.'/ },
  { name: 'rejects an absolute subPath', subPath: '/etc', message: /must be a relative path/ },
  {
    name: 'rejects a symlink pointing out of the volume',
    subPath: 'esc/passwd',
    setup: (root) => fsp.symlink('/etc', path.join(root, 'data/esc')),
    message: /resolves outside the volume/,
  },
  {
    name: 'rejects an absolute symlink even when it names a path that looks inside',
    subPath: 'up',
    setup: (root) => fsp.symlink(root, path.join(root, 'data/up')),
    message: /resolves outside the volume/,
  },
  {
    name: 'rejects a subPath that is a symlink to the host root',
    subPath: 'root',
    setup: (root) => fsp.symlink('/', path.join(root, 'data/root')),
    message: /^subPath root resolves outside the volume$/,
  },
  {
    name: 'rejects a subPath through a dangling symlink',
    subPath: 'gone/x',
    setup: (root) => fsp.symlink('/nonexistent-peapod', path.join(root, 'data/gone')),
    message: /gone is a dangling symlink/,
  },
  {
    name: 'rejects a subPath through a symlink loop',
    subPath: 'loop/x',
    setup: (root) => fsp.symlink('loop', path.join(root, 'data/loop')),
    message: /^subPath loop\/x: loop is a symlink loop$/,
  },
  {
    name: 'rejects a subPath through a file',
    subPath: 'f/x',
    setup: (root) => fsp.writeFile(path.join(root, 'data/f'), ''),
    message: /^subPath f\/x: f is not a directory$/,
  },
  { name: 'rejects a subPath on a volume that is a file', subPath: 'x', volume: 'file', message: /is not a directory/ },
];
for (const c of bad) {
  test(c.name, () =>
    withVolumes(async ({ root, vols, containerMounts, mounter }) => {
      await c.setup?.(root);
      await assert.rejects(
        containerMounts(pod(), ctr([{ name: c.volume ?? 'data', mountPath: '/x', subPath: c.subPath }]), vols),
        (err: unknown) => err instanceof ContainerConfigError && c.message.test(err.message),
      );
      assert.deepEqual(mounter.binds, []);
    }));
}

test('a mount of an unknown volume is a config error', () =>
  withVolumes(async ({ vols, containerMounts }) => {
    await assert.rejects(containerMounts(pod(), ctr([{ name: 'nope', mountPath: '/x' }]), vols), ContainerConfigError);
  }));

// Issue 13: a hostPath into the node's own state (its SQLite store, runc's root) was mounted into any pod.
test('a hostPath into the node\'s data or run directory is refused to an unprivileged container, allowed to a privileged one', () =>
  withVolumes(async ({ root, vols, containerMounts }) => {
    const state = path.join(root, 'state');
    const paths = nodePaths(state);
    await fsp.mkdir(path.join(state, 'containers'), { recursive: true });
    await fsp.mkdir(path.join(state, 'storage', 'pvc-1'), { recursive: true });
    await fsp.symlink(state, path.join(root, 'link'));
    const hostVols: [string, string][] = [
      ['db', path.join(state, 'containers')],
      ['linked', path.join(root, 'link')],
      ['parent', root],
      ['runc', paths.runcRoot],
      ['pvc', path.join(state, 'storage', 'pvc-1')],
    ];
    const p = pod();
    for (const [name, hostPath] of hostVols) {
      p.spec.volumes!.push({ name, hostPath: { path: hostPath } });
      vols.set(name, { name, hostPath, readOnly: false });
    }
    const mount = (name: string, extra: Partial<VolumeMount> = {}, privileged = false) =>
      containerMounts(p, { ...ctr([{ name, mountPath: '/m', ...extra }]), ...(privileged ? { securityContext: { privileged: true } } : {}) }, vols);
    await assert.rejects(mount('db'), (e: Error) => e instanceof ContainerConfigError && e.message === `container "c": volume "db" (${path.join(state, 'containers')}) is in the node's data directory ${state}: only a privileged container may mount it`);
    await assert.rejects(mount('linked'), /is in the node's data directory/, 'through a symlink');
    await assert.rejects(mount('parent', { subPath: 'state' }), /is in the node's data directory/, 'an ancestor with a subPath leading in');
    await assert.rejects(mount('runc'), /is in the node's run directory/);
    assert.equal((await mount('parent')).length, 1, 'an ancestor alone is allowed');
    assert.equal((await mount('pvc')).length, 1, 'a provisioned volume under <data-dir>/storage is allowed');
    assert.equal((await mount('db', {}, true)).length, 1, 'a privileged container may');
  }));

test('an unprivileged hostPath mount hands runc the path it checked, symlinks resolved, so a link swapped in later is not followed', () =>
  withVolumes(async ({ root, vols, containerMounts }) => {
    const real = path.join(root, 'real');
    await fsp.mkdir(real);
    await fsp.symlink(real, path.join(root, 'via'));
    const p = pod();
    p.spec.volumes!.push({ name: 'via', hostPath: { path: path.join(root, 'via') } });
    vols.set('via', { name: 'via', hostPath: path.join(root, 'via'), readOnly: false });
    const [m] = await containerMounts(p, ctr([{ name: 'via', mountPath: '/m' }]), vols);
    assert.equal(m!.hostPath, await fsp.realpath(real));
  }));
