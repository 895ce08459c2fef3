import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm, writeFile, mkdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { RecordStore, readJson } from './state.js';

test('a saved record is compact JSON in <dir>/<id>/record.json with no temp file left', async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'peapod-state-'));
  try {
    const store = new RecordStore<{ id: string; n: number }>(dir);
    await store.save({ id: 'r', n: 1 });
    await store.save({ id: 'r', n: 2 });
    assert.equal(await readFile(path.join(dir, 'r', 'record.json'), 'utf8'), '{"id":"r","n":2}');
    assert.deepEqual(await readdir(path.join(dir, 'r')), ['record.json']);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('concurrent saves of one record end with the latest state', async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'peapod-state-'));
  try {
    const store = new RecordStore<{ id: string; n: number }>(dir);
    const rec = { id: 'x', n: 0 };
    const saves: Promise<void>[] = [];
    for (let i = 1; i <= 20; i++) {
      rec.n = i;
      saves.push(store.save(rec));
    }
    await Promise.all(saves);
    assert.deepEqual(await readJson(store.recordPath('x')), { id: 'x', n: 20 });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('loadAll returns records and reports dirs without a valid record as orphans', async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'peapod-state-'));
  try {
    const store = new RecordStore<{ id: string }>(dir);
    await store.save({ id: 'a' });
    await mkdir(path.join(dir, 'b'));
    await mkdir(path.join(dir, 'c'));
    await writeFile(path.join(dir, 'c', 'record.json'), '{"id":');
    const { records, orphans } = await store.loadAll();
    assert.deepEqual(records, [{ id: 'a' }]);
    assert.deepEqual(orphans.sort(), ['b', 'c']);
    await store.drop('a');
    assert.equal(await readJson(store.recordPath('a')), undefined);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
