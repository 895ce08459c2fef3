// GET /metrics: the daemon's own figures in Prometheus' text format (0.0.4), as kube-apiserver serves its
// /metrics; authorized like any non-resource URL (system:masters, and system:monitoring as on a cluster).
// Process figures use the names Prometheus' client libraries give them, so existing dashboards read them.
// Rendering is pure; DaemonMetrics owns the samplers and reads the process when scraped.

import { performance } from 'node:perf_hooks';
import type { HistogramSnapshot } from '../system/histogram.js';
import { histogramFamily, renderPrometheus, type MetricFamily } from '../metrics/prometheus.js';
import { LoopDelaySampler, type LoopDelaySnapshot } from '../system/loop-delay.js';
import { SpawnMeter } from '../system/spawn-meter.js';
import { Histogram } from '../system/histogram.js';

export const METRICS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

export { histogramFamily, renderPrometheus, type MetricFamily, type MetricSample } from '../metrics/prometheus.js';

/** What one scrape reports. */
export interface MetricsReading {
  loopDelay: LoopDelaySnapshot;
  spawns: HistogramSnapshot;
  /** The same starts, without the loop's waits for a core. */
  spawnsRunning: HistogramSnapshot;
  /** process.memoryUsage() */
  memory: { rss: number; heapTotal: number; heapUsed: number; external: number };
  /** process.cpuUsage(), µs */
  cpu: { user: number; system: number };
  /** Unix seconds. */
  startTime: number;
  /** Probe attempts by `${type}/${result}` (Liveness/successful...). */
  probes?: Map<string, number>;
  probeLateness?: HistogramSnapshot;
  probeDuration?: HistogramSnapshot;
}

const gauge = (name: string, help: string, value: number): MetricFamily => ({ name, help, type: 'gauge', samples: [{ value }] });
const counter = (name: string, help: string, value: number): MetricFamily => ({ name, help, type: 'counter', samples: [{ value }] });

export function metricFamilies(r: MetricsReading): MetricFamily[] {
  return [
    histogramFamily('peapod_event_loop_delay_seconds', 'How late a timer due every 10 ms ran: the time the event loop was blocked before it.', r.loopDelay.histogram),
    {
      name: 'peapod_event_loop_delay_max_seconds',
      help: 'The largest event-loop delay sampled in the current second and the `window` seconds before it (covers at least the window, at most a second more).',
      type: 'gauge',
      samples: r.loopDelay.max.map((m) => ({ labels: { window: `${m.windowS}s` }, value: m.seconds })),
    },
    counter('peapod_spawns_total', 'Programs started for the daemon: its own child processes (spawn, execFile, exec, fork) and those its spawn helper started on its request.', r.spawns.count),
    histogramFamily('peapod_spawn_blocked_seconds', 'Per program started: how long starting it blocked the event loop (its own: the synchronous spawn, a fork then the wait for the exec; through the spawn helper: sending the request).', r.spawns),
    histogramFamily('peapod_spawn_blocked_running_seconds', "Per program started: the blocked time less the time the event loop's thread waited for a core meanwhile (preempted on a busy host; from the thread's schedstat), the start's own cost.", r.spawnsRunning),
    {
      name: 'prober_probe_total',
      help: 'Probe attempts, by probe type and result (the kubelet\'s counter, without its per-container labels).',
      type: 'counter',
      samples: [...(r.probes ?? new Map<string, number>())].sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, value]) => {
        const [probe_type, result] = k.split('/');
        return { labels: { probe_type: probe_type!, result: result! }, value };
      }),
    },
    ...(r.probeLateness ? [histogramFamily('peapod_probe_lateness_seconds', 'Per periodic probe attempt: how long after its due time (the previous attempt\'s start plus periodSeconds) its result came.', r.probeLateness)] : []),
    ...(r.probeDuration ? [histogramFamily('peapod_probe_duration_seconds', 'Per probe attempt: how long it took to a result.', r.probeDuration)] : []),
    counter('process_cpu_user_seconds_total', 'Total user CPU time spent in seconds.', r.cpu.user / 1e6),
    counter('process_cpu_system_seconds_total', 'Total system CPU time spent in seconds.', r.cpu.system / 1e6),
    counter('process_cpu_seconds_total', 'Total user and system CPU time spent in seconds.', (r.cpu.user + r.cpu.system) / 1e6),
    gauge('process_resident_memory_bytes', 'Resident memory size in bytes.', r.memory.rss),
    gauge('process_start_time_seconds', 'Start time of the process since unix epoch in seconds.', r.startTime),
    gauge('nodejs_heap_size_total_bytes', 'Process heap size from Node.js in bytes.', r.memory.heapTotal),
    gauge('nodejs_heap_size_used_bytes', 'Process heap size used from Node.js in bytes.', r.memory.heapUsed),
    gauge('nodejs_external_memory_bytes', 'Node.js external memory size in bytes.', r.memory.external),
  ];
}

/** The samplers of one daemon: started with it, stopped with it, read at each scrape. */
/** Probe lateness and duration buckets, seconds. */
const PROBE_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export class DaemonMetrics {
  private readonly loopDelay = new LoopDelaySampler();
  private readonly spawns = new SpawnMeter();
  private readonly probes = new Map<string, number>();
  private readonly probeLateness = new Histogram(PROBE_BUCKETS);
  private readonly probeDuration = new Histogram(PROBE_BUCKETS);
  /** Other components' families, read at each scrape (metrics/activity.ts, metrics/store-figures.ts). */
  private readonly sources: (() => MetricFamily[])[] = [];

  /** Adds families read at each scrape; one that throws is left out of that scrape. */
  addSource(families: () => MetricFamily[]): void {
    this.sources.push(families);
  }

  /** One probe attempt: its type, result (successful, failed, unknown), lateness (periodic ones) and duration. */
  recordProbe(type: string, result: string, latenessSeconds: number | undefined, durationSeconds: number): void {
    const key = `${type}/${result}`;
    this.probes.set(key, (this.probes.get(key) ?? 0) + 1);
    if (latenessSeconds !== undefined) this.probeLateness.observe(Math.max(0, latenessSeconds));
    this.probeDuration.observe(durationSeconds);
  }

  start(): void {
    this.loopDelay.start();
    this.spawns.start();
  }

  stop(): void {
    this.loopDelay.stop();
    this.spawns.stop();
  }

  /** A program the spawn helper started on the daemon's request, the loop time the request took, and the part of it the loop waited for a core. */
  recordHelperSpawn(blockedSeconds: number, waitedSeconds = 0): void {
    this.spawns.record(blockedSeconds, waitedSeconds);
  }

  render(): string {
    const m = process.memoryUsage();
    return renderPrometheus(
      metricFamilies({
        loopDelay: this.loopDelay.snapshot(),
        spawns: this.spawns.snapshot(),
        spawnsRunning: this.spawns.runningSnapshot(),
        memory: { rss: m.rss, heapTotal: m.heapTotal, heapUsed: m.heapUsed, external: m.external },
        cpu: process.cpuUsage(),
        startTime: performance.timeOrigin / 1000,
        probes: this.probes,
        probeLateness: this.probeLateness.snapshot(),
        probeDuration: this.probeDuration.snapshot(),
      }).concat(this.sources.flatMap((read) => {
        try {
          return read();
        } catch {
          return [];
        }
      })),
    );
  }
}
