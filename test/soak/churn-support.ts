// What the churn soak reads besides RSS: the daemon's fds described by what they are (a socket's TCP
// endpoints or unix path, not its inode number, so two readings compare), the per-pod entries of the
// data dir, which part of a host inventory diff this data dir's engine could have made, and whether any
// other daemon is at work on the host (then the rest of the diff is not ours to judge).

import fs from 'node:fs';
import path from 'node:path';
import type { NodePaths } from '../../src/node/paths.js';
import { openFds } from '../support/soak.js';

function readLines(file: string): string[] {
  try {
    return fs.readFileSync(file, 'utf8').split('\n').slice(1).filter(Boolean);
  } catch {
    return [];
  }
}

function hexAddr(hex: string): string {
  const [addr, port] = hex.split(':') as [string, string];
  if (addr.length === 8) {
    const b = Buffer.from(addr, 'hex');
    return `${b[3]}.${b[2]}.${b[1]}.${b[0]}:${parseInt(port, 16)}`;
  }
  return `[${addr}]:${parseInt(port, 16)}`;
}

const TCP_STATES: Record<string, string> = { '01': 'ESTABLISHED', '06': 'TIME_WAIT', '08': 'CLOSE_WAIT', '0A': 'LISTEN', '04': 'FIN_WAIT1', '05': 'FIN_WAIT2', '09': 'LAST_ACK' };

/** socket inode → what it is, from the process's view of /proc/net. */
function socketNames(pid: number): Map<string, string> {
  const out = new Map<string, string>();
  for (const proto of ['tcp', 'tcp6']) {
    for (const l of readLines(`/proc/${pid}/net/${proto}`)) {
      const f = l.trim().split(/\s+/);
      const state = TCP_STATES[f[3]!] ?? f[3];
      // A listener, or an accepted/outgoing connection: the local port tells which server it belongs to.
      out.set(f[9]!, state === 'LISTEN' ? `${proto} LISTEN ${hexAddr(f[1]!)}` : `${proto} ${state} ${hexAddr(f[1]!)} → ${hexAddr(f[2]!)}`);
    }
  }
  for (const l of readLines(`/proc/${pid}/net/unix`)) {
    const f = l.trim().split(/\s+/);
    out.set(f[6]!, `unix ${f[7] ?? '(unnamed)'}`);
  }
  return out;
}

/** The daemon's open fds, each as a comparable description (a connection's remote port dropped). */
export function describedFds(pid: number): string[] {
  const sockets = socketNames(pid);
  return openFds(pid).map((target) => {
    const m = /^socket:\[(\d+)\]$/.exec(target);
    if (m) return `socket ${(sockets.get(m[1]!) ?? 'other').replace(/ → .*:\d+$/, ' → (peer)')}`;
    if (/^pipe:\[\d+\]$/.test(target)) return 'pipe';
    return target.replace(/\[\d+\]$/, '');
  });
}

/** What `after` holds more of than `before` (multisets of descriptions). */
export function fdDiff(before: string[], after: string[]): string[] {
  const counts = new Map<string, number>();
  for (const f of before) counts.set(f, (counts.get(f) ?? 0) + 1);
  const extra: string[] = [];
  for (const f of after) {
    const n = counts.get(f) ?? 0;
    if (n > 0) counts.set(f, n - 1);
    else extra.push(f);
  }
  return extra;
}

/** Entries of the data dir's per-pod and per-container directories (all empty with no pod). */
export function podDirEntries(paths: NodePaths): Record<string, string[]> {
  const dirs: Record<string, string> = {
    containers: paths.containersDir,
    sandboxes: paths.sandboxesDir,
    pods: paths.podsDir,
    logs: paths.podLogsDir,
    exits: paths.exitsDir,
    attach: paths.attachDir,
    netns: paths.netnsDir,
    cniResults: path.join(paths.cniCacheDir, 'results'),
    ipam: path.join(paths.ipamDir, paths.networkName),
  };
  const out: Record<string, string[]> = {};
  for (const [k, dir] of Object.entries(dirs)) {
    try {
      out[k] = fs.readdirSync(dir).sort();
    } catch {
      out[k] = [];
    }
  }
  // host-local IPAM keeps its lock and last-reserved files for the network's life: only reservations count.
  out.ipam = out.ipam!.filter((f) => /^\d+\.\d+\.\d+\.\d+$/.test(f));
  return out;
}

type Diff = Record<string, { added: string[]; removed: string[] }>;

/**
 * The part of an inventory diff this data dir's engine could have made: its bridge and the veths on it,
 * iptables rules naming its network (and the CNI chains they jump to or live in), its masquerade chain,
 * mounts under its data and run dirs, cgroups under its parent, its run dir, its conmon and runc.
 */
export function onlyOwn(diff: Diff, paths: NodePaths): Diff {
  const ipt = [...(diff.iptables?.added ?? []), ...(diff.iptables?.removed ?? [])];
  const ownChains = new Set<string>();
  for (const l of ipt) {
    if (!l.includes(paths.networkName)) continue;
    for (const m of l.matchAll(/(?:-A |-j )((?:CNI-|PEAPOD-)[\w-]+)/g)) ownChains.add(m[1]!);
  }
  const isOwn: Record<string, (line: string) => boolean> = {
    links: (l) => l === paths.bridgeName || bridgePort(l, paths.bridgeName),
    iptables: (l) => l.includes(paths.networkName) || l.includes('10.88.238.') || [...ownChains].some((c) => l.includes(c)),
    mounts: (l) => [paths.dataDir, paths.runDir].some((p) => l === p || l.startsWith(p + '/')),
    cgroups: (l) => l.split('/').includes(paths.cgroupParent),
    run: (l) => l === paths.runDir || l.startsWith(paths.runDir + '/'),
    processes: (l) => l.includes(paths.runcRoot) || l.includes(paths.dataDir),
  };
  const out: Diff = {};
  for (const [kind, d] of Object.entries(diff)) {
    const keep = isOwn[kind] ?? (() => true);
    const added = d.added.filter(keep);
    const removed = d.removed.filter(keep);
    if (added.length || removed.length) out[kind] = { added, removed };
  }
  return out;
}

function bridgePort(link: string, bridge: string): boolean {
  try {
    return path.basename(fs.realpathSync(`/sys/class/net/${link}/master`)) === bridge;
  } catch {
    return false;
  }
}

/** Another peapod daemon (a data dir not ours) or a conmon not of our runc root runs on the host. */
export function othersAtWork(paths: NodePaths): boolean {
  for (const d of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(d) || Number(d) === process.pid) continue;
    let argv: string[];
    try {
      argv = fs.readFileSync(`/proc/${d}/cmdline`, 'utf8').split('\0');
    } catch {
      continue;
    }
    if (path.basename(argv[0] ?? '') === 'conmon' && !argv.some((a) => a.includes(paths.runcRoot))) return true;
    const i = argv.indexOf('--data-dir');
    if (argv.includes('serve') && i > 0 && path.resolve(argv[i + 1] ?? '') !== paths.dataDir && argv.some((a) => a.includes('peapod'))) return true;
  }
  return false;
}
