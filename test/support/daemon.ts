// A real `peapod serve` for end-to-end tests: its own data dir, subnet, node name and port, run as a child
// process through bin/peapod.js (so a restart is a real process restart), driven by the real kubectl.

import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { NodePaths } from '../../src/node/paths.js';
import { DaemonProcess, freePort, sleep } from './daemon-process.js';
import { engineLeftovers, scrubHost } from './host-state.js';

export { freePort, sleep };

export const REPO_ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../../..');
export const PEAPOD_BIN = path.join(REPO_ROOT, 'bin', 'peapod.js');
export const KUBECTL = process.env.PEAPOD_TEST_KUBECTL ?? '/usr/bin/kubectl';

export interface KubectlResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface TestDaemonOptions {
  /** Suite name: names the data dir and node. */
  name: string;
  /** Pod subnet inside 10.88.0.0/16, e.g. "10.88.210.0/24". */
  podCidr: string;
  /** More `peapod serve` flags. */
  extraArgs?: string[];
  /** An existing, empty directory to use as the data dir (e.g. on a filesystem of its own); else a new one under the temp dir. */
  dataDir?: string;
}

export class TestDaemon {
  readonly paths: NodePaths;
  readonly kubeconfig: string;
  readonly nodeName: string;
  private readonly proc: DaemonProcess;

  private constructor(opts: TestDaemonOptions, dataDir: string) {
    this.nodeName = `peapod-${opts.name}`;
    this.proc = new DaemonProcess({ cliEntry: PEAPOD_BIN, dataDir, nodeName: this.nodeName, podCidr: opts.podCidr, extraArgs: opts.extraArgs });
    this.paths = this.proc.paths;
    this.kubeconfig = this.paths.kubeconfigPath;
  }

  /** Makes the data dir, builds the busybox image into it (`peapod setup --no-install`), starts the daemon. */
  static async start(opts: TestDaemonOptions): Promise<TestDaemon> {
    const d = new TestDaemon(opts, opts.dataDir ?? fs.mkdtempSync(path.join(os.tmpdir(), `peapod-${opts.name}-`)));
    d.proc.setupImage();
    await d.serve();
    return d;
  }

  /** The daemon's pid while it runs. */
  get pid(): number | undefined {
    return this.proc.pid;
  }

  /** Starts (or restarts) the daemon process on the same data dir and port. */
  async serve(): Promise<void> {
    await this.proc.start();
  }

  /** Stops the daemon process (SIGTERM); containers keep running. */
  async stopProcess(): Promise<void> {
    await this.proc.stop();
  }

  kubectl(args: string[], opts: { input?: string; timeoutMs?: number; kubeconfig?: string; bin?: string } = {}): Promise<KubectlResult> {
    const cache = path.join(this.paths.dataDir, `kcache-${path.basename(opts.bin ?? KUBECTL)}`);
    return run(opts.bin ?? KUBECTL, ['--kubeconfig', opts.kubeconfig ?? this.kubeconfig, '--cache-dir', cache, ...args], opts);
  }

  /** The daemon's cluster config as it was when it became ready (server, CA, admin certificate). */
  get cluster() {
    if (!this.proc.cluster) throw new Error('the daemon is not serving');
    return this.proc.cluster;
  }

  peapod(args: string[], opts: { input?: string; timeoutMs?: number } = {}): Promise<KubectlResult> {
    return run(process.execPath, [PEAPOD_BIN, ...args, '--kubeconfig', this.kubeconfig], opts);
  }

  /** kubectl that must succeed; returns stdout. */
  async k(...args: string[]): Promise<string> {
    const r = await this.kubectl(args);
    if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')} failed (${r.code}): ${r.stderr}${r.stdout}`);
    return r.stdout;
  }

  async getJson<T = any>(...args: string[]): Promise<T> {
    return JSON.parse(await this.k('get', ...args, '-o', 'json')) as T;
  }

  /** Polls `check` (which throws or returns false while not there yet) until it passes. */
  async waitFor<T>(what: string, check: () => Promise<T | false | undefined>, timeoutMs = 60_000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    let last: unknown;
    while (Date.now() < deadline) {
      try {
        const v = await check();
        if (v) return v;
      } catch (err) {
        last = err;
      }
      await sleep(250);
    }
    throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}\n--- daemon log tail ---\n${this.logTail()}`);
  }

  leftovers(): Promise<Record<string, string[]>> {
    return engineLeftovers(this.paths);
  }

  log(): string {
    return this.proc.log();
  }

  logTail(lines = 60): string {
    return this.proc.logTail(lines);
  }

  /**
   * Deletes every pod (so the engine tears down for real), stops the daemon, then scrubs whatever is
   * left of this data dir on the host. Prints the daemon log when `failed`.
   */
  async destroy(failed: boolean): Promise<void> {
    if (this.proc.running) {
      await this.kubectl(['delete', 'pods', '--all', '-A', '--grace-period=1', '--wait=true', '--timeout=60s']);
    }
    await this.stopProcess();
    if (failed || process.env.PEAPOD_TEST_SHOW_LOG) console.log(`--- daemon log (${this.proc.logFile}) ---\n${this.logTail(200)}`);
    if (process.env.PEAPOD_TEST_KEEP) {
      console.log(`keeping ${this.paths.dataDir} (PEAPOD_TEST_KEEP)`);
      await scrubHost(this.paths, { keepDataDir: true });
      return;
    }
    await scrubHost(this.paths);
  }
}

/** Runs a program to its end; killed (code -1) after `timeoutMs` or when `signal` aborts. */
export function run(file: string, args: string[], opts: { input?: string; timeoutMs?: number; signal?: AbortSignal } = {}): Promise<KubectlResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    const kill = () => child.kill('SIGKILL');
    const timer = setTimeout(kill, opts.timeoutMs ?? 60_000);
    opts.signal?.addEventListener('abort', kill, { once: true });
    child.stdout.on('data', (b) => (stdout += b));
    child.stderr.on('data', (b) => (stderr += b));
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      opts.signal?.removeEventListener('abort', kill);
      resolve({ code: code ?? -1, stdout, stderr });
    });
    // A child that exits before reading its stdin (a refused command) closes the pipe: not an error here.
    child.stdin.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code !== 'EPIPE') reject(err);
    });
    child.stdin.end(opts.input ?? '');
  });
}

/** GET over plain HTTP with a timeout; resolves the status and body, rejects on connection errors. */
export async function httpGet(url: string, timeoutMs = 3000): Promise<{ status: number; body: string }> {
  const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
  return { status: res.status, body: await res.text() };
}
