// Root integration test of the runtime's warm pool of sandboxes (issue 15, `serve --warm-pool`): real runc,
// conmon, catatonit, cgroups and the CNI pod network (subnet 10.88.245.0/24), its own data dir. A pod claims
// a ready pool sandbox: it is listed as the pod's, its pause sits in the pod's cgroup at the pod's QoS level,
// its files are the pod's, its containers join it; pods the pool cannot serve get fresh sandboxes; a clean
// close removes the pool, and a runtime started over a crashed one's records removes its pool sandboxes.
// Leaves nothing behind (checked at the end).

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, readdir, readlink, rm, stat } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { nodePaths, type NodePaths } from '../../src/node/paths.js';
import { HostExec } from '../../src/system/exec.js';
import { SystemClock } from '../../src/system/clock.js';
import { capturingLogger, type Logger } from '../../src/system/logger.js';
import { CniNetwork } from '../../src/runtime/network/cni-network.js';
import { RuncRuntime } from '../../src/runtime/runc-runtime.js';
import { podCgroupName } from '../../src/runtime/oci-spec.js';
import type { PodSandboxConfig } from '../../src/runtime/runtime.js';
import { LocalImageService } from '../../src/images/local-image-service.js';
import { buildBusyboxImage } from '../../src/images/busybox.js';
import { busyboxContainer, sandboxFixture, assertRuntimeLeftNothing } from './support/runtime-fixtures.js';
import { reportingFailure } from '../support/failure.js';

const SUBNET = '10.88.245.0/24';

if (process.getuid?.() !== 0) {
  test('warm pool integration (needs root)', { skip: 'needs root: run as root' }, () => {});
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
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

  function makeRuntime(warmPool: number): RuncRuntime {
    network = new CniNetwork({ paths, exec, logger, podCidr: SUBNET });
    return new RuncRuntime({ paths, exec, clock, logger, images, network, warmPool });
  }

  /** Waits (up to 20 s) until the pool holds `n` ready sandboxes. */
  async function poolReady(rt: RuncRuntime, n: number): Promise<void> {
    for (let i = 0; i < 400; i++) {
      if ((rt.warmPoolFigures()?.ready ?? 0) >= n) return;
      await sleep(50);
    }
    assert.fail(`the warm pool never held ${n} ready sandboxes: ${JSON.stringify(rt.warmPoolFigures())}`);
  }

  before(async () => {
    dataDir = await mkdtemp('/tmp/peapod-pool-');
    paths = nodePaths(dataDir);
    images = new LocalImageService({ paths, exec, logger, clock });
    await images.init();
    await buildBusyboxImage(images, { exec });
    runtime = makeRuntime(1);
    await network.init();
    await runtime.init();
  });

  after(async () => {
    try {
      for (const s of await runtime.listPodSandboxes()) await runtime.removePodSandbox(s.id);
      await runtime.close();
      await runtime.teardownNode();
      await network.teardownNode();
      await assertRuntimeLeftNothing(exec, paths, dataDir);
    } catch (e) {
      failed = true;
      throw e;
    } finally {
      if (failed || process.env.PEAPOD_TEST_LOG) console.log('runtime log:\n' + logLines.join(''));
      await rm(dataDir, { recursive: true, force: true });
      await rm(paths.runDir, { recursive: true, force: true });
    }
  });

  const sandboxDirs = async () => (await readdir(paths.sandboxesDir).catch(() => [] as string[])).filter((n) => /^[0-9a-f]{64}$/.test(n));
  const wrap = (name: string, fn: () => Promise<void>) => test(name, reportingFailure(fn, () => (failed = true)));
  const sandboxConfig = (name: string, over: Partial<PodSandboxConfig> = {}) =>
    sandboxFixture(paths.podLogsDir, name, { hostAliases: [{ ip: '10.1.2.3', hostnames: ['alias-one'] }], ...over });

  wrap('a pod claims the ready pool sandbox: the pod\'s record, cgroup, files and IP, and its containers join it', async () => {
    await poolReady(runtime, 1);
    assert.deepEqual(await runtime.listPodSandboxes(), [], 'a pool sandbox is nobody\'s: not listed');
    const sb = sandboxConfig('claimer', {
      qosLevel: 'burstable',
      resources: { cpuShares: 512, cpuQuota: 50_000, cpuPeriod: 100_000, memoryLimitBytes: 64 * 1024 * 1024 },
    });
    const before = runtime.warmPoolFigures()!;
    const t0 = Date.now();
    const id = await runtime.runPodSandbox(sb);
    const claimMs = Date.now() - t0;
    assert.equal(runtime.warmPoolFigures()!.claims, before.claims + 1, 'the pod claimed the pool sandbox');
    await runtime.infraStarted(id); // at once: it was set up before
    const st = await runtime.podSandboxStatus(id);
    assert.equal(st.state, 'ready');
    assert.equal(st.metadata.uid, sb.metadata.uid);
    assert.match(st.ip ?? '', /^10\.88\.245\.\d+$/);
    assert.ok(st.createdAt >= t0, 'created (for the pod) at the claim, so it is the pod\'s newest sandbox');
    assert.deepEqual((await runtime.listPodSandboxes({ labelSelector: sb.labels })).map((s) => s.id), [id], 'found by the pod\'s labels');

    // The pause joined the pod's cgroup at its QoS level, in every hierarchy; its devices stay denied.
    const want = `/${paths.cgroupParent}/burstable/${podCgroupName(sb.metadata.uid)}/${id}`;
    const lines = (await readFile(`/proc/${st.pid}/cgroup`, 'utf8')).split('\n').filter(Boolean);
    assert.ok(lines.length >= 2, lines.join('\n'));
    for (const l of lines) assert.equal(l.split(':')[2], want, `every hierarchy (${l.split(':')[1] || 'unified'})`);
    const poolLeaf = path.join('/sys/fs/cgroup/pids', paths.cgroupParent, 'besteffort');
    const poolPods = (await readdir(poolLeaf)).filter((n) => n.startsWith('pod'));
    for (const p of poolPods) {
      const procs = await readFile(path.join(poolLeaf, p, id, 'cgroup.procs'), 'utf8').catch(() => '');
      assert.equal(procs.trim(), '', 'the pool\'s first cgroup is left empty');
    }
    const devices = await readFile(path.join('/sys/fs/cgroup/devices', want, 'devices.list'), 'utf8');
    assert.ok(!devices.includes('a *:* rwm'), `the pause's devices are not opened by the move: ${devices}`);
    const podCpu = path.join('/sys/fs/cgroup/cpu', paths.cgroupParent, 'burstable', podCgroupName(sb.metadata.uid));
    assert.equal((await readFile(path.join(podCpu, 'cpu.cfs_quota_us'), 'utf8')).trim(), '50000', 'the pod\'s limits are on its cgroup');

    // The pod's hostname, /etc/hosts (with the pool sandbox's IP and the pod's aliases) and resolv.conf.
    const ctr = await runtime.createContainer(id, busyboxContainer('main', 'hostname; cat /etc/hosts; ip -4 addr show eth0; sleep 3600'), sb);
    await runtime.startContainer(ctr);
    const log = (await runtime.containerStatus(ctr)).logPath;
    let text = '';
    for (let i = 0; i < 100 && !text.includes('inet '); i++) {
      text = await readFile(log, 'utf8').catch(() => '');
      if (!text.includes('inet ')) await sleep(50);
    }
    assert.match(text, new RegExp(` F ${sb.hostname}\\n`), text);
    assert.match(text, new RegExp(`${st.ip!.replace(/\./g, '\\.')}\\t${sb.hostname}`), text);
    assert.match(text, /10\.1\.2\.3\talias-one/, text);
    assert.match(text, new RegExp(`inet ${st.ip!.replace(/\./g, '\\.')}/24`), text);
    const ctrPid = (await runtime.containerStatus(ctr)).pid!;
    for (const ns of ['net', 'ipc', 'uts']) {
      const [a, b] = await Promise.all([readlinkNs(st.pid, ns), readlinkNs(ctrPid, ns)]);
      assert.equal(a, b, `the container joins the infra's ${ns} namespace`);
    }
    console.log(`claim took ${claimMs} ms`);

    // The pool refills in the background; removing the pod's sandbox removes the pool's first cgroup too.
    await poolReady(runtime, 1);
    // Stopped as a pod's sandbox is (runc kill of the moved pause, its exit file), then removed.
    await runtime.stopPodSandbox(id);
    assert.equal((await runtime.podSandboxStatus(id)).state, 'notready');
    assert.equal(await stat(`/proc/${st.pid}`).then(() => true, () => false), false, 'the pause is gone');
    await runtime.removePodSandbox(id);
    for (const h of ['cpu', 'pids', 'memory']) {
      const dir = path.join('/sys/fs/cgroup', h, paths.cgroupParent, 'burstable', podCgroupName(sb.metadata.uid));
      assert.equal(await stat(dir).then(() => true, () => false), false, `pod cgroup left in ${h}`);
    }
    const pooled = await readdir(path.join('/sys/fs/cgroup/pids', paths.cgroupParent, 'besteffort')).catch(() => [] as string[]);
    assert.equal(pooled.filter((n) => n.startsWith('pod')).length, 1, `only the new pool sandbox's cgroup is left: ${pooled}`);
  });

  wrap('pods the pool cannot serve (hostPort, sysctls, host namespaces) get a fresh sandbox and leave the pool as it is', async () => {
    await poolReady(runtime, 1);
    const claims = runtime.warmPoolFigures()!.claims;
    const withPort = sandboxConfig('with-port', { portMappings: [{ protocol: 'TCP', containerPort: 80, hostPort: 18080, hostIP: '127.0.0.1' }] });
    const withSysctl = sandboxConfig('with-sysctl', { sysctls: { 'net.ipv4.ip_unprivileged_port_start': '0' } });
    for (const sb of [withPort, withSysctl]) {
      const id = await runtime.runPodSandbox(sb);
      await runtime.infraStarted(id);
      assert.equal((await runtime.podSandboxStatus(id)).metadata.uid, sb.metadata.uid);
      await runtime.removePodSandbox(id);
    }
    assert.equal(runtime.warmPoolFigures()!.claims, claims, 'neither claimed');
    assert.equal(runtime.warmPoolFigures()!.ready, 1, 'the pool sandbox is still there');
  });

  wrap('a runtime started over a killed one removes its pool sandboxes and makes its own; close removes the pool', async () => {
    await poolReady(runtime, 1);
    await runtime.close();
    assert.deepEqual(await sandboxDirs(), [], 'a clean close removed the pool');
    // A runtime that filled its pool and died (kill -9: no close).
    const child = path.join(path.dirname(fileURLToPath(import.meta.url)), 'support', 'pool-child.js');
    const out = await exec.run(process.execPath, [child, dataDir, SUBNET], { timeoutMs: 60_000 });
    assert.equal(out.code, 0, out.stderr);
    const left = await sandboxDirs();
    assert.equal(left.length, 1, 'the dead runtime left its pool sandbox');
    runtime = makeRuntime(1);
    await network.init();
    await runtime.init();
    assert.ok(logLines.some((l) => l.includes('removing a warm pool sandbox of the previous run') && l.includes(left[0]!)), 'the old pool sandbox was removed at start');
    await poolReady(runtime, 1);
    const now = await sandboxDirs();
    assert.equal(now.length, 1);
    assert.notEqual(now[0], left[0], 'a new pool sandbox');
  });
}

function readlinkNs(pid: number, kind: string): Promise<string> {
  return readlink(`/proc/${pid}/ns/${kind}`);
}
