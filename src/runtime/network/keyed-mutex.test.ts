import assert from 'node:assert/strict';
import { test } from 'node:test';

import { KeyedMutex } from './keyed-mutex.js';

function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

test('runs work for one key in order, even after a failure', async () => {
  const m = new KeyedMutex();
  const order: string[] = [];
  const gate = deferred();
  const first = m.run('a', async () => {
    await gate.promise;
    order.push('a1');
    throw new Error('boom');
  });
  const second = m.run('a', async () => void order.push('a2'));
  const other = m.run('b', async () => void order.push('b1'));
  await other;
  assert.deepEqual(order, ['b1']);
  gate.resolve();
  await assert.rejects(first, /boom/);
  await second;
  assert.deepEqual(order, ['b1', 'a1', 'a2']);
});
