import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { forEachLine } from './line-stream.js';

let tmp: string;
before(async () => {
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'peapod-line-stream-'));
});
after(async () => {
  await fs.rm(tmp, { recursive: true, force: true });
});

async function lines(text: string, maxLineBytes = 1 << 16, maxTotalBytes = 1 << 20): Promise<string[]> {
  const file = path.join(tmp, 'f');
  await fs.writeFile(file, text);
  const out: string[] = [];
  await forEachLine(file, { maxLineBytes, maxTotalBytes }, 'listing', (l) => out.push(l));
  return out;
}

test('lines are split on newlines across chunks; a last line without one counts', async () => {
  const long = 'x'.repeat(200_000);
  assert.deepEqual(await lines(`a\n${long}\nb`, 1 << 20, 1 << 20), ['a', long, 'b']);
  assert.deepEqual(await lines(''), []);
});

test('a line over the cap and a file over the total cap are refused', async () => {
  await assert.rejects(lines(`${'y'.repeat(100)}\n`, 50), /listing: a line is longer than 50 bytes/);
  await assert.rejects(lines('a\n'.repeat(100), 50, 100), /listing: longer than 100 bytes/);
});
