// A pod's effective resource requests, as the scheduler and the kubelet's admission count them
// (pod-lifecycle.md §5 and §12): for each resource, the larger of
//   - the sum over regular containers and sidecars (they all run together), and
//   - for each init container i, its own request plus the sidecars declared before it (they run beside it).
// (Pod-level spec.resources is refused at validation.) Values are integers in the units the
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
  const r = c.resources ?? {};
  // A limit with no request is also the request (the API defaults it; stored objects from older clients may not have it).
  return amountsOf({ ...(r.limits ?? {}), ...(r.requests ?? {}) });
}

function limitsOf(c: Container): ResourceAmounts {
  return amountsOf(c.resources?.limits ?? {});
}

/** A resource list (limits or requests) in the units above. */
export function amountsOf(list: Record<string, string | number>): ResourceAmounts {
  const out: ResourceAmounts = new Map();
  for (const [name, q] of Object.entries(list)) out.set(name, amountOf(name, q));
  return out;
}

function add(into: ResourceAmounts, from: ResourceAmounts): void {
  for (const [k, v] of from) into.set(k, (into.get(k) ?? 0) + v);
}

function maxInto(into: ResourceAmounts, from: ResourceAmounts): void {
  for (const [k, v] of from) into.set(k, Math.max(into.get(k) ?? 0, v));
}

export function podRequests(spec: PodSpec): ResourceAmounts {
  return aggregate(spec, requestsOf);
}

/** The pod's limits by the same rule (the kubelet's PodLimits): resources no container limits are absent. */
export function podLimits(spec: PodSpec): ResourceAmounts {
  return aggregate(spec, limitsOf);
}

/**
 * The pod's limit of `name` when every container, init containers included, sets a non-zero one (the
 * kubelet's ResourceConfigForPod puts a cpu quota or memory limit on the pod cgroup only then, and an
 * emptyDir on tmpfs is sized by it); undefined otherwise.
 */
export function podLimitWhenAllSet(spec: PodSpec, name: string, limits: ResourceAmounts = podLimits(spec)): number | undefined {
  const all = [...(spec.initContainers ?? []), ...(spec.containers ?? [])];
  if (!all.every((c) => amountOf(name, c.resources?.limits?.[name] ?? 0) > 0)) return undefined;
  return limits.get(name) ?? 0;
}

function aggregate(spec: PodSpec, own: (c: Container) => ResourceAmounts): ResourceAmounts {
  const total: ResourceAmounts = new Map();
  const sidecarsSoFar: ResourceAmounts = new Map();
  const initPeak: ResourceAmounts = new Map();
  for (const c of spec.initContainers ?? []) {
    const mine = own(c);
    if (c.restartPolicy === 'Always') {
      add(sidecarsSoFar, mine);
      add(total, mine);
    } else {
      const during = new Map(sidecarsSoFar);
      add(during, mine);
      maxInto(initPeak, during);
    }
  }
  for (const c of spec.containers ?? []) add(total, own(c));
  maxInto(total, initPeak);
  return total;
}
