// The process seam: the only place (with system/ siblings) that spawns programs. Everything else
// receives an Exec (and the runtime a Launcher), so wrappers around runc, CNI, ip and tar are tested by
// their arguments. HostExec spawns from this process; the daemon instead hands both to a small helper
// process (system/spawner/), because a spawn blocks the calling event loop until the child has exec'd.

import { spawn, type ChildProcess } from 'node:child_process';
import { open } from 'node:fs/promises';

export interface ExecOptions {
  /** Bytes written to stdin, then closed. */
  input?: string | Buffer;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Kill (SIGKILL) after this many ms; the result then has code -1 and timedOut true. */
  timeoutMs?: number;
  signal?: AbortSignal;
  /**
   * Past MAX_EXEC_OUTPUT_BYTES of output: false (the default, for callers that need the whole output,
   * such as listings) kills the program and fails the run; true keeps the first bytes, reads and drops
   * the rest, and returns the exit code with `truncated` (probes and exec hooks are judged by the exit
   * code, and the kubelet keeps a bounded amount of their output).
   */
  truncateOutput?: boolean;
}

export interface ExecResult {
  code: number;
  stdout: string;
  stderr: string;
  timedOut?: boolean;
  /** Some output past MAX_EXEC_OUTPUT_BYTES was dropped (only with ExecOptions.truncateOutput). */
  truncated?: boolean;
}

export interface Exec {
  /** Runs `file` with `args` (no shell); never rejects for a non-zero exit, only when it cannot start. */
  run(file: string, args: string[], opts?: ExecOptions): Promise<ExecResult>;
}

/**
 * conmon's start protocol (node-runtime.md §1): a program started in its own session (it outlives us),
 * its stdout and stderr appended to `outputFile` (made 0600), a sync pipe on fd 3 it reports on and a
 * start pipe on fd 4 that gets one byte at once.
 */
export interface MonitorLaunch {
  file: string;
  args: string[];
  cwd: string;
  env: Record<string, string>;
  outputFile: string;
}

export interface MonitorOutcome {
  /** The first process's exit code; null when a signal ended it. */
  code: number | null;
  /** What it wrote on fd 3, up to the first newline (or everything, when it closed without one). */
  syncText: string;
}

export interface LaunchedMonitor {
  /** Settles when the first process has exited and the sync text is in; rejects when it could not start. */
  done: Promise<MonitorOutcome>;
  /** SIGKILLs the first process's process group while that process still runs; no-op afterwards. */
  kill(): void;
}

/**
 * conmon's exec-attach protocol (node-runtime.md §1.5): a session started in its own session, with a
 * sync pipe on fd 3, a start pipe on fd 4 and an attach pipe on fd 5. One start byte lets conmon set up
 * the attach socket (it says so on fd 5); a second one runs the process, whose pid and then exit code
 * come on fd 3.
 */
export type SessionLaunch = MonitorLaunch;

export interface LaunchedSession {
  /** Settles when the attach socket is ready; rejects with conmon's message when it failed before that. */
  ready: Promise<void>;
  /** Sends the second start byte; resolves with the sync line that reports the process's pid. */
  start(): Promise<string>;
  /** The sync line with the exit code (or an error), or "" when conmon went away without one. */
  exited: Promise<string>;
  /** Stops waiting: closes our ends of the pipes (conmon goes on, the caller kills the process). */
  release(): void;
}

export interface Launcher {
  launchMonitor(req: MonitorLaunch): LaunchedMonitor;
  launchSession(req: SessionLaunch): LaunchedSession;
}

/** Output kept per run (stdout and stderr together); a program that writes more fails, or is cut (see ExecOptions.truncateOutput). */
export const MAX_EXEC_OUTPUT_BYTES = 16 * 1024 * 1024;

export class HostExec implements Exec, Launcher {
  run(file: string, args: string[], opts: ExecOptions = {}): Promise<ExecResult> {
    return new Promise((resolve, reject) => {
      const child = spawn(file, args, {
        cwd: opts.cwd,
        env: opts.env ?? process.env,
        stdio: ['pipe', 'pipe', 'pipe'],
        signal: opts.signal,
      });
      const out: Buffer[] = [];
      const err: Buffer[] = [];
      let timedOut = false;
      // Output is kept in memory: past MAX_EXEC_OUTPUT_BYTES a stream is no longer gathered, the child is
      // killed and the run fails (a string that long could not even be made: it would throw in 'close').
      let bytes = 0;
      let overflow: Error | undefined;
      let truncated = false;
      const gather = (into: Buffer[], what: string) => (b: Buffer) => {
        if (overflow) return;
        if (opts.truncateOutput) {
          const room = MAX_EXEC_OUTPUT_BYTES - bytes;
          if (b.length > room) truncated = true;
          if (room <= 0) return;
          const kept = b.length > room ? b.subarray(0, room) : b;
          bytes += kept.length;
          return void into.push(kept);
        }
        bytes += b.length;
        if (bytes <= MAX_EXEC_OUTPUT_BYTES) return void into.push(b);
        overflow = new Error(`run ${file}: its ${what} passed ${MAX_EXEC_OUTPUT_BYTES} bytes of output: killed`);
        out.length = 0;
        err.length = 0;
        child.kill('SIGKILL');
      };
      const timer =
        opts.timeoutMs !== undefined
          ? setTimeout(() => {
              timedOut = true;
              child.kill('SIGKILL');
            }, opts.timeoutMs)
          : undefined;
      child.stdout.on('data', gather(out, 'stdout'));
      child.stderr.on('data', gather(err, 'stderr'));
      child.on('error', (e) => {
        if (timer) clearTimeout(timer);
        reject(new Error(`run ${file}: ${e.message}`, { cause: e }));
      });
      child.on('close', (code, sig) => {
        if (timer) clearTimeout(timer);
        if (overflow) return reject(overflow);
        // Nothing here may throw: a throw in a listener is outside any promise and ends the process.
        try {
          resolve({
            code: code ?? (timedOut ? -1 : 128 + (sig ? signalNumber(sig) : 0)),
            stdout: Buffer.concat(out).toString('utf8'),
            stderr: Buffer.concat(err).toString('utf8'),
            ...(timedOut ? { timedOut } : {}),
            ...(truncated ? { truncated } : {}),
          });
        } catch (e) {
          reject(new Error(`run ${file}: ${(e as Error).message}`, { cause: e }));
        }
      });
      child.stdin.on('error', () => {
        /* the program may exit without reading its input */
      });
      child.stdin.end(opts.input ?? '');
    });
  }

  launchSession(req: SessionLaunch): LaunchedSession {
    return launchSession(req);
  }

  launchMonitor(req: MonitorLaunch): LaunchedMonitor {
    let child: ChildProcess | undefined;
    const done = spawnMonitor(req, 2, (c) => {
      child = c;
      return monitorOutcome(c);
    });
    return {
      done,
      kill: () => {
        if (child?.pid && child.exitCode === null && child.signalCode === null) sigkill(-child.pid);
      },
    };
  }
}

/**
 * Spawns a monitor (conmon) in a session of its own, its stdout and stderr appended to the output file
 * (made 0600), with `pipes` pipes from fd 3 on. `attach` runs on the child at once, so that its listeners
 * are there before any await ('error' and 'exit' may come next).
 */
async function spawnMonitor<T>(req: MonitorLaunch, pipes: number, attach: (child: ChildProcess) => T): Promise<Awaited<T>> {
  const out = await open(req.outputFile, 'a', 0o600);
  try {
    const child = spawn(req.file, req.args, {
      cwd: req.cwd,
      detached: true,
      env: req.env,
      stdio: ['ignore', out.fd, out.fd, ...Array<'pipe'>(pipes).fill('pipe')],
    });
    // Not awaited here: the output file is closed in this process as soon as the child has it.
    return attach(child) as Awaited<T>;
  } finally {
    await out.close();
  }
}

/** Splits a pipe's text into lines as they come: next() resolves with the next line, or "" at its end. */
class LineReader {
  private buf = '';
  private ended = false;
  private readonly waiters: ((line: string) => void)[] = [];
  private readonly lines: string[] = [];
  private onClosed: () => void = () => {};
  /** Resolves when the pipe has ended. */
  readonly closed = new Promise<void>((resolve) => (this.onClosed = resolve));

  constructor(stream: NodeJS.ReadableStream) {
    stream.on('data', (b: Buffer) => {
      this.buf += b.toString('utf8');
      let i: number;
      while ((i = this.buf.indexOf('\n')) >= 0) {
        const line = this.buf.slice(0, i);
        this.buf = this.buf.slice(i + 1);
        if (line.trim()) this.deliver(line);
      }
    });
    const end = () => {
      if (this.ended) return;
      this.ended = true;
      if (this.buf.trim()) this.deliver(this.buf);
      this.buf = '';
      for (const w of this.waiters.splice(0)) w('');
      this.onClosed();
    };
    stream.once('close', end);
    stream.once('end', end);
    stream.once('error', end);
  }

  private deliver(line: string): void {
    const w = this.waiters.shift();
    if (w) w(line);
    else this.lines.push(line);
  }

  next(): Promise<string> {
    const line = this.lines.shift();
    if (line !== undefined) return Promise.resolve(line);
    if (this.ended) return Promise.resolve('');
    return new Promise((resolve) => this.waiters.push(resolve));
  }
}

/** Starts a conmon exec-attach session (see SessionLaunch). */
export function launchSession(req: SessionLaunch): LaunchedSession {
  const started = spawnMonitor(req, 3, (c) => {
    const spawnError = new Promise<never>((_, reject) => c.once('error', reject));
    spawnError.catch(() => {});
    c.unref();
    const startPipe = c.stdio[4] as NodeJS.WritableStream & { destroy(): void; on(e: 'error', f: () => void): void };
    startPipe.on('error', () => {});
    const sync = new LineReader(c.stdio[3] as NodeJS.ReadableStream);
    const attach = new LineReader((c.stdio as unknown as NodeJS.ReadableStream[])[5]);
    startPipe.write(Buffer.from([0]));
    return { c, startPipe, sync, attach, spawnError };
  });
  const ready = started.then(async ({ attach, sync, spawnError }) => {
    const line = await Promise.race([attach.next(), spawnError]);
    if (!line) {
      // conmon failed before the attach socket: its reason, if any, is on the sync pipe.
      const why = await sync.next();
      throw new Error(why || 'conmon exited before its attach socket was ready');
    }
    const msg = JSON.parse(line) as { data?: number; message?: string };
    if ((msg.data ?? -1) < 0) throw new Error(msg.message ?? 'conmon could not set up the attach socket');
  });
  let startedProcess: Promise<string> | undefined;
  // Settles with the pid line once start() is called (a promise resolved with a promise adopts it).
  let onStart: (p: Promise<string>) => void = () => {};
  const startCalled = new Promise<string>((resolve) => (onStart = resolve));
  return {
    ready,
    start: () => {
      startedProcess ??= ready.then(async () => {
        const { startPipe, sync } = await started;
        startPipe.end(Buffer.from([0]));
        return sync.next();
      });
      onStart(startedProcess);
      return startedProcess;
    },
    // The line after the pid's; never before start() (release() ends the wait: its pipes close).
    exited: Promise.race([startCalled.catch(() => ''), started.then(({ sync }) => sync.closed)]).then(async (pidLine) => {
      if (!pidLine) return '';
      const { sync } = await started;
      return sync.next();
    }),
    release: () => {
      void started.then(({ c }) => {
        for (const fd of [3, 4, 5]) (c.stdio[fd] as unknown as { destroy(): void } | null)?.destroy();
      }, () => undefined);
    },
  };
}

/** Sends the start byte, gathers the sync text and waits for the first process to exit. */
function monitorOutcome(child: ChildProcess): Promise<MonitorOutcome> {
  const sync = child.stdio[3] as NodeJS.ReadableStream & { destroy(): void };
  const start = child.stdio[4] as NodeJS.WritableStream & { destroy(): void; on(e: 'error', f: () => void): void };
  const firstExit = new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => resolve(code));
  });
  const chunks: Buffer[] = [];
  const syncText = new Promise<string>((resolve) => {
    const text = () => Buffer.concat(chunks).toString('utf8');
    sync.on('data', (b: Buffer) => {
      chunks.push(b);
      if (b.includes(10)) resolve(text());
    });
    sync.once('close', () => resolve(text()));
    sync.once('error', () => resolve(text()));
  });
  start.on('error', () => {
    /* the program died before reading the start byte: its exit code and sync text tell */
  });
  start.end(Buffer.from([0]));
  child.unref();
  return Promise.all([firstExit, syncText])
    .then(([code, text]) => ({ code, syncText: text }))
    .finally(() => {
      sync.destroy();
      start.destroy();
    });
}

function signalNumber(sig: NodeJS.Signals): number {
  const table: Partial<Record<NodeJS.Signals, number>> = { SIGHUP: 1, SIGINT: 2, SIGQUIT: 3, SIGKILL: 9, SIGTERM: 15 };
  return table[sig] ?? 0;
}

/** SIGKILLs a process (a negative pid: its process group); one that is gone already is not an error. */
export function sigkill(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    /* already gone */
  }
}

/** The environment without unset entries: what a child gets, in a form that crosses to the spawn helper. */
export function definedEnv(env: NodeJS.ProcessEnv = process.env): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) if (v !== undefined) out[k] = v;
  return out;
}

/** Runs and throws a descriptive error on a non-zero exit; returns stdout. */
export async function runChecked(exec: Exec, file: string, args: string[], opts?: ExecOptions): Promise<string> {
  const r = await exec.run(file, args, opts);
  if (r.code !== 0) {
    const msg = (r.stderr || r.stdout).trim();
    throw new Error(`${file} ${args.join(' ')}: exit ${r.code}${r.timedOut ? ' (timed out)' : ''}: ${msg}`);
  }
  return r.stdout;
}
