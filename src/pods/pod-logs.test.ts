// Pod log directories go with their pods (issue 13: a churn of 1,000 pods left 1,000 directories).

import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { nodePaths, podLogDirectory, type NodePaths } from '../node/paths.js';
import { harness } from './manager-harness.js';
import { podUidOfLogDirectory } from './pod-logs.js';

function tempPaths(t: { after: (fn: () => void) => void }): NodePaths {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'peapod-pod-logs-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  return nodePaths(dir);
}

function makeLogDir(paths: NodePaths, name: string, uid: string): string {
  const dir = podLogDirectory(paths, 'default', name, uid);
  fs.mkdirSync(path.join(dir, 'c'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'c', '0.log'), '2026-12-03T00:00:00Z stdout F hello\n');
  return dir;
}

test('a log directory name gives its pod uid, other names none', () => {
  assert.equal(podUidOfLogDirectory('default_web-1_5f0c9a4e-1b2c-4d3e-8f90-0123456789ab'), '5f0c9a4e-1b2c-4d3e-8f90-0123456789ab');
  assert.equal(podUidOfLogDirectory('kube-system_static-web-node1_3d5b1f0e9c8a7b6d5e4f3a2b1c0d9e8f'), '3d5b1f0e9c8a7b6d5e4f3a2b1c0d9e8f');
  assert.equal(podUidOfLogDirectory('README'), undefined);
  assert.equal(podUidOfLogDirectory('default_web'), undefined);
});

test('a deleted pod has its log directory removed once it is torn down, another pod keeps its own', async (t) => {
  const paths = tempPaths(t);
  const h = harness();
  const mgr = h.newManager({ paths });
  await mgr.start();
  const gone = h.create({ terminationGracePeriodSeconds: 1 }, 'gone');
  const kept = h.create({}, 'kept');
  await mgr.idle();
  assert.equal(h.pod('gone').status?.phase, 'Running');
  const goneDir = makeLogDir(paths, 'gone', gone.metadata.uid!);
  const keptDir = makeLogDir(paths, 'kept', kept.metadata.uid!);
  h.markDeleted(1, 'gone');
  for (let i = 0; i < 5 && h.store.tryGet('pods', 'default', 'gone'); i++) {
    h.clock.advance(1000);
    await mgr.idle();
  }
  assert.equal(h.store.tryGet('pods', 'default', 'gone'), undefined, 'the pod finished its deletion');
  assert.equal(fs.existsSync(goneDir), false, 'the deleted pod left its log directory behind');
  assert.ok(fs.existsSync(path.join(keptDir, 'c', '0.log')));
  await mgr.stop();
});

test('a force-deleted pod has its log directory removed too', async (t) => {
  const paths = tempPaths(t);
  const h = harness();
  const mgr = h.newManager({ paths });
  await mgr.start();
  const pod = h.create({});
  await mgr.idle();
  const dir = makeLogDir(paths, 'p', pod.metadata.uid!);
  h.store.delete('pods', 'default', 'p');
  for (let i = 0; i < 5 && h.runtime.sandboxes.size > 0; i++) {
    h.clock.advance(1000);
    await mgr.idle();
  }
  assert.equal(h.runtime.sandboxes.size, 0);
  assert.equal(fs.existsSync(dir), false);
  await mgr.stop();
});

test('at start the log directories of pods that are neither stored nor in the runtime are removed', async (t) => {
  const paths = tempPaths(t);
  const h = harness();
  const stored = h.create({}, 'stored');
  const storedDir = makeLogDir(paths, 'stored', stored.metadata.uid!);
  const strayDir = makeLogDir(paths, 'stray', '0b7e0c55-0000-4000-8000-00000000dead');
  fs.writeFileSync(path.join(paths.podLogsDir, 'README'), 'not a pod\n');
  const mgr = h.newManager({ paths });
  await mgr.start();
  await mgr.idle();
  assert.equal(fs.existsSync(strayDir), false, 'a log directory of a pod nobody knows stayed');
  assert.ok(fs.existsSync(storedDir));
  assert.ok(fs.existsSync(path.join(paths.podLogsDir, 'README')), 'a name that is not a pod log directory is left alone');
  await mgr.stop();
});
