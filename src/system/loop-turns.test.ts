import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { LoopTurns } from './loop-turns.js';

test('lets waiters go in the order they asked, one per loop turn', async () => {
  const turns = new LoopTurns();
  const order: string[] = [];
  const all = ['a', 'b', 'c'].map((n) => turns.next().then(() => order.push(n)));
  assert.equal(turns.pending, 3);
  // An immediate queued after the waiters runs between the first and the second release.
  setImmediate(() => order.push('other'));
  await Promise.all(all);
  assert.deepEqual(order, ['a', 'other', 'b', 'c']);
  assert.equal(turns.pending, 0);
});

test('I/O that arrives during a burst is served between two waiters, not after the whole burst', async () => {
  const turns = new LoopTurns();
  const server = net.createServer((s) => s.end('x'));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as net.AddressInfo).port;
  try {
    const served: number[] = [];
    let released = 0;
    // The reply arrives while 200 waiters, each busy for 1 ms, are queued.
    const reply = new Promise<void>((resolve) => {
      const c = net.connect(port, '127.0.0.1');
      c.on('data', () => {
        served.push(released);
        c.destroy();
        resolve();
      });
    });
    const burst = Array.from({ length: 200 }, () =>
      turns.next().then(() => {
        released++;
        const until = performance.now() + 1;
        while (performance.now() < until);
      }),
    );
    await Promise.all([reply, ...burst]);
    assert.equal(served.length, 1);
    assert.ok(served[0]! < 150, `the reply was handled after ${served[0]} of 200 busy waiters`);
  } finally {
    server.close();
  }
});

test('a later ask after the queue drained is served too', async () => {
  const turns = new LoopTurns();
  await turns.next();
  await turns.next();
  assert.equal(turns.pending, 0);
});
