import assert from 'node:assert/strict';
import { test } from 'node:test';
import { podRequests } from '../k8s/pod-resources.js';
import type { Container, Pod } from '../k8s/types.js';
import { admitPod } from './admission.js';
import { harness } from './manager-harness.js';
import { makePod } from './test-fixtures.js';
import { SysctlAllowlist } from '../k8s/sysctls.js';

const res = (requests: Record<string, string>, limits: Record<string, string> = {}) => ({ resources: { requests, limits } });
const c = (name: string, extra: Partial<Container> = {}): Container => ({ name, image: 'busybox:1.36', ...extra });
const node = { maxPods: 3, resources: new Map([['cpu', 2000], ['memory', 4 * 2 ** 30], ['ephemeral-storage', 10 * 2 ** 30]]) };

test('effective requests: sidecars add to the app and to the init containers after them', () => {
  const spec = makePod({
    initContainers: [c('i1', res({ cpu: '1500m' })), c('side', { restartPolicy: 'Always', ...res({ cpu: '200m', memory: '64Mi' }) }), c('i2', res({ cpu: '1' }))],
    containers: [c('app', res({ cpu: '500m', memory: '128Mi' }))],
  }).spec;
  const r = podRequests(spec);
  assert.equal(r.get('cpu'), 1500, 'max(app 500 + side 200, i1 1500, i2 1000 + side 200)');
  assert.equal(r.get('memory'), 192 << 20);
});

test('a limit without a request counts as the request', () => {
  assert.equal(podRequests(makePod({ containers: [c('a', { resources: { limits: { cpu: '2' } } })] }).spec).get('cpu'), 2000);
});

test('admission: fits, then OutOfcpu with the kubelet\'s message, then OutOfpods past max-pods', () => {
  const a = makePod({ containers: [c('a', res({ cpu: '1500m' }))] }, 'a');
  const b = makePod({ containers: [c('b', res({ cpu: '1' }))] }, 'b');
  assert.deepEqual(admitPod(a, [], node), { admit: true });
  assert.deepEqual(admitPod(b, [a], node), {
    admit: false,
    reason: 'OutOfcpu',
    message: "Pod was rejected: Node didn't have enough resource: cpu, requested: 1000, used: 1500, capacity: 2000",
  });
  const none = makePod({}, 'n');
  assert.deepEqual(admitPod(none, [a, none, none], node), {
    admit: false,
    reason: 'OutOfpods',
    message: "Pod was rejected: Node didn't have enough resource: pods, requested: 1, used: 3, capacity: 3",
  });
  const mem = makePod({ containers: [c('m', res({ memory: '5Gi' }))] }, 'm');
  assert.equal((admitPod(mem, [], node) as { reason: string }).reason, 'OutOfmemory');
  const huge = makePod({ containers: [c('h', res({ 'hugepages-2Mi': '4Mi', memory: '1Mi' }, { 'hugepages-2Mi': '4Mi' }))] }, 'h');
  assert.equal((admitPod(huge, [], node) as { message: string }).message, "Pod was rejected: Node didn't have enough resource: hugepages-2Mi, requested: 4194304, used: 0, capacity: 0");
});

test('the manager rejects a pod that does not fit: Failed OutOfcpu, a Warning event, nothing started; others run', async () => {
  const h = harness();
  const mgr = h.newManager({ allocatable: { maxPods: 110, resources: new Map([['cpu', 2000], ['memory', 4 * 2 ** 30]]) } });
  await mgr.start();
  h.create({ containers: [c('c', res({ cpu: '1500m' }))] }, 'big');
  await mgr.idle();
  h.create({ containers: [c('c', res({ cpu: '1' }))] }, 'over');
  h.create({}, 'small');
  await mgr.idle();
  const over = h.pod('over') as Pod;
  assert.equal(over.status?.phase, 'Failed');
  assert.equal(over.status?.reason, 'OutOfcpu');
  assert.equal(over.status?.message, "Pod was rejected: Node didn't have enough resource: cpu, requested: 1000, used: 1500, capacity: 2000");
  assert.ok(h.events.events.some((e) => e.reason === 'OutOfcpu' && e.type === 'Warning'));
  assert.equal(h.runtime.containersNamed(over.metadata.uid!, 'c').length, 0);
  assert.equal(h.pod('small').status?.phase, 'Running');
  assert.equal(h.pod('big').status?.phase, 'Running');
  // Deleting the rejected pod removes it; nothing was made for it.
  h.markDeleted(30, 'over');
  await mgr.idle();
  assert.throws(() => h.pod('over'));
  await mgr.stop();
});

test('a finished pod frees its share: the next pod fits', async () => {
  const h = harness();
  const mgr = h.newManager({ allocatable: { maxPods: 1, resources: new Map() } });
  await mgr.start();
  const first = h.create({ restartPolicy: 'Never' }, 'first');
  await mgr.idle();
  h.runtime.exitContainer(h.newest(first.metadata.uid!).id, 0);
  await mgr.idle();
  assert.equal(h.pod('first').status?.phase, 'Succeeded');
  h.create({}, 'second');
  await mgr.idle();
  assert.equal(h.pod('second').status?.phase, 'Running');
  await mgr.stop();
});

test('admission: sysctls outside the safe set and net.* with hostNetwork are SysctlForbidden; AppArmor cannot be enforced', () => {
  const big = { maxPods: 10, resources: new Map() };
  const withSysctl = (name: string, hostNetwork = false) => makePod({ hostNetwork, securityContext: { sysctls: [{ name, value: '1' }] } });
  assert.deepEqual(admitPod(withSysctl('net.ipv4.tcp_syncookies'), [], big), { admit: true });
  assert.deepEqual(admitPod(withSysctl('kernel.msgmax'), [], big), { admit: false, reason: 'SysctlForbidden', message: 'Pod was rejected: forbidden sysctl: "kernel.msgmax" not allowlisted' });
  assert.equal((admitPod(withSysctl('net.ipv4.tcp_syncookies', true), [], big) as { message: string }).message, 'Pod was rejected: forbidden sysctl: "net.ipv4.tcp_syncookies" not allowed with host net enabled');
  const aa = makePod({ containers: [c('c', { securityContext: { appArmorProfile: { type: 'RuntimeDefault' } } })] });
  assert.deepEqual(admitPod(aa, [], big), { admit: false, reason: 'AppArmor', message: 'Pod was rejected: Cannot enforce AppArmor: AppArmor is not enabled on the host' });
  const unconfined = makePod({ securityContext: { appArmorProfile: { type: 'Unconfined' } } });
  assert.deepEqual(admitPod(unconfined, [], big), { admit: true });
});

test('a restarted daemon with fewer max-pods keeps the pods that already run; only new pods are checked', async () => {
  const h = harness();
  const first = h.newManager({ allocatable: { maxPods: 2, resources: new Map() } });
  await first.start();
  h.create({}, 'a');
  h.create({}, 'b');
  await first.idle();
  await first.stop();
  const again = h.newManager({ allocatable: { maxPods: 1, resources: new Map() } });
  await again.start();
  await again.idle();
  assert.equal(h.pod('a').status?.phase, 'Running');
  assert.equal(h.pod('b').status?.phase, 'Running');
  h.create({}, 'c');
  await again.idle();
  assert.equal(h.pod('c').status?.reason, 'OutOfpods');
  await again.stop();
});

test('issue 8: a pod bound by name whose selector this node does not match is rejected NodeAffinity', () => {
  const nodeObject = { apiVersion: 'v1', kind: 'Node', metadata: { name: 'node1', labels: { 'kubernetes.io/os': 'linux' } } } as const;
  const linux = makePod({ containers: [c('a')], nodeSelector: { 'kubernetes.io/os': 'linux' } });
  assert.deepEqual(admitPod(linux, [], node, nodeObject), { admit: true });
  const windows = makePod({ containers: [c('a')], nodeSelector: { 'kubernetes.io/os': 'windows' } });
  assert.deepEqual(admitPod(windows, [], node, nodeObject), {
    admit: false,
    reason: 'NodeAffinity',
    message: "Pod was rejected: Predicate NodeAffinity failed: node(s) didn't match Pod's node affinity/selector",
  });
});

test('issue 8: a pod for another OS is rejected as the kubelet rejects it', () => {
  assert.deepEqual(admitPod(makePod({ containers: [c('a')], os: { name: 'windows' } }), [], node), {
    admit: false,
    reason: 'PodOSNotSupported',
    message: "Pod was rejected: Failed to admit pod as the OS field doesn't match node OS",
  });
  assert.equal(admitPod(makePod({ containers: [c('a')], os: { name: 'linux' } }), [], node).admit, true);
});

test('admission: serve --allowed-unsafe-sysctls admits what it names; a slash name is refused under its dotted form (issue 13)', () => {
  const withSysctl = (name: string, hostNetwork = false) => makePod({ hostNetwork, securityContext: { sysctls: [{ name, value: '1' }] } });
  const unsafe = { maxPods: 10, resources: new Map(), sysctls: new SysctlAllowlist(['kernel.msg*']) };
  assert.deepEqual(admitPod(withSysctl('kernel.msgmax'), [], unsafe), { admit: true });
  assert.deepEqual(admitPod(withSysctl('kernel.sem'), [], unsafe), { admit: false, reason: 'SysctlForbidden', message: 'Pod was rejected: forbidden sysctl: "kernel.sem" not allowlisted' });
  const safe = { maxPods: 10, resources: new Map() };
  assert.equal((admitPod(withSysctl('net/ipv4/tcp_syncookies', true), [], safe) as { message: string }).message, 'Pod was rejected: forbidden sysctl: "net.ipv4.tcp_syncookies" not allowed with host net enabled');
});

