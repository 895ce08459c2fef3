// The node's heartbeat Lease, as the kubelet's nodelease controller keeps it: kube-node-lease/<node>,
// created with holderIdentity the node name and leaseDurationSeconds 40, renewTime moved every renew
// interval (10 s, a quarter of the duration), with an owner reference to the Node object (what a cluster's
// garbage collector follows; peapod has none, and its Node is registered again at once). A deleted
// Lease is created again at the next renewal. A renewal, as upstream's newLease, copies the stored lease
// and changes only renewTime (and adds the owner reference when it has none): a holder or duration
// someone else wrote stays. A failed renewal is retried sooner, with a doubling back-off (200 ms up to
// 7 s, never later than the next regular renewal). The Node's own status (node-status.ts) is written only
// when it changes or every nodeStatusReportFrequency: the Lease is what says the node is alive.

import { errorMessage, isNotFound, PeapodError } from '../errors.js';
import { microTime } from '../k8s/micro-time.js';
import type { KubeObject, Node } from '../k8s/types.js';
import type { ObjectStore } from '../store/store.js';
import type { Clock } from '../system/clock.js';
import type { Logger } from '../system/logger.js';

export const NODE_LEASE_NAMESPACE = 'kube-node-lease';
/** The kubelet's nodeLeaseDurationSeconds. */
export const NODE_LEASE_DURATION_SECONDS = 40;
/** The kubelet renews every quarter of the duration (nodeLeaseRenewIntervalFraction 0.25). */
export const NODE_LEASE_RENEW_INTERVAL_MS = (NODE_LEASE_DURATION_SECONDS * 1000) / 4;

const FIRST_RETRY_MS = 200;
const MAX_RETRY_MS = 7_000;

export interface Lease extends KubeObject {
  apiVersion: 'coordination.k8s.io/v1';
  kind: 'Lease';
  spec?: {
    holderIdentity?: string;
    leaseDurationSeconds?: number;
    acquireTime?: string;
    renewTime?: string;
    leaseTransitions?: number;
  };
}

export interface NodeLeaseOptions {
  store: ObjectStore;
  clock: Clock;
  logger: Logger;
  nodeName: string;
  /** Between renewals (default 10 s); tests and `serve --node-lease-renew-interval` shorten it. */
  renewIntervalMs?: number;
  leaseDurationSeconds?: number;
}

/**
 * The lease as the kubelet writes it from `base` (the stored lease, or none): a new lease has the holder
 * and duration; a stored one is copied as it is. Either gets a fresh renewTime, and the owner reference
 * to the Node when the Node exists and the lease names no owner.
 */
export function renewedLease(base: Lease | undefined, nodeName: string, node: Node | undefined, durationSeconds: number, nowMs: number): Lease {
  const lease: Lease = base
    ? structuredClone(base)
    : {
        apiVersion: 'coordination.k8s.io/v1',
        kind: 'Lease',
        metadata: { name: nodeName, namespace: NODE_LEASE_NAMESPACE },
        spec: { holderIdentity: nodeName, leaseDurationSeconds: durationSeconds },
      };
  lease.spec = { ...lease.spec, renewTime: microTime(nowMs) };
  const uid = node?.metadata.uid;
  if (uid && !lease.metadata.ownerReferences?.length) {
    lease.metadata.ownerReferences = [{ apiVersion: 'v1', kind: 'Node', name: nodeName, uid }];
  }
  return lease;
}

export class NodeLeaseController {
  private readonly store: ObjectStore;
  private readonly clock: Clock;
  private readonly logger: Logger;
  private readonly nodeName: string;
  private readonly intervalMs: number;
  private readonly durationSeconds: number;
  private cancel: (() => void) | undefined;
  private retryMs = FIRST_RETRY_MS;
  private stopped = false;

  constructor(opts: NodeLeaseOptions) {
    this.store = opts.store;
    this.clock = opts.clock;
    this.logger = opts.logger;
    this.nodeName = opts.nodeName;
    this.intervalMs = opts.renewIntervalMs ?? NODE_LEASE_RENEW_INTERVAL_MS;
    this.durationSeconds = opts.leaseDurationSeconds ?? NODE_LEASE_DURATION_SECONDS;
  }

  /** Renews now, then every interval until stop(). */
  start(): void {
    this.stopped = false;
    this.tick();
  }

  stop(): void {
    this.stopped = true;
    this.cancel?.();
    this.cancel = undefined;
  }

  /** One renewal (creating the lease when it is missing); false when it failed and was logged. */
  renew(): boolean {
    try {
      const node = this.store.tryGet<Node>('nodes', undefined, this.nodeName);
      const current = this.store.tryGet<Lease>('leases', NODE_LEASE_NAMESPACE, this.nodeName);
      const next = renewedLease(current, this.nodeName, node, this.durationSeconds, this.clock.now());
      if (!current && !this.namespaceWritable()) return false;
      if (!current) this.store.create('leases', next);
      else this.store.update('leases', next, { expectedResourceVersion: current.metadata.resourceVersion });
      return true;
    } catch (err) {
      // A lease deleted or changed between the read and the write is simply retried.
      const expected = isNotFound(err) || (err instanceof PeapodError && (err.code === 'Conflict' || err.code === 'AlreadyExists'));
      this.logger[expected ? 'debug' : 'warn']({ err: errorMessage(err), lease: `${NODE_LEASE_NAMESPACE}/${this.nodeName}` }, 'failed to renew the node lease');
      return false;
    }
  }

  /**
   * Whether kube-node-lease takes a new lease: the API server refuses one while the namespace is gone or
   * terminating (a deleted kube-node-lease is made again by the daemon's system-namespaces pass).
   */
  private namespaceWritable(): boolean {
    const ns = this.store.tryGet<KubeObject>('namespaces', undefined, NODE_LEASE_NAMESPACE);
    const phase = (ns?.status as { phase?: string } | undefined)?.phase;
    if (ns && phase !== 'Terminating') return true;
    this.logger.debug({ namespace: NODE_LEASE_NAMESPACE, phase: phase ?? 'absent' }, 'the node lease waits for its namespace');
    return false;
  }

  private tick(): void {
    if (this.stopped) return;
    const ok = this.renew();
    let wait = this.intervalMs;
    if (ok) this.retryMs = FIRST_RETRY_MS;
    else {
      wait = Math.min(this.retryMs, this.intervalMs);
      this.retryMs = Math.min(this.retryMs * 2, MAX_RETRY_MS);
    }
    if (!this.stopped) this.cancel = this.clock.setTimer(wait, () => this.tick());
  }
}
