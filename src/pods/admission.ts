// Node admission (the kubelet's canAdmitPod with its resource-fit predicate): a pod bound to this node
// runs only if the node has room for it next to the pods already admitted and not finished. Otherwise it
// is rejected for good: phase Failed, reason OutOf<resource>, message "Pod was rejected: Node didn't have
// enough resource: cpu, requested: 3000, used: 500, capacity: 2000", a Warning event of that reason, and
// nothing is ever started for it. Pure.
//
// Checked in the kubelet's order: the pod count against max-pods first, then cpu, memory,
// ephemeral-storage, then every other requested resource (hugepages-*, extended resources), whose
// capacity is 0 unless the node advertises it. A request of 0 always fits.

import { podRequests, type ResourceAmounts } from '../k8s/pod-resources.js';
import type { Pod } from '../k8s/types.js';

export interface NodeAllocatable {
  /** Allocatable amounts in the units of pod-resources.ts (cpu in milli-cores, the rest whole units). */
  resources: ResourceAmounts;
  maxPods: number;
}

export type Admission = { admit: true } | { admit: false; reason: string; message: string };

const ORDER = ['cpu', 'memory', 'ephemeral-storage'];

export function admitPod(pod: Pod, admitted: Iterable<Pod>, node: NodeAllocatable): Admission {
  const others = [...admitted];
  if (others.length + 1 > node.maxPods) return reject('pods', 1, others.length, node.maxPods);
  const want = podRequests(pod.spec);
  const used: ResourceAmounts = new Map();
  for (const p of others) for (const [k, v] of podRequests(p.spec)) used.set(k, (used.get(k) ?? 0) + v);
  const names = [...ORDER, ...[...want.keys()].filter((k) => !ORDER.includes(k)).sort()];
  for (const name of names) {
    const req = want.get(name) ?? 0;
    if (req <= 0) continue;
    const cap = node.resources.get(name) ?? 0;
    const u = used.get(name) ?? 0;
    if (req + u > cap) return reject(name, req, u, cap);
  }
  return { admit: true };
}

function reject(resource: string, requested: number, used: number, capacity: number): Admission {
  return {
    admit: false,
    reason: `OutOf${resource}`,
    message: `Pod was rejected: Node didn't have enough resource: ${resource}, requested: ${requested}, used: ${used}, capacity: ${capacity}`,
  };
}

/** Whether a pod still holds its share of the node (admitted and not finished). */
export const holdsResources = (p: Pod) => p.status?.phase !== 'Succeeded' && p.status?.phase !== 'Failed';
