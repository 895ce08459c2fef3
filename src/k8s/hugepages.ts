// Huge pages as Kubernetes names them: resources hugepages-<size> (hugepages-2Mi), emptyDir media
// HugePages and HugePages-<size>, and the cgroup's page-size spelling (2MB, 1GB) that runc and the
// hugetlb controller use (upstream v1helper and HugePageUnitSizeFromByteSize).

import { isValidQuantity, quantityToBytes } from './quantity.js';

export const HUGEPAGES_PREFIX = 'hugepages-';

export const isHugePageResource = (name: string) => name.startsWith(HUGEPAGES_PREFIX);

/** The page size in bytes that hugepages-<size> names; undefined when <size> is not a positive quantity. */
export function hugePageSizeOf(resourceName: string): number | undefined {
  return positiveBytes(resourceName.slice(HUGEPAGES_PREFIX.length));
}

/** The page size of an emptyDir medium HugePages-<size>; undefined for a malformed size. */
export function hugePageSizeOfMedium(medium: string): number | undefined {
  return positiveBytes(medium.slice('HugePages-'.length));
}

export const isHugePageMedium = (medium: string) => medium === 'HugePages' || medium.startsWith('HugePages-');

function positiveBytes(q: string): number | undefined {
  if (!isValidQuantity(q)) return undefined;
  const bytes = quantityToBytes(q);
  return bytes > 0 ? bytes : undefined;
}

const UNITS = ['B', 'KB', 'MB', 'GB', 'TB', 'PB'];

/** 2097152 → "2MB", 1073741824 → "1GB": the size as the hugetlb controller's file names spell it. */
export function hugePageUnitSize(bytes: number): string {
  let size = bytes;
  let i = 0;
  while (size >= 1024 && size % 1024 === 0 && i < UNITS.length - 1) {
    size /= 1024;
    i++;
  }
  return `${size}${UNITS[i]}`;
}

/** The huge page amounts (bytes) of a resource list as hugetlb limits by page size ("2MB" → bytes). */
export function hugepageLimitsOf(amounts: ReadonlyMap<string, number>): { pageSize: string; limitBytes: number }[] {
  const out: { pageSize: string; limitBytes: number }[] = [];
  for (const [name, bytes] of amounts) {
    const page = isHugePageResource(name) ? hugePageSizeOf(name) : undefined;
    if (page !== undefined) out.push({ pageSize: hugePageUnitSize(page), limitBytes: bytes });
  }
  return out;
}
