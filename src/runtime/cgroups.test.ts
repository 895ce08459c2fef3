import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { FakeClock } from '../system/clock.js';
import { silentLogger } from '../system/logger.js';
import { PodCgroups } from './cgroups.js';

/** A cgroup root of plain dirs with the pids, cpu and memory hierarchies. */
async function fakeRoot(): Promise<string> {
  const root = await mkdtemp(path.join(os.tmpdir(), 'peapod-cgroups-'));
  for (const h of ['pids', 'cpu', 'memory']) await mkdir(path.join(root, h));
  return root;
}

const pidsMax = (root: string, ...dirs: string[]) => readFile(path.join(root, 'pids', 'peapod-t', ...dirs, 'pids.max'), 'utf8').catch(() => undefined);

test('every pod cgroup gets the pod pids limit as pids.max, whatever its QoS level and limits', async () => {
  const root = await fakeRoot();
  try {
    const cg = new PodCgroups({ cgroupParent: 'peapod-t', clock: new FakeClock(), logger: silentLogger(), root, podPidsLimit: 4096 });
    await cg.init();
    await cg.create('u1', undefined, 'besteffort');
    await cg.create('u2', { cpuShares: 512, memoryLimitBytes: 1 << 26 });
    await cg.create('u3', { cpuShares: 100 }, 'burstable');
    assert.equal(await pidsMax(root, 'besteffort', 'podu1'), '4096');
    assert.equal(await pidsMax(root, 'podu2'), '4096');
    assert.equal(await pidsMax(root, 'burstable', 'podu3'), '4096');
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});

test('a pod pids limit of -1 (the kubelet\'s default) writes no pids.max', async () => {
  const root = await fakeRoot();
  try {
    const cg = new PodCgroups({ cgroupParent: 'peapod-t', clock: new FakeClock(), logger: silentLogger(), root, podPidsLimit: -1 });
    await cg.init();
    await cg.create('u1', undefined, 'besteffort');
    assert.equal(await pidsMax(root, 'besteffort', 'podu1'), undefined);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});

test('movePid: a pause moves to the same leaf under the claiming pod, in every hierarchy it is in, as runc makes dirs', async () => {
  const root = await mkdtemp(path.join(os.tmpdir(), 'peapod-cgroups-'));
  try {
    const { writeFile } = await import('node:fs/promises');
    for (const h of ['pids', 'cpuset', 'devices', 'unified']) await mkdir(path.join(root, h));
    const leaf = 'sb1';
    const from = (h: string) => path.join(root, h, 'peapod-t', 'besteffort', 'podpool', leaf);
    // Where runc put the pool's pause (not in unified, to see a hierarchy without it skipped).
    for (const h of ['pids', 'cpuset', 'devices']) await mkdir(from(h), { recursive: true });
    await writeFile(path.join(root, 'cpuset', 'cpuset.cpus'), '0-1');
    await writeFile(path.join(root, 'cpuset', 'cpuset.mems'), '0');
    await writeFile(path.join(root, 'cpuset', 'peapod-t', 'cpuset.cpus'), '0-1');
    await writeFile(path.join(root, 'cpuset', 'peapod-t', 'cpuset.mems'), '0');
    await writeFile(path.join(from('devices'), 'devices.list'), 'c 1:3 rwm\nc 5:0 rwm\n');
    const cg = new PodCgroups({ cgroupParent: 'peapod-t', clock: new FakeClock(), logger: silentLogger(), root });
    await cg.init();
    await cg.movePid(4242, leaf, { uid: 'pool', qos: 'besteffort' }, { uid: 'pod1', qos: 'burstable' });
    const to = (h: string, f: string) => readFile(path.join(root, h, 'peapod-t', 'burstable', 'podpod1', leaf, f), 'utf8');
    for (const h of ['pids', 'cpuset', 'devices']) assert.equal(await to(h, 'cgroup.procs'), '4242', h);
    await assert.rejects(readFile(path.join(root, 'unified', 'peapod-t', 'burstable', 'podpod1', leaf, 'cgroup.procs')), 'not moved where it was not');
    // cpuset: every new level gets its parent's cpus and mems (an empty cpuset takes no task).
    assert.equal(await readFile(path.join(root, 'cpuset', 'peapod-t', 'burstable', 'cpuset.cpus'), 'utf8'), '0-1');
    assert.equal(await to('cpuset', 'cpuset.cpus'), '0-1');
    assert.equal(await to('cpuset', 'cpuset.mems'), '0');
    // devices: everything denied, then the old leaf's rules (the last write on a real cgroupfs: one per rule).
    assert.equal(await to('devices', 'devices.deny'), 'a');
    assert.equal(await to('devices', 'devices.allow'), 'c 5:0 rwm');
    await assert.rejects(cg.movePid(0, leaf, { uid: 'pool', qos: 'besteffort' }, { uid: 'pod1' }), /not a pause process/, 'pid 0 would move the daemon itself');
    await assert.rejects(cg.movePid(4242, 'other', { uid: 'pool', qos: 'besteffort' }, { uid: 'pod1' }), /no cgroup of pod pool holds other/);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});
