import { test } from 'node:test';
import assert from 'node:assert/strict';
import { exitReason, processStartFailure, resolveSignal } from './status.js';

const reasons: [number, boolean, string][] = [[0, false, 'Completed'], [3, false, 'Error'], [137, true, 'OOMKilled'], [137, false, 'Error']];
for (const [code, oom, want] of reasons) {
  test(`exit ${code}${oom ? ' with an oom file' : ''} is reported as ${want}`, () => assert.equal(exitReason(code, oom), want));
}

const signals: [string, string][] = [['SIGTERM', 'SIGTERM'], ['term', 'SIGTERM'], ['', 'SIGTERM'], ['9', '9'], ['SIGQUIT', 'SIGQUIT'], ['SIGRTMIN+3', '37']];
for (const [input, want] of signals) {
  test(`stop signal "${input}" resolves to ${want}`, () => assert.equal(resolveSignal(input), want));
}

test('an unknown stop signal is rejected', () => assert.throws(() => resolveSignal('SIGNOPE'), /SIGNOPE/));

test('processStartFailure finds the exec failure in a conmon/runc create error', () => {
  const err =
    'create container 5bb4: time="2026-11-22T04:00:18Z" level=error msg="runc create failed: unable to start container process: exec: \\"/nonexistent\\": stat /nonexistent: no such file or directory"';
  assert.equal(
    processStartFailure(err),
    'runc create failed: unable to start container process: exec: "/nonexistent": stat /nonexistent: no such file or directory',
  );
});

test('processStartFailure ignores create failures that are not about starting the process', () => {
  assert.equal(processStartFailure('time="x" level=error msg="runc create failed: unable to apply cgroup configuration: mkdir: busy"'), undefined);
  assert.equal(processStartFailure('image "x" not found'), undefined);
});
