// Crash-loop back-off over long runs, failed kills, and sandbox death events (manager level).

import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Pod } from '../k8s/types.js';
import type { PodSandboxConfig } from '../runtime/runtime.js';
import { harness } from './manager-harness.js';

const crashCases: { name: string; runs: number[]; gaps: number[] }[] = [
  { name: 'a container that crashes after 100 s of running restarts after 0, 10, 20, 40, 80, 160, 300, 300, 300 s', runs: Array(9).fill(100), gaps: [0, 10, 20, 40, 80, 160, 300, 300, 300] },
  { name: 'a run of 601 s resets the crash-loop back-off to an immediate restart, then 10 s', runs: [0, 0, 0, 601, 0], gaps: [0, 10, 20, 0, 10] },
];
for (const c of crashCases) {
  test(c.name, async () => {
    const h = harness();
    await h.mgr.start();
    const uid = h.create({}).metadata.uid!;
    await h.mgr.idle();
    const gaps: number[] = [];
    for (const run of c.runs) {
      h.clock.advance(run * 1000);
      await h.mgr.idle();
      const cur = h.newest(uid);
      assert.equal(cur.state, 'running');
      h.runtime.exitContainer(cur.id, 1);
      const finishedAt = h.clock.now();
      await h.mgr.idle();
      for (let waited = 0; h.newest(uid).state !== 'running' && waited < 400; waited++) await h.step(1);
      gaps.push((h.newest(uid).startedAt - finishedAt) / 1000);
    }
    assert.deepEqual(gaps, c.gaps);
    await h.mgr.stop();
  });
}

test('a changed container whose kill fails is not started again until the kill succeeds', async () => {
  const h = harness();
  await h.mgr.start();
  h.images.add('busybox:1.37');
  const uid = h.create({}).metadata.uid!;
  await h.mgr.idle();
  const old = h.newest(uid).id;
  h.runtime.failNextStop('stop failed: device or resource busy');
  h.store.modify<Pod>('pods', 'default', 'p', (p) => ({ ...p, spec: { ...p.spec, containers: [{ name: 'c', image: 'busybox:1.37' }] } }));
  await h.mgr.idle();
  assert.equal(h.runtime.callsOf('createContainer').length, 1);
  assert.equal(h.runtime.containers.get(old)?.state, 'running');
  await h.step(1);
  assert.equal(h.runtime.containers.get(old)?.state, 'exited');
  assert.equal(h.newest(uid).state, 'running');
  assert.equal(h.newest(uid).image, 'busybox:1.37');
  await h.mgr.stop();
});

test('a created instance whose kill fails is not replaced in the same pass', async () => {
  const h = harness();
  await h.mgr.start();
  const uid = h.create({}).metadata.uid!;
  await h.mgr.idle();
  await h.mgr.stop();
  const cur = h.newest(uid);
  h.runtime.exitContainer(cur.id, 1);
  const sandboxConfig = h.runtime.callsOf('runPodSandbox')[0].args[0] as PodSandboxConfig;
  const config = h.runtime.configs.get(cur.id)!;
  const created = await h.runtime.createContainer(cur.sandboxId, { ...config, metadata: { name: 'c', attempt: 1 } }, sandboxConfig);
  h.runtime.failNextStop('stop failed: device or resource busy');
  // Kept at start (never-started.ts removes it otherwise), so the first sync meets it.
  h.runtime.failNextRemove('remove failed: device or resource busy');
  const mgr = h.newManager();
  await mgr.start();
  await mgr.idle();
  assert.equal(h.runtime.callsOf('createContainer').length, 2);
  assert.equal(h.runtime.callsOf('startContainer').length, 1);
  assert.equal(h.runtime.containers.get(created)?.state, 'created');
  h.clock.advance(1000);
  await mgr.idle();
  assert.equal(h.runtime.containers.get(created)?.state, 'exited');
  assert.equal(h.newest(uid).state, 'running');
  assert.equal(h.runtime.callsOf('startContainer').length, 2);
  await mgr.stop();
});

test('a sandbox-exited event alone makes the worker recreate the sandbox at once', async () => {
  const h = harness();
  await h.mgr.start();
  // No container runs (the image is missing), so the infra container's death is the only event.
  h.create({ containers: [{ name: 'c', image: 'nothere:1', imagePullPolicy: 'Never' }] });
  await h.mgr.idle();
  const events: string[] = [];
  const off = h.runtime.onContainerEvent((ev) => events.push(`${ev.type}:${ev.containerId}`));
  const [sb] = await h.runtime.listPodSandboxes();
  h.runtime.killSandbox(sb.id);
  off();
  assert.deepEqual(events, ['sandbox-exited:']);
  await h.mgr.idle();
  assert.equal(h.runtime.callsOf('runPodSandbox').length, 2);
  assert.ok(h.events.reasons().includes('SandboxChanged'));
  await h.mgr.stop();
});
