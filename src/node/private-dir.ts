// Making the data dir private, whoever creates it first, and checking it at start: a data dir more open
// than it should be for reading is repaired (an older peapod made it 0711 with a 0644 store; an admin
// pre-created it 0755; it was copied with another umask), one that shows another user could have written
// there is refused (private-state.ts decides which). Runs at `peapod serve` start before anything opens
// the store, and in `peapod setup` before the image store is built.
//
// Parents of the data dir are not peapod's: missing ones are created 0755 (as `mkdir -p`), existing
// ones are never changed, but one that lets a user other than root replace the data dir is reported.
// The data dir itself may be a symlink (an admin's /var/lib/peapod -> /data/peapod): its target is
// what is checked, and the walk below it never follows a symlink.
//
// The walk goes by descriptor (system/open-beneath.ts): each entry is opened O_PATH|O_NOFOLLOW relative
// to its parent's descriptor, judged on fstat of that descriptor, listed and changed through it. A dir
// swapped for a symlink partway down cannot send the walk, or a chmod, elsewhere; nothing but a
// directory is ever opened for reading (no device, no FIFO). Two passes: the first only looks and
// refuses, so a refused data dir is left exactly as found; the second repairs.
//
// Synchronous on purpose: it runs once before the daemon serves, and a walk of a few thousand entries
// is faster without a promise per entry (200 containers, both passes: well under 100 ms).

import fs, { type Stats } from 'node:fs';
import path from 'node:path';
import type { Logger } from '../system/logger.js';
import { fdPath, O_PATH, openBeneath } from '../system/open-beneath.js';
import type { NodePaths } from './paths.js';
import {
  ancestorRisk,
  ancestorsOf,
  childRule,
  decide,
  formatMode,
  privateRoots,
  type EntryKind,
  type ModeRule,
  type Observed,
  type Owner,
} from './private-state.js';

export interface RepairedPath {
  path: string;
  oldMode: string;
  newMode: string;
  /** "uid:gid" before the group was set to root's (a uid other than root's is refused, never changed). */
  oldOwner?: string;
}

export interface RefusedPath {
  path: string;
  reason: string;
  /** What an admin does about it: "remove it", "chown 0:0 and chmod go-w". */
  remedy: string;
}

export interface RepairReport {
  /** The canonical data dir (the target when the data dir is a symlink). */
  dataDir: string;
  repaired: RepairedPath[];
  skipped: { path: string; reason: string }[];
  unsafeAncestors: { path: string; reason: string }[];
}

/** What one pass of the walk found. */
interface WalkReport {
  repaired: RepairedPath[];
  skipped: { path: string; reason: string }[];
  refused: RefusedPath[];
}

export interface PrepareOptions {
  /** Owner of private state; root (0:0) unless a test runs as another user. */
  owner?: Owner;
}

const ROOT: Owner = { uid: 0, gid: 0 };

/**
 * Creates the data dir 0700 if missing, then checks the data dir, the pod logs dir and the run dir
 * (private-state.ts). Throws, changing nothing, when another user could have written to any of them
 * (the message names each path, what is wrong and what to do); else repairs what is too open and warns
 * about each path it changed, each it left (a file with other hard links) and each parent dir a user
 * other than root could swap. Also throws when the data dir cannot be made or is not a directory.
 */
export function prepareDataDir(paths: NodePaths, logger: Logger, opts: PrepareOptions = {}): RepairReport {
  const owner = opts.owner ?? ROOT;
  const dataDir = ensureDataDir(paths.dataDir);
  if (dataDir !== paths.dataDir) logger.info({ dataDir: paths.dataDir, target: dataDir }, 'the data dir is reached through a symlink: its target is kept private');
  const report: RepairReport = { dataDir, repaired: [], skipped: [], unsafeAncestors: [] };
  for (const dir of new Set([...ancestorsOf(paths.dataDir), ...ancestorsOf(dataDir)])) {
    const st = fs.lstatSync(dir, { throwIfNoEntry: false });
    const reason = st && ancestorRisk(observe(st));
    if (!reason) continue;
    report.unsafeAncestors.push({ path: dir, reason });
    logger.warn({ path: dir, dataDir: paths.dataDir, reason }, 'a dir above the data dir lets a user other than root replace it (left as it is: not peapod\'s)');
  }
  const roots = privateRoots(paths, dataDir);
  for (const apply of [false, true]) {
    const found: WalkReport = { repaired: [], skipped: [], refused: [] };
    for (const root of roots) walkTree(root.path, root.rule, owner, apply, found);
    if (found.refused.length) throw new Error(refusalMessage(paths.dataDir, found.refused, apply));
    if (apply) {
      report.repaired.push(...found.repaired);
      report.skipped.push(...found.skipped);
    }
  }
  for (const r of report.repaired) logger.warn({ ...r }, 'repaired daemon-private state that was more open than it should be');
  for (const s of report.skipped) logger.warn({ ...s }, 'left daemon-private path unrepaired');
  return report;
}

/** How many refused paths the message lists; the rest are counted. */
const REFUSALS_LISTED = 20;

function refusalMessage(dataDir: string, refused: RefusedPath[], afterRepairs: boolean): string {
  const lines = refused.slice(0, REFUSALS_LISTED).map((r) => `  ${r.path}: ${r.reason} (${r.remedy})`);
  if (refused.length > REFUSALS_LISTED) lines.push(`  and ${refused.length - REFUSALS_LISTED} more`);
  return [
    `refusing to use data dir ${dataDir}: another user could have written to the daemon's private state, so what it holds cannot be trusted`,
    ...lines,
    'inspect each path (a key, kubeconfig or config there may have been planted); remove it, or if you trust it fix it as shown (path by path, not recursively: volumes and termination logs keep their own modes), then start again',
    afterRepairs ? '(this appeared while repairing: read bits of other private paths may already have been removed)' : '(nothing was changed)',
  ].join('\n');
}

/** Creates the data dir if missing (0700; missing parents 0755); returns its canonical path. */
function ensureDataDir(dataDir: string): string {
  if (!fs.lstatSync(dataDir, { throwIfNoEntry: false })) {
    fs.mkdirSync(path.dirname(dataDir), { recursive: true, mode: 0o755 });
    try {
      fs.mkdirSync(dataDir, { mode: 0o700 });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
  }
  const canonical = fs.realpathSync(dataDir);
  if (!fs.lstatSync(canonical).isDirectory()) throw new Error(`data dir ${dataDir} exists and is not a directory`);
  return canonical;
}

/**
 * Walks `root` (a path from the inventory, its last element never followed) and, for dirs with entry
 * rules, the entries they name, by descriptor. Missing paths are fine (nothing to check). With `apply`
 * the fixes are made; refused entries are recorded either way, and a refused dir is still descended
 * (by descriptor, harmlessly) so the admin sees everything at once.
 */
function walkTree(root: string, rule: ModeRule, owner: Owner, apply: boolean, report: WalkReport): void {
  let fd: number;
  try {
    fd = fs.openSync(root, O_PATH | fs.constants.O_NOFOLLOW);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw new Error(`check private path ${root}: ${errCode(err)}`, { cause: err });
  }
  try {
    visit(fd, root, rule, owner, apply, report);
  } finally {
    fs.closeSync(fd);
  }
}

/** Judges the entry `fd` holds (an O_PATH descriptor) and, for a dir with entry rules, its entries. */
function visit(fd: number, p: string, rule: ModeRule, owner: Owner, apply: boolean, report: WalkReport): void {
  const st = fs.fstatSync(fd);
  const seen = observe(st);
  const d = decide(rule, seen, owner);
  if (d.action === 'refuse') {
    report.refused.push({ path: p, reason: d.reason, remedy: d.remedy });
    if (seen.kind !== 'dir') return;
  } else if (d.action === 'skip') {
    if (apply) report.skipped.push({ path: p, reason: d.reason });
    return;
  } else if (d.action === 'fix' && apply) {
    const failure = applyFix(fd, d.mode, d.chgrp ? owner : undefined);
    if (failure) {
      report.skipped.push({ path: p, reason: failure });
      return;
    }
    report.repaired.push({
      path: p,
      oldMode: formatMode(seen.mode),
      newMode: formatMode(d.mode),
      ...(d.chgrp ? { oldOwner: `${seen.uid}:${seen.gid}` } : {}),
    });
  }
  if (seen.kind !== 'dir' || !rule.entries) return;
  let names: string[];
  try {
    names = fs.readdirSync(fdPath(fd));
  } catch (err) {
    if (apply) report.skipped.push({ path: p, reason: `cannot list: ${errCode(err)}` });
    return;
  }
  for (const name of names) {
    const child = openBeneath(fd, name);
    if (child === undefined) continue; // gone since the listing
    try {
      const r = childRule(rule, name, kindOf(fs.fstatSync(child)));
      if (r) visit(child, path.join(p, name), r, owner, apply, report);
    } finally {
      fs.closeSync(child);
    }
  }
}

/**
 * chown (when `owner`) then chmod the inode an O_PATH descriptor holds (a regular file or a dir,
 * decide() made sure), through its /proc path; returns why not.
 */
function applyFix(fd: number, mode: number, owner: Owner | undefined): string | undefined {
  try {
    if (owner) fs.chownSync(fdPath(fd), owner.uid, owner.gid);
    fs.chmodSync(fdPath(fd), mode);
    return undefined;
  } catch (err) {
    return `cannot repair: ${errCode(err)}`;
  }
}

function errCode(err: unknown): string {
  return (err as NodeJS.ErrnoException).code ?? String(err);
}

function observe(st: Stats): Observed {
  return { kind: kindOf(st), mode: st.mode & 0o7777, uid: st.uid, gid: st.gid, nlink: st.nlink };
}

function kindOf(st: Stats): EntryKind {
  if (st.isSymbolicLink()) return 'symlink';
  if (st.isDirectory()) return 'dir';
  if (st.isFile()) return 'file';
  return 'other';
}
