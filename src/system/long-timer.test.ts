import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MAX_TIMER_MS, SystemClock } from './clock.js';

// Issue 13: a watch with timeoutSeconds over 2^31 ms closed at once (Node fires such a timeout after 1 ms).
test('a system timer longer than setTimeout can hold does not fire at once', async () => {
  let fired = false;
  const cancel = new SystemClock().setTimer(MAX_TIMER_MS + 5_000, () => (fired = true));
  await new Promise((r) => setTimeout(r, 30));
  cancel();
  assert.equal(fired, false);
});
