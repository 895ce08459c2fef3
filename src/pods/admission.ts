// Node admission (the kubelet's canAdmitPod with its resource-fit predicate): a pod bound to this node
// runs only if the node has room for it next to the pods already admitted and not finished. Otherwise it
// is rejected for good: phase Failed, reason OutOf<resource>, message "Pod was rejected: Node didn't have
// enough resource: cpu, requested: 3000, used: 500, capacity: 2000", a Warning event of that reason, and
// nothing is ever started for it. Pure.
//
// First the node's labels against the pod's nodeSelector and required node affinity (NodeAffinity: a pod
// bound by name never met the scheduler). Before resources, as the kubelet's other admit handlers: sysctls outside the safe set and serve
// --allowed-unsafe-sysctls, or of a namespace the pod shares with the host (SysctlForbidden)
// and AppArmor profiles on a host without AppArmor (AppArmor).
// Checked in the kubelet's order: the pod count against max-pods first, then cpu, memory,
// ephemeral-storage, then every other requested resource (hugepages-*, extended resources), whose
// capacity is 0 unless the node advertises it. A request of 0 always fits.

import { podRequests, type ResourceAmounts } from '../k8s/pod-resources.js';
import type { Node, Pod } from '../k8s/types.js';
import { AFFINITY_FAILURE, matchesNodeAffinity } from '../scheduler/predicates.js';
import { SysctlAllowlist } from '../k8s/sysctls.js';

export interface NodeAllocatable {
  /** Allocatable amounts in the units of pod-resources.ts (cpu in milli-cores, the rest whole units). */
  resources: ResourceAmounts;
  maxPods: number;
  /**
   * Whether the host kernel has AppArmor. peapod applies no AppArmor profile either way, so a pod that
   * asks for one is always rejected; only the message differs (the kubelet's when the host lacks it).
   */
  hostAppArmor?: boolean;
  /** The sysctls pods may set: the safe set plus serve --allowed-unsafe-sysctls (default the safe set alone). */
  sysctls?: SysctlAllowlist;
}

export { SAFE_SYSCTLS } from '../k8s/sysctls.js';

const SAFE_ONLY = new SysctlAllowlist();

/** The first sysctl the kubelet's sysctl admission refuses, worded as it words it. */
function checkSysctls(pod: Pod, allow: SysctlAllowlist): string | undefined {
  for (const s of pod.spec.securityContext?.sysctls ?? []) {
    const why = allow.refusal(s.name, pod.spec.hostNetwork === true, pod.spec.hostIPC === true);
    if (why) return why;
  }
  return undefined;
}

const APPARMOR_ANNOTATION = 'container.apparmor.security.beta.kubernetes.io/';

/** Whether any container asks for an AppArmor profile (field or the older annotation), Unconfined aside. */
function wantsAppArmor(pod: Pod): boolean {
  const confined = (p: { type?: string } | undefined) => !!p?.type && p.type !== 'Unconfined';
  if (confined(pod.spec.securityContext?.appArmorProfile)) return true;
  const all = [...(pod.spec.initContainers ?? []), ...pod.spec.containers];
  if (all.some((c) => confined(c.securityContext?.appArmorProfile))) return true;
  return Object.entries(pod.metadata.annotations ?? {}).some(([k, v]) => k.startsWith(APPARMOR_ANNOTATION) && v !== 'unconfined');
}

export type Admission = { admit: true } | { admit: false; reason: string; message: string };

const ORDER = ['cpu', 'memory', 'ephemeral-storage'];

export function admitPod(pod: Pod, admitted: Iterable<Pod>, node: NodeAllocatable, nodeObject?: Node): Admission {
  // A pod bound by name skipped the scheduler: the node checks its selector and affinity itself.
  if (nodeObject && !matchesNodeAffinity(pod, nodeObject)) {
    return { admit: false, reason: 'NodeAffinity', message: `Pod was rejected: Predicate NodeAffinity failed: ${AFFINITY_FAILURE}` };
  }
  const sysctl = checkSysctls(pod, node.sysctls ?? SAFE_ONLY);
  if (sysctl) return { admit: false, reason: 'SysctlForbidden', message: `Pod was rejected: forbidden sysctl: ${sysctl}` };
  const apparmor = wantsAppArmor(pod);
  if (apparmor) {
    const why = node.hostAppArmor ? 'this node does not apply AppArmor profiles' : 'AppArmor is not enabled on the host';
    return { admit: false, reason: 'AppArmor', message: `Pod was rejected: Cannot enforce AppArmor: ${why}` };
  }
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
  // Then the OS the pod is for, as the kubelet checks it: a kubernetes.io/os label on the pod itself
  // (its labels, not its nodeSelector), then spec.os.
  const osLabel = pod.metadata.labels?.['kubernetes.io/os'];
  if (osLabel !== undefined && osLabel !== 'linux') {
    return { admit: false, reason: 'PodOSSelectorNodeLabelDoesNotMatch', message: "Pod was rejected: Failed to admit pod as the `kubernetes.io/os` label doesn't match node label" };
  }
  const os = (pod.spec.os as { name?: string } | undefined)?.name;
  if (os && os !== 'linux') return { admit: false, reason: 'PodOSNotSupported', message: "Pod was rejected: Failed to admit pod as the OS field doesn't match node OS" };
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
