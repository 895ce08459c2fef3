// Root integration test of subPath staging (issue 6, CVE-2021-25741): while a "sidecar" keeps swapping
// a directory inside an emptyDir with a symlink to the host root, subPath mounts are staged again and
// again, by containerMounts alone and for a crash-looping container run by the real runtime. Every
// staged mount must be the volume's directory, never the host root. The swapper (support/swapper.ts)
// exchanges the names with renameat2(RENAME_EXCHANGE), so each always exists and is either the real
// directory or the symlink, with no gap. Leaves nothing behind: mounts, dirs, runc state, the swapper.
// This is the regression test of the subPath race (issue 6; issue 13 checked it fails without the fix):
// staging a mount by the subPath's name after the descriptor walk puts the host root in the container
// ("HOST-ROOT", and the swap loop's staged mount is the host's /), and mount(8) without
// --no-canonicalize is caught by the mounter's inode check, which no refusal below may swallow.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Container, Pod } from '../../src/k8s/types.js';
import { RESOURCES } from '../../src/k8s/registry.js';
import { ContainerConfigError } from '../../src/errors.js';
import { nodePaths, type NodePaths } from '../../src/node/paths.js';
import { SqliteStore } from '../../src/store/sqlite-store.js';
import { SystemClock } from '../../src/system/clock.js';
import { HostExec } from '../../src/system/exec.js';
import { silentLogger } from '../../src/system/logger.js';
import { HostMounter } from '../../src/system/mounter.js';
import { isMountPoint, mountsUnder, readMountInfo } from '../../src/system/mountinfo.js';
import { HostVolumeManager } from '../../src/volumes/host-volumes.js';
import { makeContainerMounts } from '../../src/volumes/mounts.js';
import type { ContainerMountsFn, MountedVolume } from '../../src/volumes/volumes.js';
import { LocalImageService } from '../../src/images/local-image-service.js';
import { buildBusyboxImage } from '../../src/images/busybox.js';
import { RuncRuntime } from '../../src/runtime/runc-runtime.js';
import { FakeNetwork } from '../../src/runtime/fake-network.js';
import type { PodSandboxConfig } from '../../src/runtime/runtime.js';
import { busyboxContainer, waitExited } from './support/runtime-fixtures.js';
import { Swappers } from './support/swapper.js';

const swappers = new Swappers();
const startSwapper = (dir: string, pairs: [string, string][]) => swappers.start(dir, pairs);

/** dev:ino, the identity a bind mount shares with its source. */
async function identity(p: string): Promise<string> {
  const st = await fs.stat(p, { bigint: true });
  return `${st.dev}:${st.ino}`;
}

const exists = (p: string) => fs.lstat(p).then(() => true, () => false);

if (process.getuid?.() !== 0) {
  test('subPath staging (needs root)', { skip: 'needs root: run as root' }, () => {});
} else {
  suite();
}

function suite(): void {
  const exec = new HostExec();
  let dataDir = '';
  let paths: NodePaths;
  let store: SqliteStore;
  let vm: HostVolumeManager;
  let containerMounts: ContainerMountsFn;
  let runtime: RuncRuntime | undefined;

  before(async () => {
    dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'peapod-subpath-it-'));
    paths = nodePaths(dataDir);
    store = new SqliteStore({ path: ':memory:', resources: RESOURCES, clock: new SystemClock() });
    vm = new HostVolumeManager({ paths, exec, store, logger: silentLogger() });
    containerMounts = makeContainerMounts({ paths, mounter: new HostMounter({ exec }) });
  });

  after(async () => {
    // Runs even on failure: the swappers, the runtime's sandboxes, then every mount under the data dir.
    swappers.killAll();
    try {
      if (runtime) {
        for (const s of await runtime.listPodSandboxes()) await runtime.removePodSandbox(s.id);
        await runtime.teardownNode();
        await runtime.close();
      }
    } finally {
      for (const m of mountsUnder(await readMountInfo(), await fs.realpath(dataDir))) await exec.run('umount', ['-l', m.mountPoint]);
      store?.close();
      await fs.rm(dataDir, { recursive: true, force: true });
      if (paths) await fs.rm(paths.runDir, { recursive: true, force: true });
    }
  });

  const newPod = (name: string): Pod => ({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'default', uid: `uid-${name}` },
    spec: { containers: [], volumes: [{ name: 'data', emptyDir: {} }] },
  });

  /**
   * A volume with two swap targets: `sub` (mounted as a whole) and `mid` (mounted at `mid/etc`), each
   * exchanged with a symlink to `/`. A mount that followed either would show the host's /etc/hostname.
   */
  async function swapVolume(pod: Pod): Promise<{ vols: Map<string, MountedVolume>; want: string[] }> {
    const vols = await vm.setUpPodVolumes(pod);
    const vol = vols.get('data')!.hostPath;
    await fs.mkdir(path.join(vol, 'sub'));
    await fs.writeFile(path.join(vol, 'sub/marker'), 'volume');
    await fs.mkdir(path.join(vol, 'mid/etc'), { recursive: true });
    await fs.symlink('/', path.join(vol, 'sub.link'));
    await fs.symlink('/', path.join(vol, 'mid.link'));
    return { vols, want: [await identity(path.join(vol, 'sub')), await identity(path.join(vol, 'mid/etc'))] };
  }

  const swapMounts: Container['volumeMounts'] = [
    { name: 'data', mountPath: '/data', subPath: 'sub' },
    { name: 'data', mountPath: '/etcish', subPath: 'mid/etc' },
  ];

  /** The host files a mount of `/` (first) or `/etc` (second) would show. */
  const rootMarkers = ['etc/hostname', 'hostname'];

  function stagingTargets(uid: string, container: string): Promise<string[]> {
    return fs.realpath(paths.podsDir).then((pods) => [0, 1].map((i) => path.join(pods, uid, 'volume-subpaths/data', container, String(i))));
  }

  /** Classifies a refusal; anything that is not a ContainerConfigError fails the test. */
  function refusal(err: unknown): string {
    if (!(err instanceof ContainerConfigError)) throw err;
    if (/resolves outside the volume/.test(err.message)) return 'outside (by name)';
    if (/is a symlink \(symlinks are not followed/.test(err.message)) return 'symlink met by the descriptor walk';
    return err.message;
  }

  test('swap loop: 200 restarts of subPath mounts never stage the host root', async () => {
    const pod = newPod('swap');
    const { vols, want } = await swapVolume(pod);
    const hostRoot = [await identity('/'), await identity('/etc')];
    const targets = await stagingTargets('uid-swap', 'c');
    const container: Container = { name: 'c', volumeMounts: swapMounts };
    const refused: Record<string, number> = {};
    let started = 0;
    let checked = 0;
    const swapper = await startSwapper(vols.get('data')!.hostPath, [['sub', 'sub.link'], ['mid', 'mid.link']]);
    const t0 = performance.now();
    try {
      for (let i = 0; i < 200; i++) {
        try {
          await containerMounts(pod, container, vols);
          started++;
        } catch (err) {
          const why = refusal(err);
          refused[why] = (refused[why] ?? 0) + 1;
        }
        // Whatever is staged now (also the first mount of an attempt whose second was refused).
        const mounts = await readMountInfo();
        for (let m = 0; m < targets.length; m++) {
          if (!isMountPoint(mounts, targets[m])) continue;
          checked++;
          const got = await identity(targets[m]);
          assert.notEqual(got, hostRoot[m], `attempt ${i}: mount ${m} is the host's ${m === 0 ? '/' : '/etc'}`);
          assert.equal(got, want[m], `attempt ${i}: mount ${m} is not the volume's directory`);
          assert.equal(await exists(path.join(targets[m], rootMarkers[m])), false, `attempt ${i}: host file visible`);
        }
      }
    } finally {
      const swaps = await swapper.stop();
      console.log(`swap loop: ${swaps} swaps in ${Math.round(performance.now() - t0)} ms; 200 attempts: ${started} staged both mounts, ${checked} staged mounts checked, refused: ${JSON.stringify(refused)}`);
    }
    assert.ok(started > 0, 'no attempt staged its mounts: the test proved nothing');
    assert.ok(Object.keys(refused).length > 0, 'nothing was ever refused: the swapper did not race');
    await vm.tearDownPodVolumes('uid-swap');
    assert.deepEqual(mountsUnder(await readMountInfo(), await fs.realpath(dataDir)), []);
  });

  test('a subPath that is a symlink out of the volume is refused with a clear message, and nothing is staged', async () => {
    const pod = newPod('link');
    const vols = await vm.setUpPodVolumes(pod);
    const vol = vols.get('data')!.hostPath;
    await fs.symlink('/', path.join(vol, 'evil'));
    await fs.mkdir(path.join(vol, 'real'));
    await fs.symlink('real', path.join(vol, 'fine'));
    for (const subPath of ['evil', 'evil/etc']) {
      await assert.rejects(
        containerMounts(pod, { name: 'c', volumeMounts: [{ name: 'data', mountPath: '/x', subPath }] }, vols),
        (err: unknown) => err instanceof ContainerConfigError && err.message === `subPath ${subPath} resolves outside the volume`,
      );
    }
    assert.deepEqual(mountsUnder(await readMountInfo(), await fs.realpath(path.join(paths.podsDir, 'uid-link'))), []);
    // A symlink that stays inside the volume is resolved once, by name, then the target opened safely.
    const [m] = await containerMounts(pod, { name: 'c', volumeMounts: [{ name: 'data', mountPath: '/x', subPath: 'fine' }] }, vols);
    assert.equal(await identity(m.hostPath), await identity(path.join(vol, 'real')));
    await vm.tearDownPodVolumes('uid-link');
  });

  test('teardown removes staging mounts a crashed daemon left, never follows a symlink, and can run twice', async () => {
    const pod = newPod('crash');
    const vols = await vm.setUpPodVolumes(pod);
    const vol = vols.get('data')!.hostPath;
    await fs.writeFile(path.join(vol, 'file'), 'keep');
    const got = await containerMounts(pod, { name: 'c', volumeMounts: [
      { name: 'data', mountPath: '/d', subPath: 'dir/deeper' },
      { name: 'data', mountPath: '/f', subPath: 'file' },
    ] }, vols);
    // A symlink to the host inside the volume, reachable through the staged directory.
    await fs.symlink('/', path.join(vol, 'dir/deeper/root'));
    const podDir = await fs.realpath(path.join(paths.podsDir, 'uid-crash'));
    assert.equal(mountsUnder(await readMountInfo(), podDir).length, 2);
    // A new manager, as after a restart: it knows nothing of these mounts but mountinfo.
    const fresh = new HostVolumeManager({ paths, exec, store, logger: silentLogger() });
    await fresh.tearDownPodVolumes('uid-crash');
    assert.deepEqual(mountsUnder(await readMountInfo(), podDir), []);
    await assert.rejects(fs.lstat(podDir), { code: 'ENOENT' });
    assert.ok(await exists('/etc/hostname'), 'teardown went through the symlink');
    assert.ok(got.every((m) => m.hostPath.startsWith(podDir + '/volume-subpaths/')));
    await fresh.tearDownPodVolumes('uid-crash'); // idempotent
  });

  test('a crash-looping container restarted under the swap loop never sees the host root', async () => {
    const images = new LocalImageService({ paths, exec, logger: silentLogger(), clock: new SystemClock() });
    await images.init();
    await buildBusyboxImage(images, { exec });
    runtime = new RuncRuntime({ paths, exec, clock: new SystemClock(), logger: silentLogger(), images, network: new FakeNetwork() });
    await runtime.init();
    const pod = newPod('loop');
    const { vols, want } = await swapVolume(pod);
    const sb: PodSandboxConfig = {
      metadata: { name: 'loop', namespace: 'default', uid: 'uid-loop', attempt: 0 },
      hostname: 'loop',
      logDirectory: path.join(paths.podLogsDir, 'default_loop_uid-loop'),
      dns: { servers: [], searches: [], options: [] },
      hostAliases: [],
      portMappings: [],
      labels: {},
      annotations: {},
      hostNetwork: true,
      hostPID: false,
      hostIPC: false,
      shareProcessNamespace: false,
      sysctls: {},
    };
    const sandboxId = await runtime.runPodSandbox(sb);
    // Prints what it was given at /data and /etcish, and whether host files show through; then crashes.
    const script = 'stat -c "%n %d:%i" /data /etcish; [ -e /data/etc/hostname ] && echo HOST-ROOT; [ -e /etcish/hostname ] && echo HOST-ETC; exit 1';
    const container: Container = { name: 'c', volumeMounts: swapMounts };
    const seen: string[] = [];
    let refused = 0;
    let attempts = 0;
    const swapper = await startSwapper(vols.get('data')!.hostPath, [['sub', 'sub.link'], ['mid', 'mid.link']]);
    try {
      // Each attempt is a restart of the crashed container: most are refused while a swap is in
      // progress (the pod manager would report CreateContainerConfigError and retry); go on until ten
      // instances have run, so the test does not depend on how the race falls.
      for (; seen.length < 10 && attempts < 300; attempts++) {
        let mounts;
        try {
          mounts = await containerMounts(pod, container, vols);
        } catch (err) {
          refusal(err);
          refused++;
          continue;
        }
        const attempt = seen.length;
        const config = busyboxContainer('c', script, { metadata: { name: 'c', attempt }, mounts, logPath: `c/${attempt}.log` });
        const id = await runtime.createContainer(sandboxId, config, sb);
        await runtime.startContainer(id);
        const st = await waitExited(runtime, id);
        assert.equal(st.exitCode, 1);
        const log = await fs.readFile(path.join(sb.logDirectory, config.logPath), 'utf8');
        const lines = log.split('\n').filter(Boolean).map((l) => l.split(' ').slice(3).join(' '));
        assert.ok(!lines.some((l) => l.startsWith('HOST-')), `instance ${seen.length}: ${lines.join(' | ')}`);
        assert.deepEqual(lines, [`/data ${want[0]}`, `/etcish ${want[1]}`], `instance ${seen.length}`);
        seen.push(id);
        await runtime.removeContainer(id);
      }
    } finally {
      const swaps = await swapper.stop();
      console.log(`crash loop: ${swaps} swaps; ${attempts} restarts: ${seen.length} ran with the volume's dirs, ${refused} refused at CreateContainerConfig`);
    }
    assert.equal(seen.length, 10, 'too few instances ran: the test proved little');
    await runtime.removePodSandbox(sandboxId);
    await vm.tearDownPodVolumes('uid-loop');
    assert.deepEqual(mountsUnder(await readMountInfo(), await fs.realpath(dataDir)), [], 'mounts left');
  });
}
