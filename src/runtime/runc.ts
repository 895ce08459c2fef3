// Thin wrapper over `runc --root <runcRoot>` (node-runtime.md §2.3). Decisions live in the caller;
// this file only builds arguments and maps runc's well-known failures to NotFoundError.

import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { NotFoundError, InternalError, TimeoutError } from '../errors.js';
import type { Exec, ExecResult } from '../system/exec.js';
import type { OciProcess } from './oci-types.js';

export const RUNC_PATH = '/usr/sbin/runc';
/**
 * Bound on every runc call but exec (which has the caller's own timeout): a runc wedged on a stuck
 * mount or a frozen cgroup must not block a pod worker forever. HostExec SIGKILLs runc on expiry.
 */
export const RUNC_TIMEOUT_MS = 30_000;

export interface RuncState {
  id: string;
  pid: number;
  status: 'created' | 'running' | 'paused' | 'stopped';
  bundle: string;
  created: string;
}

const NOT_FOUND = /does not exist|not found|container not running|no such process|invalid process/i;

export interface ExecInContainerResult {
  exitCode: number;
  stdout: string;
  stderr: string;
  timedOut: boolean;
}

export class Runc {
  private readonly exec: Exec;
  private readonly root: string;
  private readonly bin: string;
  private readonly timeoutMs: number;

  constructor(opts: { exec: Exec; root: string; bin?: string; timeoutMs?: number }) {
    this.exec = opts.exec;
    this.root = opts.root;
    this.bin = opts.bin ?? RUNC_PATH;
    this.timeoutMs = opts.timeoutMs ?? RUNC_TIMEOUT_MS;
  }

  args(...rest: string[]): string[] {
    return ['--root', this.root, ...rest];
  }

  /** Runs runc with the call timeout; TimeoutError when runc had to be killed. */
  private async call(what: string, args: string[]): Promise<ExecResult> {
    const r = await this.exec.run(this.bin, args, { timeoutMs: this.timeoutMs });
    if (r.timedOut) throw new TimeoutError(`runc ${what}: timed out after ${this.timeoutMs}ms`);
    return r;
  }

  private async run(what: string, id: string, args: string[]): Promise<string> {
    const r = await this.call(`${what} container ${id}`, this.args(...args));
    if (r.code === 0) return r.stdout;
    const msg = (r.stderr || r.stdout).trim();
    if (NOT_FOUND.test(msg)) throw new NotFoundError(`runc ${what} container ${id}: ${msg}`);
    throw new InternalError(`runc ${what} container ${id}: exit ${r.code}: ${msg}`);
  }

  /** NotFoundError when runc has no state for the id. */
  async state(id: string): Promise<RuncState> {
    return JSON.parse(await this.run('state', id, ['state', id])) as RuncState;
  }

  async list(): Promise<RuncState[]> {
    const r = await this.call('list', this.args('list', '-f', 'json'));
    if (r.code !== 0) throw new InternalError(`runc list: exit ${r.code}: ${r.stderr.trim()}`);
    const parsed = JSON.parse(r.stdout.trim() || 'null') as RuncState[] | null;
    return parsed ?? [];
  }

  async start(id: string): Promise<void> {
    await this.run('start', id, ['start', id]);
  }

  /** NotFoundError when the container is gone or not running. */
  async kill(id: string, signal: string | number, all = false): Promise<void> {
    await this.run('kill', id, ['kill', ...(all ? ['--all'] : []), id, String(signal)]);
  }

  /** Succeeds when the container is already gone; TimeoutError when runc hangs. */
  async delete(id: string, force = false): Promise<void> {
    try {
      await this.run('delete', id, ['delete', ...(force ? ['--force'] : []), id]);
    } catch (e) {
      if (!(e instanceof NotFoundError)) throw e;
    }
  }

  async version(): Promise<string> {
    const r = await this.call('--version', ['--version']);
    const m = /runc version (\S+)/.exec(r.stdout);
    return m ? m[1] : r.stdout.trim();
  }

  /**
   * `runc exec -p process.json --pid-file F <id>` with pipes (CRI-O's ExecSync path): the exit code is
   * the process's. On timeout runc is killed and so is the process it started (by the pid runc wrote),
   * so a probe that hangs leaves nothing behind in the container. The process spec and pid file go in
   * `scratchDir` (made when missing; the runtime's is on the run dir's tmpfs, so probes and kubectl exec
   * keep working when the data disk is full) and are removed afterwards.
   */
  async execProcess(
    id: string,
    scratchDir: string,
    execId: string,
    proc: OciProcess,
    timeoutMs: number,
  ): Promise<ExecInContainerResult> {
    const spec = path.join(scratchDir, `exec-${execId}.json`);
    const pidFile = path.join(scratchDir, `exec-${execId}.pid`);
    await mkdir(scratchDir, { recursive: true, mode: 0o700 });
    await writeFile(spec, JSON.stringify(proc), { mode: 0o600 }); // the env, values from Secrets included
    try {
      // Judged by its exit code: output past what an exec keeps is cut, never a failure (a probe that
      // prints a lot must not restart a healthy container).
      const r = await this.exec.run(this.bin, this.args('exec', '-p', spec, '--pid-file', pidFile, id), {
        ...(timeoutMs > 0 ? { timeoutMs } : {}),
        truncateOutput: true,
      });
      if (r.timedOut) {
        const pid = Number((await readFile(pidFile, 'utf8').catch(() => '')).trim());
        if (Number.isInteger(pid) && pid > 1) await this.exec.run('/bin/kill', ['-KILL', String(pid)]).catch(() => undefined);
        throw new TimeoutError(`exec in container ${id} timed out after ${timeoutMs}ms`);
      }
      return { exitCode: r.code, stdout: r.stdout, stderr: r.stderr, timedOut: false };
    } finally {
      await rm(spec, { force: true });
      await rm(pidFile, { force: true });
    }
  }
}
