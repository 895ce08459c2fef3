// The data dir lock (issue 14, item 3) on temp dirs, with real processes as holders (flock(1) is the
// seam, so there is nothing to fake): no root needed.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { test } from 'node:test';
import { acquireDataDirLock, LOCK_FILE, PID_FILE } from './data-dir-lock.js';

function withDir(fn: (dir: string) => Promise<void> | void): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'peapod-lock-'));
  return Promise.resolve()
    .then(() => fn(dir))
    .finally(() => fs.rmSync(dir, { recursive: true, force: true }));
}

const refusal = (dir: string, pid: number) =>
  new RegExp(`^Error: another peapod daemon \\(pid ${pid}\\) already serves this data dir \\(${dir}\\)`);

test('a second daemon on the same data dir is refused while the first holds the lock, and starts once it is released', () =>
  withDir((dir) => {
    const release = acquireDataDirLock(dir, { waitMs: 0 });
    assert.equal(fs.readFileSync(path.join(dir, PID_FILE), 'utf8'), `${process.pid}\n`);
    // Another open of the lock file is another open file description: flock refuses it, in this process too.
    assert.throws(() => acquireDataDirLock(dir, { waitMs: 0 }), new RegExp(`${refusal(dir, process.pid).source}: it holds the lock on ${dir}/${LOCK_FILE}$`));
    assert.equal(fs.readFileSync(path.join(dir, PID_FILE), 'utf8'), `${process.pid}\n`, 'the refused start leaves the pid file alone');
    release();
    assert.equal(fs.existsSync(path.join(dir, PID_FILE)), false);
    assert.equal(fs.statSync(path.join(dir, LOCK_FILE)).mode & 0o777, 0o600, 'the lock file stays, private');
    acquireDataDirLock(dir, { waitMs: 0 })();
  }));

// Issue 14: the pid probe (kill -0) found a SIGKILLed daemon that was not reaped yet alive, and refused
// the restarted daemon. The holder here is a child of a process that never reaps (sh exec'd into sleep).
test('a data dir whose daemon was SIGKILLed and not reaped yet (a zombie) is taken at once by its successor', () =>
  withDir(async (dir) => {
    const moduleUrl = new URL('./data-dir-lock.js', import.meta.url).href;
    const holderJs = `const { acquireDataDirLock } = await import(process.argv[1]); acquireDataDirLock(process.argv[2], { waitMs: 0 }); console.log('locked'); setInterval(() => {}, 1 << 30);`;
    const parent = spawn('sh', ['-c', `"$0" --input-type=module -e "$1" "$2" "$3" & echo $!; exec sleep 60`, process.execPath, holderJs, moduleUrl, dir], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let holder = 0;
    try {
      const lines = createInterface({ input: parent.stdout! })[Symbol.asyncIterator]();
      holder = Number((await lines.next()).value);
      assert.ok(holder > 0, 'the holder pid');
      assert.equal((await lines.next()).value, 'locked');
      assert.throws(() => acquireDataDirLock(dir, { waitMs: 0 }), refusal(dir, holder), 'refused while the holder lives');

      process.kill(holder, 'SIGKILL');
      // The thread group leader shows Z as soon as it exits, while Node's other threads may still be
      // exiting and holding the shared file table (and so the lock): a zombie is whole once it is alone.
      await until(() => procState(holder) === 'Z' && threadCount(holder) === 1, 'the holder to become a zombie');
      const release = acquireDataDirLock(dir, { waitMs: 0 });
      assert.equal(procState(holder), 'Z', 'still unreaped when its successor took the data dir');
      assert.equal(fs.readFileSync(path.join(dir, PID_FILE), 'utf8'), `${process.pid}\n`);
      release();
    } finally {
      if (holder > 0 && procState(holder) !== undefined && procState(holder) !== 'Z') process.kill(holder, 'SIGKILL');
      parent.kill('SIGKILL');
    }
  }));

test('a lock file planted as a symlink is refused, and so is a pid file planted as one, leaving their targets alone', () =>
  withDir((dir) => {
    const theirs = path.join(dir, 'theirs');
    fs.writeFileSync(theirs, 'theirs', { mode: 0o644 });
    fs.symlinkSync(theirs, path.join(dir, LOCK_FILE));
    assert.throws(() => acquireDataDirLock(dir, { waitMs: 0 }), new RegExp(`^Error: open lock file ${dir}/${LOCK_FILE}: is a symlink$`));
    fs.rmSync(path.join(dir, LOCK_FILE));
    // Issue 6 security review: the pid file was written following a planted symlink.
    fs.symlinkSync(theirs, path.join(dir, PID_FILE));
    assert.throws(() => acquireDataDirLock(dir, { waitMs: 0 }), new RegExp(`^Error: write pid file ${dir}/${PID_FILE}: is a symlink$`));
    assert.equal(fs.readFileSync(theirs, 'utf8'), 'theirs');
    // The failed start dropped its lock.
    fs.rmSync(path.join(dir, PID_FILE));
    fs.writeFileSync(path.join(dir, PID_FILE), '999999999\n', { mode: 0o644 }); // stale, too open
    const release = acquireDataDirLock(dir, { waitMs: 0 });
    assert.equal(fs.readFileSync(path.join(dir, PID_FILE), 'utf8'), `${process.pid}\n`);
    assert.equal(fs.statSync(path.join(dir, PID_FILE)).mode & 0o777, 0o600);
    release();
  }));

test('a start waits for a holder that is going away, up to waitMs', () =>
  withDir(async (dir) => {
    const first = acquireDataDirLock(dir, { waitMs: 0 });
    const t0 = process.hrtime.bigint();
    assert.throws(() => acquireDataDirLock(dir, { waitMs: 300 }), refusal(dir, process.pid));
    const waited = Number(process.hrtime.bigint() - t0) / 1e6;
    assert.ok(waited >= 250, `waited ${waited} ms before refusing`);
    first();
  }));

test('a missing flock program fails the start with its reason', () =>
  withDir((dir) => {
    assert.throws(() => acquireDataDirLock(dir, { waitMs: 0, flockPath: path.join(dir, 'no-flock') }), /^Error: lock .*peapod\.lock: flock: spawnSync .*no-flock ENOENT$/);
    acquireDataDirLock(dir, { waitMs: 0 })();
  }));

function procState(pid: number): string | undefined {
  try {
    return /^\d+ \(.*\) (\S)/.exec(fs.readFileSync(`/proc/${pid}/stat`, 'utf8'))?.[1];
  } catch {
    return undefined;
  }
}

function threadCount(pid: number): number {
  try {
    return fs.readdirSync(`/proc/${pid}/task`).length;
  } catch {
    return 0;
  }
}

async function until(check: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 500; i++) {
    if (check()) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`timed out waiting for ${what}`);
}
