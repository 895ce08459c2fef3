// A pass over a plain tar's headers (never its file data) before GNU tar extracts it, refusing what tar
// would expand beyond the archive's own size: sparse members (old GNU type 'S', or PAX GNU.sparse.*
// records). GNU tar has no option to refuse them on extraction, and a 10 KB archive can hold a sparse
// member of any apparent size. No image builder writes sparse members (Go's archive/tar cannot), so real
// layers are not affected. With sparse members gone, what tar writes is bounded by the archive's size.
//
// To walk exactly where tar walks, a header whose size is meaningless for its type (links, dirs,
// devices, FIFOs with data) is refused rather than interpreted, as are bad checksums, a PAX `size` in a
// global header and an archive that ends inside a member.

import fs from 'node:fs/promises';
import { BadRequestError } from '../errors.js';

const BLOCK = 512;
const WINDOW = 1 << 20;
/** PAX and GNU long-name headers held in memory at most (real ones are a few KB: names, xattrs). */
const MAX_META_BYTES = 8 << 20;
/** Types that carry no data: a non-zero size would make readers disagree on where the next header is. */
const NO_DATA = new Set(['1', '2', '3', '4', '5', '6']);
/** Members GNU tar extracts as what image builders write: files ('0', NUL, '7' contiguous), links, devices, dirs, FIFOs. */
const MEMBERS = new Set(['0', '1', '2', '3', '4', '5', '6', '7']);
/**
 * Headers that describe the next member: PAX ('x', and Solaris' 'X', which GNU tar reads the same way),
 * PAX global ('g'), GNU long name and long link ('L', 'K'). Every other type is refused: old GNU sparse
 * 'S', GNU dumpdir 'D', multi-volume 'M', volume label 'V', 'N', and vendor types GNU tar would extract as
 * plain files after a warning (no image builder writes them; refusing keeps this walk and tar's in step).
 */
const META = new Set(['x', 'X', 'g', 'L', 'K']);

/** What a header says, or undefined for an end-of-archive (zero) block. Pure. */
export interface TarHeader {
  name: string;
  type: string;
  size: number;
}

export function parseTarHeader(block: Buffer, what: string): TarHeader | undefined {
  if (block.every((b) => b === 0)) return undefined;
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 32 : block[i]!;
  const stored = parseOctal(block.subarray(148, 156));
  if (stored !== sum) throw new BadRequestError(`${what}: a tar header has a bad checksum`);
  const name = cString(block.subarray(0, 100));
  const prefix = block.subarray(257, 263).toString('latin1').startsWith('ustar') ? cString(block.subarray(345, 500)) : '';
  const type = block[156] === 0 ? '0' : String.fromCharCode(block[156]!);
  return { name: prefix ? `${prefix}/${name}` : name, type, size: parseSize(block.subarray(124, 136), what) };
}

/** A type byte for a message: itself if printable ASCII, else its code. */
function printable(t: string): string {
  return /^[\x21-\x7e]$/.test(t) ? t : `\\x${t.charCodeAt(0).toString(16).padStart(2, '0')}`;
}

function cString(b: Buffer): string {
  const nul = b.indexOf(0);
  return b.subarray(0, nul < 0 ? b.length : nul).toString('utf8');
}

function parseOctal(b: Buffer): number {
  const s = cString(b).trim();
  return /^[0-7]+$/.test(s) ? parseInt(s, 8) : -1;
}

/** Octal, or GNU's base-256 (high bit set) for sizes of 8 GiB and more. */
function parseSize(b: Buffer, what: string): number {
  if (b[0]! & 0x80) {
    if (b[0] !== 0x80) throw new BadRequestError(`${what}: a tar header has a negative or huge size`);
    let n = 0;
    for (let i = 1; i < b.length; i++) n = n * 256 + b[i]!;
    if (!Number.isSafeInteger(n)) throw new BadRequestError(`${what}: a tar header has a huge size`);
    return n;
  }
  const n = parseOctal(b);
  if (n < 0) throw new BadRequestError(`${what}: a tar header has an invalid size`);
  return n;
}

/** PAX records ("<len> <key>=<value>\n"), as key/value pairs. Pure. */
export function parsePaxRecords(data: Buffer, what: string): [string, string][] {
  const out: [string, string][] = [];
  let at = 0;
  while (at < data.length) {
    if (data[at] === 0) break; // padding
    const sp = data.indexOf(0x20, at);
    const len = sp > at ? Number(data.subarray(at, sp).toString('latin1')) : NaN;
    if (!Number.isSafeInteger(len) || len <= sp - at || at + len > data.length) throw new BadRequestError(`${what}: a malformed PAX header`);
    const rec = data.subarray(sp + 1, at + len - 1).toString('utf8');
    const eq = rec.indexOf('=');
    if (eq < 0) throw new BadRequestError(`${what}: a malformed PAX header`);
    out.push([rec.slice(0, eq), rec.slice(eq + 1)]);
    at += len;
  }
  return out;
}

/** Throws BadRequestError naming the first member tar would expand beyond its stored bytes, or a header tar and this walk could read differently. */
export async function refuseSparseMembers(tarPath: string, what: string): Promise<void> {
  const fh = await fs.open(tarPath, 'r');
  try {
    const fileSize = (await fh.stat()).size;
    let win = Buffer.alloc(0);
    let winAt = 0;
    const read = async (pos: number, len: number): Promise<Buffer> => {
      if (pos >= winAt && pos + len <= winAt + win.length) return win.subarray(pos - winAt, pos - winAt + len);
      const buf = Buffer.alloc(Math.max(len, WINDOW));
      const { bytesRead } = await fh.read(buf, 0, buf.length, pos);
      win = buf.subarray(0, bytesRead);
      winAt = pos;
      if (bytesRead < len) throw new BadRequestError(`${what}: the tar archive ends inside a member`);
      return win.subarray(0, len);
    };
    let pos = 0;
    let nextSize: number | undefined; // a PAX `size` for the next member
    while (pos + BLOCK <= fileSize) {
      const h = parseTarHeader(await read(pos, BLOCK), what);
      if (!h) return;
      pos += BLOCK;
      const isMeta = META.has(h.type);
      if (h.type === 'S') throw new BadRequestError(`${what}: member "${h.name}" is a sparse file, which is not supported in a layer`);
      if (!isMeta && !MEMBERS.has(h.type)) throw new BadRequestError(`${what}: member "${h.name}" has tar type '${printable(h.type)}', which is not supported in a layer`);
      // GNU tar keeps only the last extended header before a member (each one replaces the one before,
      // never merges with it), so a `size` from an earlier one no longer applies.
      const isPax = h.type === 'x' || h.type === 'X';
      if (isPax) nextSize = undefined;
      const size = isMeta ? h.size : (nextSize ?? h.size);
      if (!isMeta) nextSize = undefined;
      if (NO_DATA.has(h.type) && size !== 0) throw new BadRequestError(`${what}: member "${h.name}" of type '${h.type}' declares ${size} bytes of data`);
      if (isPax || h.type === 'g') {
        if (size > MAX_META_BYTES) throw new BadRequestError(`${what}: a PAX header of ${size} bytes is too large`);
        for (const [key, value] of parsePaxRecords(await read(pos, size), what)) {
          if (key.startsWith('GNU.sparse.')) throw new BadRequestError(`${what}: a member is a sparse file (PAX ${key}), which is not supported in a layer`);
          if (key === 'size') {
            if (h.type === 'g') throw new BadRequestError(`${what}: a global PAX header sets a size`);
            const n = Number(value);
            if (!/^[0-9]+$/.test(value) || !Number.isSafeInteger(n)) throw new BadRequestError(`${what}: a PAX header has an invalid size`);
            nextSize = n;
          }
        }
      }
      pos += Math.ceil(size / BLOCK) * BLOCK;
      if (pos > fileSize) throw new BadRequestError(`${what}: the tar archive ends inside member "${h.name}"`);
    }
  } finally {
    await fh.close();
  }
}
