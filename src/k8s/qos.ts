// The pod QoS class (pod-lifecycle.md §12), as the API server and kubelet compute it.
//
// Only cpu and memory of init and regular containers count (ephemeral containers never do); a zero
// quantity counts as unset; a limit without a request also counts as the request. Pod-level
// spec.resources (1.32+) wins when it sets anything.

import type { Container, PodSpec, ResourceRequirements } from './types.js';
import { isValidQuantity, quantityToMilli } from './quantity.js';

export type QosClass = 'Guaranteed' | 'Burstable' | 'BestEffort';

const QOS_RESOURCES = ['cpu', 'memory'] as const;

/** The non-zero cpu/memory entries of a resource list, in milli-units. Unparsable values are ignored. */
function nonZero(list: Record<string, string | number> | undefined): Map<string, number> {
  const out = new Map<string, number>();
  for (const name of QOS_RESOURCES) {
    const v = list?.[name];
    if (v === undefined || !isValidQuantity(v)) continue;
    const milli = quantityToMilli(v);
    if (milli !== 0) out.set(name, milli);
  }
  return out;
}

function classify(all: ResourceRequirements[]): QosClass {
  const requests = new Map<string, number>();
  const limits = new Map<string, number>();
  let guaranteed = true;
  for (const r of all) {
    const req = nonZero(r.requests);
    const lim = nonZero(r.limits);
    for (const [k, v] of lim) if (!req.has(k)) req.set(k, v);
    for (const [k, v] of req) requests.set(k, (requests.get(k) ?? 0) + v);
    for (const [k, v] of lim) limits.set(k, (limits.get(k) ?? 0) + v);
    // Every container needs both cpu and memory limits for Guaranteed.
    if (QOS_RESOURCES.some((name) => !lim.has(name))) guaranteed = false;
  }
  if (requests.size === 0 && limits.size === 0) return 'BestEffort';
  if (guaranteed) {
    for (const name of QOS_RESOURCES) {
      if (requests.get(name) !== limits.get(name)) guaranteed = false;
    }
  }
  return guaranteed && limits.size === QOS_RESOURCES.length ? 'Guaranteed' : 'Burstable';
}

/** The QoS class of a pod spec. */
export function computeQosClass(spec: PodSpec): QosClass {
  const podLevel = spec.resources as ResourceRequirements | undefined;
  if (podLevel && (nonZero(podLevel.requests).size > 0 || nonZero(podLevel.limits).size > 0)) {
    return classify([podLevel]);
  }
  const containers: Container[] = [...(spec.initContainers ?? []), ...(spec.containers ?? [])];
  return classify(containers.map((c) => c.resources ?? {}));
}
