// Watching the daemon from the side while a burst of pods starts or stops: one keep-alive TLS connection
// (the kubeconfig's own client certificate) GETs one pod every 50 ms, another lists the pods every 50 ms
// (both in a process of their own: request-sampler.ts), a third scrapes /metrics every second. Given the
// daemon's serving key, a do-nothing server (reference-server.ts) is timed the same way beside it: the
// floor the host and the client put under any answer in that burst. One request per connection is in
// flight: an answer slower than the interval delays the next sample rather than queueing more (so a
// stall shows once, as its max).
// Event-loop delay and spawn figures are the daemon's own, from the histograms' growth between the
// scrapes at the window's two ends. The max is the largest rolling max read during the window, each
// reading over the shortest of the daemon's windows (1, 10, 60 s) that reaches back to the previous
// scrape's request, so no stretch goes unread however slow the scrapes get (a reading may reach a little
// before the window); capped by the highest bucket the window's delays reached.

import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { ClusterConfig } from '../src/cli/kubeconfig.js';
import { ApiClient, epochMs } from './api-client.js';
import { REFERENCE_ARG } from './reference-server.js';
import { every, SAMPLER_ARG, type SamplerReport } from './request-sampler.js';
import { SERVE_NODE_FLAGS, serveEnv } from '../src/system/node-flags.js';
import { bucketQuantile, highestBucketBound, histogramDelta, parsePrometheusText, sampleValue, scrapedHistogram, type PromSample, type ScrapedHistogram } from './prom-text.js';
import { summarize, type LatencySummary } from './stats.js';

export interface BurstFigures {
  /** The window's length. */
  ms: number;
  get: LatencySummary;
  list: LatencySummary;
  /** The do-nothing server's answers of the same sizes, at the same moments (n 0 without one). */
  refGet: LatencySummary;
  refList: LatencySummary;
  /** Requests that failed or answered other than 200 (not in the latencies). */
  failures: number;
  loopDelay: {
    /** Timer ticks the daemon sampled in the window. */
    ticks: number;
    /** Upper bound of the bucket holding the p99 tick. */
    p99Ms: number;
    maxMs: number;
  };
  spawns: {
    count: number;
    /** Loop time blocked per child process started, mean. */
    meanBlockedMs: number;
    /** Upper bound of the bucket holding the p99 spawn. */
    p99BlockedMs: number;
    /** The same for the blocked time less the loop's waits for a core (NaN from a daemon without it). */
    p99RunningMs: number;
  };
  /** The largest process_resident_memory_bytes and nodejs_heap_size_used_bytes scraped in the window, MB. */
  peakRssMB: number;
  peakHeapMB: number;
}

const SCRAPE_MS = 1000;
const LOOP_DELAY = 'peapod_event_loop_delay_seconds';
const LOOP_DELAY_MAX = 'peapod_event_loop_delay_max_seconds';
const SPAWN_BLOCKED = 'peapod_spawn_blocked_seconds';
const SPAWN_RUNNING = 'peapod_spawn_blocked_running_seconds';

/** Parses one scrape; throws when it is not the daemon's metrics. */
export function readScrape(status: number, body: unknown): PromSample[] {
  if (status !== 200 || typeof body !== 'string') throw new Error(`GET /metrics answered ${status}`);
  return parsePrometheusText(body);
}

function histogramOrThrow(samples: readonly PromSample[], name: string): ScrapedHistogram {
  const h = scrapedHistogram(samples, name);
  if (!h) throw new Error(`/metrics has no ${name} histogram`);
  return h;
}

/** The window's loop-delay and spawn figures from its first and last scrape and the 1 s maxima read within. */
export function windowFigures(first: readonly PromSample[], last: readonly PromSample[], maxReadings: number[]): Pick<BurstFigures, 'loopDelay' | 'spawns'> {
  const delay = histogramDelta(histogramOrThrow(first, LOOP_DELAY), histogramOrThrow(last, LOOP_DELAY));
  const spawns = histogramDelta(histogramOrThrow(first, SPAWN_BLOCKED), histogramOrThrow(last, SPAWN_BLOCKED));
  const runFirst = scrapedHistogram(first, SPAWN_RUNNING);
  const runLast = scrapedHistogram(last, SPAWN_RUNNING);
  const running = runFirst && runLast ? histogramDelta(runFirst, runLast) : undefined;
  const readMax = maxReadings.length ? Math.max(...maxReadings) : NaN;
  return {
    loopDelay: { ticks: delay.count, p99Ms: bucketQuantile(delay, 0.99) * 1000, maxMs: Math.min(readMax, highestBucketBound(delay)) * 1000 },
    spawns: {
      count: spawns.count,
      meanBlockedMs: spawns.count > 0 ? (spawns.sum / spawns.count) * 1000 : NaN,
      p99BlockedMs: bucketQuantile(spawns, 0.99) * 1000,
      p99RunningMs: running ? bucketQuantile(running, 0.99) * 1000 : NaN,
    },
  };
}

interface Window {
  t0: number;
  first: PromSample[];
  /** Scrapes that failed (the request sampler counts its own). */
  failures: number;
  /** peapod_event_loop_delay_max_seconds of each scrape in the window, over maxWindow(). */
  maxReadings: number[];
  /** When the previous scrape was sent: the next reading must reach back to it. */
  prevSentAt: number;
  rssMB: number[];
  heapMB: number[];
  loops: Promise<void>[];
}

/** The daemon's rolling-max windows, seconds (src/system/loop-delay.ts MAX_WINDOWS_S). */
const MAX_WINDOWS_S = [1, 10, 60];

/**
 * The shortest rolling-max window (label value) that covers `gapMs` back from the moment the daemon
 * rendered the scrape; the longest when none does (a minute without a scrape answer).
 */
export function maxWindow(gapMs: number): string {
  return `${MAX_WINDOWS_S.find((s) => s * 1000 >= gapMs) ?? MAX_WINDOWS_S.at(-1)}s`;
}

interface Scrape {
  samples: PromSample[];
  sentAt: number;
  answeredAt: number;
}

function record(w: Window, scrape: Scrape, withMax: boolean): void {
  const samples = scrape.samples;
  // The daemon rendered the scrape before it answered; its reading must reach back to the previous send.
  const max = sampleValue(samples, LOOP_DELAY_MAX, { window: maxWindow(scrape.answeredAt - w.prevSentAt) });
  if (withMax && max !== undefined) w.maxReadings.push(max);
  w.prevSentAt = scrape.sentAt;
  const mb = (name: string, into: number[]) => {
    const v = sampleValue(samples, name);
    if (v !== undefined) into.push(v / (1024 * 1024));
  };
  mb('process_resident_memory_bytes', w.rssMB);
  mb('nodejs_heap_size_used_bytes', w.heapMB);
}

/** The daemon's serving certificate and key (PEM), for the reference server. */
export interface ServingTls {
  cert: string;
  key: string;
}

export class BurstSampler {
  private readonly requests: ChildProcess;
  private readonly reference?: ChildProcess;
  private readonly metricsClient: ApiClient;
  /** Settles once the request sampler has its clients (and the reference server listens). */
  private readonly ready: Promise<void>;
  private referenceServer?: string;
  private window?: Window;

  constructor(cluster: ClusterConfig, probePod: string, referenceTls?: ServingTls) {
    this.requests = fork(fileURLToPath(new URL('./request-sampler.js', import.meta.url)), [SAMPLER_ARG], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], serialization: 'advanced' });
    this.metricsClient = new ApiClient(cluster);
    if (!referenceTls) {
      this.requests.send({ t: 'init', cluster, probePod });
      this.ready = Promise.resolve();
      return;
    }
    const ref = fork(fileURLToPath(new URL('./reference-server.js', import.meta.url)), [REFERENCE_ARG], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], execArgv: [...SERVE_NODE_FLAGS], detached: true, env: serveEnv() });
    this.reference = ref;
    this.ready = new Promise<void>((resolve, reject) => {
      const exited = () => reject(new Error('the reference server exited before it listened'));
      ref.once('exit', exited);
      ref.once('message', (m: { port: number }) => {
        ref.off('exit', exited);
        if (!m.port) return reject(new Error('the reference server did not listen'));
        this.referenceServer = `https://127.0.0.1:${m.port}`;
        this.requests.send({ t: 'init', cluster, probePod, reference: this.referenceServer });
        resolve();
      });
      ref.send({ t: 'init', ...referenceTls });
    });
    this.ready.catch(() => undefined);
  }

  /** The bench processes it started (the request sampler, the reference server). */
  pids(): number[] {
    return [this.requests.pid, this.reference?.pid].filter((p): p is number => p !== undefined);
  }

  /** The reference server's URL once it listens (undefined without one), for floors outside the bursts. */
  async referenceUrl(): Promise<string | undefined> {
    await this.ready;
    return this.referenceServer;
  }

  async scrape(): Promise<Scrape> {
    const sentAt = epochMs();
    const r = await this.metricsClient.request('GET', '/metrics', undefined, { accept: 'text/plain' });
    return { samples: readScrape(r.status, r.body), sentAt, answeredAt: epochMs() };
  }

  /** Starts a window: a first scrape, then the samplers. */
  async begin(): Promise<void> {
    if (this.window) throw new Error('a burst window is already open');
    await this.ready;
    const first = await this.scrape();
    const w: Window = { t0: epochMs(), first: first.samples, failures: 0, maxReadings: [], prevSentAt: first.sentAt, rssMB: [], heapMB: [], loops: [] };
    this.window = w;
    // The first scrape's max covers the time before the window: only its memory counts.
    record(w, first, false);
    this.requests.send('begin');
    w.loops = [every(() => this.window === w, SCRAPE_MS, () => this.scrape().then((samples) => record(w, samples, true), () => void w.failures++), true)];
  }

  /** Ends the window: the samplers stop, a last scrape, the figures. */
  async end(): Promise<BurstFigures> {
    const w = this.window;
    if (!w) throw new Error('no burst window is open');
    this.window = undefined;
    const ms = epochMs() - w.t0;
    const child = this.requests;
    const reported = new Promise<SamplerReport>((resolve, reject) => {
      const exited = () => reject(new Error('the request sampler process exited'));
      child.once('exit', exited);
      child.once('message', (m) => {
        child.off('exit', exited);
        resolve(m as SamplerReport);
      });
    });
    child.send('end');
    const last = await this.scrape();
    record(w, last, true);
    // The samplers notice the closed window after their current request or wait (up to a second).
    await Promise.all(w.loops);
    const report = await reported;
    return { ms, get: summarize(report.get), list: summarize(report.list), refGet: summarize(report.refGet), refList: summarize(report.refList), failures: w.failures + report.failures, ...windowFigures(w.first, last.samples, w.maxReadings), peakRssMB: Math.max(...w.rssMB), peakHeapMB: Math.max(...w.heapMB) };
  }

  /** Ends an open window unread (its samplers stop) and the connections. */
  close(): void {
    this.window = undefined;
    if (this.requests.connected) this.requests.send('close');
    if (this.reference?.connected) this.reference.disconnect();
    this.metricsClient.close();
  }
}
