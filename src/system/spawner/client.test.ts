import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { silentLogger } from '../logger.js';
import { SpawnHelper } from './client.js';

async function withHelper(fn: (h: SpawnHelper, dir: string) => Promise<void>): Promise<void> {
  const h = new SpawnHelper(silentLogger());
  const dir = await mkdtemp(path.join(os.tmpdir(), 'peapod-spawner-'));
  try {
    h.start();
    await fn(h, dir);
  } finally {
    h.close();
    await rm(dir, { recursive: true, force: true });
  }
}

function exited(pid: number): Promise<void> {
  return new Promise((resolve) => {
    const check = () => {
      try {
        process.kill(pid, 0);
        setTimeout(check, 10);
      } catch {
        resolve();
      }
    };
    check();
  });
}

test('runs a program in the helper: arguments, exit code, stdout and stderr, cwd and env', async () => {
  await withHelper(async (h, dir) => {
    const r = await h.run('/bin/sh', ['-c', 'echo "$PWD $GREETING $1"; echo oops >&2; exit 3', 'sh', 'arg'], { cwd: dir, env: { GREETING: 'hi', PATH: '/bin:/usr/bin' } });
    assert.deepEqual(r, { code: 3, stdout: `${dir} hi arg\n`, stderr: 'oops\n' });
    assert.notEqual(h.pid, undefined);
    assert.notEqual(h.pid, process.pid);
  });
});

test('input crosses as bytes, a Buffer unchanged', async () => {
  await withHelper(async (h) => {
    const bytes = Buffer.from([0, 1, 2, 255, 254, 10]);
    const r = await h.run('/usr/bin/od', ['-An', '-tu1'], { input: bytes });
    assert.deepEqual(r.stdout.trim().split(/\s+/).map(Number), [0, 1, 2, 255, 254, 10]);
    assert.equal((await h.run('/bin/cat', [], { input: 'text in' })).stdout, 'text in');
  });
});

test('a program that cannot start rejects with its errno code; a timeout and an abort kill it', async () => {
  await withHelper(async (h) => {
    await assert.rejects(h.run('/nonexistent/prog', []), (e: NodeJS.ErrnoException) => /run \/nonexistent\/prog: .*ENOENT/.test(e.message) && e.code === 'ENOENT');
    const t = await h.run('/bin/sleep', ['10'], { timeoutMs: 50 });
    assert.equal(t.timedOut, true);
    assert.equal(t.code, -1);
    const ac = new AbortController();
    const p = h.run('/bin/sleep', ['10'], { signal: ac.signal });
    setTimeout(() => ac.abort(), 50);
    await assert.rejects(p, /abort/i);
  });
});

test('a monitor launch: own session, output file 0600, start byte on fd 4, sync text from fd 3', async () => {
  await withHelper(async (h, dir) => {
    const script = path.join(dir, 'fake-conmon');
    // Reads the start byte, reports its session and a pid on the sync pipe, then exits 0.
    await writeFile(script, '#!/bin/sh\nhead -c1 <&4 | od -An -tu1 >&2\necho "$(ps -o sid= -p $$) $$" >"$PWD/ids"\nprintf \'{"data": 42}\\n\' >&3\nexit 0\n');
    await chmod(script, 0o755);
    const out = path.join(dir, 'out.log');
    const m = h.launchMonitor({ file: script, args: [], cwd: dir, env: { PATH: '/bin:/usr/bin' }, outputFile: out });
    assert.deepEqual(await m.done, { code: 0, syncText: '{"data": 42}\n' });
    m.kill(); // after the end: nothing to do
    const [sid, pid] = (await readFile(path.join(dir, 'ids'), 'utf8')).trim().split(/\s+/).map(Number);
    assert.equal(sid, pid, 'the first process leads its own session');
    assert.equal((await readFile(out, 'utf8')).trim(), '0', 'the start byte (0) arrived on fd 4; stderr went to the output file');
    const { stat } = await import('node:fs/promises');
    assert.equal((await stat(out)).mode & 0o777, 0o600);
  });
});

test('kill() ends a monitor that never reports, with its process group', async () => {
  await withHelper(async (h, dir) => {
    const script = path.join(dir, 'hung');
    await writeFile(script, '#!/bin/sh\nsleep 1000 &\necho $! >"$PWD/child.pid"\nwait\n');
    await chmod(script, 0o755);
    const m = h.launchMonitor({ file: script, args: [], cwd: dir, env: { PATH: '/bin:/usr/bin' }, outputFile: path.join(dir, 'out') });
    let child = 0;
    while (!child) {
      await new Promise((r) => setTimeout(r, 10));
      child = Number((await readFile(path.join(dir, 'child.pid'), 'utf8').catch(() => '')).trim());
    }
    m.kill();
    const outcome = await m.done;
    assert.equal(outcome.code, null, 'ended by a signal');
    await exited(child);
  });
});

test('when the helper dies, calls in flight fail and the next call starts a new helper', async () => {
  await withHelper(async (h) => {
    const first = h.pid!;
    const inFlight = h.run('/bin/sleep', ['10']);
    await new Promise((r) => setTimeout(r, 100));
    process.kill(first, 'SIGKILL');
    await assert.rejects(inFlight, /run \/bin\/sleep: the spawn helper exited \(SIGKILL\)/);
    const r = await h.run('/bin/echo', ['again']);
    assert.equal(r.stdout, 'again\n');
    assert.notEqual(h.pid, first);
  });
});

test('close() ends the helper; later calls fail at once', async () => {
  const h = new SpawnHelper(silentLogger());
  h.start();
  assert.equal((await h.run('/bin/true', [])).code, 0);
  const pid = h.pid!;
  h.close();
  await exited(pid);
  await assert.rejects(h.run('/bin/true', []), /the spawn helper is closed/);
});

test('each request reports the loop time it took to hand to the helper', async () => {
  const seen: number[] = [];
  const h = new SpawnHelper(silentLogger(), (s) => seen.push(s));
  try {
    h.start();
    await h.run('/bin/true', []);
    await h.run('/bin/true', []);
    assert.equal(seen.length, 2);
    for (const s of seen) assert.ok(s >= 0 && s < 1, `a dispatch takes well under a second, not ${s}`);
  } finally {
    h.close();
  }
});

test('a request that cannot cross to the helper fails at once', async () => {
  await withHelper(async (h) => {
    const env = { BAD: (() => {}) as unknown as string };
    await assert.rejects(h.run('/bin/true', [], { env }), /run \/bin\/true: spawn helper: /);
    assert.equal((await h.run('/bin/true', [])).code, 0);
  });
});
