// Parsing /proc/self/mountinfo (proc(5)), so teardown can find and unmount, deepest first, whatever is
// mounted under a directory before removing it. Pure helpers plus one reader.

import { readVirtualFile } from './virtual-file.js';

export interface MountInfoEntry {
  /** Field 3, the filesystem's device "major:minor". */
  device: string;
  /** Field 4: the path within the filesystem that is mounted here ("/" for its root; a bind mount's source). */
  root: string;
  /** Field 5, octal escapes decoded. */
  mountPoint: string;
  fsType: string;
  /** The mount source after the separator ("overlay", "tmpfs", "/dev/vda"), octal escapes decoded. */
  source: string;
  /** Per-mount options (field 6), e.g. "rw,nosuid". */
  mountOptions: string;
  /** Per-superblock options after the separator, e.g. "rw,size=1024k"; "" when absent. */
  superOptions: string;
}

/** Undoes the kernel's octal escapes (\040 space, \011 tab, \012 newline, \134 backslash). */
export function unescapeMountField(s: string): string {
  return s.replace(/\\([0-7]{3})/g, (_m, oct: string) => String.fromCharCode(parseInt(oct, 8)));
}

/** What the kernel writes for a path in mountinfo: space, tab, newline and backslash as octal escapes. */
export function escapeMountField(s: string): string {
  return s.replace(/[ \t\n\\]/g, (c) => `\\${c.charCodeAt(0).toString(8).padStart(3, '0')}`);
}

/**
 * One entry per well-formed line, in file order (mount order); malformed lines are skipped. With
 * `within`, only the mounts at or below that directory. With hundreds of pods the table has thousands of
 * lines and teardown reads it several times per pod, so the bytes are searched for the directory's name
 * and only the lines that contain it are decoded and parsed: no string of the whole table is made.
 */
export function parseMountInfo(text: string | Buffer, within?: string): MountInfoEntry[] {
  const buf = typeof text === 'string' ? Buffer.from(text) : text;
  const out: MountInfoEntry[] = [];
  const base = within?.replace(/\/+$/, '');
  const needle = base === undefined ? undefined : Buffer.from(` ${escapeMountField(base)}`);
  let at = 0;
  while (at < buf.length) {
    let start = at;
    if (needle !== undefined) {
      const hit = buf.indexOf(needle, at);
      if (hit < 0) break;
      start = buf.lastIndexOf(0x0a, hit) + 1;
    }
    let end = buf.indexOf(0x0a, start);
    if (end < 0) end = buf.length;
    at = end + 1;
    const entry = parseLine(buf.toString('utf8', start, end));
    if (!entry) continue;
    if (base !== undefined && entry.mountPoint !== base && !entry.mountPoint.startsWith(base + '/')) continue;
    out.push(entry);
  }
  return out;
}

function parseLine(line: string): MountInfoEntry | undefined {
  if (line.trim() === '') return undefined;
  const fields = line.split(' ');
  // Optional fields (shared:N, master:N...) start at index 6 and end with a lone "-".
  const sep = fields.indexOf('-', 6);
  if (sep < 0 || fields.length < sep + 3) return undefined;
  return {
    device: fields[2],
    root: unescapeMountField(fields[3]),
    mountPoint: unescapeMountField(fields[4]),
    mountOptions: fields[5],
    fsType: fields[sep + 1],
    source: unescapeMountField(fields[sep + 2]),
    superOptions: fields[sep + 3] ?? '',
  };
}

/**
 * The mounts at or below `dir`, deepest first (children before parents, later-stacked before earlier at
 * the same point): the order in which they can be unmounted. A sibling sharing a name prefix is not below.
 */
export function mountsUnder(entries: MountInfoEntry[], dir: string): MountInfoEntry[] {
  const base = dir.replace(/\/+$/, '');
  const under = entries
    .map((e, i) => ({ e, i }))
    .filter(({ e }) => e.mountPoint === base || e.mountPoint.startsWith(base + '/'));
  under.sort((a, b) => depth(b.e.mountPoint) - depth(a.e.mountPoint) || b.i - a.i);
  return under.map(({ e }) => e);
}

/** The distinct mount points of mountsUnder, in its order (for callers that unmount by path once each). */
export function mountPointsUnder(entries: MountInfoEntry[], dir: string): string[] {
  return [...new Set(mountsUnder(entries, dir).map((e) => e.mountPoint))];
}

/** True when `dir` itself is a mount point. */
export function isMountPoint(entries: MountInfoEntry[], dir: string): boolean {
  const base = dir.replace(/\/+$/, '');
  return entries.some((e) => e.mountPoint === base);
}

/**
 * The mounts of this process's mount namespace (only those at or below `within`, when given); `file` is
 * for reading another process's table.
 */
export async function readMountInfo(file = '/proc/self/mountinfo', within?: string): Promise<MountInfoEntry[]> {
  return readVirtualFile(file, (bytes) => parseMountInfo(bytes, within));
}

function depth(p: string): number {
  return p.split('/').filter(Boolean).length;
}
