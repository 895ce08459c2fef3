// Root integration test of pod volume teardown against a container that still writes into its
// emptyDir (issue 6, "close the ways to root"): a teardown that removed the tree by name
// (fs.rm(recursive): lstat, rmdir → ENOTEMPTY, readdir by name) followed a directory swapped for a
// symlink in between and unlinked the children of a host directory through it. Here a swapper
// (support/swapper.ts) exchanges a directory of the volume with a symlink to a victim directory
// outside the pod, in a tight loop, while the volumes are torn down, over and over: the victim's files
// must survive every trial. Leaves nothing behind: swappers, mounts, dirs.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Pod } from '../../src/k8s/types.js';
import { RESOURCES } from '../../src/k8s/registry.js';
import { nodePaths, type NodePaths } from '../../src/node/paths.js';
import { SqliteStore } from '../../src/store/sqlite-store.js';
import { SystemClock } from '../../src/system/clock.js';
import { HostExec } from '../../src/system/exec.js';
import { silentLogger } from '../../src/system/logger.js';
import { mountsUnder, readMountInfo } from '../../src/system/mountinfo.js';
import { removeTreeBeneath } from '../../src/system/remove-tree.js';
import { HostVolumeManager } from '../../src/volumes/host-volumes.js';
import { Swappers } from './support/swapper.js';

/** Trials of the race; PEAPOD_RACE_TRIALS changes it (a bigger number for a longer hunt). */
const TRIALS = Number(process.env.PEAPOD_RACE_TRIALS ?? 150);
/** Files per directory: the more there are, the longer a by-name removal spends inside the gap. */
const FILES = 40;

const exists = (p: string) => fs.lstat(p).then(() => true, () => false);

if (process.getuid?.() !== 0) {
  test('pod volume teardown races (needs root)', { skip: 'needs root: run as root' }, () => {});
} else {
  suite();
}

function suite(): void {
  const exec = new HostExec();
  const swappers = new Swappers();
  let dataDir = '';
  let victim = '';
  let paths: NodePaths;
  let store: SqliteStore;
  let vm: HostVolumeManager;

  before(async () => {
    dataDir = await fs.realpath(await fs.mkdtemp(path.join(os.tmpdir(), 'peapod-teardown-it-')));
    paths = nodePaths(dataDir);
    victim = path.join(dataDir, 'host-victim');
    store = new SqliteStore({ path: ':memory:', resources: RESOURCES, clock: new SystemClock() });
    vm = new HostVolumeManager({ paths, exec, store, logger: silentLogger() });
  });

  after(async () => {
    // Runs even on failure: the swappers first (nothing races the clean-up), then mounts, then dirs.
    swappers.killAll();
    for (const m of mountsUnder(await readMountInfo(), dataDir)) await exec.run('umount', ['-l', m.mountPoint]);
    store?.close();
    await fs.rm(dataDir, { recursive: true, force: true });
  });

  /** `dir` with files f0..f<FILES-1> and a subdirectory `sub` holding the same names. */
  async function fill(dir: string, content: string): Promise<void> {
    await fs.mkdir(path.join(dir, 'sub'), { recursive: true });
    for (let i = 0; i < FILES; i++) {
      await fs.writeFile(path.join(dir, `f${i}`), content);
      await fs.writeFile(path.join(dir, 'sub', `f${i}`), content);
    }
  }

  /** How many of the victim's files are left (2 * FILES when untouched). */
  async function victimFiles(): Promise<number> {
    const top = (await fs.readdir(victim)).filter((n) => n.startsWith('f')).length;
    const sub = (await fs.readdir(path.join(victim, 'sub')).catch(() => [])).length;
    return top + sub;
  }

  const newPod = (uid: string): Pod => ({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: uid, namespace: 'default', uid },
    spec: { containers: [{ name: 'c', image: 'busybox' }], volumes: [{ name: 'scratch', emptyDir: {} }] },
  });

  test('issue 6: tearing down an emptyDir a container swaps a dir in for a symlink to the host never removes host files', async () => {
    await fill(victim, 'host');
    const failures: string[] = [];
    let swaps = 0;
    let endedBySelf = 0;
    for (let trial = 0; trial < TRIALS; trial++) {
      const uid = `uid-race-${trial}`;
      const vol = (await vm.setUpPodVolumes(newPod(uid))).get('scratch')!.hostPath;
      // vol/a/d is the container's directory, vol/a/l its symlink to the host; the swapper exchanges
      // the two names, so a walk by name meets either at any instant.
      const a = path.join(vol, 'a');
      await fill(path.join(a, 'd'), 'pod');
      await fs.symlink(victim, path.join(a, 'l'));
      const swapper = await swappers.start(a, [['d', 'l']], { maxPauseMs: 0 });
      try {
        await vm.tearDownPodVolumes(uid).catch((err: Error) => failures.push(`trial ${trial}: teardown: ${err.message}`));
      } finally {
        swaps += await swapper.stop();
        if (swapper.endedBy()) endedBySelf++;
      }
      const left = await victimFiles();
      assert.equal(left, 2 * FILES, `trial ${trial}: the teardown removed ${2 * FILES - left} host files through the swapped symlink`);
      assert.equal((await fs.lstat(victim)).isDirectory(), true);
      // A teardown that failed is done again with nothing racing it: the next trial starts clean.
      if (await exists(path.join(paths.podsDir, uid))) await vm.tearDownPodVolumes(uid);
    }
    console.log(`teardown race: ${TRIALS} trials, ${swaps} swap rounds, ${endedBySelf} swappers stopped by the teardown, ${failures.length} teardowns failed`);
    assert.ok(swaps > TRIALS, 'the swapper hardly ran: the race was not exercised');
    assert.deepEqual(failures, [], 'every teardown under the race completes');
    assert.deepEqual(await fs.readdir(paths.podsDir), []);
  });

  test('removeTreeBeneath unlinks a symlink as a name and leaves what it points to', async () => {
    const outside = path.join(dataDir, 'outside');
    await fill(outside, 'host');
    const tree = path.join(dataDir, 'tree');
    await fill(path.join(tree, 'x'), 'pod');
    await fs.symlink(outside, path.join(tree, 'x', 'to-dir'));
    await fs.symlink(path.join(outside, 'f0'), path.join(tree, 'to-file'));
    await removeTreeBeneath(tree);
    assert.equal(await exists(tree), false);
    assert.equal((await fs.readdir(outside)).length, FILES + 1);
    assert.equal(await fs.readFile(path.join(outside, 'f0'), 'utf8'), 'host');
  });

  test('removeTreeBeneath refuses to descend into another filesystem and leaves it untouched', async () => {
    const tree = path.join(dataDir, 'mounted-tree');
    const mnt = path.join(tree, 'shm');
    await fs.mkdir(mnt, { recursive: true });
    await fs.writeFile(path.join(tree, 'hosts'), 'h');
    const r = await exec.run('mount', ['-t', 'tmpfs', 'tmpfs', mnt]);
    assert.equal(r.code, 0, r.stderr);
    try {
      await fs.writeFile(path.join(mnt, 'keep'), 'k');
      await assert.rejects(removeTreeBeneath(tree), /shm.*another filesystem/);
      assert.equal(await fs.readFile(path.join(mnt, 'keep'), 'utf8'), 'k');
    } finally {
      await exec.run('umount', ['--no-canonicalize', mnt]);
    }
    await removeTreeBeneath(tree);
    assert.equal(await exists(tree), false);
  });
}
