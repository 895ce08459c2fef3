// The image's /etc/passwd and /etc/group are read as a chroot would see them (issue 13): symlinks stay
// inside the rootfs, FIFOs and devices are not read, and the read is capped.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { readRootfsFile, resolveInRoot } from './rootfs-file.js';
import { resolveUserInRootfs } from './user.js';

let tmp: string;
let rootfs: string;
let outside: string;

before(async () => {
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'peapod-rootfs-file-'));
  rootfs = path.join(tmp, 'rootfs');
  outside = path.join(tmp, 'outside');
  await fs.mkdir(path.join(rootfs, 'etc'), { recursive: true });
  await fs.mkdir(outside);
  await fs.writeFile(path.join(outside, 'passwd'), 'host:x:4242:4242::/:/bin/sh\n');
  await fs.writeFile(path.join(rootfs, 'etc', 'real'), 'app:x:1000:1000::/:/bin/sh\n');
});

after(async () => {
  await fs.rm(tmp, { recursive: true, force: true });
});

async function withLink(name: string, target: string, fn: () => Promise<void>): Promise<void> {
  const link = path.join(rootfs, 'etc', name);
  await fs.symlink(target, link);
  try {
    await fn();
  } finally {
    await fs.rm(link, { force: true });
  }
}

test('an absolute symlink is resolved inside the rootfs, not on the host', async () => {
  await withLink('passwd', path.join(outside, 'passwd'), async () => {
    assert.equal(await readRootfsFile(rootfs, 'etc/passwd'), '');
  });
  await withLink('passwd', '/etc/real', async () => {
    assert.equal(await readRootfsFile(rootfs, 'etc/passwd'), 'app:x:1000:1000::/:/bin/sh\n');
  });
});

test('a relative symlink cannot climb above the rootfs', async () => {
  const up = '../'.repeat(path.join(rootfs, 'etc').split('/').length + 2);
  await withLink('passwd', `${up}${path.relative('/', outside)}/passwd`, async () => {
    assert.equal(await readRootfsFile(rootfs, 'etc/passwd'), '');
  });
  await withLink('passwd', `${up}etc/real`, async () => {
    assert.equal(await resolveInRoot(rootfs, 'etc/passwd'), path.join(rootfs, 'etc/real'));
  });
});

test('a name user lookup never reads the host file a symlink names', async () => {
  await withLink('passwd', path.join(outside, 'passwd'), async () => {
    await assert.rejects(resolveUserInRootfs({ imageUser: 'host', supplementalGroups: [] }, rootfs), /"host" not found/);
  });
});

test('a FIFO is not read (it would block a thread for good)', { timeout: 5000 }, async () => {
  const fifo = path.join(rootfs, 'etc', 'group');
  execFileSync('mkfifo', [fifo]);
  try {
    assert.equal(await readRootfsFile(rootfs, 'etc/group'), '');
  } finally {
    await fs.rm(fifo, { force: true });
  }
});

test('a link to a device is resolved inside the rootfs, and a dir is not read', async () => {
  await withLink('passwd', '/dev/zero', async () => {
    assert.equal(await readRootfsFile(rootfs, 'etc/passwd'), '');
  });
  await fs.mkdir(path.join(rootfs, 'dev'));
  await fs.symlink('/dev/zero', path.join(rootfs, 'dev', 'zero')); // a link out of a link: still inside
  try {
    await withLink('passwd', '/dev/zero', async () => assert.equal(await readRootfsFile(rootfs, 'etc/passwd'), ''));
  } finally {
    await fs.rm(path.join(rootfs, 'dev'), { recursive: true, force: true });
  }
  await withLink('passwd', '/etc', async () => assert.equal(await readRootfsFile(rootfs, 'etc/passwd'), ''));
});

test('a symlink loop reads as missing', async () => {
  await withLink('passwd', 'loop', async () => {
    await withLink('loop', 'passwd', async () => assert.equal(await readRootfsFile(rootfs, 'etc/passwd'), ''));
  });
});

test('a table over the cap is refused, not read whole', async () => {
  const big = path.join(rootfs, 'etc', 'big');
  await fs.writeFile(big, 'x'.repeat(2000));
  try {
    await assert.rejects(readRootfsFile(rootfs, 'etc/big', 1000), /larger than 1000 bytes/);
    assert.equal((await readRootfsFile(rootfs, 'etc/big', 2000)).length, 2000);
  } finally {
    await fs.rm(big, { force: true });
  }
});
