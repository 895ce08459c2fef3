// A running pod's anatomy (issue 16): what the node really holds for it, read from the runtime's state and
// the host (/proc, mountinfo, the network namespace's links), not from the spec. Served as the pods/anatomy
// subresource (GET /api/v1/namespaces/<ns>/pods/<name>/anatomy); `peapod anatomy POD` draws it as a tree,
// the dashboard as a diagram. Types only: the CLI imports them without any of the daemon's code.

export const ANATOMY_KIND = 'PodAnatomy';
export const ANATOMY_API_VERSION = 'peapod.dev/v1';

/** A namespace as the kernel names it ("net:[4026532301]"). */
export interface NamespaceRef {
  /** net, ipc, uts, pid, mnt, cgroup, user. */
  kind: string;
  /** The /proc/<pid>/ns/<kind> link's text, e.g. "net:[4026532301]". */
  inode: string;
}

/** A namespace the infra container holds for the pod. */
export interface HeldNamespace extends NamespaceRef {
  /** The file it is pinned at on the host (net, ipc, uts), so it outlives any one process. */
  pinnedAt?: string;
}

/** A container's namespace: one the infra container holds for the pod, the host's, another container's, or its own. */
export interface ContainerNamespace extends NamespaceRef {
  /**
   * infra: the same one the infra container holds (joined); host: the node's (the daemon's own, e.g.
   * hostNetwork's net); container: the one an earlier container of the pod has (`container` names it: an
   * ephemeral container's --target pid); own: none of those.
   */
  from: 'infra' | 'host' | 'container' | 'own';
  /** With from: container, whose it is. */
  container?: string;
}

/** One process of a container, with its children (by parent pid within the container's cgroup). */
export interface ProcessNode {
  pid: number;
  ppid: number;
  /** argv joined by spaces (the comm name in brackets when argv is empty). */
  command: string;
  children: ProcessNode[];
}

export interface InfraAnatomy {
  /** The runtime's sandbox id. */
  id: string;
  state: 'ready' | 'notready';
  /** Host pid of the pause process; 0 when it does not run. */
  pid: number;
  /** RFC 3339. */
  createdAt: string;
  /** The process the infra container runs (catatonit). */
  command: string;
  held: HeldNamespace[];
  /** The pause's cgroup (as /proc/<pid>/cgroup names it in the first hierarchy listed). */
  cgroup?: string;
}

export interface NetworkAnatomy {
  /** True with spec.hostNetwork: the pod has the host's network, no veth, no pod IP of its own. */
  hostNetwork: boolean;
  ips: string[];
  /** The pod's side of the veth pair, read inside its network namespace. */
  podInterface?: { name: string; mac?: string; mtu?: number; addresses: string[] };
  /** The host's side of the veth pair and the bridge it is enslaved to. */
  hostInterface?: { name: string; bridge?: string };
  /** The default route's gateway inside the pod. */
  gateway?: string;
  hostPorts: { containerPort: number; hostPort: number; protocol: string; hostIP?: string }[];
}

export interface ContainerMountAnatomy {
  /** The pod volume mounted there; absent for what the runtime adds (/etc/hosts, /etc/hostname, resolv.conf, /dev/shm, /dev/termination-log). */
  volume?: string;
  /** Path inside the container. */
  path: string;
  readOnly: boolean;
  /** Where it comes from on the host (a path; "tmpfs" for a tmpfs mounted only in the container). */
  hostSource?: string;
  /** subPath of the volume, when one was given. */
  subPath?: string;
}

export interface ProbeAnatomy {
  type: 'liveness' | 'readiness' | 'startup';
  /** e.g. "httpGet :8080/healthz", "tcpSocket :5432", "exec cat /tmp/ready", "grpc :9000". */
  handler: string;
  periodSeconds: number;
  /** What the probe workers decided last for this container instance (readiness and startup as the pod's status shows them; liveness, which no status holds, too); absent when not running. */
  lastResult?: 'success' | 'failure' | 'unknown';
}

export interface ContainerAnatomy {
  name: string;
  kind: 'init' | 'sidecar' | 'app' | 'ephemeral';
  image: string;
  /** The runtime's id of its current (or last) instance. */
  id?: string;
  state: 'waiting' | 'running' | 'terminated';
  /** waiting/terminated reason (CrashLoopBackOff, Completed, ...). */
  reason?: string;
  exitCode?: number;
  restartCount: number;
  ready: boolean;
  /** Host pid of its first process; 0 when it does not run. */
  pid: number;
  /** The namespaces its first process is in, each joined from the infra container or its own (empty when it does not run). */
  namespaces: ContainerNamespace[];
  probes: ProbeAnatomy[];
  mounts: ContainerMountAnatomy[];
  /** Its processes as a tree (the roots: usually its first process); empty when it does not run. */
  processes: ProcessNode[];
  /** Processes left out of `processes` (at most 256 are read per container). */
  processesOmitted?: number;
}

export interface VolumeAnatomy {
  name: string;
  /** The volume source's field name: emptyDir, configMap, secret, hostPath, persistentVolumeClaim, projected, downwardAPI, ... */
  kind: string;
  /** emptyDir's medium ("Memory") or the claim's name, when it has one. */
  detail?: string;
  /** Its directory on the host, where the containers' mounts come from. */
  hostSource?: string;
  /** Which containers mount it where. */
  mountedBy: { container: string; path: string; readOnly: boolean; subPath?: string }[];
}

export interface PodAnatomy {
  kind: typeof ANATOMY_KIND;
  apiVersion: typeof ANATOMY_API_VERSION;
  pod: { namespace: string; name: string; uid: string; phase: string; node: string; qosClass?: string };
  /** The pod's current sandbox; absent before it has one, or after it is gone. */
  infra?: InfraAnatomy;
  network: NetworkAnatomy;
  /** Init containers, then app containers (sidecars among the init ones, by their spec order), then ephemeral ones. */
  containers: ContainerAnatomy[];
  volumes: VolumeAnatomy[];
}
