// Sysctl names as Kubernetes reads them (component-helpers' node/util/sysctl and the API's validation):
// a name may separate its parts with '/' instead of '.', a kernel namespace is known for a few prefixes,
// and the kubelet's allowlist is its safe set plus what --allowed-unsafe-sysctls names. Pure.

/** A part of a sysctl name. */
const SEGMENT = '[a-z0-9]([-_a-z0-9]*[a-z0-9])?';
/** The API's regex for a sysctl name ('.' or '/' separated), as its error message prints it. */
export const SYSCTL_NAME_REGEX = `^(${SEGMENT}[\\./])*${SEGMENT}$`;
/** A pattern of --allowed-unsafe-sysctls: a name, or a prefix ending in '*'. */
const SYSCTL_PATTERN_FMT = `(${SEGMENT}[\\./])*([a-z0-9][-_a-z0-9]*)?[a-z0-9*]`;
export const SYSCTL_MAX_LENGTH = 253;

const NAME = new RegExp(SYSCTL_NAME_REGEX);
const PATTERN = new RegExp(`^${SYSCTL_PATTERN_FMT}$`);

export function isValidSysctlName(name: string): boolean {
  return name.length <= SYSCTL_MAX_LENGTH && NAME.test(name);
}

export function isValidSysctlPattern(pattern: string): boolean {
  return pattern.length <= SYSCTL_MAX_LENGTH && PATTERN.test(pattern);
}

/**
 * The dotted form of a name (sysctl.d(5)): when its first separator is '/', '.' and '/' swap, so
 * "net/ipv4/conf/eth0.100/forwarding" is "net.ipv4.conf.eth0/100.forwarding".
 */
export function normalizeSysctlName(name: string): string {
  const first = name.search(/[./]/);
  if (first < 0 || name[first] === '.') return name;
  return name.replace(/[./]/g, (c) => (c === '.' ? '/' : '.'));
}

export type SysctlNamespace = 'ipc' | 'net';

/** The kernel namespace a (dotted) sysctl belongs to, undefined when it is not known to be namespaced. */
export function sysctlNamespace(dotted: string): SysctlNamespace | undefined {
  if (dotted === 'kernel.sem') return 'ipc';
  if (['kernel.shm', 'kernel.msg', 'fs.mqueue.'].some((p) => dotted.startsWith(p))) return 'ipc';
  if (dotted.startsWith('net.')) return 'net';
  return undefined;
}

/**
 * The kubelet's safe sysctls (1.33): namespaced, and unable to affect other pods or the node. Some need a
 * newer kernel than others (ip_local_reserved_ports 3.16, the tcp_keepalive_* 4.5, tcp_fin_timeout 4.6);
 * every kernel Node 20 runs on (4.18 and later) has them all, so none is dropped here.
 */
export const SAFE_SYSCTLS: readonly string[] = [
  'kernel.shm_rmid_forced',
  'net.ipv4.ip_local_port_range',
  'net.ipv4.tcp_syncookies',
  'net.ipv4.ping_group_range',
  'net.ipv4.ip_unprivileged_port_start',
  'net.ipv4.ip_local_reserved_ports',
  'net.ipv4.tcp_keepalive_time',
  'net.ipv4.tcp_fin_timeout',
  'net.ipv4.tcp_keepalive_intvl',
  'net.ipv4.tcp_keepalive_probes',
  'net.ipv4.tcp_rmem',
  'net.ipv4.tcp_wmem',
];

/**
 * The sysctls a pod may set on this node: the safe set plus the patterns of --allowed-unsafe-sysctls
 * (names, or prefixes ending in '*'), each of which must be namespaced (a sysctl of the whole node can
 * never be set per pod).
 */
export class SysctlAllowlist {
  private readonly names = new Map<string, SysctlNamespace>();
  private readonly prefixes = new Map<string, SysctlNamespace>();

  /** Throws with the kubelet's startup message for a pattern it refuses. */
  constructor(unsafe: readonly string[] = []) {
    for (const p of [...SAFE_SYSCTLS, ...unsafe]) {
      if (!isValidSysctlPattern(p)) {
        throw new Error(`sysctl "${p}" must have at most ${SYSCTL_MAX_LENGTH} characters and match regex ${SYSCTL_PATTERN_FMT}`);
      }
      const s = normalizeSysctlName(p);
      const prefix = s.endsWith('*') ? s.slice(0, -1) : undefined;
      const ns = sysctlNamespace(prefix ?? s);
      if (!ns) throw new Error(prefix !== undefined ? `the sysctls "${s}" are not known to be namespaced` : `the sysctl "${s}" are not known to be namespaced`);
      (prefix !== undefined ? this.prefixes : this.names).set(prefix ?? s, ns);
    }
  }

  /** Why the kubelet's admission refuses this sysctl, worded as it words it; undefined when allowed. */
  refusal(name: string, hostNetwork: boolean, hostIPC: boolean): string | undefined {
    const s = normalizeSysctlName(name);
    let ns = this.names.get(s);
    for (const [p, n] of this.prefixes) {
      if (ns !== undefined) break;
      if (s.startsWith(p)) ns = n;
    }
    if (ns === undefined) return `"${s}" not allowlisted`;
    if ((ns === 'ipc' && hostIPC) || (ns === 'net' && hostNetwork)) return `"${s}" not allowed with host ${ns} enabled`;
    return undefined;
  }
}
