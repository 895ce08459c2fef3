import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import type { ServerResponse } from 'node:http';
import { REUSE_MIN_BYTES, ReplyBuffers } from './reply-buffers.js';

const res = () => new EventEmitter() as unknown as ServerResponse & EventEmitter;
const BIG = 2 * REUSE_MIN_BYTES;

test('a big reply body comes back to the pool once its response finishes, and the next reply reuses it', () => {
  const pool = new ReplyBuffers();
  const r1 = res();
  const a = pool.forReply();
  const first = a.alloc(BIG);
  assert.equal(first.length, BIG);
  a.after(r1);
  const b = pool.forReply();
  assert.notEqual(b.alloc(BIG).buffer, first.buffer, 'in use until its response finishes');
  r1.emit('finish');
  assert.equal(pool.kept().count, 1);
  const c = pool.forReply();
  const again = c.alloc(BIG - 10);
  assert.equal(again.buffer, first.buffer);
  assert.equal(again.length, BIG - 10);
  assert.equal(pool.kept().count, 0);
});

test('a response that never finishes (the client went away) keeps its buffer out of the pool', () => {
  const pool = new ReplyBuffers();
  const r = res();
  const a = pool.forReply();
  a.alloc(BIG);
  a.after(r);
  r.emit('close');
  assert.equal(pool.kept().count, 0);
});

test('small bodies are not pooled, at most two buffers are kept (the largest), and drop lets them go', () => {
  const pool = new ReplyBuffers();
  const small = pool.forReply();
  small.alloc(100);
  const rs = res();
  small.after(rs);
  rs.emit('finish');
  assert.equal(pool.kept().count, 0);
  const replies = [1, 3, 2].map((k) => {
    const p = pool.forReply();
    p.alloc(k * BIG);
    return p;
  });
  for (const p of replies) {
    const r = res();
    p.after(r);
    r.emit('finish');
  }
  assert.equal(pool.kept().count, 2);
  assert.equal(pool.kept().bytes, 5 * BIG);
  pool.drop();
  assert.deepEqual(pool.kept(), { count: 0, bytes: 0 });
});

test('a reply takes one buffer from the pool at most; a second allocation is its own', () => {
  const pool = new ReplyBuffers();
  const p = pool.forReply();
  const a = p.alloc(BIG);
  const b = p.alloc(BIG);
  assert.notEqual(a.buffer, b.buffer);
  const r = res();
  p.after(r);
  r.emit('finish');
  assert.equal(pool.kept().count, 1);
});
