// The daemon's pid lock on a temp dir (no root: startDaemon itself is exercised by the root suites).

import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { acquirePidLock } from './daemon.js';

// Issue 6 security review: the pid file was written with writeFileSync, following a planted symlink.
test('the pid lock is written 0600 without following a symlink at its name, and released', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'peapod-pid-'));
  try {
    const file = path.join(dir, 'peapod.pid');
    const theirs = path.join(dir, 'theirs');
    fs.writeFileSync(theirs, 'theirs', { mode: 0o644 });
    fs.symlinkSync(theirs, file);
    assert.throws(() => acquirePidLock(file), new RegExp(`^Error: write pid file ${file}: is a symlink$`));
    assert.equal(fs.readFileSync(theirs, 'utf8'), 'theirs');

    fs.rmSync(file);
    fs.writeFileSync(file, '999999999\n', { mode: 0o644 }); // a stale pid file, too open
    const release = acquirePidLock(file);
    assert.equal(fs.readFileSync(file, 'utf8'), `${process.pid}\n`);
    assert.equal(fs.statSync(file).mode & 0o777, 0o600);
    release();
    assert.equal(fs.existsSync(file), false);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
