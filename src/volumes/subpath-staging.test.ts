import { test } from 'node:test';
import assert from 'node:assert/strict';
import { promises as fs, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { nodePaths, type NodePaths } from '../node/paths.js';
import type { Mounter } from '../system/mounter.js';
import { podDir } from './layout.js';
import { stageSubPath, stagingPath, type StageRequest } from './subpath-staging.js';

/**
 * A Mounter over a fake mount table: a mountinfo file listing what it "mounted", which the stager
 * reads through its mountInfoPath. `bind` says what bindFd does; `unmountFails` makes unmount throw.
 */
class FakeMounter implements Mounter {
  readonly calls: string[] = [];
  readonly mounted: string[] = [];
  bind: 'mounts' | 'mounts then fails' | 'fails' = 'mounts';
  unmountFails = false;
  constructor(readonly mountInfoPath: string) {
    this.write();
  }
  async bindFd(_fd: number, target: string): Promise<void> {
    this.calls.push(`bindFd ${target}`);
    if (this.bind !== 'fails') this.mounted.push(target);
    this.write();
    if (this.bind !== 'mounts') throw new Error('mount exited 32: mount: fake failure');
  }
  async unmount(target: string): Promise<void> {
    this.calls.push(`unmount ${target}`);
    if (this.unmountFails) throw new Error(`umount --no-canonicalize ${target}: exit 32: target is busy`);
    const i = this.mounted.lastIndexOf(target);
    if (i >= 0) this.mounted.splice(i, 1);
    this.write();
  }
  private write(): void {
    const lines = this.mounted.map((m, i) => `${100 + i} 1 0:50 / ${m} rw,relatime shared:1 - none none rw`);
    writeFileSync(this.mountInfoPath, lines.join('\n') + '\n');
  }
}

interface Scratch {
  paths: NodePaths;
  mounter: FakeMounter;
  req: StageRequest;
  target: string;
}

async function withScratch(fn: (s: Scratch) => Promise<void>): Promise<void> {
  const dir = await fs.realpath(await fs.mkdtemp(path.join(os.tmpdir(), 'peapod-staging-')));
  try {
    const paths = nodePaths(path.join(dir, 'data'));
    const volumeRoot = path.join(dir, 'volume');
    await fs.mkdir(path.join(volumeRoot, 'sub'), { recursive: true });
    const req: StageRequest = { podUid: 'uid-1', volume: 'data', container: 'c', index: 0, volumeRoot, subPath: 'sub' };
    await fs.mkdir(podDir(paths, req.podUid), { recursive: true });
    const mounter = new FakeMounter(path.join(dir, 'mountinfo'));
    await fn({ paths, mounter, req, target: stagingPath(paths, req) });
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
}

const exists = (p: string) => fs.lstat(p).then(() => true, () => false);
const stage = (s: Scratch) => stageSubPath({ paths: s.paths, mounter: s.mounter, mountInfoPath: s.mounter.mountInfoPath }, s.req);

test('a staged subPath is bound on its staging path, which is returned', () =>
  withScratch(async (s) => {
    assert.equal(await stage(s), s.target);
    assert.deepEqual(s.mounter.calls, [`bindFd ${s.target}`]);
    assert.deepEqual(s.mounter.mounted, [s.target]);
  }));

test('issue 6: a bind that fails after mounting is unmounted before its target is removed, and its own error is reported', () =>
  withScratch(async (s) => {
    s.mounter.bind = 'mounts then fails';
    await assert.rejects(stage(s), (err: Error) => {
      assert.equal(err.message, 'stage subPath sub of volume "data" for container "c": mount exited 32: mount: fake failure');
      assert.equal((err.cause as Error).message, 'mount exited 32: mount: fake failure');
      return true;
    });
    assert.deepEqual(s.mounter.calls, [`bindFd ${s.target}`, `unmount ${s.target}`]);
    assert.deepEqual(s.mounter.mounted, []);
    assert.equal(await exists(s.target), false);
  }));

test('issue 6: when that clean-up fails too, the staging error is still the one reported, the clean-up its context', () =>
  withScratch(async (s) => {
    s.mounter.bind = 'mounts then fails';
    s.mounter.unmountFails = true;
    await assert.rejects(stage(s), (err: Error) => {
      assert.equal(
        err.message,
        `stage subPath sub of volume "data" for container "c": mount exited 32: mount: fake failure; ` +
          `clean-up of ${s.target} failed too: umount --no-canonicalize ${s.target}: exit 32: target is busy`,
      );
      assert.equal((err.cause as Error).message, 'mount exited 32: mount: fake failure');
      return true;
    });
    // The unverified mount stays (nothing could remove it); the next staging or the teardown unmounts it.
    assert.deepEqual(s.mounter.mounted, [s.target]);
    assert.equal(await exists(s.target), true);
  }));

test('a bind that mounted nothing only has its target removed', () =>
  withScratch(async (s) => {
    s.mounter.bind = 'fails';
    await assert.rejects(stage(s), /^Error: stage subPath sub of volume "data" for container "c": mount exited 32/);
    assert.deepEqual(s.mounter.calls, [`bindFd ${s.target}`]);
    assert.equal(await exists(s.target), false);
  }));

test('staging again unmounts what the previous instance left on the target first', () =>
  withScratch(async (s) => {
    await stage(s);
    await stage(s);
    assert.deepEqual(s.mounter.calls, [`bindFd ${s.target}`, `unmount ${s.target}`, `bindFd ${s.target}`]);
    assert.deepEqual(s.mounter.mounted, [s.target]);
  }));
