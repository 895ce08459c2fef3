// Pieces every `describe` printer shares, after kubectl's pkg/describe: the prefix writer (two spaces
// per level, cells split by tabs and aligned by the describe tabwriter), labels and annotations
// printed over several lines, RFC1123Z times, and the events table (aligned on its own: kubectl
// flushes before it).

import type { KubeEvent } from '../../k8s/types.js';
import { DESCRIBE_TABWRITER, tabwrite } from './tabwriter.js';
import { ageSince } from './age.js';

export const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';

export class PrefixWriter {
  readonly lines: string[] = [];
  write(level: number, text: string): void {
    this.lines.push('  '.repeat(level) + text);
  }
}

/** Go's time.RFC1123Z in UTC: "Mon, 02 Jan 2006 15:04:05 +0000". */
export function rfc1123z(ts: string | null | undefined): string {
  if (!ts) return '';
  const d = new Date(ts);
  if (Number.isNaN(d.getTime())) return ts;
  const days = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
  const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  const p = (n: number) => String(n).padStart(2, '0');
  return `${days[d.getUTCDay()]}, ${p(d.getUTCDate())} ${months[d.getUTCMonth()]} ${d.getUTCFullYear()} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())} +0000`;
}

/** kubectl's printLabelsMultiline: `Title:\tk=v`, then `\tk=v` for each further key, sorted. */
export function labelsMultiline(w: PrefixWriter, title: string, m: Record<string, string> | undefined, skip: string[] = []): void {
  const keys = Object.keys(m ?? {}).filter((k) => !skip.includes(k)).sort();
  if (keys.length === 0) return w.write(0, `${title}:\t<none>`);
  keys.forEach((k, i) => w.write(0, `${i === 0 ? `${title}:` : ''}\t${k}=${m![k]}`));
}

const MAX_ANNOTATION_LEN = 140;

/** kubectl's printAnnotationsMultiline: `key: value` (long or multi-line values below their key), last-applied left out. */
export function annotationsMultiline(w: PrefixWriter, title: string, m: Record<string, string> | undefined): void {
  const keys = Object.keys(m ?? {}).filter((k) => k !== LAST_APPLIED).sort();
  if (keys.length === 0) return w.write(0, `${title}:\t<none>`);
  keys.forEach((k, i) => {
    const lead = i === 0 ? `${title}:\t` : '\t';
    const value = m![k].replace(/\n$/, '');
    if (value.length + k.length + 2 > MAX_ANNOTATION_LEN || value.includes('\n')) {
      w.write(0, `${lead}${k}:`);
      for (const s of value.split('\n')) w.write(0, `\t  ${s.length > MAX_ANNOTATION_LEN - 2 ? `${s.slice(0, MAX_ANNOTATION_LEN - 2)}...` : s}`);
    } else {
      w.write(0, `${lead}${k}: ${value}`);
    }
  });
}

/** Go's `%v` of a string slice: `[a b]`. */
export function goList(items: string[] | undefined): string {
  return `[${(items ?? []).join(' ')}]`;
}

/** labels.FormatLabels: `k=v,k2=v2` sorted, or `<none>`. */
export function formatLabels(m: Record<string, string> | undefined): string {
  const keys = Object.keys(m ?? {}).sort();
  return keys.length ? keys.map((k) => `${k}=${m![k]}`).join(',') : '<none>';
}

/** The events table; kubectl flushes the tabwriter first, so it aligns on its own. */
export function describeEvents(events: KubeEvent[], nowMs: number): string {
  const sorted = [...events].sort(
    (a, b) => Date.parse(a.lastTimestamp ?? a.eventTime ?? '') - Date.parse(b.lastTimestamp ?? b.eventTime ?? ''),
  );
  const lines = ['Events:', '  Type\tReason\tAge\tFrom\tMessage', '  ----\t------\t----\t----\t-------'];
  for (const e of sorted) {
    const first = ageSince(e.eventTime || e.firstTimestamp, nowMs);
    const interval = (e.count ?? 1) > 1 ? `${ageSince(e.lastTimestamp, nowMs)} (x${e.count} over ${first})` : first;
    const source = e.source?.component || e.reportingComponent || '';
    lines.push(`  ${e.type ?? ''}\t${e.reason ?? ''}\t${interval}\t${source}\t${(e.message ?? '').trim()}`);
  }
  return tabwrite(lines.join('\n'), DESCRIBE_TABWRITER);
}

/**
 * The described text: the writer's lines aligned, then the events. No events joins `Events: <none>`
 * to the current alignment block (kubectl flushes only before a table); undefined (events could not
 * be read) prints no Events section.
 */
export function finishDescribe(w: PrefixWriter, events: KubeEvent[] | undefined, nowMs: number): string {
  if (events?.length === 0) w.write(0, 'Events:\t<none>');
  const body = tabwrite(w.lines.join('\n'), DESCRIBE_TABWRITER);
  return events?.length ? `${body}\n${describeEvents(events, nowMs)}` : body;
}
