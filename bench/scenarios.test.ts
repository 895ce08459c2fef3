import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { PodDriver } from './driver.js';
import type { ClaimManifest, PodManifest } from './pod-specs.js';
import { initPod, sleepPod } from './pod-specs.js';
import { runStarts } from './scenarios.js';

/** A driver that records what it was asked to start and answers with a set latency. */
function fakeDriver(ms: number[]): { d: PodDriver; started: { pod: PodManifest; claims?: readonly ClaimManifest[] }[] } {
  const started: { pod: PodManifest; claims?: readonly ClaimManifest[] }[] = [];
  const d = {
    side: 'peapod',
    start: async (pod: PodManifest, claims?: readonly ClaimManifest[]) => {
      started.push({ pod, claims });
      return ms[started.length - 1]!;
    },
  } as unknown as PodDriver;
  return { d, started };
}

test('runStarts without a claim starts the pods as made, one after another', async () => {
  const { d, started } = fakeDriver([100, 300, 200]);
  const s = await runStarts(d, sleepPod, 'start1', 3, new AbortController().signal);
  assert.deepEqual(started, [0, 1, 2].map((i) => ({ pod: sleepPod(`start1-${i}`), claims: undefined })));
  assert.equal(s.n, 3);
  assert.equal(s.p50, 200);
  assert.equal(s.max, 300);
});

test('runStarts with a claim gives every pod a fresh claim of its own, mounted at /data', async () => {
  const { d, started } = fakeDriver([500, 400]);
  const s = await runStarts(d, sleepPod, 'pvc', 2, new AbortController().signal, { claim: true });
  assert.deepEqual(started.map((x) => x.pod.metadata.name), ['pvc-0', 'pvc-1']);
  assert.deepEqual(started.map((x) => x.claims?.map((c) => c.metadata.name)), [['pvc-0-data'], ['pvc-1-data']]);
  for (const x of started) {
    assert.deepEqual(x.pod.spec.volumes, [{ name: 'data', persistentVolumeClaim: { claimName: x.claims![0]!.metadata.name } }]);
  }
  assert.equal(s.p50, 400);
  // Any pod maker takes the option.
  const init = fakeDriver([1]);
  await runStarts(init.d, initPod, 'i', 1, new AbortController().signal, { claim: true });
  assert.equal((init.started[0]!.pod.spec.volumes as unknown[]).length, 2);
});

test('runStarts stops between pods once its signal is aborted', async () => {
  const { d, started } = fakeDriver([1, 1, 1]);
  const ac = new AbortController();
  ac.abort(new Error('limit'));
  await assert.rejects(runStarts(d, sleepPod, 'x', 3, ac.signal, { claim: true }), /limit/);
  assert.equal(started.length, 0);
});
