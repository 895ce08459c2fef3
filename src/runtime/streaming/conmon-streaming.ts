// Streaming for the runc runtime, the way podman does it: an exec is a conmon exec-attach session
// (node-runtime.md §1.5), so a terminal, resize and the exit code come from the same conmon code that
// runs containers; attach joins the container's own conmon attach socket; port-forward connects to
// localhost inside the pod's network namespace through nsenter and socat.
//
// Exec sessions live in the run dir (<runDir>/exec/<id>/: process.json, conmon's attach socket, ctl and
// winsz FIFOs; on tmpfs, so exec works when the data disk is full), with conmon's short link
// <attachDir>/<id>; both are removed when the session ends.

import { randomBytes } from 'node:crypto';
import { constants as fsConstants } from 'node:fs';
import { mkdir, open, rm, writeFile, type FileHandle } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import type { Duplex } from 'node:stream';
import { ConflictError, InternalError } from '../../errors.js';
import { definedEnv, sigkill, type Exec, type Launcher } from '../../system/exec.js';
import { CONMON_PATH } from '../conmon.js';
import type { OciProcess } from '../oci-types.js';
import { RUNC_PATH } from '../runc.js';
import { execScratchDir } from '../exec-scratch.js';
import { AttachSocket, decodeAttachPacket } from './attach-socket.js';
import type { AttachRequest, ExecRequest, SessionEnd, SessionOutput, StreamingRuntime, StreamSession, TerminalSize } from './types.js';

export const NSENTER_PATH = '/usr/bin/nsenter';
export const SOCAT_PATH = '/usr/bin/socat';

/** How long the output may trail the exit code before the session ends without it. */
const OUTPUT_DRAIN_MS = 2000;

/** What the streaming service needs of the runtime: its paths and a look at containers and sandboxes. */
export interface StreamingHost {
  runcRoot: string;
  attachDir: string;
  /** Where port-forward's rendezvous sockets go (the daemon's run dir). */
  runDir: string;
  launcher: Launcher;
  exec: Exec;
  conmonPath?: string;
  runcPath?: string;
  /** A running container's bundle and process (its env, user, caps): ConflictError when not running. */
  runningContainer(id: string): Promise<{ bundle: string; process: OciProcess; stdin: boolean; tty: boolean }>;
  /** The sandbox's network namespace; undefined when it uses the host's. */
  sandboxNetns(id: string): Promise<string | undefined>;
}

export interface ConmonExecOptions {
  containerId: string;
  execId: string;
  dir: string;
  runcRoot: string;
  attachDir: string;
  tty: boolean;
  stdin: boolean;
  runcPath?: string;
}

/** conmon's argv for an exec-attach session (pure). */
export function conmonExecArgs(o: ConmonExecOptions): string[] {
  const args = [
    '--api-version', '1',
    '-c', o.containerId, '-u', o.execId,
    '-r', o.runcPath ?? RUNC_PATH, '--runtime-arg', `--root=${o.runcRoot}`,
    '-b', o.dir,
    '-p', path.join(o.dir, 'pid'),
    '-l', 'none',
    '--socket-dir-path', o.attachDir,
    '-e', '--exec-attach', '--exec-process-spec', path.join(o.dir, 'process.json'),
  ];
  if (o.tty) args.push('-t');
  else if (o.stdin) args.push('-i');
  return args;
}

/** The `data` of a conmon sync line: a pid or an exit code, or the error it reports (pure). */
export function parseSyncLine(line: string): { value: number } | { error: string } {
  if (!line.trim()) return { error: 'conmon ended without a report' };
  try {
    const msg = JSON.parse(line) as { data?: number; message?: string };
    if (typeof msg.data === 'number' && msg.data >= 0) return { value: msg.data };
    return { error: runcMessage((msg.message ?? 'conmon reported a failure').trim()) };
  } catch {
    return { error: `bad conmon sync message: ${line.trim()}` };
  }
}

/** runc's logrus line (`time="…" level=error msg="exec failed: …"`) as its message alone (pure). */
export function runcMessage(text: string): string {
  const m = /\bmsg="((?:[^"\\]|\\.)*)"/.exec(text);
  return m ? m[1].replace(/\\(.)/g, '$1') : text;
}

/** The ctl FIFO line that resizes a conmon terminal (pure). */
export function resizeLine(size: TerminalSize): string {
  return `1 ${Math.max(0, Math.floor(size.height))} ${Math.max(0, Math.floor(size.width))}\n`;
}

/** Writes resize lines to a conmon ctl FIFO, opened once (conmon holds its reading end). */
class ControlFifo {
  private fh?: Promise<FileHandle | undefined>;
  constructor(private readonly file: string) {}

  resize(size: TerminalSize): void {
    this.fh ??= open(this.file, fsConstants.O_WRONLY | fsConstants.O_NONBLOCK).catch(() => undefined);
    void this.fh.then((fh) => fh?.write(resizeLine(size)).catch(() => undefined));
  }

  close(): void {
    void this.fh?.then((fh) => fh?.close().catch(() => undefined));
  }
}

function outputSink(out: SessionOutput): (packet: Buffer) => void {
  return (packet) => {
    const p = decodeAttachPacket(packet);
    if (p && p.data.length) out.output(p.stream, p.data);
  };
}

export class ConmonStreaming implements StreamingRuntime {
  constructor(private readonly host: StreamingHost) {}

  async execStream(containerId: string, req: ExecRequest, out: SessionOutput): Promise<StreamSession> {
    if (req.cmd.length === 0) throw new ConflictError(`exec in container ${containerId}: empty command`);
    const c = await this.host.runningContainer(containerId);
    const execId = randomBytes(8).toString('hex');
    const dir = path.join(execScratchDir(this.host.runDir), execId);
    const link = path.join(this.host.attachDir, execId);
    const cleanup = () => Promise.all([rm(dir, { recursive: true, force: true }), rm(link, { force: true })]).then(() => undefined);
    await mkdir(path.dirname(dir), { recursive: true, mode: 0o700 });
    await mkdir(dir, { mode: 0o700 });
    // The env, values from Secrets included: readable by root alone.
    const proc = { ...c.process, args: req.cmd, terminal: req.tty, ...(req.tty && req.size ? { consoleSize: { height: req.size.height, width: req.size.width } } : {}) };
    await writeFile(path.join(dir, 'process.json'), JSON.stringify(proc), { mode: 0o600 });
    const session = this.host.launcher.launchSession({
      file: this.host.conmonPath ?? CONMON_PATH,
      args: conmonExecArgs({
        containerId, execId, dir, runcRoot: this.host.runcRoot, attachDir: this.host.attachDir,
        tty: req.tty, stdin: req.stdin, runcPath: this.host.runcPath,
      }),
      cwd: dir,
      env: { ...definedEnv(), _OCI_SYNCPIPE: '3', _OCI_STARTPIPE: '4', _OCI_ATTACHPIPE: '5' },
      outputFile: path.join(dir, 'conmon.log'),
    });
    let sock: AttachSocket | undefined;
    let pid = 0;
    try {
      await session.ready;
      sock = await AttachSocket.connect(path.join(link, 'attach'), outputSink(out));
      const started = parseSyncLine(await session.start());
      if ('error' in started) throw new InternalError(`exec in container ${containerId}: ${started.error}`);
      pid = started.value;
    } catch (err) {
      sock?.destroy();
      session.release();
      await cleanup();
      throw err instanceof ConflictError || err instanceof InternalError
        ? err
        : new InternalError(`exec in container ${containerId}: ${(err as Error).message}`);
    }
    const attached = sock;
    const ctl = new ControlFifo(path.join(dir, 'ctl'));
    let cancelled = false;
    const done = (async (): Promise<SessionEnd> => {
      let exit: ReturnType<typeof parseSyncLine>;
      try {
        exit = parseSyncLine(await session.exited);
        // conmon sends the last output before the exit code, but on another channel: let it arrive.
        await Promise.race([attached.closed, new Promise((r) => setTimeout(r, OUTPUT_DRAIN_MS).unref())]);
      } finally {
        // However the session ended (its exit line unreadable too), its files go: process.json holds the env.
        attached.destroy();
        ctl.close();
        session.release();
        await cleanup();
      }
      if ('error' in exit) {
        if (cancelled) return { exitCode: 137 };
        throw new InternalError(`exec in container ${containerId}: ${exit.error}`);
      }
      return { exitCode: exit.value };
    })();
    return {
      writeStdin: (data) => attached.write(data),
      closeStdin: () => attached.end(),
      resize: (size) => ctl.resize(size),
      done,
      cancel: () => {
        if (cancelled) return;
        cancelled = true;
        // The exec'd process, by the pid conmon reported (conmon then reports its exit and leaves).
        if (pid > 1) sigkill(pid);
      },
    };
  }

  async attach(containerId: string, req: AttachRequest, out: SessionOutput): Promise<StreamSession> {
    const c = await this.host.runningContainer(containerId);
    let sock: AttachSocket;
    try {
      sock = await AttachSocket.connect(path.join(this.host.attachDir, containerId, 'attach'), outputSink(out));
    } catch (err) {
      throw new ConflictError(`attach to container ${containerId}: ${(err as Error).message}`);
    }
    const ctl = new ControlFifo(path.join(c.bundle, 'ctl'));
    const withStdin = req.stdin && (c.stdin || c.tty);
    const done = sock.closed.then((): SessionEnd => {
      ctl.close();
      return {};
    });
    return {
      writeStdin: (data) => (withStdin ? sock.write(data) : Promise.resolve()),
      closeStdin: () => {
        if (withStdin) sock.end();
      },
      resize: (size) => {
        if (c.tty) ctl.resize(size);
      },
      done,
      cancel: () => sock.destroy(),
    };
  }

  async portForward(sandboxId: string, port: number): Promise<Duplex> {
    if (!Number.isInteger(port) || port < 1 || port > 65535) throw new ConflictError(`invalid port ${port}`);
    const netns = await this.host.sandboxNetns(sandboxId);
    if (!netns) return connectTcp(port);
    // socat connects inside the namespace first, then to our socket: nothing listening ends it with
    // its error before it reaches us.
    const sockPath = path.join(this.host.runDir, `pf-${randomBytes(6).toString('hex')}.sock`);
    const server = net.createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(sockPath, () => resolve());
    });
    const accepted = new Promise<net.Socket>((resolve) => server.once('connection', resolve));
    const ran = this.host.exec.run(NSENTER_PATH, [`--net=${netns}`, SOCAT_PATH, `TCP4:127.0.0.1:${port}`, `UNIX-CONNECT:${sockPath}`]);
    ran.catch(() => undefined); // its failure matters only while we wait on it below
    try {
      const first = await Promise.race([accepted, ran]);
      if (first instanceof net.Socket) return first;
      throw new ConflictError(`failed to connect to localhost:${port} inside namespace "${netns}": ${socatReason(first.stderr) || `exit ${first.code}`}`);
    } finally {
      server.close();
      await rm(sockPath, { force: true });
    }
  }
}

/** socat's error line without its timestamp prefix ("2026/12/03 04:00:00 socat[12] E connect(...): Connection refused"). */
export function socatReason(stderr: string): string {
  const line = stderr.trim().split('\n').filter(Boolean).pop() ?? '';
  return line.replace(/^.*? socat\[\d+\] [EW] /, '').trim();
}

function connectTcp(port: number): Promise<Duplex> {
  return new Promise((resolve, reject) => {
    const s = net.connect({ host: '127.0.0.1', port });
    s.once('connect', () => resolve(s));
    s.once('error', (err) => reject(new ConflictError(`failed to connect to localhost:${port}: ${err.message}`)));
  });
}
