import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseMountInfo } from '../system/mountinfo.js';
import { buildTree, hostSourceOf, markShared, mountsOf, probeHandler } from './anatomy.js';
import type { ContainerAnatomy } from './anatomy-types.js';

// The host's table: the root filesystem (253:1), a data dir's tmpfs volume (0:55) mounted at the volume dir.
const HOST = parseMountInfo(
  [
    '22 1 253:1 / / rw,relatime shared:1 - ext4 /dev/vda1 rw',
    '90 22 0:55 / /var/lib/peapod/pods/u1/volumes/kubernetes.io~empty-dir/mem rw,relatime shared:50 - tmpfs tmpfs rw,size=1024k',
    '91 22 253:1 /var/lib/peapod/pods/u1/volumes/kubernetes.io~empty-dir/disk /mnt/bound rw - ext4 /dev/vda1 rw',
  ].join('\n'),
);

// A container's table: its overlay root, a bind of an emptyDir on disk (ro), the tmpfs volume, /etc/hosts,
// and a subPath bind (deeper root on the same device).
const CTR = parseMountInfo(
  [
    '400 300 0:70 / / rw,relatime - overlay overlay rw,lowerdir=/x',
    '401 400 253:1 /var/lib/peapod/pods/u1/volumes/kubernetes.io~empty-dir/disk /data ro,relatime - ext4 /dev/vda1 rw',
    '402 400 0:55 / /mem rw,relatime - tmpfs tmpfs rw,size=1024k',
    '403 400 253:1 /var/lib/peapod/sandboxes/s1/hosts /etc/hosts rw,relatime - ext4 /dev/vda1 rw',
    '404 400 253:1 /var/lib/peapod/pods/u1/volumes/kubernetes.io~empty-dir/disk/logs /logs rw,relatime - ext4 /dev/vda1 rw',
    '405 400 0:80 / /dev/shm rw - tmpfs shm rw',
  ].join('\n'),
);

test('a container mount is traced to its host source by device and root', () => {
  const at = (p: string) => CTR.find((e) => e.mountPoint === p)!;
  assert.equal(hostSourceOf(at('/data'), HOST), '/var/lib/peapod/pods/u1/volumes/kubernetes.io~empty-dir/disk');
  assert.equal(hostSourceOf(at('/mem'), HOST), '/var/lib/peapod/pods/u1/volumes/kubernetes.io~empty-dir/mem', 'a tmpfs: where the host mounts it');
  assert.equal(hostSourceOf(at('/logs'), HOST), '/var/lib/peapod/pods/u1/volumes/kubernetes.io~empty-dir/disk/logs');
  assert.equal(hostSourceOf(at('/dev/shm'), HOST), 'tmpfs', 'a tmpfs the host does not mount');
  const gone = parseMountInfo('410 400 253:1 /var/lib/peapod/pods/u1/volumes/kubernetes.io~configmap/cfg/..2026_12_04/a.conf//deleted /etc/a.conf ro - ext4 /dev/vda1 rw')[0]!;
  assert.equal(hostSourceOf(gone, HOST), '/var/lib/peapod/pods/u1/volumes/kubernetes.io~configmap/cfg/..2026_12_04/a.conf (deleted)', 'a subPath whose file was replaced since');
});

test('mounts: the volume mounts as the container\'s table shows them (read-only as mounted), then the runtime\'s files', () => {
  const c = {
    name: 'app',
    volumeMounts: [
      { name: 'disk', mountPath: '/data' },
      { name: 'mem', mountPath: '/mem', readOnly: true },
      { name: 'disk', mountPath: '/logs', subPath: 'logs' },
    ],
  };
  const dirs = new Map([['disk', '/var/lib/peapod/pods/u1/volumes/kubernetes.io~empty-dir/disk']]);
  assert.deepEqual(mountsOf(c, CTR, HOST, dirs), [
    { volume: 'disk', path: '/data', readOnly: true, hostSource: '/var/lib/peapod/pods/u1/volumes/kubernetes.io~empty-dir/disk' },
    { volume: 'mem', path: '/mem', readOnly: false, hostSource: '/var/lib/peapod/pods/u1/volumes/kubernetes.io~empty-dir/mem' },
    { volume: 'disk', path: '/logs', readOnly: false, hostSource: '/var/lib/peapod/pods/u1/volumes/kubernetes.io~empty-dir/disk/logs', subPath: 'logs' },
    { path: '/etc/hosts', readOnly: false, hostSource: '/var/lib/peapod/sandboxes/s1/hosts' },
    { path: '/dev/shm', readOnly: false, hostSource: 'tmpfs' },
  ]);
  // Not running: from the spec and the volume dirs that exist.
  assert.deepEqual(mountsOf(c, undefined, HOST, dirs), [
    { volume: 'disk', path: '/data', readOnly: false, hostSource: '/var/lib/peapod/pods/u1/volumes/kubernetes.io~empty-dir/disk' },
    { volume: 'mem', path: '/mem', readOnly: true },
    { volume: 'disk', path: '/logs', readOnly: false, hostSource: '/var/lib/peapod/pods/u1/volumes/kubernetes.io~empty-dir/disk/logs', subPath: 'logs' },
  ]);
});

test('processes become trees by parent pid; a parent outside the set makes a root', () => {
  const trees = buildTree([
    { pid: 30, ppid: 10, command: 'worker b' },
    { pid: 10, ppid: 5, command: 'nginx' },
    { pid: 20, ppid: 10, command: 'worker a' },
    { pid: 40, ppid: 20, command: 'helper' },
    { pid: 99, ppid: 1, command: 'exec sh' },
  ]);
  const show = (n: { pid: number; children: { pid: number; children: unknown[] }[] }): unknown => [n.pid, n.children.map((c) => show(c as never))];
  assert.deepEqual(trees.map((t) => show(t)), [
    [10, [[20, [[40, []]]], [30, []]]],
    [99, []],
  ]);
});

test('probe handlers read as a person writes them', () => {
  assert.equal(probeHandler({ httpGet: { port: 8080, path: '/healthz' } }), 'httpGet :8080/healthz');
  assert.equal(probeHandler({ httpGet: { port: 'http', scheme: 'HTTPS' } }), 'httpGet https :http/');
  assert.equal(probeHandler({ tcpSocket: { port: 5432 } }), 'tcpSocket :5432');
  assert.equal(probeHandler({ exec: { command: ['cat', '/tmp/ready'] } }), 'exec cat /tmp/ready');
  assert.equal(probeHandler({ grpc: { port: 9000 } }), 'grpc :9000');
});

test('a namespace an earlier container has is drawn as that container\'s: an ephemeral container\'s --target pid', () => {
  const c = (name: string, kind: ContainerAnatomy['kind'], pid: string): ContainerAnatomy => ({
    name, kind, image: 'busybox', state: 'running', restartCount: 0, ready: true, pid: 1, probes: [], mounts: [], processes: [],
    namespaces: [
      { kind: 'net', inode: 'net:[1]', from: 'infra' },
      { kind: 'pid', inode: pid, from: 'own' },
      { kind: 'mnt', inode: `mnt:[${name}]`, from: 'own' },
    ],
  });
  const [app, other, debug] = markShared([c('app', 'app', 'pid:[10]'), c('other', 'app', 'pid:[11]'), c('debugger', 'ephemeral', 'pid:[10]')]);
  assert.deepEqual(app!.namespaces.map((n) => n.from), ['infra', 'own', 'own']);
  assert.deepEqual(other!.namespaces.map((n) => n.from), ['infra', 'own', 'own']);
  assert.deepEqual(debug!.namespaces[1], { kind: 'pid', inode: 'pid:[10]', from: 'container', container: 'app' });
  assert.equal(debug!.namespaces[2]!.from, 'own');
});
