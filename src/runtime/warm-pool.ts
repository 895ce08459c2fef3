// A warm pool of pod sandboxes (issue 15, `serve --warm-pool N`): sandboxes made ahead of any pod, with
// their netns and IP, IPC/UTS pins, shm and running infra container, so that a new pod claims one and
// only its containers are left to create. The sandbox's anatomy does not change: the same infra container,
// created first, holds the namespaces the pod's containers join; only its identity is the pod's from the
// claim on (its config, record, cgroup, hostname and /etc/hosts; runtime.ts `claimPooled`).
//
// Only pods whose sandbox would be made the same way claim one: no host namespaces, no hostPorts, no
// sysctls (each of these shapes the infra container or the network attach). The others get a fresh
// sandbox, as does every pod while the pool is empty. Refills run in the background once the runtime
// has been quiet for a moment, so they never compete with a pod's own start for the cores.
//
// Pool sandboxes are runtime records flagged `pool`: never listed to the pod manager, removed at a clean
// stop (drain), and by the next start after a crash (reconcile.ts), like any half-made sandbox.

import { randomUUID } from 'node:crypto';
import { errorMessage } from '../errors.js';
import type { Clock } from '../system/clock.js';
import type { Logger } from '../system/logger.js';
import type { MetricFamily } from '../metrics/prometheus.js';
import type { PodSandboxConfig } from './runtime.js';

/** The namespace pool sandboxes are made in (what their CNI args and conmon name carry until claimed). */
export const POOL_NAMESPACE = 'peapod-warm-pool';
/** How long the runtime must have had nothing to do before a refill starts. */
export const REFILL_QUIET_MS = 300;
/** How often a refill checks whether the runtime is quiet. */
export const REFILL_POLL_MS = 100;
/** How often the ready pool sandboxes are checked (a dead one is removed and made again). */
export const HEALTH_EVERY_MS = 10_000;
/** After a failed refill: the first wait, doubled up to the last. */
export const REFILL_BACKOFF_MS = [1_000, 60_000] as const;

/**
 * Why a pod's sandbox cannot come from the pool (undefined: it can). Each of these changes how the
 * sandbox itself is made, not only who it belongs to.
 */
export function notPoolable(c: PodSandboxConfig): string | undefined {
  if (c.hostNetwork) return 'hostNetwork';
  if (c.hostPID) return 'hostPID';
  if (c.hostIPC) return 'hostIPC';
  if (c.portMappings.length > 0) return 'hostPort';
  if (Object.keys(c.sysctls).length > 0) return 'sysctls';
  return undefined;
}

/** The config a pool sandbox is made with: a pod of its own in POOL_NAMESPACE, best-effort, no limits. */
export function poolSandboxConfig(uid: string = randomUUID()): PodSandboxConfig {
  const name = `warm-${uid.slice(0, 8)}`;
  return {
    metadata: { name, namespace: POOL_NAMESPACE, uid, attempt: 0 },
    hostname: name,
    logDirectory: '',
    dns: { servers: [], searches: [], options: [] },
    hostAliases: [],
    portMappings: [],
    labels: {},
    annotations: {},
    hostNetwork: false,
    hostPID: false,
    hostIPC: false,
    shareProcessNamespace: false,
    sysctls: {},
    qosLevel: 'besteffort',
  };
}

/** What the pool needs of the runtime. */
export interface PoolHost {
  /** Makes a pool sandbox and resolves once its infra container runs and its network is attached. */
  make(config: PodSandboxConfig): Promise<string>;
  /** Whether a pool sandbox is still whole (its infra container not exited). */
  usable(id: string): boolean;
  /** Checks a pool sandbox as a pod's is checked (conmon, runc state, cgroup, netns; a lost one is killed): whether it is still whole. */
  check(id: string): Promise<boolean>;
  /** Removes a pool sandbox (unclaimed). */
  discard(id: string): Promise<void>;
  /** How long the runtime has had no heavy call in flight, ms. */
  quietMs(): number;
}

export interface WarmPoolFigures {
  size: number;
  ready: number;
  filling: number;
  claims: number;
}

/** The pool's figures in /metrics (a daemon without a pool reports size 0). */
export function warmPoolFamilies(f: WarmPoolFigures): MetricFamily[] {
  const one = (name: string, help: string, type: 'gauge' | 'counter', value: number): MetricFamily => ({ name, help, type, samples: [{ value }] });
  return [
    one('peapod_warm_pool_size', 'Sandboxes the warm pool keeps ready (serve --warm-pool).', 'gauge', f.size),
    one('peapod_warm_pool_ready_sandboxes', 'Warm pool sandboxes ready to be claimed now.', 'gauge', f.ready),
    one('peapod_warm_pool_filling_sandboxes', 'Warm pool sandboxes being made.', 'gauge', f.filling),
    one('peapod_warm_pool_claims_total', 'Pods whose sandbox came from the warm pool.', 'counter', f.claims),
  ];
}

export class WarmPool {
  /** Pool sandboxes ready to be claimed, oldest first. */
  private readonly ready: string[] = [];
  private filling = 0;
  private claims = 0;
  private failures = 0;
  private cancelTimer?: () => void;
  private cancelHealth?: () => void;
  private stopped = false;
  private readonly inFlight = new Set<Promise<void>>();

  constructor(
    readonly size: number,
    private readonly host: PoolHost,
    private readonly clock: Clock,
    private readonly logger: Logger,
  ) {}

  /** Starts filling (once the runtime is quiet), and the periodic checks of what is ready. */
  start(): void {
    this.arm(REFILL_POLL_MS);
    this.armHealth();
  }

  /**
   * A ready pool sandbox for a pod with this config, taken out of the pool (the caller makes it the
   * pod's, or removes it, and says `claimed` when it did); undefined when the pod cannot use one or none is
   * ready. Each take starts a refill.
   */
  take(config: PodSandboxConfig): string | undefined {
    if (this.stopped || notPoolable(config)) return undefined;
    let id: string | undefined;
    while ((id = this.ready.shift()) !== undefined) {
      if (this.host.usable(id)) break;
      this.logger.info({ sandboxId: id }, 'warm pool sandbox no longer usable; removing it');
      this.track(this.host.discard(id).catch((err) => this.logger.warn({ sandboxId: id, err: errorMessage(err) }, 'removing a warm pool sandbox failed')));
    }
    this.arm(REFILL_POLL_MS);
    return id;
  }

  /** A sandbox taken was made a pod's (counted in the metrics). */
  claimed(): void {
    this.claims++;
  }

  figures(): WarmPoolFigures {
    return { size: this.size, ready: this.ready.length, filling: this.filling, claims: this.claims };
  }

  /** Stops refilling, waits for the sandboxes being made, and removes every pool sandbox not taken. */
  async drain(): Promise<void> {
    this.stopped = true;
    this.cancelTimer?.();
    this.cancelTimer = undefined;
    this.cancelHealth?.();
    this.cancelHealth = undefined;
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
    const ids = this.ready.splice(0);
    const results = await Promise.allSettled(ids.map((id) => this.host.discard(id)));
    results.forEach((r, i) => {
      if (r.status === 'rejected') this.logger.warn({ sandboxId: ids[i], err: errorMessage(r.reason) }, 'removing a warm pool sandbox failed');
    });
  }

  private track(p: Promise<void>): void {
    this.inFlight.add(p);
    void p.finally(() => this.inFlight.delete(p));
  }

  private arm(ms: number): void {
    if (this.stopped || this.cancelTimer) return;
    this.cancelTimer = this.clock.setTimer(ms, () => {
      this.cancelTimer = undefined;
      this.tick();
    });
  }

  private armHealth(): void {
    if (this.stopped) return;
    this.cancelHealth = this.clock.setTimer(HEALTH_EVERY_MS, () => {
      this.cancelHealth = undefined;
      const checked = this.checkReady().finally(() => this.armHealth());
      this.track(checked);
    });
  }

  /** Checks every ready sandbox; one no longer whole leaves the pool (removed) and a refill follows. */
  private async checkReady(): Promise<void> {
    for (const id of [...this.ready]) {
      if (this.stopped) return;
      const whole = await this.host.check(id).catch(() => false);
      const at = this.ready.indexOf(id);
      if (whole || at < 0) continue;
      this.ready.splice(at, 1);
      this.logger.info({ sandboxId: id }, 'warm pool sandbox no longer usable; removing it');
      await this.host.discard(id).catch((err) => this.logger.warn({ sandboxId: id, err: errorMessage(err) }, 'removing a warm pool sandbox failed'));
      this.arm(REFILL_POLL_MS);
    }
  }

  /** One refill step: a sandbox made when the pool is short and the runtime quiet; re-armed until full. */
  private tick(): void {
    if (this.stopped || this.ready.length + this.filling >= this.size) return;
    if (this.host.quietMs() < REFILL_QUIET_MS) return this.arm(REFILL_POLL_MS);
    this.filling++;
    const config = poolSandboxConfig();
    const made = this.host.make(config).then(
      (id) => {
        this.failures = 0;
        if (this.stopped) {
          this.track(this.host.discard(id).catch(() => undefined));
          return;
        }
        this.ready.push(id);
        this.logger.debug({ sandboxId: id, ready: this.ready.length }, 'warm pool sandbox ready');
      },
      (err: unknown) => {
        this.failures++;
        this.logger.warn({ err: errorMessage(err), failures: this.failures }, 'making a warm pool sandbox failed');
      },
    );
    this.track(
      made.finally(() => {
        this.filling--;
        const [first, last] = REFILL_BACKOFF_MS;
        this.arm(this.failures ? Math.min(last, first * 2 ** (this.failures - 1)) : REFILL_POLL_MS);
      }),
    );
  }
}
