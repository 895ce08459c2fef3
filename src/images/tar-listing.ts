// Reading a GNU `tar -tf` listing (LC_ALL=C, --quoting-style=escape) and deriving what unpacking must do
// besides extracting: whiteouts, opaque dirs, and parent dirs the archive only implies. Pure.

const WH = '.wh.';
const OPAQUE = '.wh..wh..opq';

/** Undoes GNU tar's "escape" quoting (\\, \n, \t, ..., \ooo octal bytes); bytes are decoded as UTF-8. */
export function unescapeTarName(s: string): string {
  if (!s.includes('\\')) return s;
  const bytes = Buffer.allocUnsafe(Buffer.byteLength(s, 'utf8'));
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c !== 92 || i + 1 >= s.length) {
      if (c < 0x80) bytes[n++] = c;
      else {
        const cp = s.codePointAt(i)!;
        const ch = String.fromCodePoint(cp);
        n += bytes.write(ch, n, 'utf8');
        i += ch.length - 1;
      }
      continue;
    }
    const next = s[i + 1]!;
    const oct = OCTAL.exec(s.slice(i + 1, i + 4));
    if (oct) {
      bytes[n++] = parseInt(oct[0], 8) & 0xff;
      i += oct[0].length;
    } else if (next in SIMPLE) {
      bytes[n++] = SIMPLE[next]!;
      i += 1;
    } else {
      bytes[n++] = 92;
    }
  }
  return bytes.subarray(0, n).toString('utf8');
}

const OCTAL = /^[0-7]{1,3}/;
const SIMPLE: Record<string, number> = { a: 7, b: 8, f: 12, n: 10, r: 13, t: 9, v: 11, '\\': 92, '?': 63, '"': 34, "'": 39 };

/** "./a/b/" → "a/b"; "/" and "." → "". Rejects ".." components (GNU tar refuses them too). */
export function normalizeEntryName(name: string): string {
  const parts = name.split('/').filter((p) => p !== '' && p !== '.');
  if (parts.includes('..')) throw new Error(`layer entry "${name}" contains ".."`);
  return parts.join('/');
}

export interface LayerPlan {
  /** Paths (relative, no leading "/") to replace by a 0:0 character device: "a/b" for "a/.wh.b". */
  whiteouts: string[];
  /** Dirs to mark trusted.overlay.opaque=y ("" = the layer root); entries that are not dirs are skipped. */
  opaqueDirs: string[];
  /**
   * Dirs the layer needs but does not carry as entries, shallowest first: tar (or we) create them with
   * a default mode, so they take mode and owner from the first lower layer that has them.
   */
  impliedDirs: string[];
  /** Every `.wh.*` entry itself (whiteouts, opaque markers, AUFS metadata): not part of the tree. */
  markers: string[];
}

/** Plans whiteouts and implied dirs from the raw lines of a `tar -tf` listing. */
export function planLayer(listingLines: Iterable<string>): LayerPlan {
  const planner = new LayerPlanner();
  for (const line of listingLines) planner.add(line);
  return planner.finish();
}

/**
 * planLayer one line at a time, so a listing is never held whole (a crafted layer's listing can be longer
 * than a string can be): the caller streams the lines in, then calls finish() once.
 */
export class LayerPlanner {
  private readonly explicit = new Set<string>();
  private readonly whiteouts = new Set<string>();
  private readonly opaque = new Set<string>();
  private readonly needed = new Set<string>();
  private readonly markers = new Set<string>();

  add(line: string): void {
    if (line === '') return;
    const p = normalizeEntryName(unescapeTarName(line));
    if (p === '') return;
    const slash = p.lastIndexOf('/');
    const dir = slash >= 0 ? p.slice(0, slash) : '';
    const base = p.slice(slash + 1);
    // A marker, or anything under one (AUFS's .wh..wh.plnk/…): removed after extraction, top-most part.
    const parts = p.split('/');
    const top = parts.findIndex((c) => c.startsWith(WH));
    if (top >= 0) this.markers.add(parts.slice(0, top + 1).join('/'));
    if (top >= 0 && top < parts.length - 1) {
      addAncestors(this.needed, parts.slice(0, top).join('/'));
      return;
    }
    addAncestors(this.needed, dir);
    if (base === OPAQUE) {
      this.opaque.add(dir);
    } else if (base.startsWith(WH + WH)) {
      // other AUFS metadata (.wh..wh.plnk, .wh..wh.aufs): not part of the tree
    } else if (base.startsWith(WH)) {
      const name = base.slice(WH.length);
      if (name === '' || name === '.' || name === '..') throw new Error(`layer entry "${line}" is an invalid whiteout`);
      this.whiteouts.add(dir ? `${dir}/${name}` : name);
    } else {
      this.explicit.add(p);
    }
  }

  finish(): LayerPlan {
    const { explicit, whiteouts, opaque, needed, markers } = this;
    // A whiteout hides only lower layers: an entry of the same name in this layer replaces the lower one
    // anyway, and a replaced directory must hide the lower one's content, i.e. become opaque.
    for (const w of whiteouts) {
      if (!explicit.has(w)) continue;
      whiteouts.delete(w);
      opaque.add(w);
    }
    const impliedDirs = [...needed].filter((d) => !explicit.has(d)).sort(byDepth);
    return { whiteouts: [...whiteouts].sort(), opaqueDirs: [...opaque].sort(byDepth), impliedDirs, markers: [...markers].sort() };
  }
}

function addAncestors(set: Set<string>, dir: string): void {
  let d = dir;
  while (d !== '' && !set.has(d)) {
    set.add(d);
    const i = d.lastIndexOf('/');
    d = i >= 0 ? d.slice(0, i) : '';
  }
}

function byDepth(a: string, b: string): number {
  const da = a === '' ? 0 : a.split('/').length;
  const db = b === '' ? 0 : b.split('/').length;
  return da - db || (a < b ? -1 : a > b ? 1 : 0);
}
