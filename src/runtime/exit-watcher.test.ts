import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { FakeClock } from '../system/clock.js';
import { silentLogger } from '../system/logger.js';
import { ExitWatcher, readExitFile } from './exit-watcher.js';

async function withDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'peapod-exits-'));
  try {
    await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

test('an exit file is read as a decimal code without a newline', () =>
  withDir(async (dir) => {
    await writeFile(path.join(dir, 'c1'), '137');
    assert.equal((await readExitFile(dir, 'c1'))?.code, 137);
    assert.equal(await readExitFile(dir, 'missing'), undefined);
    await writeFile(path.join(dir, 'half'), '');
    assert.equal(await readExitFile(dir, 'half'), undefined);
  }));

test('the slow poll reports a watched exit once and ignores ids nobody watches', () =>
  withDir(async (dir) => {
    const clock = new FakeClock();
    const seen: [string, number][] = [];
    const w = new ExitWatcher({
      exitsDir: dir, clock, logger: silentLogger(), pollMs: 1000,
      isWatched: (id) => id !== 'stranger',
      onExit: (id, info) => seen.push([id, info.code]),
    });
    // Written before start(): only the poll can find them.
    await writeFile(path.join(dir, 'c1'), '3');
    await writeFile(path.join(dir, 'stranger'), '0');
    w.start();
    clock.advance(1000);
    for (let i = 0; i < 1000 && seen.length === 0; i++) await new Promise((r) => setImmediate(r));
    clock.advance(1000);
    await w.check('c1');
    await w.check('stranger');
    w.close();
    assert.deepEqual(seen, [['c1', 3]]);
  }));
