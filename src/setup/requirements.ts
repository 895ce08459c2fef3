// The host programs (and data files) peapod uses and the Debian packages that provide them. Pure:
// which are missing given a file-existence check, and which packages to install for them.

import { DEFAULT_SECCOMP_PROFILE_PACKAGE, DEFAULT_SECCOMP_PROFILE_PATH } from '../runtime/seccomp/profiles.js';

export interface Requirement {
  /** What the engine calls it. */
  program: string;
  /** Any of these paths will do (Debian's usrmerge puts /bin and /sbin under /usr). */
  paths: string[];
  /** The Debian package that installs it. */
  pkg: string;
  /** Why peapod needs it, for messages. */
  purpose: string;
  /** A data file peapod reads (found when readable) rather than a program it runs (found when executable). */
  file?: boolean;
}

const cni = (p: string): Requirement => ({ program: `cni/${p}`, paths: [`/usr/lib/cni/${p}`], pkg: 'containernetworking-plugins', purpose: 'pod network' });

export const REQUIREMENTS: Requirement[] = [
  { program: 'runc', paths: ['/usr/sbin/runc'], pkg: 'runc', purpose: 'OCI runtime' },
  { program: 'conmon', paths: ['/usr/bin/conmon'], pkg: 'conmon', purpose: 'container monitor' },
  { program: 'catatonit', paths: ['/usr/bin/catatonit'], pkg: 'catatonit', purpose: 'pod infra (pause) process' },
  cni('bridge'),
  cni('host-local'),
  cni('portmap'),
  cni('loopback'),
  { program: 'iptables', paths: ['/usr/sbin/iptables', '/sbin/iptables'], pkg: 'iptables', purpose: 'pod masquerade and host ports' },
  { program: 'ip', paths: ['/usr/sbin/ip', '/usr/bin/ip', '/sbin/ip', '/bin/ip'], pkg: 'iproute2', purpose: 'network namespaces' },
  { program: 'nsenter', paths: ['/usr/bin/nsenter', '/bin/nsenter'], pkg: 'util-linux', purpose: 'entering pod namespaces' },
  { program: 'socat', paths: ['/usr/bin/socat', '/bin/socat'], pkg: 'socat', purpose: 'port-forward into a pod network namespace' },
  { program: 'unshare', paths: ['/usr/bin/unshare', '/bin/unshare'], pkg: 'util-linux', purpose: 'pinning namespaces' },
  { program: 'mount', paths: ['/usr/bin/mount', '/bin/mount'], pkg: 'mount', purpose: 'overlay, tmpfs and bind mounts' },
  { program: 'tar', paths: ['/usr/bin/tar', '/bin/tar'], pkg: 'tar', purpose: 'image layers' },
  { program: 'zstd', paths: ['/usr/bin/zstd', '/bin/zstd'], pkg: 'zstd', purpose: 'zstd-compressed image layers' },
  { program: 'busybox', paths: ['/usr/bin/busybox', '/bin/busybox'], pkg: 'busybox-static', purpose: 'the localhost/busybox image' },
  { program: 'python3', paths: ['/usr/bin/python3'], pkg: 'python3', purpose: 'layer whiteouts (mknod, setxattr)' },
  {
    program: 'containers/seccomp.json', paths: [DEFAULT_SECCOMP_PROFILE_PATH], pkg: DEFAULT_SECCOMP_PROFILE_PACKAGE,
    purpose: 'the RuntimeDefault seccomp profile', file: true,
  },
];

/** Whether the path exists: executable for programs, readable for data files. */
export type FileExists = (path: string, kind: 'program' | 'file') => Promise<boolean>;

export async function findMissing(reqs: Requirement[], exists: FileExists): Promise<Requirement[]> {
  const missing: Requirement[] = [];
  for (const r of reqs) {
    let found = false;
    for (const p of r.paths) if (!found && (await exists(p, r.file ? 'file' : 'program'))) found = true;
    if (!found) missing.push(r);
  }
  return missing;
}

/** Distinct packages for the missing programs, in table order. */
export function packagesFor(missing: Requirement[]): string[] {
  return [...new Set(missing.map((r) => r.pkg))];
}

/** One line per missing program: what, where it was looked for, and which package has it. */
export function describeMissing(missing: Requirement[]): string[] {
  return missing.map((r) => `missing ${r.program} (${r.purpose}; looked at ${r.paths.join(', ')}): install package ${r.pkg}`);
}
