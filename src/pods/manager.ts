// The pod manager: the kubelet's pod workers driven by the store. Composition:
//
//   store.watch(pods on this node) ──▶ PodWorkers.updatePod ──▶ observe / plan / sync / status
//   runtime.onContainerEvent ──────▶ PodWorkers.kick(uid)
//   store.watch(PVCs, PVs) ─────────▶ PodWorkers.kick(uid) of the admitted pods using the claim, when its
//                                     binding changed (a pod waiting on it starts without its back-off)
//
// Admission (admission.ts): a pod seen for the first time that never ran (no startTime), not deleted and
// not finished, is admitted against the pods already admitted, in creation order; a pod that does not fit is rejected for good
// (Failed, OutOf<resource>) and never reaches a worker.
//
// start() lists what the runtime already runs FIRST (a restarted daemon adopts running containers
// rather than restarting them: the workers simply observe them as running; containers created but never
// started by a daemon that crashed are removed, never-started.ts), removes pods the store no
// longer knows (orphans) and the volumes of pods neither knows, then watches. stop() stops workers and
// timers; containers keep running.

import { readFileSync } from 'node:fs';
import os from 'node:os';
import { errorMessage } from '../errors.js';
import { isMirrorPod } from '../node/static-pods/manifest.js';
import type { ImageService } from '../images/images.js';
import type { EventSink } from '../k8s/events.js';
import { podRequests } from '../k8s/pod-resources.js';
import { computeQosClass } from '../k8s/qos.js';
import type { ConfigMap, Node, Pod, Secret } from '../k8s/types.js';
import type { PersistentVolume, PersistentVolumeClaim } from '../k8s/storage-types.js';
import { podUsesClaim } from '../volumes/claims.js';
import type { NodePaths } from '../node/paths.js';
import { LABEL_POD_UID, type DNSConfig, type Runtime } from '../runtime/runtime.js';
import type { ObjectStore, Watch } from '../store/store.js';
import type { Clock } from '../system/clock.js';
import type { Logger } from '../system/logger.js';
import type { ContainerMountsFn, VolumeManager } from '../volumes/volumes.js';
import type { ObjectLookup } from './env.js';
import { parseResolvConf } from './sandbox-config.js';
import { admitPod, holdsResources, type NodeAllocatable } from './admission.js';
import { StorageMonitor, type DiskUsageFn } from './storage-monitor.js';
import { pullCredentialsFor } from './pull-credentials.js';
import { ContainerHookRunner } from './hooks.js';
import { ProbeManager } from './probes/manager.js';
import { HostProbeRunner, type ProbeRunner } from './probes/runner.js';
import { podReference } from './spec.js';
import { teardownPod, type SyncDeps } from './sync.js';
import { removeNeverStarted } from './never-started.js';
import { gcPodLogs } from './pod-logs.js';
import { PodWorkers } from './workers.js';
import { cpuShares } from './translate.js';
import type { ImagePullRecorder, PodLifecycleRecorder } from '../metrics/recorder.js';

export interface PodManagerOptions {
  store: ObjectStore;
  runtime: Runtime;
  images: ImageService;
  volumes: VolumeManager;
  containerMounts: ContainerMountsFn;
  events: EventSink;
  clock: Clock;
  logger: Logger;
  nodeName: string;
  nodeIP: string;
  paths: NodePaths;
  /** Called each time a pod's worker is done with it (torn down and gone from the store, or forgotten). */
  onPodGone?: () => void;
  /** Path of the host resolv.conf, read once at start (default /etc/resolv.conf). */
  hostResolvConf?: string;
  /** Node capacity for resourceFieldRef defaults and oom_score_adj (default: this host's). */
  nodeCpuMilli?: number;
  nodeMemoryBytes?: number;
  /** Runs probe attempts (default: httpGet/tcp/grpc from the daemon, exec through the runtime). */
  probeRunner?: ProbeRunner;
  /** The crash-loop back-off ceiling (default the kubelet's 300 s). */
  maxBackoffMs?: number;
  /** RuntimeDefault seccomp for containers that name no profile (the kubelet's --seccomp-default). */
  seccompDefault?: boolean;
  /** What the node offers pods; unset = no admission check (unit tests that do not test it). */
  allocatable?: NodeAllocatable;
  /** Every probe attempt, for metrics (type, result, lateness of a periodic attempt, duration; ms). */
  onProbeAttempt?: (type: string, result: string, latenessMs: number | undefined, durationMs: number) => void;
  /** Uniform in [0, 1) for the probes' start jitter (default Math.random). */
  random?: () => number;
  /** Disk usage of directories (system/disk-usage.ts), for local-storage limits (storage-monitor.ts). */
  diskUsage: DiskUsageFn;
  /** Pod starts, container restarts and image pulls, for /metrics. */
  metrics?: PodLifecycleRecorder & ImagePullRecorder;
}

function storeLookup(store: ObjectStore): ObjectLookup {
  return {
    configMap: (ns, name) => store.tryGet<ConfigMap>('configmaps', ns, name),
    secret: (ns, name) => store.tryGet<Secret>('secrets', ns, name),
  };
}

function readHostDns(path: string, logger: Logger): DNSConfig {
  try {
    return parseResolvConf(readFileSync(path, 'utf8'));
  } catch (err) {
    logger.warn({ path, err: errorMessage(err) }, 'cannot read host resolv.conf; pods get no DNS servers');
    return { servers: [], searches: [], options: [] };
  }
}

/** The pod UIDs of every sandbox and container the runtime lists, whatever their state. */
async function podUidsInRuntime(runtime: Runtime): Promise<Set<string>> {
  const [sandboxes, containers] = await Promise.all([runtime.listPodSandboxes(), runtime.listContainers()]);
  return new Set([...sandboxes, ...containers].map((x) => x.labels[LABEL_POD_UID]).filter(Boolean));
}

/** A pod the kubelet rejected: Failed before it ever started (no startTime, no container statuses). */
const wasRejected = (p: Pod) => p.status?.phase === 'Failed' && !p.status.startTime && !p.status.containerStatuses?.length;

export class PodManager {
  private readonly opts: PodManagerOptions;
  private workers?: PodWorkers;
  private probes?: ProbeManager;
  /** Pods handed to the workers, newest object: what admission counts as used (unless finished). */
  private readonly admitted = new Map<string, Pod>();
  /** Pods rejected at admission: never handed to a worker. */
  private readonly rejected = new Set<string>();
  private watch?: Watch;
  private storageWatches: Watch[] = [];
  /** What of each claim and volume a pod's volume setup reads, as last seen: other writes wake nobody. */
  private readonly storageKeys = new Map<string, string>();
  private unsubscribe?: () => void;
  private storage?: StorageMonitor;
  /** Each admitted Burstable pod's cpu request (milli), and their sum: the burstable level's shares. */
  private readonly burstableMilli = new Map<string, number>();
  private burstableTotal = 0;
  private burstableShares?: number;

  constructor(opts: PodManagerOptions) {
    this.opts = opts;
  }

  /**
   * `staticPods`: the node's own pods from its manifest files (node/static-pods/), run like the others
   * but never taken from the store, where only their mirror pods are.
   */
  async start(staticPods: Pod[] = []): Promise<void> {
    const o = this.opts;
    const deps: SyncDeps = {
      runtime: o.runtime,
      images: o.images,
      volumes: o.volumes,
      containerMounts: o.containerMounts,
      events: o.events,
      hooks: new ContainerHookRunner({ runtime: o.runtime, clock: o.clock }),
      clock: o.clock,
      now: () => o.clock.now(),
      logger: o.logger,
      paths: o.paths,
      nodeIP: o.nodeIP,
      hostDns: readHostDns(o.hostResolvConf ?? '/etc/resolv.conf', o.logger),
      lookup: storeLookup(o.store),
      nodeCpuMilli: o.nodeCpuMilli ?? os.cpus().length * 1000,
      nodeMemoryBytes: o.nodeMemoryBytes ?? os.totalmem(),
      qosOf: (pod) => computeQosClass(pod.spec),
      ...(o.maxBackoffMs ? { backoffMaxMs: o.maxBackoffMs } : {}),
      ...(o.seccompDefault ? { seccompDefault: true } : {}),
      ...(o.metrics ? { metrics: o.metrics } : {}),
      pullCredentials: pullCredentialsFor({ lookup: storeLookup(o.store), dataDir: o.paths.dataDir, logger: o.logger }),
    };
    // 1. What the runtime runs, before anything else touches it; containers a crashed daemon created
    // but never started go first (never-started.ts).
    await removeNeverStarted(o.runtime, o.logger);
    const runtimeUids = await podUidsInRuntime(o.runtime);
    // 2. The pods bound to this node.
    const fieldSelector = [{ field: 'spec.nodeName', operator: 'Equals' as const, value: o.nodeName }];
    const list = o.store.list<Pod>('pods', { fieldSelector });
    const live = new Set([...list.items, ...staticPods].map((p) => p.metadata.uid ?? ''));
    // 3. Orphans: runtime pods the store no longer has.
    const failed = new Set<string>();
    for (const uid of runtimeUids) {
      if (live.has(uid)) continue;
      o.logger.info({ uid }, 'removing orphaned pod');
      await teardownPod(deps, uid).catch((err) => {
        failed.add(uid);
        o.logger.warn({ uid, err: errorMessage(err) }, 'orphan teardown failed');
      });
    }
    // 4. Volumes of pods nobody knows. Not those of a pod whose teardown failed or that the runtime
    // still lists: a container that may still run must not have its volumes removed under it (it could
    // write into them during the removal, issue 6); the next start tries again.
    await podUidsInRuntime(o.runtime)
      .then((inRuntime) => o.volumes.gc(new Set([...live, ...failed, ...inRuntime])))
      .catch((err) => o.logger.warn({ err: errorMessage(err) }, 'volume gc failed'));
    // Log directories of pods nobody knows (a teardown cut short by a crash), as the kubelet's GC does.
    await podUidsInRuntime(o.runtime)
      .then((inRuntime) => gcPodLogs(o.paths, new Set([...live, ...failed, ...inRuntime])))
      .catch((err) => o.logger.warn({ err: errorMessage(err) }, 'pod log gc failed'));
    // 5. Workers, runtime events, then the watch from the list's version.
    let workers: PodWorkers | undefined;
    const probes = new ProbeManager({
      clock: o.clock,
      runner: o.probeRunner ?? new HostProbeRunner(o.runtime),
      random: o.random ?? Math.random,
      event: (pod, container, type, reason, message) => o.events.record(podReference(pod, container), type, reason, message),
      onResultChange: (uid) => workers?.kick(uid),
      ...(o.onProbeAttempt ? { onAttempt: o.onProbeAttempt } : {}),
    });
    this.probes = probes;
    workers = new PodWorkers({ deps, store: o.store, clock: o.clock, logger: o.logger, probes, onPodGone: o.onPodGone });
    this.workers = workers;
    // Every event type kicks its pod, 'sandbox-exited' and 'sandbox-ready' included (containerId is '' there):
    // a dead infra container, or a network attached after runPodSandbox returned, is seen at once, not at
    // the next resync.
    const w = workers;
    this.unsubscribe = o.runtime.onContainerEvent((ev) => w.kick(ev.podUid));
    const byCreation = [...list.items, ...staticPods].sort((a, b) => (a.metadata.creationTimestamp ?? '').localeCompare(b.metadata.creationTimestamp ?? ''));
    for (const pod of byCreation) this.route(w, pod, false);
    this.countBurstable('', 0); // written once at start, even with no Burstable pod
    this.storage = new StorageMonitor({
      clock: o.clock,
      logger: o.logger,
      runtime: o.runtime,
      paths: o.paths,
      diskUsage: o.diskUsage,
      pods: () => [...this.admitted.values()].filter((p) => holdsResources(p) && !p.metadata.deletionTimestamp),
      evict: (pod, message) => this.evict(w, pod, message),
    });
    this.storage.start();
    this.watch = o.store.watch<Pod>('pods', { fieldSelector, resourceVersion: list.resourceVersion }, (ev) => {
      this.route(w, ev.object, ev.type === 'DELETED');
    });
    // Claims and their volumes: a pod whose volume setup waits on one retries at once when it changes.
    const since = { resourceVersion: o.store.currentResourceVersion() };
    this.storageWatches = [
      o.store.watch<PersistentVolumeClaim>('persistentvolumeclaims', since, (ev) => {
        const c = ev.object;
        const key = JSON.stringify([c.metadata.uid, c.status?.phase, c.spec.volumeName, c.metadata.deletionTimestamp ?? null, c.metadata.finalizers ?? []]);
        this.wakeClaimUsers(w, `pvc/${c.metadata.namespace}/${c.metadata.name}`, ev.type === 'DELETED' ? undefined : key, c.metadata.namespace, c.metadata.name);
      }),
      o.store.watch<PersistentVolume>('persistentvolumes', since, (ev) => {
        const v = ev.object;
        const ref = v.spec.claimRef;
        const key = JSON.stringify([v.metadata.uid, ref?.uid, ref?.namespace, ref?.name, v.spec.volumeMode, v.spec.hostPath ?? null, v.spec.local ?? null]);
        if (ref?.name) this.wakeClaimUsers(w, `pv/${v.metadata.name}`, ev.type === 'DELETED' ? undefined : key, ref.namespace, ref.name);
      }),
    ];
  }

  /** Kicks the admitted pods that use claim namespace/name, when what `id` names changed (key; undefined: gone). */
  private wakeClaimUsers(workers: PodWorkers, id: string, key: string | undefined, namespace: string | undefined, name: string | undefined): void {
    if (key === undefined) this.storageKeys.delete(id);
    else if (this.storageKeys.get(id) === key) return;
    else this.storageKeys.set(id, key);
    for (const [uid, pod] of this.admitted) if (podUsesClaim(pod, namespace, name)) workers.kick(uid);
  }

  /** A static pod appeared or changed (its manifest file). */
  upsertStaticPod(pod: Pod): void {
    this.opts.logger.debug({ pod: pod.metadata.name, uid: pod.metadata.uid }, 'static pod from its manifest');
    if (this.workers) this.route(this.workers, pod, false);
  }

  /**
   * A static pod whose manifest went away: deleted as the API deletes a pod, with its grace period
   * (the worker then stops it and forgets it; there is no store object to remove).
   */
  removeStaticPod(pod: Pod): void {
    if (!this.workers) return;
    this.opts.logger.info({ pod: pod.metadata.name, uid: pod.metadata.uid }, 'static pod gone from its manifest: stopping it');
    const grace = pod.spec.terminationGracePeriodSeconds ?? 30;
    const deletionTimestamp = new Date(this.opts.clock.now() + grace * 1000).toISOString();
    this.route(this.workers, { ...pod, metadata: { ...pod.metadata, deletionTimestamp, deletionGracePeriodSeconds: grace } }, false);
  }

  /** Looks at a pod again now (its mirror pod was made again and wants its status). */
  /** The probe workers' last result for a container instance (the pod anatomy shows it; liveness is in no status). */
  probeResult(containerId: string, type: 'Liveness' | 'Readiness' | 'Startup'): 'success' | 'failure' | 'unknown' | undefined {
    return this.probes?.lastResult(containerId, type);
  }

  kick(uid: string): void {
    this.workers?.kick(uid);
  }

  /** Admission, then the workers (see the header). */
  private route(workers: PodWorkers, pod: Pod, removed: boolean): void {
    // A mirror pod only shows a static pod, which comes from its manifest: nothing runs for it.
    if (isMirrorPod(pod)) return;
    const uid = pod.metadata.uid ?? '';
    if (removed) {
      this.admitted.delete(uid);
      this.countBurstable(uid, 0);
      if (!this.rejected.delete(uid)) workers.updatePod({ pod, removed: true });
      return;
    }
    if (this.rejected.has(uid) || (!this.admitted.has(uid) && wasRejected(pod))) {
      this.rejected.add(uid);
      // Nothing was made for it: once deleted (and free of finalizers) it goes at once.
      if (pod.metadata.deletionTimestamp && !pod.metadata.finalizers?.length) {
        try {
          this.opts.store.delete('pods', pod.metadata.namespace, pod.metadata.name ?? '', { expectedUid: uid });
        } catch {
          // gone or replaced meanwhile
        }
      }
      return;
    }
    const allocatable = this.opts.allocatable;
    // Only a pod that never ran is admitted: one that already started (before a daemon restart) was
    // admitted then, and rejecting it now would leave its containers running under a Failed pod.
    if (allocatable && !this.admitted.has(uid) && !pod.metadata.deletionTimestamp && holdsResources(pod) && !pod.status?.startTime) {
      const node = this.opts.store.tryGet<Node>('nodes', undefined, this.opts.nodeName);
      const verdict = admitPod(pod, [...this.admitted.values()].filter(holdsResources), allocatable, node);
      if (!verdict.admit) return this.reject(pod, verdict.reason, verdict.message);
    }
    this.admitted.set(uid, pod);
    const burstable = holdsResources(pod) && computeQosClass(pod.spec) === 'Burstable';
    this.countBurstable(uid, burstable ? podRequests(pod.spec).get('cpu') ?? 0 : 0);
    workers.updatePod({ pod });
  }

  /**
   * The kubelet's QoS container manager: the burstable level's cpu.shares is the shares of the sum of
   * the cpu requests of the Burstable pods that hold the node (the minimum, 2, with none), written
   * before a new pod's sandbox is made and whenever the sum changes.
   */
  private countBurstable(uid: string, milli: number): void {
    this.burstableTotal += milli - (this.burstableMilli.get(uid) ?? 0);
    if (milli) this.burstableMilli.set(uid, milli);
    else this.burstableMilli.delete(uid);
    const shares = cpuShares(this.burstableTotal);
    if (shares === this.burstableShares) return;
    this.burstableShares = shares;
    this.opts.runtime.setBurstableCpuShares(shares).catch((err) => {
      this.burstableShares = undefined; // tried again with the next change
      this.opts.logger.warn({ shares, err: errorMessage(err) }, 'could not set the burstable QoS level cpu.shares');
    });
  }

  /** The kubelet's rejectPod: Failed with the reason and message, a Warning event; nothing runs. */
  private reject(pod: Pod, reason: string, message: string): void {
    const o = this.opts;
    const m = pod.metadata;
    this.rejected.add(m.uid ?? '');
    o.logger.info({ pod: m.name, namespace: m.namespace, reason }, 'pod rejected at admission');
    o.events.record(podReference(pod), 'Warning', reason, message.replace(/^Pod was rejected: /, ''));
    try {
      o.store.modify<Pod>('pods', m.namespace, m.name ?? '', (cur) => (cur.metadata.uid !== m.uid ? undefined : { ...cur, status: { phase: 'Failed', reason, message, qosClass: computeQosClass(cur.spec) } }), { expectedUid: m.uid });
    } catch (err) {
      o.logger.debug({ pod: m.name, err: errorMessage(err) }, 'could not write the rejection');
    }
  }

  /** The kubelet eviction manager's evictPod: a Warning event Evicted, then the worker fails and kills the pod. */
  private evict(workers: PodWorkers, pod: Pod, message: string): void {
    if (!workers.evict(pod.metadata.uid ?? '', message)) return;
    this.opts.logger.info({ pod: pod.metadata.name, namespace: pod.metadata.namespace, message }, 'evicting pod');
    this.opts.events.record(podReference(pod), 'Warning', 'Evicted', message);
  }

  async stop(): Promise<void> {
    await this.storage?.stop();
    this.watch?.stop();
    for (const sw of this.storageWatches) sw.stop();
    this.storageWatches = [];
    this.unsubscribe?.();
    await this.workers?.stop();
    this.probes?.stop();
  }

  /** Resolves when every pod worker is idle (tests drive a fake clock, then await this). */
  async idle(): Promise<void> {
    await this.storage?.idle();
    await this.workers?.idle();
  }
}
