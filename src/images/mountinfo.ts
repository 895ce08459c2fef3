// Parsing /proc/self/mountinfo (proc(5)): mount points are octal-escaped ("\040" for a space). Pure, plus
// one reader.

import fs from 'node:fs/promises';

export interface MountEntry {
  mountPoint: string;
  fsType: string;
  source: string;
}

export function unescapeMountField(s: string): string {
  return s.replace(/\\([0-7]{3})/g, (_m, o: string) => String.fromCharCode(parseInt(o, 8)));
}

export function parseMountInfo(text: string): MountEntry[] {
  const out: MountEntry[] = [];
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    const fields = line.split(' ');
    const sep = fields.indexOf('-');
    if (sep < 6 || fields.length < sep + 3) continue;
    out.push({ mountPoint: unescapeMountField(fields[4]!), fsType: fields[sep + 1]!, source: unescapeMountField(fields[sep + 2]!) });
  }
  return out;
}

/** Mount points equal to `dir` or below it, deepest first (the order to unmount them in). */
export function mountsUnder(entries: MountEntry[], dir: string): string[] {
  const prefix = dir.endsWith('/') ? dir : `${dir}/`;
  const hits = entries.map((e) => e.mountPoint).filter((m) => m === dir || m.startsWith(prefix));
  return [...new Set(hits)].sort((a, b) => b.split('/').length - a.split('/').length || (a < b ? 1 : -1));
}

export async function readMountInfo(): Promise<MountEntry[]> {
  return parseMountInfo(await fs.readFile('/proc/self/mountinfo', 'utf8'));
}
