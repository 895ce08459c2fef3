// The Runtime over runc + conmon + catatonit (node-runtime.md). One infra (pause) container per
// sandbox holds the pod's IPC/UTS/PID namespaces; the network namespace is a pinned file made by the
// PodNetwork. Every step is recorded (state.ts) before its side effect; containers outlive the daemon
// and init() re-adopts them (reconcile.ts).

import os from 'node:os';
import { randomBytes } from 'node:crypto';
import { access, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createTerminationLog, readTerminationLog } from './termination-log.js';
import path from 'node:path';
import type { Duplex } from 'node:stream';
import { ConflictError, NotFoundError, InternalError, SandboxStartError, TimeoutError, errorMessage, isNotFound } from '../errors.js';
import type { ImageService } from '../images/images.js';
import type { NodePaths } from '../node/paths.js';
import type { Clock } from '../system/clock.js';
import { HostExec, type Exec, type Launcher } from '../system/exec.js';
import { Limiter } from '../system/limiter.js';
import { readVirtualText } from '../system/virtual-file.js';
import type { Logger } from '../system/logger.js';
import type { NetworkAttachRequest, PodNetwork } from './network/network.js';
import {
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
import { PodCgroups } from './cgroups.js';
import { NamespacePins } from './ns-pins.js';
import { spawnConmon } from './conmon.js';
import { ConmonStreaming } from './streaming/conmon-streaming.js';
import type { AttachRequest, ExecRequest, SessionOutput, StreamSession } from './streaming/types.js';
import { ExitWatcher, readExitFile, type ExitInfo } from './exit-watcher.js';
import { buildAppSpec, capabilitiesFromMask } from './oci-spec.js';
import type { OciSpec } from './oci-types.js';
import { Runc } from './runc.js';
import { sandboxFilePaths, writeSandboxFiles } from './sandbox-files.js';
import { WarmPool, type PoolHost, type WarmPoolFigures } from './warm-pool.js';
import { RecordStore, type ContainerRecord, type SandboxRecord } from './state.js';
import { exitReason, processStartFailure, matchContainer, matchLabels, matchSandbox, resolveSignal, toContainerStatus, toSandboxStatus } from './status.js';
import { resolveUserInRootfs } from './user.js';
import { reconcile } from './reconcile.js';
import { startOrphanSweep } from './orphan-sweep.js';
import { execScratchDir } from './exec-scratch.js';
import { LivenessChecker } from './health.js';
import { processStartMs } from './health-facts.js';
import { PodRecords } from './pod-records.js';
import { hostSeccompFacts } from './seccomp/host.js';
import { SeccompProfiles, type ResolvedSeccomp } from './seccomp/profiles.js';
import { createSandboxResources, pinnedKinds, podName, removeConmonLeftovers, settleAll, teardownSandbox } from './sandbox-setup.js';

export const CATATONIT_PATH = '/usr/bin/catatonit';
const UNDO_TIMEOUT_MS = 60_000;
const KILL_WAIT_MS = 10_000;
/** runc says the process is gone: how long conmon may take to write the exit file anyway. */
const GONE_EXIT_WAIT_MS = 500;

export interface RuncRuntimeOptions {
  paths: NodePaths;
  exec: Exec;
  /** Starts conmon; default: from this process (the daemon passes its spawn helper). */
  launcher?: Launcher;
  clock: Clock;
  logger: Logger;
  images: ImageService;
  network: PodNetwork;
  catatonitPath?: string;
  /** Seccomp profile source; defaults to the RuntimeDefault file and this host's facts. */
  seccomp?: SeccompProfiles;
  /** How many sandbox runs and removals and container creates, starts and removals run at once. */
  parallelism?: number;
  /** pids.max of each pod cgroup (the kubelet's podPidsLimit); -1 or unset = no limit. */
  podPidsLimit?: number;
  /** Sandboxes kept ready for new pods (warm-pool.ts); 0 or unset = none. */
  warmPool?: number;
}

/**
 * Each of those calls starts programs (runc, conmon, CNI plugins) that keep a core busy for tens of ms.
 * Hundreds at once (a kubectl apply of 250 pods) only time-slice the cores: every pod becomes Running
 * late, memory peaks with hundreds of runc processes, and the daemon's own event loop queues behind
 * their continuations. A few per core keep the cores busy and the pipeline moving.
 */
export function defaultRuntimeParallelism(): number {
  return Math.max(2, os.availableParallelism() * 2);
}

export class RuncRuntime implements Runtime {
  readonly paths: NodePaths;
  readonly exec: Exec;
  readonly launcher: Launcher;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly images: ImageService;
  readonly network: PodNetwork;
  readonly runc: Runc;
  readonly cgroups: PodCgroups;
  /** The sandboxes' pinned IPC and UTS namespaces. */
  readonly pins: NamespacePins;
  readonly sandboxStore: RecordStore<SandboxRecord>;
  readonly containerStore: RecordStore<ContainerRecord>;
  readonly sandboxes = new PodRecords<SandboxRecord>();
  readonly containers = new PodRecords<ContainerRecord>();
  readonly catatonitPath: string;
  readonly seccomp: SeccompProfiles;
  private readonly listeners = new Set<(ev: ContainerEvent) => void>();
  private readonly exitWaiters = new Map<string, Set<() => void>>();
  private readonly exitHandling = new Map<string, Promise<void>>();
  /** Each container's process spec (config.json's), read once for its execs: probes exec every period. */
  private readonly execProcesses = new Map<string, OciSpec['process']>();
  private readonly watcher: ExitWatcher;
  private readonly heavy: Limiter;
  private readonly streaming: ConmonStreaming;
  /** Conmon, runc state, cgroup and netns of what runs, checked as the pod manager lists them (health.ts). */
  private readonly liveness = new LivenessChecker(this);
  /** Cancels the periodic sweep of unrecorded runc containers (orphan-sweep.ts), running after init(). */
  private stopOrphanSweep?: () => void;
  /** Sandboxes made ahead of pods (`serve --warm-pool`); absent when off. */
  private readonly pool?: WarmPool;

  constructor(opts: RuncRuntimeOptions) {
    this.paths = opts.paths;
    this.exec = opts.exec;
    this.launcher = opts.launcher ?? new HostExec();
    this.heavy = new Limiter(opts.parallelism ?? defaultRuntimeParallelism());
    this.clock = opts.clock;
    this.logger = opts.logger.child({ component: 'runtime' });
    this.images = opts.images;
    this.network = opts.network;
    this.catatonitPath = opts.catatonitPath ?? CATATONIT_PATH;
    this.seccomp = opts.seccomp ?? new SeccompProfiles({ host: hostSeccompFacts() });
    this.runc = new Runc({ exec: opts.exec, root: opts.paths.runcRoot });
    this.pins = new NamespacePins(opts.paths.nsDir, opts.exec);
    this.cgroups = new PodCgroups({ cgroupParent: opts.paths.cgroupParent, clock: opts.clock, logger: this.logger, podPidsLimit: opts.podPidsLimit });
    this.sandboxStore = new RecordStore(opts.paths.sandboxesDir);
    this.containerStore = new RecordStore(opts.paths.containersDir);
    if (opts.warmPool && opts.warmPool > 0) this.pool = new WarmPool(opts.warmPool, this.poolHost(), this.clock, opts.logger.child({ component: 'warm-pool' }));
    this.watcher = new ExitWatcher({
      exitsDir: opts.paths.exitsDir,
      clock: opts.clock,
      logger: this.logger,
      isWatched: (id) => this.isAlive(id),
      onExit: (id, info) => void this.handleExit(id, info),
    });
    this.streaming = new ConmonStreaming({
      runcRoot: this.paths.runcRoot,
      attachDir: this.paths.attachDir,
      runDir: this.paths.runDir,
      launcher: this.launcher,
      exec: this.exec,
      runningContainer: (id) => this.runningContainer(id),
      sandboxNetns: async (id) => {
        const sb = this.sandboxes.get(id);
        if (!sb) throw new NotFoundError(`sandbox ${id} not found`);
        if (sb.state !== 'ready') throw new ConflictError(`sandbox ${id} is not ready`);
        return sb.config.hostNetwork ? undefined : sb.netnsPath;
      },
    });
  }

  /**
   * Creates run dirs, restores records, re-adopts live containers, then GCs network and cgroups.
   * Every dir is the daemon's own (runc state, exit codes, attach links, bundles with the pods' env):
   * 0700 (node/private-state.ts).
   */
  async init(): Promise<void> {
    const p = this.paths;
    await Promise.all(
      [p.runDir, p.runcRoot, p.exitsDir, p.attachDir, p.containersDir, p.sandboxesDir].map((d) =>
        mkdir(d, { recursive: true, mode: 0o700 }),
      ),
    );
    await this.cgroups.init();
    await this.pins.prepareDir();
    this.hostCapabilities = await readBoundingCapabilities();
    this.watcher.start();
    await reconcile(this);
    this.stopOrphanSweep ??= startOrphanSweep(this);
    await this.network.gc(new Set(this.sandboxes.keys()));
    const pinsGone = await this.pins.gc((id) => this.sandboxes.has(id));
    if (pinsGone.length) this.logger.info({ files: pinsGone }, 'removed pinned namespaces of unknown sandboxes');
    await this.cgroups.gc(new Set([...this.sandboxes.values()].flatMap((s) => [s.config.metadata.uid, ...(s.poolUid ? [s.poolUid] : [])])));
    this.pool?.start();
  }

  /** Stops watching; containers keep running. */
  async close(): Promise<void> {
    // Pool sandboxes are nobody's: removed (within 30 s; any left, the next start removes).
    if (this.pool) await this.withinMs(this.pool.drain(), 30_000);
    // A sandbox whose infra container or network is being made is finished first (or given up on after
    // 30 s, to be judged by the next start: reconcile.ts), so a restart finds it whole.
    await this.settleSetups(30_000);
    this.watcher.close();
    this.stopOrphanSweep?.();
    this.stopOrphanSweep = undefined;
  }

  /** Removes node-level leftovers (the cgroup parent dirs) once no sandbox exists: tests, uninstall. */
  async teardownNode(): Promise<void> {
    if (this.sandboxes.size > 0) throw new ConflictError(`runtime teardown: ${this.sandboxes.size} sandboxes still exist`);
    await this.pins.removeDir();
    await this.cgroups.removeParent();
  }

  async version(): Promise<RuntimeVersion> {
    return { runtimeName: 'runc', runtimeVersion: await this.runc.version() };
  }

  onContainerEvent(listener: (ev: ContainerEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  // ---- sandboxes ----

  /**
   * Holds its slot of the heavy-call limit until the infra container and the network are made too, though
   * it returns the id as soon as containers can be created (issue 15): a burst is bounded as before.
   */
  runPodSandbox(config: PodSandboxConfig): Promise<string> {
    const pooled = this.pool?.take(config);
    if (pooled === undefined) return this.runFreshSandbox(config);
    return this.claimPooled(pooled, config).catch((err: unknown) => {
      this.logger.warn({ err: errorMessage(err), sandboxId: pooled }, 'claiming a warm pool sandbox failed; making a fresh one');
      return this.runFreshSandbox(config);
    });
  }

  private runFreshSandbox(config: PodSandboxConfig, opts: { pool?: boolean } = {}): Promise<string> {
    return new Promise<string>((resolve, reject) => {
      void this.heavy.run(async () => {
        let made: { id: string; rest: Promise<void> };
        try {
          made = await this.runPodSandboxNow(config, opts);
        } catch (err) {
          reject(err);
          return;
        }
        resolve(made.id);
        await made.rest.catch(() => undefined);
      });
    });
  }

  private async runPodSandboxNow(config: PodSandboxConfig, opts: { pool?: boolean }): Promise<{ id: string; rest: Promise<void> }> {
    const id = randomBytes(32).toString('hex');
    const rec: SandboxRecord = { id, config, state: 'creating', createdAt: this.clock.now(), ...(opts.pool ? { pool: true as const } : {}) };
    const files = sandboxFilePaths(this.paths.sandboxesDir, id, config.hostIPC);
    rec.netnsRequested = !config.hostNetwork;
    const pins = this.pins.pathsOf(id, pinnedKinds(config));
    if (pins.ipc) rec.ipcPath = pins.ipc;
    if (pins.uts) rec.utsPath = pins.uts;
    rec.cgroupCreated = true;
    rec.shmMounted = !config.hostIPC;
    this.sandboxes.set(id, rec);
    let rest: Promise<void> | undefined;
    try {
      await this.sandboxStore.save(rec);
      const setup = await createSandboxResources(this, rec, files);
      rest = setup.rest;
      rec.state = 'ready';
      // A restarted daemon that finds this still set knows the setup never finished (reconcile.ts).
      rec.setupPending = true;
      this.trackSetup(rec, setup.network, setup.rest);
      await this.sandboxStore.save(rec);
      return { id, rest: this.infraPending.get(id) ?? Promise.resolve() };
    } catch (err) {
      this.logger.warn({ err, sandboxId: id }, 'sandbox creation failed; undoing');
      // Never undo under the infra container or the attach still being made.
      await rest?.catch(() => undefined);
      await this.undoSandbox(rec);
      const msg = `run pod sandbox ${config.metadata.namespace}/${config.metadata.name}: ${errorMessage(err)}`;
      if (err instanceof TimeoutError) throw new TimeoutError(msg, { cause: err });
      throw new InternalError(msg, { cause: err });
    }
  }

  /**
   * The infra container and pod network of a sandbox that runPodSandbox returned while they were still
   * being made (createSandboxResources). Listed as ready meanwhile; if either fails, the sandbox becomes
   * not ready for good (setupFailed, kept in its record), the pod's worker is woken as when a pause
   * process dies, and none of its containers is created or started: each is told with a SandboxStartError.
   */
  private trackSetup(rec: SandboxRecord, network: Promise<void>, rest: Promise<void>): void {
    const m = rec.config.metadata;
    const failure = (err: unknown) => new SandboxStartError(`run pod sandbox ${m.namespace}/${m.name}: ${errorMessage(err)}`, { cause: err });
    const net = network.catch((err: unknown) => {
      throw failure(err);
    });
    net.catch(() => undefined);
    this.networkPending.set(rec.id, net);
    void net
      .finally(() => {
        if (this.networkPending.get(rec.id) === net) this.networkPending.delete(rec.id);
      })
      .catch(() => undefined);
    const p = rest.then(
      async () => {
        delete rec.setupPending;
        await this.sandboxStore.save(rec).catch((e) => this.logger.warn({ err: e, sandboxId: rec.id }, 'save sandbox failed'));
        // The pod's worker learns its IP now, not at the next resync (a pod stuck pulling would show none).
        if (this.sandboxes.get(rec.id) === rec && rec.state === 'ready') {
          this.publish({ type: 'sandbox-ready', containerId: '', sandboxId: rec.id, podUid: rec.config.metadata.uid });
        }
      },
      async (err: unknown) => {
        const e = failure(err);
        this.logger.warn({ err: errorMessage(err), sandboxId: rec.id }, 'sandbox setup failed; sandbox not ready');
        delete rec.setupPending;
        rec.setupFailed = e.message;
        if (this.sandboxes.get(rec.id) === rec && rec.state === 'ready') {
          rec.state = 'notready';
          // A pause that did start (the network failed) keeps its pid, so stopping the sandbox kills it.
          if (!rec.pausePid) rec.pausePid = 0;
          await this.sandboxStore.save(rec).catch(() => undefined);
          this.publish({ type: 'sandbox-exited', containerId: '', sandboxId: rec.id, podUid: rec.config.metadata.uid });
        } else {
          await this.sandboxStore.save(rec).catch(() => undefined);
        }
        throw e;
      },
    );
    const tracked = p.finally(() => {
      if (this.infraPending.get(rec.id) === tracked) this.infraPending.delete(rec.id);
    });
    tracked.catch(() => undefined);
    this.infraPending.set(rec.id, tracked);
  }

  /**
   * A warm pool sandbox made the pod's (warm-pool.ts): its record takes the pod's config (and is found by
   * the pod's uid), its pause joins the pod's cgroup at the pod's QoS level, and its hostname, resolv.conf and
   * /etc/hosts (with the IP it has) are the pod's, before any container of the pod exists. The infra
   * container, netns, IP, pins and shm stay as they are. On failure the sandbox is removed.
   */
  private async claimPooled(id: string, config: PodSandboxConfig): Promise<string> {
    const rec = this.sandboxes.get(id);
    const pid = rec?.pausePid;
    if (!rec?.pool || !pid || pid <= 1 || rec.state !== 'ready') throw new InternalError(`warm pool sandbox ${id} is not usable`);
    const t0 = this.clock.now();
    const from = { uid: rec.config.metadata.uid, ...(rec.config.qosLevel ? { qos: rec.config.qosLevel } : {}) };
    const to = { uid: config.metadata.uid, ...(config.qosLevel ? { qos: config.qosLevel } : {}) };
    try {
      // While the record is still the pool's (not listed, so no liveness check judges it half moved): the
      // pause, only if it is still the process the pool started, into the pod's cgroup; the pod's files.
      if ((await processStartMs(pid)) !== rec.pauseStartedAt) throw new InternalError(`the pause process of warm pool sandbox ${id} is gone`);
      const files = sandboxFilePaths(this.paths.sandboxesDir, id, config.hostIPC);
      await Promise.all([
        this.cgroups.create(to.uid, config.resources, to.qos).then(() => this.cgroups.movePid(pid, id, from, to)),
        writeSandboxFiles(files, config, rec.ip),
      ]);
      if (this.sandboxes.get(id) !== rec || rec.state !== 'ready' || rec.pausePid !== pid) throw new InternalError(`warm pool sandbox ${id} exited while it was claimed`);
      this.becomePods(rec, config);
      // The pod's newest sandbox is the one it claimed now, whenever the pool made it.
      rec.createdAt = t0;
      await this.sandboxStore.save(rec);
    } catch (err) {
      if (this.sandboxes.get(id) !== rec) throw err; // removed meanwhile: nothing left to undo
      // As the pod's, so the removal takes the pod's cgroup dirs made above too (unless another sandbox of it uses them).
      if (rec.pool) this.becomePods(rec, config);
      await this.heavy.run(() => this.undoSandbox(rec));
      throw err;
    }
    this.pool?.claimed();
    this.logger.debug({ sandboxId: id, podUid: to.uid, ms: this.clock.now() - t0 }, 'sandbox claimed from the warm pool');
    return id;
  }

  /** A pool sandbox's record made the pod's at once: its config, and its place in the index by pod uid. */
  private becomePods(rec: SandboxRecord, config: PodSandboxConfig): void {
    // Out of the index under the pool's uid first (the index keys on the config's).
    this.sandboxes.delete(rec.id);
    // Its first cgroup stays (empty) for runc's state, removed with the sandbox.
    rec.poolUid = rec.config.metadata.uid;
    delete rec.pool;
    rec.config = config;
    this.sandboxes.set(rec.id, rec);
  }

  /** The runtime as the warm pool sees it. */
  private poolHost(): PoolHost {
    return {
      make: async (config) => {
        const id = await this.runFreshSandbox(config, { pool: true });
        try {
          await this.infraStarted(id);
        } catch (err) {
          await this.removePodSandbox(id).catch(() => undefined);
          throw err;
        }
        return id;
      },
      usable: (id) => this.poolUsable(id),
      check: async (id) => {
        const rec = this.sandboxes.get(id);
        if (!rec?.pool) return false;
        // As the pod manager's listing checks a pod's: its exit file, then conmon, runc state, cgroup and netns.
        await this.refreshSandbox(rec);
        await this.liveness.sandbox(rec);
        return this.poolUsable(id);
      },
      discard: (id) => this.removePodSandbox(id),
      quietMs: () => this.heavy.idleMs(),
    };
  }

  private poolUsable(id: string): boolean {
    const rec = this.sandboxes.get(id);
    return !!rec?.pool && rec.state === 'ready' && !rec.setupPending && !rec.setupFailed && !!rec.pausePid && rec.pausePid > 1 && !!rec.ip;
  }

  /** The warm pool's figures (metrics); undefined when there is no pool. */
  warmPoolFigures(): WarmPoolFigures | undefined {
    return this.pool?.figures();
  }

  /** Sandboxes whose infra container or network is still being made, by id (trackSetup). */
  private readonly infraPending = new Map<string, Promise<void>>();
  /** Sandboxes whose network is still being attached, by id (trackSetup). */
  private readonly networkPending = new Map<string, Promise<void>>();

  async waitSandboxNetwork(id: string): Promise<void> {
    await this.networkPending.get(id);
    const rec = this.sandboxes.get(id);
    if (rec?.setupFailed && !rec.ip && !rec.config.hostNetwork) throw new SandboxStartError(rec.setupFailed);
  }

  /** Whether the sandbox's infra container is still being created (liveness checks wait for it). */
  infraInProgress(sandboxId: string): boolean {
    return this.infraPending.has(sandboxId);
  }

  /**
   * Resolves once the sandbox's set-up is done (at once for one that is): its infra container runs and its
   * network is attached; rejects (SandboxStartError) when it failed, now or before.
   */
  async infraStarted(sandboxId: string): Promise<void> {
    await this.infraPending.get(sandboxId);
    const failed = this.sandboxes.get(sandboxId)?.setupFailed;
    if (failed) throw new SandboxStartError(failed);
  }

  /** Waits for a promise, at most `ms` (it goes on after that, unwaited for). */
  private async withinMs(p: Promise<void>, ms: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([p.catch(() => undefined), new Promise((r) => (timer = setTimeout(r, ms)))]);
    clearTimeout(timer);
  }

  /** Waits (bounded) for setups still in flight, so a stopping daemon leaves none half made. */
  private async settleSetups(timeoutMs: number): Promise<void> {
    const pending = [...this.infraPending.values()].map((p) => p.catch(() => undefined));
    if (pending.length === 0) return;
    await this.withinMs(Promise.all(pending).then(() => undefined), timeoutMs);
  }

  /**
   * Undo of a failed runPodSandbox. When the undo fails too, the record becomes a listed 'notready'
   * sandbox (not a hidden 'creating' one), so the pod manager's removePodSandbox and GC retry it.
   */
  private async undoSandbox(rec: SandboxRecord): Promise<void> {
    try {
      await this.withTimeout(teardownSandbox(this, rec), UNDO_TIMEOUT_MS, `undo sandbox ${rec.id}`);
    } catch (e) {
      this.logger.error({ err: e, sandboxId: rec.id }, 'undo of failed sandbox incomplete; left not ready for removal');
      if (this.sandboxes.get(rec.id) !== rec) return; // the undo finished after all
      rec.state = 'notready';
      await this.sandboxStore.save(rec).catch((se) => this.logger.warn({ err: se, sandboxId: rec.id }, 'save sandbox failed'));
    }
  }

  attachRequest(rec: SandboxRecord): NetworkAttachRequest {
    const m = rec.config.metadata;
    return {
      sandboxId: rec.id,
      netnsPath: rec.netnsPath ?? '',
      podName: m.name,
      podNamespace: m.namespace,
      podUid: m.uid,
      portMappings: rec.config.portMappings,
    };
  }

  async stopPodSandbox(id: string): Promise<void> {
    const rec = this.sandboxes.get(id);
    if (!rec) return;
    await this.infraStarted(id).catch(() => undefined);
    const ctrs = [...this.containers.values()].filter((c) => c.sandboxId === id);
    await settleAll(ctrs.map((c) => this.stopContainer(c.id, 0)));
    await this.stopInfra(rec);
    if (rec.networkAttached) {
      await this.network.detach(this.attachRequest(rec));
      rec.networkAttached = false;
    }
    rec.state = 'notready';
    await this.sandboxStore.save(rec);
  }

  private async stopInfra(rec: SandboxRecord): Promise<void> {
    if (!rec.infraCreated || (await readExitFile(this.paths.exitsDir, rec.id))) return;
    // Its exit is recorded already (pausePid cleared), e.g. killed as lost with its conmon gone: no exit
    // file will ever come, so nothing to wait for.
    if (rec.state === 'notready' && rec.pausePid === 0) return;
    try {
      await this.runc.kill(rec.id, 'SIGKILL');
    } catch (e) {
      if (!isNotFound(e)) throw e;
    }
    await this.waitForExitFile(rec.id, KILL_WAIT_MS);
  }

  removePodSandbox(id: string): Promise<void> {
    return this.heavy.run(async () => {
      const rec = this.sandboxes.get(id);
      if (!rec) return;
      await this.infraStarted(id).catch(() => undefined);
      const ctrs = [...this.containers.values()].filter((c) => c.sandboxId === id);
      await settleAll(ctrs.map((c) => this.removeContainerNow(c.id)));
      await teardownSandbox(this, rec);
    });
  }

  /** Lets an id's exit be reported again (its record is gone). */
  forgetExit(id: string): void {
    this.watcher.forget(id);
    this.liveness.forget(id);
  }

  setBurstableCpuShares(shares: number): Promise<void> {
    return this.cgroups.setLevelShares('burstable', shares);
  }

  async podSandboxStatus(id: string): Promise<PodSandboxStatus> {
    const rec = this.sandboxes.get(id);
    if (!rec || rec.pool) throw new NotFoundError(`pod sandbox ${id} not found`);
    await this.refreshSandbox(rec);
    return toSandboxStatus(rec);
  }

  async listPodSandboxes(filter?: PodSandboxFilter): Promise<PodSandboxStatus[]> {
    // Only the candidates are refreshed (each reads its exit file): a pod's sync asks for its own
    // sandboxes, and refreshing every pod's would make each pass cost O(pods). State is matched after.
    const { state, id, labelSelector } = filter ?? {};
    const recs: SandboxRecord[] = [];
    for (const r of this.sandboxes.candidates(labelSelector)) {
      if (r.state !== 'creating' && !r.pool && (!id || r.id === id) && matchLabels(r.config.labels, labelSelector)) recs.push(r);
    }
    await Promise.all(recs.map((r) => this.refreshSandbox(r)));
    await Promise.all(recs.map((r) => this.liveness.sandbox(r)));
    return recs.map(toSandboxStatus).filter((s) => matchSandbox(s, { state }));
  }

  private async refreshSandbox(rec: SandboxRecord): Promise<void> {
    if (rec.state !== 'ready') return;
    const info = await readExitFile(this.paths.exitsDir, rec.id);
    if (info) await this.handleExit(rec.id, info);
  }

  // ---- containers ----

  async createContainer(sandboxId: string, config: ContainerConfig, sandboxConfig: PodSandboxConfig): Promise<string> {
    // With its namespaces pinned as files, a container is created while the infra container still is;
    // one that joins the infra's own PID namespace, or an older sandbox's namespaces, waits for it (outside
    // the heavy-call limit, which the sandbox's setup holds a slot of).
    const sb = this.sandboxes.get(sandboxId);
    if (sb && this.infraPending.has(sandboxId) && !joinsPinnedOnly(sb)) await this.infraPending.get(sandboxId)!.catch(() => undefined);
    return this.heavy.run(() => this.createContainerNow(sandboxId, config, sandboxConfig));
  }

  private async createContainerNow(sandboxId: string, config: ContainerConfig, sandboxConfig: PodSandboxConfig): Promise<string> {
    const sb = this.sandboxes.get(sandboxId);
    const what = `container "${config.metadata.name}" in sandbox ${sandboxId.slice(0, 12)}`;
    if (!sb) throw new NotFoundError(`create ${what}: pod sandbox not found`);
    if (sb.setupFailed) throw new SandboxStartError(sb.setupFailed);
    if (sb.state !== 'ready' || (!sb.pausePid && !this.infraPending.has(sandboxId))) throw new ConflictError(`create ${what}: pod sandbox is not ready`);
    const image = await this.images.imageStatus(config.image);
    if (!image) throw new NotFoundError(`create ${what}: image "${config.image}" not found`);
    // Before any side effect: a profile that cannot be read fails the create, never runs unconfined.
    let seccomp: ResolvedSeccomp | undefined;
    try {
      seccomp = await this.seccomp.resolve(config.security);
    } catch (err) {
      throw new InternalError(`create ${what}: setup seccomp: ${errorMessage(err)}`, { cause: err });
    }
    const id = randomBytes(32).toString('hex');
    const bundle = path.join(this.paths.containersDir, id);
    const rec: ContainerRecord = {
      id,
      sandboxId,
      podUid: sb.config.metadata.uid,
      config,
      imageId: image.id,
      state: 'creating',
      createdAt: this.clock.now(),
      startedAt: 0,
      finishedAt: 0,
      exitCode: 0,
      reason: '',
      message: '',
      logPath: path.resolve(sandboxConfig.logDirectory || sb.config.logDirectory, config.logPath),
      rootfsPrepared: true,
      pid: 0,
    };
    this.containers.set(id, rec);
    try {
      await this.containerStore.save(rec);
      const t0 = this.clock.now();
      const [rootfs] = await Promise.all([
        this.images.prepareRootfs(id, image.id),
        createTerminationLog(path.join(bundle, 'termination-log')),
      ]);
      const tRootfs = this.clock.now() - t0;
      const spec = await this.buildContainerSpec(rec, sb, rootfs.mergedDir, bundle, seccomp);
      // The process env, values from Secrets included: private like the bundle dir it is in.
      await writeFile(path.join(bundle, 'config.json'), JSON.stringify(spec), { mode: 0o600 });
      const started = await spawnConmon(this.launcher, {
        id,
        name: `k8s_${config.metadata.name}_${podName(sb.config)}_${config.metadata.attempt}`,
        bundle,
        logPath: rec.logPath,
        runcRoot: this.paths.runcRoot,
        exitsDir: this.paths.exitsDir,
        attachDir: this.paths.attachDir,
        terminal: config.tty,
        stdin: config.stdin,
        leaveStdinOpen: config.stdin && !config.stdinOnce,
        sleep: (ms, signal) => this.clock.sleep(ms, signal),
      });
      rec.pid = started.pid;
      rec.conmonPid = started.conmonPid;
      if (rec.state === 'creating') rec.state = 'created';
      await this.containerStore.save(rec);
      this.logger.debug({ containerId: id, rootfsMs: tRootfs, totalMs: this.clock.now() - t0 }, 'container created');
    } catch (err) {
      await this.withTimeout(this.teardownContainer(rec), UNDO_TIMEOUT_MS, `undo container ${id}`).catch((e) =>
        this.logger.error({ err: e, containerId: id }, 'undo of failed container incomplete'),
      );
      const startFailure = processStartFailure(errorMessage(err));
      if (startFailure) {
        // Nothing of it is left on the host; the record remains so that startContainer reports the failure.
        Object.assign(rec, { state: 'created', startError: startFailure, rootfsPrepared: false, pid: 0, conmonPid: undefined });
        this.containers.set(id, rec);
        await this.containerStore.save(rec);
        this.emit('created', rec);
        return id;
      }
      if (err instanceof NotFoundError || err instanceof ConflictError) throw err;
      if (err instanceof TimeoutError) throw new TimeoutError(`create ${what}: ${errorMessage(err)}`, { cause: err });
      throw new InternalError(`create ${what}: ${errorMessage(err)}`, { cause: err });
    }
    this.emit('created', rec);
    return id;
  }

  private async buildContainerSpec(
    rec: ContainerRecord,
    sb: SandboxRecord,
    rootfs: string,
    bundle: string,
    seccomp: ResolvedSeccomp | undefined,
  ): Promise<OciSpec> {
    const c = rec.config;
    const user = await resolveUserInRootfs(
      {
        runAsUser: c.security.runAsUser,
        runAsGroup: c.security.runAsGroup,
        imageUser: c.security.imageUser,
        supplementalGroups: c.security.supplementalGroups,
      },
      rootfs,
    );
    let targetPid: number | undefined;
    if (c.targetContainerId) {
      const t = this.containers.get(c.targetContainerId);
      if (!t || t.state !== 'running') throw new ConflictError(`target container ${c.targetContainerId} is not running`);
      targetPid = t.pid;
    }
    const files = sandboxFilePaths(this.paths.sandboxesDir, sb.id, sb.config.hostIPC);
    return buildAppSpec({
      containerId: rec.id,
      config: c,
      sandboxConfig: sb.config,
      rootfs,
      user,
      pausePid: sb.pausePid ?? 0,
      netnsPath: sb.netnsPath,
      ipcPath: sb.ipcPath,
      utsPath: sb.utsPath,
      targetPid,
      files: { ...files, terminationLog: path.join(bundle, 'termination-log') },
      cgroupParent: this.paths.cgroupParent,
      seccomp,
      hostCapabilities: this.hostCapabilities,
      hugepageSizes: this.cgroups.hugepageSizes,
    });
  }

  /** The daemon's bounding set, read once: privileged containers get these, not more. */
  private hostCapabilities?: string[];

  async startContainer(id: string): Promise<void> {
    // The infra container runs before any app container does: waited for outside the heavy-call limit.
    const sandboxId = this.containers.get(id)?.sandboxId;
    if (sandboxId) await this.infraPending.get(sandboxId)?.catch(() => undefined);
    return this.heavy.run(() => this.startContainerNow(id));
  }

  private async startContainerNow(id: string): Promise<void> {
    const rec = this.containers.get(id);
    if (!rec) throw new NotFoundError(`container ${id} not found`);
    if (rec.state !== 'created') throw new ConflictError(`start container ${id}: container is ${rec.state}`);
    // The infra container runs before any app container does.
    await this.infraStarted(rec.sandboxId);
    if (rec.startError) {
      Object.assign(rec, { state: 'exited', exitCode: 128, reason: 'StartError', message: rec.startError, finishedAt: this.clock.now() });
      await this.containerStore.save(rec);
      this.emit('exited', rec);
      throw new InternalError(`start container "${rec.config.metadata.name}" ${id.slice(0, 12)}: ${rec.startError}`);
    }
    rec.startedAt = this.clock.now();
    const what = `start container "${rec.config.metadata.name}" ${id.slice(0, 12)}`;
    try {
      await this.runc.start(id);
    } catch (err) {
      if (err instanceof TimeoutError) {
        // A hung start leaves the process in limbo: kill it, so conmon reports an exit and the pod moves on.
        await this.runc.delete(id, true).catch((e) => this.logger.warn({ err: e, containerId: id }, 'delete after start timeout failed'));
        throw new TimeoutError(`${what}: ${errorMessage(err)}`, { cause: err });
      }
      throw new InternalError(`${what}: ${errorMessage(err)}`, { cause: err });
    }
    // The exit watcher may already have recorded a quick exit; never move back from 'exited'.
    if (rec.state === 'created') rec.state = 'running';
    await this.containerStore.save(rec);
    this.emit('started', rec);
  }

  async stopContainer(id: string, timeoutSeconds: number): Promise<void> {
    const rec = this.containers.get(id);
    if (!rec) return;
    await this.refreshContainer(rec);
    if (rec.state === 'exited') return;
    let delivered = true;
    if (timeoutSeconds > 0) {
      delivered = await this.signal(rec, resolveSignal(rec.config.stopSignal));
      if (delivered && (await this.waitForExitFile(id, timeoutSeconds * 1000))) return;
    }
    if (delivered) delivered = await this.signal(rec, 'SIGKILL');
    // When runc says the process is already gone, conmon writes the exit file at once or never.
    const gone = !delivered && (await this.runcSaysGone(id));
    if (await this.waitForExitFile(id, gone ? GONE_EXIT_WAIT_MS : KILL_WAIT_MS)) return;
    // No exit file: the monitor is gone. Trust runc's view of the process.
    if (gone || (await this.runcSaysGone(id))) {
      await this.handleExit(id, { code: 255, at: this.clock.now() }, 'container monitor lost; exit code unknown');
      return;
    }
    throw new InternalError(`stop container ${id}: still running after SIGKILL`);
  }

  /** `runc state` says stopped, or knows no such container. */
  private async runcSaysGone(id: string): Promise<boolean> {
    try {
      return (await this.runc.state(id)).status === 'stopped';
    } catch (e) {
      if (isNotFound(e)) return true;
      throw e;
    }
  }

  /** Sends a signal; false when the container is already gone. */
  private async signal(rec: ContainerRecord, sig: string): Promise<boolean> {
    try {
      await this.runc.kill(rec.id, sig);
      return true;
    } catch (e) {
      if (isNotFound(e)) return false;
      throw e;
    }
  }

  removeContainer(id: string): Promise<void> {
    return this.heavy.run(() => this.removeContainerNow(id));
  }

  private async removeContainerNow(id: string): Promise<void> {
    const rec = this.containers.get(id);
    if (!rec) return;
    await this.refreshContainer(rec);
    if (rec.state === 'running' || rec.state === 'created') await this.stopContainer(id, 0).catch(() => undefined);
    await this.teardownContainer(rec);
    this.emit('removed', rec);
  }

  /** Idempotent: runc state, rootfs, bundle (the log file stays), exit file, record. */
  async teardownContainer(rec: ContainerRecord): Promise<void> {
    await this.runc.delete(rec.id, true);
    if (rec.rootfsPrepared) await this.images.releaseRootfs(rec.id);
    await removeConmonLeftovers(this, rec.id);
    await rm(path.join(this.paths.containersDir, rec.id), { recursive: true, force: true, maxRetries: 5 });
    this.containers.delete(rec.id);
    this.execProcesses.delete(rec.id);
    this.forgetExit(rec.id);
  }

  async containerStatus(id: string): Promise<ContainerStatus> {
    const rec = this.containers.get(id);
    if (!rec) throw new NotFoundError(`container ${id} not found`);
    await this.refreshContainer(rec);
    return toContainerStatus(rec, rec.imageId);
  }

  async listContainers(filter?: ContainerFilter): Promise<ContainerStatus[]> {
    // As for sandboxes: refresh (an exit file read each) only the candidates, then match the state.
    const { state, id, sandboxId, labelSelector } = filter ?? {};
    const recs: ContainerRecord[] = [];
    for (const r of this.containers.candidates(labelSelector)) {
      if (r.state === 'creating' || (id && r.id !== id) || (sandboxId && r.sandboxId !== sandboxId)) continue;
      if (matchLabels(r.config.labels, labelSelector)) recs.push(r);
    }
    await Promise.all(recs.map((r) => this.refreshContainer(r)));
    await Promise.all(recs.map((r) => this.liveness.container(r)));
    return recs.map((r) => toContainerStatus(r, r.imageId)).filter((s) => matchContainer(s, { state }));
  }

  containerFsUsage(ids: string[]): Promise<Map<string, number>> {
    return this.images.rootfsUsage(ids.filter((id) => this.containers.get(id)));
  }

  async execSync(id: string, cmd: string[], timeoutMs: number): Promise<ExecSyncResult> {
    if (cmd.length === 0) throw new ConflictError(`exec in container ${id}: empty command`);
    const { process: base } = await this.runningContainer(id);
    const proc = { ...base, args: cmd, terminal: false };
    // Its files on the run dir's tmpfs: probes keep running when the data disk is full.
    const r = await this.runc.execProcess(id, execScratchDir(this.paths.runDir), randomBytes(6).toString('hex'), proc, timeoutMs);
    return { exitCode: r.exitCode, stdout: Buffer.from(r.stdout), stderr: Buffer.from(r.stderr) };
  }

  /** A running container's bundle, process spec (read once: probes exec every period) and stdio settings. */
  private async runningContainer(id: string): Promise<{ bundle: string; process: OciSpec['process']; stdin: boolean; tty: boolean }> {
    const rec = this.containers.get(id);
    if (!rec) throw new NotFoundError(`container ${id} not found`);
    await this.refreshContainer(rec);
    if (rec.state !== 'running') throw new ConflictError(`exec in container ${id}: container is ${rec.state}`);
    const bundle = path.join(this.paths.containersDir, id);
    let base = this.execProcesses.get(id);
    if (!base) {
      base = (JSON.parse(await readFile(path.join(bundle, 'config.json'), 'utf8')) as OciSpec).process;
      this.execProcesses.set(id, base);
    }
    return { bundle, process: base, stdin: rec.config.stdin, tty: rec.config.tty };
  }

  // ---- streaming (exec, attach, port-forward) ----

  execStream(id: string, req: ExecRequest, out: SessionOutput): Promise<StreamSession> {
    return this.streaming.execStream(id, req, out);
  }

  attach(id: string, req: AttachRequest, out: SessionOutput): Promise<StreamSession> {
    return this.streaming.attach(id, req, out);
  }

  portForward(sandboxId: string, port: number): Promise<Duplex> {
    return this.streaming.portForward(sandboxId, port);
  }

  // ---- exits ----

  /** Whether the exit watcher should look at this id (a container or infra thought alive). */
  isAlive(id: string): boolean {
    const c = this.containers.get(id);
    if (c) return c.state === 'created' || c.state === 'running' || c.state === 'creating';
    const s = this.sandboxes.get(id);
    return !!s && s.state !== 'notready' && !!s.infraCreated;
  }

  async refreshContainer(rec: ContainerRecord): Promise<void> {
    // An exit being recorded shows 'exited' before it is saved and announced: wait for the whole of
    // it, so a status that reads exited comes after the 'exited' event.
    const inflight = this.exitHandling.get(rec.id);
    if (inflight) await inflight;
    if (rec.state !== 'created' && rec.state !== 'running') return;
    const info = await readExitFile(this.paths.exitsDir, rec.id);
    if (info) await this.handleExit(rec.id, info);
  }

  /**
   * Records an exit (once), emits 'exited' and wakes waiters. Concurrent callers (watcher, status
   * refresh, stop) share the one in-flight handling, so nobody sees a half-recorded exit.
   */
  handleExit(id: string, info: ExitInfo, message?: string): Promise<void> {
    const inflight = this.exitHandling.get(id);
    if (inflight) return inflight;
    const p = this.recordExit(id, info, message).finally(() => this.exitHandling.delete(id));
    this.exitHandling.set(id, p);
    return p;
  }

  private async recordExit(id: string, info: ExitInfo, message?: string): Promise<void> {
    const c = this.containers.get(id);
    if (c) {
      if (c.state === 'exited') return;
      const bundle = path.join(this.paths.containersDir, id);
      const [oom, term] = await Promise.all([
        exists(path.join(bundle, 'oom')).then(async (a) => a || exists(path.join(bundle, 'persist', 'oom'))),
        readTerminationLog(path.join(bundle, 'termination-log')),
      ]);
      // Removed meanwhile (saving would bring its record back), or its exit recorded by another path.
      const now = this.containers.get(id);
      if (now !== c || now.state === 'exited') return;
      // Every field at once (no await in between): a reader sees the whole exit or none of it.
      Object.assign(c, {
        state: 'exited',
        exitCode: info.code,
        finishedAt: info.at,
        pid: 0,
        reason: exitReason(info.code, oom),
        message: message ?? term,
      } satisfies Partial<ContainerRecord>);
      await this.containerStore.save(c).catch((e) => this.logger.warn({ err: e, containerId: id }, 'save exit failed'));
      this.logger.debug({ containerId: id, exitCode: info.code, reason: c.reason }, 'container exited');
      this.emit('exited', c);
    } else {
      const s = this.sandboxes.get(id);
      if (s && s.state === 'ready') {
        s.state = 'notready';
        s.pausePid = 0;
        this.logger.info({ sandboxId: id, exitCode: info.code }, 'infra container exited; sandbox not ready');
        await this.sandboxStore.save(s).catch(() => undefined);
        // Wakes the pod's worker (also after a deliberate stopPodSandbox: a harmless extra sync).
        this.publish({ type: 'sandbox-exited', containerId: '', sandboxId: id, podUid: s.config.metadata.uid });
      }
    }
    const waiters = this.exitWaiters.get(id);
    this.exitWaiters.delete(id);
    for (const w of waiters ?? []) w();
  }

  /** Resolves true once the exit file exists (and is handled), false after timeoutMs. */
  async waitForExitFile(id: string, timeoutMs: number): Promise<boolean> {
    const check = async () => {
      const info = await readExitFile(this.paths.exitsDir, id);
      if (info) await this.handleExit(id, info);
      return !!info;
    };
    if (await check()) return true;
    const ac = new AbortController();
    let wokeFired = false;
    const woke = new Promise<void>((resolve) => {
      let set = this.exitWaiters.get(id);
      if (!set) this.exitWaiters.set(id, (set = new Set()));
      set.add(resolve);
      ac.signal.addEventListener('abort', () => {
        set?.delete(resolve);
        resolve();
      });
    });
    // The watcher wakes us; a short re-check loop covers a missed inotify event.
    const deadline = this.clock.now() + timeoutMs;
    try {
      while (this.clock.now() < deadline) {
        const slice = Math.min(250, Math.max(1, deadline - this.clock.now()));
        const nap = this.clock.sleep(slice, ac.signal).catch(() => undefined);
        await (wokeFired ? nap : Promise.race([woke.then(() => void (wokeFired = true)), nap]));
        if (await check()) return true;
      }
      return false;
    } finally {
      ac.abort();
    }
  }

  private emit(type: 'created' | 'started' | 'exited' | 'removed', rec: ContainerRecord): void {
    this.publish({ type, containerId: rec.id, sandboxId: rec.sandboxId, podUid: rec.podUid });
  }

  private publish(ev: ContainerEvent): void {
    for (const l of this.listeners) {
      try {
        l(ev);
      } catch (e) {
        this.logger.warn({ err: e }, 'container event listener failed');
      }
    }
  }

  private async withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
    const ac = new AbortController();
    try {
      return await Promise.race([
        p,
        this.clock.sleep(ms, ac.signal).then(() => {
          throw new InternalError(`${what}: timed out after ${ms}ms`);
        }),
      ]);
    } finally {
      ac.abort();
    }
  }
}


async function exists(p: string): Promise<boolean> {
  try {
    await access(p);
    return true;
  } catch {
    return false;
  }
}

/** CapBnd of this process; every known capability when /proc cannot tell. */
async function readBoundingCapabilities(): Promise<string[] | undefined> {
  try {
    const m = /^CapBnd:\s*([0-9a-f]+)$/m.exec(await readVirtualText('/proc/self/status'));
    return m ? capabilitiesFromMask(m[1]) : undefined;
  } catch {
    return undefined;
  }
}

/** Whether an app container of the sandbox joins only namespaces pinned as files (not the pause's by pid). */
function joinsPinnedOnly(sb: SandboxRecord): boolean {
  const c = sb.config;
  if (!c.hostPID && c.shareProcessNamespace) return false;
  if (!c.hostIPC && !sb.ipcPath) return false;
  if (!c.hostNetwork && (!sb.utsPath || !sb.netnsPath)) return false;
  return true;
}
