import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs, { promises as fsp } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Exec, ExecResult } from './exec.js';
import { HostMounter } from './mounter.js';

/** Records calls and mounts nothing. */
class NoopExec implements Exec {
  readonly calls: { file: string; args: string[] }[] = [];
  async run(file: string, args: string[]): Promise<ExecResult> {
    this.calls.push({ file, args });
    return { code: 0, stdout: '', stderr: '' };
  }
}

async function withDirs(fn: (source: string, target: string) => Promise<void>): Promise<void> {
  const dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'peapod-mounter-'));
  try {
    await fsp.mkdir(path.join(dir, 'source'));
    await fsp.mkdir(path.join(dir, 'target'));
    await fn(path.join(dir, 'source'), path.join(dir, 'target'));
  } finally {
    await fsp.rm(dir, { recursive: true, force: true });
  }
}

test('binds the descriptor through /proc/<pid>/fd without letting mount(8) canonicalize it', () =>
  withDirs(async (source, target) => {
    const exec = new NoopExec();
    const fd = fs.openSync(source, 'r');
    try {
      // Nothing is mounted, so the check that follows fails: the call itself is what is tested here.
      await new HostMounter({ exec, pid: 4242 }).bindFd(fd, target).catch(() => undefined);
      assert.deepEqual(exec.calls[0], { file: 'mount', args: ['--no-canonicalize', '--bind', `/proc/4242/fd/${fd}`, target] });
    } finally {
      fs.closeSync(fd);
    }
  }));

test('a target that does not show the descriptor after mounting is unmounted again and the bind fails', () =>
  withDirs(async (source, target) => {
    const exec = new NoopExec();
    const fd = fs.openSync(source, 'r');
    try {
      await assert.rejects(new HostMounter({ exec }).bindFd(fd, target), /the target shows inode \d+:\d+, not \d+:\d+/);
      assert.deepEqual(exec.calls.map((c) => [c.file, ...c.args].join(' ')).slice(1), [`umount ${target}`]);
    } finally {
      fs.closeSync(fd);
    }
  }));
