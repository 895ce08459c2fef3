// A peapod daemon of the bench's own: its own data dir, subnet and port, started through the CLI entry
// (by default the one built next to the bench), logging at debug level to <dataDir>/daemon.log so the
// profile can read the runtime's duration lines. stop() deletes nothing itself: the caller removes pods
// first; then the process ends and scrubHost removes whatever is left of the data dir on the host.

import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'yaml';
import { nodePaths, type NodePaths } from '../src/node/paths.js';
import { scrubHost } from '../test/support/host-state.js';

export interface DaemonOptions {
  cliEntry: string;
  podCidr: string;
  nodeName: string;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class BenchDaemon {
  readonly paths: NodePaths;
  readonly logFile: string;
  serverUrl = '';
  private child?: ChildProcess;

  private constructor(private readonly opts: DaemonOptions, dataDir: string) {
    this.paths = nodePaths(dataDir);
    this.logFile = path.join(dataDir, 'daemon.log');
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** Makes the data dir and builds the busybox image into it (`peapod setup --no-install`). */
  static create(opts: DaemonOptions): BenchDaemon {
    const d = new BenchDaemon(opts, fs.mkdtempSync(path.join(os.tmpdir(), 'peapod-bench-')));
    const setup = spawnSync(process.execPath, [opts.cliEntry, 'setup', '--no-install', '--data-dir', d.paths.dataDir], { encoding: 'utf8', timeout: 120_000 });
    if (setup.status !== 0) {
      scrubHost(d.paths);
      throw new Error(`peapod setup failed (${setup.status ?? setup.signal}): ${setup.stdout}\n${setup.stderr}`);
    }
    return d;
  }

  /** Starts `peapod serve` and waits for /readyz. */
  async serve(): Promise<void> {
    const port = await freePort();
    const log = fs.openSync(this.logFile, 'a');
    const args = [this.opts.cliEntry, 'serve', '--data-dir', this.paths.dataDir, '--listen', `127.0.0.1:${port}`, '--node-name', this.opts.nodeName, '--pod-cidr', this.opts.podCidr, '--log-level', 'debug'];
    this.child = spawn(process.execPath, args, { stdio: ['ignore', log, log] });
    fs.closeSync(log);
    const child = this.child;
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline) {
      if (child.exitCode !== null) throw new Error(`peapod serve exited with ${child.exitCode}:\n${this.logTail()}`);
      if (fs.existsSync(this.paths.kubeconfigPath)) {
        const url = serverFromKubeconfig(fs.readFileSync(this.paths.kubeconfigPath, 'utf8'));
        const ready = url ? await fetch(new URL('/readyz', url), { signal: AbortSignal.timeout(2000) }).then((r) => r.status === 200, () => false) : false;
        if (ready && url) {
          this.serverUrl = url;
          return;
        }
      }
      await sleep(100);
    }
    throw new Error(`peapod serve not ready in 30 s:\n${this.logTail()}`);
  }

  /** The daemon's resident set, MB (VmRSS). */
  rssMB(): number | undefined {
    if (!this.child?.pid) return undefined;
    try {
      const m = /^VmRSS:\s+(\d+) kB/m.exec(fs.readFileSync(`/proc/${this.child.pid}/status`, 'utf8'));
      return m ? Number(m[1]) / 1024 : undefined;
    } catch {
      return undefined;
    }
  }

  log(): string {
    try {
      return fs.readFileSync(this.logFile, 'utf8');
    } catch {
      return '';
    }
  }

  logTail(lines = 40): string {
    return this.log().split('\n').slice(-lines).join('\n');
  }

  /** Ends the daemon (SIGTERM, SIGKILL after 15 s) and scrubs its data dir from the host. */
  async stop(opts: { keepLogAt?: string } = {}): Promise<void> {
    const child = this.child;
    if (child && child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(timer);
    }
    if (opts.keepLogAt && fs.existsSync(this.logFile)) fs.copyFileSync(this.logFile, opts.keepLogAt);
    scrubHost(this.paths);
  }
}

export function serverFromKubeconfig(text: string): string | undefined {
  const kc = parse(text) as { clusters?: { cluster?: { server?: string } }[] } | null;
  return kc?.clusters?.[0]?.cluster?.server;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}
