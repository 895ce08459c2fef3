// What one daemon's data dir still holds on the host: netns files, mounts, runc containers, conmon
// processes, cgroups, veths on its bridge, iptables rules of its network, IP reservations. Tests assert
// it is empty after every pod is deleted, and `scrubHost` removes whatever a failed test left behind.

import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { NodePaths } from '../../src/node/paths.js';

const CGROUP_ROOT = '/sys/fs/cgroup';

function sh(file: string, args: string[]): string {
  try {
    return execFileSync(file, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  } catch {
    return '';
  }
}

function listDir(dir: string): string[] {
  try {
    return fs.readdirSync(dir);
  } catch {
    return [];
  }
}

function mountsUnder(prefixes: string[]): string[] {
  const out: string[] = [];
  for (const line of fs.readFileSync('/proc/self/mountinfo', 'utf8').split('\n')) {
    const mp = line.split(' ')[4];
    if (!mp) continue;
    const point = mp.replace(/\\040/g, ' ');
    if (prefixes.some((p) => point === p || point.startsWith(p + '/'))) out.push(point);
  }
  return out;
}

function conmonPids(runcRoot: string): number[] {
  const pids: number[] = [];
  for (const d of listDir('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    let cmd = '';
    try {
      cmd = fs.readFileSync(`/proc/${d}/cmdline`, 'utf8');
    } catch {
      continue;
    }
    const argv = cmd.split('\0');
    if (argv[0]?.endsWith('conmon') && argv.some((a) => a.includes(runcRoot))) pids.push(Number(d));
  }
  return pids;
}

/** Pod cgroups under the parent, at every QoS level (Guaranteed directly, burstable/, besteffort/). */
function podCgroups(parent: string): string[] {
  const out: string[] = [];
  for (const ctrl of listDir(CGROUP_ROOT)) {
    for (const level of ['', 'burstable', 'besteffort']) {
      const dir = path.join(CGROUP_ROOT, ctrl, parent, level);
      for (const e of listDir(dir)) if (e.startsWith('pod')) out.push(path.join(dir, e));
    }
  }
  return out;
}

function bridgePorts(bridge: string): string[] {
  return sh('ip', ['-o', 'link', 'show', 'master', bridge])
    .split('\n')
    .filter(Boolean)
    .map((l) => l.split(':')[1]?.trim().split('@')[0] ?? l);
}

function natRules(networkName: string): string[] {
  return sh('iptables-save', ['-t', 'nat'])
    .split('\n')
    .filter((l) => l.includes(`name: "${networkName}"`) || l.includes(`name: \\"${networkName}\\"`));
}

/**
 * The node masquerade of this network (node-masq.ts): rules commented `peapod node masquerade: <net>`
 * and the chains they belong to or jump to. Node-level like the bridge, so engineLeftovers ignores it.
 */
function nodeMasq(networkName: string): { rules: string[]; chains: string[] } {
  const rules = sh('iptables-save', ['-t', 'nat'])
    .split('\n')
    .filter((l) => l.startsWith('-A ') && l.includes(`peapod node masquerade: ${networkName}"`));
  const chains = new Set<string>();
  for (const rule of rules) {
    const [, chain] = rule.split(/\s+/);
    const target = /\s-j\s+(\S+)/.exec(rule)?.[1];
    for (const c of [chain, target]) if (c && c.startsWith('PEAPOD-MASQ-')) chains.add(c);
  }
  return { rules, chains: [...chains] };
}

function ipReservations(ipamDir: string, networkName: string): string[] {
  return listDir(path.join(ipamDir, networkName)).filter((f) => /^\d+\.\d+\.\d+\.\d+$/.test(f));
}

function runcContainers(runcRoot: string): string[] {
  if (!fs.existsSync(runcRoot)) return [];
  return sh('runc', ['--root', runcRoot, 'list', '-q']).split('\n').filter(Boolean);
}

/** Everything of this data dir's engine still present on the host; empty when all pods are gone. */
export function engineLeftovers(paths: NodePaths): Record<string, string[]> {
  const found: Record<string, string[]> = {
    netns: listDir(paths.netnsDir),
    // The netns dir's own private bind mount is node-level (like the bridge): it stays while the node is set up.
    mounts: mountsUnder([paths.dataDir, paths.runDir]).filter((m) => m !== paths.netnsDir),
    runc: runcContainers(paths.runcRoot),
    conmon: conmonPids(paths.runcRoot).map(String),
    cgroups: podCgroups(paths.cgroupParent),
    veths: bridgePorts(paths.bridgeName),
    iptables: natRules(paths.networkName),
    ips: ipReservations(paths.ipamDir, paths.networkName),
  };
  for (const k of Object.keys(found)) if (found[k]!.length === 0) delete found[k];
  return found;
}

/**
 * Removes whatever this data dir's engine left on the host (for after() hooks of failed tests), then the
 * node masquerade chain, the bridge, the cgroup parent, the run dir and the data dir. Only touches things keyed to these paths.
 */
export function scrubHost(paths: NodePaths, opts: { keepDataDir?: boolean } = {}): void {
  for (const pid of conmonPids(paths.runcRoot)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      /* already gone */
    }
  }
  for (const id of runcContainers(paths.runcRoot)) sh('runc', ['--root', paths.runcRoot, 'delete', '--force', id]);
  const rules = natRules(paths.networkName);
  const chains = new Set<string>();
  for (const rule of rules) {
    for (const m of rule.matchAll(/(?:^-A |-j )(CNI-(?:DN-)?[0-9a-f]+)\b/g)) chains.add(m[1]!);
  }
  for (const rule of rules) {
    if (rule.startsWith('-A ')) sh('iptables', ['-t', 'nat', '-D', ...splitRule(rule.slice(3))]);
  }
  for (const chain of chains) {
    sh('iptables', ['-t', 'nat', '-F', chain]);
    sh('iptables', ['-t', 'nat', '-X', chain]);
  }
  const masq = nodeMasq(paths.networkName);
  for (const rule of masq.rules) {
    if (rule.startsWith('-A POSTROUTING ')) sh('iptables', ['-t', 'nat', '-D', ...splitRule(rule.slice(3))]);
  }
  for (const chain of masq.chains) {
    sh('iptables', ['-t', 'nat', '-F', chain]);
    sh('iptables', ['-t', 'nat', '-X', chain]);
  }
  for (const veth of bridgePorts(paths.bridgeName)) sh('ip', ['link', 'del', veth]);
  sh('ip', ['link', 'del', paths.bridgeName]);
  for (const mp of mountsUnder([paths.dataDir, paths.runDir]).sort((a, b) => b.length - a.length)) {
    sh('umount', ['-l', mp]);
  }
  for (const cg of podCgroups(paths.cgroupParent)) {
    for (const leaf of listDir(cg)) {
      const p = path.join(cg, leaf);
      if (fs.statSync(p, { throwIfNoEntry: false })?.isDirectory()) sh('rmdir', [p]);
    }
    sh('rmdir', [cg]);
  }
  for (const ctrl of listDir(CGROUP_ROOT)) {
    for (const level of ['burstable', 'besteffort']) {
      const dir = path.join(CGROUP_ROOT, ctrl, paths.cgroupParent, level);
      if (fs.existsSync(dir)) sh('rmdir', [dir]);
    }
    sh('rmdir', [path.join(CGROUP_ROOT, ctrl, paths.cgroupParent)]);
  }
  fs.rmSync(paths.runDir, { recursive: true, force: true });
  if (!opts.keepDataDir) fs.rmSync(paths.dataDir, { recursive: true, force: true });
}

/** Splits an iptables-save rule into argv, honouring double quotes. */
function splitRule(rule: string): string[] {
  const out: string[] = [];
  const re = /"((?:[^"\\]|\\.)*)"|(\S+)/g;
  for (let m = re.exec(rule); m; m = re.exec(rule)) out.push(m[1] !== undefined ? m[1].replace(/\\"/g, '"') : m[2]!);
  return out;
}
