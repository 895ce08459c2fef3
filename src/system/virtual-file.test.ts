import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { readVirtualFile, readVirtualText } from './virtual-file.js';

test('a procfs file reads whole, as readFileSync reads it', async () => {
  assert.equal(await readVirtualText('/proc/self/cmdline'), fs.readFileSync('/proc/self/cmdline', 'utf8'));
  const status = await readVirtualText('/proc/self/status');
  assert.match(status, /^Name:/);
  assert.match(status, /\nCapBnd:\s+[0-9a-f]+\n/);
});

test('files larger than the first buffer, read at once, each come back whole and unmixed', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'peapod-vfile-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const sizes = [0, 1, 4096, 64 * 1024, 64 * 1024 + 1, 300_000, 2_500_000];
  const files = sizes.map((n, i) => {
    const f = path.join(dir, `f${i}`);
    fs.writeFileSync(f, Buffer.alloc(n, 97 + i));
    return f;
  });
  const read = await Promise.all(files.map((f) => readVirtualFile(f, (b) => Buffer.from(b))));
  read.forEach((b, i) => assert.deepEqual(b, fs.readFileSync(files[i]), `file of ${sizes[i]} bytes`));
  // Again, now with kept buffers of several sizes.
  const again = await Promise.all(files.reverse().map((f) => readVirtualText(f)));
  again.forEach((s, i) => assert.equal(s, fs.readFileSync(files[i], 'utf8')));
});

test('a missing file rejects as fs does', async () => {
  await assert.rejects(readVirtualText('/proc/self/no-such-file'), { code: 'ENOENT' });
});
