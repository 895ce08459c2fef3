import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CgroupReader, detectCgroupLayout, type ReadText } from './cgroup-reader.js';

/** A file system of the given files; anything else is ENOENT. */
function files(map: Record<string, string>): ReadText {
  return async (f) => {
    if (f in map) return map[f]!;
    throw Object.assign(new Error(`ENOENT: ${f}`), { code: 'ENOENT' });
  };
}

const CONTAINER = '/peapod/burstable/pod1234/abcd';

test('a hybrid host (cpuacct and memory hierarchies, no cgroup2 root) is read as v1', async () => {
  const layout = await detectCgroupLayout(files({ '/sys/fs/cgroup/cpuacct/cpuacct.usage': '1\n' }));
  assert.deepEqual(layout, { version: 1, cpuacct: '/sys/fs/cgroup/cpuacct', memory: '/sys/fs/cgroup/memory' });
});

test('a v1 host that joins cpu and cpuacct reads the joined hierarchy', async () => {
  const layout = await detectCgroupLayout(files({ '/sys/fs/cgroup/cpu,cpuacct/cpuacct.usage': '1\n' }));
  assert.deepEqual(layout, { version: 1, cpuacct: '/sys/fs/cgroup/cpu,cpuacct', memory: '/sys/fs/cgroup/memory' });
});

test('a unified host (cgroup.controllers at the mount) is read as v2', async () => {
  const layout = await detectCgroupLayout(files({ '/sys/fs/cgroup/cgroup.controllers': 'cpu memory\n' }));
  assert.deepEqual(layout, { version: 2, root: '/sys/fs/cgroup' });
});

test('v1: a container cgroup gives cpuacct.usage and usage less total_inactive_file', async () => {
  const r = new CgroupReader(
    { version: 1, cpuacct: '/cg/cpuacct', memory: '/cg/memory' },
    files({
      [`/cg/cpuacct${CONTAINER}/cpuacct.usage`]: '5000000000\n',
      [`/cg/memory${CONTAINER}/memory.usage_in_bytes`]: '50000000\n',
      [`/cg/memory${CONTAINER}/memory.stat`]: 'inactive_file 1\ntotal_inactive_file 8000000\n',
    }),
  );
  assert.deepEqual(await r.sample(CONTAINER), { cpuNs: 5e9, workingSetBytes: 42_000_000 });
});

test('v1: the node is the hierarchies\' roots', async () => {
  const r = new CgroupReader(
    { version: 1, cpuacct: '/cg/cpuacct', memory: '/cg/memory' },
    files({ '/cg/cpuacct/cpuacct.usage': '7\n', '/cg/memory/memory.usage_in_bytes': '100\n', '/cg/memory/memory.stat': 'total_inactive_file 40\n' }),
  );
  assert.deepEqual(await r.sample('/'), { cpuNs: 7, workingSetBytes: 60 });
});

test('v2: a container cgroup gives cpu.stat usage and memory.current less inactive_file', async () => {
  const r = new CgroupReader(
    { version: 2, root: '/cg' },
    files({
      [`/cg${CONTAINER}/cpu.stat`]: 'usage_usec 1500\nuser_usec 1000\n',
      [`/cg${CONTAINER}/memory.current`]: '9000\n',
      [`/cg${CONTAINER}/memory.stat`]: 'inactive_file 1000\n',
    }),
  );
  assert.deepEqual(await r.sample(CONTAINER), { cpuNs: 1_500_000, workingSetBytes: 8000 });
});

test('v2: the root has no memory.current, so the node\'s usage comes from /proc/meminfo', async () => {
  const r = new CgroupReader(
    { version: 2, root: '/cg' },
    files({
      '/cg/cpu.stat': 'usage_usec 10\n',
      '/cg/memory.stat': 'inactive_file 1024\n',
      '/meminfo': 'MemTotal: 10 kB\nMemFree: 4 kB\n',
    }),
    '/meminfo',
  );
  assert.deepEqual(await r.sample('/'), { cpuNs: 10_000, workingSetBytes: 6 * 1024 - 1024 });
});

test('a cgroup that is not there rejects (the sampler then tries the next QoS level)', async () => {
  const r = new CgroupReader({ version: 2, root: '/cg' }, files({}));
  await assert.rejects(r.sample(CONTAINER), /ENOENT/);
});
