import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { readFileIfExists, readJsonIfExists, writeFileAtomic, writeJsonAtomic } from './atomic-file.js';

async function withDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'peapod-atomic-'));
  try {
    await fn(dir);
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
}

test('writeJsonAtomic replaces the file, round-trips and leaves no temp file', () =>
  withDir(async (dir) => {
    const file = path.join(dir, 'x.json');
    await writeJsonAtomic(file, { a: 1 });
    await writeJsonAtomic(file, { a: 2 });
    assert.deepEqual(await readJsonIfExists(file), { a: 2 });
    assert.deepEqual(await fs.readdir(dir), ['x.json']);
  }));

test('writeJsonAtomic writes compact JSON by default and indented JSON with a newline when pretty', () =>
  withDir(async (dir) => {
    const compact = path.join(dir, 'c.json');
    const pretty = path.join(dir, 'p.json');
    await writeJsonAtomic(compact, { a: [1] }, { fsync: false });
    await writeJsonAtomic(pretty, { a: [1] }, { pretty: true });
    assert.equal(await fs.readFile(compact, 'utf8'), '{"a":[1]}');
    assert.equal(await fs.readFile(pretty, 'utf8'), '{\n  "a": [\n    1\n  ]\n}\n');
  }));

test('writeFileAtomic creates the file with the given mode', () =>
  withDir(async (dir) => {
    const file = path.join(dir, 'secret');
    await writeFileAtomic(file, Buffer.from('s'), { mode: 0o600 });
    assert.equal((await fs.stat(file)).mode & 0o777, 0o600);
    assert.equal(await readFileIfExists(file), 's');
  }));

test('writeFileAtomic removes its temp file when the rename fails', () =>
  withDir(async (dir) => {
    const target = path.join(dir, 'occupied');
    await fs.mkdir(path.join(target, 'child'), { recursive: true });
    await assert.rejects(writeFileAtomic(target, 'x'), /EISDIR|ENOTEMPTY|EEXIST/);
    assert.deepEqual(await fs.readdir(dir), ['occupied']);
  }));

test('readJsonIfExists returns undefined for a missing file and throws on invalid JSON', () =>
  withDir(async (dir) => {
    assert.equal(await readJsonIfExists(path.join(dir, 'missing.json')), undefined);
    assert.equal(await readFileIfExists(path.join(dir, 'missing')), undefined);
    await fs.writeFile(path.join(dir, 'bad.json'), '{"a":');
    await assert.rejects(readJsonIfExists(path.join(dir, 'bad.json')), SyntaxError);
  }));

test('readFileIfExists throws errors other than a missing file', () =>
  withDir(async (dir) => {
    await assert.rejects(readFileIfExists(dir), /EISDIR/);
  }));

// Issue 6 security review: the daemon wrote its kubeconfig with writeFileSync, through a symlink
// planted at the name. It now goes through this writer.
test('writeFileAtomic replaces a symlink at the name instead of writing through it', () =>
  withDir(async (dir) => {
    const target = path.join(dir, 'theirs');
    await fs.writeFile(target, 'theirs');
    const file = path.join(dir, 'kubeconfig');
    await fs.symlink(target, file);
    await writeFileAtomic(file, 'admin credentials', { mode: 0o600 });
    assert.equal(await fs.readFile(target, 'utf8'), 'theirs');
    assert.equal((await fs.lstat(file)).isFile(), true);
    assert.equal((await fs.lstat(file)).mode & 0o777, 0o600);
    assert.equal(await fs.readFile(file, 'utf8'), 'admin credentials');
  }));
