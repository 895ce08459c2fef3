import assert from 'node:assert/strict';
import { test } from 'node:test';
import { meminfoUsage, parseCpuacctUsage, parseCpuStatUsage, parseFlatKeyed, parseMemoryUsage, workingSet } from './cgroup-stats.js';

// As the kernel writes them (trimmed to the lines that matter and a few around them).
const V1_MEMORY_STAT = `cache 1162756096
rss 54935552
inactive_file 151552
active_file 4096
total_cache 1162756096
total_rss 54935552
total_inactive_file 1073741824
total_active_file 89128960
`;
const V2_CPU_STAT = `usage_usec 2541907
user_usec 1850293
system_usec 691614
nr_periods 0
nr_throttled 0
throttled_usec 0
`;
const V2_MEMORY_STAT = `anon 1867776
file 4222976
shmem 41943040
active_file 1003520
inactive_file 3219456
`;
const MEMINFO = `MemTotal:       24683584 kB
MemFree:        23049748 kB
MemAvailable:   24018304 kB
Buffers:           96092 kB
`;

test('cpuacct.usage is the cumulative CPU time in ns', () => {
  assert.equal(parseCpuacctUsage('33284381691145\n'), 33284381691145);
});

test('a cpuacct.usage that is not a number is refused, naming the file', () => {
  assert.throws(() => parseCpuacctUsage(''), /cpuacct\.usage: not a whole number/);
  assert.throws(() => parseCpuacctUsage('12 34'), /cpuacct\.usage/);
});

test('cgroup v2 cpu.stat gives usage_usec, in ns', () => {
  assert.equal(parseCpuStatUsage(V2_CPU_STAT), 2541907000);
  assert.throws(() => parseCpuStatUsage('user_usec 5\n'), /no usage_usec/);
});

test('flat keyed files read as a map of whole numbers', () => {
  assert.deepEqual([...parseFlatKeyed('a 1\nb 22\n\nbad line here\nc x\n')], [['a', 1], ['b', 22]]);
});

test('the v1 working set is usage less the hierarchical total_inactive_file, not the local inactive_file', () => {
  assert.equal(workingSet(1217392640, V1_MEMORY_STAT, 'total_inactive_file'), 1217392640 - 1073741824);
});

test('the v2 working set is memory.current less inactive_file', () => {
  assert.equal(workingSet(47_000_000, V2_MEMORY_STAT, 'inactive_file'), 47_000_000 - 3219456);
});

test('a working set never goes below 0, and a memory.stat without the key leaves usage whole', () => {
  assert.equal(workingSet(100, V2_MEMORY_STAT, 'inactive_file'), 0);
  assert.equal(workingSet(4096, 'anon 1\n', 'inactive_file'), 4096);
});

test('memory usage files are one number of bytes', () => {
  assert.equal(parseMemoryUsage('47185920\n'), 47185920);
  assert.throws(() => parseMemoryUsage('max\n'), /not a whole number/);
});

test('the host memory in use is MemTotal less MemFree, in bytes', () => {
  assert.equal(meminfoUsage(MEMINFO), (24683584 - 23049748) * 1024);
  assert.throws(() => meminfoUsage('MemTotal: 5 kB\n'), /no MemFree/);
});
