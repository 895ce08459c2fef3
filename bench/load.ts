// load (issue 7): is the daemon still responsive while many pods start and stop at once? N one-container
// pods go into one multi-document YAML applied with ONE `kubectl apply -f` (the real kubectl, the
// daemon's kubeconfig); N pods are deleted with ONE `kubectl delete -f --wait=false`. During each burst a
// BurstSampler GETs a running probe pod and lists the pods every 50 ms on its own connections and
// scrapes the daemon's /metrics (event-loop delay, spawns, RSS). Around the bursts: the daemon's RSS idle,
// with N running and after the delete; what the engine left on the host once every pod was gone. Then
// the list cost with many pods stored: pods bound to a node that does not exist ("elsewhere") are only
// stored, never run (peapod's pod manager runs the pods bound to its own node), each given the full
// status of the running probe pod so a list carries what it would on a busy node. That part comes
// last, once the daemon is quiet again after the delete, in a namespace of its own.
//
// Figures land in `out` as they are measured, so a run cut short by the hard limit still reports them;
// a burst that overruns its budget is cut there, and what did not finish is counted.

import fs from 'node:fs';
import path from 'node:path';
import { pkiFiles } from '../src/api/auth/pki.js';
import { KUBECTL, run } from '../test/support/daemon.js';
import { engineLeftovers } from '../test/support/host-state.js';
import { ApiClient, epochMs, TABLE_ACCEPT } from './api-client.js';
import { BurstSampler } from './burst-sampler.js';
import { cpuSplit, hostCpuTicks, readCpu } from './cpu-split.js';
import type { BenchDaemon } from './peapod-daemon.js';
import type { PeapodDriver } from './peapod-driver.js';
import { churnPod, toYamlDocuments } from './pod-specs.js';
import type { LoadFigures } from './results.js';
import { runPool } from './scenarios.js';
import { percentile } from './stats.js';

export interface LoadCounts {
  /** Pods in the burst. */
  pods: number;
  /** Pods stored for the idle list figure, then for the large one. */
  storedIdle: number;
  stored: number;
  /** Requests per list figure (one at a time). */
  listRequests: number;
}

export interface LoadEnv {
  daemon: BenchDaemon;
  driver: PeapodDriver;
  progress: (line: string) => void;
  /** A sentence for the report's notes (a budget ran out, a cleanup failed). */
  note: (line: string) => void;
}

const ELSEWHERE = 'elsewhere';
/** The stored pods' own namespace: their lists hold them only. */
const STORED_NAMESPACE = 'load-stored';
const STORED_PODS = `/api/v1/namespaces/${STORED_NAMESPACE}/pods`;
const PROBE = 'load-probe';
/**
 * Budgets, so a slow daemon still yields figures: the apply and every pod Running within START_BUDGET_MS
 * of the apply's start; the delete and every pod gone within DELETE_BUDGET_MS of the delete's start. What
 * did not make it is counted, and its figure stays empty.
 */
const START_BUDGET_MS = 300_000;
const DELETE_BUDGET_MS = 240_000;
/** Time for the heap to settle after the delete before the RSS is read again. */
const SETTLE_MS = 5_000;
/**
 * When the RSS after the delete is read for its target, from the last pod gone: the daemon gives its
 * spare heap back 5 s after pods stop going away (src/system/heap-release.ts), and V8's own memory
 * reducer, 10 s to more than 30 s after, by run. The reading at SETTLE_MS is kept beside it.
 */
const SETTLED_MS = 30_000;
const LEFTOVERS_WAIT_MS = 15_000;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** One multi-document YAML of `names`' churn pods (they exit on SIGTERM, so a delete measures engine work). */
export function loadManifest(names: readonly string[]): string {
  return toYamlDocuments(names.map((n) => churnPod(n)));
}

export interface StoredTemplate {
  metadata: { labels?: Record<string, string>; annotations?: Record<string, string> };
  spec: Record<string, unknown>;
  status: Record<string, unknown>;
}

/**
 * A stored-only copy of a real running pod: its labels, spec (bound elsewhere) and, written afterwards,
 * status; and the annotation `kubectl apply` leaves, so a list carries what it would after one.
 */
export function storedPod(template: StoredTemplate, name: string, namespace = STORED_NAMESPACE): Record<string, unknown> {
  const applied = { ...churnPod(name), metadata: { ...churnPod(name).metadata, namespace } };
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace,
      labels: template.metadata.labels,
      annotations: { ...template.metadata.annotations, 'kubectl.kubernetes.io/last-applied-configuration': `${JSON.stringify(applied)}\n` },
    },
    spec: { ...template.spec, nodeName: ELSEWHERE },
  };
}

/** Of `names`, those whose wait settled before the deadline, and when the last one did (epoch ms). */
async function waitAll(names: readonly string[], deadline: number, wait: (name: string, timeoutMs: number) => Promise<number>): Promise<{ done: number; lastAt?: number }> {
  const r = await Promise.allSettled(names.map((n) => wait(n, Math.max(1, deadline - epochMs()))));
  const at = r.flatMap((x) => (x.status === 'fulfilled' ? [x.value] : []));
  return { done: at.length, lastAt: at.length === names.length && at.length > 0 ? Math.max(...at) : undefined };
}

export async function runLoad(env: LoadEnv, counts: LoadCounts, signal: AbortSignal, out: LoadFigures): Promise<LoadFigures> {
  const { daemon, driver, progress, note } = env;
  const client = driver.client;
  const names = Array.from({ length: counts.pods }, (_, i) => `load-${i}`);
  const file = path.join(daemon.paths.dataDir, 'load-pods.yaml');
  const cacheDir = path.join(daemon.paths.dataDir, 'kubectl-cache');
  /**
   * kubectl with the daemon's kubeconfig. Resolves true when it succeeded; false, with a note, when it
   * failed or overran `budgetMs` (then it is killed): a daemon too busy for kubectl is a finding, not an
   * end to the scenario.
   */
  const kubectl = async (args: string[], budgetMs = 60_000): Promise<boolean> => {
    const r = await run(KUBECTL, ['--kubeconfig', daemon.paths.kubeconfigPath, '--cache-dir', cacheDir, ...args], { timeoutMs: budgetMs, signal });
    signal.throwIfAborted();
    if (r.code === 0) return true;
    const why = r.code === -1 ? `did not finish within ${budgetMs / 1000} s and was killed` : `failed (${r.code}): ${r.stderr.trim().split('\n')[0]?.slice(0, 300)}`;
    note(`load: kubectl ${args[0]} ${why}`);
    return false;
  };
  const loadPodsNow = async () => {
    const items: { metadata: { name: string } }[] = (await client.listPods()).body?.items ?? [];
    return items.map((p) => p.metadata.name).filter((n) => n.startsWith('load-') && n !== PROBE);
  };
  const pki = pkiFiles(daemon.paths.dataDir);
  const sampler = new BurstSampler(daemon.cluster, PROBE, { cert: fs.readFileSync(pki.servingCert, 'utf8'), key: fs.readFileSync(pki.servingKey, 'utf8') });
  let storing = false;
  let reference: ApiClient | undefined;
  try {
    fs.writeFileSync(file, loadManifest(names));
    // kubectl's discovery cache warm, as on a workstation; the probe pod runs through both bursts.
    if (!(await kubectl(['get', 'pods', '-o', 'name']))) throw new Error('kubectl cannot reach the daemon');
    await driver.start(churnPod(PROBE));

    await sleep(SETTLE_MS);
    out.idleRssMB = daemon.rssMB();

    progress(`load: kubectl apply of ${counts.pods} pods`);
    await sampler.begin();
    const cpu0 = readCpu(daemon.pid!, sampler.pids());
    const t0 = epochMs();
    if (await kubectl(['apply', '-f', file], START_BUDGET_MS)) out.applyMs = epochMs() - t0;
    const up = await waitAll(names, t0 + START_BUDGET_MS, (n, ms) => driver.waitRunning(n, ms));
    out.startCpu = cpuSplit(cpu0, readCpu(daemon.pid!, sampler.pids()));
    out.running = up.done;
    if (up.lastAt !== undefined) out.allRunningMs = up.lastAt - t0;
    else note(`load: ${up.done} of ${counts.pods} pods Running within ${START_BUDGET_MS / 1000} s of the apply's start`);
    out.start = await sampler.end();
    out.runningRssMB = daemon.rssMB();
    const existing = await loadPodsNow();
    out.created = existing.length;
    signal.throwIfAborted();

    progress(`load: kubectl delete of ${counts.pods} pods`);
    await sampler.begin();
    const t1 = epochMs();
    if (await kubectl(['delete', '-f', file, '--wait=false', '--ignore-not-found'], DELETE_BUDGET_MS)) out.deleteMs = epochMs() - t1;
    else {
      // The rest go through the bench's own connection, so the burst still happens and is measured.
      note('load: the pods kubectl did not delete were deleted through the API (grace 1 s)');
      await runPool(existing, 8, (n) => client.deletePod(n, 1).catch(() => undefined), signal);
    }
    const gone = await waitAll(existing, t1 + DELETE_BUDGET_MS, (n, ms) => driver.waitGone(n, ms));
    if (gone.lastAt !== undefined) out.allGoneMs = gone.lastAt - t1;
    out.stop = await sampler.end();
    if (gone.done < existing.length) throw new Error(`${existing.length - gone.done} of ${existing.length} pods not gone within ${DELETE_BUDGET_MS / 1000} s of the delete's start`);
    const goneAt = epochMs();
    await sleep(SETTLE_MS);
    out.afterDeleteRssMB = daemon.rssMB();

    // Lists with many pods stored come last, in a namespace of their own, once the daemon and the host
    // are quiet again (the kernel goes on tearing down network namespaces for a while after the pods
    // are gone): before the bursts, the memory the 1,000-pod lists leave committed would count in the
    // idle RSS and in the RSS with 250 pods Running.
    const quiet = await waitQuietHost(QUIET_BUSY, QUIET_BUDGET_MS, signal);
    if (!quiet) note(`load: the host was still more than ${QUIET_BUSY * 100}% busy ${QUIET_BUDGET_MS / 1000} s after the delete; the stored-pod lists ran anyway`);
    await sleep(Math.max(0, goneAt + SETTLED_MS - epochMs()));
    out.settledRssMB = daemon.rssMB();
    progress(`load: ${counts.storedIdle}, then ${counts.stored} pods stored`);
    const template = (await client.getPod(PROBE)).body as StoredTemplate;
    storing = true;
    await createNamespace(client);
    let stored = 0;
    const store = async (upTo: number) => {
      const more = Array.from({ length: upTo - stored }, (_, i) => `stored-${stored + i}`);
      stored = upTo;
      await runPool(more, 8, (name) => storeOne(client, template, name), signal);
    };
    const refUrl = await sampler.referenceUrl();
    reference = refUrl ? new ApiClient({ ...daemon.cluster, server: refUrl }) : undefined;
    const list = (accept?: string) => timeLists(client, reference, counts.listRequests, accept, signal);
    await store(counts.storedIdle);
    const idle = await list();
    out.storedIdle = { pods: counts.storedIdle, listP99Ms: idle.p99Ms, floorP99Ms: idle.floorP99Ms };
    await store(counts.stored);
    const json = await list();
    const table = await list(TABLE_ACCEPT);
    out.stored = { pods: counts.stored, listP99Ms: json.p99Ms, tableP99Ms: table.p99Ms, listFloorP99Ms: json.floorP99Ms, tableFloorP99Ms: table.floorP99Ms };
    await removeStored(client);
    storing = false;

    await driver.remove(PROBE);
    out.leftovers = await hostLeftovers(daemon);
    return out;
  } finally {
    sampler.close();
    reference?.close();
    if (storing) await removeStored(client).catch((err: Error) => note(`load: removing the stored pods failed: ${err.message}`));
    fs.rmSync(file, { force: true });
  }
}

/**
 * `n` lists of the stored pods, one request at a time, each followed by a request to the reference
 * server (when there is one) for as many bytes as the list's answer had: the p99 of both, the second
 * the floor the host and this client put under the first at those moments.
 */
async function timeLists(client: ApiClient, reference: ApiClient | undefined, n: number, accept: string | undefined, signal: AbortSignal): Promise<{ p99Ms: number; floorP99Ms?: number }> {
  const lat: number[] = [];
  const floor: number[] = [];
  for (let i = 0; i < n; i++) {
    signal.throwIfAborted();
    let t = epochMs();
    const r = await client.request('GET', STORED_PODS, undefined, { accept, raw: true });
    if (r.status !== 200) throw new Error(`list ${i} answered ${r.status}`);
    lat.push(epochMs() - t);
    if (!reference) continue;
    t = epochMs();
    const f = await reference.request('GET', `/bytes/${Buffer.byteLength(String(r.body))}`, undefined, { raw: true });
    if (f.status !== 200) throw new Error(`reference server answered ${f.status}`);
    floor.push(epochMs() - t);
  }
  return { p99Ms: percentile(lat, 99), floorP99Ms: floor.length ? percentile(floor, 99) : undefined };
}

/** The host counts as quiet below this fraction of its CPU time busy over one second. */
export const QUIET_BUSY = 0.2;
export const QUIET_BUDGET_MS = 30_000;

/** Waits, a second at a time, until the host's CPUs were less than `busyFraction` busy over a second; false after `budgetMs`. */
export async function waitQuietHost(busyFraction: number, budgetMs: number, signal: AbortSignal): Promise<boolean> {
  const read = () => hostCpuTicks(fs.readFileSync('/proc/stat', 'utf8'));
  const deadline = epochMs() + budgetMs;
  let prev = read();
  while (epochMs() < deadline) {
    await sleep(1000);
    signal.throwIfAborted();
    const now = read();
    const total = now.total - prev.total;
    if (total > 0 && (now.busy - prev.busy) / total < busyFraction) return true;
    prev = now;
  }
  return false;
}

export async function createNamespace(client: ApiClient, namespace = STORED_NAMESPACE): Promise<void> {
  const r = await client.request('POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } });
  if (r.status !== 201 && r.status !== 409) throw new Error(`create namespace ${namespace}: ${r.status}`);
}

/** One stored-only pod (storedPod) in `namespace`, with the template's status written after it. */
export async function storeOne(client: ApiClient, template: StoredTemplate, name: string, namespace = STORED_NAMESPACE): Promise<void> {
  const pods = `/api/v1/namespaces/${namespace}/pods`;
  const c = await client.request('POST', pods, storedPod(template, name, namespace));
  if (c.status !== 201) throw new Error(`create stored pod ${name}: ${c.status} ${JSON.stringify(c.body).slice(0, 300)}`);
  const r = await client.request('PUT', `${pods}/${name}/status`, { ...c.body, status: template.status });
  if (r.status !== 200) throw new Error(`status of stored pod ${name}: ${r.status} ${JSON.stringify(r.body).slice(0, 300)}`);
}

/** One deletecollection (grace 0: no kubelet on "elsewhere" would confirm a graceful delete), then the namespace. */
export async function removeStored(client: ApiClient, namespace = STORED_NAMESPACE): Promise<void> {
  const r = await client.request('DELETE', `/api/v1/namespaces/${namespace}/pods?gracePeriodSeconds=0`);
  if (r.status !== 200) throw new Error(`deletecollection: ${r.status}`);
  const ns = await client.request('DELETE', `/api/v1/namespaces/${namespace}`);
  if (ns.status !== 200 && ns.status !== 202) throw new Error(`delete namespace ${namespace}: ${ns.status}`);
}

/**
 * What the engine still holds on the host once every pod is gone, one "kind: count (first item)" per kind,
 * after a short wait for it to finish; empty when clean.
 */
export async function hostLeftovers(daemon: BenchDaemon): Promise<string[]> {
  const deadline = Date.now() + LEFTOVERS_WAIT_MS;
  for (;;) {
    const found = await engineLeftovers(daemon.paths);
    if (Object.keys(found).length === 0 || Date.now() > deadline) return Object.entries(found).map(([k, v]) => `${k}: ${v.length} (${v[0]})`);
    await sleep(500);
  }
}
