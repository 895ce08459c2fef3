// Executes one plan (actions.ts) against the Runtime, ImageService and VolumeManager, in a fixed order,
// and records one result per step. It decides nothing: a failed step is recorded (and, for starts,
// cached as the container's waiting reason) and the next sync pass corrects drift.
//
// Order:
//   1. kill the pod: DeadlineExceeded / SandboxChanged event if it is being recreated; kill alive containers in parallel
//      (killContainer: preStop, then the stop signal within the grace, kill.ts); stop sandboxes
//   2. kill single containers (definition changed, liveness or startup probe failed), in parallel
//   3. create the sandbox (purging init records when it replaces an old one)
//   4. set up volumes (only when something is to be started)
//   5. start init containers (the next one, sidecars), then regular containers, in spec order; an init
//      container that did not start stops the rest (a sidecar does not). Per container:
//      crash-loop back-off → kill a created/unknown instance → image → config → create → start → postStart
//      (a failed postStart kills the container: FailedPostStartHook, waiting reason PostStartHookError).
//      A container whose kill failed in this pass is not started (two copies must never run).
//   6. garbage-collect dead instances, keeping the newest dead one per container name
//
// A pass runs on the pod as it was when the pass began, so the worker hands it a PassControl:
// - aborted(): the pod has since been deleted or removed. Checked before creating the sandbox, setting
//   up volumes and each step of a container start: a deleted pod never gets anything new. `deleted`
//   fires at the same moment and ends a wait on an image pull (the pull goes on in the background;
//   it makes no runtime object, so nothing leaks — unlike runPodSandbox, which is always awaited).
// - interrupt: fired when a newer delete shortens the grace. Stop waits are abandoned (the runtime's stop
//   keeps going in the background) and the pass ends at once; the next pass stops again with the newer grace.

import { ContainerConfigError, SandboxStartError, errorMessage } from '../errors.js';
import type { ImageService } from '../images/images.js';
import type { EventSink } from '../k8s/events.js';
import type { Container, Pod } from '../k8s/types.js';
import type { QosClass } from '../k8s/qos.js';
import type { NodePaths } from '../node/paths.js';
import {
  LABEL_POD_UID,
  type DNSConfig,
  type PodSandboxConfig,
  type Runtime,
} from '../runtime/runtime.js';
import type { Logger } from '../system/logger.js';
import { VolumeEventError, type ContainerMountsFn, type MountedVolume, type VolumeManager } from '../volumes/volumes.js';
import type { Clock } from '../system/clock.js';
import type { ContainerKill, ContainerStart, KillPod, PodActions } from './actions.js';
import type { HookRunner } from './hooks.js';
import { killContainer, unlessSignalled, type KillCause } from './kill.js';
import { backoffNext, formatDelay, type BackoffState } from './backoff.js';
import { resolveEnv, type ObjectLookup } from './env.js';
import { ensureImage } from './image-pull.js';
import type { PullCredentials } from './pull-credentials.js';
import { missingClusterDnsMessage, sandboxConfigOf, wantsClusterDns } from './sandbox-config.js';
import { DEADLINE_MESSAGE, groupByName, newestRecord, podDescription, podIPOf, podReference, type ObservedPod } from './spec.js';
import type { ResolvedImage, StartError } from './status.js';
import { containerConfigOf } from './translate.js';
import { removePodLogs } from './pod-logs.js';
import type { ImagePullRecorder, PodLifecycleRecorder } from '../metrics/recorder.js';

export interface SyncDeps {
  runtime: Runtime;
  images: ImageService;
  volumes: VolumeManager;
  containerMounts: ContainerMountsFn;
  events: EventSink;
  hooks: HookRunner;
  clock: Clock;
  now: () => number;
  logger: Logger;
  paths: NodePaths;
  nodeIP: string;
  hostDns: DNSConfig;
  lookup: ObjectLookup;
  nodeCpuMilli: number;
  nodeMemoryBytes: number;
  qosOf: (pod: Pod) => QosClass;
  /** The crash-loop back-off ceiling (`serve --max-backoff`; default 300 s). */
  backoffMaxMs?: number;
  /** RuntimeDefault seccomp for containers that name no profile (`serve --seccomp-default`). */
  seccompDefault?: boolean;
  /** Registry credentials to try for a container's image: the pod's imagePullSecrets, then the node's. */
  pullCredentials?: (pod: Pod, image: string) => Promise<PullCredentials>;
  /** Pod starts, container restarts and image pulls, for /metrics. */
  metrics?: PodLifecycleRecorder & ImagePullRecorder;
}

/** Per-pod memory the worker keeps between passes. */
export interface PodSyncState {
  backoff: BackoffState;
  /** Cached start errors by container name (the kubelet's reasonCache). */
  startErrors: Map<string, StartError>;
  /** Resolved images by spec image string. */
  images: Map<string, ResolvedImage>;
  /** Termination messages read from logs (FallbackToLogsOnError), by record id. */
  logMessages: Map<string, string>;
  /** The last image pull error by pull back-off key (for the ImagePullBackOff message). */
  pullErrors?: Map<string, string>;
  /** When the pod's volumes were last set up, and for which labels and annotations (refreshVolumes). */
  volumesAt?: number;
  volumesMeta?: string;
  /** The volumes of the finished pod are released (passes.ts); set again by nothing: a finished pod stays finished. */
  volumesReleased?: boolean;
}

export type StepKind =
  | 'KillPod'
  | 'KillContainer'
  | 'CreatePodSandbox'
  | 'SetUpVolumes'
  | 'StartContainer'
  | 'GarbageCollect';

export interface StepResult {
  step: StepKind;
  /** Container name, sandbox id or pod name. */
  target: string;
  ok: boolean;
  reason?: string;
  message?: string;
  /** For a start blocked by back-off: when it may be retried (unix ms); the worker wakes then. */
  retryAt?: number;
}

export function newPodSyncState(): PodSyncState {
  return { backoff: new Map(), startErrors: new Map(), images: new Map(), logMessages: new Map(), pullErrors: new Map() };
}

/** Reads this pod's sandboxes (newest first) and container records (by name, newest first). */
export async function observePod(runtime: Runtime, uid: string): Promise<ObservedPod> {
  const sel = { labelSelector: { [LABEL_POD_UID]: uid } };
  const [sandboxes, containers] = await Promise.all([runtime.listPodSandboxes(sel), runtime.listContainers(sel)]);
  sandboxes.sort((a, b) => b.createdAt - a.createdAt || b.metadata.attempt - a.metadata.attempt);
  return { sandboxes, containers: groupByName(containers) };
}

/** How the worker steers a pass in flight (see the header). */
export interface PassControl {
  aborted: () => boolean;
  deleted?: AbortSignal;
  interrupt?: AbortSignal;
}

/** Runs one sync pass's plan. */
export class PodSync {
  constructor(
    private readonly deps: SyncDeps,
    private readonly pod: Pod,
    private readonly observed: ObservedPod,
    private readonly state: PodSyncState,
    private readonly control: PassControl = { aborted: () => false },
  ) {}

  private readonly results: StepResult[] = [];
  /** Containers (by name) whose kill failed in this pass: they are not started again in it. */
  private readonly killFailed = new Set<string>();

  private aborted(): boolean {
    return this.interrupted() || this.control.aborted();
  }

  private interrupted(): boolean {
    return !!this.control.interrupt?.aborted;
  }

  private emit(type: 'Normal' | 'Warning', reason: string, message: string, container?: string): void {
    const held = container === undefined ? undefined : this.heldEvents.get(container);
    if (held) held.push(() => this.emit(type, reason, message, container));
    else this.deps.events.record(podReference(this.pod, container), type, reason, message);
  }

  /** Events of containers being created ahead of their turn (startTogether), by container name. */
  private readonly heldEvents = new Map<string, (() => void)[]>();

  private releaseEvents(name: string): void {
    const held = this.heldEvents.get(name);
    this.heldEvents.delete(name);
    for (const e of held ?? []) e();
  }

  /** Set while startTogether's creates may be in flight: a failed sandbox is removed only after them. */
  private creatingTogether = false;

  private record(r: StepResult): void {
    this.results.push(r);
    if (!r.ok) this.deps.logger.debug({ pod: this.pod.metadata.name, ...r }, 'sync step failed');
  }

  async run(plan: PodActions): Promise<StepResult[]> {
    if (plan.createSandbox?.changed) {
      this.emit('Normal', 'SandboxChanged', 'Pod sandbox changed, it will be killed and re-created.');
    }
    if (plan.killPod?.reason === 'deadline') this.emit('Normal', 'DeadlineExceeded', DEADLINE_MESSAGE);
    if (plan.killPod) await this.killPod(plan.killPod);
    if (plan.containersToKill.length) await Promise.all(plan.containersToKill.map((k) => this.killOne(k, 'KillContainer')));
    if (this.interrupted()) return this.results;
    let sandbox: { id: string; config: PodSandboxConfig } | undefined;
    if (plan.createSandbox) {
      if (this.aborted()) return this.results;
      sandbox = await this.createSandbox(plan.createSandbox.attempt, plan.createSandbox.changed);
      if (!sandbox) return this.results;
    } else {
      const sb = this.observed.sandboxes[0];
      if (sb?.state === 'ready') sandbox = { id: sb.id, config: this.sandboxConfig(sb.metadata.attempt) };
    }
    const starts = [...plan.ephemeralContainersToStart, ...plan.initContainersToStart, ...plan.containersToStart];
    if (starts.length && sandbox && !this.aborted()) {
      const volumes = await this.setUpVolumes();
      const list = volumes ? starts : [];
      for (let i = 0; i < list.length; ) {
        if (this.aborted() || this.sandboxBroken) break;
        const s = list[i]!;
        if (s.kind === 'regular') {
          const batch = regularBatch(list, i);
          await this.startTogether(batch, sandbox, volumes!);
          i += batch.length;
          continue;
        }
        // An init container that did not start holds back what follows it (a sidecar does not).
        await this.startOne(s, sandbox, volumes!);
        const started = this.results.some((r) => r.step === 'StartContainer' && r.target === s.name && r.ok);
        if (!started && s.kind === 'init') break;
        i++;
      }
    }
    await this.garbageCollect();
    return this.results;
  }

  private sandboxConfig(attempt: number): PodSandboxConfig {
    return sandboxConfigOf(this.pod, attempt, this.deps.paths, this.deps.hostDns);
  }

  private podIP(): string {
    return podIPOf(this.pod, this.observed, this.deps.nodeIP);
  }

  private specOf(name: string) {
    return [...(this.pod.spec.initContainers ?? []), ...this.pod.spec.containers, ...(this.pod.spec.ephemeralContainers ?? [])].find((c) => c.name === name);
  }

  /** Kills one container through killContainer; an interrupted wait records nothing (the next pass kills again). */
  private async killOne(k: Pick<ContainerKill, 'id' | 'name' | 'message' | 'running'> & { cause?: KillCause; turn?: Promise<unknown> }, step: StepKind): Promise<boolean> {
    if (this.interrupted()) return false;
    const { runtime, hooks, clock } = this.deps;
    const event = (type: 'Normal' | 'Warning', reason: string, message: string, container: string) => this.emit(type, reason, message, container);
    try {
      const target = { id: k.id, name: k.name, container: this.specOf(k.name), running: k.running };
      const opts = { message: k.message, podIP: this.podIP(), signal: this.control.interrupt, ...(k.cause ? { cause: k.cause } : {}), ...(k.turn ? { turn: k.turn } : {}) };
      if ((await killContainer({ runtime, hooks, clock, event }, this.pod, target, opts)) === 'interrupted') return false;
      this.record({ step, target: k.name, ok: true });
      return true;
    } catch (err) {
      this.killFailed.add(k.name);
      this.record({ step, target: k.name, ok: false, reason: 'KillContainerError', message: errorMessage(err) });
      return false;
    }
  }

  private async killPod(kill: KillPod): Promise<void> {
    // With sidecars, each sidecar waits for the regular containers and the sidecars after it (kill.ts).
    const sidecarAt = new Map<string, number>();
    (this.pod.spec.initContainers ?? []).forEach((c, i) => c.restartPolicy === 'Always' && sidecarAt.set(c.name, i));
    const done = new Map<string, { promise: Promise<void>; resolve: () => void }>();
    for (const c of kill.containers) {
      let resolve!: () => void;
      const promise = new Promise<void>((r) => (resolve = r));
      done.set(c.id, { promise, resolve });
    }
    const turnOf = (name: string): Promise<unknown> | undefined => {
      const at = sidecarAt.get(name);
      if (at === undefined) return undefined;
      const before = kill.containers.filter((o) => o.name !== name && (sidecarAt.get(o.name) ?? Infinity) > at);
      return Promise.all(before.map((o) => done.get(o.id)!.promise));
    };
    await Promise.all(
      kill.containers.map((c) => {
        const turn = turnOf(c.name);
        return this.killOne({ ...c, message: c.message ?? `Stopping container ${c.name}`, ...(turn ? { turn } : {}) }, 'KillPod').finally(() => done.get(c.id)!.resolve());
      }),
    );
    for (const id of kill.sandboxIds) {
      // Stopping the sandbox SIGKILLs what is left: not while a shorter grace is being applied.
      if (this.interrupted()) return;
      try {
        await this.deps.runtime.stopPodSandbox(id);
        this.record({ step: 'KillPod', target: id, ok: true });
      } catch (err) {
        this.record({ step: 'KillPod', target: id, ok: false, reason: 'KillPodSandboxError', message: errorMessage(err) });
      }
    }
  }

  private async createSandbox(attempt: number, changed: boolean): Promise<{ id: string; config: PodSandboxConfig } | undefined> {
    const { runtime } = this.deps;
    if (changed) {
      // Old sandboxes are stopped (their network torn down; idempotent), and a new sandbox re-runs
      // the init containers: purge their records (§4 re-run).
      for (const sb of this.observed.sandboxes) await runtime.stopPodSandbox(sb.id).catch(() => undefined);
      for (const c of this.pod.spec.initContainers ?? []) {
        for (const r of this.observed.containers.get(c.name) ?? []) await runtime.removeContainer(r.id);
      }
    }
    const config = this.sandboxConfig(attempt);
    if (wantsClusterDns(this.pod)) this.emit('Warning', 'MissingClusterDNS', missingClusterDnsMessage(this.pod));
    try {
      const id = await runtime.runPodSandbox(config);
      this.record({ step: 'CreatePodSandbox', target: id, ok: true });
      return { id, config };
    } catch (err) {
      const message = `Failed to create pod sandbox: ${errorMessage(err)}`;
      this.emit('Warning', 'FailedCreatePodSandBox', message);
      this.record({ step: 'CreatePodSandbox', target: this.pod.metadata.name ?? '', ok: false, reason: 'CreatePodSandboxError', message });
      return undefined;
    }
  }

  private async setUpVolumes(): Promise<Map<string, MountedVolume> | undefined> {
    try {
      const v = await this.deps.volumes.setUpPodVolumes(this.pod);
      noteVolumesSetUp(this.state, this.pod, this.deps.now());
      this.record({ step: 'SetUpVolumes', target: this.pod.metadata.name ?? '', ok: true });
      return v;
    } catch (err) {
      // A claim not ready yet (or a PV that cannot be mounted) has the kubelet's own whole text.
      const message = err instanceof VolumeEventError ? err.message : `MountVolume.SetUp failed ${errorMessage(err)}`;
      this.emit('Warning', 'FailedMount', message);
      this.record({ step: 'SetUpVolumes', target: this.pod.metadata.name ?? '', ok: false, reason: 'FailedMount', message });
      return undefined;
    }
  }

  private startFailed(name: string, reason: string, message: string, opts: { event?: boolean; retryAt?: number } = {}): void {
    if (opts.event !== false) this.emit('Warning', 'Failed', `Error: ${message}`, name);
    this.state.startErrors.set(name, { reason, message });
    const retry = opts.retryAt !== undefined ? { retryAt: opts.retryAt } : {};
    this.record({ step: 'StartContainer', target: name, ok: false, reason, message, ...retry });
  }

  private async startOne(s: ContainerStart, sandbox: { id: string; config: PodSandboxConfig }, volumes: Map<string, MountedVolume>): Promise<void> {
    const made = await this.createOne(s, sandbox, volumes);
    if (made) await this.runCreated(s, made, sandbox);
  }

  /**
   * A batch of regular containers (regularBatch): created at once, each started in spec order as the
   * kubelet starts them, once it is created and the one before it has started (and its postStart hook,
   * which only the last of a batch can have, has run). The events of a container created ahead of its
   * turn are held until its turn, so they read in the kubelet's order. A start that fails does not hold
   * back the next one (as on the kubelet); a deleted pod or a failed sandbox ends the batch.
   */
  private async startTogether(batch: ContainerStart[], sandbox: { id: string; config: PodSandboxConfig }, volumes: Map<string, MountedVolume>): Promise<void> {
    if (batch.length === 1) return this.startOne(batch[0]!, sandbox, volumes);
    for (const s of batch.slice(1)) this.heldEvents.set(s.name, []);
    this.creatingTogether = true;
    const made = batch.map((s) => this.createOne(s, sandbox, volumes));
    // Handled where each is awaited in turn; one failing before its turn is no unhandled rejection meanwhile.
    for (const p of made) p.catch(() => undefined);
    try {
      for (let k = 0; k < batch.length; k++) {
        this.releaseEvents(batch[k]!.name);
        const id = await made[k];
        if (this.aborted() || this.sandboxBroken) break;
        if (id) await this.runCreated(batch[k]!, id, sandbox);
      }
    } finally {
      for (const s of batch) this.releaseEvents(s.name);
      await Promise.allSettled(made);
      this.creatingTogether = false;
      const failed = this.removeWhenCreated;
      this.removeWhenCreated = undefined;
      if (failed) await this.removeFailedSandbox(failed);
    }
  }

  /** A container's start up to its create (back-off, kill first, image, config, create): its id, or undefined when it went no further. */
  private async createOne(s: ContainerStart, sandbox: { id: string; config: PodSandboxConfig }, volumes: Map<string, MountedVolume>): Promise<string | undefined> {
    const { deps, pod, state } = this;
    const c = s.container;
    if (s.blockedUntil) {
      this.emit('Warning', 'BackOff', `Back-off restarting failed container ${c.name} in pod ${podDescription(pod)}`, c.name);
      const message = `back-off ${formatDelay(s.blockedUntil.delayMs)} restarting failed container=${c.name} pod=${podDescription(pod)}`;
      this.startFailed(c.name, 'CrashLoopBackOff', message, { event: false, retryAt: s.blockedUntil.until });
      return undefined;
    }
    if (this.killFailed.has(c.name)) return;
    if (s.killFirst) {
      const message = `Container is in "${s.killFirst.state}" state, try killing it before launching new one`;
      if (!(await this.killOne({ id: s.killFirst.id, name: c.name, message, running: false }, 'KillContainer'))) return;
    }
    if (s.isRestart && s.lastFinishedAt !== undefined) {
      // As the kubelet: lastUpdate is the restart time; expiry is judged by the exit's finishedAt.
      state.backoff.set(s.backoffKey, backoffNext(state.backoff.get(s.backoffKey), deps.now(), s.lastFinishedAt, deps.backoffMaxMs));
    }
    const emit = (type: 'Normal' | 'Warning', reason: string, message: string) => this.emit(type, reason, message, c.name);
    const creds = await deps.pullCredentials?.(pod, c.image ?? '');
    if (creds?.missingSecrets.length) {
      this.emit('Warning', 'FailedToRetrieveImagePullSecret', `Unable to retrieve some image pull secrets (${creds.missingSecrets.join(', ')}); attempting to pull the image may not succeed.`);
    }
    const pulled = await unlessSignalled(
      ensureImage({
        images: deps.images,
        container: c,
        podUid: pod.metadata.uid ?? '',
        backoff: state.backoff,
        now: deps.now,
        emit,
        credentials: creds?.credentials ?? [],
        pullErrors: (state.pullErrors ??= new Map()),
        ...(deps.metrics ? { metrics: deps.metrics } : {}),
        ...(this.control.deleted ? { signal: this.control.deleted } : {}),
      }),
      this.control.deleted,
    );
    if (!pulled) return;
    const img = pulled.value;
    if (!img.ok) {
      state.startErrors.set(c.name, img.error);
      const retry = img.retryAt !== undefined ? { retryAt: img.retryAt } : {};
      this.record({ step: 'StartContainer', target: c.name, ok: false, ...img.error, ...retry });
      return undefined;
    }
    state.images.set(c.image ?? '', img.resolved);
    if (this.aborted()) return;
    // The pod's IP may still be on its way (issue 15): only a container whose env asks for it waits, and
    // then reads the sandbox afresh (the pass's observation may predate the attach).
    const waitsForIP = !pod.spec.hostNetwork && envUsesPodIP(c);
    if (waitsForIP) {
      try {
        await deps.runtime.waitSandboxNetwork(sandbox.id);
      } catch (err) {
        await this.sandboxFailed(sandbox.id, err);
        return undefined;
      }
    }
    let config;
    try {
      const targetContainerId = s.kind === 'ephemeral' ? this.ephemeralTarget(c) : undefined;
      const sb = (waitsForIP ? undefined : this.observed.sandboxes.find((x) => x.id === sandbox.id)) ?? (await deps.runtime.podSandboxStatus(sandbox.id));
      const podIPs = pod.spec.hostNetwork ? [deps.nodeIP] : sb?.ip ? [sb.ip, ...sb.additionalIps] : [];
      const env = resolveEnv({ pod, container: c, lookup: deps.lookup, nodeIP: deps.nodeIP, podIPs, nodeCpuMilli: deps.nodeCpuMilli, nodeMemoryBytes: deps.nodeMemoryBytes });
      const mounts = await deps.containerMounts(pod, c, volumes);
      config = containerConfigOf({ pod, container: c, attempt: s.attempt, imageConfig: img.image.config, env, mounts, qosClass: deps.qosOf(pod), nodeMemoryBytes: deps.nodeMemoryBytes, seccompDir: deps.paths.seccompDir, seccompDefault: deps.seccompDefault });
      if (targetContainerId) config.targetContainerId = targetContainerId;
    } catch (err) {
      const reason = err instanceof ContainerConfigError ? 'CreateContainerConfigError' : 'CreateContainerError';
      this.startFailed(c.name, reason, errorMessage(err));
      return undefined;
    }
    if (this.aborted()) return;
    let id: string;
    try {
      id = await deps.runtime.createContainer(sandbox.id, config, sandbox.config);
    } catch (err) {
      if (err instanceof SandboxStartError) await this.sandboxFailed(sandbox.id, err);
      else this.startFailed(c.name, 'CreateContainerError', errorMessage(err));
      return undefined;
    }
    this.emit('Normal', 'Created', `Created container: ${c.name}`, c.name);
    return id;
  }

  /** The rest of a start after createOne: start, postStart hook, result. */
  private async runCreated(s: ContainerStart, id: string, sandbox: { id: string; config: PodSandboxConfig }): Promise<void> {
    const { deps, pod, state } = this;
    const c = s.container;
    // A created instance left here is killed by the deletion pass (created counts as alive).
    if (this.aborted()) return;
    try {
      await deps.runtime.startContainer(id);
    } catch (err) {
      if (err instanceof SandboxStartError) return this.sandboxFailed(sandbox.id, err);
      return this.startFailed(c.name, 'RunContainerError', errorMessage(err));
    }
    this.emit('Normal', 'Started', `Started container ${c.name}`, c.name);
    if (s.isRestart) deps.metrics?.containerRestarted();
    const postStart = c.lifecycle?.postStart;
    if (postStart) {
      const target = { pod, container: c, containerId: id, podIP: this.podIP() };
      const ran = await unlessSignalled(deps.hooks.run(postStart, target, { signal: this.control.deleted }), this.control.deleted);
      if (!ran) return;
      if (ran.value.ok && ran.value.fallback) this.emit('Warning', 'LifecycleHTTPFallback', ran.value.fallback, c.name);
      if (!ran.value.ok) {
        deps.logger.info({ pod: pod.metadata.name, container: c.name, err: ran.value.message }, 'postStart hook failed');
        this.emit('Warning', 'FailedPostStartHook', 'PostStartHook failed', c.name);
        await this.killOne({ id, name: c.name, message: 'FailedPostStartHook', running: true }, 'KillContainer');
        return this.startFailed(c.name, 'PostStartHookError', ran.value.message, { event: false });
      }
    }
    state.startErrors.delete(c.name);
    this.record({ step: 'StartContainer', target: c.name, ok: true });
  }

  /**
   * The sandbox's infra container or network, made while its first containers were, failed: its
   * creation failed, as the kubelet reports it. The sandbox goes with the containers created in it (none
   * ever ran), so the next pass starts from no sandbox, as after a runPodSandbox that failed: no restart
   * is counted and a restartPolicy Never pod gets its sandbox again. No more starts in this pass.
   */
  private async sandboxFailed(sandboxId: string, err: unknown): Promise<void> {
    if (this.sandboxBroken) return;
    this.sandboxBroken = true;
    const message = `Failed to create pod sandbox: ${errorMessage(err)}`;
    this.emit('Warning', 'FailedCreatePodSandBox', message);
    this.record({ step: 'CreatePodSandbox', target: this.pod.metadata.name ?? '', ok: false, reason: 'CreatePodSandboxError', message });
    // Never removed under a create of this pass still on its way (startTogether removes it once they
    // settled; awaiting them here would wait for the very create that called this).
    if (this.creatingTogether) this.removeWhenCreated = sandboxId;
    else await this.removeFailedSandbox(sandboxId);
  }

  /** A failed sandbox startTogether removes once its creates settled (sandboxFailed). */
  private removeWhenCreated: string | undefined;

  private async removeFailedSandbox(sandboxId: string): Promise<void> {
    await this.deps.runtime.removePodSandbox(sandboxId).catch((e: unknown) =>
      this.deps.logger.warn({ pod: this.pod.metadata.name, sandboxId, err: errorMessage(e) }, 'remove failed sandbox'),
    );
  }

  /** The sandbox this pass started containers in failed after it was made (sandboxFailed). */
  private sandboxBroken = false;

  /**
   * The running container whose PID namespace an ephemeral container joins (its targetContainerName),
   * or undefined without one; a target that is not running fails the start, as on the kubelet.
   */
  private ephemeralTarget(c: Container): string | undefined {
    if (!c.targetContainerName) return undefined;
    const r = newestRecord(this.observed, c.targetContainerName);
    if (r?.state !== 'running') throw new Error(`container ${c.targetContainerName} is not running, cannot share its process namespace`);
    return r.id;
  }

  /** Keeps every alive record and the newest dead one per name; drops empty old sandboxes. */
  private async garbageCollect(): Promise<void> {
    const { runtime } = this.deps;
    const keptSandboxes = new Set<string>();
    for (const [name, recs] of this.observed.containers) {
      const dead = recs.filter((r) => r.state === 'exited');
      for (const r of recs) if (!dead.slice(1).includes(r)) keptSandboxes.add(r.sandboxId);
      for (const r of dead.slice(1)) {
        try {
          await runtime.removeContainer(r.id);
          this.record({ step: 'GarbageCollect', target: name, ok: true });
        } catch (err) {
          this.record({ step: 'GarbageCollect', target: name, ok: false, message: errorMessage(err) });
        }
      }
    }
    for (const sb of this.observed.sandboxes.slice(1)) {
      if (sb.state === 'ready' || keptSandboxes.has(sb.id)) continue;
      await runtime.removePodSandbox(sb.id).catch((err) => this.record({ step: 'GarbageCollect', target: sb.id, ok: false, message: errorMessage(err) }));
    }
  }
}

/** ConfigMap, Secret, downward API and projected volumes are re-projected this often in a running pod. */
export const VOLUME_RESYNC_MS = 60_000;
const REFRESHED_KINDS = ['configMap', 'secret', 'downwardAPI', 'projected'];
const metaKey = (pod: Pod) => JSON.stringify([pod.metadata.labels ?? {}, pod.metadata.annotations ?? {}]);

function noteVolumesSetUp(state: PodSyncState, pod: Pod, now: number): void {
  state.volumesAt = now;
  state.volumesMeta = metaKey(pod);
}

/**
 * Keeps a running pod's projected volumes current, as the kubelet's periodic volume sync does: at once
 * when its labels or annotations changed (downward API files), else every VOLUME_RESYNC_MS (ConfigMap
 * and Secret updates). A failure is a FailedMount event; the containers keep running.
 */
export async function refreshVolumes(deps: Pick<SyncDeps, 'volumes' | 'events' | 'now' | 'logger'>, pod: Pod, state: PodSyncState): Promise<void> {
  if (!(pod.spec.volumes ?? []).some((v) => REFRESHED_KINDS.some((k) => k in v))) return;
  const now = deps.now();
  if (state.volumesAt !== undefined && state.volumesMeta === metaKey(pod) && now - state.volumesAt < VOLUME_RESYNC_MS) return;
  noteVolumesSetUp(state, pod, now);
  try {
    await deps.volumes.setUpPodVolumes(pod);
  } catch (err) {
    deps.events.record(podReference(pod), 'Warning', 'FailedMount', err instanceof VolumeEventError ? err.message : `MountVolume.SetUp failed ${errorMessage(err)}`);
    deps.logger.debug({ pod: pod.metadata.name, err: errorMessage(err) }, 'volume refresh failed');
  }
}

/** Stops and removes every sandbox and container of a pod, then its volumes and logs (deletion, orphans). */
export async function teardownPod(deps: Pick<SyncDeps, 'runtime' | 'volumes' | 'paths'>, uid: string): Promise<void> {
  const obs = await observePod(deps.runtime, uid);
  for (const sb of obs.sandboxes) {
    await deps.runtime.stopPodSandbox(sb.id);
    await deps.runtime.removePodSandbox(sb.id);
  }
  for (const recs of obs.containers.values()) for (const r of recs) await deps.runtime.removeContainer(r.id);
  await deps.volumes.tearDownPodVolumes(uid);
  await removePodLogs(deps.paths, uid);
}

/**
 * The regular containers from list[i] on that are created together (startTogether): up to and including
 * the first with a postStart hook, since the kubelet creates the next container only after that hook ran.
 */
export function regularBatch(list: readonly ContainerStart[], i: number): ContainerStart[] {
  const out: ContainerStart[] = [];
  for (let k = i; k < list.length && list[k]!.kind === 'regular'; k++) {
    out.push(list[k]!);
    if (list[k]!.container.lifecycle?.postStart) break;
  }
  return out;
}

/** Whether a container's env takes the pod's IP (a fieldRef to status.podIP or status.podIPs). */
export function envUsesPodIP(c: Container): boolean {
  return (c.env ?? []).some((e) => {
    const f = e.valueFrom?.fieldRef?.fieldPath;
    return f === 'status.podIP' || f === 'status.podIPs';
  });
}
