import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isMountPoint, mountsUnder, parseMountInfo } from './mountinfo.js';

const SAMPLE = [
  '22 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw',
  '100 22 0:50 / /d/pods/u1/volumes/kubernetes.io~empty-dir/cache rw,relatime shared:60 - tmpfs tmpfs rw,size=1024k',
  '101 22 0:51 / /d/pods/u1/volumes/kubernetes.io~secret/s rw,relatime - tmpfs tmpfs rw,size=4096k',
  '102 100 0:52 / /d/pods/u1/volumes/kubernetes.io~empty-dir/cache/inner rw - tmpfs tmpfs rw',
  '103 22 0:53 / /d/pods/u10/volumes/kubernetes.io~empty-dir/x rw - tmpfs tmpfs rw',
  '104 22 0:54 / /mnt/with\\040space rw - tmpfs none rw',
].join('\n');

test('parses mount point, type, source and super options', () => {
  const entries = parseMountInfo(SAMPLE);
  assert.equal(entries.length, 6);
  assert.deepEqual(entries[1], {
    mountPoint: '/d/pods/u1/volumes/kubernetes.io~empty-dir/cache',
    mountOptions: 'rw,relatime',
    fsType: 'tmpfs',
    source: 'tmpfs',
    superOptions: 'rw,size=1024k',
  });
});

test('unescapes octal escapes in mount points', () => {
  assert.equal(parseMountInfo(SAMPLE)[5].mountPoint, '/mnt/with space');
});

test('lists the mounts under a pod dir deepest first and ignores a sibling with a common prefix', () => {
  const got = mountsUnder(parseMountInfo(SAMPLE), '/d/pods/u1/').map((e) => e.mountPoint);
  assert.deepEqual(got, [
    '/d/pods/u1/volumes/kubernetes.io~empty-dir/cache/inner',
    '/d/pods/u1/volumes/kubernetes.io~secret/s',
    '/d/pods/u1/volumes/kubernetes.io~empty-dir/cache',
  ]);
});

test('unmounts stacked mounts on one point newest first', () => {
  const text = ['1 0 0:1 / /a rw - tmpfs t rw,size=1k', '2 1 0:2 / /a rw - tmpfs t rw,size=2k'].join('\n');
  assert.deepEqual(mountsUnder(parseMountInfo(text), '/a').map((e) => e.superOptions), ['rw,size=2k', 'rw,size=1k']);
});

test('tells whether a dir is itself a mount point', () => {
  const entries = parseMountInfo(SAMPLE);
  assert.equal(isMountPoint(entries, '/d/pods/u1/volumes/kubernetes.io~secret/s'), true);
  assert.equal(isMountPoint(entries, '/d/pods/u1/volumes'), false);
});
