// The downward API's resourceFieldRef (env and downwardAPI volume items), as the kubelet's
// ExtractContainerResourceValue computes it: a container's limit or request, divided by the divisor and
// rounded up. A missing limit falls back to the node's allocatable amount (the container may use all of
// it); a missing request is 0. Pure.

import { ContainerConfigError } from '../errors.js';
import { quantityToBytes, quantityToMilli } from './quantity.js';
import type { Container, Pod } from './types.js';

/** What the node offers, for limits a container does not set. */
export interface NodeResourceTotals {
  cpuMilli: number;
  memoryBytes: number;
  ephemeralStorageBytes?: number;
}

export function containerResourceValue(
  pod: Pod,
  self: Container | undefined,
  ref: { resource: string; containerName?: string; divisor?: string | number },
  node: NodeResourceTotals,
): string {
  const c = ref.containerName
    ? [...pod.spec.containers, ...(pod.spec.initContainers ?? [])].find((x) => x.name === ref.containerName)
    : self;
  if (!c) throw new ContainerConfigError(`container "${ref.containerName ?? ''}" not found`);
  const dot = ref.resource.indexOf('.');
  const kind = ref.resource.slice(0, dot) as 'limits' | 'requests';
  const name = ref.resource.slice(dot + 1);
  if (kind !== 'limits' && kind !== 'requests') throw new ContainerConfigError(`unsupported container resource: ${ref.resource}`);
  const q = c.resources?.[kind]?.[name];
  if (name === 'cpu') {
    const milli = q !== undefined ? quantityToMilli(q) : kind === 'limits' ? node.cpuMilli : 0;
    const div = ref.divisor !== undefined ? quantityToMilli(ref.divisor) : 1000;
    return String(Math.ceil(milli / (div || 1000)));
  }
  if (name === 'memory' || name === 'ephemeral-storage' || name.startsWith('hugepages-')) {
    const fallback = kind !== 'limits' ? 0 : name === 'memory' ? node.memoryBytes : name === 'ephemeral-storage' ? node.ephemeralStorageBytes ?? 0 : 0;
    const bytes = q !== undefined ? quantityToBytes(q) : fallback;
    const div = ref.divisor !== undefined ? quantityToBytes(ref.divisor) : 1;
    return String(Math.ceil(bytes / (div || 1)));
  }
  throw new ContainerConfigError(`unsupported container resource: ${ref.resource}`);
}
