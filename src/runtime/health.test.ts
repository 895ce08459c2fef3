// Liveness of sandboxes and containers seen from outside (health.ts): the pure judgement, and a
// RuncRuntime over a temp dir (a recording Exec for runc, a fake network) whose records lose their
// conmon, runc state, cgroup or netns. No root needed: a stand-in "conmon" is a shell whose argv
// names it, and the cgroup hierarchy is a temp dir.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, rename, rm, rmdir, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { LocalImageService } from '../images/local-image-service.js';
import { nodePaths, type NodePaths } from '../node/paths.js';
import { FakeClock } from '../system/clock.js';
import type { ExecResult } from '../system/exec.js';
import { capturingLogger } from '../system/logger.js';
import { RecordingExec, type RecordedCall } from './fake-exec.js';
import { FakeNetwork } from './fake-network.js';
import { CHECK_EVERY_MS, LivenessChecker, livenessProblem, startFits } from './health.js';
import { cgroupsPathFor } from './oci-spec.js';
import { RuncRuntime } from './runc-runtime.js';
import type { ContainerEvent, PodSandboxConfig } from './runtime.js';
import type { ContainerRecord, SandboxRecord } from './state.js';

const OK: ExecResult = { code: 0, stdout: '', stderr: '' };

test('liveness: the first broken fact is named, in a fixed order; all present is healthy', () => {
  const ok = { monitor: true, runcState: true, cgroup: true };
  assert.equal(livenessProblem(ok), undefined);
  assert.equal(livenessProblem({ ...ok, netns: true }), undefined);
  assert.equal(livenessProblem({ ...ok, monitor: false, cgroup: false }), 'its monitor (conmon) is gone');
  assert.equal(livenessProblem({ ...ok, runcState: false }), 'its runc state is gone');
  assert.equal(livenessProblem({ ...ok, cgroup: false }), 'its cgroup is gone');
  assert.equal(livenessProblem({ ...ok, netns: false }), 'its network namespace is no longer mounted');
});

test('liveness: a pid is taken as the record\'s only when its process started between create and start', () => {
  assert.ok(startFits(10_000, 9_000, 12_000, 50_000));
  assert.ok(startFits(8_000, 9_000, 12_000, 50_000), 'within the slack before the create');
  assert.ok(!startFits(1_000, 9_000, 12_000, 50_000), 'long before: a reused pid');
  assert.ok(!startFits(40_000, 9_000, 12_000, 50_000), 'long after the start: a reused pid');
  assert.ok(startFits(45_000, 9_000, 0, 50_000), 'not started yet: up to now');
});

/** A fake clock that knows whether someone is asleep on it. */
class SteppingClock extends FakeClock {
  sleeping = 0;
  override sleep(ms: number, signal?: AbortSignal): Promise<void> {
    this.sleeping++;
    const p = super.sleep(ms, signal);
    const done = () => void this.sleeping--;
    p.then(done, done);
    return p;
  }
}

interface Harness {
  rt: RuncRuntime;
  exec: RecordingExec;
  clock: SteppingClock;
  paths: NodePaths;
  cgroupRoot: string;
  events: ContainerEvent[];
  /** The problems the runtime logged for what it found lost. */
  problems(): string[];
  done(): Promise<void>;
}

async function harness(answer: (c: RecordedCall) => ExecResult = () => OK): Promise<Harness> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'peapod-health-unit-'));
  // Everything under the temp dir (the run dir's too): nothing of the host's /run is read or written.
  const runDir = path.join(dir, 'run');
  const paths: NodePaths = { ...nodePaths(dir), runDir, exitsDir: path.join(dir, 'exits'), runcRoot: path.join(dir, 'runc'), attachDir: path.join(runDir, 'attach'), netnsDir: path.join(runDir, 'netns'), nsDir: path.join(runDir, 'ns') };
  await mkdir(paths.exitsDir, { recursive: true });
  const exec = new RecordingExec(answer);
  const clock = new SteppingClock();
  const lines: string[] = [];
  const logger = capturingLogger(lines, 'warn');
  const images = new LocalImageService({ paths, exec, logger, clock });
  const rt = new RuncRuntime({ paths, exec, clock, logger, images, network: new FakeNetwork() });
  const events: ContainerEvent[] = [];
  rt.onContainerEvent((ev) => events.push(ev));
  const cgroupRoot = path.join(dir, 'cgroup');
  await mkdir(path.join(cgroupRoot, 'memory'), { recursive: true });
  const problems = () => lines.flatMap((l) => (JSON.parse(l) as { problem?: string }).problem ?? []);
  return { rt, exec, clock, paths, cgroupRoot, events, problems, done: () => rm(dir, { recursive: true, force: true }) };
}

function sandboxConfig(name: string): PodSandboxConfig {
  return {
    metadata: { name, namespace: 'default', uid: `uid-${name}`, attempt: 0 },
    hostname: name,
    logDirectory: `/logs/${name}`,
    dns: { servers: [], searches: [], options: [] },
    hostAliases: [],
    portMappings: [],
    labels: {},
    annotations: {},
    hostNetwork: false,
    hostPID: false,
    hostIPC: false,
    shareProcessNamespace: false,
    sysctls: {},
  };
}

function runningContainer(id: string, sandboxId: string): ContainerRecord {
  return {
    id,
    sandboxId,
    podUid: 'uid-p',
    config: {
      metadata: { name: 'app', attempt: 0 },
      image: 'busybox',
      args: ['sleep', '3600'],
      envs: [],
      workingDir: '/',
      mounts: [],
      logPath: 'app/0.log',
      stdin: false,
      stdinOnce: false,
      tty: false,
      labels: {},
      annotations: {},
      security: { privileged: false, supplementalGroups: [], readonlyRootfs: false, noNewPrivileges: false, capabilitiesAdd: [], capabilitiesDrop: [] },
      resources: {},
      stopSignal: 'SIGTERM',
    },
    imageId: 'img',
    state: 'running',
    createdAt: 1,
    startedAt: 2,
    finishedAt: 0,
    exitCode: 0,
    reason: '',
    message: '',
    logPath: '/logs/app/0.log',
    rootfsPrepared: false,
    // pid 1 is never taken as the container's: nothing real is signalled by these tests.
    pid: 1,
  };
}

/** A process whose argv names conmon and the id (what liveConmonPid checks), with its pid in conmon.pid. */
async function fakeConmon(bundle: string, id: string): Promise<ChildProcess> {
  const child = spawn('sh', ['-c', 'sleep 60; true', 'conmon', id], { stdio: 'ignore' });
  await mkdir(bundle, { recursive: true });
  await writeFile(path.join(bundle, 'conmon.pid'), String(child.pid));
  return child;
}

/** runc state, cgroup dir and a live monitor for a container: everything a healthy one has. */
async function healthyContainer(h: Harness, rec: ContainerRecord): Promise<{ conmon: ChildProcess; cgroup: string }> {
  await mkdir(path.join(h.paths.runcRoot, rec.id), { recursive: true });
  await writeFile(path.join(h.paths.runcRoot, rec.id, 'state.json'), '{}');
  const cgroup = path.join(h.cgroupRoot, 'memory', cgroupsPathFor(h.paths.cgroupParent, rec.podUid, rec.id));
  await mkdir(cgroup, { recursive: true });
  return { conmon: await fakeConmon(path.join(h.paths.containersDir, rec.id), rec.id), cgroup };
}

test('a running container whose conmon was killed is reported exited when the pod manager lists it, and runc kills what is left', async () => {
  const h = await harness((c) => (c.args.includes('state') ? { ...OK, stdout: JSON.stringify({ id: 'c1', pid: 99, status: 'running', bundle: '', created: '' }) } : OK));
  try {
    const rec = runningContainer('c1', 'sb1');
    h.rt.containers.set(rec.id, rec);
    await mkdir(path.join(h.paths.runcRoot, 'c1'), { recursive: true });
    await writeFile(path.join(h.paths.runcRoot, 'c1', 'state.json'), '{}');
    const [st] = await h.rt.listContainers();
    assert.equal(st!.state, 'exited');
    assert.equal(st!.exitCode, 137);
    assert.equal(st!.message, 'container lost: its monitor (conmon) is gone; killed');
    assert.ok(h.exec.calls.some((c) => c.file.endsWith('runc') && c.args.includes('kill') && c.args.includes('SIGKILL') && c.args.includes('c1')), 'runc kill SIGKILL c1');
    assert.deepEqual(h.events.map((e) => e.type), ['exited']);
  } finally {
    await h.done();
  }
});

test('a container found dead with its conmon gone and no exit file is recorded with exit code unknown (255)', async () => {
  const h = await harness();
  try {
    const rec = runningContainer('c1', 'sb1');
    h.rt.containers.set(rec.id, rec);
    const [st] = await h.rt.listContainers();
    assert.equal(st!.exitCode, 255);
    assert.equal(st!.message, 'container lost: its monitor (conmon) is gone; exit code unknown');
  } finally {
    await h.done();
  }
});

test('a healthy running container is left alone; one whose runc state or cgroup is removed is lost at the next check', async () => {
  for (const fault of ['runc state', 'cgroup'] as const) {
    const h = await harness();
    const rec = runningContainer('c1', 'sb1');
    h.rt.sandboxes.set('sb1', { id: 'sb1', config: sandboxConfig('p'), state: 'ready', createdAt: 1, infraCreated: true, pausePid: 1 });
    h.rt.containers.set(rec.id, rec);
    const { conmon, cgroup } = await healthyContainer(h, rec);
    try {
      const checker = new LivenessChecker(h.rt, h.cgroupRoot);
      await checker.container(rec);
      assert.equal(rec.state, 'running', 'healthy');
      if (fault === 'runc state') await rm(path.join(h.paths.runcRoot, 'c1'), { recursive: true });
      else await rmdir(cgroup);
      await checker.container(rec);
      assert.equal(rec.state, 'running', `not looked at again within ${CHECK_EVERY_MS} ms`);
      h.clock.advance(CHECK_EVERY_MS);
      await checker.container(rec);
      assert.equal(rec.state, 'exited', fault);
      assert.match(rec.message, new RegExp(`^container lost: its ${fault} is gone`));
    } finally {
      conmon.kill('SIGKILL');
      await h.done();
    }
  }
});

test('a ready sandbox whose conmon was killed becomes not ready (sandbox-exited), and stopping it waits for no exit file', async () => {
  const h = await harness();
  try {
    const rec: SandboxRecord = { id: 'sb1', config: sandboxConfig('p'), state: 'ready', createdAt: 1, infraCreated: true, pausePid: 1 };
    h.rt.sandboxes.set(rec.id, rec);
    const [st] = await h.rt.listPodSandboxes();
    assert.equal(st!.state, 'notready');
    assert.deepEqual(h.events, [{ type: 'sandbox-exited', containerId: '', sandboxId: 'sb1', podUid: 'uid-p' }]);
    // conmon is gone, so no exit file ever comes: the stop must not sit out its 10 s wait for one.
    // Time moves only while the stop sleeps on the clock, so the fake time taken is what it waited.
    const t0 = h.clock.now();
    let settled = false;
    const stop = h.rt.stopPodSandbox('sb1').finally(() => (settled = true));
    for (let i = 0; i < 100_000 && !settled; i++) {
      await new Promise((r) => setImmediate(r));
      if (h.clock.sleeping > 0) h.clock.advance(50);
    }
    await stop;
    assert.equal(h.clock.now() - t0, 0, 'waited on the clock for an exit file');
  } finally {
    await h.done();
  }
});

/** A mountinfo file listing `dir` as a mount point (the node's private bind mount of the netns dir). */
async function mountinfoWith(h: Harness, dir: string): Promise<string> {
  const file = path.join(h.paths.dataDir, 'mountinfo');
  await writeFile(file, `1 0 0:1 / / rw - ext4 /dev/root rw\n40 1 0:25 ${dir} ${dir} rw,nosuid - tmpfs tmpfs rw\n`);
  return file;
}

test('a ready sandbox whose netns file is no longer mounted is lost, the reason logged as the netns', async () => {
  const h = await harness();
  const netnsDir = path.join(h.paths.dataDir, 'netns');
  await mkdir(netnsDir, { recursive: true });
  const netns = path.join(netnsDir, 'sb1');
  await writeFile(netns, '');
  const mountinfo = await mountinfoWith(h, netnsDir);
  const rec: SandboxRecord = { id: 'sb1', config: sandboxConfig('p'), state: 'ready', createdAt: 1, infraCreated: true, pausePid: 1, netnsPath: netns };
  h.rt.sandboxes.set(rec.id, rec);
  await mkdir(path.join(h.paths.runcRoot, 'sb1'), { recursive: true });
  await writeFile(path.join(h.paths.runcRoot, 'sb1', 'state.json'), '{}');
  await mkdir(path.join(h.cgroupRoot, 'memory', cgroupsPathFor(h.paths.cgroupParent, 'uid-p', 'sb1')), { recursive: true });
  const conmon = await fakeConmon(path.join(h.paths.sandboxesDir, 'sb1', 'infra'), 'sb1');
  try {
    await new LivenessChecker(h.rt, h.cgroupRoot, mountinfo).sandbox(rec);
    assert.equal(rec.state, 'notready');
    assert.deepEqual(h.problems(), ['its network namespace is no longer mounted']);
    assert.deepEqual(h.events.map((e) => e.type), ['sandbox-exited']);
  } finally {
    conmon.kill('SIGKILL');
    await h.done();
  }
});

/** A ready sandbox with runc state, cgroup (in `hierarchy`) and a live monitor; its netns pinned at <dataDir>/netns/sb1. */
async function healthySandbox(h: Harness, hierarchy = 'memory'): Promise<{ rec: SandboxRecord; conmon: ChildProcess; netns: string }> {
  const netns = path.join(h.paths.dataDir, 'netns', 'sb1');
  await mkdir(path.dirname(netns), { recursive: true });
  await writeFile(netns, '');
  const rec: SandboxRecord = { id: 'sb1', config: sandboxConfig('p'), state: 'ready', createdAt: 1, infraCreated: true, pausePid: 1, netnsPath: netns };
  h.rt.sandboxes.set(rec.id, rec);
  await mkdir(path.join(h.paths.runcRoot, 'sb1'), { recursive: true });
  await writeFile(path.join(h.paths.runcRoot, 'sb1', 'state.json'), '{}');
  await mkdir(path.join(h.cgroupRoot, hierarchy, cgroupsPathFor(h.paths.cgroupParent, 'uid-p', 'sb1')), { recursive: true });
  const conmon = await fakeConmon(path.join(h.paths.sandboxesDir, 'sb1', 'infra'), 'sb1');
  return { rec, conmon, netns };
}

test('on a v1 host without the memory hierarchy (cgroup_disable=memory) a container is looked for in pids and is healthy there; with no hierarchy to probe the cgroup is not judged', async () => {
  for (const layout of ['pids only', 'none'] as const) {
    const h = await harness();
    await rm(path.join(h.cgroupRoot, 'memory'), { recursive: true });
    await mkdir(h.cgroupRoot, { recursive: true });
    const rec = runningContainer('c1', 'sb1');
    h.rt.sandboxes.set('sb1', { id: 'sb1', config: sandboxConfig('p'), state: 'ready', createdAt: 1, infraCreated: true, pausePid: 1 });
    h.rt.containers.set(rec.id, rec);
    await mkdir(path.join(h.paths.runcRoot, rec.id), { recursive: true });
    await writeFile(path.join(h.paths.runcRoot, rec.id, 'state.json'), '{}');
    const cgroup = path.join(h.cgroupRoot, 'pids', cgroupsPathFor(h.paths.cgroupParent, rec.podUid, rec.id));
    if (layout === 'pids only') await mkdir(cgroup, { recursive: true });
    const conmon = await fakeConmon(path.join(h.paths.containersDir, rec.id), rec.id);
    try {
      const checker = new LivenessChecker(h.rt, h.cgroupRoot);
      await checker.container(rec);
      assert.equal(rec.state, 'running', layout);
      assert.deepEqual(h.problems(), []);
      if (layout === 'pids only') {
        await rmdir(cgroup);
        h.clock.advance(CHECK_EVERY_MS);
        await checker.container(rec);
        assert.equal(rec.state, 'exited', 'its pids cgroup removed');
        assert.deepEqual(h.problems(), ['its cgroup is gone']);
      }
    } finally {
      conmon.kill('SIGKILL');
      await h.done();
    }
  }
});

test('a fact that cannot be read (not gone: EISDIR, ELOOP) judges nothing this round; once readable and gone it is lost', async () => {
  for (const fault of ['conmon pid file', 'runc state', 'cgroup'] as const) {
    const h = await harness();
    const rec = runningContainer('c1', 'sb1');
    h.rt.sandboxes.set('sb1', { id: 'sb1', config: sandboxConfig('p'), state: 'ready', createdAt: 1, infraCreated: true, pausePid: 1 });
    h.rt.containers.set(rec.id, rec);
    const { conmon, cgroup } = await healthyContainer(h, rec);
    const pidFile = path.join(h.paths.containersDir, rec.id, 'conmon.pid');
    const state = path.join(h.paths.runcRoot, rec.id);
    try {
      // An unreadable path that is not ENOENT: a dir where a file is read, a symlink loop where a dir is stat'ed.
      if (fault === 'conmon pid file') {
        await rm(pidFile);
        await mkdir(pidFile);
      } else if (fault === 'runc state') {
        await rm(state, { recursive: true });
        await symlink(state, state);
      } else {
        await rmdir(cgroup);
        await symlink(cgroup, cgroup);
      }
      const checker = new LivenessChecker(h.rt, h.cgroupRoot);
      await checker.container(rec);
      assert.equal(rec.state, 'running', `${fault}: not judged`);
      assert.deepEqual(h.problems(), [], fault);
      // Now provably gone: judged at the next check.
      await rm(fault === 'conmon pid file' ? pidFile : fault === 'runc state' ? state : cgroup, { recursive: true });
      h.clock.advance(CHECK_EVERY_MS);
      await checker.container(rec);
      assert.equal(rec.state, 'exited', `${fault}: gone`);
    } finally {
      conmon.kill('SIGKILL');
      await h.done();
    }
  }
});

test('a lost sandbox kills its pause by pid only when the process under that pid started when the pause did', async () => {
  for (const recorded of ['unknown (older record)', 'another start time', 'its start time'] as const) {
    const h = await harness();
    // The clock reads real time: a process started now fits a sandbox created a minute ago.
    h.clock.advance(Date.now() - h.clock.now());
    const { rec, conmon } = await healthySandbox(h);
    const pause = spawn('sleep', ['60'], { stdio: 'ignore' });
    const exited = new Promise<void>((r) => pause.once('exit', () => r()));
    try {
      await new Promise((r) => pause.once('spawn', r));
      rec.createdAt = Date.now() - 60_000;
      rec.pausePid = pause.pid!;
      const { processStartMs } = await import('./health-facts.js');
      const started = (await processStartMs(pause.pid!))!;
      if (recorded === 'another start time') rec.pauseStartedAt = started - 30_000;
      if (recorded === 'its start time') rec.pauseStartedAt = started;
      conmon.kill('SIGKILL');
      await new Promise((r) => conmon.once('exit', r));
      const check = new LivenessChecker(h.rt, h.cgroupRoot).sandbox(rec);
      // The kill waits up to 2 s of clock time for the killed pids to be gone.
      let settled = false;
      void check.finally(() => (settled = true));
      for (let i = 0; i < 10_000 && !settled; i++) {
        await new Promise((r) => setImmediate(r));
        if (h.clock.sleeping > 0) h.clock.advance(20);
      }
      await check;
      assert.equal(rec.state, 'notready');
      const killed = await Promise.race([exited.then(() => true), new Promise((r) => setTimeout(() => r(false), 300))]);
      assert.equal(killed, recorded === 'its start time', recorded);
    } finally {
      pause.kill('SIGKILL');
      await h.done();
    }
  }
});

test('a netns pin the daemon cannot see mounted (another mount namespace) is not judged; a missing pin is lost', async () => {
  for (const pin of ['not visible', 'missing'] as const) {
    const h = await harness();
    const { rec, conmon, netns } = await healthySandbox(h);
    try {
      // The netns dir is no mount point in this mountinfo: the daemon does not see the node's bind mount.
      const mountinfo = await mountinfoWith(h, '/elsewhere');
      if (pin === 'missing') await rename(netns, `${netns}.gone`);
      await new LivenessChecker(h.rt, h.cgroupRoot, mountinfo).sandbox(rec);
      if (pin === 'missing') {
        assert.equal(rec.state, 'notready');
        assert.deepEqual(h.problems(), ['its network namespace is no longer mounted']);
      } else {
        assert.equal(rec.state, 'ready');
        assert.deepEqual(h.problems(), []);
      }
    } finally {
      conmon.kill('SIGKILL');
      await h.done();
    }
  }
});
