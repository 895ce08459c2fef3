import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hugePageSizeOf, hugePageSizeOfMedium, hugePageUnitSize, hugepageLimitsOf } from './hugepages.js';

test('page sizes from resource names and media, spelled as the hugetlb controller spells them', () => {
  assert.equal(hugePageSizeOf('hugepages-2Mi'), 2 * 1024 * 1024);
  assert.equal(hugePageSizeOf('hugepages-1Gi'), 1024 ** 3);
  assert.equal(hugePageSizeOf('hugepages-x'), undefined);
  assert.equal(hugePageSizeOf('hugepages-0'), undefined);
  assert.equal(hugePageSizeOfMedium('HugePages-2Mi'), 2 * 1024 * 1024);
  assert.equal(hugePageUnitSize(2 * 1024 * 1024), '2MB');
  assert.equal(hugePageUnitSize(1024 ** 3), '1GB');
  assert.equal(hugePageUnitSize(64 * 1024), '64KB');
});

test('hugepageLimitsOf keeps only huge page resources', () => {
  assert.deepEqual(hugepageLimitsOf(new Map([['memory', 5], ['hugepages-2Mi', 4194304], ['hugepages-1Gi', 1024 ** 3]])), [
    { pageSize: '2MB', limitBytes: 4194304 },
    { pageSize: '1GB', limitBytes: 1024 ** 3 },
  ]);
});
