// The daemon's side of the spawn helper (helper.ts): an Exec and a Launcher whose calls are messages to
// the helper, so a runtime call costs this event loop a structured-clone of its arguments, not a fork.
//
// The helper is forked once, when the daemon starts and is still small. Should it die, the calls in
// flight fail (as a program that could not start) and the next call forks a new one.

import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { definedEnv, type Exec, type ExecOptions, type ExecResult, type Launcher, type LaunchedMonitor, type LaunchedSession, type MonitorLaunch, type MonitorOutcome, type SessionLaunch } from '../exec.js';
import type { Logger } from '../logger.js';
import { loopTurns } from '../loop-turns.js';
import { ThreadSchedstat } from '../thread-schedstat.js';
import type { SpawnReply, SpawnRequest } from './protocol.js';

const HELPER = fileURLToPath(new URL('./helper.js', import.meta.url));
/** Its heap holds only messages in flight and the children's output. */
const HELPER_EXEC_ARGV = ['--max-old-space-size=64'];

interface Pending {
  /** The helper it was sent to: only that one's death fails it. */
  child: ChildProcess;
  file: string;
  resolve(reply: SpawnReply & { ok: true }): void;
  reject(err: Error): void;
}

type Request = SpawnRequest extends infer R ? (R extends { id: number } ? Omit<R, 'id'> : never) : never;

export class SpawnHelper implements Exec, Launcher {
  private child: ChildProcess | undefined;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private closed = false;

  /** The loop's thread's CPU and run-queue times (made on it). */
  private readonly sched = new ThreadSchedstat();

  /**
   * `onDispatch`: per request, the seconds this loop spent handing it to the helper, and of those the
   * seconds its thread waited for a core (for /metrics).
   */
  constructor(
    private readonly logger: Logger,
    private readonly onDispatch: (blockedSeconds: number, waitedSeconds: number) => void = () => {},
  ) {}

  /** Forks the helper now (rather than at the first call), while this process is small. */
  start(): void {
    this.helper();
  }

  /** The helper's pid (for the daemon's process inventory); undefined when none runs. */
  get pid(): number | undefined {
    return this.child?.pid;
  }

  run(file: string, args: string[], opts: ExecOptions = {}): Promise<ExecResult> {
    const { signal } = opts;
    const { id, reply } = this.send({
      t: 'run',
      file,
      args,
      input: opts.input,
      env: opts.env ? definedEnv(opts.env) : undefined,
      cwd: opts.cwd,
      timeoutMs: opts.timeoutMs,
      ...(opts.truncateOutput ? { truncateOutput: true } : {}),
    });
    if (signal) {
      const cancel = () => this.cancel(id);
      if (signal.aborted) cancel();
      else signal.addEventListener('abort', cancel, { once: true });
      void reply.finally(() => signal.removeEventListener('abort', cancel)).catch(() => {});
    }
    return reply.then((r) => ('run' in r ? r.run : Promise.reject(new Error(`spawn helper: bad reply to run ${file}`))));
  }

  launchMonitor(launch: MonitorLaunch): LaunchedMonitor {
    const { id, reply } = this.send({ t: 'monitor', launch });
    let settled = false;
    const done = reply.then((r): MonitorOutcome => {
      if (!('monitor' in r)) throw new Error(`spawn helper: bad reply to ${launch.file}`);
      return r.monitor;
    });
    void done.finally(() => (settled = true)).catch(() => {});
    return {
      done,
      kill: () => {
        if (!settled) this.cancel(id);
      },
    };
  }

  launchSession(launch: SessionLaunch): LaunchedSession {
    const { id, reply } = this.send({ t: 'session', launch });
    const lineOf = (r: SpawnReply & { ok: true }) => {
      if (!('line' in r)) throw new Error(`spawn helper: bad reply to ${launch.file}`);
      return r.line;
    };
    const ready = reply.then(lineOf).then(() => undefined);
    let started: Promise<string> | undefined;
    const exited = ready.then(
      () => this.send({ t: 'session-exit', session: id }).reply.then(lineOf),
      () => '',
    );
    return {
      ready,
      start: () => (started ??= ready.then(() => this.send({ t: 'session-start', session: id }).reply.then(lineOf))),
      exited,
      release: () => {
        if (this.child?.connected) this.child.send({ t: 'cancel', id } satisfies SpawnRequest);
      },
    };
  }

  /** Closes the channel; the helper exits. Calls in flight fail. */
  close(): void {
    this.closed = true;
    this.sched.close();
    const child = this.child;
    this.child = undefined;
    if (child?.connected) child.disconnect();
    this.fail(() => true, 'the spawn helper is closed');
  }

  private send(req: Request): { id: number; reply: Promise<SpawnReply & { ok: true }> } {
    const id = this.nextId++;
    const reply = new Promise<SpawnReply & { ok: true }>((resolve, reject) => {
      if (this.closed) {
        reject(new Error(`run ${fileOf(req)}: the spawn helper is closed`));
        return;
      }
      const child = this.helper(); // a fork when none runs: the spawn meter times that one itself
      this.sched.time(() => {
        this.pending.set(id, { child, file: fileOf(req), resolve, reject });
        try {
          child.send({ ...req, id } as SpawnRequest, (err) => {
            if (err) this.settle({ id, ok: false, message: `run ${fileOf(req)}: spawn helper: ${err.message}` });
          });
        } catch (err) {
          // A request that cannot be serialised never left: fail it here, not at the helper's exit.
          this.settle({ id, ok: false, message: `run ${fileOf(req)}: spawn helper: ${(err as Error).message}` });
        }
      }, this.onDispatch);
    });
    return { id, reply };
  }

  private cancel(id: number): void {
    if (this.pending.has(id) && this.child?.connected) this.child.send({ t: 'cancel', id } satisfies SpawnRequest);
  }

  private settle(msg: SpawnReply): void {
    const p = this.pending.get(msg.id);
    if (!p) return;
    this.pending.delete(msg.id);
    // One read of the channel can bring the replies for a whole burst (250 runc kills): each caller
    // goes on on a loop turn of its own, so the loop polls for API requests between them (LoopTurns).
    void loopTurns.next().then(() => {
      if (msg.ok) p.resolve(msg);
      else p.reject(Object.assign(new Error(msg.message), msg.code ? { code: msg.code } : {}));
    });
  }

  private helper(): ChildProcess {
    if (this.child?.connected) return this.child;
    // In a session of its own: the programs it starts (CNI plugins, mount, iptables) then share the CPU as
    // one more session, not as part of the daemon's, whose priority is raised for its event loop alone
    // (thread-priority.ts). Its lifetime is the channel's, whatever its session.
    const child = fork(HELPER, [], {
      execArgv: HELPER_EXEC_ARGV,
      serialization: 'advanced',
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
      detached: true,
    });
    this.child = child;
    child.on('message', (msg) => this.settle(msg as SpawnReply));
    child.on('error', (err) => this.logger.error({ err: err.message }, 'spawn helper error'));
    child.on('exit', (code, signal) => {
      if (this.child === child) this.child = undefined;
      if (this.closed) return;
      this.logger.error({ code, signal }, 'the spawn helper exited; calls in flight failed, the next call starts a new one');
      this.fail((p) => p.child === child, `the spawn helper exited (${signal ?? code})`);
    });
    return child;
  }

  private fail(which: (p: Pending) => boolean, why: string): void {
    for (const [id, p] of this.pending) {
      if (!which(p)) continue;
      this.pending.delete(id);
      p.reject(new Error(`run ${p.file}: ${why}`));
    }
  }
}

function fileOf(req: Request): string {
  if (req.t === 'run') return req.file;
  if (req.t === 'monitor' || req.t === 'session') return req.launch.file;
  return req.t;
}
