import { test } from 'node:test';
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Container, Pod, VolumeMount } from '../k8s/types.js';
import { ContainerConfigError } from '../errors.js';
import { containerMounts } from './mounts.js';
import type { MountedVolume } from './volumes.js';
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

async function withVolumes(fn: (root: string, vols: Map<string, MountedVolume>) => Promise<void>): Promise<void> {
  const root = await fs.realpath(await fs.mkdtemp(path.join(os.tmpdir(), 'peapod-mnt-')));
  try {
    await fs.mkdir(path.join(root, 'data'));
    await fs.mkdir(path.join(root, 'cfg'));
    await writeAtomic(path.join(root, 'cfg'), new Map([['app.conf', { data: Buffer.from('x'), mode: 0o644 }]]), 0);
    const vols = new Map<string, MountedVolume>([
      ['data', { name: 'data', hostPath: path.join(root, 'data'), readOnly: false }],
      ['cfg', { name: 'cfg', hostPath: path.join(root, 'cfg'), readOnly: true }],
      ['file', { name: 'file', hostPath: '/dev/null', readOnly: false }],
    ]);
    await fn(root, vols);
  } finally {
    await fs.rm(root, { recursive: true, force: true });
  }
}

const ctr = (mounts: VolumeMount[]): Container => ({ name: 'c', image: 'busybox', volumeMounts: mounts });

test('maps a plain mount with private propagation and the mount readOnly flag', () =>
  withVolumes(async (root, vols) => {
    const got = await containerMounts(pod(), ctr([{ name: 'data', mountPath: '/data', readOnly: true }]), vols);
    assert.deepEqual(got, [{ containerPath: '/data', hostPath: path.join(root, 'data'), readonly: true, propagation: 'private' }]);
  }));

test('a projected volume is read-only even when the mount is not', () =>
  withVolumes(async (_root, vols) => {
    const [m] = await containerMounts(pod(), ctr([{ name: 'cfg', mountPath: '/etc/app' }]), vols);
    assert.equal(m.readonly, true);
  }));

test('maps HostToContainer to rslave and Bidirectional to rshared', () =>
  withVolumes(async (_root, vols) => {
    const got = await containerMounts(pod(), ctr([
      { name: 'data', mountPath: '/a', mountPropagation: 'HostToContainer' },
      { name: 'data', mountPath: '/b', mountPropagation: 'Bidirectional' },
      { name: 'data', mountPath: '/c', mountPropagation: 'None' },
    ]), vols);
    assert.deepEqual(got.map((m) => m.propagation), ['rslave', 'rshared', 'private']);
  }));

test('creates a missing subPath as a directory inside the volume', () =>
  withVolumes(async (root, vols) => {
    const [m] = await containerMounts(pod(), ctr([{ name: 'data', mountPath: '/x', subPath: 'a/b' }]), vols);
    assert.equal(m.hostPath, path.join(root, 'data/a/b'));
    assert.ok((await fs.stat(m.hostPath)).isDirectory());
  }));

test('a configMap subPath binds the key file under ..data', () =>
  withVolumes(async (root, vols) => {
    const [m] = await containerMounts(pod(), ctr([{ name: 'cfg', mountPath: '/etc/app.conf', subPath: 'app.conf' }]), vols);
    assert.equal(m.hostPath, path.join(root, 'cfg/..data/app.conf'));
  }));

test('follows a symlink that stays inside the volume', () =>
  withVolumes(async (root, vols) => {
    await fs.mkdir(path.join(root, 'data/real'));
    await fs.symlink('real', path.join(root, 'data/link'));
    const [m] = await containerMounts(pod(), ctr([{ name: 'data', mountPath: '/x', subPath: 'link' }]), vols);
    assert.equal(m.hostPath, path.join(root, 'data/real'));
  }));

const bad: { name: string; subPath: string; volume?: string; setup?: (root: string) => Promise<void>; message: RegExp }[] = [
  { name: 'rejects a subPath with ..', subPath: 'a/../../etc', message: /must not contain '\.\.'/ },
  { name: 'rejects an absolute subPath', subPath: '/etc', message: /must be a relative path/ },
  {
    name: 'rejects a symlink pointing out of the volume',
    subPath: 'esc/passwd',
    setup: (root) => fs.symlink('/etc', path.join(root, 'data/esc')),
    message: /resolves outside the volume/,
  },
  {
    name: 'rejects an absolute symlink even when it names a path that looks inside',
    subPath: 'up',
    setup: (root) => fs.symlink(root, path.join(root, 'data/up')),
    message: /resolves outside the volume/,
  },
  { name: 'rejects a subPath on a volume that is a file', subPath: 'x', volume: 'file', message: /is not a directory/ },
];
for (const c of bad) {
  test(c.name, () =>
    withVolumes(async (root, vols) => {
      await c.setup?.(root);
      await assert.rejects(
        containerMounts(pod(), ctr([{ name: c.volume ?? 'data', mountPath: '/x', subPath: c.subPath }]), vols),
        (err: unknown) => err instanceof ContainerConfigError && c.message.test(err.message),
      );
    }));
}

test('a mount of an unknown volume is a config error', () =>
  withVolumes(async (_root, vols) => {
    await assert.rejects(containerMounts(pod(), ctr([{ name: 'nope', mountPath: '/x' }]), vols), ContainerConfigError);
  }));
