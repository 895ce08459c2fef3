// Pure builders of the OCI config.json for the infra (pause) container and app containers
// (node-runtime.md §2.1, §3). No I/O: every host fact (pause pid, netns path, resolved user) is an input.

import path from 'node:path';
import type { ContainerConfig, HugepageLimit, Mount, PodSandboxConfig } from './runtime.js';
import type { OciMount, OciNamespace, OciResources, OciSeccomp, OciSpec, OciUser } from './oci-types.js';
import { toOciSeccomp } from './seccomp/convert.js';
import type { ResolvedSeccomp } from './seccomp/profiles.js';

export const OCI_VERSION = '1.0.2';
export const DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/** containerd's long-standing CRI default set (CapBnd a80425fb). */
export const DEFAULT_CAPABILITIES = [
  'CAP_CHOWN', 'CAP_DAC_OVERRIDE', 'CAP_FSETID', 'CAP_FOWNER', 'CAP_MKNOD', 'CAP_NET_RAW', 'CAP_SETGID',
  'CAP_SETUID', 'CAP_SETFCAP', 'CAP_SETPCAP', 'CAP_NET_BIND_SERVICE', 'CAP_SYS_CHROOT', 'CAP_KILL',
  'CAP_AUDIT_WRITE',
];

/** Every capability runc 1.1 knows (0..40), for privileged containers and "ALL". */
export const ALL_CAPABILITIES = [
  'CAP_CHOWN', 'CAP_DAC_OVERRIDE', 'CAP_DAC_READ_SEARCH', 'CAP_FOWNER', 'CAP_FSETID', 'CAP_KILL', 'CAP_SETGID',
  'CAP_SETUID', 'CAP_SETPCAP', 'CAP_LINUX_IMMUTABLE', 'CAP_NET_BIND_SERVICE', 'CAP_NET_BROADCAST',
  'CAP_NET_ADMIN', 'CAP_NET_RAW', 'CAP_IPC_LOCK', 'CAP_IPC_OWNER', 'CAP_SYS_MODULE', 'CAP_SYS_RAWIO',
  'CAP_SYS_CHROOT', 'CAP_SYS_PTRACE', 'CAP_SYS_PACCT', 'CAP_SYS_ADMIN', 'CAP_SYS_BOOT', 'CAP_SYS_NICE',
  'CAP_SYS_RESOURCE', 'CAP_SYS_TIME', 'CAP_SYS_TTY_CONFIG', 'CAP_MKNOD', 'CAP_LEASE', 'CAP_AUDIT_WRITE',
  'CAP_AUDIT_CONTROL', 'CAP_SETFCAP', 'CAP_MAC_OVERRIDE', 'CAP_MAC_ADMIN', 'CAP_SYSLOG', 'CAP_WAKE_ALARM',
  'CAP_BLOCK_SUSPEND', 'CAP_AUDIT_READ', 'CAP_PERFMON', 'CAP_BPF', 'CAP_CHECKPOINT_RESTORE',
];

export const MASKED_PATHS = [
  '/proc/acpi', '/proc/asound', '/proc/kcore', '/proc/keys', '/proc/latency_stats', '/proc/timer_list',
  '/proc/timer_stats', '/proc/sched_debug', '/proc/scsi', '/sys/firmware', '/sys/devices/virtual/powercap',
];
export const READONLY_PATHS = ['/proc/bus', '/proc/fs', '/proc/irq', '/proc/sys', '/proc/sysrq-trigger'];

/** "pod<uid>" cgroup of a pod under the engine's cgroupfs parent. */
export function podCgroupName(uid: string): string {
  return `pod${uid}`;
}

/** The cgroup of a container: <parent>[/<qos level>]/pod<uid>/<id> (PodSandboxConfig.qosLevel). */
export function cgroupsPathFor(cgroupParent: string, podUid: string, id: string, qosLevel?: string): string {
  return `/${cgroupParent}${qosLevel ? `/${qosLevel}` : ''}/${podCgroupName(podUid)}/${id}`;
}

function normCap(c: string): string {
  const u = c.toUpperCase();
  return u.startsWith('CAP_') ? u : `CAP_${u}`;
}

/**
 * The capabilities a bounding mask grants, by bit number (/proc/<pid>/status CapBnd, hex). A container
 * can hold no capability its runtime lacks: runc fails to start it ("unable to apply caps").
 */
export function capabilitiesFromMask(hex: string): string[] {
  const mask = BigInt(`0x${hex.trim() || '0'}`);
  return ALL_CAPABILITIES.filter((_, bit) => (mask >> BigInt(bit)) & 1n);
}

/**
 * Default set, then drops, then adds ("ALL" in either works as in containerd: drop ALL first).
 * "Everything" (privileged, add ALL) means every capability the host grants the runtime, as containerd
 * and CRI-O give privileged containers their own capabilities, not a fixed list.
 */
export function computeCapabilities(privileged: boolean, add: string[], drop: string[], hostCapabilities: readonly string[] = ALL_CAPABILITIES): string[] {
  const all = ALL_CAPABILITIES.filter((c) => hostCapabilities.includes(c));
  if (privileged) return all;
  const adds = add.map(normCap);
  const drops = drop.map(normCap);
  let caps = drops.includes('CAP_ALL') ? [] : DEFAULT_CAPABILITIES.filter((c) => !drops.includes(c));
  if (adds.includes('CAP_ALL')) caps = all.filter((c) => !drops.includes(c) || adds.includes(c));
  for (const c of adds) if (c !== 'CAP_ALL' && !caps.includes(c)) caps.push(c);
  return caps;
}

const proc: OciMount = { destination: '/proc', type: 'proc', source: 'proc', options: ['nosuid', 'noexec', 'nodev'] };
const dev: OciMount = {
  destination: '/dev', type: 'tmpfs', source: 'tmpfs', options: ['nosuid', 'strictatime', 'mode=755', 'size=65536k'],
};
const devpts: OciMount = {
  destination: '/dev/pts', type: 'devpts', source: 'devpts',
  options: ['nosuid', 'noexec', 'newinstance', 'ptmxmode=0666', 'mode=0620', 'gid=5'],
};
const mqueue: OciMount = { destination: '/dev/mqueue', type: 'mqueue', source: 'mqueue', options: ['nosuid', 'noexec', 'nodev'] };

function bind(destination: string, source: string, readonly: boolean, propagation = 'rprivate'): OciMount {
  return { destination, type: 'bind', source, options: ['rbind', propagation, readonly ? 'ro' : 'rw'] };
}

export interface InfraSpecInput {
  sandboxId: string;
  config: PodSandboxConfig;
  /** Empty directory used as the read-only root. */
  rootfsDir: string;
  /** Pinned netns; undefined with hostNetwork. */
  netnsPath?: string;
  /** Pinned IPC and UTS namespaces to join (ns-pins.ts); without them the infra makes its own. */
  ipcPath?: string;
  utsPath?: string;
  cgroupParent: string;
  catatonitPath: string;
}

export function buildInfraSpec(input: InfraSpecInput): OciSpec {
  const c = input.config;
  const namespaces: OciNamespace[] = [{ type: 'mount' }];
  if (!c.hostPID) namespaces.push({ type: 'pid' });
  if (!c.hostIPC) namespaces.push(input.ipcPath ? { type: 'ipc', path: input.ipcPath } : { type: 'ipc' });
  if (!c.hostNetwork) {
    namespaces.push(input.utsPath ? { type: 'uts', path: input.utsPath } : { type: 'uts' });
    if (input.netnsPath) namespaces.push({ type: 'network', path: input.netnsPath });
  }
  const sysctl = c.hostNetwork ? nonNetSysctls(c.sysctls) : { ...c.sysctls };
  return {
    ociVersion: OCI_VERSION,
    process: {
      terminal: false,
      user: { uid: 0, gid: 0 },
      args: ['/catatonit', '-P'],
      env: [`PATH=${DEFAULT_PATH}`],
      cwd: '/',
      capabilities: capSet(DEFAULT_CAPABILITIES),
      noNewPrivileges: true,
    },
    root: { path: input.rootfsDir, readonly: true },
    ...(c.hostNetwork ? {} : { hostname: c.hostname }),
    mounts: [proc, dev, { destination: '/catatonit', type: 'bind', source: input.catatonitPath, options: ['bind', 'ro'] }],
    annotations: { ...c.annotations },
    linux: {
      namespaces,
      cgroupsPath: cgroupsPathFor(input.cgroupParent, c.metadata.uid, input.sandboxId, c.qosLevel),
      resources: { devices: [{ allow: false, access: 'rwm' }] },
      ...(Object.keys(sysctl).length ? { sysctl } : {}),
      maskedPaths: MASKED_PATHS,
      readonlyPaths: READONLY_PATHS,
    },
  };
}

/** With hostNetwork, net.* sysctls would change the host: they are dropped (the kubelet rejects them). */
function nonNetSysctls(s: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(s).filter(([k]) => !k.startsWith('net.')));
}

function capSet(caps: string[]) {
  return { bounding: [...caps], effective: [...caps], permitted: [...caps] };
}

export interface AppSpecInput {
  containerId: string;
  config: ContainerConfig;
  sandboxConfig: PodSandboxConfig;
  /** Overlay merged dir. */
  rootfs: string;
  user: OciUser;
  /** Host PID of the pause process (namespaces not pinned as files are joined through /proc/<pid>/ns). */
  pausePid: number;
  netnsPath?: string;
  /** The sandbox's pinned IPC and UTS namespaces (ns-pins.ts), joined instead of the pause's. */
  ipcPath?: string;
  utsPath?: string;
  /** Host PID of the target container (ephemeral containers join its PID namespace). */
  targetPid?: number;
  files: { hosts: string; resolvConf: string; hostname: string; shm: string; terminationLog: string };
  cgroupParent: string;
  /** The container's seccomp profile (undefined = unconfined), resolved against its capabilities here. */
  seccomp?: ResolvedSeccomp;
  /** The runtime's own bounding set: what "all capabilities" means on this host; default every known one. */
  hostCapabilities?: readonly string[];
  /** Page sizes the host's hugetlb controller limits ("2MB", "1GB"); none when it has no such controller. */
  hugepageSizes?: readonly string[];
}

export function buildAppSpec(input: AppSpecInput): OciSpec {
  const c = input.config;
  const sb = input.sandboxConfig;
  const priv = c.security.privileged;
  const caps = computeCapabilities(priv, c.security.capabilitiesAdd, c.security.capabilitiesDrop, input.hostCapabilities);
  const seccomp = appSeccomp(input.seccomp, priv, caps);
  return {
    ociVersion: OCI_VERSION,
    process: {
      terminal: c.tty,
      user: input.user,
      args: c.args,
      env: buildEnv(c, sb),
      cwd: c.workingDir || '/',
      capabilities: capSet(caps),
      noNewPrivileges: c.security.noNewPrivileges,
      ...(c.resources.oomScoreAdj !== undefined ? { oomScoreAdj: clampOomScoreAdj(c.resources.oomScoreAdj) } : {}),
    },
    root: { path: input.rootfs, readonly: c.security.readonlyRootfs },
    ...(sb.hostNetwork ? {} : { hostname: sb.hostname }),
    mounts: [...defaultAppMounts(input, priv), ...userMounts(withTerminationLog(c, input.files.terminationLog))],
    annotations: { ...c.annotations },
    linux: {
      namespaces: appNamespaces(input),
      cgroupsPath: cgroupsPathFor(input.cgroupParent, sb.metadata.uid, input.containerId, sb.qosLevel),
      resources: appResources(c, priv, input.hugepageSizes ?? []),
      ...(priv ? {} : { maskedPaths: MASKED_PATHS, readonlyPaths: READONLY_PATHS }),
      ...(seccomp ? { seccomp } : {}),
    },
  };
}

/**
 * The profile's rules resolved against this container's capabilities (bounding = effective here).
 * Privileged containers run unconfined whatever they asked for, as CRI-O and containerd do.
 */
function appSeccomp(resolved: ResolvedSeccomp | undefined, priv: boolean, caps: string[]): OciSeccomp | undefined {
  if (!resolved || priv) return undefined;
  return toOciSeccomp(resolved.profile, { arch: resolved.arch, kernel: resolved.kernel, caps });
}

/**
 * oom_score_adj below 0 needs CAP_SYS_RESOURCE, which root lacks on this host (runc create would fail):
 * clamp to [0, 1000].
 */
export function clampOomScoreAdj(v: number): number {
  return Math.min(1000, Math.max(0, Math.trunc(v)));
}

function buildEnv(c: ContainerConfig, sb: PodSandboxConfig): string[] {
  const env = c.envs.map((e) => `${e.key}=${e.value}`);
  const has = (k: string) => c.envs.some((e) => e.key === k);
  if (!has('PATH')) env.unshift(`PATH=${DEFAULT_PATH}`);
  if (!has('HOSTNAME')) env.push(`HOSTNAME=${sb.hostname}`);
  return env;
}

function appNamespaces(input: AppSpecInput): OciNamespace[] {
  const sb = input.sandboxConfig;
  const ns = (t: string) => `/proc/${input.pausePid}/ns/${t}`;
  const out: OciNamespace[] = [{ type: 'mount' }];
  if (!sb.hostPID) {
    if (input.targetPid) out.push({ type: 'pid', path: `/proc/${input.targetPid}/ns/pid` });
    else if (sb.shareProcessNamespace) out.push({ type: 'pid', path: ns('pid') });
    else out.push({ type: 'pid' });
  }
  if (!sb.hostIPC) out.push({ type: 'ipc', path: input.ipcPath ?? ns('ipc') });
  if (!sb.hostNetwork) {
    out.push({ type: 'uts', path: input.utsPath ?? ns('uts') });
    out.push({ type: 'network', path: input.netnsPath ?? ns('net') });
  }
  return out;
}

function defaultAppMounts(input: AppSpecInput, priv: boolean): OciMount[] {
  const f = input.files;
  return [
    proc,
    dev,
    devpts,
    mqueue,
    { destination: '/sys', type: 'sysfs', source: 'sysfs', options: ['nosuid', 'noexec', 'nodev', priv ? 'rw' : 'ro'] },
    {
      destination: '/sys/fs/cgroup', type: 'cgroup', source: 'cgroup',
      options: ['nosuid', 'noexec', 'nodev', 'relatime', priv ? 'rw' : 'ro'],
    },
    bind('/dev/shm', f.shm, false),
    bind('/etc/hosts', f.hosts, false),
    bind('/etc/resolv.conf', f.resolvConf, false),
    bind('/etc/hostname', f.hostname, false),
  ];
}

/**
 * The container's mounts with its termination log last, at its terminationMessagePath, as the kubelet
 * appends it after the volume mounts: sorted with them, so a volume mounted above that path does not
 * hide it.
 */
function withTerminationLog(c: ContainerConfig, file: string): Mount[] {
  // Unset (a config made without a pod spec) is the API's default path; an empty one has no file, as the kubelet.
  const at = c.terminationMessagePath ?? '/dev/termination-log';
  if (!at) return c.mounts;
  return [...c.mounts, { containerPath: path.posix.join('/', at), hostPath: file, readonly: false }];
}

/** Parents before children (so a child mount is not hidden by its parent); ties keep their order. */
export function userMounts(mounts: Mount[]): OciMount[] {
  const depth = (p: string) => p.split('/').filter(Boolean).length;
  return mounts
    .map((m, i) => ({ m, i }))
    .sort((a, b) => depth(a.m.containerPath) - depth(b.m.containerPath) || a.i - b.i)
    .map(({ m }) => bind(m.containerPath, m.hostPath, m.readonly, propagationOption(m.propagation)));
}

function propagationOption(p: Mount['propagation']): string {
  return p === undefined || p === 'private' ? 'rprivate' : p;
}

/**
 * A hugetlb limit for every page size of the host: what was asked for, 0 for the rest (the kubelet's
 * GetHugepageLimitsFromResources), so a container that asked for no huge pages can use none.
 */
export function hugetlbLimits(asked: readonly HugepageLimit[] | undefined, hostSizes: readonly string[]): { pageSize: string; limit: number }[] {
  return hostSizes.map((pageSize) => ({ pageSize, limit: asked?.find((h) => h.pageSize === pageSize)?.limitBytes ?? 0 }));
}

function appResources(c: ContainerConfig, priv: boolean, hugepageSizes: readonly string[]): OciResources {
  const r = c.resources;
  const out: OciResources = { devices: [{ allow: priv, access: 'rwm' }] };
  const cpu: NonNullable<OciResources['cpu']> = {};
  if (r.cpuShares !== undefined) cpu.shares = r.cpuShares;
  if (r.cpuQuota !== undefined && r.cpuQuota > 0) cpu.quota = r.cpuQuota;
  if (r.cpuPeriod !== undefined && r.cpuPeriod > 0) cpu.period = r.cpuPeriod;
  if (Object.keys(cpu).length) out.cpu = cpu;
  if (r.memoryLimitBytes !== undefined && r.memoryLimitBytes > 0) {
    out.memory = { limit: r.memoryLimitBytes, swap: r.memoryLimitBytes };
  }
  if (r.pidsLimit !== undefined && r.pidsLimit > 0) out.pids = { limit: r.pidsLimit };
  if (hugepageSizes.length) out.hugepageLimits = hugetlbLimits(r.hugepageLimits, hugepageSizes);
  return out;
}
