// The descriptor walk on a real (temporary) directory tree: no root needed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs, { promises as fsp } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ContainerConfigError } from '../errors.js';
import { O_PATH, beneath } from '../system/fd-path.js';
import { openSubPath, walkRoute } from './subpath-open.js';

async function withVolume(fn: (vol: string) => Promise<void>): Promise<void> {
  const dir = await fsp.realpath(await fsp.mkdtemp(path.join(os.tmpdir(), 'peapod-spo-')));
  try {
    await fsp.mkdir(path.join(dir, 'vol'));
    await fn(path.join(dir, 'vol'));
  } finally {
    await fsp.rm(dir, { recursive: true, force: true });
  }
}

const target = (fd: number) => fs.readlinkSync(`/proc/self/fd/${fd}`);
const configError = (re: RegExp) => (err: unknown) => err instanceof ContainerConfigError && re.test(err.message);

test('a path through /proc/self/fd/<dirfd> resolves in the opened directory, even after it moved', () =>
  withVolume(async (vol) => {
    await fsp.mkdir(path.join(vol, 'a'));
    await fsp.writeFile(path.join(vol, 'a/f'), 'inside');
    const fd = fs.openSync(path.join(vol, 'a'), O_PATH | fs.constants.O_DIRECTORY);
    try {
      await fsp.rename(path.join(vol, 'a'), path.join(vol, 'moved'));
      await fsp.symlink('/', path.join(vol, 'a'));
      assert.equal(fs.readFileSync(beneath(fd, 'f'), 'utf8'), 'inside');
    } finally {
      fs.closeSync(fd);
    }
  }));

test('opens an existing directory and an existing file', () =>
  withVolume(async (vol) => {
    await fsp.mkdir(path.join(vol, 'd/e'), { recursive: true });
    await fsp.writeFile(path.join(vol, 'd/e/f'), '');
    const dir = await openSubPath(vol, 'd/e');
    const file = await openSubPath(vol, 'd/e/f');
    try {
      assert.deepEqual([target(dir.fd), dir.isDirectory], [path.join(vol, 'd/e'), true]);
      assert.deepEqual([target(file.fd), file.isDirectory], [path.join(vol, 'd/e/f'), false]);
    } finally {
      dir.close();
      file.close();
    }
  }));

test('creates every missing element as a 0755 directory', () =>
  withVolume(async (vol) => {
    const o = await openSubPath(vol, 'x/y/z');
    try {
      assert.deepEqual([target(o.fd), o.isDirectory], [path.join(vol, 'x/y/z'), true]);
    } finally {
      o.close();
    }
    assert.equal((await fsp.stat(path.join(vol, 'x/y'))).mode & 0o777, 0o755 & ~process.umask());
  }));

test('the route is walked without following a symlink, wherever it is', () =>
  withVolume(async (vol) => {
    await fsp.mkdir(path.join(vol, 'real'));
    await fsp.symlink('/', path.join(vol, 'sub'));
    await fsp.symlink('real', path.join(vol, 'inside'));
    // As if the route had been resolved just before a container swapped the dir for a symlink:
    assert.throws(() => walkRoute(vol, ['sub'], 'sub'), configError(/^subPath sub: sub is a symlink \(symlinks are not followed/));
    assert.throws(() => walkRoute(vol, ['sub', 'etc'], 'sub/etc'), configError(/^subPath sub\/etc: sub is a symlink/));
    assert.throws(() => walkRoute(vol, ['inside'], 'inside'), configError(/inside is a symlink/));
  }));

test('a symlink planted where the walk would create a directory is refused, and nothing is made through it', () =>
  withVolume(async (vol) => {
    const outside = path.join(path.dirname(vol), 'outside');
    await fsp.mkdir(outside);
    await fsp.symlink(outside, path.join(vol, 'new'));
    // The route says "new" is missing (resolved before the link appeared).
    assert.throws(() => walkRoute(vol, ['new', 'deeper'], 'new/deeper'), configError(/new is a symlink/));
    assert.deepEqual(await fsp.readdir(outside), []);
  }));

test('refuses . and .. in a route', () =>
  withVolume(async (vol) => {
    assert.throws(() => walkRoute(vol, ['..'], 'x'), configError(/invalid path element "\.\."/));
    assert.throws(() => walkRoute(vol, ['a/b'], 'x'), configError(/invalid path element "a\/b"/));
  }));

test('an empty route opens the volume root itself', () =>
  withVolume(async (vol) => {
    const o = await openSubPath(vol, '.');
    try {
      assert.deepEqual([target(o.fd), o.isDirectory], [vol, true]);
    } finally {
      o.close();
    }
  }));

test('no descriptor is left open, after success or refusal', () =>
  withVolume(async (vol) => {
    await fsp.symlink('/', path.join(vol, 'link'));
    const before = fs.readdirSync('/proc/self/fd').length;
    for (let i = 0; i < 20; i++) {
      (await openSubPath(vol, `d${i}/e`)).close();
      assert.throws(() => walkRoute(vol, ['link'], 'link'));
    }
    assert.equal(fs.readdirSync('/proc/self/fd').length, before);
  }));
