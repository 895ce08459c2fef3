import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ContainerConfigError } from '../errors.js';
import type { ImageConfig } from '../images/images.js';
import type { ConfigMap, Container, PodSecurityContext, Secret, SecurityContext } from '../k8s/types.js';
import type { SeccompProfile } from '../runtime/runtime.js';
import { nodePaths } from '../node/paths.js';
import { expandVars, mergeImageEnv, resolveEnv, type ObjectLookup } from './env.js';
import { parseResolvConf, podDns, podHostname, portMappingsOf, sandboxConfigOf } from './sandbox-config.js';
import { commandOf, containerConfigOf, cpuShares, oomScoreAdj, resourcesOf, seccompOf, securityOf, stopSignalOf } from './translate.js';
import { ctr, makePod } from './test-fixtures.js';

const IMAGE: ImageConfig = { entrypoint: ['/ep'], cmd: ['cmd1'], env: ['PATH=/bin', 'A=image'], workingDir: '/img', user: '1000:1000', stopSignal: 'QUIT', exposedPorts: [], labels: {} };

const cm = (name: string, data: Record<string, string>): ConfigMap => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'ns' }, data });
const secret = (name: string, data: Record<string, string>): Secret => ({
  apiVersion: 'v1', kind: 'Secret', metadata: { name, namespace: 'ns' },
  data: Object.fromEntries(Object.entries(data).map(([k, v]) => [k, Buffer.from(v).toString('base64')])),
});
const lookup = (cms: ConfigMap[] = [], secrets: Secret[] = []): ObjectLookup => ({
  configMap: (_ns, n) => cms.find((c) => c.metadata.name === n),
  secret: (_ns, n) => secrets.find((s) => s.metadata.name === n),
});
const envOf = (c: Container, l = lookup()) => {
  const pod = makePod({ containers: [c], serviceAccountName: 'sa' });
  pod.metadata.labels = { app: 'web' };
  return Object.fromEntries(resolveEnv({ pod, container: c, lookup: l, nodeIP: '192.168.1.2', podIPs: ['10.88.0.5'], nodeCpuMilli: 2000, nodeMemoryBytes: 1 << 30 }).map((e) => [e.key, e.value]));
};

const expansions: [string, string, string][] = [
  ['expands a known reference', 'x$(A)y', 'x1y'],
  ['keeps an unknown reference literally', '$(NOPE)', '$(NOPE)'],
  ['turns $$ into a literal dollar', '$$(A)', '$(A)'],
  ['keeps an unclosed reference', '$(A', '$(A'],
  ['keeps a lone dollar followed by a letter', '$A', '$A'],
  ['keeps a trailing dollar', 'a$', 'a$'],
];
for (const [name, input, want] of expansions) {
  test(`$(VAR) expansion ${name}`, () => assert.equal(expandVars(input, (n) => (n === 'A' ? '1' : undefined)), want));
}

const commands: [string, Partial<Container>, string[]][] = [
  ['uses the image entrypoint and cmd when neither command nor args is set', {}, ['/ep', 'cmd1']],
  ['uses only command when only command is set', { command: ['/bin/sh'] }, ['/bin/sh']],
  ['uses the image entrypoint with args when only args are set', { args: ['a'] }, ['/ep', 'a']],
  ['uses command and args when both are set', { command: ['/c'], args: ['$(X)', '$$(X)'] }, ['/c', 'v', '$(X)']],
];
for (const [name, c, want] of commands) {
  test(`command ${name}`, () => assert.deepEqual(commandOf(ctr('c', c), IMAGE, [{ key: 'X', value: 'v' }]), want));
}

test('env resolves envFrom with prefix, then env in order with later names overriding', () => {
  const c = ctr('c', {
    envFrom: [{ configMapRef: { name: 'cm1' }, prefix: 'P_' }, { secretRef: { name: 's1' } }],
    env: [{ name: 'P_a', value: 'override' }, { name: 'B', value: '$(P_a)-$(S)' }, { name: 'S', value: 'plain' }],
  });
  const env = envOf(c, lookup([cm('cm1', { a: '1', 'bad key': 'x' })], [secret('s1', { S: 'secret!' })]));
  assert.deepEqual(env, { P_a: 'override', S: 'plain', B: 'override-secret!' });
});

test('env reads configMapKeyRef, secretKeyRef (base64-decoded), fieldRef and resourceFieldRef', () => {
  const c = ctr('c', {
    resources: { limits: { memory: '64Mi' }, requests: { cpu: '250m' } },
    env: [
      { name: 'K', valueFrom: { configMapKeyRef: { name: 'cm1', key: 'k' } } },
      { name: 'S', valueFrom: { secretKeyRef: { name: 's1', key: 'pw' } } },
      { name: 'NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
      { name: 'NS', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
      { name: 'APP', valueFrom: { fieldRef: { fieldPath: "metadata.labels['app']" } } },
      { name: 'SA', valueFrom: { fieldRef: { fieldPath: 'spec.serviceAccountName' } } },
      { name: 'HOST', valueFrom: { fieldRef: { fieldPath: 'status.hostIP' } } },
      { name: 'IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } },
      { name: 'MEM', valueFrom: { resourceFieldRef: { resource: 'limits.memory', divisor: '1Mi' } } },
      { name: 'CPU', valueFrom: { resourceFieldRef: { resource: 'requests.cpu', divisor: '1m' } } },
      { name: 'CPULIM', valueFrom: { resourceFieldRef: { resource: 'limits.cpu' } } },
    ],
  });
  const env = envOf(c, lookup([cm('cm1', { k: 'v' })], [secret('s1', { pw: 'hunter2' })]));
  assert.deepEqual(env, { K: 'v', S: 'hunter2', NAME: 'p', NS: 'ns', APP: 'web', SA: 'sa', HOST: '192.168.1.2', IP: '10.88.0.5', MEM: '64', CPU: '250', CPULIM: '2' });
});

const configErrors: [string, Partial<Container>, string][] = [
  ['a missing configmap', { env: [{ name: 'X', valueFrom: { configMapKeyRef: { name: 'nope', key: 'k' } } }] }, 'configmap "nope" not found'],
  ['a missing configmap key', { env: [{ name: 'X', valueFrom: { configMapKeyRef: { name: 'cm1', key: 'zz' } } }] }, "couldn't find key zz in ConfigMap ns/cm1"],
  ['a missing secret', { envFrom: [{ secretRef: { name: 'nope' } }] }, 'secret "nope" not found'],
  ['a missing secret key', { env: [{ name: 'X', valueFrom: { secretKeyRef: { name: 's1', key: 'zz' } } }] }, "couldn't find key zz in Secret ns/s1"],
];
for (const [name, c, msg] of configErrors) {
  test(`env fails with ContainerConfigError for ${name}`, () => {
    assert.throws(() => envOf(ctr('c', c), lookup([cm('cm1', { k: 'v' })], [secret('s1', {})])), (e: unknown) => e instanceof ContainerConfigError && e.message === msg);
  });
}

test('env skips optional references that are missing', () => {
  const c = ctr('c', {
    envFrom: [{ configMapRef: { name: 'nope', optional: true } }],
    env: [{ name: 'X', valueFrom: { secretKeyRef: { name: 'nope', key: 'k', optional: true } } }],
  });
  assert.deepEqual(envOf(c), {});
});

test('image env comes first and the container env overrides it by name', () => {
  assert.deepEqual(mergeImageEnv(['PATH=/bin', 'A=image'], [{ key: 'A', value: 'pod' }, { key: 'B', value: 'b' }]), [
    { key: 'PATH', value: '/bin' }, { key: 'A', value: 'pod' }, { key: 'B', value: 'b' },
  ]);
});

test('cpu shares follow max(2, milli*1024/1000)', () => {
  assert.deepEqual([0, 1, 250, 1000].map(cpuShares), [2, 2, 256, 1024]);
});

test('resources pass quota, period, memory limit and oom score through', () => {
  const pod = makePod();
  const c = ctr('c', { resources: { limits: { cpu: '500m', memory: '64Mi' } } });
  assert.deepEqual(resourcesOf({ pod, container: c, attempt: 0, imageConfig: IMAGE, env: [], mounts: [], qosClass: 'Guaranteed', nodeMemoryBytes: 1 << 30, seccompDir: '/sc' }), {
    cpuShares: 512, cpuPeriod: 100000, cpuQuota: 50000, memoryLimitBytes: 64 << 20, oomScoreAdj: -997,
  });
});

test('issue 8: huge page limits reach the container as hugetlb limits by page size', () => {
  const pod = makePod();
  const c = ctr('c', { resources: { limits: { memory: '64Mi', 'hugepages-2Mi': '8Mi' }, requests: { memory: '64Mi', 'hugepages-2Mi': '8Mi' } } });
  const r = resourcesOf({ pod, container: c, attempt: 0, imageConfig: IMAGE, env: [], mounts: [], qosClass: 'Burstable', nodeMemoryBytes: 1 << 30, seccompDir: '/sc' });
  assert.deepEqual(r.hugepageLimits, [{ pageSize: '2MB', limitBytes: 8 << 20 }]);
});

test('issue 8: the pod cgroup follows the kubelet ResourceConfigForPod, init containers and sidecars counted', () => {
  const lim = (cpu: string, memory: string) => ({ resources: { limits: { cpu, memory }, requests: { cpu, memory } } });
  // Guaranteed: shares from requests, quota and memory from limits; an init container larger than the app counts.
  const g = makePod({ containers: [ctr('a', lim('500m', '64Mi'))], initContainers: [ctr('i', lim('1', '128Mi'))] });
  assert.deepEqual(sandboxConfigOf(g, 0, nodePaths('/d'), parseResolvConf('')).resources, { cpuShares: 1024, cpuPeriod: 100000, cpuQuota: 100000, memoryLimitBytes: 128 << 20 });
  // Burstable: a sidecar adds to the app; no quota or memory limit since the init container sets no limit.
  const b = makePod({
    containers: [ctr('a', { resources: { requests: { cpu: '250m' }, limits: { cpu: '1', memory: '64Mi' } } })],
    initContainers: [ctr('side', { restartPolicy: 'Always', resources: { requests: { cpu: '250m' } } })],
  });
  const br = sandboxConfigOf(b, 0, nodePaths('/d'), parseResolvConf(''));
  assert.equal(br.qosLevel, 'burstable');
  assert.deepEqual(br.resources, { cpuShares: 512 });
  // Burstable where every container sets limits: quota and memory limit as well.
  const b2 = makePod({ containers: [ctr('a', { resources: { requests: { cpu: '100m', memory: '16Mi' }, limits: { cpu: '200m', memory: '32Mi' } } })] });
  assert.deepEqual(sandboxConfigOf(b2, 0, nodePaths('/d'), parseResolvConf('')).resources, { cpuShares: 102, cpuPeriod: 100000, cpuQuota: 20000, memoryLimitBytes: 32 << 20 });
  // BestEffort: the minimum shares, nothing else.
  assert.deepEqual(sandboxConfigOf(makePod(), 0, nodePaths('/d'), parseResolvConf('')).resources, { cpuShares: 2 });
  // Huge pages: what the pod requests.
  const h = makePod({ containers: [ctr('a', { resources: { limits: { memory: '64Mi', 'hugepages-1Gi': '2Gi' }, requests: { memory: '64Mi', 'hugepages-1Gi': '2Gi' } } })] });
  assert.deepEqual(sandboxConfigOf(h, 0, nodePaths('/d'), parseResolvConf('')).resources?.hugepageLimits, [{ pageSize: '1GB', limitBytes: 2 * 1024 ** 3 }]);
});

test('oom_score_adj is 1000 for BestEffort and clamped within [3, 999] for Burstable', () => {
  const pod = makePod();
  assert.equal(oomScoreAdj('BestEffort', 0, 1000, pod), 1000);
  assert.equal(oomScoreAdj('Burstable', 500, 1000, pod), 500);
  assert.equal(oomScoreAdj('Burstable', 1000, 1000, pod), 3);
  assert.equal(oomScoreAdj('Burstable', 0, 1000, pod), 999);
});

test('runAsUser from the container wins over the pod, else the image user is passed for resolution', () => {
  const pod = makePod({ securityContext: { runAsUser: 5, fsGroup: 7 } });
  assert.equal(securityOf(pod, ctr('c', { securityContext: { runAsUser: 9 } }), IMAGE).runAsUser, 9);
  assert.equal(securityOf(pod, ctr('c'), IMAGE).runAsUser, 5);
  assert.deepEqual(securityOf(pod, ctr('c'), IMAGE).supplementalGroups, [7]);
  const noUser = securityOf(makePod(), ctr('c'), IMAGE);
  assert.equal(noUser.runAsUser, undefined);
  assert.equal(noUser.imageUser, '1000:1000');
});

test('runAsNonRoot with a root image is a CreateContainerConfigError', () => {
  const pod = makePod({ securityContext: { runAsNonRoot: true } });
  assert.throws(() => securityOf(pod, ctr('c'), { ...IMAGE, user: '' }), /container has runAsNonRoot and image will run as root/);
  assert.throws(() => securityOf(pod, ctr('c'), { ...IMAGE, user: 'nobody' }), /non-numeric user \(nobody\)/);
  assert.doesNotThrow(() => securityOf(pod, ctr('c'), IMAGE));
});

const seccompCases: [string, PodSecurityContext['seccompProfile'], SecurityContext['seccompProfile'], SeccompProfile | undefined][] = [
  ['is unset (unconfined) when neither the pod nor the container asks', undefined, undefined, undefined],
  ['takes the pod-level profile when the container sets none', { type: 'RuntimeDefault' }, undefined, { type: 'RuntimeDefault' }],
  ['lets the container-level profile override the pod-level one', { type: 'RuntimeDefault' }, { type: 'Unconfined' }, undefined],
  ['lets a container ask for RuntimeDefault in an unconfined pod', { type: 'Unconfined' }, { type: 'RuntimeDefault' }, { type: 'RuntimeDefault' }],
  ['resolves Localhost under the node seccomp dir', undefined, { type: 'Localhost', localhostProfile: 'profiles/deny.json' }, { type: 'Localhost', localhostRef: '/sc/profiles/deny.json' }],
  ['resolves a pod-level Localhost the same way', { type: 'Localhost', localhostProfile: 'a.json' }, undefined, { type: 'Localhost', localhostRef: '/sc/a.json' }],
  ['treats an unknown type as unconfined (validation rejects it first)', undefined, { type: 'Bogus' }, undefined],
];
for (const [name, podLevel, ctrLevel, want] of seccompCases) {
  test(`seccomp ${name}`, () => {
    const pod = makePod({ securityContext: podLevel ? { seccompProfile: podLevel } : {} });
    assert.deepEqual(seccompOf(pod, ctr('c', ctrLevel ? { securityContext: { seccompProfile: ctrLevel } } : {}), '/sc'), want);
  });
}

test('seccomp Localhost without a profile, or escaping the seccomp dir, is a CreateContainerConfigError', () => {
  const at = (localhostProfile?: string) => () => seccompOf(makePod(), ctr('c', { securityContext: { seccompProfile: { type: 'Localhost', localhostProfile } } }), '/sc');
  assert.throws(at(undefined), (e: unknown) => e instanceof ContainerConfigError && /localhostProfile must be set if seccompProfile type is Localhost/.test(e.message));
  assert.throws(at('../etc/shadow'), (e: unknown) => e instanceof ContainerConfigError && /outside the node's seccomp directory \/sc/.test(e.message));
  assert.throws(at('/etc/x.json'), ContainerConfigError);
});

test('a privileged container keeps its requested profile in the config: the runtime runs it unconfined', () => {
  const pod = makePod({ securityContext: { seccompProfile: { type: 'RuntimeDefault' } } });
  const c = ctr('c', { securityContext: { privileged: true } });
  const cfg = containerConfigOf({ pod, container: c, attempt: 0, imageConfig: IMAGE, env: [], mounts: [], qosClass: 'BestEffort', nodeMemoryBytes: 1 << 30, seccompDir: '/sc' });
  assert.deepEqual([cfg.security.privileged, cfg.security.seccompProfile], [true, { type: 'RuntimeDefault' }]);
});

test('the container config carries the seccomp profile only when one applies', () => {
  const input = (pod: ReturnType<typeof makePod>) => ({ pod, container: ctr('c'), attempt: 0, imageConfig: IMAGE, env: [], mounts: [], qosClass: 'BestEffort' as const, nodeMemoryBytes: 1 << 30, seccompDir: '/sc' });
  assert.equal('seccompProfile' in containerConfigOf(input(makePod())).security, false);
  const rd = containerConfigOf(input(makePod({ securityContext: { seccompProfile: { type: 'RuntimeDefault' } } })));
  assert.deepEqual(rd.security.seccompProfile, { type: 'RuntimeDefault' });
});

test('the stop signal comes from the image, else SIGTERM', () => {
  assert.equal(stopSignalOf(IMAGE), 'SIGQUIT');
  assert.equal(stopSignalOf({ ...IMAGE, stopSignal: '' }), 'SIGTERM');
});

test('the container config carries labels, annotations, log path and working dir', () => {
  const pod = makePod();
  const cfg = containerConfigOf({ pod, container: ctr('c', { terminationMessagePath: '/tm' }), attempt: 3, imageConfig: IMAGE, env: [], mounts: [], qosClass: 'BestEffort', nodeMemoryBytes: 1 << 30, seccompDir: '/sc' });
  assert.equal(cfg.logPath, 'c/3.log');
  assert.equal(cfg.workingDir, '/img');
  assert.equal(cfg.metadata.attempt, 3);
  assert.deepEqual(cfg.labels, { 'io.kubernetes.pod.name': 'p', 'io.kubernetes.pod.namespace': 'ns', 'io.kubernetes.pod.uid': 'uid-1', 'io.kubernetes.container.name': 'c' });
  assert.equal(cfg.annotations['io.kubernetes.container.restartCount'], '3');
  assert.equal(cfg.annotations['io.kubernetes.container.terminationMessagePath'], '/tm');
  assert.match(cfg.annotations['io.kubernetes.container.hash'], /^[0-9a-f]{8}$/);
});

test('resolv.conf parsing reads nameservers, search and options', () => {
  assert.deepEqual(parseResolvConf('# c\nnameserver 1.1.1.1\nnameserver 8.8.8.8\nsearch a.b c\noptions ndots:2 edns0\n'), {
    servers: ['1.1.1.1', '8.8.8.8'], searches: ['a.b', 'c'], options: ['ndots:2', 'edns0'],
  });
});

test('dns uses the host config for ClusterFirst and only dnsConfig for None, merging dnsConfig', () => {
  const host = { servers: ['1.1.1.1'], searches: ['h'], options: ['ndots:1'] };
  const dnsConfig = { nameservers: ['9.9.9.9'], searches: ['x'], options: [{ name: 'ndots', value: '5' }, { name: 'rotate' }] };
  assert.deepEqual(podDns(makePod({ dnsConfig }), host), { servers: ['1.1.1.1', '9.9.9.9'], searches: ['h', 'x'], options: ['ndots:5', 'rotate'] });
  assert.deepEqual(podDns(makePod({ dnsPolicy: 'None', dnsConfig: { nameservers: ['9.9.9.9'] } }), host), { servers: ['9.9.9.9'], searches: [], options: [] });
});

test('the hostname is truncated to 63 characters without a trailing dash or dot', () => {
  const pod = makePod({}, 'a'.repeat(62) + '-bc');
  assert.equal(podHostname(pod), 'a'.repeat(62));
  assert.equal(podHostname(makePod({ hostname: 'h1' })), 'h1');
});

test('port mappings come from hostPorts, and none with hostNetwork', () => {
  const containers = [ctr('c', { ports: [{ containerPort: 80, hostPort: 8080 }, { containerPort: 81 }] })];
  assert.deepEqual(portMappingsOf(makePod({ containers })), [{ protocol: 'TCP', containerPort: 80, hostPort: 8080, hostIP: '' }]);
  assert.deepEqual(portMappingsOf(makePod({ containers, hostNetwork: true })), []);
});

test('the sandbox config names the log directory, labels and namespaces', () => {
  const paths = nodePaths('/tmp/x-data');
  const cfg = sandboxConfigOf(makePod({ shareProcessNamespace: true }), 2, paths, { servers: [], searches: [], options: [] });
  assert.equal(cfg.logDirectory, `${paths.podLogsDir}/ns_p_uid-1`);
  assert.equal(cfg.metadata.attempt, 2);
  assert.equal(cfg.labels['io.kubernetes.pod.uid'], 'uid-1');
  assert.equal(cfg.shareProcessNamespace, true);
});

test('serve --seccomp-default: containers that name no profile get RuntimeDefault; Unconfined stays unconfined', () => {
  assert.equal(seccompOf(makePod(), ctr('c'), '/sc'), undefined);
  assert.deepEqual(seccompOf(makePod(), ctr('c'), '/sc', true), { type: 'RuntimeDefault' });
  assert.equal(seccompOf(makePod(), ctr('c', { securityContext: { seccompProfile: { type: 'Unconfined' } } }), '/sc', true), undefined);
  const podLevel = makePod({ securityContext: { seccompProfile: { type: 'Unconfined' } } });
  assert.equal(seccompOf(podLevel, ctr('c'), '/sc', true), undefined);
});

test('the container config names the terminationMessagePath the runtime binds its termination log at (issue 13)', () => {
  const input = (c: ReturnType<typeof ctr>) => ({ pod: makePod(), container: c, attempt: 0, imageConfig: IMAGE, env: [], mounts: [], qosClass: 'BestEffort' as const, nodeMemoryBytes: 1 << 30, seccompDir: '/sc' });
  assert.equal(containerConfigOf(input(ctr('c', { terminationMessagePath: '/var/run/msg' }))).terminationMessagePath, '/var/run/msg');
  assert.equal(containerConfigOf(input(ctr('c'))).terminationMessagePath, '/dev/termination-log');
});

