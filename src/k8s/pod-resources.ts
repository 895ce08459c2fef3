// A pod's effective resource requests, as the scheduler and the kubelet's admission count them
// (pod-lifecycle.md §5 and §12): for each resource, the larger of
//   - the sum over regular containers and sidecars (they all run together), and
//   - for each init container i, its own request plus the sidecars declared before it (they run beside it).
// Pod-level spec.resources (1.32+) wins when it sets requests. Values are integers in the units the
// kubelet's messages print: milli-cores for cpu, whole units (bytes) for everything else.

import { isValidQuantity, quantityToBytes, quantityToMilli } from './quantity.js';
import type { Container, PodSpec } from './types.js';

export type ResourceAmounts = Map<string, number>;

/** A quantity in the units named above; 0 when it does not parse (validation refuses those). */
export function amountOf(name: string, q: string | number): number {
  if (!isValidQuantity(q)) return 0;
  return name === 'cpu' ? quantityToMilli(q) : quantityToBytes(q);
}

function requestsOf(c: Container): ResourceAmounts {
  const out: ResourceAmounts = new Map();
  const r = c.resources ?? {};
  // A limit with no request is also the request (the API defaults it; stored objects from older clients may not have it).
  for (const [name, q] of Object.entries({ ...(r.limits ?? {}), ...(r.requests ?? {}) })) out.set(name, amountOf(name, q as string | number));
  return out;
}

function add(into: ResourceAmounts, from: ResourceAmounts): void {
  for (const [k, v] of from) into.set(k, (into.get(k) ?? 0) + v);
}

function maxInto(into: ResourceAmounts, from: ResourceAmounts): void {
  for (const [k, v] of from) into.set(k, Math.max(into.get(k) ?? 0, v));
}

export function podRequests(spec: PodSpec): ResourceAmounts {
  const podLevel = (spec.resources as { requests?: Record<string, string | number> } | undefined)?.requests;
  if (podLevel && Object.keys(podLevel).length) {
    return new Map(Object.entries(podLevel).map(([k, q]) => [k, amountOf(k, q)]));
  }
  const total: ResourceAmounts = new Map();
  const sidecarsSoFar: ResourceAmounts = new Map();
  const initPeak: ResourceAmounts = new Map();
  for (const c of spec.initContainers ?? []) {
    const own = requestsOf(c);
    if (c.restartPolicy === 'Always') {
      add(sidecarsSoFar, own);
      add(total, own);
    } else {
      const during = new Map(sidecarsSoFar);
      add(during, own);
      maxInto(initPeak, during);
    }
  }
  for (const c of spec.containers ?? []) add(total, requestsOf(c));
  maxInto(total, initPeak);
  return total;
}
