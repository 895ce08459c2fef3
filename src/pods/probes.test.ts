import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Container } from '../k8s/types.js';
import { harness } from './manager-harness.js';

const probe = (extra: Record<string, unknown> = {}) => ({ exec: { command: ['check'] }, periodSeconds: 10, timeoutSeconds: 1, successThreshold: 1, failureThreshold: 3, ...extra });
const withProbes = (c: Partial<Container>): Container => ({ name: 'c', image: 'busybox:1.36', ...c }) as Container;

test('a readiness probe keeps the pod 0/1 until it passes, then Ready is written at once', async () => {
  const h = harness();
  h.probes.set('c', 'Readiness', 'failure', 'not yet');
  await h.mgr.start();
  h.create({ containers: [withProbes({ readinessProbe: probe({ periodSeconds: 5 }) })] });
  await h.mgr.idle();
  assert.equal(h.pod().status?.phase, 'Running');
  assert.equal(h.status()?.ready, false);
  assert.equal(h.status()?.started, true);
  const cond = (t: string) => h.pod().status?.conditions?.find((c) => c.type === t);
  assert.equal(cond('ContainersReady')?.message, 'containers with unready status: [c]');
  assert.ok(h.events.events.some((e) => e.reason === 'Unhealthy' && e.message === 'Readiness probe failed: not yet' && e.fieldPath === 'spec.containers{c}'));
  h.probes.set('c', 'Readiness', 'success');
  await h.step(5);
  assert.equal(h.status()?.ready, true);
  assert.equal(cond('Ready')?.status, 'True');
  assert.equal(h.status()?.restartCount, 0);
  await h.mgr.stop();
});

test('readiness initialDelaySeconds: no attempt before startedAt + delay, ready right after', async () => {
  const h = harness();
  await h.mgr.start();
  h.create({ containers: [withProbes({ readinessProbe: probe({ initialDelaySeconds: 20 }) })] });
  await h.mgr.idle();
  await h.step(19);
  assert.equal(h.probes.count('c', 'Readiness'), 0);
  assert.equal(h.status()?.ready, false);
  await h.step(1);
  assert.equal(h.probes.count('c', 'Readiness'), 1);
  assert.equal(h.status()?.ready, true);
  await h.mgr.stop();
});

test('issue 8: a liveness probe failing failureThreshold times restarts the container with Killing "failed liveness probe, will be restarted"', async () => {
  const h = harness();
  await h.mgr.start();
  const uid = h.create({ containers: [withProbes({ livenessProbe: probe({ periodSeconds: 1 }) })] }).metadata.uid!;
  await h.mgr.idle();
  const first = h.newest(uid).id;
  await h.step(5);
  assert.equal(h.newest(uid).id, first, 'a passing liveness probe never restarts');
  h.probes.set('c', 'Liveness', 'failure', '');
  await h.step(2);
  assert.equal(h.newest(uid).id, first, 'two failures are under the threshold of 3');
  await h.step(1);
  assert.notEqual(h.newest(uid).id, first);
  assert.equal(h.status()?.restartCount, 1);
  assert.equal(h.status()?.lastState.terminated?.exitCode, 143);
  const kill = h.events.events.find((e) => e.reason === 'Killing');
  assert.equal(kill?.message, 'Container c failed liveness probe, will be restarted');
  assert.equal(h.events.events.filter((e) => e.reason === 'Unhealthy').length, 3);
  assert.equal(h.events.events[h.events.events.findIndex((e) => e.reason === 'Unhealthy')].message, 'Liveness probe failed: ');
  assert.equal(h.pod().status?.phase, 'Running');
  await h.mgr.stop();
});

test('a liveness kill uses the probe\'s own terminationGracePeriodSeconds', async () => {
  const h = harness();
  await h.mgr.start();
  h.create({ terminationGracePeriodSeconds: 600, containers: [withProbes({ livenessProbe: probe({ periodSeconds: 1, failureThreshold: 1, terminationGracePeriodSeconds: 5 }) })] });
  await h.mgr.idle();
  h.probes.set('c', 'Liveness', 'failure');
  await h.step(1);
  assert.deepEqual(h.runtime.callsOf('stopContainer').map((c) => c.args[1]), [5]);
  await h.mgr.stop();
});

test('under restartPolicy Never a liveness failure ends the pod Failed without a restart', async () => {
  const h = harness();
  await h.mgr.start();
  const uid = h.create({ restartPolicy: 'Never', containers: [withProbes({ livenessProbe: probe({ periodSeconds: 1, failureThreshold: 1 }) })] }).metadata.uid!;
  await h.mgr.idle();
  h.probes.set('c', 'Liveness', 'failure');
  await h.step(2);
  assert.equal(h.pod().status?.phase, 'Failed');
  assert.equal(h.runtime.containersNamed(uid, 'c').length, 1);
  assert.equal(h.events.events.find((e) => e.reason === 'Killing')?.message, 'Container c failed liveness probe');
  await h.mgr.stop();
});

test('a startup probe holds liveness and readiness back; started and ready follow it', async () => {
  const h = harness();
  h.probes.set('c', 'Startup', 'failure');
  await h.mgr.start();
  h.create({ containers: [withProbes({ startupProbe: probe({ periodSeconds: 1, failureThreshold: 30 }), livenessProbe: probe({ periodSeconds: 1 }), readinessProbe: probe({ periodSeconds: 10 }) })] });
  await h.mgr.idle();
  await h.step(10);
  assert.equal(h.probes.count('c', 'Liveness'), 0);
  assert.equal(h.probes.count('c', 'Readiness'), 0);
  assert.equal(h.status()?.started, false);
  assert.equal(h.status()?.ready, false);
  h.probes.set('c', 'Startup', 'success');
  await h.step(1);
  assert.equal(h.status()?.started, true);
  assert.equal(h.probes.count('c', 'Readiness'), 1, 'readiness is probed as soon as startup passes');
  assert.equal(h.status()?.ready, true);
  const startups = h.probes.count('c', 'Startup');
  await h.step(3);
  assert.equal(h.probes.count('c', 'Startup'), startups, 'the startup probe stops once it passed');
  assert.ok(h.probes.count('c', 'Liveness') >= 3);
  await h.mgr.stop();
});

test('a startup probe that never passes restarts the container', async () => {
  const h = harness();
  h.probes.set('c', 'Startup', 'failure');
  await h.mgr.start();
  const uid = h.create({ containers: [withProbes({ startupProbe: probe({ periodSeconds: 2, failureThreshold: 3 }) })] }).metadata.uid!;
  await h.mgr.idle();
  const first = h.newest(uid).id;
  await h.step(7);
  assert.notEqual(h.newest(uid).id, first);
  assert.equal(h.events.events.find((e) => e.reason === 'Killing')?.message, 'Container c failed startup probe, will be restarted');
  assert.equal(h.status()?.started, false);
  await h.mgr.stop();
});

test('probe warnings and errors are events; an errored attempt is thrown away', async () => {
  const h = harness();
  await h.mgr.start();
  const uid = h.create({ containers: [withProbes({ livenessProbe: probe({ periodSeconds: 1, failureThreshold: 1 }) })] }).metadata.uid!;
  await h.mgr.idle();
  const first = h.newest(uid).id;
  h.probes.set('c', 'Liveness', 'unknown', 'couldn\'t find port: http in c');
  await h.step(3);
  assert.equal(h.newest(uid).id, first);
  assert.ok(h.events.events.some((e) => e.message === 'Liveness probe errored and resulted in unknown state: couldn\'t find port: http in c'));
  h.probes.set('c', 'Liveness', 'warning', 'Probe terminated redirects, Response body: ');
  await h.step(1);
  assert.ok(h.events.events.some((e) => e.reason === 'ProbeWarning' && e.message === 'Liveness probe warning: Probe terminated redirects, Response body: '));
  assert.equal(h.newest(uid).id, first);
  await h.mgr.stop();
});

test('deleting a pod stops its probe workers', async () => {
  const h = harness();
  await h.mgr.start();
  h.create({ containers: [withProbes({ readinessProbe: probe({ periodSeconds: 1 }) })] });
  await h.mgr.idle();
  h.markDeleted(2);
  await h.step(5);
  assert.throws(() => h.pod());
  const n = h.probes.attempts.length;
  await h.step(5);
  assert.equal(h.probes.attempts.length, n);
  await h.mgr.stop();
});

test('a restarted daemon keeps a ready container ready until a probe says otherwise (no flap to 0/1)', async () => {
  const h = harness();
  h.probes.set('c', 'Readiness', 'success');
  await h.mgr.start();
  h.create({ containers: [withProbes({ readinessProbe: probe({ periodSeconds: 10 }) })] });
  await h.mgr.idle();
  assert.equal(h.status()?.ready, true);
  await h.mgr.stop();
  const readyWrites: boolean[] = [];
  h.store.watch<import('../k8s/types.js').Pod>('pods', {}, (ev) => readyWrites.push(!!ev.object.status?.containerStatuses?.[0]?.ready));
  h.probes.set('c', 'Readiness', 'failure');
  const again = h.newManager();
  await again.start();
  await again.idle();
  assert.equal(readyWrites.includes(false), false, 'one failed attempt is under the threshold: never written not ready');
  await again.stop();
});
