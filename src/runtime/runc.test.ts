import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmod, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { TimeoutError, isNotFound } from '../errors.js';
import { FakeClock } from '../system/clock.js';
import { HostExec } from '../system/exec.js';
import { CONMON_CREATE_TIMEOUT_MS, conmonArgs, parseSyncMessage, spawnConmon } from './conmon.js';
import { RecordingExec } from './fake-exec.js';
import { RUNC_TIMEOUT_MS, Runc } from './runc.js';

const fail = (stderr: string) => ({ code: 1, stdout: '', stderr });

test('every runc call passes the engine root first', async () => {
  const exec = new RecordingExec();
  const runc = new Runc({ exec, root: '/run/pp/runc' });
  await runc.start('c1');
  await runc.kill('c1', 'SIGTERM');
  await runc.delete('c1', true);
  assert.deepEqual(exec.calls.map((c) => [c.file, ...c.args]), [
    ['/usr/sbin/runc', '--root', '/run/pp/runc', 'start', 'c1'],
    ['/usr/sbin/runc', '--root', '/run/pp/runc', 'kill', 'c1', 'SIGTERM'],
    ['/usr/sbin/runc', '--root', '/run/pp/runc', 'delete', '--force', 'c1'],
  ]);
});

const hung = () => ({ code: -1, stdout: '', stderr: '', timedOut: true });
const timeoutCases: { name: string; call: (r: Runc) => Promise<unknown>; want: RegExp }[] = [
  { name: 'start', call: (r) => r.start('c1'), want: /^runc start container c1: timed out after 30000ms$/ },
  { name: 'kill', call: (r) => r.kill('c1', 'KILL'), want: /^runc kill container c1: timed out after 30000ms$/ },
  { name: 'delete', call: (r) => r.delete('c1', true), want: /^runc delete container c1: timed out after 30000ms$/ },
  { name: 'state', call: (r) => r.state('c1'), want: /^runc state container c1: timed out after 30000ms$/ },
  { name: 'list', call: (r) => r.list(), want: /^runc list: timed out after 30000ms$/ },
];
for (const c of timeoutCases) {
  test(`a hung runc ${c.name} is killed after the call timeout and reported as a timeout error`, async () => {
    const exec = new RecordingExec(hung);
    await assert.rejects(c.call(new Runc({ exec, root: '/r' })), (e: unknown) => e instanceof TimeoutError && c.want.test(e.message));
    assert.equal(exec.calls[0]!.opts?.timeoutMs, RUNC_TIMEOUT_MS);
  });
}

const notFoundCases = [
  'container not running',
  'no such process',
  'container "c1" does not exist',
];
for (const msg of notFoundCases) {
  test(`kill maps "${msg}" to not found`, async () => {
    const runc = new Runc({ exec: new RecordingExec(() => fail(msg)), root: '/r' });
    await assert.rejects(runc.kill('c1', 'KILL'), (e: unknown) => isNotFound(e));
  });
}

test('kill reports other failures as errors naming the container', async () => {
  const runc = new Runc({ exec: new RecordingExec(() => fail('permission denied')), root: '/r' });
  await assert.rejects(runc.kill('c1', 'KILL'), (e: unknown) => !isNotFound(e) && /kill container c1.*permission denied/.test(String(e)));
});

test('delete of a container runc does not know succeeds', async () => {
  const runc = new Runc({ exec: new RecordingExec(() => fail('container does not exist')), root: '/r' });
  await runc.delete('gone');
});

test('list parses runc json and treats null as empty', async () => {
  const recs = [{ id: 'a', pid: 5, status: 'running', bundle: '/b', created: 'x' }];
  const exec = new RecordingExec((c) => ({ code: 0, stdout: c.args.includes('list') ? JSON.stringify(recs) : '', stderr: '' }));
  assert.deepEqual(await new Runc({ exec, root: '/r' }).list(), recs);
  const empty = new RecordingExec(() => ({ code: 0, stdout: 'null\n', stderr: '' }));
  assert.deepEqual(await new Runc({ exec: empty, root: '/r' }).list(), []);
});

test('exec writes the process spec, passes it with -p and returns the exit code and output', async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'peapod-runc-'));
  try {
    const exec = new RecordingExec(() => ({ code: 3, stdout: 'out', stderr: 'err' }));
    const r = await new Runc({ exec, root: '/r' }).execProcess('c1', dir, 'e1', {
      terminal: false, user: { uid: 0, gid: 0 }, args: ['ls'], env: [], cwd: '/',
      capabilities: { bounding: [], effective: [], permitted: [] }, noNewPrivileges: false,
    }, 1000);
    assert.deepEqual(r, { exitCode: 3, stdout: 'out', stderr: 'err', timedOut: false });
    assert.deepEqual(exec.calls[0].args, ['--root', '/r', 'exec', '-p', path.join(dir, 'exec-e1.json'), '--pid-file', path.join(dir, 'exec-e1.pid'), 'c1']);
    assert.equal(exec.calls[0].opts?.timeoutMs, 1000);
    assert.equal(exec.calls[0].opts?.truncateOutput, true, 'judged by exit code: output past the cap is cut, not a failure');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('exec that times out kills the process runc started (by its pid file) and rejects with a timeout error', async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'peapod-runc-'));
  try {
    const exec = new RecordingExec(async (c) => {
      if (c.file !== '/usr/sbin/runc') return { code: 0, stdout: '', stderr: '' };
      await writeFile(path.join(dir, 'exec-e1.pid'), '4242');
      return { code: -1, stdout: '', stderr: '', timedOut: true };
    });
    const proc = { terminal: false, user: { uid: 0, gid: 0 }, args: ['sleep'], env: [], cwd: '/', capabilities: { bounding: [], effective: [], permitted: [] }, noNewPrivileges: false };
    await assert.rejects(new Runc({ exec, root: '/r' }).execProcess('c1', dir, 'e1', proc, 10), /timed out/);
    assert.deepEqual(exec.calls.slice(1).map((c) => [c.file, ...c.args]), [['/bin/kill', '-KILL', '4242']]);
    assert.deepEqual(await readdir(dir), [], 'the process spec and pid file are removed');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('conmon arguments follow the verified CRI-O/podman invocation', () => {
  const args = conmonArgs({
    id: 'c1', name: 'k8s_app', bundle: '/b/c1', logPath: '/logs/app/0.log', runcRoot: '/run/pp/runc',
    exitsDir: '/run/pp/exits', attachDir: '/run/pp/attach', logSizeMax: 1000,
  });
  assert.deepEqual(args, [
    '--api-version', '1', '-c', 'c1', '-u', 'c1', '-n', 'k8s_app',
    '-r', '/usr/sbin/runc', '--runtime-arg', '--root=/run/pp/runc',
    '-b', '/b/c1', '-p', '/b/c1/pidfile', '-P', '/b/c1/conmon.pid',
    '-l', 'k8s-file:/logs/app/0.log', '--log-size-max', '1000',
    '--exit-dir', '/run/pp/exits', '--persist-dir', '/b/c1/persist', '--socket-dir-path', '/run/pp/attach',
  ]);
});

test('conmon gets -t for a terminal and -i for stdin', () => {
  const base = { id: 'c', name: 'n', bundle: '/b', logPath: '/l', runcRoot: '/r', exitsDir: '/e', attachDir: '/a' };
  assert.equal(conmonArgs({ ...base, terminal: true }).at(-1), '-t');
  assert.equal(conmonArgs({ ...base, stdin: true }).at(-1), '-i');
});

const syncCases: { name: string; text: string; want: number | RegExp }[] = [
  { name: 'the api-version 1 sync message gives the pid', text: '{"data": 1234}\n', want: 1234 },
  { name: 'the CRI-O style sync message gives the pid', text: '{"pid": 99}\n', want: 99 },
  { name: 'a failed create reports runc message', text: '{"data": -1, "message": "exec: \\"/nope\\": no such file"}\n', want: /no such file/ },
  { name: 'no sync message at all is an error', text: '', want: /without a sync message/ },
];
for (const c of syncCases) {
  test(c.name, () => {
    if (typeof c.want === 'number') assert.equal(parseSyncMessage(c.text, 'c1'), c.want);
    else assert.throws(() => parseSyncMessage(c.text, 'c1'), c.want);
  });
}

test('a conmon that never reports a pid is killed at the create timeout', async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'peapod-conmon-'));
  try {
    // Stands in for a conmon whose `runc create` hangs: it never writes the sync pipe.
    const fake = path.join(dir, 'hung-conmon');
    await writeFile(fake, '#!/bin/sh\necho $$ > "$PWD/hung.pid"\nexec sleep 1000\n');
    await chmod(fake, 0o755);
    const clock = new FakeClock();
    let settled = false;
    const p = spawnConmon(new HostExec(), {
      id: 'c1', name: 'k8s_x', bundle: dir, logPath: path.join(dir, 'log'), runcRoot: '/r', exitsDir: dir, attachDir: dir,
      conmonPath: fake, sleep: (ms, signal) => clock.sleep(ms, signal),
    });
    p.then(() => (settled = true), () => (settled = true));
    const pidFile = path.join(dir, 'hung.pid');
    let pid = 0;
    for (let i = 0; i < 100_000 && !pid; i++) {
      await new Promise((r) => setImmediate(r));
      pid = Number((await readFile(pidFile, 'utf8').catch(() => '')).trim());
    }
    assert.ok(pid > 0, 'the fake conmon started');
    clock.advance(CONMON_CREATE_TIMEOUT_MS - 1000);
    for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
    assert.equal(settled, false, 'still waiting before the timeout');
    clock.advance(1000);
    await assert.rejects(p, (e: unknown) => e instanceof TimeoutError && /create container c1: no pid from conmon after 240000ms/.test(e.message));
    let alive = true;
    for (let i = 0; i < 100_000 && alive; i++) {
      await new Promise((r) => setImmediate(r));
      const st = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
      alive = st !== '' && !/\) Z /.test(st);
    }
    assert.equal(alive, false, 'the hung conmon was killed');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
