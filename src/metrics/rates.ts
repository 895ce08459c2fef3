// The last two samples of every container and node, and the usage between them, as metrics-server's
// storage keeps and computes them (pkg/storage): CPU as a rate over the window between two cumulative
// samples (nanocores), memory as the newest working set. A pod is served only once every container it
// had in the newest sample has an earlier one too; a container whose start time moved (restarted) starts
// over. A container started less than one resolution ago (but at least 10 s) counts from its start
// with zero CPU, so a new pod shows up after one scrape instead of two. Pure: time comes in the samples.

/** One sample of a container or node. */
export interface MetricsPoint {
  /** When the container (node) started: its cumulative CPU was 0 then. Unix ms. */
  startTime: number;
  /** When the sample was read. Unix ms. */
  timestamp: number;
  /** Cumulative CPU time, ns. */
  cpuNs: number;
  /** Working set, bytes. */
  memoryBytes: number;
}

/** One scrape: node points by node name; container points by pod ("namespace/name") then container name. */
export interface MetricsBatch {
  nodes: Map<string, MetricsPoint>;
  pods: Map<string, Map<string, MetricsPoint>>;
}

export interface Usage {
  /** CPU over the window, nanocores (ns of CPU per s), whole. */
  cpuNanoCores: number;
  memoryBytes: number;
}

export interface UsageWindow {
  /** The newest sample's time (for a pod, its containers' earliest), unix ms. */
  timestamp: number;
  windowMs: number;
}

export interface PodUsage extends UsageWindow {
  containers: { name: string; usage: Usage }[];
}

export interface NodeUsage extends UsageWindow {
  usage: Usage;
}

/** metrics-server's freshContainerMinMetricsResolution: a younger container's first sample is too rough. */
const FRESH_CONTAINER_MIN_MS = 10_000;

/** Usage between two samples of the same container (node); undefined when they cannot be compared. */
export function resourceUsage(last: MetricsPoint, prev: MetricsPoint): (UsageWindow & { usage: Usage }) | undefined {
  if (last.startTime < prev.startTime || last.cpuNs < prev.cpuNs) return undefined;
  const windowMs = last.timestamp - prev.timestamp;
  if (windowMs <= 0) return undefined;
  const cpuNanoCores = Math.floor(((last.cpuNs - prev.cpuNs) * 1000) / windowMs);
  return { timestamp: last.timestamp, windowMs, usage: { cpuNanoCores, memoryBytes: last.memoryBytes } };
}

/** What the metrics API reads: the usage of a pod or node, once it has two samples. */
export interface ResourceMetricsSource {
  podUsage(namespace: string, name: string): PodUsage | undefined;
  nodeUsage(name: string): NodeUsage | undefined;
}

export class MetricsStorage implements ResourceMetricsSource {
  private lastNodes = new Map<string, MetricsPoint>();
  private prevNodes = new Map<string, MetricsPoint>();
  private lastPods = new Map<string, Map<string, MetricsPoint>>();
  private prevPods = new Map<string, Map<string, MetricsPoint>>();

  /** `resolutionMs`: the scrape period (the fresh-container rule compares container age with it). */
  constructor(private readonly resolutionMs: number) {}

  store(batch: MetricsBatch): void {
    const lastNodes = new Map<string, MetricsPoint>();
    const prevNodes = new Map<string, MetricsPoint>();
    for (const [name, point] of batch.nodes) {
      lastNodes.set(name, point);
      const prev = this.previousPoint(point, this.lastNodes.get(name), this.prevNodes.get(name));
      if (prev) prevNodes.set(name, prev);
    }
    const lastPods = new Map<string, Map<string, MetricsPoint>>();
    const prevPods = new Map<string, Map<string, MetricsPoint>>();
    for (const [pod, containers] of batch.pods) {
      const prevOfPod = new Map<string, MetricsPoint>();
      for (const [name, point] of containers) {
        const age = point.timestamp - point.startTime;
        if (point.startTime < point.timestamp && age < this.resolutionMs && age >= FRESH_CONTAINER_MIN_MS) {
          prevOfPod.set(name, { ...point, timestamp: point.startTime, cpuNs: 0 });
          continue;
        }
        const stored = this.lastPods.get(pod)?.get(name);
        // A container that restarted (started after the stored sample) starts over.
        if (!stored || !(point.startTime < stored.timestamp)) continue;
        const prev = this.previousPoint(point, stored, this.prevPods.get(pod)?.get(name));
        if (prev) prevOfPod.set(name, prev);
      }
      lastPods.set(pod, new Map(containers));
      if (prevOfPod.size) prevPods.set(pod, prevOfPod);
    }
    this.lastNodes = lastNodes;
    this.prevNodes = prevNodes;
    this.lastPods = lastPods;
    this.prevPods = prevPods;
  }

  /** The stored sample a new one is compared with: the last one if the new one is newer, else the kept previous. */
  private previousPoint(point: MetricsPoint, last: MetricsPoint | undefined, prev: MetricsPoint | undefined): MetricsPoint | undefined {
    if (!last) return undefined;
    if (point.timestamp > last.timestamp) return last;
    return prev && prev.timestamp < point.timestamp ? prev : undefined;
  }

  /** The pod's usage, or undefined until every container of its newest sample has two comparable samples. */
  podUsage(namespace: string, name: string): PodUsage | undefined {
    const key = `${namespace}/${name}`;
    const last = this.lastPods.get(key);
    const prev = this.prevPods.get(key);
    if (!last || !prev) return undefined;
    const containers: PodUsage['containers'] = [];
    let earliest: UsageWindow | undefined;
    for (const [cname, point] of last) {
      const before = prev.get(cname);
      if (!before) return undefined;
      const u = resourceUsage(point, before);
      if (!u) continue; // metrics-server skips (and logs) such a container, serving the others
      containers.push({ name: cname, usage: u.usage });
      if (!earliest || earliest.timestamp > u.timestamp) earliest = { timestamp: u.timestamp, windowMs: u.windowMs };
    }
    return { timestamp: earliest?.timestamp ?? 0, windowMs: earliest?.windowMs ?? 0, containers };
  }

  nodeUsage(name: string): NodeUsage | undefined {
    const last = this.lastNodes.get(name);
    const prev = this.prevNodes.get(name);
    if (!last || !prev) return undefined;
    const u = resourceUsage(last, prev);
    return u && { timestamp: u.timestamp, windowMs: u.windowMs, usage: u.usage };
  }

  /** Containers with two samples: what metrics-server reports as metrics_server_storage_points{type="container"}. */
  containerPoints(): number {
    let n = 0;
    for (const p of this.prevPods.values()) n += p.size;
    return n;
  }
}
