// A peapod daemon of the bench's own: its own data dir, subnet and port, started through the CLI entry
// (by default the one built next to the bench), logging at debug level to <dataDir>/daemon.log so the
// profile can read the runtime's duration lines. stop() deletes nothing itself: the caller removes pods
// first; then the process ends and scrubHost removes whatever is left of the data dir on the host.
// serve() may run again after stopServing() on the same data dir, with other flags (start-warm's
// --warm-pool): a new process, on a new port.

import type { ClusterConfig } from '../src/cli/kubeconfig.js';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { NodePaths } from '../src/node/paths.js';
import { DaemonProcess, type DaemonProcessOptions } from '../test/support/daemon-process.js';
import { scrubHost } from '../test/support/host-state.js';


export interface DaemonOptions {
  cliEntry: string;
  podCidr: string;
  nodeName: string;
}

export const BENCH_MAX_PODS = 5000;

export class BenchDaemon {
  readonly paths: NodePaths;
  readonly logFile: string;
  /** A bearer token of the cluster admin (system:masters), from the daemon's --token-auth-file (api-auth). */
  readonly token = randomBytes(24).toString('hex');
  private readonly tokenFile: string;
  private readonly procOptions: DaemonProcessOptions;
  private proc: DaemonProcess;

  private constructor(opts: DaemonOptions, dataDir: string) {
    this.tokenFile = path.join(dataDir, 'bench-tokens.csv');
    // The load rows run hundreds of pods and the list rows store a thousand: above the kubelet's 110.
    this.procOptions = { ...opts, dataDir, logLevel: 'debug', ownSession: true, extraArgs: ['--max-pods', String(BENCH_MAX_PODS), '--token-auth-file', this.tokenFile] };
    this.proc = new DaemonProcess(this.procOptions);
    this.paths = this.proc.paths;
    this.logFile = this.proc.logFile;
  }

  get pid(): number | undefined {
    return this.proc.pid;
  }

  /** The daemon's kubeconfig once it serves: server, CA and admin client certificate. */
  get cluster(): ClusterConfig {
    if (!this.proc.cluster) throw new Error('the bench daemon is not serving');
    return this.proc.cluster;
  }

  /** Makes the data dir and builds the busybox image into it (`peapod setup --no-install`). */
  static async create(opts: DaemonOptions): Promise<BenchDaemon> {
    const d = new BenchDaemon(opts, fs.mkdtempSync(path.join(os.tmpdir(), 'peapod-bench-')));
    try {
      fs.writeFileSync(d.tokenFile, `${d.token},bench,bench-uid,"system:masters"\n`, { mode: 0o600 });
      d.proc.setupImage();
    } catch (err) {
      await scrubHost(d.paths);
      throw err;
    }
    return d;
  }

  /**
   * Starts `peapod serve` and waits for /readyz. `warmPool`: sandboxes kept ready (`--warm-pool N`);
   * without it the daemon serves with the flags it always has. Not while it already serves.
   */
  async serve(opts: { warmPool?: number } = {}): Promise<void> {
    if (this.proc.running) throw new Error('the bench daemon already serves');
    const extra = opts.warmPool ? ['--warm-pool', String(opts.warmPool)] : [];
    this.proc = new DaemonProcess({ ...this.procOptions, extraArgs: [...(this.procOptions.extraArgs ?? []), ...extra] });
    await this.proc.start();
  }

  /**
   * Ends the process (SIGTERM, SIGKILL after 15 s) and nothing else: the data dir stays, and with it
   * what the engine left on the host, for serve() to run again on.
   */
  async stopServing(): Promise<void> {
    await this.proc.stop();
  }

  /** The daemon's resident set, MB (VmRSS). */
  rssMB(): number | undefined {
    if (!this.pid) return undefined;
    try {
      const m = /^VmRSS:\s+(\d+) kB/m.exec(fs.readFileSync(`/proc/${this.pid}/status`, 'utf8'));
      return m ? Number(m[1]) / 1024 : undefined;
    } catch {
      return undefined;
    }
  }

  log(): string {
    return this.proc.log();
  }

  logTail(lines = 40): string {
    return this.proc.logTail(lines);
  }

  /** Ends the daemon (SIGTERM, SIGKILL after 15 s) and scrubs its data dir from the host. */
  async stop(opts: { keepLogAt?: string } = {}): Promise<void> {
    await this.proc.stop();
    if (opts.keepLogAt && fs.existsSync(this.logFile)) fs.copyFileSync(this.logFile, opts.keepLogAt);
    await scrubHost(this.paths);
  }
}
