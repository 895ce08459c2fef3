// The inventory of peapod's host state by who may read it, and the pure decisions of the start-up
// repair (private-dir.ts runs them). Daemon-private state is root-owned, 0700 dirs and 0600 files;
// what containers read and write keeps the modes Kubernetes gives it, and is kept from other local
// users by the private dirs above it. The data dir's own 0700 is the guarantee; the modes below it are
// defence in depth (and what protects state outside it: the pod logs dir, the run dir).
//
//   <data-dir>/                          0700  private
//     peapod.db, -wal, -shm, -journal    0600  every object, Secrets included (SQLite gives -wal/-shm the db's mode)
//     peapod.pid, peapod.lock            0600  the daemon's pid; the flock held while it serves (system/data-dir-lock.ts)
//     kubeconfig                         0600  credentials for the API
//     pki/ (and its subdirs)             0700  TLS: keys and anything else 0600, certificates (*.crt) at most 0644
//     containers/<id>/                   0700  bundle: config.json, record.json, exec-*.json (env from Secrets),
//                                              conmon.log 0600. Not judged: termination-log 0666 (container-facing,
//                                              as the kubelet makes it), pidfile, conmon.pid, ctl, winsz, persist/,
//                                              attach, oom (runc's and conmon's own, behind the 0700 bundle)
//     sandboxes/<id>/                    0700  record.json 0600; infra/ 0700 with config.json, conmon.log, infra.log 0600.
//                                              Not judged: hosts, hostname, resolv.conf 0644 and the shm tmpfs 1777
//                                              (container-facing), infra/rootfs (the pause container's /)
//     images/                            0700  blobs/ (sha256/), layers/, l/, images/, overlay/, tmp/ 0700; not
//                                              descended: layers and rootfs keep the image's modes
//     pods/                              0750  the kubelet's; not descended: pods/<uid>/volumes 0750 and the volumes
//                                              (emptyDir 0777, configMap/secret files with their defaultMode)
//     cni/                               0700  net.d/, cache/ (results/ files 0600), ipam/ (host-local's files)
//     logs/pods/                         0700  pod logs of a non-default data dir, as below
//     tmp/                               0700  image uploads 0600
//     storage/                           0700  the local-path volumes; not descended: pvc-<uid>_<ns>_<name> 0777
//                                              (container-facing, as local-path-provisioner makes them)
//   <pod-logs-dir>/<ns>_<pod>_<uid>/<container>/<n>.log   dirs 0700, logs 0600: /var/log/pods for the
//                                        default data dir, which the kubelet makes 0755 with 0640 logs (containerd);
//                                        peapod owns it and keeps logs (which print Secrets as readily as env) private
//   /run/peapod[-key]/                   0700  runc/ (runc --root), exits/, attach/, netns/, ns/ 0700; not descended
//
// The daemon trusts what these paths hold (it loads pki/ca.key, writes the kubeconfig, opens the store as
// root), so the start-up check tells two cases apart (decide):
// - too open for reading: read/execute bits (and setuid, setgid, sticky) beyond the rule, or a group other
//   than root's. Others could only have read: the bits are removed, the group set to root's, each logged.
// - another user could have written there: an owner other than root, a group or other write bit, a
//   symlink or an entry of another type at a private name. What such a path holds may have been planted
//   (a kubeconfig that is a symlink to a file of theirs, a CA key of their own), and no chmod undoes that:
//   the daemon refuses to start and names the path, for an admin to inspect. A sticky bit is no excuse
//   (no private dir has one): others could not replace root's entries, but could plant names not made yet.
// A regular file with other hard links is left as it is, with a warning: a change would reach its other
// names. The check never opens a mode up.

import path from 'node:path';
import type { NodePaths } from './paths.js';

export type EntryType = 'dir' | 'file';
export type EntryKind = EntryType | 'symlink' | 'other';

export interface ModeRule {
  type: EntryType;
  /** The most open mode allowed (permission bits, 0o7777 range): the repair removes any other bit. */
  maxMode: number;
  /** A dir's entries, first match wins; an entry no rule matches is not judged nor descended into. */
  entries?: readonly ChildRule[];
}

export interface ChildRule {
  /** An exact name, or a pattern the whole name must match. */
  name: string | RegExp;
  /** Only entries known to be of this kind match (default: any kind; a mismatch is then reported). */
  kind?: EntryType;
  rule: ModeRule;
}

/** A tree of rules rooted at an absolute path. */
export interface PrivateRoot {
  path: string;
  rule: ModeRule;
}

const file = (maxMode = 0o600): ModeRule => ({ type: 'file', maxMode });
const dir = (entries?: readonly ChildRule[], maxMode = 0o700): ModeRule => ({ type: 'dir', maxMode, ...(entries ? { entries } : {}) });
/** Any name but a hidden one. */
const ANY = /^[^.].*$/;
const any = (rule: ModeRule): ChildRule => ({ name: ANY, rule });

/** A container bundle: only the files that carry the pod's config (env from Secrets) or runc's errors. */
const BUNDLE = dir([
  { name: 'config.json', rule: file() },
  { name: 'record.json', rule: file() },
  { name: 'conmon.log', rule: file() },
  { name: /^exec-.+\.json$/, rule: file() },
  // writeFileAtomic's temp file, left by a crash between write and rename.
  { name: /^\.record\.json\..+\.tmp$/, rule: file() },
]);

const INFRA = dir([
  { name: 'config.json', rule: file() },
  { name: 'conmon.log', rule: file() },
  { name: 'infra.log', rule: file() },
]);

const SANDBOX = dir([
  { name: 'record.json', rule: file() },
  { name: /^\.record\.json\..+\.tmp$/, rule: file() },
  { name: 'infra', rule: INFRA },
]);

/** <pod-logs-dir>/<ns>_<pod>_<uid>/<container>/<restart>.log (and rotated files beside them). */
export const POD_LOGS_RULE: ModeRule = dir([any(dir([any(dir([any(file())]))]))]);

/**
 * TLS material, in subdirs too: certificates may stay readable (they are public), keys and anything
 * unknown may not.
 */
const pkiEntries: ChildRule[] = [];
const PKI: ModeRule = { type: 'dir', maxMode: 0o700, entries: pkiEntries };
pkiEntries.push({ name: ANY, kind: 'dir', rule: PKI }, { name: /^[^.].*\.crt$/, rule: file(0o644) }, any(file()));

const IMAGES = dir([
  { name: 'blobs', rule: dir([{ name: 'sha256', rule: dir() }]) },
  { name: 'layers', rule: dir() },
  { name: 'l', rule: dir() },
  { name: 'images', rule: dir() },
  { name: 'overlay', rule: dir() },
  { name: 'tmp', rule: dir() },
]);

const CNI = dir([
  { name: 'net.d', rule: dir([any(file())]) },
  { name: 'cache', rule: dir([{ name: 'results', rule: dir([any(file())]) }]) },
  { name: 'ipam', rule: dir() },
]);

/** The data dir's tree (names relative to it). */
export const DATA_DIR_RULE: ModeRule = dir([
  { name: 'peapod.db', rule: file() },
  { name: 'peapod.db-wal', rule: file() },
  { name: 'peapod.db-shm', rule: file() },
  { name: 'peapod.db-journal', rule: file() },
  { name: 'peapod.pid', rule: file() },
  { name: 'peapod.lock', rule: file() },
  { name: 'kubeconfig', rule: file() },
  { name: 'pki', rule: PKI },
  { name: 'containers', rule: dir([any(BUNDLE)]) },
  { name: 'sandboxes', rule: dir([any(SANDBOX)]) },
  { name: 'images', rule: IMAGES },
  { name: 'pods', rule: dir(undefined, 0o750) },
  { name: 'cni', rule: CNI },
  { name: 'logs', rule: dir([{ name: 'pods', rule: POD_LOGS_RULE }]) },
  { name: 'tmp', rule: dir([any(file())]) },
  { name: 'storage', rule: dir() },
]);

/** The run dir: runc's root, conmon's exit files and attach links, pinned netns and IPC/UTS namespaces. */
export const RUN_DIR_RULE: ModeRule = dir([
  { name: 'runc', rule: dir() },
  { name: 'exits', rule: dir() },
  { name: 'attach', rule: dir() },
  { name: 'netns', rule: dir() },
  { name: 'ns', rule: dir() },
]);

/**
 * Every tree of daemon-private state: the data dir (at `dataDir`, which may be its canonical path),
 * the pod logs dir when it lies outside it, and the run dir.
 */
export function privateRoots(paths: NodePaths, dataDir: string = paths.dataDir): PrivateRoot[] {
  const roots: PrivateRoot[] = [{ path: dataDir, rule: DATA_DIR_RULE }];
  if (!isWithin(paths.dataDir, paths.podLogsDir)) roots.push({ path: paths.podLogsDir, rule: POD_LOGS_RULE });
  roots.push({ path: paths.runDir, rule: RUN_DIR_RULE });
  return roots;
}

function isWithin(parent: string, p: string): boolean {
  const rel = path.relative(parent, p);
  return rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel);
}

/**
 * The rule of the entry `name` (of `kind`, when known) inside a dir ruled by `rule`, or undefined
 * when it is not judged.
 */
export function childRule(rule: ModeRule, name: string, kind?: EntryKind): ModeRule | undefined {
  for (const c of rule.entries ?? []) {
    if (c.kind && c.kind !== kind) continue;
    if (typeof c.name === 'string' ? c.name === name : fullMatch(c.name, name)) return c.rule;
  }
  return undefined;
}

function fullMatch(re: RegExp, name: string): boolean {
  const m = re.exec(name);
  return m !== null && m.index === 0 && m[0].length === name.length;
}

/**
 * The rule of a path relative to a root ("containers/<id>/config.json"), or undefined when not judged.
 * Every part but the last is a dir; `kind` is the last one's, when known.
 */
export function classify(root: ModeRule, rel: string, kind?: EntryKind): ModeRule | undefined {
  const parts = rel.split('/').filter(Boolean);
  let rule: ModeRule | undefined = root;
  for (let i = 0; i < parts.length && rule; i++) rule = childRule(rule, parts[i]!, i === parts.length - 1 ? kind : 'dir');
  return rule;
}

/** What lstat says of an entry. */
export interface Observed {
  kind: EntryKind;
  /** Permission bits (st_mode & 0o7777). */
  mode: number;
  uid: number;
  gid: number;
  /** Hard links (st_nlink); only a regular file's are judged. */
  nlink?: number;
}

export interface Owner {
  uid: number;
  gid: number;
}

export type Decision =
  | { action: 'none' }
  /** Remove permission bits (mode is what is left); chgrp: set the group to the owner's. */
  | { action: 'fix'; mode: number; chgrp: boolean }
  /** Leave the entry as it is, with a warning. */
  | { action: 'skip'; reason: string }
  /** Another user could have written there: the daemon must not start. `remedy` is what an admin does. */
  | { action: 'refuse'; reason: string; remedy: string };

/**
 * What the start-up check does with one private entry: nothing, repair bits that let others read,
 * refuse what shows others could have written, or leave a hard-linked file (see the header).
 */
export function decide(rule: ModeRule, seen: Observed, owner: Owner): Decision {
  if (seen.kind === 'symlink') return { action: 'refuse', reason: 'is a symlink', remedy: 'remove it' };
  if (seen.kind !== rule.type) return { action: 'refuse', reason: `is ${article(seen.kind)}, expected ${article(rule.type)}`, remedy: 'remove it' };
  const reasons: string[] = [];
  const remedies: string[] = [];
  if (seen.uid !== owner.uid) {
    reasons.push(`owned by uid ${seen.uid}`);
    remedies.push(`chown ${owner.uid}:${owner.gid}`);
  }
  const writers = writableBy(seen);
  if (writers) {
    reasons.push(`writable by ${writers} (mode ${formatMode(seen.mode)})`);
    remedies.push('chmod go-w');
  }
  if (reasons.length) return { action: 'refuse', reason: reasons.join(', '), remedy: remedies.join(' and ') };
  const nlink = seen.nlink ?? 1;
  if (seen.kind === 'file' && nlink > 1) return { action: 'skip', reason: `has ${nlink} hard links (a change would reach its other names)` };
  const mode = seen.mode & rule.maxMode;
  const chgrp = seen.gid !== owner.gid;
  return mode === seen.mode && !chgrp ? { action: 'none' } : { action: 'fix', mode, chgrp };
}

/** Who besides the owner may write to an entry ("every user", "group 50"), or undefined. */
function writableBy(seen: Observed): string | undefined {
  if (seen.mode & 0o002) return 'every user';
  if (seen.mode & 0o020) return `group ${seen.gid}`;
  return undefined;
}

function article(kind: EntryKind | EntryType): string {
  return kind === 'other' ? 'a special file' : `a ${kind}`;
}

/**
 * Why a dir above the data dir would let a user other than root swap the data dir (or a dir on the
 * way) for their own, or undefined when it is safe. Those dirs are not peapod's: they are reported,
 * never changed. A sticky world-writable dir (/tmp) is safe: others cannot rename root's entries.
 */
export function ancestorRisk(seen: Observed): string | undefined {
  if (seen.kind !== 'dir') return undefined;
  if (seen.uid !== 0) return `owned by uid ${seen.uid}`;
  const sticky = (seen.mode & 0o1000) !== 0;
  if (!sticky && (seen.mode & 0o002) !== 0) return `writable by every user (mode ${formatMode(seen.mode)})`;
  if (!sticky && seen.gid !== 0 && (seen.mode & 0o020) !== 0) return `writable by group ${seen.gid} (mode ${formatMode(seen.mode)})`;
  return undefined;
}

/** The lexical ancestors of an absolute path, root first, without the path itself. */
export function ancestorsOf(p: string): string[] {
  const out: string[] = [];
  let cur = path.dirname(path.resolve(p));
  for (;;) {
    out.unshift(cur);
    const up = path.dirname(cur);
    if (up === cur) return out;
    cur = up;
  }
}

/** "0644" */
export function formatMode(mode: number): string {
  return '0' + (mode & 0o7777).toString(8).padStart(3, '0');
}
