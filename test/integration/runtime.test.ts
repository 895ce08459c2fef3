// Root integration test of RuncRuntime: real runc, conmon, catatonit, cgroups and the CNI pod network
// (subnet 10.88.202.0/24) and the local image store with the busybox image, with its own data dir. Leaves nothing behind (checked at the end).

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { mkdtemp, readFile, readdir, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { nodePaths, type NodePaths } from '../../src/node/paths.js';
import { HostExec } from '../../src/system/exec.js';
import { SystemClock } from '../../src/system/clock.js';
import { capturingLogger, type Logger } from '../../src/system/logger.js';
import { CniNetwork } from '../../src/runtime/network/cni-network.js';
import { RuncRuntime } from '../../src/runtime/runc-runtime.js';
import { describeNamespaces } from '../../src/runtime/inspect.js';
import { LABEL_POD_UID, type ContainerConfig, type ContainerEvent, type ContainerStatus, type PodSandboxConfig } from '../../src/runtime/runtime.js';
import { RUNTIME_CONFORMANCE, type ConformanceEnv } from '../../src/runtime/conformance.js';
import { LocalImageService } from '../../src/images/local-image-service.js';
import { buildBusyboxImage } from '../../src/images/busybox.js';
import { busyboxContainer as containerConfig, sandboxFixture, waitExited as waitExitedOf, assertRuntimeLeftNothing } from './support/runtime-fixtures.js';
import { reportingFailure } from '../support/failure.js';

const SUBNET = '10.88.202.0/24';
/** Every pod cgroup's pids.max in this suite (serve --pod-pids-limit): small, for the fork bomb test. */
const POD_PIDS_LIMIT = 64;

if (process.getuid?.() !== 0) {
  test('runtime integration (needs root)', { skip: 'needs root: run as root' }, () => {});
} else {
  suite();
}

function suite(): void {
  const exec = new HostExec();
  const clock = new SystemClock();
  const logLines: string[] = [];
  const logger: Logger = capturingLogger(logLines);
  let dataDir = '';
  let paths: NodePaths;
  let images: LocalImageService;
  let network: CniNetwork;
  let runtime: RuncRuntime;
  let failed = false;
  const timings: Record<string, number[]> = {};
  const events: ContainerEvent[] = [];

  async function timed<T>(name: string, fn: () => Promise<T>): Promise<T> {
    const t0 = performance.now();
    try {
      return await fn();
    } finally {
      (timings[name] ??= []).push(Math.round((performance.now() - t0) * 10) / 10);
    }
  }

  function makeRuntime(): RuncRuntime {
    network = new CniNetwork({ paths, exec, logger, podCidr: SUBNET });
    const rt = new RuncRuntime({ paths, exec, clock, logger, images, network, podPidsLimit: POD_PIDS_LIMIT });
    rt.onContainerEvent((ev) => events.push(ev));
    return rt;
  }

  const sandboxConfig = (name: string, over: Partial<PodSandboxConfig> = {}): PodSandboxConfig =>
    sandboxFixture(paths.podLogsDir, name, {
      dns: { servers: ['10.0.0.10'], searches: ['default.svc.cluster.local'], options: ['ndots:5'] },
      hostAliases: [{ ip: '10.1.2.3', hostnames: ['alias-one'] }],
      ...over,
    });

  async function run(sandboxId: string, sb: PodSandboxConfig, c: ContainerConfig): Promise<string> {
    const id = await timed('createContainer', () => runtime.createContainer(sandboxId, c, sb));
    await timed('startContainer', () => runtime.startContainer(id));
    return id;
  }

  const waitExited = (id: string, ms?: number): Promise<ContainerStatus> => waitExitedOf(runtime, id, ms);

  /** Polls a container's CRI log until a line says `text`; fails after about 10 s. */
  async function waitLogged(id: string, text: string): Promise<void> {
    const file = (await runtime.containerStatus(id)).logPath;
    for (let i = 0; i < 200; i++) {
      if ((await readFile(file, 'utf8').catch(() => '')).includes(` F ${text}\n`)) return;
      await new Promise((r) => setTimeout(r, 50));
    }
    assert.fail(`container ${id} never logged ${text}`);
  }

  before(async () => {
    dataDir = await mkdtemp('/tmp/peapod-rt-');
    paths = nodePaths(dataDir);
    images = new LocalImageService({ paths, exec, logger, clock });
    await images.init();
    await buildBusyboxImage(images, { exec });
    runtime = makeRuntime();
    await network.init();
    await runtime.init();
  });

  after(async () => {
    try {
      for (const s of await runtime.listPodSandboxes()) await runtime.removePodSandbox(s.id);
      await runtime.teardownNode();
      await runtime.close();
      await network.teardownNode();
      await assertRuntimeLeftNothing(exec, paths, dataDir);
    } catch (e) {
      failed = true;
      throw e;
    } finally {
      console.log('timings (ms):', JSON.stringify(timings));
      if (failed || process.env.PEAPOD_TEST_LOG) console.log('runtime log:\n' + logLines.join(''));
      await rm(dataDir, { recursive: true, force: true });
      await rm(paths.runDir, { recursive: true, force: true });
    }
  });

  const wrap = (name: string, fn: () => Promise<void>) => test(name, reportingFailure(fn, () => (failed = true)));

  // The Runtime contract suite the FakeRuntime passes too (src/runtime/conformance.ts).
  const contractEnv = (): ConformanceEnv => ({
    runtime,
    sandbox(name) {
      const sb = sandboxConfig(`contract-${name}`);
      sb.labels[LABEL_POD_UID] = sb.metadata.uid;
      return sb;
    },
    container: (sandboxId, sb, name, b) =>
      runtime.createContainer(
        sandboxId,
        containerConfig(name, 'sleep' in b ? 'trap "exit 0" TERM; sleep 3600 & wait' : `exit ${b.exitCode}`, { labels: { [LABEL_POD_UID]: sb.metadata.uid } }),
        sb,
      ),
    start: (id) => runtime.startContainer(id),
    waitExited: (id) => waitExited(id),
  });
  for (const c of RUNTIME_CONFORMANCE) wrap(`runtime contract (runc): ${c.name}`, () => c.run(contractEnv()));

  wrap('a sandbox runs catatonit as PID 1 of its namespace with a pod IP and the pod files', async () => {
    const sb = sandboxConfig('pause');
    const id = await timed('runPodSandbox', () => runtime.runPodSandbox(sb));
    // The infra container and the network may still be on their way when it returns (issue 15).
    await timed('infraStarted', () => runtime.infraStarted(id));
    assert.ok(events.some((e) => e.type === 'sandbox-ready' && e.sandboxId === id && e.podUid === sb.metadata.uid), 'the pod is told its sandbox is set up');
    const st = await runtime.podSandboxStatus(id);
    assert.equal(st.state, 'ready');
    assert.match(st.ip ?? '', /^10\.88\.202\.\d+$/);
    assert.ok(st.pid > 0);
    // runc start returns once runc init was told to exec: the exec itself may lag a few ms.
    let argv0 = '';
    for (let i = 0; i < 50 && argv0 !== '/catatonit'; i++) {
      argv0 = (await readFile(`/proc/${st.pid}/cmdline`, 'utf8')).split('\0')[0];
      if (argv0 !== '/catatonit') await new Promise((r) => setTimeout(r, 10));
    }
    assert.equal(argv0, '/catatonit');
    const status = await readFile(`/proc/${st.pid}/status`, 'utf8');
    assert.match(status, new RegExp(`NSpid:\\s+${st.pid}\\s+1\\n`));
    const hosts = await readFile(path.join(paths.sandboxesDir, id, 'hosts'), 'utf8');
    assert.ok(hosts.includes(`${st.ip}\tpause\n`) && hosts.includes('10.1.2.3\talias-one'));
    await timed('stopPodSandbox', () => runtime.stopPodSandbox(id));
    assert.equal((await runtime.podSandboxStatus(id)).state, 'notready');
    await timed('removePodSandbox', () => runtime.removePodSandbox(id));
    await assert.rejects(runtime.podSandboxStatus(id), /not found/);
  });

  wrap('two containers share the network, IPC and UTS namespaces of their pod', async () => {
    const sb = sandboxConfig('shared');
    const sid = await timed('runPodSandbox', () => runtime.runPodSandbox(sb));
    const web = await run(sid, sb, containerConfig('web', 'mkdir /www && echo hello-pod > /www/index.html && exec httpd -f -p 8080 -h /www'));
    const client = await run(sid, sb, containerConfig('client', 'exec sleep 1000'));
    let out = '';
    for (let i = 0; i < 40 && !out.includes('hello-pod'); i++) {
      const r = await timed('execSync', () => runtime.execSync(client, ['/bin/sh', '-c', 'printf "GET / HTTP/1.0\\r\\n\\r\\n" | nc 127.0.0.1 8080'], 5000));
      out = r.stdout.toString();
      if (!out.includes('hello-pod')) await new Promise((r) => setTimeout(r, 100));
    }
    assert.ok(out.includes('hello-pod'), `client got: ${out}`);
    const h = await runtime.execSync(web, ['hostname'], 5000);
    assert.equal(h.stdout.toString().trim(), 'shared');
    const [a, b, p] = await Promise.all([
      runtime.containerStatus(web).then((s) => describeNamespaces(s.pid)),
      runtime.containerStatus(client).then((s) => describeNamespaces(s.pid)),
      runtime.podSandboxStatus(sid).then((s) => describeNamespaces(s.pid)),
    ]);
    for (const k of ['net', 'ipc', 'uts']) assert.ok(a[k] === b[k] && b[k] === p[k], `${k} shared`);
    assert.notEqual(a.pid, b.pid);
    const resolv = await runtime.execSync(client, ['cat', '/etc/resolv.conf'], 5000);
    assert.match(resolv.stdout.toString(), /nameserver 10\.0\.0\.10/);
    await runtime.removePodSandbox(sid);
    assert.deepEqual(await runtime.listContainers({ sandboxId: sid }), []);
  });

  wrap('exit codes, kill and stop grace periods are reported as Kubernetes expects', async () => {
    const sb = sandboxConfig('exits');
    const sid = await runtime.runPodSandbox(sb);
    const ok = await run(sid, sb, containerConfig('ok', 'exit 0'));
    const three = await run(sid, sb, containerConfig('three', 'exit 3'));
    const sleeper = await run(sid, sb, containerConfig('sleeper', 'exec sleep 1000'));
    const trapper = await run(sid, sb, containerConfig('trapper', "trap 'exit 143' TERM; echo trap-set; while true; do sleep 0.1; done"));
    const stubborn = await run(sid, sb, containerConfig('stubborn', "trap 'echo got-term' TERM; echo trap-set; while true; do sleep 0.1; done"));
    assert.deepEqual([(await waitExited(ok)).exitCode, (await waitExited(ok)).reason], [0, 'Completed']);
    assert.deepEqual([(await waitExited(three)).exitCode, (await waitExited(three)).reason], [3, 'Error']);
    // Each shell says when its trap is set (as PID 1 it would ignore an untrapped TERM).
    for (const id of [trapper, stubborn]) await waitLogged(id, 'trap-set');
    await timed('stopContainer(kill)', () => runtime.stopContainer(sleeper, 0));
    assert.equal((await runtime.containerStatus(sleeper)).exitCode, 137);
    // 143 is the trap's own code: the shell ended on TERM, not on the KILL the 10 s grace period would bring.
    await runtime.stopContainer(trapper, 10);
    assert.equal((await runtime.containerStatus(trapper)).exitCode, 143);
    // The stubborn shell got TERM first (its trap ran and it kept going) and KILL after the grace period.
    const t1 = Date.now();
    await runtime.stopContainer(stubborn, 1);
    assert.equal((await runtime.containerStatus(stubborn)).exitCode, 137);
    assert.match(await readFile((await runtime.containerStatus(stubborn)).logPath, 'utf8'), /stdout F got-term$/m);
    // Not a speed bound: the grace period is the behaviour, and a slow host only makes the wait longer.
    assert.ok(Date.now() - t1 >= 1000, 'ignored TERM waits for the grace period');
    const exited = events.filter((e) => e.type === 'exited' && e.sandboxId === sid).map((e) => e.containerId);
    for (const id of [ok, three, sleeper, trapper, stubborn]) assert.ok(exited.includes(id), `exited event for ${id}`);
    await runtime.stopContainer(ok, 5); // already exited: succeeds
    await runtime.removeContainer(ok);
    await runtime.removeContainer(ok); // already gone: succeeds
    await runtime.removePodSandbox(sid);
  });

  wrap('container output lands in the CRI log file, which outlives the container', async () => {
    const sb = sandboxConfig('logs');
    const sid = await runtime.runPodSandbox(sb);
    const id = await run(sid, sb, containerConfig('talker', 'echo out-line; echo err-line >&2'));
    const st = await waitExited(id);
    assert.equal(st.logPath, path.join(sb.logDirectory, 'talker/0.log'));
    const log = await readFile(st.logPath, 'utf8');
    assert.match(log, /^\S+T\S+[+-]\d\d:\d\d stdout F out-line$/m);
    assert.match(log, /^\S+ stderr F err-line$/m);
    await runtime.removePodSandbox(sid);
    assert.ok((await stat(st.logPath)).isFile());
  });

  wrap('containers survive the daemon process; a new runtime re-adopts them and sees their later exit', async () => {
    const sb = sandboxConfig('restart');
    const child = path.join(path.dirname(fileURLToPath(import.meta.url)), 'support', 'runtime-child.js');
    const out = await exec.run(process.execPath, [child, dataDir, SUBNET, JSON.stringify(sb), JSON.stringify(containerConfig('survivor', 'exec sleep 1000'))], { timeoutMs: 30_000 });
    assert.equal(out.code, 0, out.stderr);
    const born = JSON.parse(out.stdout) as { sandboxId: string; containerId: string; pid: number };
    // The old runtime object in this process knows nothing of them; a new one must find them.
    await runtime.close();
    runtime = makeRuntime();
    await network.init();
    await timed('init(restart)', () => runtime.init());
    const st = await runtime.containerStatus(born.containerId);
    assert.deepEqual([st.state, st.pid], ['running', born.pid]);
    assert.equal((await runtime.podSandboxStatus(born.sandboxId)).state, 'ready');
    process.kill(st.pid, 'SIGKILL');
    const t0 = Date.now();
    while (!events.some((e) => e.type === 'exited' && e.containerId === born.containerId)) {
      if (Date.now() - t0 > 5000) throw new Error('exit not observed after restart');
      await new Promise((r) => setTimeout(r, 20));
    }
    assert.equal((await runtime.containerStatus(born.containerId)).exitCode, 137);
    await runtime.removePodSandbox(born.sandboxId);
  });

  wrap('a sandbox whose infra container cannot be created is undone completely', async () => {
    const sb = sandboxConfig('undo', { sysctls: { 'net.no.such.key': '1' } });
    // The infra container is made after runPodSandbox returns (issue 15): its failure comes from infraStarted
    // (and from any container start); the sandbox is then not ready, and its removal leaves nothing.
    const id = await runtime.runPodSandbox(sb);
    await assert.rejects(runtime.infraStarted(id), /run pod sandbox default\/undo: .*net\/no\/such\/key/);
    assert.deepEqual((await runtime.listPodSandboxes({ labelSelector: { app: 'undo' } })).map((s) => s.state), ['notready']);
    await runtime.removePodSandbox(id);
    assert.deepEqual(await runtime.listPodSandboxes({ labelSelector: { app: 'undo' } }), []);
    const left = await readdir(paths.sandboxesDir, { recursive: true });
    assert.deepEqual(left, [], `sandbox files left: ${left.join(' ')}`);
    assert.deepEqual(await readdir(paths.netnsDir).catch(() => []), []);
    const ipam = await readdir(path.join(paths.ipamDir, paths.networkName)).catch(() => [] as string[]);
    assert.deepEqual(ipam.filter((f) => /^\d+\.\d+\.\d+\.\d+$/.test(f)), [], 'no pod IP left allocated');
  });

  wrap('a container over its memory limit is reported as OOMKilled', async () => {
    const sb = sandboxConfig('oom');
    const sid = await runtime.runPodSandbox(sb);
    const id = await run(sid, sb, containerConfig('hog', 'dd if=/dev/zero of=/dev/null bs=64M count=1', {
      resources: { memoryLimitBytes: 32 * 1024 * 1024 },
    }));
    const st = await waitExited(id);
    assert.deepEqual([st.exitCode, st.reason], [137, 'OOMKilled']);
    await runtime.removePodSandbox(sid);
  });

  wrap('a fork bomb in a container stops at the pod pids limit instead of exhausting the host', async () => {
    const pidsRoot = '/sys/fs/cgroup/pids';
    const sb = sandboxConfig('forkbomb');
    const sid = await runtime.runPodSandbox(sb);
    const dir = runtime.cgroups.podDir(pidsRoot, sb.metadata.uid, sb.qosLevel);
    assert.equal((await readFile(path.join(dir, 'pids.max'), 'utf8')).trim(), String(POD_PIDS_LIMIT));
    // A subshell forks 400 background sleeps, far more than the limit lets the pod have: the fork the
    // limit refuses ends it (ash gives up on a failed fork), the sleeps it made keep running, and the
    // container's shell replaces itself with one more sleep (exec, no fork).
    const id = await run(sid, sb, containerConfig('bomb', '( i=0; while [ $i -lt 400 ]; do sleep 300 & i=$((i+1)); done ); exec sleep 300'));
    // The kernel counts a refused fork in the forking task's own cgroup (the container's, under the pod's).
    const failedForks = async () => {
      let n = 0;
      for (const leaf of ['', ...(await readdir(dir, { withFileTypes: true })).filter((e) => e.isDirectory()).map((e) => e.name)]) {
        n += Number(/^max (\d+)/m.exec(await readFile(path.join(dir, leaf, 'pids.events'), 'utf8').catch(() => ''))?.[1] ?? 0);
      }
      return n;
    };
    const podPids = async () => Number((await readFile(path.join(dir, 'pids.current'), 'utf8')).trim());
    const end = Date.now() + 20_000;
    while ((await failedForks()) === 0) {
      if (Date.now() > end) throw new Error(`no fork refused in 20 s; pids in the pod: ${await podPids()}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    // At the refusal: pause, the shell, the subshell and the sleeps, LIMIT in all; the subshell is gone since.
    const held = await podPids();
    assert.ok(held <= POD_PIDS_LIMIT && held >= POD_PIDS_LIMIT - 2, `the pod holds ${held} processes, its limit is ${POD_PIDS_LIMIT}`);
    assert.equal((await runtime.containerStatus(id)).state, 'running');
    await runtime.removePodSandbox(sid);
  });

  wrap('a host-network sandbox uses the host network and UTS namespaces', async () => {
    const sb = sandboxConfig('hostnet', { hostNetwork: true });
    const sid = await runtime.runPodSandbox(sb);
    await runtime.infraStarted(sid);
    const st = await runtime.podSandboxStatus(sid);
    assert.equal(st.ip, undefined);
    const [pause, self] = await Promise.all([describeNamespaces(st.pid), describeNamespaces(process.pid)]);
    assert.equal(pause.net, self.net);
    assert.equal(pause.uts, self.uts);
    assert.notEqual(pause.ipc, self.ipc);
    const hosts = await readFile(path.join(paths.sandboxesDir, sid, 'hosts'), 'utf8');
    assert.ok(hosts.startsWith('# Kubernetes-managed hosts file (host network).'));
    await runtime.removePodSandbox(sid);
  });

  wrap('an unknown image fails create and a missing binary fails start, each with a clear error, leaving nothing', async () => {
    const sb = sandboxConfig('noimage');
    const sid = await runtime.runPodSandbox(sb);
    await assert.rejects(
      runtime.createContainer(sid, containerConfig('x', 'true', { image: 'localhost/nope:1' }), sb),
      /image "localhost\/nope:1" not found/,
    );
    // A missing binary is reported at start, as containerd and the kubelet do: StartError, exit 128.
    const bad = await runtime.createContainer(sid, containerConfig('bad', 'true', { args: ['/no/such/binary'] }), sb);
    await assert.rejects(runtime.startContainer(bad), /no such file|not found|executable/i);
    const st = await runtime.containerStatus(bad);
    assert.deepEqual([st.state, st.exitCode, st.reason], ['exited', 128, 'StartError']);
    await runtime.removeContainer(bad);
    assert.deepEqual(await runtime.listContainers({ sandboxId: sid }), []);
    assert.deepEqual(await readdir(paths.containersDir), []);
    await runtime.removePodSandbox(sid);
  });

  async function waitFor(what: string, cond: () => boolean, ms = 5000): Promise<void> {
    const end = Date.now() + ms;
    while (!cond()) {
      if (Date.now() > end) throw new Error(`${what}: not seen after ${ms}ms`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  wrap('a dead pause process makes the sandbox not ready and emits sandbox-exited', async () => {
    const sb = sandboxConfig('pausedeath');
    const sid = await runtime.runPodSandbox(sb);
    await runtime.infraStarted(sid);
    const st = await runtime.podSandboxStatus(sid);
    assert.ok(st.pid > 0, 'the pause process runs');
    process.kill(st.pid, 'SIGKILL');
    await waitFor('sandbox-exited event', () => events.some((e) => e.type === 'sandbox-exited' && e.sandboxId === sid));
    const ev = events.find((e) => e.type === 'sandbox-exited' && e.sandboxId === sid);
    assert.deepEqual(ev, { type: 'sandbox-exited', containerId: '', sandboxId: sid, podUid: sb.metadata.uid });
    assert.equal((await runtime.podSandboxStatus(sid)).state, 'notready');
    await runtime.removePodSandbox(sid);
  });

  wrap('stopping a container whose monitor and process are both gone records exit 255 without the kill wait', async () => {
    const sb = sandboxConfig('lost');
    const sid = await runtime.runPodSandbox(sb);
    const id = await run(sid, sb, containerConfig('lost', 'exec sleep 1000'));
    const { pid } = await runtime.containerStatus(id);
    const conmonPid = runtime.containers.get(id)?.conmonPid ?? 0;
    assert.ok(conmonPid > 0 && pid > 0);
    // The monitor first (so nobody writes an exit file), then the process it watched.
    process.kill(conmonPid, 'SIGKILL');
    await waitFor('conmon gone', () => !isLive(conmonPid));
    process.kill(pid, 'SIGKILL');
    await waitFor('container process gone', () => !isLive(pid));
    const t0 = Date.now();
    await runtime.stopContainer(id, 10);
    assert.ok(Date.now() - t0 < 3000, `stop took ${Date.now() - t0}ms`);
    const st = await runtime.containerStatus(id);
    assert.deepEqual([st.state, st.exitCode, st.message], ['exited', 255, 'container monitor lost; exit code unknown']);
    await runtime.removePodSandbox(sid);
  });
}

/** The pid names a process that is neither gone nor a zombie. */
function isLive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}
