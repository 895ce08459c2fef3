// Starting conmon, the per-container monitor (node-runtime.md §1), through a Launcher: Exec cannot hand
// a child extra pipes (sync pipe 3, start pipe 4) nor leave it running detached.
//
// conmon setsid()s and double-forks: the first process exits in ~10 ms (reaped on 'exit'), the
// grandchild runs `runc create`, reports {"data": pid} (or {"data": -1, "message": ...}) on fd 3,
// then stays as the container's subreaper. It outlives the daemon: nothing of ours stays open in it
// (stdout/stderr go to a file in the bundle, our pipe ends are closed after the sync message).

import { mkdir, open, readFile } from 'node:fs/promises';
import path from 'node:path';
import { InternalError, TimeoutError } from '../errors.js';
import { definedEnv, sigkill, type Launcher } from '../system/exec.js';
import { statFields } from '../system/proc-stat.js';
import { readVirtualText } from '../system/virtual-file.js';
import { RUNC_PATH } from './runc.js';

export const CONMON_PATH = '/usr/bin/conmon';
/** How long `runc create` under conmon may take before it is killed (CRI-O's default create timeout). */
export const CONMON_CREATE_TIMEOUT_MS = 4 * 60_000;
/** Per-file cap before conmon truncates (k8s-file has no rotation of its own). */
export const DEFAULT_LOG_SIZE_MAX = 16 * 1024 * 1024;

export interface ConmonOptions {
  id: string;
  name: string;
  bundle: string;
  logPath: string;
  runcRoot: string;
  exitsDir: string;
  attachDir: string;
  terminal?: boolean;
  stdin?: boolean;
  /** The container's stdin stays open when an attached client leaves (stdin without stdinOnce). */
  leaveStdinOpen?: boolean;
  logSizeMax?: number;
  conmonPath?: string;
  runcPath?: string;
  /** The clock's sleep: the create timeout, and the wait for conmon to finish after a failed create. */
  sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** Default CONMON_CREATE_TIMEOUT_MS. */
  timeoutMs?: number;
}

/** The conmon argv (pure; unit-tested). */
export function conmonArgs(o: Omit<ConmonOptions, 'sleep' | 'timeoutMs'>): string[] {
  const args = [
    '--api-version', '1',
    '-c', o.id, '-u', o.id, '-n', o.name,
    '-r', o.runcPath ?? RUNC_PATH, '--runtime-arg', `--root=${o.runcRoot}`,
    '-b', o.bundle,
    '-p', path.join(o.bundle, 'pidfile'),
    '-P', path.join(o.bundle, 'conmon.pid'),
    '-l', `k8s-file:${o.logPath}`,
    '--log-size-max', String(o.logSizeMax ?? DEFAULT_LOG_SIZE_MAX),
    '--exit-dir', o.exitsDir,
    '--persist-dir', path.join(o.bundle, 'persist'),
    '--socket-dir-path', o.attachDir,
  ];
  if (o.terminal) args.push('-t');
  else if (o.stdin) args.push('-i');
  if (o.stdin && o.leaveStdinOpen) args.push('--leave-stdin-open');
  return args;
}

export interface ConmonStarted {
  /** Host PID of the container's first process (runc create done; not started yet). */
  pid: number;
  /** PID of the long-lived conmon (from conmon.pid). */
  conmonPid: number;
}

/** Parses the sync line(s): the pid, or throws with runc's message. */
export function parseSyncMessage(text: string, id: string): number {
  const line = text.split('\n').find((l) => l.trim() !== '');
  if (!line) throw new InternalError(`create container ${id}: conmon exited without a sync message`);
  let msg: { data?: number; pid?: number; message?: string };
  try {
    msg = JSON.parse(line) as typeof msg;
  } catch {
    throw new InternalError(`create container ${id}: bad conmon sync message: ${line}`);
  }
  const pid = msg.data ?? msg.pid ?? -1;
  if (pid <= 0) throw new InternalError(`create container ${id}: ${(msg.message ?? 'runc create failed').trim()}`);
  return pid;
}

/**
 * The container's log file, made before conmon opens it (conmon appends to an existing file): its
 * dirs 0700 and the file 0600 whatever conmon's own create mode (2.1.6 makes it 0600; containerd makes its logs 0640),
 * as a log prints a Secret as readily as the env does (node/private-state.ts).
 */
async function createLogFile(logPath: string): Promise<void> {
  await mkdir(path.dirname(logPath), { recursive: true, mode: 0o700 });
  await (await open(logPath, 'a', 0o600)).close();
}

/**
 * Starts conmon for `runc create` (through `launcher`: the daemon's spawn helper) and waits for the
 * container pid. On failure the error carries runc's message (from the sync pipe) or conmon's own stderr.
 */
export async function spawnConmon(launcher: Launcher, o: ConmonOptions): Promise<ConmonStarted> {
  await Promise.all([
    mkdir(path.join(o.bundle, 'persist'), { recursive: true, mode: 0o700 }),
    createLogFile(o.logPath),
  ]);
  const stderrFile = path.join(o.bundle, 'conmon.log');
  const child = launcher.launchMonitor({
    file: o.conmonPath ?? CONMON_PATH,
    args: conmonArgs(o),
    cwd: o.bundle,
    env: { ...definedEnv(), _OCI_SYNCPIPE: '3', _OCI_STARTPIPE: '4' },
    outputFile: stderrFile,
  });
  const conmonPidFile = path.join(o.bundle, 'conmon.pid');
  const timeoutMs = o.timeoutMs ?? CONMON_CREATE_TIMEOUT_MS;
  const ac = new AbortController();
  try {
    const done = await Promise.race([child.done, o.sleep(timeoutMs, ac.signal).then(() => undefined)]);
    if (!done) {
      // The first conmon process (if still running) leads the session made for it; then the
      // long-lived conmon named in its pid file.
      child.kill();
      await killConmon(conmonPidFile, o.id);
      throw new TimeoutError(`create container ${o.id}: no pid from conmon after ${timeoutMs}ms; conmon killed`);
    }
    try {
      if (done.code !== 0 && done.syncText.trim() === '') {
        const log = await readFile(stderrFile, 'utf8').catch(() => '');
        throw new InternalError(`create container ${o.id}: conmon exited ${done.code}: ${log.trim()}`);
      }
      const pid = parseSyncMessage(done.syncText, o.id);
      const conmonPid = Number((await readFile(conmonPidFile, 'utf8')).trim());
      return { pid, conmonPid };
    } catch (err) {
      // After a failed create conmon still writes its exit files into the bundle for a few ms: let it
      // finish, so the caller's cleanup does not race it.
      await waitForConmonExit(conmonPidFile, o.id, o.sleep);
      throw err;
    }
  } finally {
    ac.abort();
  }
}

/** A read error that says the thing read is gone (ENOENT, ESRCH); any other (EMFILE, EIO, EACCES) says nothing. */
export function isGoneError(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  return code === 'ENOENT' || code === 'ESRCH' || code === 'ENOTDIR';
}

/**
 * The pid in conmon.pid when it still names a conmon monitoring `id` (guards against pid reuse);
 * undefined when provably not (no pid file, no such process, another process under that pid). Rejects
 * when it cannot be told (a read failing for another reason, e.g. EMFILE): never "gone" by mistake.
 */
export async function monitoringConmonPid(pidFile: string, id: string): Promise<number | undefined> {
  const pid = Number((await readFile(pidFile, 'utf8').catch(orGone(''))).trim());
  if (!Number.isInteger(pid) || pid <= 0) return undefined;
  const cmd = await readVirtualText(`/proc/${pid}/cmdline`).catch(orGone(''));
  return cmd.includes(id) && cmd.includes('conmon') ? pid : undefined;
}

/** A catch handler: `gone` for a gone-error, the error rethrown otherwise. */
function orGone<T>(gone: T): (err: unknown) => T {
  return (err) => {
    if (isGoneError(err)) return gone;
    throw err;
  };
}

/** As monitoringConmonPid, with "cannot tell" taken as gone: for waiting on and killing a conmon we made. */
export async function liveConmonPid(pidFile: string, id: string): Promise<number | undefined> {
  return monitoringConmonPid(pidFile, id).catch(() => undefined);
}

/**
 * SIGKILLs a hung conmon; when it leads its own process group (it setsid()s), the whole group, so the
 * `runc create` under it goes too. The caller then runs `runc delete --force` for the container.
 */
async function killConmon(pidFile: string, id: string): Promise<void> {
  const pid = await liveConmonPid(pidFile, id);
  if (!pid) return;
  const stat = await readVirtualText(`/proc/${pid}/stat`).catch(() => '');
  const pgrp = Number(statFields(stat)[2]);
  sigkill(pgrp === pid ? -pid : pid);
}

/** Waits (up to ~2 s) until the conmon named in the pid file is gone. */
async function waitForConmonExit(pidFile: string, id: string, sleep: (ms: number) => Promise<void>): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if (!(await liveConmonPid(pidFile, id))) return;
    await sleep(20);
  }
}
