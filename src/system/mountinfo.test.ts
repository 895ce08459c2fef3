import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isMountPoint, mountPointsUnder, mountsUnder, parseMountInfo, unescapeMountField, escapeMountField } from './mountinfo.js';

// Overlay rootfs mounts of the image store (from the former images/mountinfo tests).
const OVERLAYS = [
  '22 1 254:0 / / rw,relatime shared:1 - ext4 /dev/vda rw',
  '90 22 0:50 / /d/images/overlay/c1/merged rw,relatime - overlay overlay rw,lowerdir=a:b',
  '91 90 0:51 / /d/images/overlay/c1/merged/proc rw - proc proc rw',
  '92 22 0:52 / /d/images/overlay/c\\0402/merged rw - overlay overlay rw',
  '93 22 0:53 / /d/images/overlay/c10/merged rw - overlay overlay rw',
  '',
].join('\n');

// Pod volume mounts (from the former volumes/mountinfo tests).
const VOLUMES = [
  '22 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw',
  '100 22 0:50 / /d/pods/u1/volumes/kubernetes.io~empty-dir/cache rw,relatime shared:60 - tmpfs tmpfs rw,size=1024k',
  '101 22 0:51 / /d/pods/u1/volumes/kubernetes.io~secret/s rw,relatime - tmpfs tmpfs rw,size=4096k',
  '102 100 0:52 / /d/pods/u1/volumes/kubernetes.io~empty-dir/cache/inner rw - tmpfs tmpfs rw',
  '103 22 0:53 / /d/pods/u10/volumes/kubernetes.io~empty-dir/x rw - tmpfs tmpfs rw',
  '104 22 0:54 / /mnt/with\\040space rw - tmpfs none rw',
].join('\n');

const PARSE_CASES = [
  {
    name: 'parses mount point, fs type, source and both option fields of an overlay mount',
    text: OVERLAYS,
    count: 5,
    want: { device: '0:50', root: '/', mountPoint: '/d/images/overlay/c1/merged', mountOptions: 'rw,relatime', fsType: 'overlay', source: 'overlay', superOptions: 'rw,lowerdir=a:b' },
  },
  {
    name: 'parses mount point, type, source and super options of a line with optional fields',
    text: VOLUMES,
    count: 6,
    want: { device: '0:50', root: '/', mountPoint: '/d/pods/u1/volumes/kubernetes.io~empty-dir/cache', mountOptions: 'rw,relatime', fsType: 'tmpfs', source: 'tmpfs', superOptions: 'rw,size=1024k' },
  },
];

for (const c of PARSE_CASES) {
  test(c.name, () => {
    const entries = parseMountInfo(c.text);
    assert.equal(entries.length, c.count);
    assert.deepEqual(entries[1], c.want);
  });
}

test('unescapes octal escapes in mount points', () => {
  assert.equal(parseMountInfo(OVERLAYS)[3].mountPoint, '/d/images/overlay/c 2/merged');
  assert.equal(parseMountInfo(VOLUMES)[5].mountPoint, '/mnt/with space');
  assert.equal(unescapeMountField('a\\011b\\012c\\134d'), 'a\tb\nc\\d');
});

test('reads the device and the root a bind mount takes from its filesystem, unescaped', () => {
  const [e] = parseMountInfo('40 22 8:1 /var/lib/peapod/pods/u1/vol\\040a /data ro,relatime - ext4 /dev/sda1 rw');
  assert.deepEqual([e!.device, e!.root, e!.mountPoint], ['8:1', '/var/lib/peapod/pods/u1/vol a', '/data']);
});

test('unescapes octal escapes in the mount source', () => {
  assert.equal(parseMountInfo('30 22 0:60 / /m rw - fuse.x /home/a\\040b rw')[0].source, '/home/a b');
});

test('skips blank and malformed lines and reads a line without super options', () => {
  const text = ['', 'garbage', '1 0 0:1 / /x rw - tmpfs', '2 0 0:2 / /y rw - tmpfs t'].join('\n');
  assert.deepEqual(parseMountInfo(text).map((e) => [e.mountPoint, e.superOptions]), [['/y', '']]);
});

test('lists the mount points below a dir deepest first and not its siblings with a common prefix', () => {
  assert.deepEqual(mountPointsUnder(parseMountInfo(OVERLAYS), '/d/images/overlay/c1'), [
    '/d/images/overlay/c1/merged/proc',
    '/d/images/overlay/c1/merged',
  ]);
});

test('lists the mounts under a pod dir deepest first and ignores a sibling with a common prefix', () => {
  const got = mountsUnder(parseMountInfo(VOLUMES), '/d/pods/u1/').map((e) => e.mountPoint);
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

test('lists a stacked mount point once among the mount points', () => {
  const text = ['1 0 0:1 / /a rw - tmpfs t rw', '2 1 0:2 / /a rw - tmpfs t rw', '3 2 0:3 / /a/b rw - tmpfs t rw'].join('\n');
  assert.deepEqual(mountPointsUnder(parseMountInfo(text), '/a'), ['/a/b', '/a']);
});

test('tells whether a dir is itself a mount point', () => {
  const entries = parseMountInfo(VOLUMES);
  assert.equal(isMountPoint(entries, '/d/pods/u1/volumes/kubernetes.io~secret/s'), true);
  assert.equal(isMountPoint(entries, '/d/pods/u1/volumes/kubernetes.io~secret/s/'), true);
  assert.equal(isMountPoint(entries, '/d/pods/u1/volumes'), false);
});

test('parseMountInfo with `within` keeps only the mounts at or below that dir, escaped names included', () => {
  const text = [
    '30 1 0:26 / / rw - ext4 /dev/vda rw',
    '40 30 0:30 / /data/pods/a rw - tmpfs tmpfs rw',
    '41 40 0:31 / /data/pods/a/vol rw - tmpfs tmpfs rw',
    '42 30 0:32 / /data/pods/ab rw - tmpfs tmpfs rw',
    '43 30 0:33 / /data/pods/with\\040space/x rw - tmpfs tmpfs rw',
    '44 30 0:34 / /other/data/pods/a rw - tmpfs tmpfs rw',
  ].join('\n');
  assert.deepEqual(parseMountInfo(text, '/data/pods/a/').map((e) => e.mountPoint), ['/data/pods/a', '/data/pods/a/vol']);
  assert.deepEqual(parseMountInfo(text, '/data/pods/with space').map((e) => e.mountPoint), ['/data/pods/with space/x']);
  assert.equal(parseMountInfo(text, '/').length, 6);
  assert.equal(escapeMountField('a b\tc\nd\\e'), 'a\\040b\\011c\\012d\\134e');
});
