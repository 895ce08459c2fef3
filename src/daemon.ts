// The composition root of `peapod serve`: builds every component explicitly, in dependency order, and
// tears them down in reverse. Reads like an inventory: store → events → images → network → runtime →
// volumes → pod manager → API. Containers keep running when the daemon stops.

import { readServerVersions } from './node/host-versions.js';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import v8 from 'node:v8';
import { RESOURCES } from './k8s/registry.js';
import { KUBE_VERSION } from './k8s/version.js';
import { SqliteStore } from './store/sqlite-store.js';
import { WalCheckpointer } from './store/wal-checkpointer.js';
import { ensureNamespaces } from './store/bootstrap.js';
import { ensureDefaultStorageClass, StorageController } from './storage/controller.js';
import { StoreEventSink } from './store/events.js';
import { Scheduler } from './scheduler/scheduler.js';
import { LocalImageService } from './images/local-image-service.js';
import { DEFAULT_GC_HIGH_PERCENT, DEFAULT_GC_LOW_PERCENT, DEFAULT_GC_MIN_AGE_MS, IMAGE_GC_PERIOD_MS, ImageGc, statfsSpace } from './images/gc.js';
import { allowsPlainHttp, loadRegistryTls } from './images/registry/tls.js';
import { DEFAULT_MAX_IMAGE_UPLOAD } from './api/upload-limit.js';
import type { ServerLimits } from './api/server-limits.js';
import { WatchLimiter, type WatchLimits } from './api/watch-limits.js';
import { SharedEventLines } from './api/watch-lines.js';
import { SysctlAllowlist } from './k8s/sysctls.js';
import { CniNetwork } from './runtime/network/cni-network.js';
import { StaticPodSource } from './node/static-pods/source.js';
import { RuncRuntime } from './runtime/runc-runtime.js';
import { DEFAULT_POD_PIDS_LIMIT } from './runtime/cgroups.js';
import { missingMallocTunables, missingNodeFlags, SERVE_MALLOC_TUNABLES, SERVE_NODE_FLAGS } from './system/node-flags.js';
import { acquireDataDirLock } from './system/data-dir-lock.js';
import { removeNodeStateIfIdle } from './node/clean-stop.js';
import { hostSeccompFacts } from './runtime/seccomp/host.js';
import { SeccompProfiles } from './runtime/seccomp/profiles.js';
import { HostVolumeManager } from './volumes/host-volumes.js';
import { makeContainerMounts } from './volumes/mounts.js';
import { PodManager } from './pods/manager.js';
import { ApiServer } from './api/server.js';
import { renderKubeconfig } from './api/kubeconfig.js';
import { DaemonMetrics } from './api/metrics.js';
import { warmPoolFamilies } from './runtime/warm-pool.js';
import { podAnatomy } from './node/anatomy.js';
import { startResourceMetrics } from './metrics/resource-metrics.js';
import { DEFAULT_METRICS_RESOLUTION_MS } from './metrics/sampler.js';
import { ActivityMetrics } from './metrics/activity.js';
import { readStoreFigures, sqliteFileBytes, storeFamilies } from './metrics/store-figures.js';
import { ensurePki, hostAddresses, pkiFiles, type PkiState } from './api/auth/pki.js';
import { ensureSigningKey } from './serviceaccounts/signing-key.js';
import { serviceAccountTokens } from './serviceaccounts/service-accounts.js';
import { ServiceAccountsController } from './serviceaccounts/controller.js';
import { TokenManager } from './serviceaccounts/token-manager.js';
import { podTokenSource } from './serviceaccounts/pod-tokens.js';
import { workerCertMaker } from './api/auth/cert-maker.js';
import { buildSecurityStage, loadTokenFile } from './api/auth/security.js';
import { nodePaths, type NodePaths } from './node/paths.js';
import { prepareDataDir } from './node/private-dir.js';
import { diskUsage } from './system/disk-usage.js';
import { detectNodeIP, limitableHugepages, nodeResources, readHostIdentity, readHugepages } from './node/node-object.js';
import { NodeStatusReporter } from './node/node-status.js';
import { NodeLeaseController } from './node/node-lease.js';
import { EventExpirer } from './events/event-ttl.js';
import { amountOf } from './k8s/pod-resources.js';
import { SpawnHelper } from './system/spawner/client.js';
import { LOOP_NICE, raiseSessionPriority, setAllThreadsNice } from './system/thread-priority.js';
import { HeapRelease, releaseHeap } from './system/heap-release.js';
import { dropKeptBuffers } from './system/virtual-file.js';
import { replyBuffers } from './api/reply-buffers.js';
import { HostMounter } from './system/mounter.js';
import { SystemClock, type Clock } from './system/clock.js';
import { createLogger, type Logger } from './system/logger.js';
import { writeFileAtomic } from './system/atomic-file.js';
import { errorMessage } from './errors.js';

export interface DaemonOptions {
  dataDir: string;
  /** host:port to serve the API on (HTTPS). */
  listen: string;
  /** The operator's own serving certificate and key (PEM files); default: made under <data-dir>/pki. */
  tlsCertFile?: string;
  tlsPrivateKeyFile?: string;
  /** Bearer tokens, kube-apiserver's CSV format: token,user,uid,"group1,group2". */
  tokenAuthFile?: string;
  /** Audiences a service account token must name one of (kube-apiserver's --api-audiences); default: the issuer. */
  apiAudiences?: string[];
  nodeName: string;
  podCidr: string;
  logLevel: string;
  /** The crash-loop back-off ceiling in ms (the kubelet's is 300 s and fixed). */
  maxBackoffMs?: number;
  /** Pods this node admits at once (the kubelet's --max-pods; default 110). */
  maxPods?: number;
  /** RuntimeDefault seccomp for containers that name no profile (the kubelet's --seccomp-default). */
  seccompDefault?: boolean;
  /** The static pods' manifest directory (the kubelet's staticPodPath); default <data-dir>/manifests. */
  podManifestPath?: string;
  /** Registries that may be reached in plain HTTP or with an unverified certificate (docker's insecure-registries). */
  insecureRegistries?: string[];
  /** Where the local-path StorageClass makes its volumes (default <data-dir>/storage). */
  localPathDir?: string;
  /** Image GC: above this percent of the image disk used, unused images go (the kubelet's 85). 100 = off. */
  imageGcHighPercent?: number;
  /** ...down to this percent (the kubelet's 80). */
  imageGcLowPercent?: number;
  /** Largest `peapod image load` / `import` upload, bytes (default 8 GiB). */
  maxImageUploadBytes?: number;
  /** Largest uncompressed layer (serve --max-layer-size); default images/unpack.ts' DEFAULT_MAX_LAYER_BYTES. */
  maxLayerBytes?: number;
  /** How often the cgroups are sampled for metrics.k8s.io (metrics-server's --metric-resolution; default 15 s). */
  metricsResolutionMs?: number;
  /** Between renewals of the node's Lease (the kubelet's 10 s). */
  nodeLeaseRenewIntervalMs?: number;
  /** How long an Event is kept after its last write (kube-apiserver's --event-ttl, 1 h). */
  eventTtlMs?: number;
  /** pids.max of every pod cgroup (the kubelet's podPidsLimit; -1 = none); default DEFAULT_POD_PIDS_LIMIT. */
  podPidsLimit?: number;
  /** Sandboxes kept ready for new pods (the runtime's warm pool, issue 15); default 0 = none. */
  warmPool?: number;
  /** Sysctls pods may set besides the safe set (the kubelet's --allowed-unsafe-sysctls). */
  allowedUnsafeSysctls?: string[];
  /** The API server's connection, size and time limits (api/server-limits.ts); unset ones take the defaults. */
  apiLimits?: Partial<ServerLimits>;
  /** Bounds on open watches (serve --max-watches, --max-watches-per-client). */
  watchLimits?: WatchLimits;
}

/**
 * How the node reaches registries: CAs and client certificates from <data-dir>/certs.d/HOST:PORT/ (read at
 * each pull); plain HTTP only for loopback and the insecure list; a listed (non-loopback) registry's
 * certificate is not verified, as docker treats its insecure-registries.
 */
function registryPolicy(dataDir: string, insecure: string[]) {
  const certsDir = path.join(dataDir, 'certs.d');
  const listed = (host: string) => allowsPlainHttp(host, insecure) && !allowsPlainHttp(host, []);
  return {
    tlsFor: async (host: string) => ({ ...(await loadRegistryTls(certsDir, host)), ...(listed(host) ? { rejectUnauthorized: false } : {}) }),
    plainHttpAllowed: (host: string) => allowsPlainHttp(host, insecure),
  };
}
export const DEFAULT_MAX_PODS = 110;

function hostHasAppArmor(): boolean {
  try {
    return fs.readFileSync('/sys/module/apparmor/parameters/enabled', 'utf8').trim() === 'Y';
  } catch {
    return false;
  }
}

/** The size of the filesystem holding `dir` (0 when it cannot be read). */
function filesystemBytes(dir: string): number {
  try {
    const st = fs.statfsSync(dir);
    return st.blocks * st.bsize;
  } catch {
    return 0;
  }
}
/** How often certificates are checked for renewal (they are renewed 30 days before they expire). */
const CERT_CHECK_MS = 3_600_000;

export interface RunningDaemon {
  url: string;
  paths: NodePaths;
  stop(): Promise<void>;
}

/** Starts every component; resolves once the API serves. `stop()` leaves containers running. */
export async function startDaemon(opts: DaemonOptions, logger: Logger = createLogger({ level: opts.logLevel })): Promise<RunningDaemon> {
  if (process.getuid?.() !== 0) throw new Error('peapod serve must run as root (it drives runc, mounts and the pod network)');
  const paths = nodePaths(opts.dataDir);
  const clock = new SystemClock();
  prepareDataDir(paths, logger); // 0700 and root's, repaired if an older run or an admin left it open
  // Where node admins put Localhost seccomp profiles (the kubelet's <root-dir>/seccomp).
  fs.mkdirSync(paths.seccompDir, { recursive: true, mode: 0o755 });
  const releaseLock = acquireDataDirLock(paths.dataDir); // one daemon per data dir (issue 14)
  const undo: (() => Promise<void> | void)[] = [releaseLock];
  // The samplers behind /metrics (event-loop delay, child processes), from the first spawn on.
  const metrics = new DaemonMetrics();
  metrics.start();
  undo.push(() => metrics.stop());
  try {
    // Every program the daemon runs is started by this helper process, forked now while we are small.
    const exec = new SpawnHelper(logger.child({ component: 'spawner' }), (blocked, waited) => metrics.recordHelperSpawn(blocked, waited));
    exec.start();
    undo.push(() => exec.close());
    raiseLoopPriority(logger);
    spaceOutFullCollections();
    const missing = missingNodeFlags();
    if (missing.length) {
      logger.warn({ missing }, `node was started without ${missing.join(' ')}: the daemon's memory grows more under load (run node ${SERVE_NODE_FLAGS.join(' ')} bin/peapod.js serve, or bin/peapod.js itself)`);
    }
    const tunables = missingMallocTunables();
    if (tunables.length) {
      logger.warn({ missing: tunables }, `GLIBC_TUNABLES lacks ${tunables.join(':')}: the daemon keeps more memory after a burst (bin/peapod.js sets it; or run GLIBC_TUNABLES=${SERVE_MALLOC_TUNABLES.join(':')} node ... serve)`);
    }
    // The API's credentials first: a bad flag, token file or certificate stops the start before any
    // component touches the host.
    if ((opts.tlsCertFile === undefined) !== (opts.tlsPrivateKeyFile === undefined)) {
      throw new Error('--tls-cert-file and --tls-private-key-file go together');
    }
    const servingFiles = opts.tlsCertFile ? { certFile: opts.tlsCertFile, keyFile: opts.tlsPrivateKeyFile! } : undefined;
    const pkiOpts = () => ({ dataDir: paths.dataDir, nodeName: opts.nodeName, nodeIps: hostAddresses(), now: clock.now(), logger, servingFiles, maker: workerCertMaker });
    let pki = await ensurePki(pkiOpts());
    const tokenFile = opts.tokenAuthFile ? loadTokenFile(opts.tokenAuthFile) : undefined;
    // The key service account tokens are signed with (pki/sa.key), kept across restarts.
    const saKey = await ensureSigningKey(pkiFiles(paths.dataDir).dir);

    // SQLite's WAL goes back into the database through a program of its own, not inside a commit on the loop.
    let checkpointer: WalCheckpointer | undefined;
    const storeLogger = logger.child({ component: 'store' });
    const store = new SqliteStore({ path: paths.dbPath, resources: RESOURCES, clock, logger: storeLogger, autoCheckpoint: false, onCommit: () => checkpointer?.noteCommit() });
    undo.push(() => store.close());
    checkpointer = new WalCheckpointer({ exec, dbPath: paths.dbPath, clock, logger: storeLogger, inline: () => store.checkpoint() });
    undo.push(() => checkpointer?.stop());
    ensureNamespaces(store);
    undo.push(keepSystemNamespaces(store, clock, logger));
    // Counted where they happen (pod manager, image pulls, API requests); the store's figures read at each scrape.
    const activity = new ActivityMetrics();
    metrics.addSource(() => activity.families());
    metrics.addSource(() => storeFamilies(readStoreFigures(store, RESOURCES, sqliteFileBytes(paths.dbPath), paths.dbPath)));
    const saTokens = serviceAccountTokens({ store, key: saKey, now: () => clock.now(), audiences: opts.apiAudiences });
    const security = buildSecurityStage({ tokens: tokenFile, serviceAccountTokens: saTokens.authenticate, now: () => clock.now() });
    // kube-controller-manager's serviceaccounts controller: a default ServiceAccount in every namespace.
    const serviceAccounts = new ServiceAccountsController({ store, logger: logger.child({ component: 'serviceaccounts' }) });
    serviceAccounts.start();
    undo.push(() => serviceAccounts.stop());
    const events = new StoreEventSink({ store, clock, logger, component: 'kubelet', host: opts.nodeName });
    const eventTtl = new EventExpirer({ store, clock, logger: logger.child({ component: 'event-ttl' }), ttlMs: opts.eventTtlMs });
    eventTtl.start();
    undo.push(() => eventTtl.stop());

    const images = new LocalImageService({ paths, exec, logger, clock, registry: { policy: registryPolicy(paths.dataDir, opts.insecureRegistries ?? []) }, ...(opts.maxLayerBytes ? { limits: { maxLayerBytes: opts.maxLayerBytes } } : {}) });
    await images.init();
    // The kubelet's minimum image age (2 min): an image pulled a moment ago for a pod is not GC'd before
    // its container is created.
    const imageGcPolicy = { highPercent: opts.imageGcHighPercent ?? DEFAULT_GC_HIGH_PERCENT, lowPercent: opts.imageGcLowPercent ?? DEFAULT_GC_LOW_PERCENT, minAgeMs: DEFAULT_GC_MIN_AGE_MS };
    const imageGc = new ImageGc(
      {
        // Each pass first drops what failed pulls left (layers and blobs of no image), then plans.
        listImages: async () => {
          await images.sweep();
          return images.listImages();
        },
        inUseImageIds: () => images.imagesInUse(), removeImage: (id) => images.removeImage(id), statfs: () => statfsSpace(paths.imagesDir), clock, logger },
      imageGcPolicy,
    );
    images.onImageUsed = (id) => imageGc.markUsed(id);
    imageGc.start(IMAGE_GC_PERIOD_MS);
    undo.push(() => imageGc.stop());
    const network = new CniNetwork({ paths, exec, logger: logger.child({ component: 'network' }), podCidr: opts.podCidr });
    await network.init();
    const seccomp = new SeccompProfiles({ host: hostSeccompFacts() });
    const runtime = new RuncRuntime({ paths, exec, launcher: exec, clock, logger, images, network, seccomp, podPidsLimit: opts.podPidsLimit ?? DEFAULT_POD_PIDS_LIMIT, warmPool: opts.warmPool ?? 0 });
    metrics.addSource(() => warmPoolFamilies(runtime.warmPoolFigures() ?? { size: 0, ready: 0, filling: 0, claims: 0 }));
    await runtime.init();
    // Runs after the runtime stopped watching (undo runs in reverse): with no pod left, the node-level
    // state goes too (issue 14); with pods left, it all stays for them.
    undo.push(async () => {
      await removeNodeStateIfIdle({ runtime, network, paths, logger: logger.child({ component: 'node' }) });
    });
    undo.push(() => runtime.close());
    // Overlay mounts of containers the runtime no longer knows (a crash between steps) are released.
    await images.gcRootfs((await runtime.listContainers()).map((c) => c.id));
    const node = { cpuMilli: os.cpus().length * 1000, memoryBytes: os.totalmem(), ephemeralStorageBytes: filesystemBytes(paths.dataDir) };
    // The kubelet's token manager, for projected serviceAccountToken volumes.
    const podTokens = podTokenSource(new TokenManager({ issue: (ns, name, spec) => saTokens.issuer.issue(ns, name, spec), now: () => clock.now() }));
    const volumes = new HostVolumeManager({ paths, exec, store, logger, node, podTokens });
    const containerMounts = makeContainerMounts({ paths, mounter: new HostMounter({ exec }) });

    const hugepages = limitableHugepages(readHugepages(), runtime.cgroups.hugepageSizes);
    if (hugepages.unlimited.length) {
      logger.warn({ resources: hugepages.unlimited }, 'huge page pools advertised as 0: this host has no hugetlb cgroup controller to limit them');
    }
    const nodeIP = detectNodeIP();
    const runtimeVersion = await runtime.version();
    const facts = {
      nodeName: opts.nodeName,
      nodeIP,
      podCidr: opts.podCidr,
      kernelVersion: os.release(),
      osImage: readOsImage(),
      runtimeVersion: `${runtimeVersion.runtimeName}://${runtimeVersion.runtimeVersion}`,
      kubeletVersion: KUBE_VERSION.gitVersion,
      cpus: node.cpuMilli / 1000,
      memoryBytes: node.memoryBytes,
      maxPods: opts.maxPods ?? DEFAULT_MAX_PODS,
      ephemeralStorageBytes: node.ephemeralStorageBytes,
      hugepages: hugepages.pools,
      identity: readHostIdentity(),
    };
    // The kubelet's pair of heartbeats: the Node's status on change (or every 5 min), its Lease every 10 s.
    const nodeStatus = new NodeStatusReporter({ store, clock, logger, facts });
    nodeStatus.start();
    undo.push(() => nodeStatus.stop());
    const nodeLease = new NodeLeaseController({ store, clock, logger, nodeName: opts.nodeName, renewIntervalMs: opts.nodeLeaseRenewIntervalMs });
    nodeLease.start();
    undo.push(() => nodeLease.stop());

    // After a churn of pods, once none has gone for a while, the spare JS heap goes back to the OS.
    const heapRelease = new HeapRelease(clock, (err) => logger.warn({ err: errorMessage(err) }, 'could not release the spare heap'), () => {
      dropKeptBuffers();
      replyBuffers.drop();
      store.releaseMemory();
      return releaseHeap();
    });
    undo.push(() => heapRelease.stop());
    const manager = new PodManager({
      onPodGone: () => heapRelease.note(),
      metrics: activity,
      diskUsage: (dirs) => diskUsage(exec, dirs),
      store,
      runtime,
      images,
      volumes,
      containerMounts,
      events,
      clock,
      logger: logger.child({ component: 'pods' }),
      nodeName: opts.nodeName,
      nodeIP,
      paths,
      ...(opts.maxBackoffMs ? { maxBackoffMs: opts.maxBackoffMs } : {}),
      ...(opts.seccompDefault ? { seccompDefault: true } : {}),
      onProbeAttempt: (type, result, latenessMs, durationMs) => {
        const r = result === 'failure' ? 'failed' : result === 'unknown' ? 'unknown' : 'successful';
        metrics.recordProbe(type.toLowerCase(), r, latenessMs === undefined ? undefined : latenessMs / 1000, durationMs / 1000);
      },
      allocatable: {
        hostAppArmor: hostHasAppArmor(),
        sysctls: new SysctlAllowlist(opts.allowedUnsafeSysctls ?? []),
        maxPods: facts.maxPods,
        resources: new Map(Object.entries(nodeResources(facts)).filter(([k]) => k !== 'pods').map(([k, q]) => [k, amountOf(k, q)])),
      },
    });
    // Static pods: read before the manager starts, so that a restart adopts them instead of removing them.
    const staticPods = new StaticPodSource({
      dir: opts.podManifestPath ?? path.join(paths.dataDir, 'manifests'),
      nodeName: opts.nodeName,
      store,
      clock,
      logger: logger.child({ component: 'static-pods' }),
      events,
    });
    await manager.start(staticPods.load());
    undo.push(() => manager.stop());
    staticPods.start({
      upsert: (pod) => manager.upsertStaticPod(pod),
      remove: (pod) => manager.removeStaticPod(pod),
      refresh: (pod) => manager.kick(pod.metadata.uid ?? ''),
    });
    undo.push(() => staticPods.stop());
    // Pods the API could not bind at create (gated, or not matching this node) wait for a change.
    const schedulerEvents = new StoreEventSink({ store, clock, logger, component: 'default-scheduler', host: '' });
    const scheduler = new Scheduler({ store, nodeName: opts.nodeName, clock, events: schedulerEvents, logger: logger.child({ component: 'scheduler' }) });
    scheduler.start();
    undo.push(() => scheduler.stop());
    // The PV controller, the protection controllers and the local-path provisioner, as a cluster's
    // controller manager runs them; the default StorageClass is k3s's local-path.
    ensureDefaultStorageClass(store);
    const componentEvents = (component: string) => new StoreEventSink({ store, clock, logger, component, host: '' });
    const storage = new StorageController({
      store,
      clock,
      nodeName: opts.nodeName,
      localPathRoot: opts.localPathDir ? path.resolve(opts.localPathDir) : paths.storageDir,
      events: componentEvents('persistentvolume-controller'),
      provisionerEvents: componentEvents(`rancher.io/local-path_${opts.nodeName}`),
      resizerEvents: componentEvents('external-resizer rancher.io/local-path'),
      logger: logger.child({ component: 'storage' }),
    });
    storage.start();
    undo.push(() => storage.stop());

    const imageUpload = { maxBytes: opts.maxImageUploadBytes ?? DEFAULT_MAX_IMAGE_UPLOAD, reservePercent: 100 - imageGcPolicy.lowPercent };
    // CPU and memory of containers and the node, sampled from the cgroups for `kubectl top` (metrics.k8s.io).
    const resourceMetrics = await startResourceMetrics({ runtime, cgroupParent: paths.cgroupParent, nodeName: opts.nodeName, resolutionMs: opts.metricsResolutionMs ?? DEFAULT_METRICS_RESOLUTION_MS, clock, logger: logger.child({ component: 'resource-metrics' }) });
    undo.push(() => resourceMetrics.stop());
    const api = new ApiServer({ store, logger, clock, nodeName: opts.nodeName, paths, events, images, imageUpload, runtime, version: KUBE_VERSION, security, serviceAccountTokens: saTokens.issuer, metrics: () => metrics.render(), requests: activity, resourceMetrics: resourceMetrics.storage, versions: onceAsync(() => readServerVersions({ exec, runcVersion: runtimeVersion.runtimeVersion, osImage: facts.osImage })), anatomy: (pod) => podAnatomy({ runtime, exec, paths, nodeName: opts.nodeName, probeResult: (id, type) => manager.probeResult(id, type) }, pod), limits: opts.apiLimits, watches: { limiter: new WatchLimiter(opts.watchLimits), lines: new SharedEventLines() } });
    const tlsOf = (p: PkiState) => ({ certPem: p.serving.certPem, keyPem: p.serving.keyPem, clientCaPem: p.ca.certPem });
    const { url } = await api.start(opts.listen, tlsOf(pki));
    undo.push(() => api.stop());
    // Renamed over the name, so a symlink there is replaced, never written through; the new file is 0600
    // whatever mode the old one had. With the operator's own serving certificate, the client trusts it
    // through the system's roots.
    const writeKubeconfig = (p: PkiState) =>
      writeFileAtomic(paths.kubeconfigPath, renderKubeconfig(url, { caPem: servingFiles ? undefined : p.ca.certPem, client: p.admin }), { mode: 0o600 });
    await writeKubeconfig(pki);
    undo.push(watchCertificates(clock, logger, async () => {
      const next = await ensurePki(pkiOpts());
      if (next.serving.certPem !== pki.serving.certPem || next.serving.keyPem !== pki.serving.keyPem || next.ca.certPem !== pki.ca.certPem) {
        api.updateTls(tlsOf(next));
        logger.info('serving with the renewed certificate');
      }
      if (next.admin.certPem !== pki.admin.certPem) await writeKubeconfig(next);
      pki = next;
    }));
    logger.info({ url, dataDir: paths.dataDir, nodeName: opts.nodeName, podCidr: opts.podCidr }, 'peapod is serving');

    let stopped = false;
    return {
      url,
      paths,
      async stop() {
        if (stopped) return;
        stopped = true;
        await unwind(undo, logger);
      },
    };
  } catch (err) {
    await unwind(undo, logger);
    throw err;
  }
}

/** `peapod serve`: runs until SIGINT or SIGTERM. */
export async function runDaemon(opts: DaemonOptions): Promise<void> {
  const logger = createLogger({ level: opts.logLevel });
  // Private state gets explicit modes; this makes what containers see (rootfs dirs, /etc/hosts) the
  // modes Kubernetes gives them whatever umask started us, as dockerd does.
  process.umask(0o022);
  // A bug in one pod's handling must not take the node down with every other pod's monitoring: log it.
  process.on('unhandledRejection', (reason) => logger.error({ err: errorMessage(reason) }, 'unhandled rejection (bug): the daemon keeps running'));
  const daemon = await startDaemon(opts, logger);
  await new Promise<void>((resolve) => {
    const onSignal = (sig: NodeJS.Signals) => {
      logger.info({ signal: sig }, 'stopping; containers keep running');
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      resolve();
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
  await daemon.stop();
  logger.flush();
}

async function unwind(undo: (() => Promise<void> | void)[], logger: Logger): Promise<void> {
  for (const step of undo.reverse()) {
    try {
      await step();
    } catch (err) {
      logger.warn({ err: errorMessage(err) }, 'shutdown step failed');
    }
  }
  undo.length = 0;
}

function raiseLoopPriority(logger: Logger): void {
  // Every thread of the daemon, not only the loop's: V8's garbage collector marks and compacts on helper
  // threads while the loop waits for them, so a collection at the default priority paused the loop for
  // 50-100 ms in a burst. Threads started later (libuv's pool, workers) inherit the loop thread's value.
  for (const { tid, error } of setAllThreadsNice(LOOP_NICE)) {
    logger.warn({ err: errorMessage(error), tid }, 'could not raise the daemon thread priority');
  }
  try {
    const session = raiseSessionPriority(LOOP_NICE);
    if (session === 'not-session-leader') logger.info('the daemon shares its session with the programs that started it: their session keeps its CPU priority (start it with setsid for the daemon to raise its own)');
    else logger.debug({ session }, 'session priority');
  } catch (err) {
    logger.warn({ err: errorMessage(err) }, 'could not raise the daemon session priority');
  }
}

/**
 * Fewer full garbage collections under load. V8 starts marking the old generation as soon as the room
 * left below its limit is smaller than the young generation's capacity; once the young generation has
 * grown to its 16 MB semi-spaces that is true right after every collection, so a busy daemon ran a full
 * mark-compact about every second (104 over a 250-pod start and delete, each pausing the loop 5-70 ms).
 * With the triggers as percentages of the limit, marking starts when the old generation is 80% full (at
 * once past 95%): 53 over the same run, the heap peak a few MB higher. Both flags are read at each
 * allocation-limit check, so setting them at run time takes effect; a V8 without them ignores them.
 */
function spaceOutFullCollections(): void {
  v8.setFlagsFromString('--incremental-marking-soft-trigger=80');
  v8.setFlagsFromString('--incremental-marking-hard-trigger=95');
}

/**
 * kube-apiserver's system namespaces controller: every minute, the initial namespaces that are missing are
 * made again (kube-node-lease is the one a user may delete). Returns the function that stops it.
 */
function keepSystemNamespaces(store: Parameters<typeof ensureNamespaces>[0], clock: Clock, logger: Logger): () => void {
  let cancel = clock.setTimer(60_000, function again() {
    try {
      ensureNamespaces(store);
    } catch (err) {
      logger.warn({ err: errorMessage(err) }, 'could not make the system namespaces');
    }
    cancel = clock.setTimer(60_000, again);
  });
  return () => cancel();
}

/** Runs `renew` every CERT_CHECK_MS; returns the function that stops it. */
function watchCertificates(clock: Clock, logger: Logger, renew: () => Promise<void>): () => void {
  let stopped = false;
  let cancel = clock.setTimer(CERT_CHECK_MS, function again() {
    renew()
      .catch((err) => logger.error({ err: errorMessage(err) }, 'certificate renewal failed; retrying in an hour'))
      .finally(() => {
        if (!stopped) cancel = clock.setTimer(CERT_CHECK_MS, again);
      });
  });
  return () => {
    stopped = true;
    cancel();
  };
}

function readOptional(file: string): string | undefined {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

/** fn's first answer, kept (a failure is not kept: the next call asks again). */
function onceAsync<T>(fn: () => Promise<T>): () => Promise<T> {
  let p: Promise<T> | undefined;
  return () => (p ??= fn().catch((err: unknown) => {
    p = undefined;
    throw err;
  }));
}

function readOsImage(): string {
  const m = /^PRETTY_NAME="?([^"\n]*)"?/m.exec(readOptional('/etc/os-release') ?? '');
  return m?.[1] ?? 'Linux';
}
