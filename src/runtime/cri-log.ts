// The CRI container log format (conmon k8s-file, node-runtime.md §1.3), pure:
//   <RFC3339Nano timestamp with offset> <stdout|stderr> <F|P> <bytes>\n
// P ("partial") lines are chunks without their newline; readers join them with what follows.

export interface CriEntry {
  /** Unix ms of the timestamp. */
  time: number;
  /** The timestamp in kubelet's output form: UTC, nine fractional digits, "Z". */
  timestamp: string;
  stream: 'stdout' | 'stderr';
  partial: boolean;
  content: Buffer;
}

const TS = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:\d{2})$/;

/** Normalises an RFC 3339 (nano) timestamp to UTC with nine fractional digits; undefined when malformed. */
export function normalizeTimestamp(ts: string): { time: number; text: string } | undefined {
  const m = TS.exec(ts);
  if (!m) return undefined;
  const frac = (m[2] ?? '').padEnd(9, '0');
  const secs = Date.parse(`${m[1]}${m[3]}`);
  if (Number.isNaN(secs)) return undefined;
  const iso = new Date(secs).toISOString().slice(0, 19);
  return { time: secs + Number(frac.slice(0, 3)), text: `${iso}.${frac}Z` };
}

/** Parses one line (without its trailing newline); undefined when it is not a CRI log line. */
export function parseCriLine(line: Buffer): CriEntry | undefined {
  const s1 = line.indexOf(0x20);
  if (s1 < 0) return undefined;
  const s2 = line.indexOf(0x20, s1 + 1);
  if (s2 < 0) return undefined;
  const ts = normalizeTimestamp(line.subarray(0, s1).toString());
  const stream = line.subarray(s1 + 1, s2).toString();
  if (!ts || (stream !== 'stdout' && stream !== 'stderr')) return undefined;
  // The tag field may be absent in very old files: treat as a full line.
  let tagEnd = line.indexOf(0x20, s2 + 1);
  let partial = false;
  let content: Buffer;
  const tag = line.subarray(s2 + 1, tagEnd < 0 ? line.length : tagEnd).toString();
  if (tag === 'F' || tag === 'P' || /^[FP](:[FP])*$/.test(tag)) {
    partial = tag.split(':')[0] === 'P';
    content = tagEnd < 0 ? Buffer.alloc(0) : line.subarray(tagEnd + 1);
  } else {
    tagEnd = s2;
    content = line.subarray(s2 + 1);
  }
  return { time: ts.time, timestamp: ts.text, stream, partial, content };
}

/** Splits a buffer into complete lines (without "\n") and the unfinished rest. */
export function splitLines(buf: Buffer): { lines: Buffer[]; rest: Buffer } {
  const lines: Buffer[] = [];
  let start = 0;
  for (;;) {
    const nl = buf.indexOf(0x0a, start);
    if (nl < 0) break;
    lines.push(buf.subarray(start, nl));
    start = nl + 1;
  }
  return { lines, rest: buf.subarray(start) };
}

export interface FormatOptions {
  timestamps: boolean;
  /** Drop entries older than this (unix ms). */
  sinceMs?: number;
}

/**
 * Turns entries into the bytes `kubectl logs` shows: F lines end with "\n", P chunks are joined with
 * what follows; with timestamps, each output line starts with the first chunk's timestamp.
 */
export class CriLogFormatter {
  private atLineStart = true;
  constructor(private readonly opts: FormatOptions) {}

  format(e: CriEntry): Buffer {
    if (this.opts.sinceMs !== undefined && e.time < this.opts.sinceMs) return Buffer.alloc(0);
    const parts: Buffer[] = [];
    if (this.opts.timestamps && this.atLineStart) parts.push(Buffer.from(`${e.timestamp} `));
    parts.push(e.content);
    if (!e.partial) parts.push(Buffer.from('\n'));
    this.atLineStart = !e.partial;
    return Buffer.concat(parts);
  }
}

/** The entries making up the last `n` logical lines (a line = P chunks plus the F that ends them). */
export function tailEntries(entries: CriEntry[], n: number): CriEntry[] {
  if (n < 0) return entries;
  if (n === 0) return [];
  let lines = 0;
  let i = entries.length - 1;
  // A trailing run of partial chunks is an unfinished line; it counts as one.
  if (i >= 0 && entries[i].partial) lines = 1;
  for (; i >= 0; i--) {
    if (!entries[i].partial) {
      if (lines === n) break;
      lines++;
    }
  }
  return entries.slice(i + 1);
}
