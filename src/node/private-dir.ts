// Making the data dir private, whoever creates it first, and repairing one that is more open than it
// should be (an older peapod made it 0711 with a 0644 store; an admin pre-created it 0755; it was
// copied with another umask). Runs at `peapod serve` start before anything opens the store, and in
// `peapod setup` before the image store is built. The decisions are private-state.ts's; this file
// only looks (lstat, never following a symlink) and applies them.
//
// Parents of the data dir are not peapod's: missing ones are created 0755 (as `mkdir -p`), existing
// ones are never changed, but one that lets a user other than root replace the data dir is reported.
// The data dir itself may be a symlink (an admin's /var/lib/peapod -> /data/peapod): its target is
// what is kept private, and the walk below it never follows a symlink.
//
// Synchronous on purpose: it runs once before the daemon serves, and a walk of a few thousand lstat
// calls is faster without a promise per entry (hundreds of containers: a few ms).

import fs, { constants as fsc, type Stats } from 'node:fs';
import path from 'node:path';
import type { Logger } from '../system/logger.js';
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
  /** "uid:gid" before a chown to root. */
  oldOwner?: string;
}

export interface RepairReport {
  /** The canonical data dir (the target when the data dir is a symlink). */
  dataDir: string;
  repaired: RepairedPath[];
  skipped: { path: string; reason: string }[];
  unsafeAncestors: { path: string; reason: string }[];
}

export interface PrepareOptions {
  /** Owner of private state; root (0:0) unless a test runs as another user. */
  owner?: Owner;
}

const ROOT: Owner = { uid: 0, gid: 0 };

/**
 * Creates the data dir 0700 if missing, then repairs the data dir, the pod logs dir and the run dir
 * (private-state.ts) and warns about each path it changed, each it had to leave (a symlink, a file
 * where a dir belongs) and each parent dir a user other than root could swap. Throws only when the
 * data dir cannot be made or is not a directory.
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
  for (const root of privateRoots(paths, dataDir)) repairTree(root.path, root.rule, owner, report);
  for (const r of report.repaired) logger.warn({ ...r }, 'repaired daemon-private state that was more open than it should be');
  for (const s of report.skipped) logger.warn({ ...s }, 'left daemon-private path unrepaired');
  return report;
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
 * Applies the rules to `root` and, for dirs with entry rules, to the entries they name. Missing paths
 * are fine (nothing to repair). A dir is repaired before it is read, so once the walk is below it no
 * other user can swap an entry; each fix goes through an O_NOFOLLOW descriptor checked against the
 * lstat, so a swap before that is refused rather than followed.
 */
export function repairTree(root: string, rule: ModeRule, owner: Owner, report: Pick<RepairReport, 'repaired' | 'skipped'>): void {
  const st = fs.lstatSync(root, { throwIfNoEntry: false });
  if (!st) return;
  const seen = observe(st);
  const d = decide(rule, seen, owner);
  if (d.action === 'skip') {
    report.skipped.push({ path: root, reason: d.reason });
    return;
  }
  if (d.action === 'fix') {
    const failure = applyFix(root, rule, st, d.mode, d.chown ? owner : undefined);
    if (failure) {
      report.skipped.push({ path: root, reason: failure });
      return;
    }
    report.repaired.push({
      path: root,
      oldMode: formatMode(seen.mode),
      newMode: formatMode(d.mode),
      ...(d.chown ? { oldOwner: `${seen.uid}:${seen.gid}` } : {}),
    });
  }
  if (rule.type !== 'dir' || !rule.entries) return;
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(root, { withFileTypes: true });
  } catch (err) {
    report.skipped.push({ path: root, reason: `cannot list: ${(err as NodeJS.ErrnoException).code ?? String(err)}` });
    return;
  }
  for (const e of entries) {
    const p = path.join(root, e.name);
    const r = childRule(rule, e.name, direntKind(e, p));
    if (r) repairTree(p, r, owner, report);
  }
}

/** chown (when `owner`) then chmod through a descriptor that cannot be a symlink; returns why not. */
function applyFix(p: string, rule: ModeRule, seen: Stats, mode: number, owner: Owner | undefined): string | undefined {
  const flags = fsc.O_RDONLY | fsc.O_NOFOLLOW | fsc.O_NONBLOCK | fsc.O_NOCTTY | (rule.type === 'dir' ? fsc.O_DIRECTORY : 0);
  let fd: number;
  try {
    fd = fs.openSync(p, flags);
  } catch (err) {
    return `cannot open to repair: ${(err as NodeJS.ErrnoException).code ?? String(err)}`;
  }
  try {
    const now = fs.fstatSync(fd);
    if (now.ino !== seen.ino || now.dev !== seen.dev) return 'replaced while being repaired';
    if (owner) fs.fchownSync(fd, owner.uid, owner.gid);
    fs.fchmodSync(fd, mode);
    return undefined;
  } catch (err) {
    return `cannot repair: ${(err as NodeJS.ErrnoException).code ?? String(err)}`;
  } finally {
    fs.closeSync(fd);
  }
}

function observe(st: Stats): Observed {
  return { kind: kindOf(st), mode: st.mode & 0o7777, uid: st.uid, gid: st.gid };
}

function kindOf(st: Stats | fs.Dirent): EntryKind {
  if (st.isSymbolicLink()) return 'symlink';
  if (st.isDirectory()) return 'dir';
  if (st.isFile()) return 'file';
  return 'other';
}

/** The kind readdir reports (lstat when the filesystem does not say); lstat in repairTree has the last word. */
function direntKind(e: fs.Dirent, p: string): EntryKind | undefined {
  const kind = kindOf(e);
  if (kind !== 'other') return kind;
  const st = fs.lstatSync(p, { throwIfNoEntry: false });
  return st ? kindOf(st) : undefined;
}
