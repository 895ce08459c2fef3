// What one data dir's engine has made on the host, found from the host itself (not from the daemon's
// records, which a crash or a deleted data dir may have lost), and its removal: `peapod reset`, the
// daemon's clean stop and the leak tests all read this one inventory.
//
// Every artifact is keyed to the data dir through nodePaths(): conmon processes naming its runc root,
// runc containers under that root, mounts under its data and run dirs, the per-pod nat chains whose CNI
// comments name its network, its node masquerade chain, the veths on its bridge and the bridge, host-local
// reservations, cgroups under its cgroup parent in every hierarchy, and its run dir. Nothing another data
// dir's daemon (or another engine) made is touched. CNI's shared chains (CNI-HOSTPORT-*), which the
// portmap plugin makes once for every user of CNI on the host, go only when nothing else uses them
// (runtime/network/portmap-scaffold.ts).

import { promises as fs } from 'node:fs';
import { isIP } from 'node:net';
import path from 'node:path';

import { runChecked, type Exec } from '../system/exec.js';
import { mountPointsUnder, parseMountInfo } from '../system/mountinfo.js';
import { renderChainCleanup, selectLeakedChains, type ChainCleanup } from '../runtime/network/leaks.js';
import { nodeMasqChain, planNodeMasqRemoval } from '../runtime/network/node-masq.js';
import { RUNC_PATH } from '../runtime/runc.js';
import { planPortmapScaffoldRemoval } from '../runtime/network/portmap-scaffold.js';
import type { NodePaths } from './paths.js';

const CGROUP_ROOT = '/sys/fs/cgroup';

export interface EngineInventory {
  /** conmon processes monitoring a container of this runc root (pid → command line). */
  conmon: { pid: number; command: string }[];
  /** Containers runc knows under this runc root. */
  containers: string[];
  /** Mount points the engine makes (engineMountRoots), deepest first. */
  mounts: string[];
  /** What could not be read (a program missing, a file unreadable): the rest is still listed. */
  errors: string[];
  /** Per-pod nat chains of this network and the rules jumping to them. */
  podChains: ChainCleanup;
  /** The script removing CNI's shared host port chains, when present and nothing else uses them. */
  portmapScaffold: string | undefined;
  /** The node masquerade chain (and its POSTROUTING jump), when present. */
  nodeMasq: { chain: string; script: string } | undefined;
  /** Links enslaved to the bridge (the pods' veths). */
  veths: string[];
  /** The bridge, when it exists. */
  bridge: string | undefined;
  /** Pinned network namespace files. */
  netns: string[];
  /** host-local reservation files (IP addresses) of this network. */
  ipReservations: string[];
  /** Cgroup directories under the cgroup parent in every hierarchy, the parents included, deepest first. */
  cgroups: string[];
  /** The run dir, when it exists. */
  runDir: string | undefined;
  /** Record and bundle dirs of containers and sandboxes (the runtime's own, in the data dir). */
  runtimeRecords: string[];
}

export interface HostStateOptions {
  exec: Exec;
  /** The cgroup hierarchies' root (tests point it elsewhere). */
  cgroupRoot?: string;
  /** /proc (tests point it elsewhere). */
  procRoot?: string;
}

/** Everything of this data dir's engine on the host now. */
export async function inventoryEngine(paths: NodePaths, opts: HostStateOptions): Promise<EngineInventory> {
  const procRoot = opts.procRoot ?? '/proc';
  const errors: string[] = [];
  // One source that cannot be read (iptables on an nft-only host, runc missing) leaves the others listed.
  const read = <T>(what: string, p: Promise<T>, fallback: T): Promise<T> =>
    p.catch((err: unknown) => {
      errors.push(`read ${what}: ${err instanceof Error ? err.message : String(err)}`);
      return fallback;
    });
  const [conmon, containers, mounts, save, veths, bridge, netns, ips, cgroups, runDir, records] = await Promise.all([
    read('conmon processes', conmonProcesses(procRoot, paths.runcRoot), []),
    read('runc containers', runcContainers(opts.exec, paths.runcRoot), []),
    read('mounts', engineMounts(paths, procRoot), []),
    read('iptables nat table', runChecked(opts.exec, 'iptables-save', ['-t', 'nat']), ''),
    bridgePorts(opts.exec, paths.bridgeName),
    linkExists(opts.exec, paths.bridgeName),
    listDir(paths.netnsDir),
    listDir(path.join(paths.ipamDir, paths.networkName)),
    cgroupTree(opts.cgroupRoot ?? CGROUP_ROOT, paths.cgroupParent),
    exists(paths.runDir),
    Promise.all([paths.containersDir, paths.sandboxesDir].map(async (d) => (await listDir(d)).map((e) => path.join(d, e)))),
  ]);
  const chain = nodeMasqChain(paths.key);
  const masqScript = planNodeMasqRemoval(save, chain);
  const podChains = selectLeakedChains(save, paths.networkName, () => false);
  return {
    conmon,
    containers,
    mounts,
    errors,
    podChains,
    portmapScaffold: planPortmapScaffoldRemoval(save, new Set(podChains.chains)),
    nodeMasq: masqScript === undefined ? undefined : { chain, script: masqScript },
    veths,
    bridge: bridge ? paths.bridgeName : undefined,
    netns,
    ipReservations: ips.filter((f) => isIP(f) !== 0),
    cgroups,
    runDir: runDir ? paths.runDir : undefined,
    runtimeRecords: records.flat().sort(),
  };
}

/**
 * The per-pod part of an inventory, by kind: what must be empty once every pod is gone (the bridge, the
 * node masquerade, the netns dir's own mount and the cgroup parents are node-level and not listed).
 */
export function podLeftovers(inv: EngineInventory, paths: NodePaths): Record<string, string[]> {
  const found: Record<string, string[]> = {
    conmon: inv.conmon.map((c) => String(c.pid)),
    runc: inv.containers,
    // The namespace dirs' own private bind mounts are node-level (like the bridge): they stay while the node is set up.
    mounts: inv.mounts.filter((m) => m !== paths.netnsDir && m !== paths.nsDir),
    netns: inv.netns,
    iptables: [...inv.podChains.chains, ...inv.podChains.jumps],
    veths: inv.veths,
    ips: inv.ipReservations,
    // Pod cgroups (container cgroups live inside them), in every hierarchy.
    cgroups: inv.cgroups.filter((c) => path.basename(c).startsWith('pod')),
  };
  for (const k of Object.keys(found)) if (found[k]!.length === 0) delete found[k];
  return found;
}

/** Whether the inventory holds anything at all. */
export function inventoryEmpty(inv: EngineInventory): boolean {
  return (
    inv.conmon.length + inv.containers.length + inv.mounts.length + inv.podChains.chains.length + inv.veths.length +
      inv.netns.length + inv.ipReservations.length + inv.cgroups.length + inv.runtimeRecords.length === 0 &&
    !inv.nodeMasq && !inv.portmapScaffold && !inv.bridge && !inv.runDir
  );
}

export interface ResetReport {
  /** What was done, one line each ("stopped conmon 1234", "unmounted /run/…"), in order. */
  removed: string[];
  /** What failed, as the same line with why ("unmounted /x: EBUSY …"). */
  failed: string[];
}

/**
 * Removes everything the inventory lists, in dependency order: monitors, then containers (runc kills
 * their processes), mounts (deepest first), nat rules, links, cgroups, then files. A step that fails is
 * reported and the others still run; a second reset retries what is left.
 */
export async function removeEngine(paths: NodePaths, inv: EngineInventory, opts: HostStateOptions): Promise<ResetReport> {
  const report: ResetReport = { removed: [], failed: [...inv.errors] };
  const step = async (what: string, fn: () => Promise<unknown>) => {
    try {
      await fn();
      report.removed.push(what);
    } catch (err) {
      report.failed.push(`${what}: ${err instanceof Error ? err.message : String(err)}`);
    }
  };
  for (const c of inv.conmon) {
    await step(`stopped conmon ${c.pid}`, async () => {
      try {
        process.kill(c.pid, 'SIGKILL');
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ESRCH') throw err;
      }
    });
  }
  for (const id of inv.containers) {
    await step(`deleted runc container ${id}`, () => runChecked(opts.exec, RUNC_PATH, ['--root', paths.runcRoot, 'delete', '--force', id]));
  }
  // Read again now that no container runs (one with Bidirectional propagation could have added some),
  // and round after round: a mount point can hold a stack of mounts, and umount takes the top one.
  let mounts = inv.mounts;
  for (let round = 0; round < 8 && mounts.length > 0; round++) {
    for (const mp of mounts) await step(`unmounted ${mp}`, () => unmount(opts.exec, mp));
    mounts = await engineMounts(paths, opts.procRoot ?? '/proc').catch(() => []);
  }
  if (mounts.length > 0) report.failed.push(`unmount: still mounted: ${mounts.join(' ')}`);
  if (inv.podChains.chains.length > 0) {
    await step(`removed nat chains ${inv.podChains.chains.join(' ')} and the rules jumping to them`, () =>
      runChecked(opts.exec, 'iptables-restore', ['--noflush', '--wait'], { input: renderChainCleanup(inv.podChains) }),
    );
  }
  if (inv.nodeMasq) {
    const script = inv.nodeMasq.script;
    await step(`removed nat chain ${inv.nodeMasq.chain} and its POSTROUTING rule`, () =>
      runChecked(opts.exec, 'iptables-restore', ['--noflush', '--wait'], { input: script }),
    );
  }
  if (inv.portmapScaffold) {
    const script = inv.portmapScaffold;
    await step('removed CNI\'s shared host port chains (CNI-HOSTPORT-*), which nothing uses any more', () =>
      runChecked(opts.exec, 'iptables-restore', ['--noflush', '--wait'], { input: script }),
    );
  }
  for (const veth of inv.veths) await step(`deleted link ${veth}`, () => deleteLink(opts.exec, veth));
  if (inv.bridge) await step(`deleted bridge ${inv.bridge}`, () => deleteLink(opts.exec, inv.bridge!));
  // One line per cgroup, however many hierarchies (v1 controllers) hold it.
  const byName = new Map<string, string[]>();
  for (const cg of inv.cgroups) {
    const name = cgroupName(cg, paths.cgroupParent);
    byName.set(name, [...(byName.get(name) ?? []), cg]);
  }
  // Deepest first across hierarchies: a dir that only one hierarchy has must still go before its parent.
  const names = [...byName.keys()].sort((a, b) => b.split('/').length - a.split('/').length);
  for (const name of names) {
    const dirs = byName.get(name)!;
    await step(`removed cgroup ${name}${dirs.length > 1 ? ` (${dirs.length} hierarchies)` : ''}`, async () => {
      for (const d of dirs) await removeCgroup(d);
    });
  }
  for (const f of inv.netns) await step(`removed netns file ${path.join(paths.netnsDir, f)}`, () => fs.rm(path.join(paths.netnsDir, f), { force: true }));
  if (inv.ipReservations.length > 0) {
    const dir = path.join(paths.ipamDir, paths.networkName);
    await step(`released IP reservations ${inv.ipReservations.join(' ')}`, () => fs.rm(dir, { recursive: true, force: true }));
  }
  for (const d of [paths.cniCacheDir, paths.ipamDir]) {
    if (await exists(d)) await step(`removed ${d}`, () => fs.rm(d, { recursive: true, force: true }));
  }
  for (const r of inv.runtimeRecords) await step(`removed runtime record ${r}`, () => removeUnmounted(r));
  if (inv.runDir) await step(`removed ${inv.runDir}`, () => removeUnmounted(inv.runDir!));
  return report;
}

/** Removes a tree unless a mount is still under it (an unmount that failed): never crosses into a mount. */
export async function removeUnmounted(dir: string, readMountInfo = () => fs.readFile('/proc/self/mountinfo', 'utf8')): Promise<void> {
  const mountinfo = await readMountInfo();
  const real = await fs.realpath(dir).catch(() => dir);
  const still = mountsUnder(mountinfo, [...new Set([dir, real])]);
  if (still.length > 0) throw new Error(`still mounted under it: ${still.join(' ')}`);
  await fs.rm(dir, { recursive: true, force: true });
}

/**
 * Where the engine mounts, under real paths (mountinfo has no symlinks): rootfs overlays under the images
 * dir, /dev/shm tmpfs under the sandboxes dir, volumes under the pods dir, anything under the run dir.
 * Strictly below each: the data dir itself may be the admin's own filesystem, and is never touched.
 */
async function engineMounts(paths: NodePaths, procRoot: string): Promise<string[]> {
  const roots = [paths.imagesDir, paths.sandboxesDir, paths.podsDir, paths.containersDir, paths.runDir];
  const real = await Promise.all(roots.map((r) => fs.realpath(r).catch(() => r)));
  const mountinfo = await fs.readFile(path.join(procRoot, 'self', 'mountinfo'), 'utf8');
  return mountsUnder(mountinfo, [...new Set([...roots, ...real])]).filter((m) => !roots.includes(m) && !real.includes(m));
}

/** umount(2) on the path as given (no realpath: issue 6), in the C locale so its messages can be read. */
async function unmount(exec: Exec, mp: string): Promise<void> {
  const env = { ...process.env, LC_ALL: 'C' };
  const r = await exec.run('umount', ['--no-canonicalize', mp], { env });
  if (r.code === 0 || /not mounted|no mount point/i.test(r.stderr)) return;
  // Busy (a process still has it open): detach it now, as `ip netns del` does; it goes once unused.
  await runChecked(exec, 'umount', ['--no-canonicalize', '--lazy', mp], { env });
}

async function deleteLink(exec: Exec, name: string): Promise<void> {
  const r = await exec.run('ip', ['link', 'del', name]);
  if (r.code !== 0 && !/cannot find device|does not exist/i.test(r.stderr)) throw new Error(`ip link del ${name}: ${r.stderr.trim()}`);
}

/** A cgroup dir's path from its parent on ("/peapod-ab12/besteffort/pod<uid>"), the same in every hierarchy. */
function cgroupName(dir: string, parent: string): string {
  const parts = dir.split('/');
  const i = parts.lastIndexOf(parent);
  return i < 0 ? dir : '/' + parts.slice(i).join('/');
}

/** rmdir a cgroup; processes still in it (none should be, once runc deleted its containers) are killed first. */
async function removeCgroup(dir: string): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      await fs.rmdir(dir);
      return;
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') return;
      if (code !== 'EBUSY' || attempt >= 20) throw err;
    }
    const procs = await fs.readFile(path.join(dir, 'cgroup.procs'), 'utf8').catch(() => '');
    for (const pid of procs.split('\n').filter(Boolean)) {
      try {
        process.kill(Number(pid), 'SIGKILL');
      } catch {
        /* gone */
      }
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Mount points at or under any of the prefixes (system/mountinfo's mountPointsUnder), deepest first across them all. */
export function mountsUnder(mountinfo: string, prefixes: string[]): string[] {
  const entries = parseMountInfo(mountinfo);
  const points = [...new Set(prefixes.flatMap((p) => mountPointsUnder(entries, p)))];
  return points.sort((a, b) => b.split('/').length - a.split('/').length);
}

/** conmon processes whose runtime root is `runcRoot` (conmon gets `--runtime-arg --root=<runcRoot>`). */
export function isConmonOf(argv: string[], runcRoot: string): boolean {
  return path.basename(argv[0] ?? '') === 'conmon' && argv.includes(`--root=${runcRoot}`);
}

async function conmonProcesses(procRoot: string, runcRoot: string): Promise<{ pid: number; command: string }[]> {
  const out: { pid: number; command: string }[] = [];
  for (const d of await listDir(procRoot)) {
    if (!/^\d+$/.test(d)) continue;
    const cmdline = await fs.readFile(path.join(procRoot, d, 'cmdline'), 'utf8').catch(() => '');
    const argv = cmdline.split('\0').filter(Boolean);
    if (isConmonOf(argv, runcRoot)) out.push({ pid: Number(d), command: argv.join(' ') });
  }
  return out.sort((a, b) => a.pid - b.pid);
}

async function runcContainers(exec: Exec, runcRoot: string): Promise<string[]> {
  if (!(await exists(runcRoot))) return [];
  const out = await runChecked(exec, RUNC_PATH, ['--root', runcRoot, 'list', '--quiet']);
  return out.split('\n').map((l) => l.trim()).filter(Boolean).sort();
}

async function bridgePorts(exec: Exec, bridge: string): Promise<string[]> {
  const r = await exec.run('ip', ['-o', 'link', 'show', 'master', bridge]);
  if (r.code !== 0) return [];
  return r.stdout
    .split('\n')
    .filter(Boolean)
    .map((l) => l.split(':')[1]?.trim().split('@')[0] ?? '')
    .filter(Boolean)
    .sort();
}

async function linkExists(exec: Exec, name: string): Promise<boolean> {
  return (await exec.run('ip', ['-o', 'link', 'show', 'dev', name])).code === 0;
}

/** The parent's directories in every hierarchy (cgroup v1 controllers, or the v2 root), deepest first. */
async function cgroupTree(root: string, parent: string): Promise<string[]> {
  const tops = [path.join(root, parent)];
  for (const e of await fs.readdir(root, { withFileTypes: true }).catch(() => [])) {
    if (e.isDirectory()) tops.push(path.join(root, e.name, parent));
  }
  const out: string[] = [];
  const walk = async (dir: string) => {
    const entries = await fs.readdir(dir, { withFileTypes: true }).catch(() => undefined);
    if (!entries) return;
    for (const e of entries) if (e.isDirectory()) await walk(path.join(dir, e.name));
    out.push(dir);
  };
  for (const t of tops) await walk(t);
  return out;
}

async function listDir(dir: string): Promise<string[]> {
  try {
    return (await fs.readdir(dir)).sort();
  } catch {
    return [];
  }
}

async function exists(p: string): Promise<boolean> {
  return fs.access(p).then(
    () => true,
    () => false,
  );
}
