// The termination message of an exited container (pod-lifecycle.md §3): what it wrote to its
// terminationMessagePath (the runtime reads that file at exit, at most 4 KiB); with
// terminationMessagePolicy FallbackToLogsOnError, an empty file and a non-zero exit use the end of its
// log instead: the last 80 lines, at most their last 2 KiB, as the kubelet reads them. Across a pod the
// messages share 12 KiB.

import { open } from 'node:fs/promises';
import { CriLogFormatter, parseCriLine, splitLines, tailEntries } from '../runtime/cri-log.js';
import type { ContainerStatus as Rec } from '../runtime/runtime.js';
import { ANNOTATION_TERMINATION_MESSAGE_POLICY } from './translate.js';

export const FALLBACK_LOG_LINES = 80;
export const FALLBACK_LOG_BYTES = 2048;
export const POD_MESSAGE_BYTES = 12 * 1024;
/** How much of the log's end is read: enough for 80 lines' last 2 KiB in the CRI format. */
const READ_BYTES = 64 * 1024;

/** Whether this exited instance takes its message from its log. */
export function wantsLogMessage(r: Rec): boolean {
  return r.state === 'exited' && r.exitCode !== 0 && !r.message && r.annotations[ANNOTATION_TERMINATION_MESSAGE_POLICY] === 'FallbackToLogsOnError';
}

/** The last lines of a CRI log file as `kubectl logs --tail=80` prints them, cut to the last 2 KiB. */
export async function readLogTail(logPath: string): Promise<string> {
  let fh;
  try {
    fh = await open(logPath, 'r');
  } catch (err) {
    return `Error on reading termination message from logs: ${(err as Error).message}`;
  }
  try {
    const { size } = await fh.stat();
    const start = Math.max(0, size - READ_BYTES);
    const buf = Buffer.alloc(size - start);
    await fh.read(buf, 0, buf.length, start);
    let { lines } = splitLines(buf);
    if (start > 0) lines = lines.slice(1); // the first line is cut
    const entries = lines.map(parseCriLine).filter((e) => e !== undefined);
    const f = new CriLogFormatter({ timestamps: false });
    const out = Buffer.concat(tailEntries(entries, FALLBACK_LOG_LINES).map((e) => f.format(e)));
    return out.subarray(Math.max(0, out.length - FALLBACK_LOG_BYTES)).toString('utf8');
  } finally {
    await fh.close();
  }
}

/** Cuts messages so that together they stay within the pod's 12 KiB (each gets an equal share). */
export function capPodMessages(messages: string[]): string[] {
  const total = messages.reduce((n, m) => n + Buffer.byteLength(m), 0);
  if (total <= POD_MESSAGE_BYTES) return messages;
  const share = Math.floor(POD_MESSAGE_BYTES / messages.filter((m) => m).length);
  return messages.map((m) => (Buffer.byteLength(m) > share ? Buffer.from(m).subarray(0, share).toString('utf8') : m));
}
