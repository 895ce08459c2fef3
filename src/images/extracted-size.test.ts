import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { refuseExtractedOver, regularFileBytes } from './extracted-size.js';

let tmp: string;
before(async () => {
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'peapod-extracted-size-'));
});
after(async () => {
  await fs.rm(tmp, { recursive: true, force: true });
});

test('a sparse file of 50 MB extracted from a few KB is refused by its apparent size', async () => {
  const dir = path.join(tmp, 'sparse');
  await fs.mkdir(path.join(dir, 'a', 'b'), { recursive: true });
  await fs.writeFile(path.join(dir, 'small'), 'x'.repeat(100));
  const fh = await fs.open(path.join(dir, 'a', 'b', 'sp'), 'w');
  await fh.truncate(50 * 1024 * 1024);
  await fh.close();
  await assert.rejects(refuseExtractedOver(dir, 10240, 'layer l'), /layer l: extracting it wrote more than the 10240 bytes/);
});

test('hard links count their data once, symlinks and dirs not at all: a layer at the bound passes', async () => {
  const dir = path.join(tmp, 'links');
  await fs.mkdir(path.join(dir, 'd'), { recursive: true });
  await fs.writeFile(path.join(dir, 'f'), Buffer.alloc(4000));
  await fs.link(path.join(dir, 'f'), path.join(dir, 'd', 'g'));
  await fs.symlink('/etc/passwd', path.join(dir, 's'));
  await fs.writeFile(path.join(dir, 'd', 'h'), Buffer.alloc(96));
  assert.equal(await regularFileBytes(dir, 1 << 20), 4096);
  await refuseExtractedOver(dir, 4096, 'layer l');
  await assert.rejects(refuseExtractedOver(dir, 4095, 'layer l'), /more than the 4095 bytes/);
});
