// Small fixtures shared by the root suites that drive RuncRuntime directly.

import assert from 'node:assert/strict';
import { readFile, readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import type { NodePaths } from '../../../src/node/paths.js';
import type { Exec } from '../../../src/system/exec.js';
import { BUSYBOX_REF } from '../../../src/images/busybox.js';
import type { ContainerConfig, ContainerStatus, PodSandboxConfig, Runtime } from '../../../src/runtime/runtime.js';

/** A pod sandbox named `name` in "default" with a fresh uid, logging under `podLogsDir`; `over` changes fields. */
export function sandboxFixture(podLogsDir: string, name: string, over: Partial<PodSandboxConfig> = {}): PodSandboxConfig {
  const uid = `uid-${name}-${Math.random().toString(16).slice(2, 8)}`;
  return {
    metadata: { name, namespace: 'default', uid, attempt: 0 },
    hostname: name,
    logDirectory: path.join(podLogsDir, `default_${name}_${uid}`),
    dns: { servers: [], searches: [], options: [] },
    hostAliases: [],
    portMappings: [],
    labels: { app: name },
    annotations: {},
    hostNetwork: false,
    hostPID: false,
    hostIPC: false,
    shareProcessNamespace: false,
    sysctls: {},
    ...over,
  };
}

/** A busybox container running `sh -c script` as root, attempt 0, logging to <name>/0.log. */
export function busyboxContainer(name: string, script: string, over: Partial<ContainerConfig> = {}): ContainerConfig {
  return {
    metadata: { name, attempt: 0 },
    image: BUSYBOX_REF,
    args: ['/bin/sh', '-c', script],
    envs: [{ key: 'PATH', value: '/bin' }],
    workingDir: '/',
    mounts: [],
    logPath: `${name}/0.log`,
    stdin: false,
    stdinOnce: false,
    tty: false,
    labels: { container: name },
    annotations: {},
    security: {
      privileged: false, supplementalGroups: [], readonlyRootfs: false, noNewPrivileges: false,
      capabilitiesAdd: [], capabilitiesDrop: [],
    },
    resources: {},
    stopSignal: 'SIGTERM',
    ...over,
  };
}

/** Polls the container's status until it has exited; throws after `ms`. */
export async function waitExited(runtime: Runtime, id: string, ms = 10_000): Promise<ContainerStatus> {
  const end = Date.now() + ms;
  for (;;) {
    const s = await runtime.containerStatus(id);
    if (s.state === 'exited') return s;
    if (Date.now() > end) throw new Error(`container ${id} still ${s.state} after ${ms}ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Asserts a runtime suite left nothing on the host: runc state, mounts under its dirs, conmon, cgroups, netns. */
export async function assertRuntimeLeftNothing(exec: Exec, paths: NodePaths, dataDir: string): Promise<void> {
  const list = await exec.run('/usr/sbin/runc', ['--root', paths.runcRoot, 'list', '-q']);
  assert.equal(list.stdout.trim(), '', 'runc state left');
  const mounts = await readFile('/proc/self/mountinfo', 'utf8');
  const ours = mounts.split('\n').filter((l) => l.includes(dataDir) || l.includes(paths.runDir));
  assert.deepEqual(ours, [], 'mounts left');
  for (const pid of await readdir('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    const cmd = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
    assert.ok(!(cmd.startsWith('/usr/bin/conmon') && cmd.includes(paths.runcRoot)), `conmon ${pid} left`);
  }
  for (const h of await readdir('/sys/fs/cgroup')) {
    const left = await stat(path.join('/sys/fs/cgroup', h, paths.cgroupParent)).then(() => true, () => false);
    assert.equal(left, false, `cgroup dir left in ${h}`);
  }
  const netns = await readdir(paths.netnsDir).catch(() => [] as string[]);
  assert.deepEqual(netns, [], 'netns left');
}
