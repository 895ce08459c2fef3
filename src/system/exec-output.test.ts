// Issue 13: a program's output is gathered in memory. A run that prints more than an exec keeps fails and
// the program is killed, instead of the whole output being joined into a string in the 'close' listener
// (past ~512 MiB that throws there, outside any promise, and ends the process).

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { HostExec, MAX_EXEC_OUTPUT_BYTES, type Exec } from './exec.js';
import { silentLogger } from './logger.js';
import { SpawnHelper } from './spawner/client.js';

test('a run whose output passes the cap fails and its program is killed', async () => {
  await assert.rejects(new HostExec().run('cat', ['/dev/zero']), new RegExp(`passed ${MAX_EXEC_OUTPUT_BYTES} bytes of output: killed`));
});

test('a run under the cap keeps all of its output', async () => {
  const r = await new HostExec().run('head', ['-c', String(MAX_EXEC_OUTPUT_BYTES - 1), '/dev/zero']);
  assert.equal(r.code, 0);
  assert.equal(r.stdout.length, MAX_EXEC_OUTPUT_BYTES - 1);
});

// A program that prints 4 MiB past the cap on stdout, then a line on stderr, and exits 3 (a probe's shape).
const chatty = ['-c', `head -c ${MAX_EXEC_OUTPUT_BYTES + (4 << 20)} /dev/zero; echo done >&2; exit 3`];

async function assertTruncated(exec: Exec): Promise<void> {
  const r = await exec.run('sh', chatty, { truncateOutput: true });
  assert.equal(r.code, 3, 'the exit code is the program\'s, not a failure');
  assert.equal(r.truncated, true);
  assert.equal(r.stdout.length, MAX_EXEC_OUTPUT_BYTES, 'the first bytes up to the cap are kept');
  assert.equal(r.stderr, '', 'nothing past the cap is kept, on either stream');
  const under = await exec.run('sh', ['-c', 'echo out; echo err >&2; exit 1'], { truncateOutput: true });
  assert.deepEqual(under, { code: 1, stdout: 'out\n', stderr: 'err\n' });
}

test('with truncateOutput a run past the cap keeps the first bytes and returns the exit code (exec probes)', async () => {
  await assertTruncated(new HostExec());
});

test('truncateOutput crosses the spawn helper the daemon runs programs through', async () => {
  const h = new SpawnHelper(silentLogger());
  try {
    h.start();
    await assertTruncated(h);
    await assert.rejects(h.run('sh', chatty), /passed \d+ bytes of output: killed/, 'without it the run still fails');
  } finally {
    h.close();
  }
});
