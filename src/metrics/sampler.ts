// The daemon's resource-metrics scraper, in the place of metrics-server scraping the kubelet: every
// resolution (15 s by default, metrics-server's) it reads the cgroup of every running container and the
// node's root cgroup, and hands the batch to the storage (rates.ts), which keeps the last two samples.
// A container's cgroup is found below the pod's, at whichever QoS level the pod sits (cgroupPaths gives
// the candidates; the one found is remembered per container id). A container whose cgroup cannot be read
// (it exited meanwhile) is left out of that scrape, as cAdvisor's missing stats are.

import type { Clock } from '../system/clock.js';
import type { Logger } from '../system/logger.js';
import { errorMessage } from '../errors.js';
import type { CgroupReader } from './cgroup-reader.js';
import type { MetricsBatch, MetricsPoint, MetricsStorage } from './rates.js';

export const DEFAULT_METRICS_RESOLUTION_MS = 15_000;

/** A running container as the sampler needs it (from the runtime's list). */
export interface SampledContainer {
  id: string;
  podNamespace: string;
  podName: string;
  podUid: string;
  name: string;
  /** Unix ms. */
  startedAt: number;
}

export interface MetricsSamplerOptions {
  clock: Clock;
  logger: Logger;
  resolutionMs: number;
  nodeName: string;
  /** When the node booted (its CPU counter's zero), unix ms. */
  nodeStartTime: number;
  reader: Pick<CgroupReader, 'sample'>;
  storage: MetricsStorage;
  /** The running containers (not the pods' infra containers). */
  listContainers: () => Promise<SampledContainer[]>;
  /** Where the container's cgroup may be, most likely first. */
  cgroupPaths: (c: SampledContainer) => string[];
}

export class MetricsSampler {
  private cancel?: () => void;
  private stopped = false;
  private running?: Promise<void>;
  /** The cgroup path found for each container id. */
  private readonly found = new Map<string, string>();

  constructor(private readonly o: MetricsSamplerOptions) {}

  /** Scrapes now, then every resolution, each scrape timed from the end of the one before. */
  start(): void {
    this.stopped = false;
    const tick = () => {
      this.running = this.scrape()
        .catch((err) => this.o.logger.warn({ err: errorMessage(err) }, 'resource metrics scrape failed'))
        .finally(() => {
          this.running = undefined;
          if (!this.stopped) this.cancel = this.o.clock.setTimer(this.o.resolutionMs, tick);
        });
    };
    tick();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.cancel?.();
    await this.running;
  }

  /** One scrape: read, then store the batch. */
  async scrape(): Promise<void> {
    const batch: MetricsBatch = { nodes: new Map(), pods: new Map() };
    const [containers, node] = await Promise.all([
      this.o.listContainers(),
      this.sampleAt('/').catch((err) => {
        this.o.logger.warn({ err: errorMessage(err) }, 'cannot read the node cgroup');
        return undefined;
      }),
    ]);
    if (node) batch.nodes.set(this.o.nodeName, { startTime: this.o.nodeStartTime, ...node });
    const live = new Set<string>();
    await Promise.all(
      containers.map(async (c) => {
        live.add(c.id);
        const s = await this.sampleContainer(c);
        if (!s) return;
        const key = `${c.podNamespace}/${c.podName}`;
        let pod = batch.pods.get(key);
        if (!pod) batch.pods.set(key, (pod = new Map()));
        pod.set(c.name, { startTime: c.startedAt, ...s });
      }),
    );
    for (const id of this.found.keys()) if (!live.has(id)) this.found.delete(id);
    this.o.storage.store(batch);
  }

  private async sampleAt(cgroupPath: string): Promise<Omit<MetricsPoint, 'startTime'>> {
    const s = await this.o.reader.sample(cgroupPath);
    return { timestamp: this.o.clock.now(), cpuNs: s.cpuNs, memoryBytes: s.workingSetBytes };
  }

  private async sampleContainer(c: SampledContainer): Promise<Omit<MetricsPoint, 'startTime'> | undefined> {
    const known = this.found.get(c.id);
    const candidates = known ? [known] : this.o.cgroupPaths(c);
    for (const p of candidates) {
      try {
        const s = await this.sampleAt(p);
        this.found.set(c.id, p);
        return s;
      } catch {
        // not at this level (or gone): try the next
      }
    }
    this.found.delete(c.id);
    return undefined;
  }
}
