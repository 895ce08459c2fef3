// An in-memory Runtime for pods/ unit tests; it passes the same contract suite as the real runtime
// (conformance.ts). Test controls: make a container exit, fail the next
// sandbox/create/start/sandbox removal, make a sandbox die, make a container ignore its stop signal, list calls made.
// Never wired into the daemon.

import { createHash } from 'node:crypto';
import type { Duplex } from 'node:stream';
import { ConflictError, NotFoundError, SandboxStartError } from '../errors.js';
import type { Clock } from '../system/clock.js';
import {
  LABEL_POD_UID,
  type ContainerConfig,
  type ContainerEvent,
  type ContainerFilter,
  type ContainerStatus,
  type ExecSyncResult,
  type PodSandboxConfig,
  type PodSandboxFilter,
  type PodSandboxStatus,
  type Runtime,
  type RuntimeVersion,
} from './runtime.js';
import type { AttachRequest, ExecRequest, SessionEnd, SessionOutput, StreamSession } from './streaming/types.js';

export interface FakeCall {
  method: string;
  args: unknown[];
}

const clone = <T>(x: T): T => structuredClone(x);

function matchLabels(labels: Record<string, string>, sel?: Record<string, string>): boolean {
  return Object.entries(sel ?? {}).every(([k, v]) => labels[k] === v);
}

export class FakeRuntime implements Runtime {
  readonly calls: FakeCall[] = [];
  readonly sandboxes = new Map<string, PodSandboxStatus>();
  readonly containers = new Map<string, ContainerStatus>();
  readonly configs = new Map<string, ContainerConfig>();
  /** Containers (by id) that ignore their stop signal: stop waits the whole timeout, then exit 137. */
  readonly ignoreStop = new Set<string>();
  /** Answers execSync (probes, hooks); default: exit 0 with no output. */
  execHandler?: (id: string, cmd: string[], timeoutMs: number) => ExecSyncResult | Promise<ExecSyncResult>;
  /**
   * Answers execStream: called with everything the client wrote once it closes stdin (at once without
   * stdin); its stdout and stderr are sent as output. Default: execHandler's answer for the command.
   */
  streamHandler?: (id: string, req: ExecRequest, stdin: Buffer) => ExecSyncResult | Promise<ExecSyncResult>;
  /** Answers portForward; default: nothing listens on any port. */
  portHandler?: (sandboxId: string, port: number) => Duplex | Promise<Duplex>;
  /** Writable-layer bytes by container id (containerFsUsage); known containers default to 0. */
  readonly fsUsage = new Map<string, number>();
  /** How long runPodSandbox takes on the fake clock (ms), to test what happens while it runs. */
  sandboxDelayMs = 0;
  private failures: { sandbox?: string; sandboxSetup?: string; create?: string; start?: string; stop?: string; remove?: string; removeSandbox?: string } = {};
  private startFailuresLeft = 0;
  private listeners = new Set<(ev: ContainerEvent) => void>();
  private seq = 0;
  private readonly clock: Clock;

  constructor(opts: { clock: Clock }) {
    this.clock = opts.clock;
  }

  // ---- test controls ----

  failNextSandbox(message: string): void {
    this.failures.sandbox = message;
  }
  /**
   * The next sandbox is returned, but its setup (infra container or network, made after runPodSandbox
   * returns) fails: waiting for its network and starting any of its containers fail with a
   * SandboxStartError, and the sandbox goes not ready with 'sandbox-exited', as the runc runtime does.
   */
  failNextSandboxSetup(message: string): void {
    this.failures.sandboxSetup = message;
  }
  private readonly setupFailures = new Map<string, string>();
  failNextCreate(message: string): void {
    this.failures.create = message;
  }
  /** The next stopContainer fails and leaves the container as it was. */
  failNextStop(message: string): void {
    this.failures.stop = message;
  }
  /** The next removeContainer fails and leaves the container as it was. */
  failNextRemove(message: string): void {
    this.failures.remove = message;
  }
  /** The next removePodSandbox fails and leaves the sandbox and its containers as they were. */
  failNextRemoveSandbox(message: string): void {
    this.failures.removeSandbox = message;
  }
  /** The next `times` starts fail: each instance ends exited 128, reason StartError (as runc reports it). */
  failNextStart(message: string, times = 1): void {
    this.failures.start = message;
    this.startFailuresLeft = times;
  }
  /** Makes a running container exit with `code` (reason OOMKilled when asked). */
  exitContainer(id: string, code: number, reason?: string): void {
    const c = this.mustContainer(id);
    if (c.state !== 'running') throw new Error(`fake: container ${id} is ${c.state}, not running`);
    this.finish(c, code, reason);
  }
  /** The infra container dies: the sandbox goes notready, its containers exit 137, then 'sandbox-exited'. */
  killSandbox(id: string): void {
    const s = this.mustSandbox(id);
    s.state = 'notready';
    s.pid = 0;
    // As the real runtime: every container of the sandbox is stopped, created ones too (never started: 137).
    for (const c of this.containers.values()) if (c.sandboxId === id && (c.state === 'running' || c.state === 'created')) this.finish(c, 137);
    const ev: ContainerEvent = { type: 'sandbox-exited', containerId: '', sandboxId: id, podUid: s.labels[LABEL_POD_UID] ?? '' };
    for (const l of [...this.listeners]) l(ev);
  }
  /** Records of one pod's container by name, newest first. */
  containersNamed(podUid: string, name: string): ContainerStatus[] {
    return [...this.containers.values()]
      .filter((c) => c.labels[LABEL_POD_UID] === podUid && c.metadata.name === name)
      .sort((a, b) => b.createdAt - a.createdAt || b.metadata.attempt - a.metadata.attempt)
      .map(clone);
  }
  callsOf(method: string): FakeCall[] {
    return this.calls.filter((c) => c.method === method);
  }

  // ---- Runtime ----

  async version(): Promise<RuntimeVersion> {
    return { runtimeName: 'fake', runtimeVersion: '0' };
  }

  async runPodSandbox(config: PodSandboxConfig): Promise<string> {
    this.calls.push({ method: 'runPodSandbox', args: [clone(config)] });
    if (this.sandboxDelayMs > 0) await this.clock.sleep(this.sandboxDelayMs);
    this.throwIf('sandbox');
    const id = `sb${++this.seq}`;
    if (this.failures.sandboxSetup !== undefined) {
      this.setupFailures.set(id, this.failures.sandboxSetup);
      this.failures.sandboxSetup = undefined;
    }
    this.sandboxes.set(id, {
      id,
      metadata: clone(config.metadata),
      state: 'ready',
      createdAt: this.clock.now() + this.seq / 1000,
      ip: config.hostNetwork ? undefined : `10.88.0.${this.seq}`,
      additionalIps: [],
      pid: 1000 + this.seq,
      netnsPath: config.hostNetwork ? undefined : `/run/netns/${id}`,
      hostNetwork: config.hostNetwork,
      labels: clone(config.labels),
      annotations: clone(config.annotations),
    });
    return id;
  }

  async stopPodSandbox(id: string): Promise<void> {
    this.calls.push({ method: 'stopPodSandbox', args: [id] });
    const s = this.sandboxes.get(id);
    if (!s) return;
    // As the real runtime: every container of the sandbox is stopped, created ones too (never started: 137).
    for (const c of this.containers.values()) if (c.sandboxId === id && (c.state === 'running' || c.state === 'created')) this.finish(c, 137);
    s.state = 'notready';
    s.pid = 0;
  }

  async removePodSandbox(id: string): Promise<void> {
    this.calls.push({ method: 'removePodSandbox', args: [id] });
    this.throwIf('removeSandbox');
    for (const c of [...this.containers.values()]) if (c.sandboxId === id) await this.removeContainer(c.id);
    this.sandboxes.delete(id);
  }

  /** The burstable level's cpu.shares as last set (setBurstableCpuShares). */
  burstableCpuShares?: number;
  async setBurstableCpuShares(shares: number): Promise<void> {
    this.calls.push({ method: 'setBurstableCpuShares', args: [shares] });
    this.burstableCpuShares = shares;
  }

  async waitSandboxNetwork(id: string): Promise<void> {
    this.mustSandbox(id);
    const msg = this.setupFailures.get(id);
    if (msg !== undefined) throw new SandboxStartError(msg);
  }

  async podSandboxStatus(id: string): Promise<PodSandboxStatus> {
    return clone(this.mustSandbox(id));
  }

  async listPodSandboxes(filter?: PodSandboxFilter): Promise<PodSandboxStatus[]> {
    return [...this.sandboxes.values()]
      .filter((s) => (!filter?.id || s.id === filter.id) && (!filter?.state || s.state === filter.state))
      .filter((s) => matchLabels(s.labels, filter?.labelSelector))
      .map(clone);
  }

  async createContainer(sandboxId: string, config: ContainerConfig, _sandboxConfig: PodSandboxConfig): Promise<string> {
    this.calls.push({ method: 'createContainer', args: [sandboxId, clone(config)] });
    const sb = this.mustSandbox(sandboxId);
    if (sb.state !== 'ready') throw new ConflictError(`create container: pod sandbox ${sandboxId} is not ready`);
    this.throwIf('create');
    const id = `c${++this.seq}`;
    const status: ContainerStatus = {
      id,
      sandboxId,
      metadata: clone(config.metadata),
      state: 'created',
      createdAt: this.clock.now() + this.seq / 1000,
      startedAt: 0,
      finishedAt: 0,
      exitCode: 0,
      reason: '',
      message: '',
      image: config.image,
      imageRef: 'sha256:' + createHash('sha256').update(config.image).digest('hex'),
      labels: clone(config.labels),
      annotations: clone(config.annotations),
      logPath: `/logs/${config.logPath}`,
      pid: 0,
    };
    this.containers.set(id, status);
    this.configs.set(id, clone(config));
    this.emit('created', status);
    return id;
  }

  async startContainer(id: string): Promise<void> {
    this.calls.push({ method: 'startContainer', args: [id] });
    const c = this.mustContainer(id);
    if (c.state !== 'created') throw new ConflictError(`start container ${id}: container is ${c.state}`);
    const setupFailure = this.setupFailures.get(c.sandboxId);
    if (setupFailure !== undefined) {
      const s = this.mustSandbox(c.sandboxId);
      if (s.state === 'ready') {
        s.state = 'notready';
        s.pid = 0;
        const ev: ContainerEvent = { type: 'sandbox-exited', containerId: '', sandboxId: s.id, podUid: s.labels[LABEL_POD_UID] ?? '' };
        for (const l of [...this.listeners]) l(ev);
      }
      throw new SandboxStartError(setupFailure);
    }
    const msg = this.failures.start;
    if (msg !== undefined) {
      if (--this.startFailuresLeft <= 0) this.failures.start = undefined;
      c.state = 'exited';
      c.exitCode = 128;
      c.reason = 'StartError';
      c.message = msg;
      c.finishedAt = this.clock.now();
      this.emit('exited', c);
      throw new Error(msg);
    }
    c.state = 'running';
    c.startedAt = this.clock.now();
    c.pid = 2000 + this.seq;
    this.emit('started', c);
  }

  async stopContainer(id: string, timeoutSeconds: number): Promise<void> {
    this.calls.push({ method: 'stopContainer', args: [id, timeoutSeconds] });
    this.throwIf('stop');
    const c = this.containers.get(id);
    if (!c || c.state === 'exited') return;
    if (c.state === 'running' && this.ignoreStop.has(id)) {
      await this.clock.sleep(timeoutSeconds * 1000);
      if (c.state === 'running') this.finish(c, 137);
      return;
    }
    this.finish(c, c.state === 'running' ? 143 : 137);
  }

  async removeContainer(id: string): Promise<void> {
    this.calls.push({ method: 'removeContainer', args: [id] });
    const c = this.containers.get(id);
    if (!c) return;
    this.throwIf('remove');
    this.containers.delete(id);
    this.configs.delete(id);
    this.emit('removed', c);
  }

  async containerStatus(id: string): Promise<ContainerStatus> {
    return clone(this.mustContainer(id));
  }

  async listContainers(filter?: ContainerFilter): Promise<ContainerStatus[]> {
    return [...this.containers.values()]
      .filter((c) => (!filter?.id || c.id === filter.id) && (!filter?.sandboxId || c.sandboxId === filter.sandboxId))
      .filter((c) => (!filter?.state || c.state === filter.state) && matchLabels(c.labels, filter?.labelSelector))
      .map(clone);
  }

  async containerFsUsage(ids: string[]): Promise<Map<string, number>> {
    return new Map(ids.filter((id) => this.containers.has(id)).map((id) => [id, this.fsUsage.get(id) ?? 0]));
  }

  async execSync(id: string, cmd: string[], timeoutMs: number): Promise<ExecSyncResult> {
    this.calls.push({ method: 'execSync', args: [id, cmd] });
    const c = this.mustContainer(id);
    if (c.state !== 'running') throw new ConflictError(`exec in container ${id}: container is ${c.state}`);
    if (this.execHandler) return this.execHandler(id, cmd, timeoutMs);
    return { exitCode: 0, stdout: Buffer.alloc(0), stderr: Buffer.alloc(0) };
  }

  onContainerEvent(listener: (ev: ContainerEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  // ---- internals ----

  private finish(c: ContainerStatus, code: number, reason?: string): void {
    c.state = 'exited';
    c.exitCode = code;
    c.reason = reason ?? (code === 0 ? 'Completed' : 'Error');
    c.finishedAt = this.clock.now();
    c.pid = 0;
    this.emit('exited', c);
  }

  async execStream(id: string, req: ExecRequest, out: SessionOutput): Promise<StreamSession> {
    this.calls.push({ method: 'execStream', args: [id, req.cmd] });
    const c = this.mustContainer(id);
    if (c.state !== 'running') throw new ConflictError(`exec in container ${id}: container is ${c.state}`);
    const input: Buffer[] = [];
    let stdinClosed!: () => void;
    const eof = new Promise<void>((resolve) => (stdinClosed = resolve));
    if (!req.stdin) stdinClosed();
    let cancel!: () => void;
    const cancelled = new Promise<SessionEnd>((resolve) => (cancel = () => resolve({ exitCode: 137 })));
    const answered = eof.then(async (): Promise<SessionEnd> => {
      const stdin = Buffer.concat(input);
      const r = this.streamHandler
        ? await this.streamHandler(id, req, stdin)
        : await this.execSync(id, req.cmd, 0);
      if (r.stdout.length) out.output('stdout', r.stdout);
      if (r.stderr.length) out.output(req.tty ? 'stdout' : 'stderr', r.stderr);
      return { exitCode: r.exitCode };
    });
    return {
      writeStdin: async (data) => void input.push(Buffer.from(data)),
      closeStdin: () => stdinClosed(),
      resize: () => {},
      done: Promise.race([answered, cancelled]),
      cancel: () => cancel(),
    };
  }

  async attach(id: string, _req: AttachRequest, _out: SessionOutput): Promise<StreamSession> {
    this.calls.push({ method: 'attach', args: [id] });
    const c = this.mustContainer(id);
    if (c.state !== 'running') throw new ConflictError(`attach to container ${id}: container is ${c.state}`);
    let detach!: () => void;
    const detached = new Promise<SessionEnd>((resolve) => (detach = () => resolve({})));
    const exited = new Promise<SessionEnd>((resolve) => {
      const off = this.onContainerEvent((ev) => {
        if (ev.containerId === id && (ev.type === 'exited' || ev.type === 'removed')) {
          off();
          resolve({});
        }
      });
    });
    return { writeStdin: async () => {}, closeStdin: () => {}, resize: () => {}, done: Promise.race([exited, detached]), cancel: () => detach() };
  }

  async portForward(sandboxId: string, port: number): Promise<Duplex> {
    this.calls.push({ method: 'portForward', args: [sandboxId, port] });
    const sb = this.sandboxes.get(sandboxId);
    if (!sb) throw new NotFoundError(`sandbox ${sandboxId} not found`);
    if (!this.portHandler) throw new ConflictError(`failed to connect to localhost:${port}: connection refused`);
    return this.portHandler(sandboxId, port);
  }

  private emit(type: ContainerEvent['type'], c: ContainerStatus): void {
    const ev: ContainerEvent = { type, containerId: c.id, sandboxId: c.sandboxId, podUid: c.labels[LABEL_POD_UID] ?? '' };
    for (const l of [...this.listeners]) l(ev);
  }

  private throwIf(kind: 'sandbox' | 'create' | 'stop' | 'remove' | 'removeSandbox'): void {
    const msg = this.failures[kind];
    if (msg === undefined) return;
    this.failures[kind] = undefined;
    throw new Error(msg);
  }

  private mustSandbox(id: string): PodSandboxStatus {
    const s = this.sandboxes.get(id);
    if (!s) throw new NotFoundError(`sandbox "${id}" not found`);
    return s;
  }

  private mustContainer(id: string): ContainerStatus {
    const c = this.containers.get(id);
    if (!c) throw new NotFoundError(`container "${id}" not found`);
    return c;
  }
}
