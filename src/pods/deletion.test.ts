// Deletion while a pass is in flight, force deletes, shorter graces and finalizers (manager level).

import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Pod } from '../k8s/types.js';
import { harness, settle } from './manager-harness.js';

type H = ReturnType<typeof harness>;
const stopGraces = (h: H) => h.runtime.callsOf('stopContainer').map((c) => c.args[1]);
const gone = (h: H) => h.store.tryGet('pods', 'default', 'p') === undefined;

test('a graceful delete that arrives while the sandbox is being created starts no container', async () => {
  const h = harness();
  await h.mgr.start();
  h.runtime.sandboxDelayMs = 5000;
  const uid = h.create({}).metadata.uid!;
  await settle();
  assert.equal(h.runtime.callsOf('runPodSandbox').length, 1);
  h.markDeleted(30);
  await settle();
  h.runtime.sandboxDelayMs = 0;
  h.clock.advance(5000);
  await h.mgr.idle();
  assert.equal(h.runtime.callsOf('createContainer').length, 0);
  assert.deepEqual(h.volumes.setUps, []);
  assert.ok(!h.events.reasons().includes('Started'));
  assert.ok(gone(h));
  assert.equal(h.runtime.sandboxes.size, 0);
  assert.deepEqual(h.volumes.tearDowns, [uid]);
  await h.mgr.stop();
});

test('a force delete that arrives during a slow image pull creates no container and tears the pod down', async () => {
  const h = harness();
  await h.mgr.start();
  h.images.pullable.set('slow:1', 5000);
  const uid = h.create({ containers: [{ name: 'c', image: 'slow:1' }] }).metadata.uid!;
  await settle();
  assert.deepEqual(h.images.pulls, ['slow:1']);
  h.store.delete('pods', 'default', 'p');
  await settle();
  h.clock.advance(5000);
  await h.mgr.idle();
  assert.equal(h.runtime.callsOf('createContainer').length, 0);
  assert.ok(!h.events.reasons().includes('Created'));
  assert.equal(h.runtime.sandboxes.size, 0);
  assert.deepEqual(h.volumes.tearDowns, [uid]);
  await h.mgr.stop();
});

test('a graceful delete during a slow image pull does not wait for the pull to finish', async () => {
  const h = harness();
  await h.mgr.start();
  h.images.pullable.set('slow:1', 60_000);
  const uid = h.create({ containers: [{ name: 'c', image: 'slow:1' }] }).metadata.uid!;
  await settle();
  assert.deepEqual(h.images.pulls, ['slow:1']);
  h.markDeleted(30);
  await h.mgr.idle();
  assert.ok(gone(h));
  assert.equal(h.runtime.sandboxes.size, 0);
  assert.deepEqual(h.volumes.tearDowns, [uid]);
  h.clock.advance(60_000);
  await h.mgr.idle();
  assert.equal(h.runtime.callsOf('createContainer').length, 0);
  await h.mgr.stop();
});

test('a delete that arrives while a changed container is being stopped does not start its replacement', async () => {
  const h = harness();
  await h.mgr.start();
  h.images.add('busybox:1.37');
  const uid = h.create({}).metadata.uid!;
  await h.mgr.idle();
  h.runtime.ignoreStop.add(h.newest(uid).id);
  h.store.modify<Pod>('pods', 'default', 'p', (p) => ({ ...p, spec: { ...p.spec, containers: [{ name: 'c', image: 'busybox:1.37' }] } }));
  await settle();
  assert.deepEqual(stopGraces(h), [30]);
  h.markDeleted(30);
  await settle();
  h.clock.advance(30_000);
  await h.mgr.idle();
  assert.equal(h.runtime.callsOf('createContainer').length, 1);
  assert.ok(gone(h));
  assert.equal(h.runtime.containers.size, 0);
  await h.mgr.stop();
});

const shortened: { name: string; shorten: (h: H) => void; grace: number }[] = [
  { name: 'a second graceful delete with a shorter grace period', shorten: (h) => h.markDeleted(5), grace: 5 },
  { name: 'a force delete', shorten: (h) => h.store.delete('pods', 'default', 'p'), grace: 2 },
];
for (const c of shortened) {
  test(`${c.name} during a long graceful stop stops the container within the new grace`, async () => {
    const h = harness();
    await h.mgr.start();
    const uid = h.create({}).metadata.uid!;
    await h.mgr.idle();
    h.runtime.ignoreStop.add(h.newest(uid).id);
    h.markDeleted(30);
    await settle();
    assert.deepEqual(stopGraces(h), [30]);
    c.shorten(h);
    await settle();
    assert.deepEqual(stopGraces(h), [30, c.grace]);
    h.clock.advance(c.grace * 1000);
    await h.mgr.idle();
    assert.ok(gone(h));
    assert.equal(h.runtime.containers.size, 0);
    assert.equal(h.runtime.sandboxes.size, 0);
    assert.deepEqual(h.volumes.tearDowns, [uid]);
    await h.mgr.stop();
  });
}

test('a force delete of a pod with the default 30 s grace stops its containers with the 2 s minimum', async () => {
  const h = harness();
  await h.mgr.start();
  const uid = h.create({}).metadata.uid!;
  await h.mgr.idle();
  h.runtime.ignoreStop.add(h.newest(uid).id);
  h.store.delete('pods', 'default', 'p');
  await settle();
  assert.deepEqual(stopGraces(h), [2]);
  h.clock.advance(2000);
  await h.mgr.idle();
  assert.equal(h.runtime.containers.size, 0);
  assert.equal(h.runtime.sandboxes.size, 0);
  assert.deepEqual(h.volumes.tearDowns, [uid]);
  await h.mgr.stop();
});

test('a deleted pod with finalizers stays terminal with its containers gone until the finalizers are cleared', async () => {
  const h = harness();
  await h.mgr.start();
  const uid = h.create({}, 'p', { finalizers: ['example.com/hold'] }).metadata.uid!;
  await h.mgr.idle();
  h.markDeleted(5);
  await h.mgr.idle();
  await h.step(30);
  const kept = h.store.tryGet<Pod>('pods', 'default', 'p');
  assert.ok(kept, 'the object is kept while it has finalizers');
  assert.equal(kept.status?.phase, 'Failed');
  assert.equal(h.runtime.containers.size, 0);
  assert.equal(h.runtime.sandboxes.size, 0);
  assert.deepEqual(h.volumes.tearDowns, [uid], 'torn down once');
  h.store.modify<Pod>('pods', 'default', 'p', (p) => ({ ...p, metadata: { ...p.metadata, finalizers: [] } }));
  await h.mgr.idle();
  assert.ok(gone(h));
  await h.mgr.stop();
});
