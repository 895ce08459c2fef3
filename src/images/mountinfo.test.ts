import assert from 'node:assert/strict';
import { test } from 'node:test';
import { mountsUnder, parseMountInfo } from './mountinfo.js';

const TEXT = [
  '22 1 254:0 / / rw,relatime shared:1 - ext4 /dev/vda rw',
  '90 22 0:50 / /d/images/overlay/c1/merged rw,relatime - overlay overlay rw,lowerdir=a:b',
  '91 90 0:51 / /d/images/overlay/c1/merged/proc rw - proc proc rw',
  '92 22 0:52 / /d/images/overlay/c\\0402/merged rw - overlay overlay rw',
  '93 22 0:53 / /d/images/overlay/c10/merged rw - overlay overlay rw',
  '',
].join('\n');

test('parseMountInfo reads mount point, fs type and source, unescaping octal', () => {
  const got = parseMountInfo(TEXT);
  assert.equal(got.length, 5);
  assert.deepEqual(got[1], { mountPoint: '/d/images/overlay/c1/merged', fsType: 'overlay', source: 'overlay' });
  assert.equal(got[3]!.mountPoint, '/d/images/overlay/c 2/merged');
});

test('mountsUnder lists mounts below a dir deepest first and not its siblings with a common prefix', () => {
  assert.deepEqual(mountsUnder(parseMountInfo(TEXT), '/d/images/overlay/c1'), [
    '/d/images/overlay/c1/merged/proc',
    '/d/images/overlay/c1/merged',
  ]);
});
