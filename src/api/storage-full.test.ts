import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import Database from 'better-sqlite3';
import { errorToStatus } from './status.js';
import { diskFullError } from './storage-full.js';

/** A real SQLITE_FULL: an in-memory database capped at a few pages, filled past them. */
function sqliteFull(): Error {
  const db = new Database(':memory:');
  try {
    db.pragma('max_page_count = 4');
    db.exec('CREATE TABLE t (v TEXT)');
    const insert = db.prepare('INSERT INTO t VALUES (?)');
    for (let i = 0; i < 100; i++) insert.run('x'.repeat(4096));
  } catch (err) {
    return err as Error;
  } finally {
    db.close();
  }
  throw new Error('the capped database never filled');
}

/** A real ENOSPC: /dev/full refuses every write with it. */
function enospc(): Error {
  try {
    fs.writeFileSync('/dev/full', 'x');
  } catch (err) {
    return err as Error;
  }
  throw new Error('/dev/full accepted a write');
}

test('a store write that finds the database full is 507 InsufficientStorage naming the cause, not a 500', () => {
  const err = sqliteFull();
  assert.equal((err as { code?: string }).code, 'SQLITE_FULL');
  const { status, internal } = errorToStatus(err);
  assert.equal(internal, false);
  assert.equal(status.code, 507);
  assert.equal(status.reason, 'InsufficientStorage');
  assert.equal(status.status, 'Failure');
  assert.match(status.message ?? '', /^insufficient storage: the node's data disk \(the store\) is full \(database or disk is full\)/);
});

test('a file write that fails with ENOSPC is 507, also when wrapped as the cause of another error', () => {
  const err = enospc();
  assert.equal(errorToStatus(err).status.code, 507);
  const wrapped = new Error('import image "localhost/x:1": write blob', { cause: err });
  const { status } = errorToStatus(wrapped);
  assert.equal(status.code, 507);
  assert.match(status.message ?? '', /^insufficient storage: no space left \(ENOSPC: no space left on device/, "an ENOSPC does not say which disk: the error's own path says where");
});

test('other errors with a code are not taken for a full disk', () => {
  const err = Object.assign(new Error('EACCES: permission denied'), { code: 'EACCES' });
  assert.equal(diskFullError(err), undefined);
  assert.equal(errorToStatus(err).status.code, 500);
  const loop: Error & { cause?: unknown } = new Error('a cause cycle');
  loop.cause = loop;
  assert.equal(diskFullError(loop), undefined);
});
