// Per-sandbox files shared by every container of the pod: /etc/hosts, /etc/hostname, /etc/resolv.conf
// and the pod's /dev/shm tmpfs, under <sandboxesDir>/<id>. Rendering is pure; writing uses fs APIs
// (no shell on the hot path); only the shm mount spawns mount(8) (Node has no mount syscall).

import { constants as fsConstants } from 'node:fs';
import { mkdir, open, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { DNSConfig, HostAliasEntry, PodSandboxConfig } from './runtime.js';
import type { Exec } from '../system/exec.js';
import { runChecked } from '../system/exec.js';
import { writeFileAtomic } from '../system/atomic-file.js';

/**
 * Sandbox files are written tmp + rename (a container never binds a half-written file), without fsync:
 * volatile. Container-facing, 0644 as the kubelet writes them; the 0700 sandbox dir keeps them from
 * other host users.
 */
const SANDBOX_FILE = { fsync: false, mode: 0o644 } as const;

export interface SandboxFilePaths {
  dir: string;
  hosts: string;
  hostname: string;
  resolvConf: string;
  shm: string;
}

export function sandboxFilePaths(sandboxesDir: string, id: string, hostIPC: boolean): SandboxFilePaths {
  const dir = path.join(sandboxesDir, id);
  return {
    dir,
    hosts: path.join(dir, 'hosts'),
    hostname: path.join(dir, 'hostname'),
    resolvConf: path.join(dir, 'resolv.conf'),
    // hostIPC pods share the host's /dev/shm, as the kubelet does.
    shm: hostIPC ? '/dev/shm' : path.join(dir, 'shm'),
  };
}

function aliasLines(aliases: HostAliasEntry[]): string {
  if (aliases.length === 0) return '';
  let out = '\n# Entries added by HostAliases.\n';
  for (const a of aliases) out += `${a.ip}\t${a.hostnames.join('\t')}\n`;
  return out;
}

/** The kubelet's managed hosts file for a pod with its own network (ip may be unknown yet). */
export function renderHosts(hostname: string, ip: string | undefined, aliases: HostAliasEntry[]): string {
  let out =
    '# Kubernetes-managed hosts file.\n' +
    '127.0.0.1\tlocalhost\n' +
    '::1\tlocalhost ip6-localhost ip6-loopback\n' +
    'fe00::0\tip6-localnet\n' +
    'fe00::0\tip6-mcastprefix\n' +
    'fe00::1\tip6-allnodes\n' +
    'fe00::2\tip6-allrouters\n';
  if (ip) out += `${ip}\t${hostname}\n`;
  return out + aliasLines(aliases);
}

/** hostNetwork pods get the node's /etc/hosts plus their aliases, as the kubelet writes it. */
export function renderHostNetworkHosts(nodeHosts: string, aliases: HostAliasEntry[]): string {
  const body = nodeHosts.endsWith('\n') || nodeHosts === '' ? nodeHosts : nodeHosts + '\n';
  return '# Kubernetes-managed hosts file (host network).\n' + body + aliasLines(aliases);
}

/** resolv.conf from the DNS config; an empty config means "use the node's" (returns undefined). */
export function renderResolvConf(dns: DNSConfig): string | undefined {
  if (dns.servers.length === 0 && dns.searches.length === 0 && dns.options.length === 0) return undefined;
  let out = '';
  for (const s of dns.servers) out += `nameserver ${s}\n`;
  if (dns.searches.length) out += `search ${dns.searches.join(' ')}\n`;
  if (dns.options.length) out += `options ${dns.options.join(' ')}\n`;
  return out;
}

async function readOr(file: string, fallback: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch {
    return fallback;
  }
}

/** Writes hosts, hostname and resolv.conf (the dir must exist). */
export async function writeSandboxFiles(p: SandboxFilePaths, config: PodSandboxConfig, ip?: string): Promise<void> {
  const hosts = config.hostNetwork
    ? renderHostNetworkHosts(await readOr('/etc/hosts', ''), config.hostAliases)
    : renderHosts(config.hostname, ip, config.hostAliases);
  const resolv = renderResolvConf(config.dns) ?? (await readOr('/etc/resolv.conf', ''));
  await Promise.all([
    writeFileAtomic(p.hosts, hosts, SANDBOX_FILE),
    writeFileAtomic(p.hostname, `${config.hostname}\n`, SANDBOX_FILE),
    writeFileAtomic(p.resolvConf, resolv, SANDBOX_FILE),
  ]);
}

/** Rewrites only the hosts file once the pod IP is known. */
export async function writeHostsWithIp(p: SandboxFilePaths, config: PodSandboxConfig, ip: string, opts: { inPlace?: boolean } = {}): Promise<void> {
  if (config.hostNetwork) return;
  const text = renderHosts(config.hostname, ip, config.hostAliases);
  if (!opts.inPlace) return writeFileAtomic(p.hosts, text, SANDBOX_FILE);
  // Over the same file (a rename would leave a container that bound the old one with it), never
  // following a link at its name.
  const fh = await open(p.hosts, fsConstants.O_WRONLY | fsConstants.O_TRUNC | fsConstants.O_NOFOLLOW);
  try {
    await fh.writeFile(text);
  } finally {
    await fh.close();
  }
}

export async function mountShm(exec: Exec, shmDir: string): Promise<void> {
  await mkdir(shmDir, { recursive: true, mode: 0o700 }); // the tmpfs's mode=1777 is what containers see
  await runChecked(exec, 'mount', ['-t', 'tmpfs', '-o', 'mode=1777,size=65536k,nosuid,nodev,noexec', 'shm', shmDir]);
}

/**
 * Unmounts (lazily, so a busy mount never wedges removal); succeeds when not mounted. The path goes to
 * umount(2) as given, not through umount(8)'s realpath() (issue 6).
 */
export async function unmountShm(exec: Exec, shmDir: string): Promise<void> {
  const r = await exec.run('umount', ['--no-canonicalize', '-l', shmDir]);
  if (r.code !== 0 && !/not mounted|no mount point|not found|No such file/i.test(r.stderr)) {
    throw new Error(`unmount shm ${shmDir}: ${r.stderr.trim()}`);
  }
}
