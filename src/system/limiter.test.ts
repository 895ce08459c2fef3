import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Limiter } from './limiter.js';

function gate(): { promise: Promise<void>; open(): void } {
  let open!: () => void;
  const promise = new Promise<void>((r) => (open = r));
  return { promise, open };
}

test('runs at most `limit` tasks at once, the rest in arrival order', async () => {
  const l = new Limiter(2);
  const gates = [gate(), gate(), gate(), gate()];
  const started: number[] = [];
  const done = gates.map((g, i) => l.run(async () => {
    started.push(i);
    await g.promise;
    return i;
  }));
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(started, [0, 1]);
  assert.equal(l.queued, 2);
  gates[1]!.open();
  await done[1];
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(started, [0, 1, 2]);
  gates[0]!.open();
  gates[2]!.open();
  gates[3]!.open();
  assert.deepEqual(await Promise.all(done), [0, 1, 2, 3]);
  assert.equal(l.queued, 0);
});

test('a failed task frees its slot and its error reaches the caller', async () => {
  const l = new Limiter(1);
  await assert.rejects(l.run(async () => {
    throw new Error('boom');
  }), /boom/);
  assert.equal(await l.run(async () => 'next'), 'next');
});

test('a limit below 1 is refused', () => {
  assert.throws(() => new Limiter(0), RangeError);
});

test('idleMs is 0 while a task runs and counts from the end of the last one', async () => {
  const l = new Limiter(2);
  const a = gate();
  const b = gate();
  const pa = l.run(() => a.promise);
  const pb = l.run(() => b.promise);
  assert.equal(l.idleMs(), 0);
  a.open();
  await pa;
  assert.equal(l.idleMs(), 0, 'one still runs');
  b.open();
  await pb;
  await new Promise((r) => setTimeout(r, 20));
  assert.ok(l.idleMs() >= 15, `idle for ${l.idleMs()} ms`);
});
