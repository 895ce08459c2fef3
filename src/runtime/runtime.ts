// The Runtime contract between the pod manager (pods/) and the host (runc, conmon, CNI, overlayfs),
// in the spirit of the CRI. It speaks sandboxes and containers, never Pods: pods/ translates a Pod spec
// into these configs, as the kubelet does.
//
// Rules every implementation keeps:
// - stop/remove of something already gone succeeds (idempotent);
// - removing a sandbox force-removes its containers;
// - every record is persisted before its side effect, so a restarted daemon finds what it made;
// - containers keep running when the daemon exits; a new Runtime over the same state picks them up.

import type { StreamingRuntime } from './streaming/types.js';

export interface PortMapping {
  protocol: 'TCP' | 'UDP' | 'SCTP';
  containerPort: number;
  hostPort: number;
  /** Host address to bind; "" or undefined = all addresses. */
  hostIP?: string;
}

export interface DNSConfig {
  servers: string[];
  searches: string[];
  options: string[];
}

export interface HostAliasEntry {
  ip: string;
  hostnames: string[];
}

/** Kubelet labels every sandbox and container carries (the io.kubernetes.* keys). */
export const LABEL_POD_NAME = 'io.kubernetes.pod.name';
export const LABEL_POD_NAMESPACE = 'io.kubernetes.pod.namespace';
export const LABEL_POD_UID = 'io.kubernetes.pod.uid';
export const LABEL_CONTAINER_NAME = 'io.kubernetes.container.name';
/** Infra container name, as the kubelet's docker shim called it. */
export const INFRA_CONTAINER_NAME = 'POD';

export interface PodSandboxMetadata {
  name: string;
  namespace: string;
  uid: string;
  /** How many sandboxes this pod had before this one. */
  attempt: number;
}

/** A hugetlb limit (the CRI's HugepageLimit): the page size as the controller spells it ("2MB", "1GB"). */
export interface HugepageLimit {
  pageSize: string;
  limitBytes: number;
}

export interface LinuxSandboxResources {
  /** Pod-level limits written to the pod cgroup (sum of container limits when every container sets one). */
  cpuShares?: number;
  cpuQuota?: number;
  cpuPeriod?: number;
  memoryLimitBytes?: number;
  /**
   * The huge pages the pod may use, by page size. The runtime limits every other page size of the host
   * to 0, as the kubelet does, wherever the hugetlb controller exists.
   */
  hugepageLimits?: HugepageLimit[];
}

export interface PodSandboxConfig {
  metadata: PodSandboxMetadata;
  hostname: string;
  /** Directory for this pod's container logs: /var/log/pods/<ns>_<name>_<uid> (or under the data dir). */
  logDirectory: string;
  dns: DNSConfig;
  hostAliases: HostAliasEntry[];
  portMappings: PortMapping[];
  labels: Record<string, string>;
  annotations: Record<string, string>;
  hostNetwork: boolean;
  hostPID: boolean;
  hostIPC: boolean;
  /** Containers join the sandbox PID namespace (pause is PID 1). */
  shareProcessNamespace: boolean;
  /** sysctls set on the infra container (net.* apply to the pod netns). */
  sysctls: Record<string, string>;
  resources?: LinuxSandboxResources;
  /**
   * The QoS level the pod cgroup sits under, as the kubelet's cgroup parent (<parent>/burstable/pod<uid>,
   * <parent>/besteffort/pod<uid>); unset = Guaranteed, directly under the node's parent.
   */
  qosLevel?: 'burstable' | 'besteffort';
}

export type SandboxState = 'ready' | 'notready';

export interface PodSandboxStatus {
  id: string;
  metadata: PodSandboxMetadata;
  state: SandboxState;
  /** Unix ms. */
  createdAt: number;
  /** Primary pod IP; undefined with hostNetwork (the pod uses the host's IPs). */
  ip?: string;
  additionalIps: string[];
  /** PID of the infra (pause) process, 0 when not running. */
  pid: number;
  /** Pinned network namespace file; undefined with hostNetwork. */
  netnsPath?: string;
  hostNetwork: boolean;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

export interface PodSandboxFilter {
  id?: string;
  state?: SandboxState;
  labelSelector?: Record<string, string>;
}

export interface Mount {
  containerPath: string;
  hostPath: string;
  readonly: boolean;
  /** Bind a single file or directory; propagation as in the OCI spec. */
  propagation?: 'private' | 'rslave' | 'rshared';
}

export interface LinuxContainerResources {
  cpuShares?: number;
  cpuQuota?: number;
  cpuPeriod?: number;
  memoryLimitBytes?: number;
  oomScoreAdj?: number;
  pidsLimit?: number;
  /** As LinuxSandboxResources.hugepageLimits, for the container's cgroup. */
  hugepageLimits?: HugepageLimit[];
}

export interface LinuxContainerSecurity {
  privileged: boolean;
  runAsUser?: number;
  runAsGroup?: number;
  /** Resolve the user from the image (name, uid, uid:gid...) when runAsUser is unset. */
  imageUser?: string;
  supplementalGroups: number[];
  readonlyRootfs: boolean;
  noNewPrivileges: boolean;
  capabilitiesAdd: string[];
  capabilitiesDrop: string[];
  /** Unset = Unconfined. Ignored for privileged containers, which always run unconfined (as in CRI-O). */
  seccompProfile?: SeccompProfile;
}

/**
 * The CRI's seccomp SecurityProfile: the runtime's default profile, or a profile file on the node
 * (the kubelet resolves the pod's relative localhostProfile against its seccomp dir). A file that is
 * missing or unreadable fails createContainer; it never falls back to unconfined.
 */
export type SeccompProfile = { type: 'RuntimeDefault' } | { type: 'Localhost'; localhostRef: string };

export interface ContainerMetadata {
  name: string;
  /** Restart count of this container in the pod (0 for the first instance). */
  attempt: number;
}

export interface ContainerConfig {
  metadata: ContainerMetadata;
  /** Image reference as the pod spec names it; the runtime resolves it through the image store. */
  image: string;
  /** Final argv (entrypoint + cmd already merged by Kubernetes' rules; $(VAR) already expanded). */
  args: string[];
  /** Final environment, in order (image env already merged). */
  envs: { key: string; value: string }[];
  workingDir: string;
  mounts: Mount[];
  /** Relative to the sandbox's logDirectory: "<container>/<attempt>.log". */
  logPath: string;
  stdin: boolean;
  stdinOnce: boolean;
  tty: boolean;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  security: LinuxContainerSecurity;
  resources: LinuxContainerResources;
  /** Signal name for stop, e.g. "SIGTERM" (the image's STOPSIGNAL, else SIGTERM). */
  stopSignal: string;
  /** Join this container's PID namespace (ephemeral containers' target), by container id. */
  targetContainerId?: string;
  /**
   * Where in the container the runtime binds the container's termination log (a file of its own,
   * created 0666; at most its last 4 KiB become the exit's message). Unset or empty: no termination log.
   * A relative path is taken from the root, as runc takes a relative mount destination.
   */
  terminationMessagePath?: string;
}

export type ContainerState = 'created' | 'running' | 'exited' | 'unknown';

export interface ContainerStatus {
  id: string;
  sandboxId: string;
  metadata: ContainerMetadata;
  state: ContainerState;
  /** Unix ms; 0 when not reached. */
  createdAt: number;
  startedAt: number;
  finishedAt: number;
  exitCode: number;
  /** "OOMKilled" when the kernel killed it for memory, "Error"/"Completed" otherwise, "" while running. */
  reason: string;
  message: string;
  /** The image reference as configured, and the resolved image id (sha256:...). */
  image: string;
  imageRef: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  /** Absolute path of this instance's log file. */
  logPath: string;
  /** Host PID of the container's first process, 0 when not running. */
  pid: number;
}

export interface ContainerFilter {
  id?: string;
  sandboxId?: string;
  state?: ContainerState;
  labelSelector?: Record<string, string>;
}

export interface ExecSyncResult {
  exitCode: number;
  stdout: Buffer;
  stderr: Buffer;
}

export interface RuntimeVersion {
  runtimeName: string;
  runtimeVersion: string;
}

/** The sandbox role (the CRI's RuntimeService sandbox calls). */
export interface SandboxRuntime {
  /**
   * Creates the sandbox: namespaces, cgroup and files at once; the infra container and the pod network
   * may still be on their way when it returns (containers can be created meanwhile; none starts before
   * they are done, and a failure of either fails every start with a SandboxStartError).
   */
  runPodSandbox(config: PodSandboxConfig): Promise<string>;
  /** Resolves once the sandbox's pod network is attached (its IP known); rejects with a SandboxStartError if it failed. */
  waitSandboxNetwork(id: string): Promise<void>;
  /** Stops every container of the sandbox (created ones too) and the infra container; tears the network down. */
  stopPodSandbox(id: string): Promise<void>;
  /** Removes the sandbox and all its containers, mounts, cgroups and state. */
  removePodSandbox(id: string): Promise<void>;
  /** NotFoundError when unknown. */
  podSandboxStatus(id: string): Promise<PodSandboxStatus>;
  listPodSandboxes(filter?: PodSandboxFilter): Promise<PodSandboxStatus[]>;
  /**
   * Sets the cpu.shares of the burstable QoS level, which the pod manager keeps at the sum of its
   * burstable pods' cpu requests (the kubelet's QoS container manager), so that those pods together
   * weigh what they requested against Guaranteed pods. Not a CRI call: the kubelet writes it itself.
   */
  setBurstableCpuShares(shares: number): Promise<void>;
}

/** The container role. ConflictError for a create in a sandbox that is not ready, a start of a container that is not created, an exec in one that is not running. */
export interface ContainerRuntime {
  /** Prepares rootfs and bundle, spawns conmon and `runc create`; the container is 'created'. */
  createContainer(sandboxId: string, config: ContainerConfig, sandboxConfig: PodSandboxConfig): Promise<string>;
  startContainer(id: string): Promise<void>;
  /** Sends the stop signal, waits up to timeoutSeconds, then SIGKILL; resolves once it has exited. */
  stopContainer(id: string, timeoutSeconds: number): Promise<void>;
  removeContainer(id: string): Promise<void>;
  /** NotFoundError when unknown. */
  containerStatus(id: string): Promise<ContainerStatus>;
  listContainers(filter?: ContainerFilter): Promise<ContainerStatus[]>;
  /**
   * Bytes each container's writable layer uses on disk (the CRI's ContainerStats writable_layer), by
   * id; ids the runtime does not know, or whose layer is gone, are absent.
   */
  containerFsUsage(ids: string[]): Promise<Map<string, number>>;
  /** Runs cmd in the container; on timeout, TimeoutError, and what it started is killed. */
  execSync(id: string, cmd: string[], timeoutMs: number): Promise<ExecSyncResult>;
  /**
   * Subscribes to container state changes (exit, OOM), so the pod manager need not poll.
   * Returns an unsubscribe function.
   */
  onContainerEvent(listener: (ev: ContainerEvent) => void): () => void;
}

/**
 * The whole contract, by role as the CRI splits it: sandboxes, containers and streaming (exec, attach,
 * port-forward; streaming/types.ts). Both implementations pass one behaviour suite (conformance.ts).
 */
export interface Runtime extends SandboxRuntime, ContainerRuntime, StreamingRuntime {
  version(): Promise<RuntimeVersion>;
}

export interface ContainerEvent {
  /**
   * 'sandbox-exited': the infra container died (containerId is empty); the pod's sandbox is not ready.
   * 'sandbox-ready': a sandbox that runPodSandbox returned while its infra container and network were still
   * being made has them now (containerId is empty): its IP is known. A runtime that returns only once they
   * are made need not publish it.
   */
  type: 'created' | 'started' | 'exited' | 'removed' | 'sandbox-exited' | 'sandbox-ready';
  containerId: string;
  sandboxId: string;
  podUid: string;
}
