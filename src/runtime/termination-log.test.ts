import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm, stat, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { createTerminationLog, readTerminationLog, TERMINATION_MESSAGE_MAX_BYTES } from './termination-log.js';

async function withDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'termlog-'));
  try {
    await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

// Issue 13: the whole file was read (a container could make the daemon allocate gigabytes) and its
// first 4096 characters kept; the kubelet keeps the last 4096 bytes.
test('only the last 4096 bytes of a termination log are read, as the kubelet reads them', () =>
  withDir(async (dir) => {
    const file = path.join(dir, 'termination-log');
    await writeFile(file, 'a'.repeat(1 << 20) + 'b'.repeat(TERMINATION_MESSAGE_MAX_BYTES - 3) + 'end');
    const msg = await readTerminationLog(file);
    assert.equal(msg.length, TERMINATION_MESSAGE_MAX_BYTES);
    assert.ok(msg.endsWith('bend') && !msg.includes('a'));
  }));

test('a termination log that is no longer a regular file is reported, never read or waited on', () =>
  withDir(async (dir) => {
    const fifo = path.join(dir, 'fifo');
    execFileSync('mkfifo', [fifo]);
    assert.equal(await readTerminationLog(fifo), `Error on reading termination log ${fifo}: not a regular file`);
    const link = path.join(dir, 'link');
    await symlink('/dev/zero', link);
    assert.match(await readTerminationLog(link), /^Error on reading termination log .*\/link: ELOOP/);
    assert.equal(await readTerminationLog(path.join(dir, 'missing')), '');
  }));

test('the termination log is created empty and 0666 whatever the umask, so any user in the container can write it', () =>
  withDir(async (dir) => {
    const file = path.join(dir, 'termination-log');
    const old = process.umask(0o077);
    try {
      await createTerminationLog(file);
    } finally {
      process.umask(old);
    }
    const st = await stat(file);
    assert.equal(st.mode & 0o777, 0o666);
    assert.equal(st.size, 0);
  }));
