// A pod's anatomy (issue 16, anatomy-types.ts) read from what the node really holds: the runtime's sandbox
// and containers, the namespaces each process is in (/proc/<pid>/ns), its mounts (/proc/<pid>/mountinfo,
// traced back to the host's by device and root), its processes (its cgroup's tasks, /proc/<pid>/stat), and
// the pod's links inside its network namespace and on the host (`ip -j`). The spec only names things: which
// container is an init, sidecar or ephemeral one, which mount is which volume, what the probes are.

import { readFile, readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Container, Pod, Probe, Volume } from '../k8s/types.js';
import type { Exec } from '../system/exec.js';
import { parseMountInfo, type MountInfoEntry } from '../system/mountinfo.js';
import { LABEL_POD_UID, type ContainerStatus as RuntimeContainer, type PodSandboxStatus, type Runtime } from '../runtime/runtime.js';
import type { NodePaths } from './paths.js';
import { describeNamespaces } from '../runtime/inspect.js';
import { runtimeUidOf } from './static-pods/manifest.js';
import {
  ANATOMY_API_VERSION,
  ANATOMY_KIND,
  type ContainerAnatomy,
  type ContainerMountAnatomy,
  type ContainerNamespace,
  type HeldNamespace,
  type InfraAnatomy,
  type NetworkAnatomy,
  type PodAnatomy,
  type ProbeAnatomy,
  type ProcessNode,
  type VolumeAnatomy,
} from './anatomy-types.js';

export interface AnatomyDeps {
  runtime: Runtime;
  exec: Exec;
  paths: NodePaths;
  nodeName: string;
  /** The host's mount table (the daemon's: it runs in the host's mount namespace). */
  hostMountInfo?: () => Promise<string>;
  /** The probe workers' last result for a container instance's probe (the pod manager's), when the daemon runs probes. */
  probeResult?: (containerId: string, type: 'Liveness' | 'Readiness' | 'Startup') => 'success' | 'failure' | 'unknown' | undefined;
}

/** The namespaces a container's first process is shown in. */
const CONTAINER_NS = ['net', 'ipc', 'uts', 'pid', 'mnt', 'cgroup'] as const;
/** Most processes drawn per container (a fork-heavy container is cut, said by `processesOmitted`). */
export const MAX_PROCESSES = 256;
/** Most bytes of a command line read per process. */
const MAX_CMDLINE = 4096;
/** How long one `ip` or `nsenter` may take. */
const SPAWN_TIMEOUT_MS = 5_000;
/** Files the runtime mounts into every container (not volumes). */
const RUNTIME_MOUNTS = ['/etc/hosts', '/etc/hostname', '/etc/resolv.conf', '/dev/shm', '/dev/termination-log'];

export async function podAnatomy(deps: AnatomyDeps, pod: Pod): Promise<PodAnatomy> {
  // A static pod's containers carry its manifest's uid, not its mirror's.
  const uid = runtimeUidOf(pod);
  const spec = pod.spec;
  const [sandboxes, runtimeContainers, hostMounts] = await Promise.all([
    deps.runtime.listPodSandboxes({ labelSelector: { [LABEL_POD_UID]: uid } }),
    deps.runtime.listContainers({ labelSelector: { [LABEL_POD_UID]: uid } }),
    (deps.hostMountInfo ?? (() => readFile('/proc/self/mountinfo', 'utf8')))().then((t) => parseMountInfo(t), () => [] as MountInfoEntry[]),
  ]);
  // The newest sandbox is the pod's current one (a ready one first).
  const sb = [...sandboxes].sort((a, b) => Number(b.state === 'ready') - Number(a.state === 'ready') || b.createdAt - a.createdAt)[0];
  const pauseNs = sb?.pid ? await namespacesOf(sb.pid) : {};
  const infra = sb ? await infraAnatomy(deps, pod, sb, pauseNs) : undefined;
  const network = await networkAnatomy(deps, pod, sb);
  // The newest instance of each container name in the current sandbox (or any, for one not restarted since).
  const newest = new Map<string, RuntimeContainer>();
  for (const c of runtimeContainers) {
    const prev = newest.get(c.metadata.name);
    const better = !prev || (c.sandboxId === sb?.id && prev.sandboxId !== sb?.id) || (c.sandboxId === prev.sandboxId && c.createdAt > prev.createdAt);
    if (better) newest.set(c.metadata.name, c);
  }
  const volumeDirs = await podVolumeDirs(deps.paths, uid);
  const specs: [Container, ContainerAnatomy['kind']][] = [
    ...(spec.initContainers ?? []).map((c): [Container, ContainerAnatomy['kind']] => [c, c.restartPolicy === 'Always' ? 'sidecar' : 'init']),
    ...spec.containers.map((c): [Container, ContainerAnatomy['kind']] => [c, 'app']),
    ...(spec.ephemeralContainers ?? []).map((c): [Container, ContainerAnatomy['kind']] => [c, 'ephemeral']),
  ];
  // What the infra container holds for the pod, and the node's own namespaces (the daemon's: what
  // hostNetwork, hostIPC and hostPID give a pod), to tell each of a container's namespaces apart.
  const held = new Set((infra?.held ?? []).map((n) => n.inode));
  const hostNs = await namespacesOf(process.pid);
  const containers = markShared(await Promise.all(specs.map(([c, kind]) => containerAnatomy(deps, pod, c, kind, newest.get(c.name), held, hostNs, hostMounts, volumeDirs))));
  return {
    kind: ANATOMY_KIND,
    apiVersion: ANATOMY_API_VERSION,
    pod: {
      namespace: pod.metadata.namespace ?? 'default',
      name: pod.metadata.name ?? '',
      uid,
      phase: pod.status?.phase ?? 'Pending',
      node: spec.nodeName ?? deps.nodeName,
      ...(pod.status?.qosClass ? { qosClass: pod.status.qosClass } : {}),
    },
    ...(infra ? { infra } : {}),
    network,
    containers,
    volumes: volumesAnatomy(spec.volumes ?? [], specs.map(([c]) => c), containers, volumeDirs),
  };
}

async function infraAnatomy(deps: AnatomyDeps, pod: Pod, sb: PodSandboxStatus, ns: Record<string, string>): Promise<InfraAnatomy> {
  const spec = pod.spec;
  const kinds = [...(spec.hostNetwork ? [] : ['net']), ...(spec.hostIPC ? [] : ['ipc']), ...(spec.hostNetwork ? [] : ['uts']), ...(spec.shareProcessNamespace && !spec.hostPID ? ['pid'] : [])];
  const held: HeldNamespace[] = [];
  for (const kind of kinds) {
    const pinned = kind === 'net' ? sb.netnsPath : kind === 'pid' ? undefined : path.join(deps.paths.nsDir, `${sb.id}.${kind}`);
    // The pinned file names the namespace even when the pause is gone (its containers still join it).
    const ino = pinned ? await stat(pinned).then((s) => s.ino, () => undefined) : undefined;
    const inode = ns[kind] ?? (ino !== undefined ? `${kind}:[${ino}]` : undefined);
    if (!inode) continue;
    held.push({ kind, inode, ...(ino !== undefined ? { pinnedAt: pinned! } : {}) });
  }
  const cgroup = sb.pid ? (await readFile(`/proc/${sb.pid}/cgroup`, 'utf8').catch(() => '')).split('\n').find(Boolean)?.split(':').slice(2).join(':') : undefined;
  return {
    id: sb.id,
    state: sb.state,
    pid: sb.pid,
    createdAt: new Date(sb.createdAt).toISOString().replace(/\.\d{3}Z$/, 'Z'),
    command: sb.pid ? await commandOf(sb.pid) : '',
    held,
    ...(cgroup ? { cgroup } : {}),
  };
}

async function networkAnatomy(deps: AnatomyDeps, pod: Pod, sb: PodSandboxStatus | undefined): Promise<NetworkAnatomy> {
  const hostPorts = [...(pod.spec.initContainers ?? []), ...pod.spec.containers].flatMap((c) =>
    (c.ports ?? []).filter((p) => p.hostPort).map((p) => ({ containerPort: p.containerPort, hostPort: p.hostPort!, protocol: p.protocol ?? 'TCP', ...(p.hostIP ? { hostIP: p.hostIP } : {}) })),
  );
  const hostNetwork = !!pod.spec.hostNetwork;
  const ips = (pod.status?.podIPs ?? []).map((x) => x.ip);
  const out: NetworkAnatomy = { hostNetwork, ips: ips.length ? ips : sb?.ip ? [sb.ip] : [], hostPorts };
  if (hostNetwork || !sb?.netnsPath || sb.state !== 'ready') return out;
  // A program that cannot run or answer leaves its part out (the rest of the anatomy is still worth having).
  const failed = { code: -1, stdout: '', stderr: '' };
  const run = (cmd: string, args: string[]) => deps.exec.run(cmd, args, { timeoutMs: SPAWN_TIMEOUT_MS }).catch(() => failed);
  const inPod = (args: string[]) => run('nsenter', [`--net=${sb.netnsPath}`, '--', 'ip', '-j', ...args]);
  const [link, route, hostLinks] = await Promise.all([inPod(['addr', 'show', 'dev', 'eth0']), inPod(['route', 'show', 'default']), run('ip', ['-j', 'link', 'show'])]);
  const eth0 = link.code === 0 ? (parseJson<IpLink[]>(link.stdout) ?? [])[0] : undefined;
  if (eth0) {
    out.podInterface = {
      name: eth0.ifname,
      ...(eth0.address ? { mac: eth0.address } : {}),
      ...(eth0.mtu ? { mtu: eth0.mtu } : {}),
      addresses: (eth0.addr_info ?? []).filter((a) => a.scope !== 'link').map((a) => `${a.local}/${a.prefixlen}`),
    };
    const peer = (parseJson<IpLink[]>(hostLinks.stdout) ?? []).find((l) => l.ifindex === eth0.link_index && l.link_type === 'ether' && l.ifname !== eth0.ifname) ?? (parseJson<IpLink[]>(hostLinks.stdout) ?? []).find((l) => l.ifindex === eth0.link_index);
    if (peer && eth0.link_index !== undefined) out.hostInterface = { name: peer.ifname, ...(peer.master ? { bridge: peer.master } : {}) };
  }
  const gw = route.code === 0 ? (parseJson<{ gateway?: string }[]>(route.stdout) ?? []).find((r) => r.gateway)?.gateway : undefined;
  if (gw) out.gateway = gw;
  return out;
}

interface IpLink {
  ifindex: number;
  ifname: string;
  link_index?: number;
  link_type?: string;
  master?: string;
  address?: string;
  mtu?: number;
  addr_info?: { local: string; prefixlen: number; scope?: string }[];
}

async function containerAnatomy(
  deps: Pick<AnatomyDeps, 'probeResult'>,
  pod: Pod,
  c: Container,
  kind: ContainerAnatomy['kind'],
  rt: RuntimeContainer | undefined,
  held: Set<string>,
  hostNs: Record<string, string>,
  hostMounts: MountInfoEntry[],
  volumeDirs: Map<string, string>,
): Promise<ContainerAnatomy> {
  const statuses = kind === 'ephemeral' ? pod.status?.ephemeralContainerStatuses : kind === 'app' ? pod.status?.containerStatuses : pod.status?.initContainerStatuses;
  const st = statuses?.find((s) => s.name === c.name);
  const pid = rt?.state === 'running' ? rt.pid : 0;
  const ns = pid ? await namespacesOf(pid) : {};
  const namespaces: ContainerNamespace[] = CONTAINER_NS.filter((k) => ns[k]).map((k) => ({
    kind: k,
    inode: ns[k]!,
    from: held.has(ns[k]!) ? ('infra' as const) : ns[k] === hostNs[k] ? ('host' as const) : ('own' as const),
  }));
  const state: ContainerAnatomy['state'] = st?.state?.running ? 'running' : st?.state?.terminated ? 'terminated' : 'waiting';
  const reason = st?.state?.waiting?.reason ?? st?.state?.terminated?.reason;
  const mountInfo = pid ? await readFile(`/proc/${pid}/mountinfo`, 'utf8').then(parseMountInfo, () => undefined) : undefined;
  return {
    name: c.name,
    kind,
    image: c.image ?? '',
    ...(rt ? { id: rt.id } : {}),
    state,
    ...(reason ? { reason } : {}),
    ...(st?.state?.terminated ? { exitCode: st.state.terminated.exitCode } : {}),
    restartCount: st?.restartCount ?? 0,
    ready: !!st?.ready,
    pid,
    namespaces,
    probes: probesOf(c, st, state, rt && deps.probeResult ? (type) => deps.probeResult!(rt.id, type) : undefined),
    mounts: mountsOf(c, mountInfo, hostMounts, volumeDirs),
    ...(await processesOf(pid)),
  };
}

/**
 * A namespace of a container's own that an earlier container of the pod has too (init, sidecars and apps
 * come first, then ephemeral containers) is that container's: an ephemeral container started with
 * --target joins its target's pid namespace. Pure.
 */
export function markShared(containers: ContainerAnatomy[]): ContainerAnatomy[] {
  const first = new Map<string, string>();
  for (const c of containers) {
    for (const n of c.namespaces) {
      if (n.from !== 'own') continue;
      const owner = first.get(n.inode);
      if (owner === undefined) first.set(n.inode, c.name);
      else {
        n.from = 'container';
        n.container = owner;
      }
    }
  }
  return containers;
}

function probesOf(
  c: Container,
  st: { ready: boolean; started?: boolean } | undefined,
  state: ContainerAnatomy['state'],
  workers?: (type: 'Liveness' | 'Readiness' | 'Startup') => 'success' | 'failure' | 'unknown' | undefined,
): ProbeAnatomy[] {
  const out: ProbeAnatomy[] = [];
  const add = (type: ProbeAnatomy['type'], p: Probe | undefined, fromStatus: boolean | undefined) => {
    if (!p) return;
    // The probe workers' own last result when the daemon runs them (liveness is in no status), else what the
    // pod's status records of it (ready, started).
    const result = state !== 'running' ? undefined : workers ? workers(type === 'liveness' ? 'Liveness' : type === 'readiness' ? 'Readiness' : 'Startup') : fromStatus === undefined ? undefined : fromStatus ? 'success' : 'failure';
    out.push({
      type,
      handler: probeHandler(p),
      periodSeconds: p.periodSeconds ?? 10,
      ...(result !== undefined ? { lastResult: result } : {}),
    });
  };
  add('startup', c.startupProbe, st?.started);
  add('readiness', c.readinessProbe, st?.ready);
  add('liveness', c.livenessProbe, undefined);
  return out;
}

export function probeHandler(p: Probe): string {
  if (p.httpGet) return `httpGet ${p.httpGet.scheme === 'HTTPS' ? 'https ' : ''}${p.httpGet.host ?? ''}:${p.httpGet.port}${p.httpGet.path ?? '/'}`;
  if (p.tcpSocket) return `tcpSocket ${p.tcpSocket.host ?? ''}:${p.tcpSocket.port}`;
  if (p.grpc) return `grpc :${p.grpc.port}${p.grpc.service ? ` ${p.grpc.service}` : ''}`;
  if (p.exec) return `exec ${(p.exec.command ?? []).join(' ')}`;
  return 'none';
}

/**
 * The container's volume mounts and the runtime's files, as its mount table shows them (read-only or not,
 * and the host source traced back through the host's mount table); without a mount table (not running),
 * from the spec.
 */
export function mountsOf(c: Container, mountInfo: MountInfoEntry[] | undefined, hostMounts: MountInfoEntry[], volumeDirs: Map<string, string>): ContainerMountAnatomy[] {
  const out: ContainerMountAnatomy[] = [];
  for (const vm of c.volumeMounts ?? []) {
    const seen = mountInfo ? lastAt(mountInfo, vm.mountPath) : undefined;
    const host = seen ? hostSourceOf(seen, hostMounts) : joinSub(volumeDirs.get(vm.name), vm.subPath);
    out.push({
      volume: vm.name,
      path: vm.mountPath,
      readOnly: seen ? isReadOnly(seen) : !!vm.readOnly,
      ...(host ? { hostSource: host } : {}),
      ...(vm.subPath ? { subPath: vm.subPath } : {}),
    });
  }
  for (const p of RUNTIME_MOUNTS) {
    const seen = mountInfo ? lastAt(mountInfo, p) : undefined;
    if (!seen || (c.volumeMounts ?? []).some((v) => v.mountPath === p)) continue;
    const host = hostSourceOf(seen, hostMounts);
    out.push({ path: p, readOnly: isReadOnly(seen), ...(host ? { hostSource: host } : {}) });
  }
  return out;
}

/** The mount on top at a path (the last one listed there). */
function lastAt(entries: MountInfoEntry[], mountPoint: string): MountInfoEntry | undefined {
  const p = mountPoint.replace(/\/+$/, '') || '/';
  let found: MountInfoEntry | undefined;
  for (const e of entries) if (e.mountPoint === p) found = e;
  return found;
}

function isReadOnly(e: MountInfoEntry): boolean {
  return e.mountOptions.split(',').includes('ro');
}

/**
 * Where a container's mount comes from on the host: a host mount of the same filesystem (device) whose
 * root contains the mount's root, the rest of the path appended (a bind mount of /var/lib/.../vol on the
 * root filesystem, or of a tmpfs mounted at a volume's dir), the filesystem's whole mount preferred to a
 * bind of part of it. "tmpfs" for a tmpfs the host does not mount.
 */
export function hostSourceOf(entry: MountInfoEntry, hostMounts: MountInfoEntry[]): string | undefined {
  // A bind of a file removed since (a subPath of a configMap that was updated): the kernel appends "//deleted".
  const gone = entry.root.endsWith('//deleted');
  const e = gone ? { ...entry, root: entry.root.slice(0, -'//deleted'.length) } : entry;
  const deleted = gone ? ' (deleted)' : '';
  let best: { at: string; rootLen: number; mountLen: number } | undefined;
  for (const h of hostMounts) {
    if (h.device !== e.device) continue;
    const root = h.root === '/' ? '' : h.root;
    if (e.root !== h.root && !e.root.startsWith(root + '/')) continue;
    // The filesystem mounted whole (the shortest root) wins over binds of a part of it elsewhere; at equal
    // roots, the shortest mount point.
    if (!best || root.length < best.rootLen || (root.length === best.rootLen && h.mountPoint.length < best.mountLen)) {
      const rest = e.root === h.root ? '' : e.root.slice(root.length);
      best = { at: path.join(h.mountPoint, rest), rootLen: root.length, mountLen: h.mountPoint.length };
    }
  }
  if (best) return best.at + deleted;
  return e.fsType === 'tmpfs' ? 'tmpfs' : undefined;
}

function joinSub(dir: string | undefined, sub: string | undefined): string | undefined {
  if (!dir) return undefined;
  return sub ? path.join(dir, sub) : dir;
}

function volumesAnatomy(volumes: Volume[], containers: Container[], anatomies: ContainerAnatomy[], volumeDirs: Map<string, string>): VolumeAnatomy[] {
  return volumes.map((v) => {
    const kind = Object.keys(v).find((k) => k !== 'name') ?? 'none';
    const mountedBy = containers.flatMap((c) =>
      (c.volumeMounts ?? []).filter((m) => m.name === v.name).map((m) => ({ container: c.name, path: m.mountPath, readOnly: !!m.readOnly, ...(m.subPath ? { subPath: m.subPath } : {}) })),
    );
    // Its host dir: the pod's volume dir when there is one, else what a running container's mount traced to.
    const seen = anatomies.flatMap((a) => a.mounts.filter((m) => m.volume === v.name && !m.subPath && m.hostSource && m.hostSource !== 'tmpfs'));
    const hostSource = volumeDirs.get(v.name) ?? seen[0]?.hostSource ?? (v.hostPath ? v.hostPath.path : undefined);
    // Read-only as mounted where it runs.
    for (const m of mountedBy) {
      const a = anatomies.find((x) => x.name === m.container)?.mounts.find((x) => x.volume === v.name && x.path === m.path);
      if (a) m.readOnly = a.readOnly;
    }
    const claim = (v.persistentVolumeClaim as { claimName?: string } | undefined)?.claimName;
    const detail = v.emptyDir?.medium || claim || v.configMap?.name || v.secret?.secretName || undefined;
    return { name: v.name, kind, ...(detail ? { detail } : {}), ...(hostSource ? { hostSource } : {}), mountedBy };
  });
}

/** The pod's volume dirs on the host by volume name: <podsDir>/<uid>/volumes/<plugin>/<name>, as they exist. */
async function podVolumeDirs(paths: NodePaths, uid: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  // A uid is a UUID or a static pod's hash: anything else never names a directory (no "..").
  if (!/^[A-Za-z0-9][A-Za-z0-9-]*$/.test(uid)) return out;
  const base = path.join(paths.podsDir, uid, 'volumes');
  for (const plugin of await readdir(base).catch(() => [] as string[])) {
    for (const name of await readdir(path.join(base, plugin)).catch(() => [] as string[])) out.set(name, path.join(base, plugin, name));
  }
  return out;
}

/** The namespaces anatomy shows of a process (runtime ps's kinds and cgroup). */
function namespacesOf(pid: number): Promise<Record<string, string>> {
  return describeNamespaces(pid, CONTAINER_NS);
}

async function commandOf(pid: number): Promise<string> {
  const argv = (await readHead(`/proc/${pid}/cmdline`, MAX_CMDLINE)).split('\0').filter(Boolean);
  if (argv.length) return argv.join(' ');
  const comm = (await readFile(`/proc/${pid}/comm`, 'utf8').catch(() => '')).trim();
  return comm ? `[${comm}]` : '';
}

/** A container's processes as a tree, at most MAX_PROCESSES of them (its first process among them). */
async function processesOf(pid: number): Promise<{ processes: ProcessNode[]; processesOmitted?: number }> {
  if (!pid) return { processes: [] };
  const dir = await cgroupDirOf(pid);
  const all = dir ? (await readFile(path.join(dir, 'cgroup.procs'), 'utf8').catch(() => '')).split('\n').filter(Boolean).map(Number) : [];
  const procs = [pid, ...all.filter((p) => p !== pid).sort((a, b) => a - b)].slice(0, MAX_PROCESSES);
  const omitted = Math.max(0, new Set([pid, ...all]).size - procs.length);
  return { processes: await processTree(procs), ...(omitted ? { processesOmitted: omitted } : {}) };
}

/** The given processes (the container's, from its cgroup) as a tree. */
async function processTree(procs: number[]): Promise<ProcessNode[]> {
  const rows = await Promise.all(
    procs.map(async (p) => {
      const s = await readFile(`/proc/${p}/stat`, 'utf8').catch(() => '');
      // pid (comm) state ppid ...: comm may hold spaces and parentheses, so read after the last ')'.
      const ppid = Number(s.slice(s.lastIndexOf(')') + 2).split(' ')[1]);
      return s ? { pid: p, ppid: Number.isFinite(ppid) ? ppid : 0, command: await commandOf(p) } : undefined;
    }),
  );
  return buildTree(rows.filter((r): r is { pid: number; ppid: number; command: string } => !!r));
}

/** Processes into trees: a process whose parent is not among them is a root; children by pid. */
export function buildTree(rows: { pid: number; ppid: number; command: string }[]): ProcessNode[] {
  const nodes = new Map(rows.map((r) => [r.pid, { ...r, children: [] as ProcessNode[] }]));
  const roots: ProcessNode[] = [];
  for (const n of [...nodes.values()].sort((a, b) => a.pid - b.pid)) {
    const parent = n.ppid !== n.pid ? nodes.get(n.ppid) : undefined;
    (parent ? parent.children : roots).push(n);
  }
  return roots;
}

/** At most `max` bytes of a file (a command line can be megabytes). */
async function readHead(file: string, max: number): Promise<string> {
  const { open } = await import('node:fs/promises');
  const fh = await open(file, 'r').catch(() => undefined);
  if (!fh) return '';
  try {
    const buf = Buffer.alloc(max);
    const { bytesRead } = await fh.read(buf, 0, max, 0);
    return buf.subarray(0, bytesRead).toString('utf8');
  } catch {
    return '';
  } finally {
    await fh.close();
  }
}

/** The pids hierarchy's dir of a process (its container's cgroup), else the first v1 one listed. */
async function cgroupDirOf(pid: number): Promise<string | undefined> {
  const lines = (await readFile(`/proc/${pid}/cgroup`, 'utf8').catch(() => '')).split('\n').filter(Boolean);
  const pick = lines.find((l) => l.split(':')[1] === 'pids') ?? lines.find((l) => l.split(':')[0] === '0');
  if (!pick) return undefined;
  const [, controllers, rel] = pick.split(':');
  const dir = controllers === '' ? path.join('/sys/fs/cgroup', (await exists('/sys/fs/cgroup/unified')) ? 'unified' : '', rel!) : path.join('/sys/fs/cgroup', controllers!, rel!);
  return (await exists(dir)) ? dir : undefined;
}

async function exists(p: string): Promise<boolean> {
  return stat(p).then(() => true, () => false);
}

function parseJson<T>(text: string): T | undefined {
  try {
    return JSON.parse(text) as T;
  } catch {
    return undefined;
  }
}
