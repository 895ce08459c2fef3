import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FakeClock } from './clock.js';
import { HeapRelease, RELEASE_QUIET_MS, releaseHeap } from './heap-release.js';

test('one release per churn, the quiet spell counted from the last removal', async () => {
  const clock = new FakeClock();
  let released = 0;
  const h = new HeapRelease(clock, (e) => assert.fail(String(e)), async () => void released++);
  for (let i = 0; i < 5; i++) {
    h.note();
    clock.advance(RELEASE_QUIET_MS - 1);
  }
  assert.equal(released, 0);
  clock.advance(1);
  assert.equal(released, 1);
  clock.advance(RELEASE_QUIET_MS * 3);
  assert.equal(released, 1, 'nothing more without another removal');
  h.note();
  clock.advance(RELEASE_QUIET_MS);
  assert.equal(released, 2);
});

test('after stop nothing runs; a failed release is reported', async () => {
  const clock = new FakeClock();
  let released = 0;
  const h = new HeapRelease(clock, (e) => assert.fail(String(e)), async () => void released++);
  h.note();
  h.stop();
  h.note();
  clock.advance(RELEASE_QUIET_MS * 2);
  assert.equal(released, 0);

  const errors: unknown[] = [];
  const failing = new HeapRelease(clock, (e) => errors.push(e), () => Promise.reject(new Error('no inspector')));
  failing.note();
  clock.advance(RELEASE_QUIET_MS);
  await new Promise((r) => setImmediate(r));
  assert.equal((errors[0] as Error).message, 'no inspector');
});

test('the real release gives a dropped heap back', async () => {
  let junk: unknown[] | undefined = Array.from({ length: 300_000 }, (_, i) => ({ s: `entry ${i}`, a: [i] }));
  const grown = process.memoryUsage().heapTotal;
  assert.ok(junk.length > 0);
  junk = undefined;
  await releaseHeap();
  const after = process.memoryUsage().heapTotal;
  assert.ok(after < grown - 10 * 1024 * 1024, `heapTotal ${grown} -> ${after}`);
});
