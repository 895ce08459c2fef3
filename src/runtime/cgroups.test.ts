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
