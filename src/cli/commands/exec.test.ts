import { test } from 'node:test';
import assert from 'node:assert/strict';
import { exitFromStatus, parsePortPair } from './exec.js';

test("the command's status becomes the CLI's exit code, as kubectl's", () => {
  assert.deepEqual(exitFromStatus('{"metadata":{},"status":"Success"}'), { code: 0 });
  assert.deepEqual(exitFromStatus(''), { code: 0 });
  const failed = '{"status":"Failure","reason":"NonZeroExitCode","details":{"causes":[{"reason":"ExitCode","message":"42"}]}}';
  assert.deepEqual(exitFromStatus(failed), { code: 42, message: 'command terminated with exit code 42' });
  assert.deepEqual(exitFromStatus('{"status":"Failure","reason":"InternalError","message":"Internal error occurred: boom"}'), { code: 1, message: 'error: Internal error occurred: boom' });
});

test('port specs: LOCAL:REMOTE, PORT, :REMOTE (a free local port)', () => {
  assert.deepEqual(parsePortPair('8080:80'), { local: 8080, remote: 80 });
  assert.deepEqual(parsePortPair('5000'), { local: 5000, remote: 5000 });
  assert.deepEqual(parsePortPair(':80'), { local: 0, remote: 80 });
  assert.throws(() => parsePortPair('x:80'), /invalid port specification/);
  assert.throws(() => parsePortPair('80:70000'), /invalid port specification/);
});
