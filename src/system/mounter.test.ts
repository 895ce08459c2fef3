import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs, { promises as fsp } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Exec, ExecResult } from './exec.js';
import { HostMounter } from './mounter.js';

/** Records calls and mounts nothing; answers success unless `answer` says otherwise. */
class NoopExec implements Exec {
  readonly calls: { file: string; args: string[] }[] = [];
  constructor(private readonly answer: (file: string) => ExecResult = () => ({ code: 0, stdout: '', stderr: '' })) {}
  async run(file: string, args: string[]): Promise<ExecResult> {
    this.calls.push({ file, args });
    return this.answer(file);
  }
  lines(): string[] {
    return this.calls.map((c) => [c.file, ...c.args].join(' '));
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
      await assert.rejects(new HostMounter({ exec }).bindFd(fd, target), /the target shows inode \d+:\d+, not \d+:\d+$/);
      assert.deepEqual(exec.lines().slice(1), [`umount --no-canonicalize ${target}`]);
    } finally {
      fs.closeSync(fd);
    }
  }));

test('unmount passes the target to umount(8) without letting it canonicalize the path', async () => {
  const exec = new NoopExec();
  await new HostMounter({ exec }).unmount('/var/lib/peapod/pods/u/volume-subpaths/v/c/0');
  assert.deepEqual(exec.lines(), ['umount --no-canonicalize /var/lib/peapod/pods/u/volume-subpaths/v/c/0']);
});

test('issue 6: a mismatch whose unmount fails reports the mismatch, with the failed unmount as context', () =>
  withDirs(async (source, target) => {
    const exec = new NoopExec((file) =>
      file === 'umount' ? { code: 32, stdout: '', stderr: `umount: ${target}: target is busy.\n` } : { code: 0, stdout: '', stderr: '' },
    );
    const fd = fs.openSync(source, 'r');
    try {
      await assert.rejects(new HostMounter({ exec }).bindFd(fd, target), (err: Error) => {
        assert.match(err.message, /^bind mount of fd \d+ on .*: the target shows inode \d+:\d+, not \d+:\d+; unmounting it again failed too: umount --no-canonicalize .*: exit 32: umount: .*: target is busy\.$/);
        assert.match(String((err.cause as Error).message), /target is busy/);
        return true;
      });
    } finally {
      fs.closeSync(fd);
    }
  }));

test('mount(8) exiting non-zero fails the bind with its message and runs nothing else (the caller cleans up)', () =>
  withDirs(async (source, target) => {
    const exec = new NoopExec(() => ({ code: 32, stdout: '', stderr: 'mount: permission denied\n' }));
    const fd = fs.openSync(source, 'r');
    try {
      await assert.rejects(new HostMounter({ exec, pid: 7 }).bindFd(fd, target), {
        message: `mount --no-canonicalize --bind /proc/7/fd/${fd} ${target}: exit 32: mount: permission denied`,
      });
      assert.equal(exec.calls.length, 1);
    } finally {
      fs.closeSync(fd);
    }
  }));

test('a target that cannot be checked after mounting fails the bind with the reason', () =>
  withDirs(async (source, target) => {
    const exec = new NoopExec();
    const fd = fs.openSync(source, 'r');
    const gone = path.join(target, 'absent');
    try {
      await assert.rejects(new HostMounter({ exec }).bindFd(fd, gone), (err: Error) => {
        assert.match(err.message, new RegExp(`^bind mount of fd ${fd} on .*/absent: check the target: ENOENT`));
        assert.equal((err.cause as NodeJS.ErrnoException).code, 'ENOENT');
        return true;
      });
      assert.equal(exec.calls.length, 1, 'nothing is unmounted blindly: the caller reads mountinfo');
    } finally {
      fs.closeSync(fd);
    }
  }));
