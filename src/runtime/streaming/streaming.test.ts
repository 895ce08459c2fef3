import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ATTACH_PACKET_MAX, decodeAttachPacket, stdinPackets } from './attach-socket.js';
import { ConmonStreaming, conmonExecArgs, parseSyncLine, resizeLine, runcMessage, socatReason } from './conmon-streaming.js';
import { mkdir, mkdtemp, readdir, rm, symlink } from 'node:fs/promises';
import { SeqpacketServer } from 'node-unix-socket';
import os from 'node:os';
import path from 'node:path';
import type { LaunchedMonitor, LaunchedSession, Launcher, SessionLaunch } from '../../system/exec.js';
import { RecordingExec } from '../fake-exec.js';
import type { OciProcess } from '../oci-types.js';

test('conmon exec-attach argv: the session dir, no log, the attach socket dir, -t or -i', () => {
  const base = { containerId: 'c1', execId: 'e1', dir: '/b/c1/exec-e1', runcRoot: '/run/p/runc', attachDir: '/run/p/attach' };
  const tty = conmonExecArgs({ ...base, tty: true, stdin: true });
  assert.deepEqual(tty.slice(0, 6), ['--api-version', '1', '-c', 'c1', '-u', 'e1']);
  assert.ok(tty.includes('--exec-attach') && tty.includes('-e'));
  assert.equal(tty[tty.indexOf('-l') + 1], 'none');
  assert.equal(tty[tty.indexOf('--exec-process-spec') + 1], '/b/c1/exec-e1/process.json');
  assert.equal(tty.at(-1), '-t');
  assert.equal(conmonExecArgs({ ...base, tty: false, stdin: true }).at(-1), '-i');
  assert.ok(!conmonExecArgs({ ...base, tty: false, stdin: false }).some((a) => a === '-i' || a === '-t'));
});

test("conmon's sync lines: a pid or exit code, or runc's message without its log decoration", () => {
  assert.deepEqual(parseSyncLine('{"data": 4242}'), { value: 4242 });
  assert.deepEqual(parseSyncLine('{"data": 0}'), { value: 0 });
  const failed = '{"data": -1, "message": "time=\\"2026-12-03T04:33:26Z\\" level=error msg=\\"exec failed: unable to start container process: exec: \\\\\\"nope\\\\\\": executable file not found in $PATH\\""}';
  assert.deepEqual(parseSyncLine(failed), { error: 'exec failed: unable to start container process: exec: "nope": executable file not found in $PATH' });
  assert.deepEqual(parseSyncLine(''), { error: 'conmon ended without a report' });
  assert.equal(runcMessage('plain text'), 'plain text');
});

test('a resize is "1 rows cols" on the ctl FIFO', () => {
  assert.equal(resizeLine({ width: 100, height: 40 }), '1 40 100\n');
});

test('attach packets: pipe 2 is stdout, 3 stderr; stdin goes in packets conmon reads whole', () => {
  assert.deepEqual(decodeAttachPacket(Buffer.from([2, 104, 105])), { stream: 'stdout', data: Buffer.from('hi') });
  assert.deepEqual(decodeAttachPacket(Buffer.from([3, 33])), { stream: 'stderr', data: Buffer.from('!') });
  assert.equal(decodeAttachPacket(Buffer.from([1, 0])), undefined);
  const parts = stdinPackets(Buffer.alloc(ATTACH_PACKET_MAX * 2 + 5));
  assert.deepEqual(parts.map((p) => p.length), [ATTACH_PACKET_MAX, ATTACH_PACKET_MAX, 5]);
});

test("socat's error without its timestamp", () => {
  assert.equal(socatReason('2026/12/03 03:28:42 socat[123] E connect(5, AF=2 127.0.0.1:81, 16): Connection refused\n'), 'connect(5, AF=2 127.0.0.1:81, 16): Connection refused');
});

test('an exec session whose end cannot be read (its exit line rejected) still removes its scratch dir (process.json: the env) and attach link', async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'peapod-exec-unit-'));
  const runDir = path.join(dir, 'run');
  const attachDir = path.join(runDir, 'attach');
  await mkdir(attachDir, { recursive: true });
  const servers: SeqpacketServer[] = [];
  // Stands in for conmon: makes the session's attach socket, reports a pid, then its exit line cannot be read.
  const launcher: Launcher = {
    launchMonitor: (): LaunchedMonitor => {
      throw new Error('not used');
    },
    launchSession: (req: SessionLaunch): LaunchedSession => {
      const execId = req.args[req.args.indexOf('-u') + 1]!;
      const link = path.join(attachDir, execId);
      const server = new SeqpacketServer();
      servers.push(server);
      // conmon links <attachDir>/<execId> to the session dir (-b) and listens there (SOCK_SEQPACKET).
      const ready = symlink(req.cwd!, link).then(() => server.listen(path.join(link, 'attach')));
      const exited = Promise.reject(new Error('sync pipe: EIO'));
      exited.catch(() => undefined); // read later, by the session
      return { ready, start: async () => '{"data": 4242}', exited, release: () => undefined };
    },
  };
  const streaming = new ConmonStreaming({
    runcRoot: path.join(dir, 'runc'), attachDir, runDir, launcher, exec: new RecordingExec(),
    runningContainer: async () => ({ bundle: path.join(dir, 'bundle'), process: { args: ['sh'], env: ['TOKEN=secret'], cwd: '/' } as unknown as OciProcess, stdin: false, tty: false }),
    sandboxNetns: async () => undefined,
  });
  try {
    const session = await streaming.execStream('c1', { cmd: ['true'], stdin: false, tty: false } as Parameters<ConmonStreaming['execStream']>[1], { output: () => undefined } as unknown as Parameters<ConmonStreaming['execStream']>[2]);
    await assert.rejects(session.done, /EIO/);
    assert.deepEqual(await readdir(path.join(runDir, 'exec')), [], 'the session dir is gone');
    assert.deepEqual(await readdir(attachDir), [], 'the attach link is gone');
  } finally {
    for (const s of servers) s.close();
    await rm(dir, { recursive: true, force: true });
  }
});
