import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { test } from 'node:test';
import { WatchStream, type PendingEvent } from './watch-stream.js';

/** A socket that takes 64 KiB and then waits for the test to drain it. */
class FakeSink extends EventEmitter {
  writableLength = 0;
  written: string[] = [];
  write(chunk: Buffer | string): boolean {
    this.written.push(String(chunk));
    this.writableLength += chunk.length;
    return this.writableLength < 64 * 1024;
  }
  drain(): void {
    this.writableLength = 0;
    this.emit('drain');
  }
}

const ev = (text: string): PendingEvent => ({ render: () => text, bytes: text.length });

test('initial events of any total size are queued, and written as the client reads them (issue 13)', () => {
  const sink = new FakeSink();
  let slow = false;
  const s = new WatchStream(sink, () => (slow = true), (e) => assert.fail(String(e)), 1024 * 1024);
  const big = 'x'.repeat(100 * 1024);
  for (let i = 0; i < 30; i++) s.initial(ev(`${i}:${big}`));
  assert.equal(slow, false, '3 MiB of initial events against a 1 MiB bound');
  assert.equal(sink.written.length, 1, 'one write, then it waits for drain');
  while (s.pending) sink.drain();
  assert.deepEqual(sink.written.map((w) => w.split(':')[0]), Array.from({ length: 30 }, (_, i) => String(i)));
});

test('live events a client leaves unread past the bound close the watch; read ones never do', () => {
  const sink = new FakeSink();
  let unread = 0;
  const s = new WatchStream(sink, (n) => (unread = n), (e) => assert.fail(String(e)), 1024 * 1024);
  const chunk = 'y'.repeat(100 * 1024);
  for (let i = 0; i < 20; i++) {
    s.live(ev(chunk));
    sink.drain();
  }
  assert.equal(unread, 0, 'a reading client is never dropped');
  for (let i = 0; i < 20 && !unread; i++) s.live(ev(chunk));
  assert.ok(unread > 1024 * 1024, 'a client that stopped reading is dropped once past the bound');
  const before = sink.written.length;
  s.live(ev('late'));
  sink.drain();
  assert.equal(sink.written.length, before, 'nothing is written after the close');
});
