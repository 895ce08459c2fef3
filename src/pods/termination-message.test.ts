import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { rec } from './test-fixtures.js';
import { ANNOTATION_TERMINATION_MESSAGE_POLICY } from './translate.js';
import { capPodMessages, readLogTail, wantsLogMessage } from './termination-message.js';

const line = (i: number, text: string, tag = 'F') => `2026-01-01T00:00:${String(i % 60).padStart(2, '0')}.000000000Z stdout ${tag} ${text}\n`;

test('FallbackToLogsOnError: only an exited instance with exit ≠ 0 and an empty message reads its log', () => {
  const r = rec('c', 'exited', { exitCode: 1 });
  assert.equal(wantsLogMessage(r), false, 'the default policy is File');
  r.annotations[ANNOTATION_TERMINATION_MESSAGE_POLICY] = 'FallbackToLogsOnError';
  assert.equal(wantsLogMessage(r), true);
  assert.equal(wantsLogMessage({ ...r, message: 'from file' }), false);
  assert.equal(wantsLogMessage({ ...r, exitCode: 0 }), false);
});

test('the log tail: the last 80 lines, at most their last 2 KiB, a partial last line kept without newline', async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'peapod-tm-'));
  try {
    const f = path.join(dir, '0.log');
    await writeFile(f, Array.from({ length: 100 }, (_, i) => line(i, `l${i}`)).join('') + line(0, 'DONE', 'P'));
    const tail = await readLogTail(f);
    assert.ok(tail.startsWith('l21\n'), tail.slice(0, 20));
    assert.ok(tail.endsWith('l99\nDONE'));
    await writeFile(f, Array.from({ length: 80 }, (_, i) => line(i, 'x'.repeat(100))).join(''));
    assert.equal(Buffer.byteLength(await readLogTail(f)), 2048);
    assert.match(await readLogTail(path.join(dir, 'missing.log')), /^Error on reading termination message from logs: /);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('messages share the pod\'s 12 KiB', () => {
  assert.deepEqual(capPodMessages(['a', '', 'b']), ['a', '', 'b']);
  const big = 'x'.repeat(4096);
  const capped = capPodMessages([big, big, big, big]);
  assert.deepEqual(capped.map((m) => m.length), [3072, 3072, 3072, 3072]);
});
