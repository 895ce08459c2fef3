import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Container, Pod } from '../k8s/types.js';
import { FakeClock } from '../system/clock.js';
import { ContainerHookRunner } from './hooks.js';
import { harness, settle } from './manager-harness.js';

const ok = { exitCode: 0, stdout: Buffer.alloc(0), stderr: Buffer.alloc(0) };
const withHooks = (c: Partial<Container>): Container => ({ name: 'c', image: 'busybox:1.36', ...c }) as Container;

test('postStart runs in the container right after it started, before Running is written', async () => {
  const h = harness();
  const seen: string[][] = [];
  h.runtime.execHandler = (_id, cmd) => {
    seen.push(cmd);
    return ok;
  };
  await h.mgr.start();
  h.create({ containers: [withHooks({ lifecycle: { postStart: { exec: { command: ['sh', '-c', 'echo hi > /tmp/x'] } } } })] });
  await h.mgr.idle();
  assert.deepEqual(seen, [['sh', '-c', 'echo hi > /tmp/x']]);
  assert.deepEqual(h.events.reasons(), ['MissingClusterDNS', 'Pulled', 'Created', 'Started']);
  assert.equal(h.pod().status?.phase, 'Running');
  await h.mgr.stop();
});

test('issue 8: a failing postStart kills the container: FailedPostStartHook, Killing FailedPostStartHook, waiting PostStartHookError', async () => {
  const h = harness();
  h.runtime.execHandler = () => ({ exitCode: 1, stdout: Buffer.from('boom'), stderr: Buffer.alloc(0) });
  await h.mgr.start();
  const uid = h.create({ containers: [withHooks({ lifecycle: { postStart: { exec: { command: ['false'] } } } })] }).metadata.uid!;
  await h.mgr.idle();
  const ev = (r: string) => h.events.events.find((e) => e.reason === r);
  assert.equal(ev('FailedPostStartHook')?.message, 'PostStartHook failed');
  assert.equal(ev('FailedPostStartHook')?.type, 'Warning');
  assert.equal(ev('Killing')?.message, 'FailedPostStartHook');
  // The first restart is immediate (as after any exit) and fails the same way; the next is backed off.
  assert.equal(h.runtime.containersNamed(uid, 'c')[0].metadata.attempt, 1);
  assert.equal(h.status()?.restartCount, 1);
  assert.equal(h.status()?.state.waiting?.reason, 'CrashLoopBackOff');
  assert.equal(h.status()?.lastState.terminated?.exitCode, 143);
  const statuses: string[] = [];
  h.store.watch<Pod>('pods', {}, (ev) => statuses.push(ev.object.status?.containerStatuses?.[0]?.state.waiting?.reason ?? ''));
  await h.step(10);
  assert.ok(statuses.includes('PostStartHookError'), `waiting reasons written: ${statuses.join(', ')}`);
  await h.mgr.stop();
});

test('postStart failing under restartPolicy Never ends the pod Failed, the hook\'s message kept', async () => {
  const h = harness();
  h.runtime.execHandler = () => ({ exitCode: 1, stdout: Buffer.from('boom'), stderr: Buffer.alloc(0) });
  await h.mgr.start();
  h.create({ restartPolicy: 'Never', containers: [withHooks({ lifecycle: { postStart: { exec: { command: ['false'] } } } })] });
  await h.mgr.idle();
  await h.step(2);
  assert.equal(h.pod().status?.phase, 'Failed');
  assert.equal(h.status()?.state.terminated?.exitCode, 143);
  await h.mgr.stop();
});

test('preStop runs before the stop signal, and its time is taken from the grace', async () => {
  const h = harness();
  await h.mgr.start();
  const uid = h.create({ terminationGracePeriodSeconds: 30, containers: [withHooks({ lifecycle: { preStop: { sleep: { seconds: 5 } } } })] }).metadata.uid!;
  await h.mgr.idle();
  const id = h.newest(uid).id;
  h.markDeleted(30);
  await settle();
  await h.tick(4);
  assert.equal(h.runtime.containers.get(id)?.state, 'running', 'the container still runs while preStop sleeps');
  assert.equal(h.runtime.callsOf('stopContainer').length, 0);
  await h.tick(1);
  assert.deepEqual(h.runtime.callsOf('stopContainer').map((c) => c.args[1]), [25]);
  await h.tick(2);
  assert.throws(() => h.pod());
  await h.mgr.stop();
});

test('a preStop longer than the grace is cut off; the stop still gets 2 s', async () => {
  const h = harness();
  await h.mgr.start();
  const uid = h.create({ containers: [withHooks({ lifecycle: { preStop: { sleep: { seconds: 100 } } } })] }).metadata.uid!;
  await h.mgr.idle();
  h.runtime.ignoreStop.add(h.newest(uid).id);
  h.markDeleted(10);
  await settle();
  await h.tick(10);
  assert.deepEqual(h.runtime.callsOf('stopContainer').map((c) => c.args[1]), [2]);
  await h.tick(3);
  assert.throws(() => h.pod(), 'gone about 12 s after the delete');
  await h.mgr.stop();
});

test('a failing preStop is a FailedPreStopHook event and the kill goes on', async () => {
  const h = harness();
  h.runtime.execHandler = () => ({ exitCode: 2, stdout: Buffer.alloc(0), stderr: Buffer.alloc(0) });
  await h.mgr.start();
  h.create({ containers: [withHooks({ lifecycle: { preStop: { exec: { command: ['drain'] } } } })] });
  await h.mgr.idle();
  h.markDeleted(30);
  await h.tick(1);
  assert.deepEqual(
    h.events.events.filter((e) => e.reason === 'Killing' || e.reason === 'FailedPreStopHook').map((e) => [e.reason, e.message]),
    [['Killing', 'Stopping container c'], ['FailedPreStopHook', 'PreStopHook failed']],
  );
  // The kill and the removal go on in passes of their own: wait for the worker, not a count of turns
  // (under a loaded CI machine ten turns were not always enough).
  await h.mgr.idle();
  assert.throws(() => h.pod());
  await h.mgr.stop();
});

test('a delete with grace 0 skips preStop', async () => {
  const h = harness();
  let execs = 0;
  h.runtime.execHandler = () => (execs++, ok);
  await h.mgr.start();
  h.create({ containers: [withHooks({ lifecycle: { preStop: { exec: { command: ['drain'] } } } })] });
  await h.mgr.idle();
  h.markDeleted(0);
  await h.tick(1);
  assert.equal(execs, 0);
  await h.mgr.stop();
});

test('hook failure messages are the kubelet\'s', async () => {
  const clock = new FakeClock();
  const runtime = { execSync: async () => ({ exitCode: 1, stdout: Buffer.from('boom'), stderr: Buffer.alloc(0) }) };
  const runner = new ContainerHookRunner({ runtime, clock });
  const id = 'c1';
  const pod = { metadata: { name: 'p', namespace: 'ns', uid: 'u1' }, spec: { containers: [] } } as unknown as Pod;
  const container = { name: 'c', image: 'x', ports: [{ name: 'web', containerPort: 8080 }] } as Container;
  const target = { pod, container, containerId: id, podIP: '127.0.0.1' };
  assert.deepEqual(await runner.run({ exec: { command: ['sh', '-c', 'false'] } }, target), {
    ok: false,
    message: 'Exec lifecycle hook ([sh -c false]) for Container "c" in Pod "p_ns(u1)" failed - error: command \'sh -c false\' exited with 1: , message: "boom"',
  });
  const http = await runner.run({ httpGet: { port: 'nope', path: '/x' } }, target);
  assert.deepEqual(http, { ok: false, message: 'HTTP lifecycle hook (/x) for Container "c" in Pod "p_ns(u1)" failed - error: couldn\'t find port: nope in c' });
  assert.deepEqual(await runner.run({ tcpSocket: { port: 80 } }, target), { ok: false, message: 'Cannot run handler: invalid handler: tcpSocket is not supported as a lifecycle handler' });
});

test('a container that exits during its preStop sleep ends the wait: no FailedPreStopHook, gone at once', async () => {
  const h = harness();
  await h.mgr.start();
  const uid = h.create({ containers: [withHooks({ lifecycle: { preStop: { sleep: { seconds: 20 } } } })] }).metadata.uid!;
  await h.mgr.idle();
  h.markDeleted(30);
  await settle();
  await h.tick(2);
  h.runtime.exitContainer(h.newest(uid).id, 0);
  await h.tick(1);
  await h.mgr.idle();
  assert.throws(() => h.pod(), 'deleted without waiting out the sleep');
  assert.equal(h.events.events.some((e) => e.reason === 'FailedPreStopHook'), false);
  await h.mgr.stop();
});

test('an HTTPS hook served in plain HTTP is retried over HTTP, and says so (LifecycleHTTPFallback)', async () => {
  const http = await import('node:http');
  const seen: string[] = [];
  const server = http.createServer((req, res) => {
    seen.push(`${req.url} ${req.headers.authorization ?? '-'}`);
    res.end('ok');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  try {
    const runner = new ContainerHookRunner({ runtime: { execSync: async () => ok }, clock: new FakeClock() });
    const pod = { metadata: { name: 'p', namespace: 'ns', uid: 'u1' }, spec: { containers: [] } } as unknown as Pod;
    const target = { pod, container: { name: 'c', image: 'x' } as Container, containerId: 'c1', podIP: '127.0.0.1' };
    const out = await runner.run({ httpGet: { scheme: 'HTTPS', port, path: '/hook', httpHeaders: [{ name: 'Authorization', value: 'secret' }] } }, target);
    assert.deepEqual(out, { ok: true, fallback: `request to HTTPS lifecycle hook 127.0.0.1:${port} got HTTP response, retry with HTTP succeeded` });
    assert.deepEqual(seen, ['/hook -'], 'the retry goes without the Authorization header');
  } finally {
    server.close();
  }
});

// Issue 15: a pod's regular containers are created together and started one by one in spec order; what
// the kubelet shows stays as it was: events in its order, and a postStart hook still runs before the
// next container is even created.
const steps = (h: ReturnType<typeof harness>) =>
  h.runtime.calls
    .filter((c) => c.method === 'createContainer' || c.method === 'startContainer')
    .map((c) => (c.method === 'createContainer' ? `create ${(c.args[1] as { metadata: { name: string } }).metadata.name}` : 'start'));

test('issue 15: regular containers are created together, started in spec order, their events in the kubelet\'s order', async () => {
  const h = harness();
  await h.mgr.start();
  h.create({ containers: [withHooks({ name: 'a' }), withHooks({ name: 'b' }), withHooks({ name: 'c' })] });
  await h.mgr.idle();
  assert.deepEqual(steps(h), ['create a', 'create b', 'create c', 'start', 'start', 'start']);
  const started = h.runtime.callsOf('startContainer').map((c) => c.args[0]);
  const created = h.runtime.callsOf('createContainer').map((c) => c.args[1] as { metadata: { name: string } });
  assert.equal(started.length, 3);
  const names = h.events.events.filter((e) => e.fieldPath).map((e) => `${e.reason} ${e.fieldPath}`);
  assert.deepEqual(names, ['a', 'b', 'c'].flatMap((n) => [`Pulled spec.containers{${n}}`, `Created spec.containers{${n}}`, `Started spec.containers{${n}}`]));
  assert.deepEqual(created.map((c) => c.metadata.name), ['a', 'b', 'c']);
  assert.equal(h.pod().status?.phase, 'Running');
  await h.mgr.stop();
});

test('issue 15: a container after one with a postStart hook is created only once that hook ran', async () => {
  const h = harness();
  const order: string[] = [];
  h.runtime.execHandler = () => {
    order.push(`hook ran with ${steps(h).join(', ')}`);
    return ok;
  };
  await h.mgr.start();
  h.create({ containers: [withHooks({ name: 'a' }), withHooks({ name: 'b', lifecycle: { postStart: { exec: { command: ['true'] } } } }), withHooks({ name: 'c' })] });
  await h.mgr.idle();
  assert.deepEqual(order, ['hook ran with create a, create b, start, start']);
  assert.deepEqual(steps(h), ['create a', 'create b', 'start', 'start', 'create c', 'start']);
  await h.mgr.stop();
});
