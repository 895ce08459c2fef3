import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  buildAppSpec,
  buildInfraSpec,
  clampOomScoreAdj,
  computeCapabilities,
  DEFAULT_CAPABILITIES,
  ALL_CAPABILITIES,
  capabilitiesFromMask,
  userMounts,
  type AppSpecInput,
} from './oci-spec.js';
import type { ContainerConfig, PodSandboxConfig } from './runtime.js';

const sandbox: PodSandboxConfig = {
  metadata: { name: 'web', namespace: 'default', uid: 'u-1', attempt: 0 },
  hostname: 'web',
  logDirectory: '/logs/default_web_u-1',
  dns: { servers: [], searches: [], options: [] },
  hostAliases: [],
  portMappings: [],
  labels: {},
  annotations: { a: 'b' },
  hostNetwork: false,
  hostPID: false,
  hostIPC: false,
  shareProcessNamespace: false,
  sysctls: { 'net.ipv4.ip_unprivileged_port_start': '0' },
};

const container: ContainerConfig = {
  metadata: { name: 'app', attempt: 0 },
  image: 'localhost/busybox:latest',
  args: ['/bin/sh', '-c', 'sleep 1'],
  envs: [{ key: 'A', value: '1' }],
  workingDir: '',
  mounts: [],
  logPath: 'app/0.log',
  stdin: false,
  stdinOnce: false,
  tty: false,
  labels: {},
  annotations: {},
  security: {
    privileged: false,
    supplementalGroups: [],
    readonlyRootfs: false,
    noNewPrivileges: false,
    capabilitiesAdd: [],
    capabilitiesDrop: [],
  },
  resources: {},
  stopSignal: 'SIGTERM',
  terminationMessagePath: '/dev/termination-log',
};

function appInput(over: { sandbox?: Partial<PodSandboxConfig>; container?: Partial<ContainerConfig>; targetPid?: number } = {}): AppSpecInput {
  return {
    containerId: 'c1',
    config: { ...container, ...over.container },
    sandboxConfig: { ...sandbox, ...over.sandbox },
    rootfs: '/merged',
    user: { uid: 0, gid: 0, additionalGids: [] },
    pausePid: 42,
    netnsPath: '/run/netns/x',
    targetPid: over.targetPid,
    files: { hosts: '/sb/hosts', resolvConf: '/sb/resolv.conf', hostname: '/sb/hostname', shm: '/sb/shm', terminationLog: '/c/tl' },
    cgroupParent: 'peapod-t',
  };
}

const nsOf = (spec: { linux: { namespaces: { type: string; path?: string }[] } }) =>
  Object.fromEntries(spec.linux.namespaces.map((n) => [n.type, n.path ?? 'new']));

test('infra spec runs catatonit -P from a read-only empty root in new namespaces and the pinned netns', () => {
  const s = buildInfraSpec({ sandboxId: 's1', config: sandbox, rootfsDir: '/sb/rootfs', netnsPath: '/run/netns/x', cgroupParent: 'peapod-t', catatonitPath: '/usr/bin/catatonit' });
  assert.deepEqual(s.process.args, ['/catatonit', '-P']);
  assert.equal(s.root.readonly, true);
  assert.equal(s.hostname, 'web');
  assert.deepEqual(nsOf(s), { mount: 'new', pid: 'new', ipc: 'new', uts: 'new', network: '/run/netns/x' });
  assert.equal(s.linux.cgroupsPath, '/peapod-t/podu-1/s1');
  assert.deepEqual(s.linux.sysctl, { 'net.ipv4.ip_unprivileged_port_start': '0' });
  assert.ok(s.mounts.some((m) => m.destination === '/catatonit' && m.source === '/usr/bin/catatonit' && m.options?.includes('ro')));
});

test('issue 15: the infra container joins the pinned IPC and UTS namespaces and still sets the hostname', () => {
  const s = buildInfraSpec({ sandboxId: 's1', config: sandbox, rootfsDir: '/r', netnsPath: '/run/netns/x', ipcPath: '/n/s1.ipc', utsPath: '/n/s1.uts', cgroupParent: 'p', catatonitPath: '/c' });
  assert.deepEqual(nsOf(s), { mount: 'new', pid: 'new', ipc: '/n/s1.ipc', uts: '/n/s1.uts', network: '/run/netns/x' });
  assert.equal(s.hostname, 'web');
});

test('infra spec with host network, IPC and PID omits those namespaces, the hostname and net sysctls', () => {
  const s = buildInfraSpec({ sandboxId: 's1', config: { ...sandbox, hostNetwork: true, hostIPC: true, hostPID: true }, rootfsDir: '/r', cgroupParent: 'p', catatonitPath: '/c' });
  assert.deepEqual(nsOf(s), { mount: 'new' });
  assert.equal(s.hostname, undefined);
  assert.equal(s.linux.sysctl, undefined);
});

const nsCases: { name: string; input: AppSpecInput; want: Record<string, string> }[] = [
  {
    name: 'an app container joins the pause ipc/uts and the pinned netns, with its own pid namespace',
    input: appInput(),
    want: { mount: 'new', pid: 'new', ipc: '/proc/42/ns/ipc', uts: '/proc/42/ns/uts', network: '/run/netns/x' },
  },
  {
    name: 'shareProcessNamespace joins the pause pid namespace',
    input: appInput({ sandbox: { shareProcessNamespace: true } }),
    want: { mount: 'new', pid: '/proc/42/ns/pid', ipc: '/proc/42/ns/ipc', uts: '/proc/42/ns/uts', network: '/run/netns/x' },
  },
  {
    name: 'a target container id joins that container pid namespace',
    input: appInput({ targetPid: 77 }),
    want: { mount: 'new', pid: '/proc/77/ns/pid', ipc: '/proc/42/ns/ipc', uts: '/proc/42/ns/uts', network: '/run/netns/x' },
  },
  {
    name: 'issue 15: with the sandbox\'s IPC and UTS namespaces pinned as files, an app container joins those, not the pause\'s',
    input: { ...appInput(), ipcPath: '/run/peapod/ns/s1.ipc', utsPath: '/run/peapod/ns/s1.uts' },
    want: { mount: 'new', pid: 'new', ipc: '/run/peapod/ns/s1.ipc', uts: '/run/peapod/ns/s1.uts', network: '/run/netns/x' },
  },
  {
    name: 'host network, IPC and PID leave only the mount namespace',
    input: appInput({ sandbox: { hostNetwork: true, hostIPC: true, hostPID: true } }),
    want: { mount: 'new' },
  },
];
for (const c of nsCases) test(c.name, () => assert.deepEqual(nsOf(buildAppSpec(c.input)), c.want));

test('an app container gets the default mounts with pod files and its termination log', () => {
  const s = buildAppSpec(appInput());
  const byDest = Object.fromEntries(s.mounts.map((m) => [m.destination, m]));
  for (const d of ['/proc', '/dev', '/dev/pts', '/dev/mqueue', '/sys', '/sys/fs/cgroup']) assert.ok(byDest[d], d);
  assert.equal(byDest['/dev/shm'].source, '/sb/shm');
  assert.equal(byDest['/etc/hosts'].source, '/sb/hosts');
  assert.equal(byDest['/etc/resolv.conf'].source, '/sb/resolv.conf');
  assert.equal(byDest['/etc/hostname'].source, '/sb/hostname');
  assert.equal(byDest['/dev/termination-log'].source, '/c/tl');
  assert.ok(byDest['/sys'].options?.includes('ro'));
  assert.equal(s.linux.cgroupsPath, '/peapod-t/podu-1/c1');
  assert.deepEqual(s.linux.maskedPaths?.includes('/proc/kcore'), true);
});

test('privileged containers get every capability, rw /sys and no masked paths', () => {
  const s = buildAppSpec(appInput({ container: { security: { ...container.security, privileged: true } } }));
  assert.deepEqual(s.process.capabilities.bounding, ALL_CAPABILITIES);
  assert.equal(s.linux.maskedPaths, undefined);
  assert.equal(s.linux.readonlyPaths, undefined);
  assert.ok(s.mounts.find((m) => m.destination === '/sys')?.options?.includes('rw'));
});

test('privileged means every capability the host grants the runtime, no more (a host without CAP_SYS_RESOURCE)', () => {
  const host = capabilitiesFromMask('000001fffeffffff');
  assert.equal(host.includes('CAP_SYS_RESOURCE'), false);
  assert.equal(host.length, ALL_CAPABILITIES.length - 1);
  const s = buildAppSpec({ ...appInput({ container: { security: { ...container.security, privileged: true } } }), hostCapabilities: host });
  assert.deepEqual(s.process.capabilities.bounding, host);
  const all = buildAppSpec({ ...appInput({ container: { security: { ...container.security, capabilitiesAdd: ['ALL'] } } }), hostCapabilities: host });
  assert.equal(all.process.capabilities.bounding.includes('CAP_SYS_RESOURCE'), false);
});

test('a capability mask reads bit by bit', () => {
  assert.deepEqual(capabilitiesFromMask('1'), ['CAP_CHOWN']);
  assert.deepEqual(capabilitiesFromMask('0'), []);
  assert.deepEqual(capabilitiesFromMask('200000'), ['CAP_SYS_ADMIN']);
});

test('environment gets a default PATH and HOSTNAME when the config has none', () => {
  const s = buildAppSpec(appInput());
  assert.ok(s.process.env[0].startsWith('PATH=/usr/local/sbin'));
  assert.ok(s.process.env.includes('A=1'));
  assert.ok(s.process.env.includes('HOSTNAME=web'));
  assert.equal(s.process.cwd, '/');
});

test('resources map to cpu, memory with swap equal to the limit, and pids', () => {
  const s = buildAppSpec(appInput({ container: { resources: { cpuShares: 512, cpuQuota: 50000, cpuPeriod: 100000, memoryLimitBytes: 33554432, pidsLimit: 64, oomScoreAdj: -998 } } }));
  assert.deepEqual(s.linux.resources.cpu, { shares: 512, quota: 50000, period: 100000 });
  assert.deepEqual(s.linux.resources.memory, { limit: 33554432, swap: 33554432 });
  assert.deepEqual(s.linux.resources.pids, { limit: 64 });
  assert.equal(s.process.oomScoreAdj, 0);
});

test('read-only rootfs and no-new-privileges follow the security context', () => {
  const s = buildAppSpec(appInput({ container: { security: { ...container.security, readonlyRootfs: true, noNewPrivileges: true } } }));
  assert.equal(s.root.readonly, true);
  assert.equal(s.process.noNewPrivileges, true);
});

const capCases: { name: string; priv: boolean; add: string[]; drop: string[]; want: string[] }[] = [
  { name: 'the default set is containerd CRI 14 capabilities', priv: false, add: [], drop: [], want: DEFAULT_CAPABILITIES },
  { name: 'drop removes and add appends, with or without the CAP_ prefix', priv: false, add: ['NET_ADMIN'], drop: ['CAP_MKNOD', 'net_raw'],
    want: [...DEFAULT_CAPABILITIES.filter((c) => c !== 'CAP_MKNOD' && c !== 'CAP_NET_RAW'), 'CAP_NET_ADMIN'] },
  { name: 'drop ALL then add one leaves only that one', priv: false, add: ['NET_BIND_SERVICE'], drop: ['ALL'], want: ['CAP_NET_BIND_SERVICE'] },
  { name: 'privileged ignores add and drop', priv: true, add: [], drop: ['ALL'], want: ALL_CAPABILITIES },
];
for (const c of capCases) test(c.name, () => assert.deepEqual(computeCapabilities(c.priv, c.add, c.drop), c.want));

test('user mounts are sorted parents first and keep read-only and propagation', () => {
  const m = userMounts([
    { containerPath: '/data/sub', hostPath: '/h/sub', readonly: true },
    { containerPath: '/data', hostPath: '/h', readonly: false, propagation: 'rslave' },
  ]);
  assert.deepEqual(m.map((x) => x.destination), ['/data', '/data/sub']);
  assert.deepEqual(m[0].options, ['rbind', 'rslave', 'rw']);
  assert.deepEqual(m[1].options, ['rbind', 'rprivate', 'ro']);
});

test('oom score adjustments are clamped to 0..1000', () => {
  assert.deepEqual([-1000, -1, 0, 500, 2000].map(clampOomScoreAdj), [0, 0, 0, 500, 1000]);
});

const SECCOMP: AppSpecInput['seccomp'] = {
  arch: 'amd64',
  kernel: [6, 1, 0],
  profile: {
    defaultAction: 'SCMP_ACT_ERRNO',
    defaultErrnoRet: 38,
    architectures: [],
    archMap: [{ architecture: 'SCMP_ARCH_X86_64', subArchitectures: ['SCMP_ARCH_X86', 'SCMP_ARCH_X32'] }],
    flags: [],
    syscalls: [
      { names: ['read'], action: 'SCMP_ACT_ALLOW', args: [], includes: { caps: [], arches: [] }, excludes: { caps: [], arches: [] } },
      { names: ['bpf'], action: 'SCMP_ACT_ALLOW', args: [], includes: { caps: ['CAP_SYS_ADMIN'], arches: [] }, excludes: { caps: [], arches: [] } },
    ],
  },
};
const withSecurity = (security: Partial<ContainerConfig['security']>, seccomp = SECCOMP): AppSpecInput => {
  const input = appInput({ container: { security: { ...container.security, ...security } } });
  return { ...input, seccomp };
};

test('no seccomp profile means no linux.seccomp (unconfined)', () => {
  assert.equal('seccomp' in buildAppSpec(appInput()).linux, false);
});

test('a seccomp profile is resolved against the host arch and the container capabilities', () => {
  const s = buildAppSpec(withSecurity({}));
  assert.deepEqual(s.linux.seccomp, {
    defaultAction: 'SCMP_ACT_ERRNO',
    defaultErrnoRet: 38,
    architectures: ['SCMP_ARCH_X86_64', 'SCMP_ARCH_X86', 'SCMP_ARCH_X32'],
    syscalls: [{ names: ['read'], action: 'SCMP_ACT_ALLOW' }],
  });
  const admin = buildAppSpec(withSecurity({ capabilitiesAdd: ['SYS_ADMIN'] }));
  assert.deepEqual(admin.linux.seccomp?.syscalls?.map((r) => r.names[0]), ['read', 'bpf']);
  const dropped = buildAppSpec(withSecurity({ capabilitiesDrop: ['ALL'], capabilitiesAdd: ['CAP_SYS_ADMIN'] }));
  assert.deepEqual(dropped.linux.seccomp?.syscalls?.map((r) => r.names[0]), ['read', 'bpf']);
});

test('a privileged container runs unconfined even when given a profile', () => {
  assert.equal('seccomp' in buildAppSpec(withSecurity({ privileged: true })).linux, false);
});

test('issue 8: every host page size gets a hugetlb limit: what the container asked for, 0 for the rest', () => {
  const asked = appInput({ container: { resources: { ...container.resources, hugepageLimits: [{ pageSize: '2MB', limitBytes: 8 << 20 }] } } });
  assert.deepEqual(buildAppSpec({ ...asked, hugepageSizes: ['1GB', '2MB'] }).linux.resources.hugepageLimits, [
    { pageSize: '1GB', limit: 0 },
    { pageSize: '2MB', limit: 8 << 20 },
  ]);
  assert.deepEqual(buildAppSpec({ ...appInput(), hugepageSizes: ['2MB'] }).linux.resources.hugepageLimits, [{ pageSize: '2MB', limit: 0 }]);
  assert.equal(buildAppSpec(asked).linux.resources.hugepageLimits, undefined, 'no hugetlb controller: nothing runc could apply');
});

// Issue 13: the termination log was always bound at /dev/termination-log, whatever terminationMessagePath said.
test('the termination log is bound at the container\'s terminationMessagePath, after a volume mounted above it', () => {
  const s = buildAppSpec(appInput({ container: { terminationMessagePath: '/data/msg', mounts: [{ containerPath: '/data', hostPath: '/vol/data', readonly: false }] } }));
  const dests = s.mounts.map((m) => m.destination);
  assert.equal(dests.includes('/dev/termination-log'), false);
  assert.equal(s.mounts.find((m) => m.destination === '/data/msg')?.source, '/c/tl');
  assert.ok(dests.indexOf('/data') < dests.indexOf('/data/msg'), 'the volume is mounted first, so it does not hide the file');
  const rel = buildAppSpec(appInput({ container: { terminationMessagePath: 'tmp/msg' } }));
  assert.equal(rel.mounts.find((m) => m.source === '/c/tl')?.destination, '/tmp/msg', 'relative: from the root, as runc takes it');
  const none = buildAppSpec(appInput({ container: { terminationMessagePath: '' } }));
  assert.equal(none.mounts.some((m) => m.source === '/c/tl'), false);
});

