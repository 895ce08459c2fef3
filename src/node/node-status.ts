// The Node object's status heartbeat, as the kubelet posts it once node leases exist: the status is
// computed every nodeStatusUpdateFrequency (10 s) and written only when it changed (heartbeat times
// aside) or when nodeStatusReportFrequency (5 min) has passed since the last write. The Lease
// (node-lease.ts) is the frequent liveness signal; a Node deleted by a user is registered again.

import { isDeepStrictEqual } from 'node:util';
import { errorMessage } from '../errors.js';
import type { Node } from '../k8s/types.js';
import { rfc3339 } from '../k8s/time.js';
import type { ObjectStore } from '../store/store.js';
import type { Clock } from '../system/clock.js';
import type { Logger } from '../system/logger.js';
import { buildNode, type NodeFacts } from './node-object.js';

/** The kubelet's nodeStatusUpdateFrequency. */
export const NODE_STATUS_UPDATE_MS = 10_000;
/** The kubelet's nodeStatusReportFrequency. */
export const NODE_STATUS_REPORT_MS = 5 * 60_000;

/** Whether `next` says something `prev` does not: anything but the conditions' heartbeat times. */
export function nodeChanged(prev: Node, next: Node): boolean {
  const strip = (n: Node) => {
    const copy = structuredClone(n) as Node;
    delete copy.metadata.resourceVersion;
    for (const c of copy.status?.conditions ?? []) delete c.lastHeartbeatTime;
    return JSON.parse(JSON.stringify(copy)) as unknown;
  };
  return !isDeepStrictEqual(strip(prev), strip(next));
}

export interface NodeStatusOptions {
  store: ObjectStore;
  clock: Clock;
  logger: Logger;
  facts: NodeFacts;
  updateIntervalMs?: number;
  reportIntervalMs?: number;
}

export class NodeStatusReporter {
  private readonly opts: NodeStatusOptions;
  private cancel: (() => void) | undefined;
  private lastReport = -Infinity;
  private stopped = false;

  constructor(opts: NodeStatusOptions) {
    this.opts = opts;
  }

  /** Registers (or refreshes) the Node now, then checks it every update interval until stop(). */
  start(): void {
    this.stopped = false;
    const again = (): void => {
      this.sync();
      if (!this.stopped) this.cancel = this.opts.clock.setTimer(this.opts.updateIntervalMs ?? NODE_STATUS_UPDATE_MS, again);
    };
    again();
  }

  stop(): void {
    this.stopped = true;
    this.cancel?.();
    this.cancel = undefined;
  }

  /** One pass: 'created', 'updated' or 'unchanged' (or 'failed', logged). */
  sync(): 'created' | 'updated' | 'unchanged' | 'failed' {
    const { store, clock, facts } = this.opts;
    try {
      const nowMs = clock.now();
      const now = rfc3339(nowMs);
      const current = store.tryGet<Node>('nodes', undefined, facts.nodeName);
      if (!current) {
        store.create('nodes', buildNode(facts, now));
        this.lastReport = nowMs;
        return 'created';
      }
      const next = buildNode(facts, now, current);
      const due = nowMs - this.lastReport >= (this.opts.reportIntervalMs ?? NODE_STATUS_REPORT_MS);
      if (!due && !nodeChanged(current, next)) return 'unchanged';
      store.update('nodes', next, { expectedResourceVersion: current.metadata.resourceVersion });
      this.lastReport = nowMs;
      return 'updated';
    } catch (err) {
      this.opts.logger.warn({ err: errorMessage(err) }, 'node status update failed');
      return 'failed';
    }
  }
}
