// The soak and fault suite's shared pieces (test/soak/*.test.ts). Each case has a short form, run by
// `npm test` (stage "soak"), and a full form, run by `npm run soak` (PEAPOD_SOAK=full). Cases record the
// figures they measure (RSS and fd drift, recovery times, fuzz counts) with `recordFigure`; `npm run soak`
// prints them at the end, and they are copied into BENCHMARKS.md by hand.

import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

/** True under `npm run soak`: cases run at the sizes the issue names (50 pods, 1,000 cycles, 10,000 inputs). */
export const SOAK_FULL = process.env.PEAPOD_SOAK === 'full';

/** `short` under `npm test`, `full` under `npm run soak`. */
export function soakSize<T>(short: T, full: T): T {
  return SOAK_FULL ? full : short;
}

/** Where figures go: one JSON line per figure (scripts/test.js prints them after the soak stage). */
export const FIGURES_FILE = process.env.PEAPOD_SOAK_FIGURES ?? '/tmp/peapod-soak-figures.jsonl';

/** Records one measured figure of a case, e.g. recordFigure('churn', 'rss drift', 3.2, 'MB'). */
export function recordFigure(caseName: string, name: string, value: number | string, unit = ''): void {
  const line = JSON.stringify({ case: caseName, name, value, unit, full: SOAK_FULL, at: new Date().toISOString() });
  fs.appendFileSync(FIGURES_FILE, line + '\n');
}

/** Resident set size of a process in bytes (VmRSS), or undefined when it is gone. */
export function rssBytes(pid: number): number | undefined {
  try {
    const m = /^VmRSS:\s+(\d+) kB/m.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}

/** Open file descriptors of a process, by target (socket:[…], pipe:[…], paths), or [] when it is gone. */
export function openFds(pid: number): string[] {
  const dir = `/proc/${pid}/fd`;
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch {
    return [];
  }
  const out: string[] = [];
  for (const n of names) {
    try {
      out.push(fs.readlinkSync(path.join(dir, n)));
    } catch {
      /* closed meanwhile */
    }
  }
  return out;
}

function sh(file: string, args: string[]): string {
  try {
    return execFileSync(file, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  } catch {
    return '';
  }
}

function walkDirs(root: string, depth: number, out: string[]): void {
  if (depth < 0) return;
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(root, { withFileTypes: true });
  } catch {
    return;
  }
  for (const e of entries) {
    if (!e.isDirectory()) continue;
    const p = path.join(root, e.name);
    out.push(p);
    walkDirs(p, depth - 1, out);
  }
}

/**
 * The host as a set of lines per kind: network links, iptables rules (nat and filter, counters dropped),
 * mount points, cgroup directories (four levels under every controller), entries of /run and of
 * /var/run/netns, and the conmon and runc processes. Two inventories taken before and after a run compare
 * with `inventoryDiff`; a test keeps only what its own run could have made (other suites' daemons may run
 * at the same time only when the caller says so).
 */
export interface HostInventory {
  links: string[];
  iptables: string[];
  mounts: string[];
  cgroups: string[];
  run: string[];
  processes: string[];
}

export function hostInventory(): HostInventory {
  const links = sh('ip', ['-o', 'link', 'show'])
    .split('\n')
    .filter(Boolean)
    .map((l) => l.split(':')[1]!.trim().split('@')[0]!);
  const iptables: string[] = [];
  for (const table of ['nat', 'filter']) {
    for (const l of sh('iptables-save', ['-t', table]).split('\n')) {
      if (l.startsWith('-A ') || (l.startsWith(':') && !/^:(PREROUTING|INPUT|FORWARD|OUTPUT|POSTROUTING) /.test(l))) {
        iptables.push(`${table} ${l.replace(/\s\[\d+:\d+\]$/, '')}`);
      }
    }
  }
  const mounts = fs
    .readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => l.split(' ')[4]!.replace(/\\040/g, ' '));
  const cgroups = allCgroups().filter((c) => !IGNORED_CGROUPS.some((name) => c.split('/').includes(name)));
  const run = [...safeList('/run').map((e) => `/run/${e}`), ...safeList('/var/run/netns').map((e) => `/var/run/netns/${e}`)];
  const processes: string[] = [];
  for (const d of safeList('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const argv = fs.readFileSync(`/proc/${d}/cmdline`, 'utf8').split('\0');
      const exe = path.basename(argv[0] ?? '');
      if (exe === 'conmon' || exe === 'runc' || exe === 'catatonit') processes.push(`${d} ${argv.filter(Boolean).join(' ')}`);
    } catch {
      /* exited */
    }
  }
  return { links, iptables, mounts, cgroups, run, processes };
}

/**
 * Cgroup subtrees of the machine's own process supervisor, which makes one cgroup per command it runs (on
 * these machines `process_api`): they come and go with commands other people run during a soak, never
 * with peapod's. A comma-separated list of directory names in PEAPOD_SOAK_IGNORE_CGROUPS replaces it.
 */
const IGNORED_CGROUPS = (process.env.PEAPOD_SOAK_IGNORE_CGROUPS ?? 'process_api').split(',').filter(Boolean);

function allCgroups(): string[] {
  const out: string[] = [];
  walkDirs('/sys/fs/cgroup', 4, out);
  return out;
}

function safeList(dir: string): string[] {
  try {
    return fs.readdirSync(dir);
  } catch {
    return [];
  }
}

/** What `after` has that `before` lacks and the reverse, per kind; empty object when identical. */
export function inventoryDiff(before: HostInventory, after: HostInventory): Record<string, { added: string[]; removed: string[] }> {
  const out: Record<string, { added: string[]; removed: string[] }> = {};
  for (const key of Object.keys(before) as (keyof HostInventory)[]) {
    const b = new Set(before[key]);
    const a = new Set(after[key]);
    const added = [...a].filter((x) => !b.has(x));
    const removed = [...b].filter((x) => !a.has(x));
    if (added.length || removed.length) out[key] = { added, removed };
  }
  return out;
}

/** The portmap plugin's shared chains and the jumps into them (not a pod's own DNAT rules). */
const sharedPortmap = (line: string) => /CNI-HOSTPORT-(DNAT|MASQ|SETMARK)/.test(line) && !/CNI-DN-/.test(line);

/**
 * The host's changes since `before` (inventoryDiff), less the portmap plugin's shared CNI-HOSTPORT-* chains
 * having gone: they go once nothing uses them, and the plugin makes them again.
 */
export function hostChangesSince(before: HostInventory): Record<string, { added: string[]; removed: string[] }> {
  const diff = inventoryDiff(before, hostInventory());
  if (diff.iptables) {
    diff.iptables.removed = diff.iptables.removed.filter((l) => !sharedPortmap(l));
    if (diff.iptables.added.length === 0 && diff.iptables.removed.length === 0) delete diff.iptables;
  }
  return diff;
}
