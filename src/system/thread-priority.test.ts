import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { sessionId } from './thread-priority.js';

test('the session id is read after the command, even one with spaces and parentheses', () => {
  assert.equal(sessionId('4242 (node) S 1 4242 4200 0 -1 4194560 10 0 0 0'), 4200);
  assert.equal(sessionId('77 (my (odd) cmd) R 1 70 71 0 -1 0'), 71);
});

test('this process reads its own session id as the kernel tells it', () => {
  const sid = sessionId(fs.readFileSync('/proc/self/stat', 'utf8'));
  assert.ok(Number.isInteger(sid) && sid >= 0);
});
