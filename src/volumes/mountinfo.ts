// Parsing /proc/self/mountinfo (proc(5)) to find the mounts under a directory, so teardown can
// unmount them deepest first before removing anything. Pure: the caller reads the file.

export interface MountInfoEntry {
  mountPoint: string;
  fsType: string;
  source: string;
  /** Per-mount options (field 6), e.g. "rw,nosuid". */
  mountOptions: string;
  /** Per-superblock options after the separator, e.g. "rw,size=1024k". */
  superOptions: string;
}

/** Undoes the kernel's octal escapes (\040 space, \011 tab, \012 newline, \134 backslash). */
function unescapeField(s: string): string {
  return s.replace(/\\([0-7]{3})/g, (_, oct: string) => String.fromCharCode(parseInt(oct, 8)));
}

export function parseMountInfo(text: string): MountInfoEntry[] {
  const out: MountInfoEntry[] = [];
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    const fields = line.split(' ');
    const sep = fields.indexOf('-', 6);
    if (fields.length < 10 || sep < 0) continue;
    out.push({
      mountPoint: unescapeField(fields[4]),
      mountOptions: fields[5],
      fsType: fields[sep + 1],
      source: unescapeField(fields[sep + 2]),
      superOptions: fields[sep + 3] ?? '',
    });
  }
  return out;
}

/**
 * The mounts at or below `dir`, deepest first (children before parents, later-stacked before
 * earlier at the same point), the order in which they can be unmounted.
 */
export function mountsUnder(entries: MountInfoEntry[], dir: string): MountInfoEntry[] {
  const base = dir.replace(/\/+$/, '');
  const under = entries
    .map((e, i) => ({ e, i }))
    .filter(({ e }) => e.mountPoint === base || e.mountPoint.startsWith(base + '/'));
  under.sort((a, b) => depth(b.e.mountPoint) - depth(a.e.mountPoint) || b.i - a.i);
  return under.map(({ e }) => e);
}

function depth(p: string): number {
  return p.split('/').filter(Boolean).length;
}

/** True when `dir` itself is a mount point. */
export function isMountPoint(entries: MountInfoEntry[], dir: string): boolean {
  const base = dir.replace(/\/+$/, '');
  return entries.some((e) => e.mountPoint === base);
}
