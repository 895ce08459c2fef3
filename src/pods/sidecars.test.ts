import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Container } from '../k8s/types.js';
import { harness, settle } from './manager-harness.js';

const ctr = (name: string, extra: Partial<Container> = {}): Container => ({ name, image: 'busybox:1.36', ...extra }) as Container;
const sidecar = (name: string, extra: Partial<Container> = {}) => ctr(name, { restartPolicy: 'Always', ...extra });

test('issue 8: a sidecar starts first, the next init runs beside it, then the app: Running 2/2 and Initialized', async () => {
  const h = harness();
  await h.mgr.start();
  const uid = h.create({ initContainers: [sidecar('log'), ctr('init')], containers: [ctr('app')] }).metadata.uid!;
  await h.mgr.idle();
  assert.equal(h.newest(uid, 'log').state, 'running');
  assert.equal(h.newest(uid, 'init').state, 'running', 'the init container starts once the sidecar is started');
  assert.equal(h.newest(uid, 'app'), undefined);
  assert.equal(h.pod().status?.phase, 'Pending');
  h.runtime.exitContainer(h.newest(uid, 'init').id, 0);
  await h.mgr.idle();
  assert.equal(h.newest(uid, 'app').state, 'running');
  const st = h.pod().status!;
  assert.equal(st.phase, 'Running');
  assert.equal(st.conditions?.find((c) => c.type === 'Initialized')?.status, 'True');
  assert.equal(st.conditions?.find((c) => c.type === 'Ready')?.status, 'True');
  const log = st.initContainerStatuses?.find((s) => s.name === 'log');
  assert.equal(log?.ready, true);
  assert.equal(log?.started, true);
  assert.ok(log?.state.running);
  await h.mgr.stop();
});

test('a sidecar that exits is restarted whatever the restartPolicy; the pod stays Running and Initialized', async () => {
  const h = harness();
  await h.mgr.start();
  const uid = h.create({ restartPolicy: 'Never', initContainers: [sidecar('log')], containers: [ctr('app')] }).metadata.uid!;
  await h.mgr.idle();
  h.runtime.exitContainer(h.newest(uid, 'log').id, 1);
  await h.mgr.idle();
  assert.equal(h.newest(uid, 'log').state, 'running');
  assert.equal(h.status('p', 'log')?.restartCount, 1);
  assert.equal(h.pod().status?.phase, 'Running');
  assert.equal(h.pod().status?.conditions?.find((c) => c.type === 'Initialized')?.status, 'True');
  await h.mgr.stop();
});

test('a sidecar\'s startup probe holds the next container back until it passes', async () => {
  const h = harness();
  h.probes.set('log', 'Startup', 'failure');
  await h.mgr.start();
  const probe = { exec: { command: ['ready'] }, periodSeconds: 1, failureThreshold: 60, timeoutSeconds: 1, successThreshold: 1 };
  const uid = h.create({ initContainers: [sidecar('log', { startupProbe: probe })], containers: [ctr('app')] }).metadata.uid!;
  await h.mgr.idle();
  await h.step(5);
  assert.equal(h.newest(uid, 'app'), undefined);
  assert.match(h.pod().status?.conditions?.find((c) => c.type === 'Initialized')?.message ?? '', /incomplete status: \[log\]/);
  h.probes.set('log', 'Startup', 'success');
  await h.step(1);
  await h.mgr.idle();
  assert.equal(h.newest(uid, 'app')?.state, 'running');
  await h.mgr.stop();
});

test('a job-like pod: once the app exits 0 its sidecars are stopped and the pod is Succeeded', async () => {
  const h = harness();
  await h.mgr.start();
  const uid = h.create({ restartPolicy: 'Never', initContainers: [sidecar('log')], containers: [ctr('app')] }).metadata.uid!;
  await h.mgr.idle();
  h.runtime.exitContainer(h.newest(uid, 'app').id, 0);
  await h.mgr.idle();
  assert.equal(h.newest(uid, 'log').state, 'exited');
  assert.equal(h.newest(uid, 'log').exitCode, 143);
  assert.equal(h.pod().status?.phase, 'Succeeded');
  assert.equal(h.runtime.containersNamed(uid, 'log').length, 1, 'the stopped sidecar is not restarted');
  await h.mgr.stop();
});

test('a job-like pod whose app fails ends Failed, sidecars stopped', async () => {
  const h = harness();
  await h.mgr.start();
  const uid = h.create({ restartPolicy: 'Never', initContainers: [sidecar('log')], containers: [ctr('app')] }).metadata.uid!;
  await h.mgr.idle();
  h.runtime.exitContainer(h.newest(uid, 'app').id, 1);
  await h.mgr.idle();
  assert.equal(h.pod().status?.phase, 'Failed');
  assert.equal(h.newest(uid, 'log').state, 'exited');
  await h.mgr.stop();
});

test('deletion stops the app first, then the sidecars in reverse order', async () => {
  const h = harness();
  await h.mgr.start();
  const app = ctr('app', { lifecycle: { preStop: { sleep: { seconds: 5 } } } });
  const uid = h.create({ initContainers: [sidecar('s1'), sidecar('s2')], containers: [app] }).metadata.uid!;
  await h.mgr.idle();
  const ids = new Map(['s1', 's2', 'app'].map((n) => [h.newest(uid, n).id, n]));
  h.markDeleted(30);
  await settle();
  await h.tick(4);
  assert.deepEqual(h.runtime.callsOf('stopContainer'), [], 'the sidecars wait for the app, which runs its preStop');
  await h.tick(1);
  await h.mgr.idle();
  assert.deepEqual(h.runtime.callsOf('stopContainer').map((c) => ids.get(c.args[0] as string)), ['app', 's2', 's1']);
  assert.deepEqual(h.runtime.callsOf('stopContainer').map((c) => c.args[1]), [25, 25, 25], 'one grace budget, the wait taken from it');
  await h.mgr.stop();
});

test('READY counts sidecars: a sidecar failing readiness keeps ContainersReady False', async () => {
  const h = harness();
  h.probes.set('log', 'Readiness', 'failure');
  await h.mgr.start();
  const probe = { exec: { command: ['ready'] }, periodSeconds: 1, failureThreshold: 1, timeoutSeconds: 1, successThreshold: 1 };
  h.create({ initContainers: [sidecar('log', { readinessProbe: probe })], containers: [ctr('app')] });
  await h.mgr.idle();
  await h.step(2);
  const cr = h.pod().status?.conditions?.find((c) => c.type === 'ContainersReady');
  assert.equal(cr?.status, 'False');
  assert.equal(cr?.message, 'containers with unready status: [log]');
  assert.equal(h.pod().status?.phase, 'Running');
  await h.mgr.stop();
});
