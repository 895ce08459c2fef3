import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { PodDriver } from './driver.js';
import type { ClaimManifest, PodManifest } from './pod-specs.js';
import { initPod, sleepPod } from './pod-specs.js';
import { runLoadedStarts, runStarts } from './scenarios.js';

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

/** A driver whose starts take a few event-loop turns, recording the order of events and the creates in flight. */
function loggingDriver(latency: (name: string) => number) {
  const log: string[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const d = {
    side: 'podman',
    start: async (pod: PodManifest, claims?: readonly ClaimManifest[]) => {
      assert.equal(claims, undefined);
      assert.deepEqual(pod, sleepPod(pod.metadata.name));
      log.push(`start ${pod.metadata.name}`);
      maxInFlight = Math.max(maxInFlight, ++inFlight);
      for (let i = 0; i < 3; i++) await new Promise((r) => setImmediate(r));
      inFlight--;
      log.push(`running ${pod.metadata.name}`);
      return latency(pod.metadata.name);
    },
  } as unknown as PodDriver;
  return { d, log, maxInFlight: () => maxInFlight };
}

test('runLoadedStarts: the background pods run, 10 creates in flight, before the quiet wait; then start-1\'s pods one at a time, only they timed', async () => {
  const { d, log, maxInFlight } = loggingDriver((name) => (name.startsWith('loaded-bg-') ? 5000 : 100 + Number(name.split('-').at(-1)) * 10));
  let quietCalls = 0;
  const f = await runLoadedStarts(d, 'loaded', { background: 25, starts: 4 }, async () => {
    quietCalls++;
    log.push('quiet');
    return false;
  }, new AbortController().signal);
  const quietAt = log.indexOf('quiet');
  const bg = log.slice(0, quietAt);
  assert.equal(bg.length, 50);
  assert.deepEqual(bg.filter((x) => x.startsWith('start')).map((x) => x.slice(6)), Array.from({ length: 25 }, (_, i) => `loaded-bg-${i}`));
  assert.equal(bg.filter((x) => x.startsWith('running')).length, 25);
  assert.equal(maxInFlight(), 10);
  assert.equal(quietCalls, 1);
  assert.deepEqual(log.slice(quietAt + 1), [0, 1, 2, 3].flatMap((i) => [`start loaded-${i}`, `running loaded-${i}`]));
  assert.equal(f.background, 25);
  assert.equal(f.quiet, false);
  assert.ok(f.backgroundRunningMs >= 0 && f.settleMs >= 0);
  assert.deepEqual([f.starts.n, f.starts.p50, f.starts.p99, f.starts.max], [4, 110, 130, 130]);
});

test('runLoadedStarts stops once its signal is aborted, before any timed start', async () => {
  const { d, log } = loggingDriver(() => 1);
  const ac = new AbortController();
  await assert.rejects(
    runLoadedStarts(d, 'loaded', { background: 3, starts: 2 }, async () => {
      ac.abort(new Error('limit'));
      return true;
    }, ac.signal),
    /limit/,
  );
  assert.ok(!log.some((x) => x.startsWith('start loaded-') && !x.startsWith('start loaded-bg-')));
});
