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
// Protocol (IPC): { t: 'init', cluster, probePod }, then 'begin' starts both loops and 'end' stops them;
// the reply to 'end' carries the latencies (ms) of the 200 answers and the count of the rest. 'close', or
// the channel's end, ends the process.

import type { ClusterConfig } from '../src/cli/kubeconfig.js';
import { ApiClient, epochMs, PODS } from './api-client.js';

export const SAMPLE_MS = 50;

export interface SamplerReport {
  get: number[];
  list: number[];
  failures: number;
}

interface Run {
  open: boolean;
  report: SamplerReport;
  loops: Promise<void>[];
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Calls `fn` every `intervalMs` (from its start) while `run` is open; one call in flight. */
async function every(run: Run, intervalMs: number, fn: () => Promise<void>): Promise<void> {
  let next = epochMs();
  while (run.open) {
    const wait = next - epochMs();
    if (wait > 0) await sleep(wait);
    if (!run.open) return;
    await fn();
    next = Math.max(next + intervalMs, epochMs());
  }
}

function timed(run: Run, call: () => Promise<{ status: number }>, into: number[]): () => Promise<void> {
  return async () => {
    const s = epochMs();
    try {
      const r = await call();
      if (r.status === 200) into.push(epochMs() - s);
      else run.report.failures++;
    } catch {
      run.report.failures++;
    }
  };
}

/** The argument that makes this module the sampler process (it is also imported for its types). */
export const SAMPLER_ARG = '--request-sampler';

if (process.argv[2] === SAMPLER_ARG && process.send) {
  let getClient: ApiClient | undefined;
  let listClient: ApiClient | undefined;
  let probePod = '';
  let run: Run | undefined;
  const close = () => {
    if (run) run.open = false;
    getClient?.close();
    listClient?.close();
    process.disconnect?.();
  };
  process.on('disconnect', () => process.exit(0));
  process.on('message', (msg: 'begin' | 'end' | 'close' | { t: 'init'; cluster: ClusterConfig; probePod: string }) => {
    if (typeof msg === 'object') {
      getClient = new ApiClient(msg.cluster);
      listClient = new ApiClient(msg.cluster);
      probePod = msg.probePod;
    } else if (msg === 'begin' && getClient && listClient) {
      const [g, l] = [getClient, listClient];
      const r: Run = { open: true, report: { get: [], list: [], failures: 0 }, loops: [] };
      r.loops = [
        every(r, SAMPLE_MS, timed(r, () => g.request('GET', `${PODS}/${probePod}`, undefined, { raw: true }), r.report.get)),
        every(r, SAMPLE_MS, timed(r, () => l.request('GET', PODS, undefined, { raw: true }), r.report.list)),
      ];
      run = r;
    } else if (msg === 'end') {
      const r = run;
      run = undefined;
      if (!r) return void process.send!({ get: [], list: [], failures: 0 } satisfies SamplerReport);
      r.open = false;
      void Promise.all(r.loops).then(() => process.send!(r.report));
    } else if (msg === 'close') {
      close();
    }
  });
}
