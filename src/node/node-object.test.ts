import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { limitableHugepages, readHugepages } from './node-object.js';

test('issue 8: huge page pools come from sysfs, named as the kubelet names them', () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'peapod-hp-'));
  try {
    for (const [dir, n] of [['hugepages-2048kB', '3'], ['hugepages-1048576kB', '0']] as const) {
      fs.mkdirSync(path.join(root, dir));
      fs.writeFileSync(path.join(root, dir, 'nr_hugepages'), `${n}\n`);
    }
    assert.deepEqual(readHugepages(root), { 'hugepages-2Mi': 3 * 2 * 1024 * 1024, 'hugepages-1Gi': 0 });
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
});

test('issue 8: a pool the hugetlb controller cannot limit is advertised as 0 and reported', () => {
  const pools = { 'hugepages-2Mi': 8 << 20, 'hugepages-1Gi': 0 };
  assert.deepEqual(limitableHugepages(pools, ['1GB', '2MB']), { pools, unlimited: [] });
  assert.deepEqual(limitableHugepages(pools, []), { pools: { 'hugepages-2Mi': 0, 'hugepages-1Gi': 0 }, unlimited: ['hugepages-2Mi'] });
});
