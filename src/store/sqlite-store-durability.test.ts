// What a SIGKILL leaves of the store (issue 13, store durability): every write that returned is in the
// file, and the file is intact. A child process opens the store as the daemon does (WAL, no automatic
// checkpoint: wal-checkpointer.ts runs them), writes, reports each write once it returned, and is killed
// with SIGKILL mid-stream; the test then opens the file again. The settings behind it: WAL with
// synchronous NORMAL writes each commit into the WAL file before the call returns (the OS holds it from
// then on, so only a power loss, not a killed process, can take the last commits back; FULL would add an
// fsync per commit on the event loop), and never leaves a torn database either way.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import Database from 'better-sqlite3';
import { RESOURCES } from '../k8s/registry.js';
import type { KubeObject } from '../k8s/types.js';
import { FakeClock } from '../system/clock.js';
import { SqliteStore } from './sqlite-store.js';

const tmp = mkdtempSync(join(tmpdir(), 'peapod-store-kill-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

const STORE_MODULE = new URL('./sqlite-store.js', import.meta.url).href;
const REGISTRY_MODULE = new URL('../k8s/registry.js', import.meta.url).href;
const CLOCK_MODULE = new URL('../system/clock.js', import.meta.url).href;

/**
 * The writer: creates ConfigMaps and replaces every fifth one, printing each write once it returned (with
 * a blocking write: the loop never yields, so a stream's buffered writes would never leave the process).
 */
const WRITER = `
import { writeSync } from 'node:fs';
import { SqliteStore } from ${JSON.stringify(STORE_MODULE)};
import { RESOURCES } from ${JSON.stringify(REGISTRY_MODULE)};
import { FakeClock } from ${JSON.stringify(CLOCK_MODULE)};
const store = new SqliteStore({ path: process.argv[1], resources: RESOURCES, clock: new FakeClock(0), autoCheckpoint: false });
for (let i = 0; ; i++) {
  const name = process.argv[2] + i;
  store.create('configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'default' }, data: { v: 'a'.repeat(i % 3000) } });
  writeSync(1, 'created ' + name + '\\n');
  if (i % 5 === 4) {
    const target = process.argv[2] + (i - 2);
    store.update('configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: target, namespace: 'default' }, data: { v: 'updated ' + i } });
    writeSync(1, 'updated ' + target + ' ' + i + '\\n');
  }
}
`;

/** Runs the writer until it has reported `writes` writes, then SIGKILLs it; returns what it reported. */
function writeThenKill(dbPath: string, prefix: string, writes: number): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', WRITER, dbPath, prefix], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    let killed = false;
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      out += chunk;
      if (!killed && out.split('\n').length > writes) {
        killed = true;
        child.kill('SIGKILL');
      }
    });
    child.stderr.on('data', (chunk) => (err += chunk));
    child.on('error', reject);
    child.on('close', (code, signal) => {
      if (signal !== 'SIGKILL') return reject(new Error(`the writer ended by itself (${code}): ${err}`));
      resolve(out.split('\n').slice(0, -1)); // whole lines only: the last may be cut
    });
  });
}

test('a process killed with SIGKILL mid-burst loses none of the writes that returned, and leaves an intact file', async () => {
  const dbPath = join(tmp, 'kill.db');
  for (let round = 0; round < 2; round++) {
    const reported = await writeThenKill(dbPath, `cm-${round}-`, 300 + round * 200);
    const db = new Database(dbPath, { readonly: true, fileMustExist: true });
    try {
      assert.deepEqual(db.pragma('integrity_check'), [{ integrity_check: 'ok' }]);
      assert.equal(db.pragma('journal_mode', { simple: true }), 'wal');
    } finally {
      db.close();
    }
    const store = new SqliteStore({ path: dbPath, resources: RESOURCES, clock: new FakeClock(0) });
    try {
      const want = new Map<string, string | undefined>();
      for (const line of reported) {
        const [verb, name, i] = line.split(' ');
        if (verb === 'created' && !want.has(name!)) want.set(name!, undefined);
        if (verb === 'updated') want.set(name!, `updated ${i}`);
      }
      assert.ok(want.size >= 250, `only ${want.size} writes reported`);
      const missing: string[] = [];
      for (const [name, v] of want) {
        const cm = store.tryGet<KubeObject & { data?: { v?: string } }>('configmaps', 'default', name);
        if (!cm) missing.push(`${name} missing`);
        else if (v !== undefined && cm.data?.v !== v) missing.push(`${name}: ${cm.data?.v?.slice(0, 20)} instead of ${v}`);
      }
      assert.deepEqual(missing, []);
    } finally {
      store.close();
    }
  }
});

test('a commit is in the database file when the call returns: another connection reads it at once', () => {
  const store = new SqliteStore({ path: join(tmp, 'pragmas.db'), resources: RESOURCES, clock: new FakeClock(0), autoCheckpoint: false });
  try {
    store.create('configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'seen', namespace: 'default' } });
    // Another connection sees the commit at once: it is in the WAL file, not in this process.
    const db = new Database(join(tmp, 'pragmas.db'), { readonly: true });
    try {
      const row = db.prepare("SELECT name FROM objects WHERE resource = 'configmaps' AND name = 'seen'").get();
      assert.deepEqual(row, { name: 'seen' });
    } finally {
      db.close();
    }
  } finally {
    store.close();
  }
});
