// The request samplers of a burst window (burst-sampler.ts), in a child process of their own: the GET and
// list loops get an event loop, a heap and a collector of their own, so a sample measures the daemon's
// answer, not how long the bench took to get to the reply while it handled the burst's watch events
// (measured during a 250-pod delete: a GET the daemon served in 2-3 ms read as 50-100 ms p99 from the
// bench's main thread, and still 40-100 ms from a worker thread of the bench, against 21-28 ms from a
// process of its own). The process runs at the default priority: on a busy machine it still waits its
// turn for a core, as kubectl would.
//
// A sample ends at the reply's last byte: the body is not parsed (a 250-pod list takes several ms to
// parse, which the next GET's reply would wait behind, and which is the client's work).
//
// With a reference server (reference-server.ts), two more loops time it the same way, every 100 ms, each
// asking for as many bytes as the daemon's last answer to its twin loop had: the floor of each figure,
// measured at the same moments.
//
// Protocol (IPC): { t: 'init', cluster, probePod, reference? }, then 'begin' starts the loops and 'end'
// stops them; the reply to 'end' carries the latencies (ms) of the 200 answers and the count of the rest.
// 'close', or the channel's end, ends the process.

import type { ClusterConfig } from '../src/cli/kubeconfig.js';
import { ApiClient, epochMs, PODS } from './api-client.js';

export const SAMPLE_MS = 50;
/** The reference loops sample half as often: the floor's own load on the host and on this process stays small. */
export const REFERENCE_SAMPLE_MS = 2 * SAMPLE_MS;

export interface SamplerReport {
  get: number[];
  list: number[];
  /** The reference server's, when there is one. */
  refGet: number[];
  refList: number[];
  failures: number;
}

const emptyReport = (): SamplerReport => ({ get: [], list: [], refGet: [], refList: [], failures: 0 });

interface Run {
  open: boolean;
  report: SamplerReport;
  loops: Promise<void>[];
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Calls `fn` every `intervalMs` (from its start) while `open()` holds, one call in flight; `delayFirst`
 * waits one interval first. The burst sampler's scrapes run on it too.
 */
export async function every(open: () => boolean, intervalMs: number, fn: () => Promise<void>, delayFirst = false): Promise<void> {
  let next = epochMs() + (delayFirst ? intervalMs : 0);
  while (open()) {
    const wait = next - epochMs();
    if (wait > 0) await sleep(wait);
    if (!open()) return;
    await fn();
    next = Math.max(next + intervalMs, epochMs());
  }
}

/** The body's size of the last 200 answer of each daemon loop: what its reference twin asks for. */
interface Sizes {
  get?: number;
  list?: number;
}

function timed(run: Run, call: () => Promise<{ status: number; body: unknown }> | undefined, into: number[], size?: (bytes: number) => void): () => Promise<void> {
  return async () => {
    const s = epochMs();
    const pending = call();
    if (!pending) return;
    try {
      const r = await pending;
      if (r.status !== 200) run.report.failures++;
      else {
        into.push(epochMs() - s);
        if (size && typeof r.body === 'string') size(Buffer.byteLength(r.body));
      }
    } catch {
      run.report.failures++;
    }
  };
}

/** The argument that makes this module the sampler process (it is also imported for its types). */
export const SAMPLER_ARG = '--request-sampler';

if (process.argv[2] === SAMPLER_ARG && process.send) {
  let clients: { get: ApiClient; list: ApiClient; refGet?: ApiClient; refList?: ApiClient } | undefined;
  let probePod = '';
  let run: Run | undefined;
  const close = () => {
    if (run) run.open = false;
    for (const c of Object.values(clients ?? {})) c?.close();
    process.disconnect?.();
  };
  process.on('disconnect', () => process.exit(0));
  process.on('message', (msg: 'begin' | 'end' | 'close' | { t: 'init'; cluster: ClusterConfig; probePod: string; reference?: string }) => {
    if (typeof msg === 'object') {
      const ref = msg.reference ? { ...msg.cluster, server: msg.reference } : undefined;
      clients = { get: new ApiClient(msg.cluster), list: new ApiClient(msg.cluster), refGet: ref && new ApiClient(ref), refList: ref && new ApiClient(ref) };
      probePod = msg.probePod;
    } else if (msg === 'begin' && clients) {
      const { get, list, refGet, refList } = clients;
      const r: Run = { open: true, report: emptyReport(), loops: [] };
      const open = () => r.open;
      const sizes: Sizes = {};
      const raw = { raw: true };
      r.loops = [
        every(open, SAMPLE_MS, timed(r, () => get.request('GET', `${PODS}/${probePod}`, undefined, raw), r.report.get, (n) => (sizes.get = n))),
        every(open, SAMPLE_MS, timed(r, () => list.request('GET', PODS, undefined, raw), r.report.list, (n) => (sizes.list = n))),
      ];
      if (refGet && refList) {
        r.loops.push(
          every(open, REFERENCE_SAMPLE_MS, timed(r, () => (sizes.get === undefined ? undefined : refGet.request('GET', `/bytes/${sizes.get}`, undefined, raw)), r.report.refGet)),
          every(open, REFERENCE_SAMPLE_MS, timed(r, () => (sizes.list === undefined ? undefined : refList.request('GET', `/bytes/${sizes.list}`, undefined, raw)), r.report.refList)),
        );
      }
      run = r;
    } else if (msg === 'end') {
      const r = run;
      run = undefined;
      if (!r) return void process.send!(emptyReport());
      r.open = false;
      void Promise.all(r.loops).then(() => process.send!(r.report));
    } else if (msg === 'close') {
      close();
    }
  });
}
