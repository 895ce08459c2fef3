import assert from 'node:assert/strict';
import { envUsesPodIP } from './sync.js';
import { test } from 'node:test';
import type { ConfigMap, Pod } from '../k8s/types.js';
import { LABEL_POD_UID, type ContainerConfig } from '../runtime/runtime.js';
import { harness, settle } from './manager-harness.js';
import { T0 } from './test-fixtures.js';

test('a one-container pod goes Running with Pulled, Created and Started events on the container (after MissingClusterDNS: no cluster DNS here)', async () => {
  const h = harness();
  await h.mgr.start();
  const pod = h.create({});
  await h.mgr.idle();
  const p = h.pod();
  assert.equal(p.status?.phase, 'Running');
  assert.ok(h.status()?.state.running);
  assert.equal(p.status?.podIP, '10.88.0.1');
  assert.equal(p.status?.qosClass, 'BestEffort');
  assert.deepEqual(h.events.reasons(), ['MissingClusterDNS', 'Pulled', 'Created', 'Started']);
  assert.deepEqual(h.events.events[0], {
    fieldPath: undefined,
    type: 'Warning',
    reason: 'MissingClusterDNS',
    message: `pod: "p_default(${pod.metadata.uid})". kubelet does not have ClusterDNS IP configured and cannot create Pod using "ClusterFirst" policy. Falling back to "Default" policy.`,
  });
  assert.deepEqual(h.events.events[2], { fieldPath: 'spec.containers{c}', type: 'Normal', reason: 'Created', message: 'Created container: c' });
  assert.equal(h.events.events[1].message, 'Container image "busybox:1.36" already present on machine');
  assert.deepEqual(h.volumes.setUps, [pod.metadata.uid]);
  await h.mgr.stop();
});

test('restartPolicy Never with exit 0 ends Succeeded, stops the sandbox, releases its volumes and keeps the object', async () => {
  const h = harness();
  await h.mgr.start();
  const pod = h.create({ restartPolicy: 'Never' });
  await h.mgr.idle();
  assert.deepEqual(h.volumes.tearDowns, []);
  h.runtime.exitContainer(h.newest(pod.metadata.uid!).id, 0);
  await h.mgr.idle();
  assert.equal(h.pod().status?.phase, 'Succeeded');
  assert.equal(h.status()?.state.terminated?.reason, 'Completed');
  assert.equal(h.runtime.callsOf('startContainer').length, 1);
  assert.equal(h.runtime.callsOf('stopPodSandbox').length, 1);
  assert.deepEqual(h.volumes.tearDowns, [pod.metadata.uid], 'a finished pod gives its volumes back, as the kubelet unmounts them');
  await h.step(30);
  assert.equal(h.runtime.callsOf('startContainer').length, 1);
  assert.deepEqual(h.volumes.tearDowns, [pod.metadata.uid], 'once');
  assert.ok(h.runtime.containersNamed(pod.metadata.uid!, 'c').length, 'the records (and logs) stay until the pod is deleted');
  await h.mgr.stop();
});

test('restartPolicy Never with exit 1 ends Failed without a restart', async () => {
  const h = harness();
  await h.mgr.start();
  const pod = h.create({ restartPolicy: 'Never' });
  await h.mgr.idle();
  h.runtime.exitContainer(h.newest(pod.metadata.uid!).id, 1);
  await h.mgr.idle();
  assert.equal(h.pod().status?.phase, 'Failed');
  assert.equal(h.status()?.restartCount, 0);
  await h.mgr.stop();
});

test('restartPolicy OnFailure restarts after exit 1 and ends Succeeded after exit 0 with one restart', async () => {
  const h = harness();
  await h.mgr.start();
  const uid = h.create({ restartPolicy: 'OnFailure' }).metadata.uid!;
  await h.mgr.idle();
  h.runtime.exitContainer(h.newest(uid).id, 1);
  await h.mgr.idle();
  assert.equal(h.newest(uid).state, 'running');
  h.runtime.exitContainer(h.newest(uid).id, 0);
  await h.mgr.idle();
  assert.equal(h.pod().status?.phase, 'Succeeded');
  assert.equal(h.status()?.restartCount, 1);
  await h.mgr.stop();
});

test('restartPolicy Always restarts a container that exited 0 and the pod stays Running', async () => {
  const h = harness();
  await h.mgr.start();
  const uid = h.create({}).metadata.uid!;
  await h.mgr.idle();
  h.runtime.exitContainer(h.newest(uid).id, 0);
  await h.mgr.idle();
  assert.equal(h.newest(uid).state, 'running');
  assert.equal(h.status()?.restartCount, 1);
  assert.equal(h.status()?.lastState.terminated?.reason, 'Completed');
  assert.equal(h.pod().status?.phase, 'Running');
  await h.mgr.stop();
});

test('crash-loop restarts wait 0, 10, 20, 40, 80, 160, 300 s and never hot-loop', async () => {
  const h = harness();
  await h.mgr.start();
  const uid = h.create({}).metadata.uid!;
  await h.mgr.idle();
  const gaps: number[] = [];
  let sawBackOff = false;
  for (let i = 0; i < 7; i++) {
    const cur = h.newest(uid);
    assert.equal(cur.state, 'running');
    h.runtime.exitContainer(cur.id, 1);
    const finishedAt = h.clock.now();
    await h.mgr.idle();
    let waited = 0;
    while (h.newest(uid).state !== 'running' && waited < 400) {
      if (h.status()?.state.waiting?.reason === 'CrashLoopBackOff') sawBackOff = true;
      await h.step(1);
      waited++;
    }
    gaps.push((h.newest(uid).startedAt - finishedAt) / 1000);
  }
  assert.deepEqual(gaps, [0, 10, 20, 40, 80, 160, 300]);
  assert.ok(sawBackOff);
  assert.equal(h.runtime.callsOf('startContainer').length, 8);
  assert.ok(h.events.events.some((e) => e.reason === 'BackOff' && e.type === 'Warning' && /^Back-off restarting failed container c in pod p_default\(/.test(e.message)));
  // GC keeps the running instance and the newest dead one only.
  assert.equal(h.runtime.containersNamed(uid, 'c').length, 2);
  assert.equal(h.status()?.restartCount, 7);
  // Blocked attempts happen on the 10 s steady resync and at each back-off's end, never every second.
  const backOffs = h.events.events.filter((e) => e.reason === 'BackOff').length;
  const elapsed = (h.clock.now() - T0) / 1000;
  assert.ok(backOffs <= elapsed / 10 + 14, `${backOffs} BackOff events in ${elapsed} s`);
  await h.mgr.stop();
});

test('init containers run strictly one at a time in spec order before the app', async () => {
  const h = harness();
  await h.mgr.start();
  const uid = h.create({ initContainers: [{ name: 'i1', image: 'busybox:1.36' }, { name: 'i2', image: 'busybox:1.36' }] }).metadata.uid!;
  await h.mgr.idle();
  const created = () => h.runtime.callsOf('createContainer').map((c) => (c.args[1] as { metadata: { name: string } }).metadata.name);
  assert.deepEqual(created(), ['i1']);
  assert.equal(h.pod().status?.phase, 'Pending');
  await h.step(5);
  assert.deepEqual(created(), ['i1']);
  h.runtime.exitContainer(h.newest(uid, 'i1').id, 0);
  await h.mgr.idle();
  assert.deepEqual(created(), ['i1', 'i2']);
  h.runtime.exitContainer(h.newest(uid, 'i2').id, 0);
  await h.mgr.idle();
  assert.deepEqual(created(), ['i1', 'i2', 'c']);
  assert.equal(h.pod().status?.phase, 'Running');
  assert.equal(h.pod().status?.conditions?.find((c) => c.type === 'Initialized')?.status, 'True');
  await h.mgr.stop();
});

test('an init container failing under Never makes the pod Failed and the app never starts', async () => {
  const h = harness();
  await h.mgr.start();
  const uid = h.create({ restartPolicy: 'Never', initContainers: [{ name: 'i1', image: 'busybox:1.36' }] }).metadata.uid!;
  await h.mgr.idle();
  h.runtime.exitContainer(h.newest(uid, 'i1').id, 1);
  await h.mgr.idle();
  await h.step(20);
  assert.equal(h.pod().status?.phase, 'Failed');
  assert.equal(h.status('p', 'c')?.state.waiting?.reason, 'PodInitializing');
  assert.equal(h.runtime.containersNamed(uid, 'c').length, 0);
  await h.mgr.stop();
});

test('an init container failing under Always is retried with back-off and the pod stays Pending', async () => {
  const h = harness();
  await h.mgr.start();
  const uid = h.create({ initContainers: [{ name: 'i1', image: 'busybox:1.36' }] }).metadata.uid!;
  await h.mgr.idle();
  h.runtime.exitContainer(h.newest(uid, 'i1').id, 1);
  await h.mgr.idle();
  assert.equal(h.newest(uid, 'i1').state, 'running'); // first restart is immediate
  h.runtime.exitContainer(h.newest(uid, 'i1').id, 1);
  await h.mgr.idle();
  await h.step(5);
  assert.equal(h.newest(uid, 'i1').state, 'exited');
  assert.equal(h.status('p', 'i1')?.state.waiting?.reason, 'CrashLoopBackOff');
  assert.equal(h.pod().status?.phase, 'Pending');
  await h.step(6);
  assert.equal(h.newest(uid, 'i1').state, 'running');
  assert.equal(h.status('p', 'i1')?.restartCount, 2);
  assert.equal(h.runtime.containersNamed(uid, 'c').length, 0);
  await h.mgr.stop();
});

test('a missing image with pull policy Never shows ErrImageNeverPull with the kubelet message', async () => {
  const h = harness();
  await h.mgr.start();
  h.create({ containers: [{ name: 'c', image: 'nothere:1', imagePullPolicy: 'Never' }] });
  await h.mgr.idle();
  assert.deepEqual(h.status()?.state.waiting, { reason: 'ErrImageNeverPull', message: 'Container image "nothere:1" is not present with pull policy of Never' });
  assert.equal(h.pod().status?.phase, 'Pending');
  assert.equal(h.images.pulls.length, 0);
  await h.mgr.stop();
});

test('an unpullable image shows ErrImagePull, then ImagePullBackOff while the pull back-off lasts', async () => {
  const h = harness();
  await h.mgr.start();
  h.create({ containers: [{ name: 'c', image: 'nothere:1' }] });
  await h.mgr.idle();
  assert.equal(h.status()?.state.waiting?.reason, 'ErrImagePull');
  assert.ok(h.events.events.some((e) => e.reason === 'Failed' && e.message.startsWith('Failed to pull image "nothere:1": ')));
  await h.step(2);
  assert.equal(h.status()?.state.waiting?.reason, 'ImagePullBackOff');
  assert.ok(h.events.events.some((e) => e.reason === 'BackOff' && e.message === 'Back-off pulling image "nothere:1"'));
  assert.equal(h.images.pulls.length, 1);
  await h.step(10);
  assert.equal(h.images.pulls.length, 2);
  await h.mgr.stop();
});

test('a missing ConfigMap gives CreateContainerConfigError and the container starts once it exists', async () => {
  const h = harness();
  await h.mgr.start();
  h.create({ containers: [{ name: 'c', image: 'busybox:1.36', env: [{ name: 'X', valueFrom: { configMapKeyRef: { name: 'cfg', key: 'x' } } }] }] });
  await h.mgr.idle();
  assert.deepEqual(h.status()?.state.waiting, { reason: 'CreateContainerConfigError', message: 'configmap "cfg" not found' });
  assert.ok(h.events.events.some((e) => e.reason === 'Failed' && e.message === 'Error: configmap "cfg" not found'));
  h.store.create<ConfigMap>('configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cfg', namespace: 'default' }, data: { x: 'hello' } });
  await h.step(2);
  assert.ok(h.status()?.state.running);
  const config = h.runtime.callsOf('createContainer').at(-1)!.args[1] as { envs: { key: string; value: string }[] };
  assert.deepEqual(config.envs, [{ key: 'PATH', value: '/bin' }, { key: 'X', value: 'hello' }]);
  await h.mgr.stop();
});

test('a Localhost seccomp profile the runtime cannot load shows CreateContainerError naming the file', async () => {
  const h = harness();
  await h.mgr.start();
  const msg = 'create container "c" in sandbox sb1: setup seccomp: unable to load local seccomp profile "/tmp/peapod-pods-unit/seccomp/p.json": ENOENT';
  h.runtime.failNextCreate(msg);
  h.create({ securityContext: { seccompProfile: { type: 'Localhost', localhostProfile: 'p.json' } } });
  await h.mgr.idle();
  assert.deepEqual(h.status()?.state.waiting, { reason: 'CreateContainerError', message: msg });
  const config = h.runtime.callsOf('createContainer').at(-1)!.args[1] as ContainerConfig;
  assert.deepEqual(config.security.seccompProfile, { type: 'Localhost', localhostRef: '/tmp/peapod-pods-unit/seccomp/p.json' });
  await h.mgr.stop();
});

test('a graceful delete stops containers with the grace, tears down, then removes the object', async () => {
  const h = harness();
  await h.mgr.start();
  const uid = h.create({}).metadata.uid!;
  await h.mgr.idle();
  h.runtime.ignoreStop.add(h.newest(uid).id);
  h.store.modify<Pod>('pods', 'default', 'p', (p) => ({
    ...p,
    metadata: { ...p.metadata, deletionTimestamp: new Date(T0 + 5000).toISOString(), deletionGracePeriodSeconds: 5 },
  }));
  await settle();
  assert.deepEqual(h.runtime.callsOf('stopContainer').map((c) => c.args[1]), [5]);
  assert.ok(h.events.events.some((e) => e.reason === 'Killing' && e.message === 'Stopping container c'));
  h.clock.advance(4000);
  await settle();
  assert.ok(h.store.tryGet('pods', 'default', 'p'), 'object still there before the grace ends');
  h.clock.advance(1000);
  await h.mgr.idle();
  assert.equal(h.store.tryGet('pods', 'default', 'p'), undefined);
  assert.equal(h.runtime.sandboxes.size, 0);
  assert.equal(h.runtime.containers.size, 0);
  assert.deepEqual(h.volumes.tearDowns, [uid]);
  await h.mgr.stop();
});

test('a pod removed from the store while running (force delete) is still torn down', async () => {
  const h = harness();
  await h.mgr.start();
  const uid = h.create({ terminationGracePeriodSeconds: 0 }).metadata.uid!;
  await h.mgr.idle();
  h.store.delete('pods', 'default', 'p');
  await h.mgr.idle();
  assert.deepEqual(h.runtime.callsOf('stopContainer').map((c) => c.args[1]), [2]);
  assert.equal(h.runtime.sandboxes.size, 0);
  assert.deepEqual(h.volumes.tearDowns, [uid]);
  await h.mgr.stop();
});

test('a restarted manager adopts running containers without restarting them', async () => {
  const h = harness();
  await h.mgr.start();
  const uid = h.create({}).metadata.uid!;
  await h.mgr.idle();
  await h.mgr.stop();
  const id = h.newest(uid).id;
  let writes = 0;
  const w = h.store.watch('pods', { resourceVersion: h.store.currentResourceVersion() }, () => writes++);
  const mgr2 = h.newManager();
  await mgr2.start();
  await mgr2.idle();
  h.clock.advance(15_000);
  await mgr2.idle();
  w.stop();
  assert.equal(writes, 0, 'the adopted pod status is unchanged');
  assert.equal(h.runtime.callsOf('startContainer').length, 1);
  assert.equal(h.runtime.callsOf('runPodSandbox').length, 1);
  assert.equal(h.newest(uid).id, id);
  assert.equal(h.pod().status?.phase, 'Running');
  await mgr2.stop();
});

test('runtime pods whose UID the store no longer has are removed at start', async () => {
  const h = harness();
  const sb = await h.runtime.runPodSandbox({
    metadata: { name: 'gone', namespace: 'default', uid: 'old-uid', attempt: 0 },
    hostname: 'gone', logDirectory: '/x', dns: { servers: [], searches: [], options: [] }, hostAliases: [], portMappings: [],
    labels: { [LABEL_POD_UID]: 'old-uid' }, annotations: {}, hostNetwork: false, hostPID: false, hostIPC: false, shareProcessNamespace: false, sysctls: {},
  });
  await h.mgr.start();
  assert.equal(h.runtime.sandboxes.has(sb), false);
  assert.deepEqual(h.volumes.tearDowns, ['old-uid']);
  assert.deepEqual(h.volumes.gcs, [[]], 'volume gc may take the orphan: its teardown succeeded');
  await h.mgr.stop();
});

/** A pod running in the runtime that the store no longer has, as a daemon that was down during a delete sees it. */
async function orphanPod(h: ReturnType<typeof harness>, name: string): Promise<string> {
  await h.mgr.start();
  const uid = h.create({}, name).metadata.uid!;
  await h.mgr.idle();
  await h.mgr.stop();
  h.store.delete('pods', 'default', name);
  return uid;
}

test('issue 6: volume gc at start spares a pod whose orphan teardown failed while the runtime still lists it', async () => {
  const h = harness();
  const orphan = await orphanPod(h, 'gone');
  h.runtime.failNextRemoveSandbox('runc delete: device or resource busy');
  const mgr = h.newManager();
  await mgr.start();
  assert.equal(h.runtime.containersNamed(orphan, 'c').length, 1, 'its container is still there');
  assert.deepEqual(h.volumes.tearDowns, [], 'teardown stopped at the sandbox');
  assert.deepEqual(h.volumes.gcs.at(-1), [orphan]);
  await mgr.stop();
});

test('issue 6: volume gc at start spares a pod whose volume teardown failed, and the live pods', async () => {
  const h = harness();
  const orphan = await orphanPod(h, 'gone');
  const live = h.create({}, 'stays').metadata.uid!;
  h.volumes.failTearDown.add(orphan);
  const mgr = h.newManager();
  await mgr.start();
  assert.equal(h.runtime.containersNamed(orphan, 'c').length, 0, 'the runtime removed it');
  assert.deepEqual(h.volumes.tearDowns, [orphan]);
  assert.deepEqual(h.volumes.gcs.at(-1), [live, orphan].sort());
  await mgr.stop();
});

test('status is written only when it changes', async () => {
  const h = harness();
  await h.mgr.start();
  h.create({});
  await h.mgr.idle();
  let writes = 0;
  const w = h.store.watch('pods', { resourceVersion: h.store.currentResourceVersion() }, () => writes++);
  await h.step(60);
  assert.equal(writes, 0);
  h.runtime.exitContainer(h.runtime.containersNamed(h.pod().metadata.uid!, 'c')[0].id, 1);
  await h.mgr.idle();
  assert.ok(writes >= 1);
  w.stop();
  await h.mgr.stop();
});

test('a dead sandbox is recreated with a SandboxChanged event and the container restarted', async () => {
  const h = harness();
  await h.mgr.start();
  const uid = h.create({}).metadata.uid!;
  await h.mgr.idle();
  const [sb] = await h.runtime.listPodSandboxes();
  h.runtime.killSandbox(sb.id);
  await h.mgr.idle();
  assert.ok(h.events.reasons().includes('SandboxChanged'));
  assert.equal(h.runtime.callsOf('runPodSandbox').length, 2);
  assert.equal(h.newest(uid).state, 'running');
  assert.equal(h.pod().status?.phase, 'Running');
  await h.mgr.stop();
});

test('failed starts show RunContainerError, then CrashLoopBackOff, with lastState exit 128 StartError', async () => {
  const h = harness();
  await h.mgr.start();
  const msg = 'exec: "/nonexistent": stat /nonexistent: no such file or directory';
  h.runtime.failNextStart(msg, 2);
  const seen: string[] = [];
  const w = h.store.watch<Pod>('pods', {}, (ev) => {
    const r = ev.object.status?.containerStatuses?.[0]?.state.waiting?.reason;
    if (r && seen.at(-1) !== r) seen.push(r);
  });
  const uid = h.create({}).metadata.uid!;
  await h.mgr.idle();
  w.stop();
  // The runtime's exit event makes the next pass immediate: the first restart fails too, then back-off.
  assert.deepEqual(seen, ['RunContainerError', 'CrashLoopBackOff']);
  assert.equal(h.status()?.lastState.terminated?.exitCode, 128);
  assert.equal(h.status()?.lastState.terminated?.reason, 'StartError');
  assert.ok(h.events.events.some((e) => e.reason === 'Failed' && e.message === `Error: ${msg}`));
  await h.step(11);
  assert.equal(h.newest(uid).state, 'running');
  assert.equal(h.status()?.restartCount, 2);
  await h.mgr.stop();
});

test('activeDeadlineSeconds fails the pod with DeadlineExceeded and kills its containers', async () => {
  const h = harness();
  await h.mgr.start();
  const uid = h.create({ activeDeadlineSeconds: 5 }).metadata.uid!;
  await h.mgr.idle();
  await h.step(4);
  assert.equal(h.pod().status?.phase, 'Running');
  await h.step(1);
  const st = h.pod().status;
  assert.equal(st?.phase, 'Failed');
  assert.equal(st?.reason, 'DeadlineExceeded');
  assert.equal(st?.message, 'Pod was active on the node longer than the specified deadline');
  assert.equal(h.newest(uid).state, 'exited');
  assert.ok(h.events.events.some((e) => e.reason === 'DeadlineExceeded' && e.type === 'Normal'));
  await h.step(20);
  assert.equal(h.runtime.callsOf('startContainer').length, 1);
  await h.mgr.stop();
});

test('issue 8: the burstable QoS level weighs the sum of its pods\' cpu requests, following admissions and finished pods', async () => {
  const h = harness();
  await h.mgr.start();
  assert.equal(h.runtime.burstableCpuShares, 2, 'written at start: the minimum with no Burstable pod');
  const req = (cpu: string) => ({ name: 'c', image: 'busybox:1.36', resources: { requests: { cpu } } });
  h.create({ containers: [req('250m')] }, 'a');
  h.create({ containers: [req('500m')], initContainers: [{ ...req('100m'), name: 'side', restartPolicy: 'Always' }] }, 'b');
  h.create({ containers: [{ name: 'c', image: 'busybox:1.36', resources: { requests: { cpu: '1' }, limits: { cpu: '1', memory: '1Gi' } } }] }, 'g');
  await h.mgr.idle();
  assert.equal(h.runtime.burstableCpuShares, 870, '850m: the Guaranteed pod is not counted, the sidecar is');
  h.create({ containers: [{ name: 'c', image: 'busybox:1.36', command: ['true'] }], restartPolicy: 'Never' }, 'besteffort');
  h.create({ containers: [{ ...req('100m'), command: ['true'] }], restartPolicy: 'Never' }, 'done');
  await h.mgr.idle();
  h.runtime.exitContainer(h.newest(h.pod('done').metadata.uid!).id, 0);
  await h.step(2);
  assert.equal(h.pod('done').status?.phase, 'Succeeded');
  assert.equal(h.runtime.burstableCpuShares, 870, 'a finished pod holds nothing');
  h.store.delete('pods', 'default', 'a');
  await h.step(1);
  assert.equal(h.runtime.burstableCpuShares, 614);
  await h.mgr.stop();
});

test('issue 8: a pod over its ephemeral-storage limit is evicted: Warning Evicted, Failed with reason Evicted, containers killed, the object kept', async () => {
  const h = harness();
  await h.mgr.start();
  const limited = { name: 'c', image: 'busybox:1.36', resources: { limits: { 'ephemeral-storage': '1Mi' } } };
  // A roomy second container: the pod total (11Mi) is not what trips, the container's own limit is.
  const roomy = { name: 'd', image: 'busybox:1.36', resources: { limits: { 'ephemeral-storage': '10Mi' } } };
  const uid = h.create({ containers: [limited, roomy], terminationGracePeriodSeconds: 30 }).metadata.uid!;
  const calm = h.create({ containers: [limited] }, 'calm').metadata.uid!;
  await h.mgr.idle();
  const id = h.newest(uid).id;
  h.runtime.fsUsage.set(id, 512 * 1024);
  const logs = `/tmp/peapod-pods-unit/logs/pods/default_p_${uid}/c`;
  h.disk.set(logs, 512 * 1024);
  await h.step(10);
  assert.equal(h.pod().status?.phase, 'Running', 'at the limit: stays');
  h.disk.set(logs, 512 * 1024 + 4096);
  await h.step(10);
  const st = h.pod().status;
  const message = 'Container c exceeded its local ephemeral storage limit "1Mi". ';
  assert.equal(st?.phase, 'Failed');
  assert.equal(st?.reason, 'Evicted');
  assert.equal(st?.message, message);
  assert.deepEqual(h.events.events.filter((e) => e.reason === 'Evicted'), [{ fieldPath: undefined, type: 'Warning', reason: 'Evicted', message }]);
  assert.equal(h.newest(uid).state, 'exited');
  const stop = h.runtime.calls.find((c) => c.method === 'stopContainer' && c.args[0] === id);
  assert.equal(stop?.args[1], 2, 'the eviction grace (1 s) raised to the 2 s minimum, not the pod 30 s');
  assert.equal(h.pod('calm').status?.phase, 'Running', 'other pods are untouched');
  assert.equal(h.newest(calm).state, 'running');
  await h.step(30);
  assert.equal(h.pod().status?.reason, 'Evicted', 'kept, not restarted or deleted');
  assert.equal(h.runtime.callsOf('startContainer').filter((c) => c.args[0] === id).length, 1);
  await h.mgr.stop();
});

test('issue 8: an emptyDir over its sizeLimit evicts the pod; a pod without limits is never measured', async () => {
  const h = harness();
  const measured: string[][] = [];
  const mgr = h.newManager({
    diskUsage: async (paths) => {
      measured.push(paths);
      return new Map(paths.map((p) => [p, p.endsWith('/scratch') ? 3 << 20 : 0]));
    },
  });
  await mgr.start();
  h.create({ volumes: [{ name: 'scratch', emptyDir: { sizeLimit: '2Mi' } }] });
  h.create({ volumes: [{ name: 'scratch', emptyDir: {} }] }, 'free');
  await mgr.idle();
  for (let i = 0; i < 10; i++) {
    h.clock.advance(1000);
    await mgr.idle();
  }
  assert.equal(h.pod().status?.reason, 'Evicted');
  assert.equal(h.pod().status?.message, 'Usage of EmptyDir volume "scratch" exceeds the limit "2Mi". ');
  assert.equal(h.pod('free').status?.phase, 'Running');
  assert.ok(measured.length >= 1 && measured.every((paths) => paths.every((p) => !p.includes(h.pod('free').metadata.uid!))));
  await mgr.stop();
  await h.mgr.stop();
});

test('issue 8: a running pod\'s downward API volumes follow its labels at once, and ConfigMap volumes resync every minute', async () => {
  const h = harness();
  await h.mgr.start();
  h.create({ volumes: [{ name: 'info', downwardAPI: { items: [{ path: 'labels', fieldRef: { fieldPath: 'metadata.labels' } }] } }] });
  await h.mgr.idle();
  const setUps = () => h.volumes.setUps.length;
  const before = setUps();
  await h.step(30);
  assert.equal(setUps(), before, 'nothing changed: no re-projection within the minute');
  h.store.modify<Pod>('pods', 'default', 'p', (p) => ({ ...p, metadata: { ...p.metadata, labels: { tier: 'web' } } }));
  await h.mgr.idle();
  assert.equal(setUps(), before + 1, 'a label change re-projects at once');
  await h.step(61);
  assert.equal(setUps(), before + 2, 'and the minute resync');
  await h.mgr.stop();
});

test('imagePullPolicy Always pulls even when the image is present; localhost/ images are node-local and not pulled', async () => {
  const h = harness();
  await h.mgr.start();
  h.images.add('busybox');
  h.images.pullable.set('busybox', 50);
  h.create({ containers: [{ name: 'c', image: 'busybox' }] }); // no tag: Always
  await settle();
  await h.tick(1);
  await h.mgr.idle();
  assert.deepEqual(h.images.pulls, ['busybox']);
  assert.ok(h.events.events.some((e) => e.reason === 'Pulled' && /^Successfully pulled image "busybox:latest" in [\d.]+m?s \([\d.]+m?s including waiting\)\. Image size: 1000 bytes\.$/.test(e.message)), JSON.stringify(h.events.events));
  await h.mgr.stop();

  const l = harness();
  await l.mgr.start();
  l.images.add('localhost/app');
  l.create({ containers: [{ name: 'c', image: 'localhost/app' }] });
  await l.mgr.idle();
  assert.deepEqual(l.images.pulls, []);
  assert.ok(l.status()?.state.running);
  await l.mgr.stop();
});

test("a pod's imagePullSecrets reach the pull as credentials (matched by registry host), never the other secrets", async () => {
  const h = harness();
  await h.mgr.start();
  const dockerconfig = (host: string, user: string) =>
    Buffer.from(JSON.stringify({ auths: { [host]: { username: user, password: `${user}-pw`, auth: Buffer.from(`${user}:${user}-pw`).toString('base64') } } })).toString('base64');
  for (const [name, host, user] of [['regcred', 'reg.example:5000', 'alice'], ['other', 'elsewhere.example', 'bob'], ['unlisted', 'reg.example:5000', 'eve']] as const) {
    h.store.create('secrets', { apiVersion: 'v1', kind: 'Secret', metadata: { name, namespace: 'default' }, type: 'kubernetes.io/dockerconfigjson', data: { '.dockerconfigjson': dockerconfig(host, user) } });
  }
  h.images.pullable.set('reg.example:5000/team/app:1.4', 10);
  h.create({ imagePullSecrets: [{ name: 'regcred' }, { name: 'other' }, { name: 'missing' }], containers: [{ name: 'c', image: 'reg.example:5000/team/app:1.4' }] });
  await settle();
  await h.tick(1);
  await h.mgr.idle();
  assert.deepEqual(h.images.pullOptions.map((o) => o.credentials), [[{ username: 'alice', password: 'alice-pw', source: 'secret default/regcred' }]]);
  assert.ok(h.events.events.some((e) => e.reason === 'FailedToRetrieveImagePullSecret' && e.type === 'Warning' && e.fieldPath === undefined && e.message === 'Unable to retrieve some image pull secrets (missing); attempting to pull the image may not succeed.'));
  await h.mgr.stop();
});

test('ImagePullBackOff carries the last pull error, as kubelets since 1.30 show it', async () => {
  const h = harness();
  await h.mgr.start();
  h.create({ containers: [{ name: 'c', image: 'nothere:1' }] });
  await h.mgr.idle();
  await h.step(2);
  assert.equal(h.status()?.state.waiting?.reason, 'ImagePullBackOff');
  assert.equal(h.status()?.state.waiting?.message, 'Back-off pulling image "nothere:1": ErrImagePull: pull access denied for nothere:1');
  await h.mgr.stop();
});

// Issue 15: the runtime returns a sandbox before its infra container and network are made.
test('a sandbox whose infra container fails after it was returned is reported as its creation failing, and replaced', async () => {
  const h = harness();
  await h.mgr.start();
  h.runtime.failNextSandboxSetup('create container x: runc create failed: open /proc/sys/net/no/such/key: no such file or directory');
  const uid = h.create({}).metadata.uid!;
  await h.mgr.idle();
  const failed = h.events.events.filter((e) => e.reason === 'FailedCreatePodSandBox');
  assert.equal(failed[0]?.message, 'Failed to create pod sandbox: create container x: runc create failed: open /proc/sys/net/no/such/key: no such file or directory');
  assert.equal(h.events.events.some((e) => e.reason === 'Failed'), false, 'not reported as the container\'s failure');
  // The failed sandbox went with the container created in it: the next pass starts afresh, and the pod
  // runs with no restart counted (the container never ran).
  assert.equal(h.runtime.callsOf('removePodSandbox').length, 1);
  await h.step(11);
  assert.ok(h.runtime.callsOf('runPodSandbox').length >= 2);
  assert.equal(h.newest(uid).state, 'running');
  assert.equal(h.pod().status?.phase, 'Running');
  assert.equal(h.status()?.restartCount, 0);
  assert.equal(h.status()?.lastState.terminated, undefined);
  await h.mgr.stop();
});

test('issue 15: a sandbox whose set-up fails under containers created together is removed after their creates, and replaced', async () => {
  const h = harness();
  await h.mgr.start();
  h.runtime.failNextSandboxSetup('attach: the bridge plugin failed');
  // b learns the failure inside its create (waiting for the pod IP), a at its start.
  const b = { name: 'b', image: 'busybox:1.36', env: [{ name: 'IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } }] };
  const uid = h.create({ containers: [{ name: 'a', image: 'busybox:1.36' }, b] }).metadata.uid!;
  let timer: NodeJS.Timeout | undefined;
  const hung = new Promise<string>((r) => (timer = setTimeout(() => r('hung'), 5000)));
  assert.notEqual(await Promise.race([h.mgr.idle().then(() => 'idle'), hung]), 'hung', 'the pod worker finishes its pass');
  clearTimeout(timer);
  assert.equal(h.events.events.filter((e) => e.reason === 'FailedCreatePodSandBox').length, 1);
  assert.equal(h.runtime.callsOf('removePodSandbox').length, 1);
  await h.step(11);
  assert.equal(h.newest(uid, 'a').state, 'running');
  assert.equal(h.newest(uid, 'b').state, 'running');
  await h.mgr.stop();
});

test('only a container whose env takes the pod IP waits for the sandbox network', async () => {
  assert.equal(envUsesPodIP({ name: 'a', image: 'x', env: [{ name: 'IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } }] }), true);
  assert.equal(envUsesPodIP({ name: 'a', image: 'x', env: [{ name: 'IPS', valueFrom: { fieldRef: { fieldPath: 'status.podIPs' } } }] }), true);
  assert.equal(envUsesPodIP({ name: 'a', image: 'x', env: [{ name: 'N', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } }, { name: 'V', value: 'status.podIP' }] }), false);
  const h = harness();
  await h.mgr.start();
  h.runtime.failNextSandboxSetup('attach: no IP left in 10.88.0.0/24');
  h.create({ containers: [{ name: 'c', image: 'busybox:1.36', env: [{ name: 'MY_IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } }] }] });
  await h.mgr.idle();
  assert.equal(h.runtime.callsOf('createContainer').length, 0, 'no container is created without its IP');
  assert.ok(h.events.events.some((e) => e.reason === 'FailedCreatePodSandBox' && e.message === 'Failed to create pod sandbox: attach: no IP left in 10.88.0.0/24'));
  await h.mgr.stop();
});

test('a restartPolicy Never pod whose sandbox set-up fails gets a new sandbox, not a Failed phase', async () => {
  const h = harness();
  await h.mgr.start();
  h.runtime.failNextSandboxSetup('attach: the bridge plugin failed');
  const uid = h.create({ restartPolicy: 'Never' }).metadata.uid!;
  await h.mgr.idle();
  await h.step(11);
  assert.equal(h.newest(uid).state, 'running');
  assert.equal(h.pod().status?.phase, 'Running');
  await h.mgr.stop();
});
