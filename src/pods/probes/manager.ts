// The probe manager (the kubelet's prober manager): owns the workers of every pod on this node and the
// results they store. The pod worker calls syncPod on each pass with what it observed, which creates a
// worker for each probe of each regular and sidecar container, points it at the container's newest
// instance, and stops the workers of containers and pods that are gone. A result that changes wakes
// the pod's worker (onResultChange), so a liveness failure kills at once and a readiness change is
// written at once.

import type { Container, Pod } from '../../k8s/types.js';
import type { Clock } from '../../system/clock.js';
import type { ObservedPod } from '../spec.js';
import type { ProbeOutcome, ProbeRunner } from './runner.js';
import { ProbeResults, type ProbeResult, type ProbeType } from './results.js';
import { probeOf, ProbeWorker, type WorkerHost } from './worker.js';

const TYPES: ProbeType[] = ['Startup', 'Liveness', 'Readiness'];

/** What status and planning need from the probes (pure code gets this, not the manager). */
export interface ProbeView {
  /** A running instance is started once its startup probe passed, or at once without one. */
  started(containerId: string, container: Container): boolean;
  /** A started instance is ready once its readiness probe passed, or at once without one. */
  ready(containerId: string, container: Container): boolean;
  /** The liveness or startup probe that failed this instance, if one did. */
  failed(containerId: string): 'Liveness' | 'Startup' | undefined;
}

/** Without probes: started and ready while running, never failed. */
export const NO_PROBES: ProbeView = { started: () => true, ready: () => true, failed: () => undefined };

export interface ProbeManagerOptions {
  clock: Clock;
  runner: ProbeRunner;
  /** Uniform in [0, 1): spreads the first probes after a daemon start over their period. */
  random: () => number;
  /** Records an event on the pod's container. */
  event: (pod: Pod, container: string, type: 'Normal' | 'Warning', reason: string, message: string) => void;
  /** A result changed for a pod's container: sync that pod. */
  onResultChange: (podUid: string) => void;
  /** Every attempt, for metrics: type, result, lateness of a periodic attempt and duration (ms). */
  onAttempt?: (type: ProbeType, result: ProbeOutcome['result'], latenessMs: number | undefined, durationMs: number) => void;
}

interface PodProbes {
  pod: Pod;
  /** By `${container}/${type}`. */
  workers: Map<string, ProbeWorker>;
}

const hasProbes = (c: Container) => !!(c.livenessProbe || c.readinessProbe || c.startupProbe);

export class ProbeManager implements ProbeView {
  private readonly pods = new Map<string, PodProbes>();
  private readonly results = new ProbeResults();
  private readonly startedAt: number;

  constructor(private readonly opts: ProbeManagerOptions) {
    this.startedAt = opts.clock.now();
  }

  started(containerId: string, c: Container): boolean {
    return !c.startupProbe || this.results.get(containerId, 'Startup') === 'success';
  }

  ready(containerId: string, c: Container): boolean {
    return !c.readinessProbe || this.results.get(containerId, 'Readiness') === 'success';
  }

  /** What the workers last concluded of a container instance's probe (its initial result before the first run). */
  lastResult(containerId: string, type: ProbeType): ProbeResult | undefined {
    return this.results.get(containerId, type);
  }

  failed(containerId: string): 'Liveness' | 'Startup' | undefined {
    if (this.results.get(containerId, 'Liveness') === 'failure') return 'Liveness';
    if (this.results.get(containerId, 'Startup') === 'failure') return 'Startup';
    return undefined;
  }

  /** Workers for `pod` as observed in this pass (see the header). */
  syncPod(pod: Pod, observed: ObservedPod, podIP: string): void {
    const uid = pod.metadata.uid ?? '';
    const probed = [...(pod.spec.initContainers ?? []).filter((c) => c.restartPolicy === 'Always'), ...pod.spec.containers].filter(hasProbes);
    let entry = this.pods.get(uid);
    if (!entry && probed.length === 0) return;
    if (!entry) this.pods.set(uid, (entry = { pod, workers: new Map() }));
    entry.pod = pod;
    const terminal = pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed';
    const wanted = new Set<string>();
    for (const c of terminal ? [] : probed) {
      const rec = observed.containers.get(c.name)?.[0];
      for (const type of TYPES) {
        const probe = probeOf(c, type);
        if (!probe) continue;
        const key = `${c.name}/${type}`;
        wanted.add(key);
        let w = entry.workers.get(key);
        if (!w) {
          w = new ProbeWorker(this.host(uid), type, probe, this.firstDelayMs(probe));
          entry.workers.set(key, w);
        }
        if (rec) {
          const st = [...(pod.status?.containerStatuses ?? []), ...(pod.status?.initContainerStatuses ?? [])].find((x) => x.name === c.name);
          const same = st?.containerID?.endsWith(`://${rec.id}`);
          w.update(
            {
              containerId: rec.id,
              container: c,
              running: rec.state === 'running',
              startedAt: rec.startedAt,
              podIP,
              deleting: !!pod.metadata.deletionTimestamp,
              ...(same ? { previously: { ready: !!st!.ready, started: !!st!.started } } : {}),
            },
            probe,
          );
        }
      }
    }
    for (const [key, w] of entry.workers) {
      if (wanted.has(key)) continue;
      w.stop();
      entry.workers.delete(key);
    }
    if (entry.workers.size === 0) this.pods.delete(uid);
  }

  /** The pod is gone: stop its workers and drop their results. */
  removePod(uid: string): void {
    const entry = this.pods.get(uid);
    if (!entry) return;
    for (const w of entry.workers.values()) w.stop();
    this.pods.delete(uid);
  }

  stop(): void {
    for (const uid of [...this.pods.keys()]) this.removePod(uid);
  }

  /** The kubelet spreads first probes only right after it starts; later workers probe at once. */
  private firstDelayMs(probe: { periodSeconds?: number }): number {
    const period = Math.max(1, probe.periodSeconds ?? 10) * 1000;
    return this.opts.clock.now() - this.startedAt < period ? Math.floor(this.opts.random() * period) : 0;
  }

  private host(uid: string): WorkerHost {
    const { opts, results } = this;
    return {
      clock: opts.clock,
      runner: opts.runner,
      setResult: (id: string, type: ProbeType, result: ProbeResult) => {
        if (results.set(id, type, result)) opts.onResultChange(uid);
      },
      removeResult: (id: string, type: ProbeType) => results.remove(id, type),
      started: (id: string, c: Container) => this.started(id, c),
      report: (c: Container, type: ProbeType, outcome: ProbeOutcome) => this.report(uid, c, type, outcome),
      startupPassed: (c: Container) => this.pods.get(uid)?.workers.get(`${c.name}/Readiness`)?.trigger(),
      attempted: (type: ProbeType, o: ProbeOutcome, latenessMs: number | undefined, durationMs: number) => opts.onAttempt?.(type, o.result, latenessMs, durationMs),
    };
  }

  private report(uid: string, c: Container, type: ProbeType, o: ProbeOutcome): void {
    const pod = this.pods.get(uid)?.pod;
    if (!pod) return;
    if (o.result === 'failure') this.opts.event(pod, c.name, 'Warning', 'Unhealthy', `${type} probe failed: ${o.output}`);
    else if (o.result === 'warning') this.opts.event(pod, c.name, 'Warning', 'ProbeWarning', `${type} probe warning: ${o.output}`);
    else if (o.result === 'unknown') this.opts.event(pod, c.name, 'Warning', 'Unhealthy', `${type} probe errored and resulted in unknown state: ${o.output}`);
  }
}
