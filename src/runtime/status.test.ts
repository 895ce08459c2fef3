import { test } from 'node:test';
import assert from 'node:assert/strict';
import { exitReason, resolveSignal } from './status.js';

const reasons: [number, boolean, string][] = [[0, false, 'Completed'], [3, false, 'Error'], [137, true, 'OOMKilled'], [137, false, 'Error']];
for (const [code, oom, want] of reasons) {
  test(`exit ${code}${oom ? ' with an oom file' : ''} is reported as ${want}`, () => assert.equal(exitReason(code, oom), want));
}

const signals: [string, string][] = [['SIGTERM', 'SIGTERM'], ['term', 'SIGTERM'], ['', 'SIGTERM'], ['9', '9'], ['SIGQUIT', 'SIGQUIT'], ['SIGRTMIN+3', '37']];
for (const [input, want] of signals) {
  test(`stop signal "${input}" resolves to ${want}`, () => assert.equal(resolveSignal(input), want));
}

test('an unknown stop signal is rejected', () => assert.throws(() => resolveSignal('SIGNOPE'), /SIGNOPE/));
