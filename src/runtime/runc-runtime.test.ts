// RuncRuntime paths that need no root: a recording Exec stands in for runc/mount/umount, a fake
// network for CNI, a fake clock for time; records and sandbox files go to a temp dir.

import { test } from 'node:test';
import { spawn } from 'node:child_process';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, readdir, rm, stat, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { SandboxStartError, TimeoutError } from '../errors.js';
import { LocalImageService } from '../images/local-image-service.js';
import { nodePaths, type NodePaths } from '../node/paths.js';
import { FakeClock } from '../system/clock.js';
import type { ExecResult, Launcher, MonitorOutcome } from '../system/exec.js';
import { silentLogger } from '../system/logger.js';
import { RecordingExec, type RecordedCall } from './fake-exec.js';
import { FakeNetwork } from './fake-network.js';
import { RuncRuntime } from './runc-runtime.js';
import { reconcile } from './reconcile.js';
import type { ContainerEvent, PodSandboxConfig } from './runtime.js';
import type { ContainerRecord, SandboxRecord } from './state.js';

const OK: ExecResult = { code: 0, stdout: '', stderr: '' };

interface Harness {
  rt: RuncRuntime;
  exec: RecordingExec;
  network: FakeNetwork;
  clock: SteppingClock;
  paths: NodePaths;
  events: ContainerEvent[];
  done(): Promise<void>;
}

async function harness(answer: (c: RecordedCall) => ExecResult | Promise<ExecResult>, network = new FakeNetwork(), launcher?: Launcher): Promise<Harness> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'peapod-rt-unit-'));
  // Everything under the temp dir: nothing of the host's /run is read or written.
  // Everything under the temp dir (the run dir's too): nothing of the host's /run is read or written.
  const runDir = path.join(dir, 'run');
  const paths: NodePaths = { ...nodePaths(dir), runDir, exitsDir: path.join(dir, 'exits'), runcRoot: path.join(dir, 'runc'), attachDir: path.join(runDir, 'attach'), netnsDir: path.join(runDir, 'netns'), nsDir: path.join(runDir, 'ns') };
  await mkdir(paths.exitsDir, { recursive: true });
  const exec = new RecordingExec(answer);
  const clock = new SteppingClock();
  const logger = silentLogger();
  const images = new LocalImageService({ paths, exec, logger, clock });
  const rt = new RuncRuntime({ paths, exec, clock, logger, images, network, ...(launcher ? { launcher } : {}) });
  const events: ContainerEvent[] = [];
  rt.onContainerEvent((ev) => events.push(ev));
  return { rt, exec, network, clock, paths, events, done: () => rm(dir, { recursive: true, force: true }) };
}

function sandboxConfig(name: string): PodSandboxConfig {
  return {
    metadata: { name, namespace: 'default', uid: `uid-${name}`, attempt: 0 },
    hostname: name,
    logDirectory: `/logs/${name}`,
    dns: { servers: ['10.0.0.10'], searches: [], options: [] },
    hostAliases: [],
    portMappings: [],
    labels: { app: name },
    annotations: {},
    hostNetwork: false,
    hostPID: false,
    hostIPC: false,
    shareProcessNamespace: false,
    sysctls: {},
  };
}

function containerRecord(id: string, sandboxId: string, state: ContainerRecord['state']): ContainerRecord {
  return {
    id,
    sandboxId,
    podUid: 'uid-p',
    config: {
      metadata: { name: 'app', attempt: 0 },
      image: 'busybox',
      args: ['true'],
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
    state,
    createdAt: 1,
    startedAt: 2,
    finishedAt: 0,
    exitCode: 0,
    reason: '',
    message: '',
    logPath: '/logs/app/0.log',
    rootfsPrepared: false,
    pid: 4242,
  };
}

/** Lets pending I/O and promise callbacks run (event-loop turns, no timers). */
async function until(cond: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 20_000 && !cond(); i++) await new Promise((r) => setImmediate(r));
  assert.ok(cond(), `timed out waiting for ${what}`);
}

/** A fake clock that knows whether someone is asleep on it, so a test moves time only when code waits. */
class SteppingClock extends FakeClock {
  sleeping = 0;
  override sleep(ms: number, signal?: AbortSignal): Promise<void> {
    this.sleeping++;
    const p = super.sleep(ms, signal);
    p.then(
      () => this.sleeping--,
      () => this.sleeping--,
    );
    return p;
  }
}

/** Runs p, advancing the clock in steps whenever the code under test sleeps; returns the fake time taken. */
async function drive(clock: SteppingClock, p: Promise<unknown>, stepMs = 50): Promise<number> {
  const t0 = clock.now();
  let settled = false;
  p.then(
    () => (settled = true),
    () => (settled = true),
  );
  for (let i = 0; i < 1_000_000 && !settled; i++) {
    await new Promise((r) => setImmediate(r));
    if (clock.sleeping > 0) clock.advance(stepMs);
  }
  await p;
  return clock.now() - t0;
}

const exists = (p: string) => stat(p).then(() => true, () => false);
const calledFile = (exec: RecordingExec, file: string) => exec.calls.findIndex((c) => c.file === file);

test('a failed netns creation undoes the sandbox only after the shm mount in flight has finished', async () => {
  let releaseMount = () => {};
  const mountHeld = new Promise<void>((r) => (releaseMount = r));
  const h = await harness(async (c) => {
    if (c.file === 'mount') await mountHeld;
    return OK;
  }, new FakeNetwork({ createNetns: async () => Promise.reject(new Error('netns boom')) }));
  try {
    let settled = false;
    const run = h.rt.runPodSandbox(sandboxConfig('race'));
    run.then(() => (settled = true), () => (settled = true));
    await until(() => calledFile(h.exec, 'mount') >= 0, 'the shm mount');
    for (let i = 0; i < 200; i++) await new Promise((r) => setImmediate(r));
    assert.equal(calledFile(h.exec, 'umount'), -1, 'the undo must not unmount while the mount runs');
    assert.equal(settled, false);
    releaseMount();
    await assert.rejects(run, /run pod sandbox default\/race: netns boom/);
    assert.ok(calledFile(h.exec, 'umount') > calledFile(h.exec, 'mount'), 'the undo unmounts the shm it mounted');
    assert.deepEqual(await h.rt.listPodSandboxes(), []);
  } finally {
    await h.done();
  }
});

test('a step failing while an earlier step is pending is not an unhandled rejection', async () => {
  const unhandled: unknown[] = [];
  const onUnhandled = (e: unknown) => unhandled.push(e);
  process.on('unhandledRejection', onUnhandled);
  let failNetns = (_e: Error) => {};
  const netnsHeld = new Promise<string>((_r, reject) => (failNetns = reject));
  const h = await harness(
    (c) => (c.file === 'mount' ? { code: 32, stdout: '', stderr: 'mount: shm boom' } : OK),
    new FakeNetwork({ createNetns: () => netnsHeld }),
  );
  try {
    const run = h.rt.runPodSandbox(sandboxConfig('early'));
    run.catch(() => undefined);
    await until(() => calledFile(h.exec, 'mount') >= 0, 'the failing shm mount');
    for (let i = 0; i < 50; i++) await new Promise((r) => setImmediate(r));
    failNetns(new Error('netns boom'));
    await assert.rejects(run, /netns boom/);
    for (let i = 0; i < 50; i++) await new Promise((r) => setImmediate(r));
    assert.deepEqual(unhandled, []);
  } finally {
    process.off('unhandledRejection', onUnhandled);
    await h.done();
  }
});

test('a sandbox whose undo fails is kept as not ready, listed, and removed by a later removePodSandbox', async () => {
  let umountFails = true;
  const h = await harness(
    (c) => (c.file === 'umount' && umountFails ? { code: 32, stdout: '', stderr: 'umount: target is busy' } : OK),
    new FakeNetwork({ createNetns: async () => Promise.reject(new Error('netns boom')) }),
  );
  try {
    await assert.rejects(h.rt.runPodSandbox(sandboxConfig('leaky')), /netns boom/);
    const listed = await h.rt.listPodSandboxes();
    assert.deepEqual(listed.map((s) => [s.metadata.name, s.state]), [['leaky', 'notready']]);
    const id = listed[0]!.id;
    const saved = JSON.parse(await readFile(h.rt.sandboxStore.recordPath(id), 'utf8')) as SandboxRecord;
    assert.equal(saved.state, 'notready', 'a restarted daemon keeps it listed too');
    umountFails = false;
    await h.rt.removePodSandbox(id);
    assert.deepEqual(await h.rt.listPodSandboxes(), []);
    assert.equal(await exists(path.join(h.paths.sandboxesDir, id)), false);
  } finally {
    await h.done();
  }
});

test('a dead infra container marks its sandbox not ready and emits sandbox-exited', async () => {
  const h = await harness(() => OK);
  try {
    const rec: SandboxRecord = { id: 'sb1', config: sandboxConfig('p'), state: 'ready', createdAt: 1, infraCreated: true, pausePid: 77 };
    h.rt.sandboxes.set(rec.id, rec);
    await writeFile(path.join(h.paths.exitsDir, 'sb1'), '137');
    const [st] = await h.rt.listPodSandboxes();
    assert.equal(st!.state, 'notready');
    assert.deepEqual(h.events, [{ type: 'sandbox-exited', containerId: '', sandboxId: 'sb1', podUid: 'uid-p' }]);
    await h.rt.listPodSandboxes();
    assert.equal(h.events.length, 1, 'reported once');
  } finally {
    await h.done();
  }
});

test('an exit read while being recorded is reported whole: OOMKilled with the termination message', async () => {
  const h = await harness(() => OK);
  try {
    const rec = containerRecord('c1', 'sb1', 'running');
    h.rt.containers.set(rec.id, rec);
    const bundle = path.join(h.paths.containersDir, 'c1');
    await mkdir(bundle, { recursive: true });
    await Promise.all([
      writeFile(path.join(bundle, 'oom'), ''),
      writeFile(path.join(bundle, 'termination-log'), 'out of memory'),
      writeFile(path.join(h.paths.exitsDir, 'c1'), '137'),
    ]);
    const recording = h.rt.handleExit('c1', { code: 137, at: 5 });
    const [listed] = await h.rt.listContainers();
    await recording;
    assert.deepEqual(
      [listed!.state, listed!.exitCode, listed!.reason, listed!.message],
      ['exited', 137, 'OOMKilled', 'out of memory'],
    );
    assert.equal(h.events.filter((e) => e.type === 'exited').length, 1);
  } finally {
    await h.done();
  }
});

const goneCases: { name: string; state: ExecResult }[] = [
  { name: 'runc state says stopped', state: { code: 0, stdout: JSON.stringify({ id: 'c1', pid: 0, status: 'stopped', bundle: '/b', created: '' }), stderr: '' } },
  { name: 'runc knows no such container', state: { code: 1, stdout: '', stderr: 'container "c1" does not exist' } },
];
for (const c of goneCases) {
  test(`stopping a container that is already gone does not wait for the kill timeout when ${c.name}`, async () => {
    const h = await harness((call) => {
      if (call.args.includes('kill')) return { code: 1, stdout: '', stderr: 'container not running' };
      if (call.args.includes('state')) return c.state;
      return OK;
    });
    try {
      h.rt.containers.set('c1', containerRecord('c1', 'sb1', 'running'));
      const took = await drive(h.clock, h.rt.stopContainer('c1', 30));
      assert.ok(took <= 1000, `stop took ${took}ms of fake time`);
      assert.equal(h.exec.calls.filter((x) => x.args.includes('kill')).length, 1, 'no SIGKILL after runc said it is gone');
      const st = await h.rt.containerStatus('c1');
      assert.deepEqual([st.state, st.exitCode, st.message], ['exited', 255, 'container monitor lost; exit code unknown']);
    } finally {
      await h.done();
    }
  });
}

test('a hung runc start kills the container and reports a timeout', async () => {
  const h = await harness((call) => (call.args.includes('start') ? { code: -1, stdout: '', stderr: '', timedOut: true } : OK));
  try {
    h.rt.containers.set('c1', containerRecord('c1', 'sb1', 'created'));
    await assert.rejects(h.rt.startContainer('c1'), (e: unknown) => e instanceof TimeoutError && /start container "app" c1: runc start container c1: timed out after 30000ms/.test(e.message));
    const del = h.exec.calls.find((x) => x.args.includes('delete'));
    assert.deepEqual(del?.args.slice(-2), ['--force', 'c1']);
  } finally {
    await h.done();
  }
});

/** A sandbox dir without a record, as a crash leaves it: pod files and a shm dir holding a symlink out. */
async function orphanSandboxDir(h: Harness, id: string): Promise<{ dir: string; outside: string }> {
  const dir = path.join(h.paths.sandboxesDir, id);
  const outside = path.join(h.paths.dataDir, 'host-files');
  await mkdir(path.join(dir, 'shm', 'd'), { recursive: true });
  await mkdir(outside, { recursive: true });
  await writeFile(path.join(dir, 'hosts'), '127.0.0.1 localhost\n');
  await writeFile(path.join(outside, 'keep'), 'host');
  await symlink(outside, path.join(dir, 'shm', 'link'));
  await symlink(outside, path.join(dir, 'shm', 'd', 'link'));
  return { dir, outside };
}

test('issue 6: start-up removes an orphaned sandbox dir once its shm is unmounted, never through a symlink in it', async () => {
  const h = await harness(() => OK);
  try {
    const { dir, outside } = await orphanSandboxDir(h, 'sb-orphan');
    await reconcile(h.rt);
    assert.ok(h.exec.calls.some((c) => c.file === 'umount' && c.args.join(' ') === `--no-canonicalize -l ${path.join(dir, 'shm')}`));
    assert.equal(await exists(dir), false);
    assert.deepEqual(await readdir(outside), ['keep']);
  } finally {
    await h.done();
  }
});

test('issue 6: start-up keeps an orphaned sandbox dir whose shm cannot be unmounted, and starts all the same', async () => {
  const h = await harness((c) => (c.file === 'umount' ? { code: 32, stdout: '', stderr: 'umount: target is busy' } : OK));
  try {
    const { dir, outside } = await orphanSandboxDir(h, 'sb-orphan');
    await reconcile(h.rt);
    assert.equal(await exists(path.join(dir, 'shm', 'd')), true, 'nothing was removed inside the still-mounted shm');
    assert.equal(await exists(path.join(dir, 'hosts')), true);
    assert.deepEqual(await readdir(outside), ['keep']);
  } finally {
    await h.done();
  }
});

// Issue 14: 30 pods applied, the daemon SIGKILLed 1.5 s later: a container the killed daemon had started
// but not yet recorded as started was re-adopted as 'created'; the pod manager then killed it as a
// container that never ran and started a second one beside it.
test('issue 14: start-up records as running a container that runc runs but its record says only created', async () => {
  const id = 'c-started-unrecorded';
  const created = '2026-01-02T03:04:05.678Z';
  const state = () => ({ id, pid: 4242, status: 'running', bundle: path.join(h.paths.containersDir, id), created });
  const h = await harness((c) => {
    if (path.basename(c.file) !== 'runc') return OK;
    if (c.args.includes('list')) return { code: 0, stdout: JSON.stringify([state()]), stderr: '' };
    if (c.args.includes('state')) return { code: 0, stdout: JSON.stringify(state()), stderr: '' };
    return OK;
  });
  // A live process whose command line names conmon and the container, as conmon's does.
  const monitor = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60_000)', 'conmon', id], { stdio: 'ignore' });
  try {
    const rec = containerRecord(id, 'sb-1', 'created');
    await h.rt.containerStore.save(rec);
    await writeFile(path.join(h.paths.containersDir, id, 'conmon.pid'), String(monitor.pid));
    for (let i = 0; i < 500 && !(await readFile(`/proc/${monitor.pid}/cmdline`, 'utf8').catch(() => '')).includes(id); i++) {
      await new Promise((r) => setTimeout(r, 10)); // until it has exec'd
    }
    await reconcile(h.rt);
    const adopted = h.rt.containers.get(id)!;
    assert.equal(adopted.state, 'running');
    assert.equal(adopted.startedAt, Date.parse(created));
    const saved = JSON.parse(await readFile(h.rt.containerStore.recordPath(id), 'utf8')) as ContainerRecord;
    assert.equal(saved.state, 'running', 'the adoption is saved');
    assert.equal(h.exec.calls.filter((c) => path.basename(c.file) === 'runc' && (c.args.includes('kill') || c.args.includes('delete'))).length, 0, 'nothing is killed or deleted');
  } finally {
    monitor.kill('SIGKILL');
    await h.done();
  }
});

test('issue 13: start-up removes the exec scratch files a killed daemon left (runc exec specs with the env, pid files, session dirs) and attach links of ids nobody records', async () => {
  const h = await harness(() => OK);
  try {
    const execDir = path.join(h.paths.runDir, 'exec');
    await mkdir(path.join(execDir, 'aaaabbbbccccdddd'), { recursive: true });
    await writeFile(path.join(execDir, 'exec-0123456789ab.json'), '{"env":["TOKEN=secret"]}');
    await writeFile(path.join(execDir, 'exec-0123456789ab.pid'), '4242');
    await writeFile(path.join(execDir, 'aaaabbbbccccdddd', 'process.json'), '{"env":["TOKEN=secret"]}');
    await mkdir(h.paths.attachDir, { recursive: true });
    await symlink(path.join(execDir, 'aaaabbbbccccdddd'), path.join(h.paths.attachDir, 'aaaabbbbccccdddd'));
    const sb: SandboxRecord = { id: 'sb-kept', config: sandboxConfig('p'), state: 'notready', createdAt: 1 };
    await h.rt.sandboxStore.save(sb);
    await mkdir(path.join(h.paths.attachDir, 'sb-kept'));
    await reconcile(h.rt);
    assert.deepEqual(await readdir(execDir), []);
    assert.deepEqual(await readdir(h.paths.attachDir), ['sb-kept'], "a record's attach dir stays");
  } finally {
    await h.done();
  }
});

test('issue 13: every 60 s on the clock a runc container nobody records (created by a conmon the killed daemon started) is force-deleted, and exit files of unknown ids removed; close() stops it', async () => {
  const runcList = [
    { id: 'ghost', pid: 0, status: 'created', bundle: '', created: '' },
    { id: 'sb-known', pid: 0, status: 'running', bundle: '', created: '' },
  ];
  let listed = false;
  const h = await harness((c) => {
    if (c.args.includes('list')) {
      if (!listed) return { ...OK, stdout: '[]' };
      return { ...OK, stdout: JSON.stringify(runcList) };
    }
    return OK;
  });
  try {
    await h.rt.init();
    // After start-up's reconcile: the runc container appears, and the exit file of an id nobody knows.
    listed = true;
    h.rt.sandboxes.set('sb-known', { id: 'sb-known', config: sandboxConfig('p'), state: 'ready', createdAt: 1 });
    await writeFile(path.join(h.paths.exitsDir, 'ghost-exit'), '0');
    await writeFile(path.join(h.paths.exitsDir, 'sb-known'), '0');
    const deletes = () => h.exec.calls.filter((c) => c.args.includes('delete')).map((c) => c.args.slice(c.args.indexOf('delete')).join(' '));
    h.clock.advance(59_000);
    await new Promise((r) => setTimeout(r, 50));
    assert.deepEqual(deletes(), [], 'not before 60 s');
    h.clock.advance(1_000);
    for (let i = 0; i < 100 && deletes().length === 0; i++) await new Promise((r) => setTimeout(r, 10));
    await new Promise((r) => setTimeout(r, 50));
    assert.deepEqual(deletes(), ['delete --force ghost']);
    assert.deepEqual((await readdir(h.paths.exitsDir)).sort(), ['sb-known']);
    await h.rt.close();
    const lists = h.exec.calls.filter((c) => c.args.includes('list')).length;
    h.clock.advance(120_000);
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(h.exec.calls.filter((c) => c.args.includes('list')).length, lists, 'no sweep after close()');
  } finally {
    await h.rt.close();
    await h.done();
  }
});

test('issue 13: at start-up a running container whose conmon.pid cannot be read (not ENOENT: EISDIR here, EMFILE in life) is re-adopted, not killed and recorded exited', async () => {
  const id = 'c-unreadable-monitor';
  const h = await harness((c) => {
    if (path.basename(c.file) !== 'runc') return OK;
    if (c.args.includes('list')) return { code: 0, stdout: JSON.stringify([{ id, pid: 4242, status: 'running', bundle: '', created: '' }]), stderr: '' };
    return OK;
  });
  try {
    await h.rt.containerStore.save(containerRecord(id, 'sb-1', 'running'));
    await mkdir(path.join(h.paths.containersDir, id, 'conmon.pid'), { recursive: true });
    await reconcile(h.rt);
    assert.equal(h.rt.containers.get(id)!.state, 'running');
    assert.equal(h.exec.calls.filter((c) => path.basename(c.file) === 'runc' && (c.args.includes('kill') || c.args.includes('delete'))).length, 0, 'nothing is killed or deleted');
  } finally {
    await h.done();
  }
});

// Issue 15: the pod's IPC and UTS namespaces are pinned as files, so runPodSandbox returns once the network
// is attached while conmon and runc still make the infra container; no container of the pod runs before it.
test('issue 15: runPodSandbox returns while the infra container is made; its failure then makes the sandbox not ready, wakes the pod and starts nothing', async () => {
  let infraExit = (_o: MonitorOutcome) => {};
  const held = new Promise<MonitorOutcome>((r) => (infraExit = r));
  const launches: string[] = [];
  const launcher: Launcher = {
    launchMonitor: (req) => {
      launches.push(req.args.join(' '));
      return { done: held, kill: () => undefined };
    },
    launchSession: () => {
      throw new Error('no sessions here');
    },
  };
  const h = await harness(() => OK, new FakeNetwork(), launcher);
  try {
    const id = await h.rt.runPodSandbox(sandboxConfig('early'));
    await until(() => launches.length === 1, 'the infra container\'s conmon on its way');
    assert.equal(h.rt.infraInProgress(id), true);
    const [st] = await h.rt.listPodSandboxes();
    assert.equal(st!.state, 'ready', 'listed as ready meanwhile (a pod never makes a second one)');
    const unshare = h.exec.calls.find((c) => c.file === 'unshare');
    assert.deepEqual(unshare?.args, [`--ipc=${path.join(h.paths.nsDir, `${id}.ipc`)}`, `--uts=${path.join(h.paths.nsDir, `${id}.uts`)}`, 'true']);
    const spec = JSON.parse(await readFile(path.join(h.paths.sandboxesDir, id, 'infra', 'config.json'), 'utf8'));
    assert.deepEqual(spec.linux.namespaces.filter((n: { type: string }) => n.type === 'ipc' || n.type === 'uts'), [
      { type: 'ipc', path: path.join(h.paths.nsDir, `${id}.ipc`) },
      { type: 'uts', path: path.join(h.paths.nsDir, `${id}.uts`) },
    ], 'the infra joins the pinned namespaces');

    const c = containerRecord('c1', id, 'created');
    h.rt.containers.set(c.id, c);
    let startSettled = false;
    const start = h.rt.startContainer('c1');
    start.then(() => (startSettled = true), () => (startSettled = true));
    for (let i = 0; i < 200; i++) await new Promise((r) => setImmediate(r));
    assert.equal(startSettled, false, 'a container start waits for the infra container');
    assert.equal(h.exec.calls.some((x) => x.args.includes('start')), false, 'runc start was not called');

    infraExit({ code: 1, syncText: '' });
    await drive(h.clock, start.catch(() => undefined));
    await assert.rejects(start, (err: Error) => err instanceof SandboxStartError && /^run pod sandbox default\/early: .*conmon exited 1/.test(err.message));
    assert.equal(h.rt.infraInProgress(id), false);
    const [after] = await h.rt.listPodSandboxes();
    assert.equal(after!.state, 'notready');
    assert.deepEqual(h.events.filter((e) => e.type === 'sandbox-exited').map((e) => e.sandboxId), [id], 'the pod\'s worker is woken');
    // Once the failure is in, no container of the sandbox is created or started any more (a create that
    // began before it would otherwise finish after it and start an app with no infra container).
    await assert.rejects(h.rt.createContainer(id, c.config, sandboxConfig('early')), SandboxStartError);
    const late = { ...containerRecord('c2', id, 'created') };
    h.rt.containers.set(late.id, late);
    await assert.rejects(h.rt.startContainer('c2'), SandboxStartError);
    assert.equal(h.exec.calls.some((x) => x.args.includes('start')), false, 'runc start was never called');
    const saved = JSON.parse(await readFile(h.rt.sandboxStore.recordPath(id), 'utf8')) as SandboxRecord;
    assert.match(saved.setupFailed ?? '', /conmon exited 1/, 'the failure is kept in the record');
    assert.equal(saved.setupPending, undefined);
    await drive(h.clock, h.rt.removePodSandbox(id));
    assert.equal(await exists(path.join(h.paths.nsDir, `${id}.ipc`)), false, 'the pins go with the sandbox');
  } finally {
    await h.done();
  }
});

test('issue 15: start-up removes a sandbox whose set-up a restart interrupted, with the containers made in it (never started)', async () => {
  const h = await harness((c) => (path.basename(c.file) === 'runc' && c.args.includes('list') ? { code: 0, stdout: '[]', stderr: '' } : OK));
  try {
    const sb: SandboxRecord = { id: 'sb-pending', config: sandboxConfig('p'), state: 'ready', createdAt: 1, infraCreated: true, setupPending: true };
    const kept: SandboxRecord = { id: 'sb-done', config: sandboxConfig('q'), state: 'ready', createdAt: 1, infraCreated: true, setupPending: true };
    await h.rt.sandboxStore.save(sb);
    await h.rt.sandboxStore.save(kept);
    await h.rt.containerStore.save({ ...containerRecord('c-created', 'sb-pending', 'created'), startedAt: 0 });
    // One of kept's containers ran: its set-up had finished, only the record's last save was lost.
    await h.rt.containerStore.save({ ...containerRecord('c-ran', 'sb-done', 'exited'), exitCode: 0 });
    await reconcile(h.rt);
    assert.equal(h.rt.sandboxes.has('sb-pending'), false, 'the half-set-up sandbox is gone');
    assert.equal(h.rt.containers.has('c-created'), false, 'with the container made in it');
    assert.equal(await exists(path.join(h.paths.sandboxesDir, 'sb-pending')), false);
    assert.equal(h.rt.sandboxes.get('sb-done')?.setupPending, undefined, 'a sandbox one of whose containers ran is kept');
  } finally {
    await h.done();
  }
});
