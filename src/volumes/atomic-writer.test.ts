import { test } from 'node:test';
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { generationPrefix, writeAtomic } from './atomic-writer.js';
import type { Payload } from './projection.js';

const T0 = Date.UTC(2026, 0, 2, 3, 4, 5);
const file = (s: string, mode = 0o644) => ({ data: Buffer.from(s), mode });

async function tempDir(): Promise<string> {
  return fs.mkdtemp(path.join(os.tmpdir(), 'peapod-aw-'));
}

test('names a generation dir after the UTC time like the kubelet', () => {
  assert.equal(generationPrefix(T0), '..2026_01_02_03_04_05.');
});

test('writes files behind ..data with per-key symlinks and the requested modes', async () => {
  const dir = await tempDir();
  try {
    const payload: Payload = new Map([
      ['a', file('A')],
      ['sub/b', file('B', 0o400)],
    ]);
    assert.equal(await writeAtomic(dir, payload, T0), true);
    const gen = await fs.readlink(path.join(dir, '..data'));
    assert.match(gen, /^\.\.2026_01_02_03_04_05\./);
    assert.equal(await fs.readlink(path.join(dir, 'a')), '..data/a');
    assert.equal(await fs.readlink(path.join(dir, 'sub')), '..data/sub');
    assert.equal(await fs.readFile(path.join(dir, 'sub/b'), 'utf8'), 'B');
    assert.equal((await fs.stat(path.join(dir, 'sub/b'))).mode & 0o777, 0o400);
    assert.equal((await fs.stat(path.join(dir, gen))).mode & 0o777, 0o755);
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
});

test('an update swaps the generation, drops removed keys and deletes the old dir', async () => {
  const dir = await tempDir();
  try {
    await writeAtomic(dir, new Map([['a', file('1')], ['gone', file('x')]]), T0);
    const oldGen = await fs.readlink(path.join(dir, '..data'));
    assert.equal(await writeAtomic(dir, new Map([['a', file('2')], ['new', file('n')]]), T0 + 1000), true);
    assert.equal(await fs.readFile(path.join(dir, 'a'), 'utf8'), '2');
    assert.equal(await fs.readFile(path.join(dir, 'new'), 'utf8'), 'n');
    await assert.rejects(fs.lstat(path.join(dir, 'gone')), { code: 'ENOENT' });
    await assert.rejects(fs.lstat(path.join(dir, oldGen)), { code: 'ENOENT' });
    const names = (await fs.readdir(dir)).sort();
    assert.deepEqual(names.filter((n) => !n.startsWith('..2026')), ['..data', 'a', 'new']);
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
});

test('writing the same payload again changes nothing', async () => {
  const dir = await tempDir();
  try {
    await writeAtomic(dir, new Map([['a', file('1')]]), T0);
    const gen = await fs.readlink(path.join(dir, '..data'));
    assert.equal(await writeAtomic(dir, new Map([['a', file('1')]]), T0 + 5000), false);
    assert.equal(await fs.readlink(path.join(dir, '..data')), gen);
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
});

test('a mode change alone is an update', async () => {
  const dir = await tempDir();
  try {
    await writeAtomic(dir, new Map([['a', file('1', 0o644)]]), T0);
    assert.equal(await writeAtomic(dir, new Map([['a', file('1', 0o600)]]), T0), true);
    assert.equal((await fs.stat(path.join(dir, 'a'))).mode & 0o777, 0o600);
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
});
