// One worker per container and probe type (the kubelet's probe worker). It ticks every periodSeconds on
// the injected clock and follows the container's current instance, which the pod worker hands it on
// every pass (update). Per tick:
//
//   on hold (liveness/startup already failed this instance) ─▶ skip until a new instance appears
//   instance not running ─▶ readiness: failure; skip
//   pod deleting ─▶ liveness/startup: success, stop probing (readiness goes on)
//   before startedAt + initialDelaySeconds ─▶ skip (the next tick comes when the delay ends)
//   liveness/readiness before the instance is started, or startup once it is ─▶ skip
//   run the probe ─▶ count consecutive equal results; a result is stored only once it reaches its
//   threshold (failureThreshold / successThreshold); liveness/startup failure ─▶ on hold
//
// A new instance starts from the initial results (not ready, alive, not started) — unless the stored
// status already showed this very instance ready or started (a daemon restart) — and its readiness is
// probed at once (then every period), as the kubelet triggers it when it sees a result missing.

import type { Container, Probe } from '../../k8s/types.js';
import type { Clock } from '../../system/clock.js';
import type { ProbeOutcome, ProbeRunner } from './runner.js';
import { INITIAL_RESULT, type ProbeResult, type ProbeType } from './results.js';

/** The instance a worker probes, as the pod worker last observed it. */
export interface ProbeInstance {
  containerId: string;
  container: Container;
  running: boolean;
  /** Unix ms. */
  startedAt: number;
  podIP: string;
  deleting: boolean;
  /**
   * What the stored status said of this very instance (same container ID) before this worker knew it:
   * after a daemon restart a ready, started container stays so until a probe says otherwise, instead
   * of flapping to not ready.
   */
  previously?: { ready: boolean; started: boolean };
}

export interface WorkerHost {
  clock: Clock;
  runner: ProbeRunner;
  /** Stores a result for an instance; the host wakes the pod worker when it changed. */
  setResult(containerId: string, type: ProbeType, result: ProbeResult): void;
  removeResult(containerId: string, type: ProbeType): void;
  /** Whether the instance counts as started (startup probe passed, or there is none). */
  started(containerId: string, container: Container): boolean;
  /** An attempt's outcome, for events (Unhealthy, ProbeWarning). */
  report(container: Container, type: ProbeType, outcome: ProbeOutcome): void;
  /** The startup probe of this container just passed: probe readiness at once. */
  startupPassed(container: Container): void;
  /** An attempt ran: how late it started (periodic ticks only) and how long it took, ms. */
  attempted?(type: ProbeType, outcome: ProbeOutcome, latenessMs: number | undefined, durationMs: number): void;
}

export function probeOf(c: Container, type: ProbeType): Probe | undefined {
  return type === 'Liveness' ? c.livenessProbe : type === 'Readiness' ? c.readinessProbe : c.startupProbe;
}

export class ProbeWorker {
  private instance?: ProbeInstance;
  private lastResult?: ProbeResult;
  private resultRun = 0;
  private onHold = false;
  private stopped = false;
  private running = false;
  private cancelTimer?: () => void;
  /** When the pending tick is due, if it is a periodic one (for the lateness figure). */
  private dueAt?: number;
  private tickDue?: number;
  private readonly abort = new AbortController();

  constructor(
    private readonly host: WorkerHost,
    readonly type: ProbeType,
    private probe: Probe,
    /** Delay before the first tick (ms): a random part of the period right after a daemon start. */
    firstDelayMs: number,
  ) {
    this.schedule(firstDelayMs);
  }

  private get periodMs(): number {
    return Math.max(1, this.probe.periodSeconds ?? 10) * 1000;
  }

  /** Follows the container's newest instance; a new instance starts from the initial result. */
  update(instance: ProbeInstance, probe: Probe): void {
    this.probe = probe;
    if (this.instance?.containerId !== instance.containerId) {
      if (this.instance) this.host.removeResult(this.instance.containerId, this.type);
      const kept = (this.type === 'Readiness' && instance.previously?.ready) || (this.type === 'Startup' && instance.previously?.started);
      this.host.setResult(instance.containerId, this.type, kept ? 'success' : INITIAL_RESULT[this.type]);
      this.lastResult = undefined;
      this.resultRun = 0;
      this.onHold = false;
      this.instance = instance;
      // As the kubelet's status update does: a new running instance has its readiness probed at once.
      if (this.type === 'Readiness' && instance.running) this.trigger();
    }
    this.instance = instance;
  }

  /** Probe now (readiness after the startup probe passed), unless an attempt is in flight. */
  trigger(): void {
    if (this.stopped || this.running) return;
    this.schedule(0);
  }

  stop(): void {
    this.stopped = true;
    this.cancelTimer?.();
    this.abort.abort();
    if (this.instance) this.host.removeResult(this.instance.containerId, this.type);
  }

  private schedule(ms: number, periodic = false): void {
    this.cancelTimer?.();
    this.dueAt = periodic ? this.host.clock.now() + ms : undefined;
    if (ms > 0) this.cancelTimer = this.host.clock.setTimer(ms, () => void this.tick());
    else {
      // At once, but not inside the caller (a pod worker's pass or another worker's result).
      let cancelled = false;
      this.cancelTimer = () => (cancelled = true);
      queueMicrotask(() => void (cancelled || this.tick()));
    }
  }

  private async tick(): Promise<void> {
    if (this.stopped) return;
    this.cancelTimer = undefined;
    const began = this.host.clock.now();
    this.tickDue = this.dueAt;
    this.dueAt = undefined;
    let next = this.periodMs;
    this.running = true;
    try {
      const wait = await this.doProbe();
      if (wait !== undefined) next = Math.min(next, wait);
    } finally {
      this.running = false;
    }
    if (this.stopped || this.cancelTimer) return;
    this.schedule(Math.max(0, next - (this.host.clock.now() - began)), next === this.periodMs);
  }

  /** One tick; returns a shorter wait when a delay ends before the next period. */
  private async doProbe(): Promise<number | undefined> {
    const inst = this.instance;
    if (!inst || this.onHold) return undefined;
    const { type, host } = this;
    if (!inst.running) {
      if (type === 'Readiness') host.setResult(inst.containerId, type, 'failure');
      return undefined;
    }
    if (inst.deleting && type !== 'Readiness') {
      host.setResult(inst.containerId, type, 'success');
      return undefined;
    }
    const delayEnds = inst.startedAt + (this.probe.initialDelaySeconds ?? 0) * 1000;
    const now = host.clock.now();
    if (now < delayEnds) return delayEnds - now;
    const started = host.started(inst.containerId, inst.container);
    if (type !== 'Startup' && !started) return undefined;
    if (type === 'Startup' && started) return undefined;

    const timeoutMs = Math.max(1, this.probe.timeoutSeconds ?? 1) * 1000;
    const due = this.tickDue;
    const outcome = await host.runner.run(this.probe, { containerId: inst.containerId, container: inst.container, podIP: inst.podIP }, timeoutMs, this.abort.signal);
    const done = host.clock.now();
    host.attempted?.(type, outcome, due === undefined ? undefined : done - due, done - now);
    if (this.stopped || this.instance?.containerId !== inst.containerId) return undefined;
    host.report(inst.container, type, outcome);
    if (outcome.result === 'unknown') return undefined; // could not run: thrown away, as the kubelet does
    const result: ProbeResult = outcome.result === 'failure' ? 'failure' : 'success';
    this.resultRun = this.lastResult === result ? this.resultRun + 1 : 1;
    this.lastResult = result;
    const threshold = result === 'failure' ? this.probe.failureThreshold ?? 3 : this.probe.successThreshold ?? 1;
    if (this.resultRun < threshold) return undefined;
    host.setResult(inst.containerId, type, result);
    if (result === 'success' && type === 'Startup') host.startupPassed(inst.container);
    if (result === 'failure' && type !== 'Readiness') {
      // The pod worker kills this instance; nothing more to probe until the next one.
      this.onHold = true;
      this.resultRun = 0;
    }
    return undefined;
  }
}
