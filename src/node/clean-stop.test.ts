// The daemon's clean stop (issue 14, item 2) with a fake runtime and network: node-level state goes only
// when no sandbox and no container is left, and never a run dir with something still mounted under it.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { silentLogger } from '../system/logger.js';
import { removeNodeStateIfIdle } from './clean-stop.js';
import { nodePaths, type NodePaths } from './paths.js';

function setup(opts: { sandboxes?: number; containers?: number; mountinfo?: (runDir: string) => string } = {}) {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'peapod-cleanstop-'));
  const paths: NodePaths = { ...nodePaths(path.join(root, 'data')), runDir: path.join(root, 'run') };
  fs.mkdirSync(path.join(paths.runDir, 'runc'), { recursive: true });
  const calls: string[] = [];
  const runtime = {
    listPodSandboxes: async () => Array.from({ length: opts.sandboxes ?? 0 }, () => ({}) as never),
    listContainers: async () => Array.from({ length: opts.containers ?? 0 }, () => ({}) as never),
    teardownNode: async () => void calls.push('runtime.teardownNode'),
  };
  const network = { teardownNode: async () => void calls.push('network.teardownNode') };
  const deps = { runtime, network, paths, logger: silentLogger(), readMountInfo: async () => opts.mountinfo?.(paths.runDir) ?? '1 0 0:1 / / rw - ext4 none rw\n' };
  return { root, paths, calls, deps };
}

test('with no pod left, the network and the cgroup parents are torn down and the run dir removed', async () => {
  const s = setup();
  try {
    assert.equal(await removeNodeStateIfIdle(s.deps), true);
    assert.deepEqual(s.calls, ['runtime.teardownNode', 'network.teardownNode']);
    assert.equal(fs.existsSync(s.paths.runDir), false);
  } finally {
    fs.rmSync(s.root, { recursive: true, force: true });
  }
});

test('a sandbox or a container left keeps everything', async () => {
  for (const left of [{ sandboxes: 1 }, { containers: 1 }]) {
    const s = setup(left);
    try {
      assert.equal(await removeNodeStateIfIdle(s.deps), false);
      assert.deepEqual(s.calls, []);
      assert.equal(fs.existsSync(s.paths.runDir), true);
    } finally {
      fs.rmSync(s.root, { recursive: true, force: true });
    }
  }
});

test('a run dir with a mount still under it is kept, and the stop says why', async () => {
  const s = setup({ mountinfo: (runDir) => `1 0 0:1 / / rw - ext4 none rw\n2 1 0:2 / ${runDir}/netns/x rw - nsfs none rw\n` });
  try {
    await assert.rejects(removeNodeStateIfIdle(s.deps), new RegExp(`run dir ${s.paths.runDir} kept: still mounted under it: ${s.paths.runDir}/netns/x`));
    assert.equal(fs.existsSync(s.paths.runDir), true);
  } finally {
    fs.rmSync(s.root, { recursive: true, force: true });
  }
});
