// Root integration test of seccomp in RuncRuntime: real runc (libseccomp), the RuntimeDefault profile
// from /usr/share/containers/seccomp.json, Localhost profiles under the data dir's seccomp dir, and
// busybox containers probing syscalls. Own data dir and pod subnet (10.88.222.0/24); leaves nothing.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { nodePaths, type NodePaths } from '../../src/node/paths.js';
import { HostExec } from '../../src/system/exec.js';
import { SystemClock } from '../../src/system/clock.js';
import { CniNetwork } from '../../src/runtime/network/cni-network.js';
import { RuncRuntime } from '../../src/runtime/runc-runtime.js';
import type { ContainerConfig, LinuxContainerSecurity, PodSandboxConfig, SeccompProfile } from '../../src/runtime/runtime.js';
import { LocalImageService } from '../../src/images/local-image-service.js';
import { buildBusyboxImage } from '../../src/images/busybox.js';
import { busyboxContainer, sandboxFixture, waitExited } from './support/runtime-fixtures.js';
import { DEFAULT_SECCOMP_PROFILE_PATH } from '../../src/runtime/seccomp/profiles.js';
import { reportingFailure } from '../support/failure.js';
import { capturingLogger } from '../../src/system/logger.js';

const SUBNET = '10.88.222.0/24';

/** Prints one `key=exit code` line per probe, and the kernel's view of the filter. */
const PROBES = [
  'grep ^Seccomp: /proc/self/status',
  'unshare -U true; echo "unshare=$?"', // creates a user namespace: needs CAP_SYS_ADMIN under RuntimeDefault
  'linux64 -R true; echo "personality=$?"', // personality(ADDR_NO_RANDOMIZE): not in the default allow list
  'linux32 true; echo "linux32=$?"', // personality(PER_LINUX32): allowed
  'mkdir /tmp/probe-dir; echo "mkdir=$?"',
  'touch /tmp/probe-file; echo "touch=$?"',
].join('\n');

if (process.getuid?.() !== 0) {
  test('seccomp integration (needs root)', { skip: 'needs root: run as root' }, () => {});
} else {
  suite();
}

function suite(): void {
  const exec = new HostExec();
  const clock = new SystemClock();
  const logLines: string[] = [];
  const logger = capturingLogger(logLines);
  let dataDir = '';
  let paths: NodePaths;
  let network: CniNetwork;
  let runtime: RuncRuntime;
  let failed = false;

  before(async () => {
    dataDir = await mkdtemp('/tmp/peapod-seccomp-');
    paths = nodePaths(dataDir);
    const images = new LocalImageService({ paths, exec, logger, clock });
    await images.init();
    await buildBusyboxImage(images, { exec });
    network = new CniNetwork({ paths, exec, logger, podCidr: SUBNET });
    runtime = new RuncRuntime({ paths, exec, clock, logger, images, network });
    await network.init();
    await runtime.init();
    await mkdir(paths.seccompDir, { recursive: true });
  });

  after(async () => {
    try {
      for (const s of await runtime.listPodSandboxes()) await runtime.removePodSandbox(s.id);
      await runtime.teardownNode();
      await runtime.close();
      await network.teardownNode();
      const left = await exec.run('/usr/sbin/runc', ['--root', paths.runcRoot, 'list', '-q']);
      assert.equal(left.stdout.trim(), '', 'runc state left');
      const mounts = (await readFile('/proc/self/mountinfo', 'utf8')).split('\n').filter((l) => l.includes(dataDir) || l.includes(paths.runDir));
      assert.deepEqual(mounts, [], 'mounts left');
    } catch (e) {
      failed = true;
      throw e;
    } finally {
      if (failed || process.env.PEAPOD_TEST_LOG) console.log('runtime log:\n' + logLines.join(''));
      await rm(dataDir, { recursive: true, force: true });
      await rm(paths.runDir, { recursive: true, force: true });
    }
  });

  const wrap = (name: string, fn: () => Promise<void>) => test(name, reportingFailure(fn, () => (failed = true)));

  const sandboxConfig = (name: string): PodSandboxConfig => sandboxFixture(paths.podLogsDir, name);

  const containerConfig = (name: string, security: Partial<LinuxContainerSecurity>): ContainerConfig => {
    const c = busyboxContainer(name, PROBES, { labels: {} });
    return { ...c, security: { ...c.security, ...security } };
  };

  /** Runs the probes in a container and returns what they printed, as key → value. */
  async function probe(sid: string, sb: PodSandboxConfig, name: string, security: Partial<LinuxContainerSecurity>): Promise<Record<string, string>> {
    const id = await runtime.createContainer(sid, containerConfig(name, security), sb);
    await runtime.startContainer(id);
    const st = await waitExited(runtime, id);
    const out: Record<string, string> = {};
    const lines: string[] = [];
    for (const line of (await readFile(st.logPath, 'utf8')).split('\n')) {
      const text = line.split(' ').slice(3).join(' ');
      lines.push(text);
      const m = /^(Seccomp):\s*(\d+)$|^(\w+)=(\d+)$/.exec(text);
      if (m) out[m[1] ?? m[3]] = m[2] ?? m[4];
    }
    out.output = lines.join('\n');
    if (process.env.PEAPOD_TEST_LOG) console.log(`--- ${name}:\n${out.output}`);
    return out;
  }

  const localhost = (file: string): SeccompProfile => ({ type: 'Localhost', localhostRef: path.join(paths.seccompDir, file) });

  wrap('RuntimeDefault filters syscalls that run unconfined: user namespaces and unusual personalities', async () => {
    await stat(DEFAULT_SECCOMP_PROFILE_PATH); // installed by peapod setup (golang-github-containers-common)
    const sb = sandboxConfig('rtdefault');
    const sid = await runtime.runPodSandbox(sb);
    const free = await probe(sid, sb, 'unconfined', {});
    assert.deepEqual([free.Seccomp, free.unshare, free.personality, free.linux32, free.mkdir], ['0', '0', '0', '0', '0'], free.output);
    const conf = await probe(sid, sb, 'confined', { seccompProfile: { type: 'RuntimeDefault' } });
    assert.equal(conf.Seccomp, '2', conf.output);
    assert.notEqual(conf.unshare, '0', conf.output);
    assert.notEqual(conf.personality, '0', conf.output);
    assert.match(conf.output, /Function not implemented/, 'ENOSYS, the default action of the profile');
    assert.deepEqual([conf.linux32, conf.mkdir, conf.touch], ['0', '0', '0'], conf.output);
    // With CAP_SYS_ADMIN the profile's capability conditions let namespace creation through.
    const admin = await probe(sid, sb, 'admin', { seccompProfile: { type: 'RuntimeDefault' }, capabilitiesAdd: ['CAP_SYS_ADMIN'] });
    assert.deepEqual([admin.Seccomp, admin.unshare, admin.personality], ['2', '0', '1'], admin.output);
    await runtime.removePodSandbox(sid);
  });

  wrap('a Localhost profile blocks what it names, in the OCI form and in the containers/common form', async () => {
    await writeFile(path.join(paths.seccompDir, 'deny-mkdir.json'), JSON.stringify({
      defaultAction: 'SCMP_ACT_ALLOW',
      syscalls: [{ names: ['mkdir', 'mkdirat'], action: 'SCMP_ACT_ERRNO', errnoRet: 1 }],
    }));
    await mkdir(path.join(paths.seccompDir, 'team'), { recursive: true });
    await writeFile(path.join(paths.seccompDir, 'team', 'deny-touch-unless-admin.json'), JSON.stringify({
      defaultAction: 'SCMP_ACT_ALLOW',
      syscalls: [
        // O_CREAT (0o100 on x86_64) in open's flags (argument 1) or openat's (argument 2).
        { names: ['open'], action: 'SCMP_ACT_ERRNO', errno: 'EACCES', args: [{ index: 1, value: 0o100, valueTwo: 0o100, op: 'SCMP_CMP_MASKED_EQ' }], excludes: { caps: ['CAP_SYS_ADMIN'] } },
        { names: ['openat'], action: 'SCMP_ACT_ERRNO', errno: 'EACCES', args: [{ index: 2, value: 0o100, valueTwo: 0o100, op: 'SCMP_CMP_MASKED_EQ' }], excludes: { caps: ['CAP_SYS_ADMIN'] } },
      ],
    }));
    const sb = sandboxConfig('localhost');
    const sid = await runtime.runPodSandbox(sb);
    const oci = await probe(sid, sb, 'oci', { seccompProfile: localhost('deny-mkdir.json') });
    assert.equal(oci.Seccomp, '2', oci.output);
    assert.deepEqual([oci.mkdir, oci.touch, oci.unshare], ['1', '0', '0'], oci.output);
    assert.match(oci.output, /mkdir: can't create directory '\/tmp\/probe-dir': Operation not permitted/);
    // openat(..., O_CREAT) is EACCES unless CAP_SYS_ADMIN (busybox touch opens with O_CREAT).
    const cc = await probe(sid, sb, 'common', { seccompProfile: localhost('team/deny-touch-unless-admin.json') });
    assert.deepEqual([cc.mkdir, cc.touch], ['0', '1'], cc.output);
    assert.match(cc.output, /Permission denied/);
    const ccAdmin = await probe(sid, sb, 'common-admin', { seccompProfile: localhost('team/deny-touch-unless-admin.json'), capabilitiesAdd: ['CAP_SYS_ADMIN'] });
    assert.equal(ccAdmin.touch, '0', ccAdmin.output);
    await runtime.removePodSandbox(sid);
  });

  wrap('a missing or unparsable Localhost profile fails the create naming the file, leaving nothing', async () => {
    await writeFile(path.join(paths.seccompDir, 'broken.json'), '{"defaultAction": "SCMP_ACT_ALLOW", ');
    const sb = sandboxConfig('badprofile');
    const sid = await runtime.runPodSandbox(sb);
    const bundlesBefore = await readdir(paths.containersDir);
    const missing = path.join(paths.seccompDir, 'missing.json');
    await assert.rejects(
      runtime.createContainer(sid, containerConfig('m', { seccompProfile: localhost('missing.json') }), sb),
      (e: Error) => e.message.includes(`setup seccomp: unable to load local seccomp profile "${missing}": ENOENT`),
    );
    await assert.rejects(
      runtime.createContainer(sid, containerConfig('b', { seccompProfile: localhost('broken.json') }), sb),
      /unable to load local seccomp profile ".*broken\.json": decoding seccomp profile failed/,
    );
    assert.deepEqual(await runtime.listContainers({ sandboxId: sid }), []);
    assert.deepEqual(await readdir(paths.containersDir), bundlesBefore, 'no container bundle left');
    await runtime.removePodSandbox(sid);
  });
}
