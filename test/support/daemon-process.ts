// One `peapod serve` child process on its own data dir, port, node name and pod subnet: started through
// a CLI entry (bin/peapod.js, or the bench's own build), ready once its kubeconfig exists and /readyz
// answers, stopped with SIGTERM (SIGKILL after 15 s) so containers keep running. The e2e tests' TestDaemon
// and the bench's BenchDaemon are both built on it.

import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { SERVE_NODE_FLAGS, serveEnv } from '../../src/system/node-flags.js';
import fs from 'node:fs';
import https from 'node:https';
import net from 'node:net';
import path from 'node:path';
import { nodePaths, type NodePaths } from '../../src/node/paths.js';
import { parseKubeconfig, type ClusterConfig } from '../../src/cli/kubeconfig.js';

export interface DaemonProcessOptions {
  /** The CLI entry to run with node (bin/peapod.js or a build's dist/src/cli entry wrapper). */
  cliEntry: string;
  dataDir: string;
  nodeName: string;
  podCidr: string;
  logLevel?: string;
  /** More `peapod serve` flags (e.g. --token-auth-file). */
  extraArgs?: string[];
  /**
   * In a session of its own (setsid, as the README's start does), so the daemon raises its session's
   * CPU priority (system/thread-priority.ts); the bench's daemon runs so. Otherwise it shares the caller's.
   */
  ownSession?: boolean;
}

const READY_TIMEOUT_MS = 30_000;
const STOP_KILL_AFTER_MS = 15_000;

export class DaemonProcess {
  readonly paths: NodePaths;
  readonly logFile: string;
  /** The API address, set once ready; the port is kept across restarts. */
  url = '';
  /** The daemon's kubeconfig as read once it was ready: server, CA and the admin's client certificate. */
  cluster?: ClusterConfig;
  private port = 0;
  private child?: ChildProcess;

  constructor(private readonly opts: DaemonProcessOptions) {
    this.paths = nodePaths(opts.dataDir);
    this.logFile = path.join(opts.dataDir, 'daemon.log');
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  get running(): boolean {
    return !!this.child && this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Builds localhost/busybox:latest into the data dir (`peapod setup --no-install`); throws on failure. */
  setupImage(): void {
    const r = spawnSync(process.execPath, [this.opts.cliEntry, 'setup', '--no-install', '--data-dir', this.opts.dataDir], {
      encoding: 'utf8',
      timeout: 120_000,
    });
    if (r.status !== 0) throw new Error(`peapod setup failed (${r.status ?? r.signal}): ${r.stdout}\n${r.stderr}`);
  }

  /** Starts (or restarts) the daemon and waits until it serves; returns the API URL. */
  async start(): Promise<string> {
    if (!this.port) this.port = await freePort();
    const log = fs.openSync(this.logFile, 'a');
    const args = [
      this.opts.cliEntry, 'serve',
      '--data-dir', this.opts.dataDir,
      '--listen', `127.0.0.1:${this.port}`,
      '--node-name', this.opts.nodeName,
      '--pod-cidr', this.opts.podCidr,
      '--log-level', this.opts.logLevel ?? 'debug',
      ...(this.opts.extraArgs ?? []),
    ];
    const child = spawn(process.execPath, [...SERVE_NODE_FLAGS, ...args], { stdio: ['ignore', log, log], detached: this.opts.ownSession === true, env: serveEnv() });
    this.child = child;
    fs.closeSync(log);
    const deadline = Date.now() + READY_TIMEOUT_MS;
    while (Date.now() < deadline) {
      if (child.exitCode !== null) throw new Error(`peapod serve exited with ${child.exitCode}:\n${this.logTail()}`);
      const cluster = this.readCluster();
      if (cluster && (await isReady(cluster))) {
        this.url = cluster.server;
        this.cluster = cluster;
        return cluster.server;
      }
      await sleep(100);
    }
    throw new Error(`peapod serve not ready in ${READY_TIMEOUT_MS / 1000} s:\n${this.logTail()}`);
  }

  /** Ends the process (SIGTERM, SIGKILL after 15 s); containers keep running. Removes the kubeconfig it wrote. */
  async stop(): Promise<void> {
    const child = this.child;
    if (child && this.running) {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), STOP_KILL_AFTER_MS);
      await exited;
      clearTimeout(timer);
    }
    fs.rmSync(this.paths.kubeconfigPath, { force: true });
  }

  log(): string {
    try {
      return fs.readFileSync(this.logFile, 'utf8');
    } catch {
      return '';
    }
  }

  logTail(lines = 60): string {
    return this.log().split('\n').slice(-lines).join('\n');
  }

  private readCluster(): ClusterConfig | undefined {
    try {
      return parseKubeconfig(fs.readFileSync(this.paths.kubeconfigPath, 'utf8'));
    } catch {
      return undefined; // not written yet, or half-written
    }
  }
}

/** /readyz answers 200 over TLS, verified with the kubeconfig's CA (anonymous: /readyz is public). */
function isReady(c: ClusterConfig): Promise<boolean> {
  return new Promise((resolve) => {
    const req = https.get(new URL('/readyz', c.server), { ca: c.ca, agent: false, timeout: 2000 }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(false));
  });
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
