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

const ROOT = process.getuid?.() === 0;

test('an fsGroup projection whose ownership step widened the modes is not rewritten on the next resync', { skip: ROOT ? false : 'chown to another group needs root' }, async () => {
  const { applyFsGroup } = await import('./fs-group.js');
  const dir = await tempDir();
  try {
    const payload: Payload = new Map([['token', file('jwt', 0o600)], ['ca.crt', file('ca', 0o400)]]);
    const setPerms = (gen: string) => applyFsGroup(gen, 4321, true);
    assert.equal(await writeAtomic(dir, payload, T0, setPerms), true);
    await applyFsGroup(dir, 4321, true); // the volume manager's walk after setUp
    const gen = await fs.readlink(path.join(dir, '..data'));
    assert.equal(await writeAtomic(dir, payload, T0 + 60_000, setPerms), false);
    assert.equal(await fs.readlink(path.join(dir, '..data')), gen);
    assert.deepEqual((await fs.readdir(dir)).filter((n) => n.startsWith('..2026')), [gen]);
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
});

test('a changed payload is given its owner and modes before its generation is swapped in', { skip: ROOT ? false : 'chown to another group needs root' }, async () => {
  const { applyFsGroup } = await import('./fs-group.js');
  const dir = await tempDir();
  try {
    const setPerms = (gen: string) => applyFsGroup(gen, 4321, true);
    await writeAtomic(dir, new Map([['token', file('one', 0o600)]]), T0, setPerms);
    const oldGen = await fs.readlink(path.join(dir, '..data'));
    let seenAtSwap: { gid: number; mode: number; dataLink: string } | undefined;
    const checking = async (gen: string) => {
      await setPerms(gen);
      const st = await fs.stat(path.join(gen, 'token'));
      seenAtSwap = { gid: st.gid, mode: st.mode & 0o777, dataLink: await fs.readlink(path.join(dir, '..data')) };
    };
    assert.equal(await writeAtomic(dir, new Map([['token', file('two', 0o600)]]), T0 + 60_000, checking), true);
    // setPerms ran while readers still saw the old generation, and left the new one as it is swapped in.
    assert.deepEqual(seenAtSwap, { gid: 4321, mode: 0o640, dataLink: oldGen });
    const st = await fs.stat(path.join(dir, 'token'));
    assert.equal(await fs.readFile(path.join(dir, 'token'), 'utf8'), 'two');
    assert.equal(st.gid, 4321);
    assert.equal(st.mode & 0o777, 0o640);
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
});

test('whether to write goes by content: a mode that differs on disk alone writes nothing', async () => {
  const dir = await tempDir();
  try {
    await writeAtomic(dir, new Map([['a', file('1', 0o600)]]), T0);
    const gen = await fs.readlink(path.join(dir, '..data'));
    await fs.chmod(path.join(dir, gen, 'a'), 0o640);
    assert.equal(await writeAtomic(dir, new Map([['a', file('1', 0o600)]]), T0 + 1000), false);
    assert.equal(await fs.readlink(path.join(dir, '..data')), gen);
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
});
