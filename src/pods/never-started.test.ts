// Start-up adoption of what a crashed daemon left half-done (issue 14, item 4), on the fake runtime.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { harness } from './manager-harness.js';
import type { PodSandboxConfig } from '../runtime/runtime.js';

// Issue 14: 30 pods applied, the daemon SIGKILLed 1.5 s later and restarted: pods ended with two app
// containers in the runtime. A container created but not started was killed by the first sync and a
// second one made beside it.
test('issue 14: a container the previous daemon created but never started is removed at start, and the pod runs one container, not a killed one beside a new one', async () => {
  const h = harness();
  await h.mgr.start();
  const uid = h.create({}).metadata.uid!;
  await h.mgr.idle();
  await h.mgr.stop();
  // The previous daemon's last act: it created the container, then died before starting it.
  const running = h.newest(uid);
  const config = h.runtime.configs.get(running.id)!;
  await h.runtime.removeContainer(running.id);
  const leftover = await h.runtime.createContainer(running.sandboxId, config, {} as PodSandboxConfig);
  assert.equal(h.runtime.containers.get(leftover)?.state, 'created');

  const mgr2 = h.newManager();
  await mgr2.start();
  await mgr2.idle();
  const ofPod = [...h.runtime.containers.values()].filter((c) => c.labels['io.kubernetes.pod.uid'] === uid);
  assert.deepEqual(ofPod.map((c) => [c.metadata.name, c.state, c.metadata.attempt]), [['c', 'running', 0]], 'one running container of attempt 0');
  assert.equal(h.runtime.containers.has(leftover), false, 'the never-started container is gone');
  assert.equal(h.runtime.callsOf('stopContainer').filter((c) => c.args[0] === leftover).length, 0, 'removed without a kill event');
  assert.equal(h.pod().status?.containerStatuses?.[0]?.restartCount, 0);
  assert.equal(h.pod().status?.phase, 'Running');
  await mgr2.stop();
});
