import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseSchedstat, ThreadSchedstat, waitedSeconds } from './thread-schedstat.js';

test('schedstat gives the run and wait nanoseconds; anything else is no reading', () => {
  assert.deepEqual(parseSchedstat('126220412 119659097 91\n'), { runNs: 126220412, waitNs: 119659097 });
  assert.equal(parseSchedstat(''), undefined);
  assert.equal(parseSchedstat('12'), undefined);
  assert.equal(parseSchedstat('a b c'), undefined);
});

test("the calling thread's on-CPU time grows while it works", () => {
  const s = new ThreadSchedstat();
  const a = s.read();
  if (!a) return; // a kernel without schedstat: nothing to compare
  let x = 0;
  for (let i = 0; i < 5e6; i++) x += i;
  const b = s.read()!;
  assert.ok(x > 0 && b.runNs > a.runNs);
  assert.ok(waitedSeconds(a, b) >= 0);
  s.close();
  assert.equal(s.read(), undefined);
});

test('waited seconds are the growth of the wait, and 0 without both readings', () => {
  assert.equal(waitedSeconds({ runNs: 0, waitNs: 1e6 }, { runNs: 5, waitNs: 3e6 }), 0.002);
  assert.equal(waitedSeconds(undefined, { runNs: 0, waitNs: 1 }), 0);
});

test('a missing file gives no readings', () => {
  assert.equal(new ThreadSchedstat('/nonexistent/schedstat').read(), undefined);
});

test('time() reports the block and its wait, and reports it when the timed call throws', () => {
  const s = new ThreadSchedstat();
  const seen: [number, number][] = [];
  assert.equal(s.time(() => 7, (b, w) => seen.push([b, w])), 7);
  assert.throws(() => s.time(() => { throw new Error('boom'); }, (b, w) => seen.push([b, w])), /boom/);
  assert.equal(seen.length, 2);
  for (const [blocked, waited] of seen) assert.ok(blocked >= 0 && waited >= 0);
  s.close();
});
