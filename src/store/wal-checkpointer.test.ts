import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RESOURCES } from '../k8s/registry.js';
import type { KubeObject } from '../k8s/types.js';
import { FakeClock } from '../system/clock.js';
import { HostExec, type Exec, type ExecResult } from '../system/exec.js';
import { silentLogger } from '../system/logger.js';
import { SqliteStore } from './sqlite-store.js';
import { WalCheckpointer } from './wal-checkpointer.js';

const tmp = mkdtempSync(join(tmpdir(), 'peapod-wal-test-'));
after(() => rmSync(tmp, { recursive: true, force: true }));
const flush = () => new Promise((r) => setImmediate(r));

/** An Exec whose runs stay pending until the test settles them. */
class HeldExec implements Exec {
  readonly calls: { file: string; args: string[]; settle: (r: ExecResult) => void }[] = [];
  run(file: string, args: string[]): Promise<ExecResult> {
    return new Promise((resolve) => this.calls.push({ file, args, settle: resolve }));
  }
}

function checkpointer(exec: Exec, clock: FakeClock, inline = () => {}) {
  return new WalCheckpointer({ exec, dbPath: '/db', clock, logger: silentLogger(), inline, commitsPerCheckpoint: 3, quietMs: 1000, hardLimitCommits: 10 });
}

test('a checkpoint runs after a batch of commits, one at a time, and the commits that came meanwhile get the next one', async () => {
  const exec = new HeldExec();
  const clock = new FakeClock();
  const c = checkpointer(exec, clock);
  c.noteCommit();
  c.noteCommit();
  assert.equal(exec.calls.length, 0);
  c.noteCommit();
  assert.equal(exec.calls.length, 1);
  assert.deepEqual(exec.calls[0]!.args.slice(-1), ['/db']);
  assert.match(exec.calls[0]!.args[0]!, /wal-checkpoint-main\.js$/);
  for (let i = 0; i < 4; i++) c.noteCommit();
  assert.equal(exec.calls.length, 1, 'never two at once');
  exec.calls[0]!.settle({ code: 0, stdout: '{}', stderr: '' });
  await flush();
  assert.equal(exec.calls.length, 2, 'a full batch waited: it runs at once');
  exec.calls[1]!.settle({ code: 0, stdout: '{}', stderr: '' });
  await flush();
  c.stop();
});

test('fewer commits than a batch are checkpointed once the writes pause', async () => {
  const exec = new HeldExec();
  const clock = new FakeClock();
  const c = checkpointer(exec, clock);
  c.noteCommit();
  clock.advance(900);
  c.noteCommit();
  clock.advance(900);
  assert.equal(exec.calls.length, 0, 'the pause counts from the last commit');
  clock.advance(200);
  assert.equal(exec.calls.length, 1);
  c.stop();
  c.noteCommit();
  clock.advance(5000);
  assert.equal(exec.calls.length, 1, 'nothing after stop');
});

test('commits during a checkpoint wait for one pause after it, not one per commit', async () => {
  const exec = new HeldExec();
  const clock = new FakeClock();
  const c = checkpointer(exec, clock);
  for (let i = 0; i < 3; i++) c.noteCommit();
  assert.equal(exec.calls.length, 1);
  c.noteCommit();
  clock.advance(200);
  c.noteCommit();
  clock.advance(300);
  exec.calls[0]!.settle({ code: 0, stdout: '{}', stderr: '' });
  await flush();
  clock.advance(999);
  assert.equal(exec.calls.length, 1);
  clock.advance(1);
  assert.equal(exec.calls.length, 2, 'one checkpoint for the two commits, a pause after the first finished');
  exec.calls[1]!.settle({ code: 0, stdout: '{}', stderr: '' });
  await flush();
  clock.advance(10_000);
  assert.equal(exec.calls.length, 2, 'no timer left behind');
  c.stop();
});

test('when the program keeps failing, the store is checkpointed in process at the hard limit', async () => {
  const exec = new HeldExec();
  const clock = new FakeClock();
  let inline = 0;
  const c = checkpointer(exec, clock, () => inline++);
  for (let i = 0; i < 3; i++) c.noteCommit();
  exec.calls[0]!.settle({ code: 1, stdout: '', stderr: 'disk I/O error' });
  await flush();
  for (let i = 0; i < 6; i++) c.noteCommit();
  assert.equal(inline, 0);
  c.noteCommit();
  assert.equal(inline, 1, 'ten commits without a checkpoint that went through');
  c.stop();
});

test('the checkpoint program moves a real store\'s WAL into its database while the store stays open', async () => {
  const path = join(tmp, 'store.db');
  const clock = new FakeClock();
  const store = new SqliteStore({ path, resources: RESOURCES, clock, autoCheckpoint: false });
  const pod = (name: string): KubeObject => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'default' }, spec: { containers: [{ name: 'c', image: 'busybox' }] } });
  for (let i = 0; i < 300; i++) store.create('pods', pod(`p${i}`));
  const walBefore = statSync(`${path}-wal`).size;
  assert.ok(walBefore > 1_000_000, `the WAL grew without SQLite's own checkpoints: ${walBefore}`);
  const results: string[] = [];
  const exec: Exec = { run: async (file, args, opts) => { const r = await new HostExec().run(file, args, opts); results.push(r.stdout || r.stderr); return r; } };
  const c = new WalCheckpointer({ exec, dbPath: path, clock, logger: silentLogger(), inline: () => store.checkpoint(), commitsPerCheckpoint: 1, quietMs: 1000 });
  c.noteCommit();
  while (c.busy) await new Promise((r) => setTimeout(r, 20));
  const out = JSON.parse(results[0]!) as { busy: number; log: number; checkpointed: number };
  assert.equal(out.busy, 0);
  assert.ok(out.log > 0 && out.checkpointed === out.log, results[0]);
  store.create('pods', pod('after'));
  assert.ok(statSync(`${path}-wal`).size <= walBefore, 'the next write reuses the WAL from its start');
  store.close();
  const again = new SqliteStore({ path, resources: RESOURCES, clock });
  assert.equal(again.list('pods', { namespace: 'default' }).items.length, 301);
  again.close();
  c.stop();
});
