// The process seam: the only place (with system/ siblings) that spawns programs. Everything else
// receives an Exec, so wrappers around runc, CNI, ip and tar are tested by their arguments.

import { spawn } from 'node:child_process';

export interface ExecOptions {
  /** Bytes written to stdin, then closed. */
  input?: string | Buffer;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Kill (SIGKILL) after this many ms; the result then has code -1 and timedOut true. */
  timeoutMs?: number;
  signal?: AbortSignal;
}

export interface ExecResult {
  code: number;
  stdout: string;
  stderr: string;
  timedOut?: boolean;
}

export interface Exec {
  /** Runs `file` with `args` (no shell); never rejects for a non-zero exit, only when it cannot start. */
  run(file: string, args: string[], opts?: ExecOptions): Promise<ExecResult>;
}

export class HostExec implements Exec {
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
      const timer =
        opts.timeoutMs !== undefined
          ? setTimeout(() => {
              timedOut = true;
              child.kill('SIGKILL');
            }, opts.timeoutMs)
          : undefined;
      child.stdout.on('data', (b: Buffer) => out.push(b));
      child.stderr.on('data', (b: Buffer) => err.push(b));
      child.on('error', (e) => {
        if (timer) clearTimeout(timer);
        reject(new Error(`run ${file}: ${e.message}`, { cause: e }));
      });
      child.on('close', (code, sig) => {
        if (timer) clearTimeout(timer);
        resolve({
          code: code ?? (timedOut ? -1 : 128 + (sig ? signalNumber(sig) : 0)),
          stdout: Buffer.concat(out).toString('utf8'),
          stderr: Buffer.concat(err).toString('utf8'),
          ...(timedOut ? { timedOut } : {}),
        });
      });
      child.stdin.on('error', () => {
        /* the program may exit without reading its input */
      });
      child.stdin.end(opts.input ?? '');
    });
  }
}

function signalNumber(sig: NodeJS.Signals): number {
  const table: Partial<Record<NodeJS.Signals, number>> = { SIGHUP: 1, SIGINT: 2, SIGQUIT: 3, SIGKILL: 9, SIGTERM: 15 };
  return table[sig] ?? 0;
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
