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

/** Yields to the loop (and the thread pool's file reads) until cond holds; fails after about 10 s. */
async function until(cond: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 5000 && !cond(); i++) await new Promise((r) => setTimeout(r, 2));
  assert.ok(cond(), `timed out waiting for ${what}`);
}

test('the slow poll reports a watched exit once and ignores ids nobody watches', () =>
  withDir(async (dir) => {
    const clock = new FakeClock();
    const seen: [string, number][] = [];
    // Every id the watcher considers (a reported id is skipped before this is asked): counting the
    // stranger's turns tells the test that a poll round has gone through the whole directory.
    const asked: string[] = [];
    const w = new ExitWatcher({
      exitsDir: dir, clock, logger: silentLogger(), pollMs: 1000,
      isWatched: (id) => (asked.push(id), id !== 'stranger'),
      onExit: (id, info) => seen.push([id, info.code]),
    });
    // Written before start(): fs.watch never reports them, only the poll can find them. The test never
    // calls check() itself, so without the poll nothing is reported and the waits below fail.
    await writeFile(path.join(dir, 'c1'), '3');
    await writeFile(path.join(dir, 'stranger'), '0');
    w.start();
    try {
      clock.advance(1000);
      await until(() => seen.length > 0 && asked.filter((id) => id === 'stranger').length === 1, 'the first poll');
      // The next round is scheduled only once the first has finished; wait for it to have looked at the
      // stranger again, which proves it walked the directory, then c1 must still have been reported once.
      await until(() => {
        clock.advance(1000);
        return asked.filter((id) => id === 'stranger').length >= 2;
      }, 'the second poll');
      assert.deepEqual(seen, [['c1', 3]]);
    } finally {
      w.close();
    }
  }));
