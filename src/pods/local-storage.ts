// Local ephemeral storage limits, as the kubelet's eviction manager enforces them (its
// localStorageEviction, run every 10 s): a pod is evicted when
//   1. a disk-backed emptyDir holds more than its sizeLimit:
//        Usage of EmptyDir volume "cache" exceeds the limit "1Mi".
//   2. the pod as a whole uses more than the sum of its containers' ephemeral-storage limits (the
//      kubelet's PodLimits; counted only when some container sets one): its running containers'
//      writable layers and logs, and its local volumes (disk emptyDirs, configMaps):
//        Pod ephemeral local storage usage exceeds the total limit of containers 2Mi.
//   3. one container's writable layer and logs exceed its own limit:
//        Container app exceeded its local ephemeral storage limit "1Mi".
// (the messages end with a space, as the kubelet's do). Evicted means: a Warning event "Evicted" with
// the message, the pod Failed with reason Evicted and that message, its containers killed with a
// 1 s grace (the 2 s minimum applies). Pure: the measuring is in storage-monitor.ts.

import { podLimits } from '../k8s/pod-resources.js';
import { formatWholeQuantity, isValidQuantity, quantityToBytes } from '../k8s/quantity.js';
import type { Pod, Volume } from '../k8s/types.js';

/** The kubelet's immediateEvictionGracePeriodSeconds. */
export const EVICTION_GRACE_SECONDS = 1;

export interface ContainerStorageUsage {
  name: string;
  /** The writable layer (overlay upper dir). */
  rootfsBytes: number;
  /** Every log file of the container in the pod's log dir. */
  logsBytes: number;
}

export interface PodStorageUsage {
  /** Running containers only (the kubelet leaves exited ones out of its usage). */
  containers: ContainerStorageUsage[];
  /** Local volumes on the node's disk by name: disk emptyDirs and configMaps. */
  volumes: Map<string, number>;
}

const ES = 'ephemeral-storage';

const positiveLimit = (q: string | number | undefined): q is string | number => q !== undefined && isValidQuantity(q) && quantityToBytes(q) > 0;

const isDiskEmptyDir = (v: Volume) => !!v.emptyDir && (v.emptyDir.medium ?? '') === '';

/** A disk emptyDir's sizeLimit, when it has a positive one: [bytes, the quantity as written]. */
function emptyDirLimit(v: Volume): [number, string | number] | undefined {
  const limit = v.emptyDir?.sizeLimit;
  return isDiskEmptyDir(v) && positiveLimit(limit) ? [quantityToBytes(limit), limit] : undefined;
}

/** Whether the pod has anything local-storage eviction would check (else it is not measured at all). */
export function hasStorageLimits(pod: Pod): boolean {
  if ((pod.spec.volumes ?? []).some((v) => emptyDirLimit(v))) return true;
  return [...(pod.spec.initContainers ?? []), ...pod.spec.containers].some((c) => c.resources?.limits?.[ES] !== undefined);
}

/** The volumes that count as the pod's local ephemeral storage (the kubelet's IsLocalEphemeralVolume). */
export function localVolumes(pod: Pod): Volume[] {
  return (pod.spec.volumes ?? []).filter((v) => isDiskEmptyDir(v) || v.configMap);
}

/** The eviction message for this usage, or undefined when the pod stays. */
export function storageEvictionMessage(pod: Pod, usage: PodStorageUsage): string | undefined {
  for (const v of pod.spec.volumes ?? []) {
    const limit = emptyDirLimit(v);
    const used = usage.volumes.get(v.name);
    if (limit && used !== undefined && used > limit[0]) {
      return `Usage of EmptyDir volume "${v.name}" exceeds the limit "${formatWholeQuantity(limit[0], limit[1])}". `;
    }
  }
  const podLimit = podLimits(pod.spec).get(ES);
  if (podLimit !== undefined) {
    const total = usage.containers.reduce((a, c) => a + c.rootfsBytes + c.logsBytes, 0) + [...usage.volumes.values()].reduce((a, b) => a + b, 0);
    if (total > podLimit) {
      const like = [...pod.spec.containers, ...(pod.spec.initContainers ?? [])].find((c) => c.resources?.limits?.[ES] !== undefined)?.resources?.limits?.[ES] ?? '';
      return `Pod ephemeral local storage usage exceeds the total limit of containers ${formatWholeQuantity(podLimit, like)}. `;
    }
  }
  for (const c of usage.containers) {
    const limit = pod.spec.containers.find((s) => s.name === c.name)?.resources?.limits?.[ES];
    if (!positiveLimit(limit)) continue;
    const bytes = quantityToBytes(limit);
    if (c.rootfsBytes + c.logsBytes > bytes) return `Container ${c.name} exceeded its local ephemeral storage limit "${formatWholeQuantity(bytes, limit)}". `;
  }
  return undefined;
}
