// What an emptyDir's medium asks of the node, as the kubelet's emptyDir plugin decides it (pure):
//   ""                       a directory on the node's disk;
//   Memory                   a tmpfs whose size is the smallest of the node's memory, the pod's memory
//                            limit (when every container sets one) and sizeLimit;
//   HugePages, HugePages-<s> a hugetlbfs of the page size the pod requests huge pages of;
//   anything else            refused: "unknown storage medium".

import { hugePageSizeOf, hugePageSizeOfMedium, isHugePageMedium, isHugePageResource } from '../k8s/hugepages.js';
import { podLimitWhenAllSet } from '../k8s/pod-resources.js';
import { isValidQuantity, quantityToBytes } from '../k8s/quantity.js';
import type { EmptyDirVolumeSource, Pod } from '../k8s/types.js';

export type EmptyDirMedium = { kind: 'disk' } | { kind: 'tmpfs'; sizeBytes: number } | { kind: 'hugetlbfs'; pageSizeBytes: number };

/** The medium's mount; throws with the kubelet's message when the medium cannot be set up for this pod. */
export function emptyDirMedium(src: EmptyDirVolumeSource, pod: Pod, nodeMemoryBytes: number): EmptyDirMedium {
  const medium = src.medium ?? '';
  if (medium === '') return { kind: 'disk' };
  if (medium === 'Memory') return { kind: 'tmpfs', sizeBytes: memoryVolumeSize(src, pod, nodeMemoryBytes) };
  if (isHugePageMedium(medium)) return { kind: 'hugetlbfs', pageSizeBytes: hugePageSizeFor(medium, pod) };
  throw new Error(`unknown storage medium "${medium}"`);
}

/** The kubelet's calculateEmptyDirMemorySize. */
function memoryVolumeSize(src: EmptyDirVolumeSource, pod: Pod, nodeMemoryBytes: number): number {
  let size = nodeMemoryBytes;
  const podLimit = podLimitWhenAllSet(pod.spec, 'memory') ?? 0;
  if (podLimit > 0 && podLimit <= size) size = podLimit;
  const limit = src.sizeLimit;
  if (limit !== undefined && isValidQuantity(limit)) {
    const bytes = quantityToBytes(limit);
    if (bytes > 0 && bytes <= size) size = bytes;
  }
  return size;
}

/** The kubelet's getPageSizeMountOption: the page size the pod's containers request huge pages of. */
function hugePageSizeFor(medium: string, pod: Pod): number {
  const wanted = medium === 'HugePages' ? undefined : hugePageSizeOfMedium(medium);
  if (medium !== 'HugePages' && wanted === undefined) throw new Error(`invalid huge page medium "${medium}"`);
  let found: number | undefined;
  for (const c of [...pod.spec.containers, ...(pod.spec.initContainers ?? [])]) {
    for (const name of Object.keys(c.resources?.requests ?? {})) {
      if (!isHugePageResource(name)) continue;
      const size = hugePageSizeOf(name);
      if (size === undefined) continue;
      if (wanted === undefined) {
        if (found !== undefined && found !== size) throw new Error(`medium: ${medium} can't be used if container requests multiple huge page sizes`);
        found = size;
      } else if (size === wanted) {
        found = size;
      }
    }
  }
  if (found === undefined) throw new Error(`medium ${medium}: hugePages storage requested, but there is no resource request for huge pages`);
  return found;
}
