// The pod manager's figures for /metrics (metrics/recorder.ts): a pod's start once, from when the node
// first saw it to Running; each container restart; each registry pull with its result and duration.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ImagePullRecorder, PodLifecycleRecorder } from '../metrics/recorder.js';
import { harness, settle } from './manager-harness.js';

class Recording implements PodLifecycleRecorder, ImagePullRecorder {
  starts: number[] = [];
  restarts = 0;
  pulls: [string, number, number | undefined][] = [];
  podStarted(seconds: number): void {
    this.starts.push(seconds);
  }
  containerRestarted(): void {
    this.restarts++;
  }
  imagePulled(result: 'success' | 'failure', seconds: number, sizeBytes?: number): void {
    this.pulls.push([result, seconds, sizeBytes]);
  }
}

test('a pod\'s start is recorded once, from when the node first saw it until it ran, its pull counted with its duration', async () => {
  const h = harness();
  const rec = new Recording();
  const mgr = h.newManager({ metrics: rec });
  await mgr.start();
  h.images.pullable.set('slow:1', 5000);
  h.create({ containers: [{ name: 'c', image: 'slow:1' }] });
  await settle();
  h.clock.advance(5000);
  await mgr.idle();
  assert.equal(h.pod().status?.phase, 'Running');
  assert.deepEqual(rec.starts, [5]);
  assert.deepEqual(rec.pulls, [['success', 5, 1000]]);
  h.clock.advance(30_000);
  await mgr.idle();
  assert.deepEqual(rec.starts, [5], 'later passes of a running pod record nothing');
  await mgr.stop();
});

test('a pod already running when the manager starts is not counted as a start', async () => {
  const h = harness();
  await h.mgr.start();
  h.create({});
  await h.mgr.idle();
  assert.equal(h.pod().status?.phase, 'Running');
  await h.mgr.stop();
  const rec = new Recording();
  const again = h.newManager({ metrics: rec });
  await again.start();
  await again.idle();
  assert.deepEqual(rec.starts, []);
  await again.stop();
});

test('a crashed container started again counts a restart; its first start does not', async () => {
  const h = harness();
  const rec = new Recording();
  const mgr = h.newManager({ metrics: rec });
  await mgr.start();
  const uid = h.create({}).metadata.uid!;
  await mgr.idle();
  assert.equal(rec.restarts, 0);
  h.runtime.exitContainer(h.newest(uid).id, 1);
  await mgr.idle();
  for (let i = 0; h.newest(uid).state !== 'running' && i < 20; i++) await h.step(1);
  assert.equal(h.status()?.restartCount, 1);
  assert.equal(rec.restarts, 1);
  await mgr.stop();
});

test('a failed pull counts as a failure; a present image with IfNotPresent is no pull at all', async () => {
  const h = harness();
  const rec = new Recording();
  const mgr = h.newManager({ metrics: rec });
  await mgr.start();
  h.create({ containers: [{ name: 'c', image: 'nowhere:1' }, { name: 'd', image: 'busybox:1.36', imagePullPolicy: 'IfNotPresent' }] });
  await mgr.idle();
  assert.deepEqual(rec.pulls.map(([r]) => r), ['failure']);
  await mgr.stop();
});
