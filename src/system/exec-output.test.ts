// Issue 13: a program's output is gathered in memory. A run that prints more than an exec keeps fails and
// the program is killed, instead of the whole output being joined into a string in the 'close' listener
// (past ~512 MiB that throws there, outside any promise, and ends the process).

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { HostExec, MAX_EXEC_OUTPUT_BYTES } from './exec.js';

test('a run whose output passes the cap fails and its program is killed', async () => {
  await assert.rejects(new HostExec().run('cat', ['/dev/zero']), new RegExp(`passed ${MAX_EXEC_OUTPUT_BYTES} bytes of output: killed`));
});

test('a run under the cap keeps all of its output', async () => {
  const r = await new HostExec().run('head', ['-c', String(MAX_EXEC_OUTPUT_BYTES - 1), '/dev/zero']);
  assert.equal(r.code, 0);
  assert.equal(r.stdout.length, MAX_EXEC_OUTPUT_BYTES - 1);
});
