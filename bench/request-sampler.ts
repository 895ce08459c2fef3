// The request samplers of a burst window (burst-sampler.ts), on a worker thread: the GET and list loops
// get an event loop of their own, so a sample measures the daemon's answer, not how long the bench's main
// thread took to get to the reply while it handled the burst's watch events and waits (measured: a GET the
// daemon served in 2 ms read as 50-100 ms from the main thread during a 250-pod delete). The thread shares
// the bench process's CPU priority: a client on a busy machine still waits its turn for a core, as kubectl
// would.
//
// A sample ends at the reply's last byte: the body is not parsed (a 250-pod list takes this thread
// several ms to parse, which the next GET's reply would wait behind, and which is the client's work).
//
// Protocol: workerData { cluster, probePod }; 'begin' starts both loops; 'end' stops them and the reply
// carries the latencies (ms) of the 200 answers and the count of the rest.

import { parentPort, workerData } from 'node:worker_threads';
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

if (parentPort) {
  const port = parentPort;
  const { cluster, probePod } = workerData as { cluster: ClusterConfig; probePod: string };
  const getClient = new ApiClient(cluster);
  const listClient = new ApiClient(cluster);
  let run: Run | undefined;
  port.on('message', (msg: 'begin' | 'end' | 'close') => {
    if (msg === 'begin') {
      const r: Run = { open: true, report: { get: [], list: [], failures: 0 }, loops: [] };
      r.loops = [
        every(r, SAMPLE_MS, timed(r, () => getClient.request('GET', `${PODS}/${probePod}`, undefined, { raw: true }), r.report.get)),
        every(r, SAMPLE_MS, timed(r, () => listClient.request('GET', PODS, undefined, { raw: true }), r.report.list)),
      ];
      run = r;
    } else if (msg === 'end') {
      const r = run;
      run = undefined;
      if (!r) return void port.postMessage({ get: [], list: [], failures: 0 } satisfies SamplerReport);
      r.open = false;
      void Promise.all(r.loops).then(() => port.postMessage(r.report));
    } else {
      if (run) run.open = false;
      getClient.close();
      listClient.close();
      port.close();
    }
  });
}
