import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { RESOURCES } from '../k8s/registry.js';
import type { PersistentVolume, PersistentVolumeClaim, StorageClass } from '../k8s/storage-types.js';
import { STORAGE } from '../k8s/storage-types.js';
import type { KubeObject, Node, Pod } from '../k8s/types.js';
import { RecordingEvents } from '../pods/manager-harness.js';
import { SqliteStore } from '../store/sqlite-store.js';
import { FakeClock } from '../system/clock.js';
import { silentLogger } from '../system/logger.js';
import { Scheduler } from '../scheduler/scheduler.js';
import { StorageController, claimsOfPod, ensureDefaultStorageClass, podUsesClaim } from './controller.js';

function setup(t: { after: (fn: () => void | Promise<void>) => void }) {
  const clock = new FakeClock(Date.parse('2026-01-01T00:00:00Z'));
  const store = new SqliteStore({ path: ':memory:', resources: RESOURCES, clock });
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'peapod-storage-'));
  const localPathRoot = path.join(root, 'storage');
  store.create<Node>('nodes', { apiVersion: 'v1', kind: 'Node', metadata: { name: 'n1', labels: { 'kubernetes.io/hostname': 'n1' } }, spec: {} });
  const events = new RecordingEvents();
  const controllers: StorageController[] = [];
  const start = () => {
    const c = new StorageController({ store, clock, events, logger: silentLogger(), nodeName: 'n1', localPathRoot, resyncMs: 0 });
    controllers.push(c);
    c.start();
    return c;
  };
  t.after(async () => {
    for (const c of controllers) await c.stop();
    store.close();
    fs.rmSync(root, { recursive: true, force: true });
  });
  let ctl = start();
  const settle = async () => {
    for (let i = 0; i < 3; i++) {
      await new Promise((r) => setImmediate(r));
      await ctl.idle();
    }
  };
  const cls = (name: string, extra: Partial<StorageClass> = {}) =>
    store.create<StorageClass>('storageclasses', { apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass', metadata: { name }, provisioner: STORAGE.localPathProvisioner, volumeBindingMode: 'Immediate', reclaimPolicy: 'Delete', ...extra });
  const pv = (name: string, size: string, spec: Partial<PersistentVolume['spec']> = {}) =>
    store.create<PersistentVolume>('persistentvolumes', {
      apiVersion: 'v1',
      kind: 'PersistentVolume',
      metadata: { name },
      spec: { capacity: { storage: size }, accessModes: ['ReadWriteOnce'], persistentVolumeReclaimPolicy: 'Retain', hostPath: { path: `/srv/${name}` }, ...spec },
    });
  const pvc = (name: string, size: string, spec: Partial<PersistentVolumeClaim['spec']> = {}) =>
    store.create<PersistentVolumeClaim>('persistentvolumeclaims', {
      apiVersion: 'v1',
      kind: 'PersistentVolumeClaim',
      metadata: { name, namespace: 'default' },
      spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: size } }, ...spec },
    });
  const getPV = (name: string) => store.tryGet<PersistentVolume>('persistentvolumes', undefined, name);
  const getPVC = (name: string) => store.tryGet<PersistentVolumeClaim>('persistentvolumeclaims', 'default', name);
  /** DELETE as the API does it: with finalizers, a deletionTimestamp; without, gone. */
  const apiDelete = (resource: string, namespace: string | undefined, name: string) => {
    const o = store.get<KubeObject>(resource, namespace, name);
    if ((o.metadata.finalizers ?? []).length === 0) store.delete(resource, namespace, name);
    else store.modify<KubeObject>(resource, namespace, name, (c) => ({ ...c, metadata: { ...c.metadata, deletionTimestamp: '2026-01-01T00:00:01Z' } }));
  };
  const restart = async () => {
    await ctl.stop();
    ctl = start();
  };
  const stop = () => ctl.stop();
  return { clock, store, events, localPathRoot, settle, cls, pv, pvc, getPV, getPVC, apiDelete, restart, stop, start: () => (ctl = start()), controller: () => ctl };
}

const messages = (events: RecordingEvents) => events.events.map((e) => `${e.reason}: ${e.message}`);

test('static binding: the smallest fitting volume is bound both ways, with upstream annotations and status', async (t) => {
  const h = setup(t);
  h.pv('big', '10Gi');
  h.pv('small', '1Gi');
  await h.settle();
  assert.equal(h.getPV('small')?.status?.phase, 'Available');
  assert.ok(h.getPV('small')?.status?.lastPhaseTransitionTime);
  assert.deepEqual(h.getPV('small')?.metadata.finalizers, [STORAGE.pvProtection]);
  const claim = h.pvc('data', '500Mi', { storageClassName: '' });
  await h.settle();
  const c = h.getPVC('data');
  const v = h.getPV('small');
  assert.equal(c?.spec.volumeName, 'small');
  assert.equal(c?.status?.phase, 'Bound');
  assert.deepEqual(c?.status?.capacity, { storage: '1Gi' });
  assert.deepEqual(c?.status?.accessModes, ['ReadWriteOnce']);
  assert.equal(c?.metadata.annotations?.[STORAGE.bindCompleted], 'yes');
  assert.equal(c?.metadata.annotations?.[STORAGE.boundByController], 'yes');
  assert.deepEqual(c?.metadata.finalizers, [STORAGE.pvcProtection]);
  assert.equal(v?.status?.phase, 'Bound');
  assert.equal(v?.spec.claimRef?.uid, claim.metadata.uid);
  assert.equal(v?.spec.claimRef?.kind, 'PersistentVolumeClaim');
  assert.equal(v?.metadata.annotations?.[STORAGE.boundByController], 'yes');
  assert.equal(h.getPV('big')?.status?.phase, 'Available');
});

test('a claim naming a volume binds only that one; a volume pre-bound to a claim by name binds it', async (t) => {
  const h = setup(t);
  h.pv('small', '1Gi');
  h.pv('wanted', '5Gi');
  h.pv('reserved', '5Gi', { claimRef: { namespace: 'default', name: 'other' } });
  h.pvc('named', '1Gi', { storageClassName: '', volumeName: 'wanted' });
  h.pvc('other', '1Gi', { storageClassName: '' });
  h.pvc('toobig', '50Gi', { storageClassName: '', volumeName: 'small' });
  await h.settle();
  assert.equal(h.getPV('wanted')?.spec.claimRef?.name, 'named');
  assert.equal(h.getPVC('named')?.metadata.annotations?.[STORAGE.boundByController], undefined, 'the user bound it');
  assert.equal(h.getPV('reserved')?.spec.claimRef?.uid, h.getPVC('other')?.metadata.uid);
  assert.equal(h.getPV('reserved')?.metadata.annotations?.[STORAGE.boundByController], undefined);
  assert.equal(h.getPVC('other')?.spec.volumeName, 'reserved');
  assert.equal(h.getPVC('toobig')?.status?.phase, 'Pending');
  assert.ok(messages(h.events).includes('VolumeMismatch: Cannot bind to requested volume "small": requested PV is too small'));
});

test('no class and no volume: FailedBinding; a volume created later binds it', async (t) => {
  const h = setup(t);
  h.pvc('data', '1Gi');
  await h.settle();
  assert.equal(h.getPVC('data')?.status?.phase, 'Pending');
  assert.deepEqual(messages(h.events), ['FailedBinding: no persistent volumes available for this claim and no storage class is set']);
  h.pv('late', '2Gi');
  await h.settle();
  assert.equal(h.getPVC('data')?.status?.phase, 'Bound');
});

test('a class that does not exist: ProvisioningFailed; a retroactive default class for a claim without one', async (t) => {
  const h = setup(t);
  h.pvc('ghost', '1Gi', { storageClassName: 'nope' });
  h.pvc('classless', '1Gi');
  await h.settle();
  assert.ok(messages(h.events).includes('ProvisioningFailed: storageclass.storage.k8s.io "nope" not found'));
  assert.equal(h.getPVC('classless')?.spec.storageClassName, undefined);
  h.cls('fast', { metadata: { name: 'fast', annotations: { [STORAGE.defaultClass]: 'true' } } });
  await h.settle();
  assert.equal(h.getPVC('classless')?.spec.storageClassName, 'fast');
  assert.equal(h.getPVC('classless')?.status?.phase, 'Bound', 'then provisioned (Immediate)');
});

test('dynamic provisioning, Immediate: a 0777 directory, a hostPath PV pinned to the node, bound, with events', async (t) => {
  const h = setup(t);
  h.cls('fast');
  const claim = h.pvc('data', '2Gi', { storageClassName: 'fast' });
  await h.settle();
  const uid = claim.metadata.uid ?? '';
  const v = h.getPV(`pvc-${uid}`);
  assert.ok(v, 'the PV exists');
  const dir = path.join(h.localPathRoot, `pvc-${uid}_default_data`);
  assert.equal(fs.statSync(dir).mode & 0o777, 0o777);
  assert.deepEqual(v.spec.hostPath, { path: dir, type: 'DirectoryOrCreate' });
  assert.deepEqual(v.spec.capacity, { storage: '2Gi' });
  assert.equal(v.spec.persistentVolumeReclaimPolicy, 'Delete');
  assert.equal(v.spec.storageClassName, 'fast');
  assert.equal(v.spec.volumeMode, 'Filesystem');
  assert.equal(v.metadata.annotations?.[STORAGE.provisionedBy], STORAGE.localPathProvisioner);
  assert.deepEqual(v.spec.nodeAffinity?.required?.nodeSelectorTerms[0]?.matchExpressions, [{ key: 'kubernetes.io/hostname', operator: 'In', values: ['n1'] }]);
  assert.equal(v.spec.claimRef?.uid, uid);
  assert.equal(v.status?.phase, 'Bound');
  const c = h.getPVC('data');
  assert.equal(c?.status?.phase, 'Bound');
  assert.equal(c?.spec.volumeName, `pvc-${uid}`);
  assert.equal(c?.metadata.annotations?.[STORAGE.storageProvisioner], STORAGE.localPathProvisioner);
  assert.equal(c?.metadata.annotations?.[STORAGE.betaStorageProvisioner], STORAGE.localPathProvisioner);
  assert.deepEqual(messages(h.events), [
    'ExternalProvisioning: waiting for a volume to be created, either by external provisioner "rancher.io/local-path" or manually created by system administrator',
    'Provisioning: External provisioner is provisioning volume for claim "default/data"',
    `ProvisioningSucceeded: Successfully provisioned volume pvc-${uid}`,
  ]);
});

test('WaitForFirstConsumer with the default class: waits (one event) until the scheduler picks the node', async (t) => {
  const h = setup(t);
  ensureDefaultStorageClass(h.store);
  ensureDefaultStorageClass(h.store);
  const sc = h.store.get<StorageClass>('storageclasses', undefined, 'local-path');
  assert.equal(sc.volumeBindingMode, 'WaitForFirstConsumer');
  assert.equal(sc.metadata.annotations?.[STORAGE.defaultClass], 'true');
  const claim = h.pvc('data', '1Gi', { storageClassName: 'local-path' });
  await h.settle();
  h.store.modify<PersistentVolumeClaim>('persistentvolumeclaims', 'default', 'data', (c) => ({ ...c, metadata: { ...c.metadata, labels: { touched: 'yes' } } }));
  await h.settle();
  assert.equal(h.getPVC('data')?.status?.phase, 'Pending');
  assert.deepEqual(messages(h.events), ['WaitForFirstConsumer: waiting for first consumer to be created before binding']);
  assert.equal(fs.existsSync(h.localPathRoot), false);
  h.store.modify<PersistentVolumeClaim>('persistentvolumeclaims', 'default', 'data', (c) => ({ ...c, metadata: { ...c.metadata, annotations: { ...c.metadata.annotations, [STORAGE.selectedNode]: 'n1' } } }));
  await h.settle();
  assert.equal(h.getPVC('data')?.status?.phase, 'Bound');
  assert.equal(h.getPV(`pvc-${claim.metadata.uid}`)?.status?.phase, 'Bound');
  assert.ok(messages(h.events).includes(`ProvisioningSucceeded: Successfully provisioned volume pvc-${claim.metadata.uid}`));
});

test('WaitForFirstConsumer with a static volume: bound once the node is chosen, only to a volume its affinity allows', async (t) => {
  const h = setup(t);
  h.cls('local', { provisioner: 'kubernetes.io/no-provisioner', volumeBindingMode: 'WaitForFirstConsumer' });
  const affinity = (node: string) => ({ required: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'kubernetes.io/hostname', operator: 'In', values: [node] }] }] } });
  h.pv('elsewhere', '1Gi', { storageClassName: 'local', nodeAffinity: affinity('n2') });
  h.pv('here', '5Gi', { storageClassName: 'local', nodeAffinity: affinity('n1') });
  h.pvc('data', '1Gi', { storageClassName: 'local' });
  await h.settle();
  assert.equal(h.getPVC('data')?.status?.phase, 'Pending');
  h.store.modify<PersistentVolumeClaim>('persistentvolumeclaims', 'default', 'data', (c) => ({ ...c, metadata: { ...c.metadata, annotations: { [STORAGE.selectedNode]: 'n1' } } }));
  await h.settle();
  assert.equal(h.getPVC('data')?.spec.volumeName, 'here');
});

test('class parameters the provisioner does not know: ProvisioningFailed, the claim stays Pending', async (t) => {
  const h = setup(t);
  h.cls('odd', { parameters: { pathPattern: '{{ .PVC.Name }}' } });
  h.pvc('data', '1Gi', { storageClassName: 'odd' });
  await h.settle();
  assert.equal(h.getPVC('data')?.status?.phase, 'Pending');
  assert.ok(
    messages(h.events).includes('ProvisioningFailed: failed to provision volume with StorageClass "odd": invalid parameter "pathPattern" in storage class "odd": the rancher.io/local-path provisioner takes no parameters'),
    messages(h.events).join('\n'),
  );
  assert.equal(h.store.list('persistentvolumes').items.length, 0);
});

test('Delete: the claim is kept while a scheduled pod uses it (finished too, as upstream), then its directory and PV go', async (t) => {
  const h = setup(t);
  h.cls('fast');
  const claim = h.pvc('data', '1Gi', { storageClassName: 'fast' });
  await h.settle();
  const pvName = `pvc-${claim.metadata.uid}`;
  const dir = h.getPV(pvName)?.spec.hostPath?.path ?? '';
  fs.mkdirSync(path.join(dir, 'sub'));
  fs.writeFileSync(path.join(dir, 'sub', 'file'), 'x');
  const outside = path.join(h.localPathRoot, '..', 'outside');
  fs.mkdirSync(outside);
  fs.writeFileSync(path.join(outside, 'keep'), 'keep');
  fs.symlinkSync(outside, path.join(dir, 'escape'));
  h.store.create<Pod>('pods', {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'user', namespace: 'default' },
    spec: { nodeName: 'n1', containers: [{ name: 'c', image: 'x' }], volumes: [{ name: 'v', persistentVolumeClaim: { claimName: 'data' } }] },
    status: { phase: 'Running' },
  });
  h.apiDelete('persistentvolumeclaims', 'default', 'data');
  await h.settle();
  assert.deepEqual(h.getPVC('data')?.metadata.finalizers, [STORAGE.pvcProtection], 'kept while the pod runs');
  assert.equal(h.getPV(pvName)?.status?.phase, 'Bound');
  h.store.modify<Pod>('pods', 'default', 'user', (p) => ({ ...p, status: { phase: 'Succeeded' } }));
  await h.settle();
  assert.deepEqual(h.getPVC('data')?.metadata.finalizers, [STORAGE.pvcProtection], 'a finished pod that still exists holds it (podUsesPVC)');
  h.store.delete('pods', 'default', 'user');
  await h.settle();
  assert.equal(h.getPVC('data'), undefined);
  assert.equal(h.getPV(pvName), undefined);
  assert.equal(fs.existsSync(dir), false);
  assert.equal(fs.readFileSync(path.join(outside, 'keep'), 'utf8'), 'keep', 'the symlink was not followed');
});

test('Retain: the volume is Released and stays, with its directory; a static Delete volume fails as upstream', async (t) => {
  const h = setup(t);
  h.cls('keep', { reclaimPolicy: 'Retain' });
  const kept = h.pvc('kept', '1Gi', { storageClassName: 'keep' });
  h.pv('static', '1Gi', { persistentVolumeReclaimPolicy: 'Delete', storageClassName: 'manual' });
  h.pvc('user', '1Gi', { storageClassName: 'manual' });
  await h.settle();
  assert.equal(h.getPVC('user')?.status?.phase, 'Bound');
  h.apiDelete('persistentvolumeclaims', 'default', 'kept');
  h.apiDelete('persistentvolumeclaims', 'default', 'user');
  await h.settle();
  const r = h.getPV(`pvc-${kept.metadata.uid}`);
  assert.equal(r?.status?.phase, 'Released');
  assert.ok(fs.existsSync(r?.spec.hostPath?.path ?? ''));
  const s = h.getPV('static');
  assert.equal(s?.status?.phase, 'Failed');
  const msg = 'error getting deleter volume plugin for volume "static": no deletable volume plugin matched';
  assert.equal(s?.status?.message, msg);
  assert.ok(messages(h.events).includes(`VolumeFailedDelete: ${msg}`));
});

test('pv-protection: a deleting volume stays while Bound, goes once Released; a lost volume makes its claim Lost', async (t) => {
  const h = setup(t);
  h.pv('vol', '1Gi');
  h.pvc('data', '1Gi', { storageClassName: '' });
  await h.settle();
  h.apiDelete('persistentvolumes', undefined, 'vol');
  await h.settle();
  assert.ok(h.getPV('vol')?.metadata.deletionTimestamp);
  assert.deepEqual(h.getPV('vol')?.metadata.finalizers, [STORAGE.pvProtection]);
  h.apiDelete('persistentvolumeclaims', 'default', 'data');
  await h.settle();
  assert.equal(h.getPVC('data'), undefined);
  assert.equal(h.getPV('vol'), undefined, 'Released (Retain), then its finalizer went and so did it');

  h.pv('vol2', '1Gi');
  h.pvc('data2', '1Gi', { storageClassName: '' });
  await h.settle();
  h.store.delete('persistentvolumes', undefined, 'vol2'); // forced, finalizer or not
  await h.settle();
  assert.equal(h.getPVC('data2')?.status?.phase, 'Lost');
  assert.ok(messages(h.events).includes('ClaimLost: Bound claim has lost its PersistentVolume. Data on the volume is lost!'));
});

test('expansion: a grown request is recorded on the volume and the claim, no resize conditions left', async (t) => {
  const h = setup(t);
  h.cls('grow', { allowVolumeExpansion: true });
  const claim = h.pvc('data', '1Gi', { storageClassName: 'grow' });
  await h.settle();
  h.store.modify<PersistentVolumeClaim>('persistentvolumeclaims', 'default', 'data', (c) => ({
    ...c,
    spec: { ...c.spec, resources: { requests: { storage: '3Gi' } } },
    status: { ...c.status, conditions: [{ type: 'Resizing', status: 'True' }] },
  }));
  await h.settle();
  const v = h.getPV(`pvc-${claim.metadata.uid}`);
  const c = h.getPVC('data');
  assert.deepEqual(v?.spec.capacity, { storage: '3Gi' });
  assert.deepEqual(c?.status?.capacity, { storage: '3Gi' });
  assert.deepEqual(c?.status?.allocatedResources, { storage: '3Gi' });
  assert.equal(c?.status?.conditions, undefined);
  assert.equal(h.events.events.filter((e) => e.reason === 'VolumeResizeSuccessful').length, 1);
  assert.match(h.events.events.find((e) => e.reason === 'VolumeResizeSuccessful')?.message ?? '', /no size limit/);
});

test('restart: what changed while the controller was down converges at start', async (t) => {
  const h = setup(t);
  h.cls('fast');
  const gone = h.pvc('gone', '1Gi', { storageClassName: 'fast' });
  await h.settle();
  const goneDir = h.getPV(`pvc-${gone.metadata.uid}`)?.spec.hostPath?.path ?? '';
  assert.ok(fs.existsSync(goneDir));
  await h.stop();
  h.apiDelete('persistentvolumeclaims', 'default', 'gone');
  const fresh = h.pvc('fresh', '1Gi', { storageClassName: 'fast' });
  h.pv('static', '1Gi');
  await new Promise((r) => setImmediate(r));
  assert.equal(h.getPVC('fresh')?.status?.phase, undefined, 'nothing happens while stopped');
  h.start();
  await h.settle();
  assert.equal(h.getPVC('gone'), undefined);
  assert.equal(h.getPV(`pvc-${gone.metadata.uid}`), undefined);
  assert.equal(fs.existsSync(goneDir), false);
  assert.equal(h.getPVC('fresh')?.status?.phase, 'Bound');
  assert.equal(h.getPV(`pvc-${fresh.metadata.uid}`)?.status?.phase, 'Bound');
  assert.equal(h.getPV('static')?.status?.phase, 'Available');
});

test('a local-path volume whose path is not under the root is never removed: Failed, with the reason', async (t) => {
  const h = setup(t);
  const outside = fs.mkdtempSync(path.join(os.tmpdir(), 'peapod-foreign-'));
  t.after(() => fs.rmSync(outside, { recursive: true, force: true }));
  fs.writeFileSync(path.join(outside, 'precious'), 'x');
  const v = h.pv('foreign', '1Gi', { persistentVolumeReclaimPolicy: 'Delete', storageClassName: 'manual', hostPath: { path: outside } });
  h.store.modify<PersistentVolume>('persistentvolumes', undefined, 'foreign', (p) => ({ ...p, metadata: { ...p.metadata, annotations: { [STORAGE.provisionedBy]: STORAGE.localPathProvisioner } } }));
  h.pvc('data', '1Gi', { storageClassName: 'manual' });
  await h.settle();
  assert.equal(h.getPV('foreign')?.spec.claimRef?.name, 'data');
  h.apiDelete('persistentvolumeclaims', 'default', 'data');
  await h.settle();
  const after = h.getPV('foreign');
  assert.equal(after?.metadata.uid, v.metadata.uid);
  assert.equal(after?.status?.phase, 'Failed');
  assert.match(after?.status?.message ?? '', /is not a volume directory under the local-path root/);
  assert.ok(fs.existsSync(path.join(outside, 'precious')));
});

// ---- pvc-protection: which pods hold a claim ----

const podUsing = (name: string, volumes: Pod['spec']['volumes'], extra: Partial<Pod['spec']> = {}, status: Pod['status'] = { phase: 'Pending' }): Pod => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace: 'default' },
  spec: { containers: [{ name: 'c', image: 'x' }], volumes, ...extra },
  status,
});

test('pvc-protection: a deleting claim used only by an unscheduled pending pod loses its finalizer and goes', async (t) => {
  const h = setup(t);
  h.pvc('data', '1Gi', { storageClassName: '' });
  await h.settle();
  assert.deepEqual(h.getPVC('data')?.metadata.finalizers, [STORAGE.pvcProtection]);
  h.store.create<Pod>('pods', podUsing('waiting', [{ name: 'v', persistentVolumeClaim: { claimName: 'data' } }]));
  h.apiDelete('persistentvolumeclaims', 'default', 'data');
  await h.settle();
  assert.equal(h.getPVC('data'), undefined, 'no scheduled pod uses it: the kubelet will never start the pending one with it');
});

test('pvc-protection: a generic ephemeral volume holds only the claim its pod controls (VolumeIsForPod)', async (t) => {
  const h = setup(t);
  const pod = h.store.create<Pod>('pods', podUsing('app', [{ name: 'scratch', ephemeral: { volumeClaimTemplate: { spec: {} } } }], { nodeName: 'n1' }, { phase: 'Running' }));
  // Someone else's claim that happens to have the name <pod>-<volume>.
  h.pvc('app-scratch', '1Gi', { storageClassName: '' });
  await h.settle();
  h.apiDelete('persistentvolumeclaims', 'default', 'app-scratch');
  await h.settle();
  assert.equal(h.getPVC('app-scratch'), undefined, 'not owned by the pod: not held');
  // The pod's own claim (controller ownerReference with its uid) is held while the pod runs.
  h.store.create<PersistentVolumeClaim>('persistentvolumeclaims', {
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: { name: 'app-scratch', namespace: 'default', ownerReferences: [{ apiVersion: 'v1', kind: 'Pod', name: 'app', uid: pod.metadata.uid ?? '', controller: true }] },
    spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } }, storageClassName: '' },
  });
  await h.settle();
  h.apiDelete('persistentvolumeclaims', 'default', 'app-scratch');
  await h.settle();
  assert.deepEqual(h.getPVC('app-scratch')?.metadata.finalizers, [STORAGE.pvcProtection], 'owned by the running pod: held');
  h.store.delete('pods', 'default', 'app');
  await h.settle();
  assert.equal(h.getPVC('app-scratch'), undefined);
});

test('claimsOfPod: persistentVolumeClaim volumes only, not generic ephemeral ones', () => {
  const pod = podUsing('p', [
    { name: 'a', persistentVolumeClaim: { claimName: 'data' } },
    { name: 'b', ephemeral: { volumeClaimTemplate: { spec: {} } } },
  ]);
  assert.deepEqual(claimsOfPod(pod), ['data']);
});

test('podUsesClaim follows upstream podUsesPVC: scheduled pods only, any phase; ephemeral needs the owner and a pod not shut down', () => {
  const claim: PersistentVolumeClaim = { apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'data', namespace: 'default' }, spec: {} };
  const vol = [{ name: 'v', persistentVolumeClaim: { claimName: 'data' } }];
  assert.equal(podUsesClaim(podUsing('p', vol), claim), false, 'unscheduled');
  assert.equal(podUsesClaim(podUsing('p', vol, { nodeName: 'n1' }, { phase: 'Running' }), claim), true);
  assert.equal(podUsesClaim(podUsing('p', vol, { nodeName: 'n1' }, { phase: 'Failed' }), claim), true, 'a finished pod still holds it');
  const other = { ...podUsing('p', vol, { nodeName: 'n1' }), metadata: { name: 'p', namespace: 'elsewhere' } };
  assert.equal(podUsesClaim(other, claim), false, 'another namespace');
  const eph = { ...podUsing('p', [{ name: 'v', ephemeral: {} }], { nodeName: 'n1' }, { phase: 'Running' }), metadata: { name: 'p', namespace: 'default', uid: 'u1' } };
  const ephClaim: PersistentVolumeClaim = { ...claim, metadata: { name: 'p-v', namespace: 'default', ownerReferences: [{ apiVersion: 'v1', kind: 'Pod', name: 'p', uid: 'u1', controller: true }] } };
  assert.equal(podUsesClaim(eph, ephClaim), true);
  assert.equal(podUsesClaim({ ...eph, metadata: { ...eph.metadata, deletionTimestamp: '2026-01-01T00:00:00Z', deletionGracePeriodSeconds: 0 } }, ephClaim), false, 'shut down');
  assert.equal(podUsesClaim(eph, { ...ephClaim, metadata: { name: 'p-v', namespace: 'default' } }), false, 'not owned');
});

// ---- a claim's class ----

test('the beta storage-class annotation is the class: provisioned from it, and never given the default class', async (t) => {
  const h = setup(t);
  h.cls('fast');
  h.cls('dflt', { metadata: { name: 'dflt', annotations: { [STORAGE.defaultClass]: 'true' } } });
  const beta = h.store.create<PersistentVolumeClaim>('persistentvolumeclaims', {
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: { name: 'beta', namespace: 'default', annotations: { 'volume.beta.kubernetes.io/storage-class': 'fast' } },
    spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } },
  });
  h.store.create<PersistentVolumeClaim>('persistentvolumeclaims', {
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: { name: 'beta-none', namespace: 'default', annotations: { 'volume.beta.kubernetes.io/storage-class': '' } },
    spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } },
  });
  h.pvc('empty', '1Gi', { storageClassName: '' });
  await h.settle();
  assert.equal(h.getPVC('beta')?.spec.storageClassName, undefined, 'the annotation is a choice: no default written');
  assert.equal(h.getPVC('beta')?.status?.phase, 'Bound');
  assert.equal(h.getPV(`pvc-${beta.metadata.uid}`)?.spec.storageClassName, 'fast');
  assert.equal(h.getPVC('beta-none')?.spec.storageClassName, undefined);
  assert.equal(h.getPVC('beta-none')?.status?.phase, 'Pending');
  assert.equal(h.getPVC('empty')?.spec.storageClassName, '', '"" asks for no class');
  assert.equal(h.getPVC('empty')?.status?.phase, 'Pending');
});

test('the retroactive default honours the beta is-default-class annotation; a classless volume that fits is bound first', async (t) => {
  const h = setup(t);
  h.pv('plain', '1Gi');
  h.pvc('fits', '1Gi');
  await h.settle();
  assert.equal(h.getPVC('fits')?.spec.volumeName, 'plain', 'bound to the classless volume (no class assigned first)');
  h.pvc('late', '1Gi');
  await h.settle();
  assert.equal(h.getPVC('late')?.status?.phase, 'Pending');
  h.cls('old-style', { metadata: { name: 'old-style', annotations: { 'storageclass.beta.kubernetes.io/is-default-class': 'true' } } });
  await h.settle();
  assert.equal(h.getPVC('late')?.spec.storageClassName, 'old-style');
  assert.equal(h.getPVC('late')?.status?.phase, 'Bound');
  assert.equal(h.getPVC('fits')?.spec.storageClassName, undefined);
});

// ---- what the local-path provisioner refuses ----

test('a class with mountOptions: ProvisioningFailed saying hostPath volumes take none; no PV', async (t) => {
  const h = setup(t);
  h.cls('opts', { mountOptions: ['noatime'] });
  h.pvc('data', '1Gi', { storageClassName: 'opts' });
  await h.settle();
  assert.equal(h.getPVC('data')?.status?.phase, 'Pending');
  assert.ok(
    messages(h.events).includes(
      'ProvisioningFailed: failed to provision volume with StorageClass "opts": storage class "opts" has mountOptions, which the rancher.io/local-path provisioner cannot honour: it makes hostPath volumes, which take no mount options',
    ),
    messages(h.events).join('\n'),
  );
  assert.equal(h.store.list('persistentvolumes').items.length, 0);
});

test('allowedTopologies: provisioned when the node satisfies a term, refused with a clear message when not', async (t) => {
  const h = setup(t);
  h.cls('here', { allowedTopologies: [{ matchLabelExpressions: [{ key: 'zone', values: ['z9'] }] }, { matchLabelExpressions: [{ key: 'kubernetes.io/hostname', values: ['n1'] }] }] });
  h.cls('there', { allowedTopologies: [{ matchLabelExpressions: [{ key: 'kubernetes.io/hostname', values: ['n2'] }] }] });
  h.pvc('ok', '1Gi', { storageClassName: 'here' });
  h.pvc('no', '1Gi', { storageClassName: 'there' });
  await h.settle();
  assert.equal(h.getPVC('ok')?.status?.phase, 'Bound');
  assert.equal(h.getPVC('no')?.status?.phase, 'Pending');
  assert.ok(
    messages(h.events).includes('ProvisioningFailed: failed to provision volume with StorageClass "there": node "n1" does not satisfy the allowedTopologies of storage class "there": its labels match none of the terms'),
    messages(h.events).join('\n'),
  );
});

test('a claim whose directory name would exceed 255 bytes: ProvisioningFailed saying so, not an errno', async (t) => {
  const h = setup(t);
  h.cls('fast');
  const name = 'x'.repeat(240);
  h.pvc(name, '1Gi', { storageClassName: 'fast' });
  await h.settle();
  const failed = h.events.events.filter((e) => e.reason === 'ProvisioningFailed').map((e) => e.message);
  assert.deepEqual(failed, [
    `failed to provision volume with StorageClass "fast": the directory name for this claim (pvc-<uid>_<namespace>_<name>) would be ${4 + 36 + 1 + 7 + 1 + 240} bytes, longer than the 255 a file name may have: use a shorter namespace or claim name`,
  ]);
  assert.equal(h.store.list('persistentvolumes').items.length, 0);
});

// ---- stop ----

test('stop() resolves once the item running has finished, and starts nothing after', async (t) => {
  const h = setup(t);
  h.cls('fast');
  await h.settle();
  const a = h.pvc('a', '1Gi', { storageClassName: 'fast' });
  const b = h.pvc('b', '1Gi', { storageClassName: 'fast' });
  await new Promise((r) => setImmediate(r)); // the worker has taken "a" and is making its directory
  assert.equal(h.getPV(`pvc-${a.metadata.uid}`), undefined, 'still in flight');
  await h.stop();
  assert.equal(h.getPVC('a')?.status?.phase, 'Bound', 'the running item finished before stop() resolved');
  assert.ok(h.getPV(`pvc-${a.metadata.uid}`));
  await new Promise((r) => setTimeout(r, 20));
  assert.equal(h.getPV(`pvc-${b.metadata.uid}`), undefined, 'nothing started after stop');
  assert.equal(h.getPVC('b')?.status?.phase, undefined);
});

// ---- with the scheduler, against the same store ----

function withScheduler(t: { after: (fn: () => void | Promise<void>) => void }, h: ReturnType<typeof setup>) {
  const events = new RecordingEvents();
  const scheduler = new Scheduler({ store: h.store, nodeName: 'n1', clock: h.clock, events, logger: silentLogger() });
  scheduler.start();
  t.after(() => scheduler.stop());
  const pod = (name: string, claim: string) => h.store.create<Pod>('pods', podUsing(name, [{ name: 'v', persistentVolumeClaim: { claimName: claim } }]));
  const getPod = (name: string) => h.store.get<Pod>('pods', 'default', name);
  const scheduled = (name: string) => getPod(name).status?.conditions?.find((c) => c.type === 'PodScheduled');
  return { events, pod, getPod, scheduled };
}

const PREBIND = (claim: string) => `running PreBind plugin "VolumeBinding": binding volumes: provisioning failed for PVC "${claim}"`;

test('a permanent provisioning failure gives the claim back to the scheduler: FailedScheduling, back-off, no event storm; fixed, the pod runs', async (t) => {
  const h = setup(t);
  const s = withScheduler(t, h);
  h.cls('opts', { volumeBindingMode: 'WaitForFirstConsumer', mountOptions: ['noatime'] });
  const claim = h.pvc('data', '1Gi', { storageClassName: 'opts' });
  let selections = 0; // times the claim was written with selected-node newly set
  let had = false;
  const w = h.store.watch<PersistentVolumeClaim>('persistentvolumeclaims', { resourceVersion: h.store.currentResourceVersion() }, (ev) => {
    const has = ev.object.metadata.annotations?.[STORAGE.selectedNode] !== undefined;
    if (has && !had) selections++;
    had = has;
  });
  t.after(() => w.stop());
  s.pod('app', 'data');
  await h.settle();
  assert.equal(selections, 1);
  // The scheduler gave the claim the node, the provisioner refused the class and removed the annotation.
  assert.equal(h.getPVC('data')?.metadata.annotations?.[STORAGE.selectedNode], undefined, 'selected-node removed');
  const provisioningFailed = () => h.events.events.filter((e) => e.reason === 'ProvisioningFailed');
  assert.equal(provisioningFailed().length, 1);
  assert.match(provisioningFailed()[0]?.message ?? '', /hostPath volumes, which take no mount options/);
  assert.equal(s.getPod('app').spec.nodeName, undefined);
  assert.equal(s.scheduled('app')?.reason, 'SchedulerError');
  assert.equal(s.scheduled('app')?.message, PREBIND('data'));
  assert.deepEqual(
    s.events.events.map((e) => `${e.reason}: ${e.message}`),
    [`FailedScheduling: ${PREBIND('data')}`],
  );
  // During the back-off nothing happens; after it the claim is given the node again and fails again,
  // without a second ProvisioningFailed or FailedScheduling event.
  await h.settle();
  assert.equal(h.getPVC('data')?.metadata.annotations?.[STORAGE.selectedNode], undefined, 'not re-annotated during the back-off');
  for (const ms of [1_000, 2_000, 4_000]) {
    h.clock.advance(ms);
    await h.settle();
    assert.equal(h.getPVC('data')?.metadata.annotations?.[STORAGE.selectedNode], undefined);
  }
  assert.equal(selections, 4, 'given the node again after each back-off (1 s, 2 s, 4 s), refused each time');
  assert.equal(provisioningFailed().length, 1, 'recorded once per message');
  assert.equal(s.events.events.length, 1, 'one FailedScheduling');
  // The class fixed: after the back-off (8 s now) the claim is provisioned and the pod bound.
  h.store.modify<StorageClass>('storageclasses', undefined, 'opts', (c) => {
    const fixed = { ...c };
    delete fixed.mountOptions;
    return fixed;
  });
  h.clock.advance(8_000);
  await h.settle();
  assert.equal(h.getPVC('data')?.status?.phase, 'Bound');
  assert.ok(h.getPV(`pvc-${claim.metadata.uid}`));
  assert.equal(s.getPod('app').spec.nodeName, 'n1');
  assert.deepEqual(s.events.reasons(), ['FailedScheduling', 'Scheduled']);
});

test('a claim name too long for its directory: ProvisioningFailed with the reason, FailedScheduling on the pod', async (t) => {
  const h = setup(t);
  const s = withScheduler(t, h);
  h.cls('wait', { volumeBindingMode: 'WaitForFirstConsumer' });
  const name = 'y'.repeat(250);
  h.pvc(name, '1Gi', { storageClassName: 'wait' });
  s.pod('app', name);
  await h.settle();
  const failed = h.events.events.filter((e) => e.reason === 'ProvisioningFailed').map((e) => e.message);
  assert.equal(failed.length, 1);
  assert.match(failed[0] ?? '', /the directory name for this claim \(pvc-<uid>_<namespace>_<name>\) would be 299 bytes, longer than the 255 a file name may have/);
  assert.doesNotMatch(failed[0] ?? '', /ENAMETOOLONG/);
  assert.equal(h.getPVC(name)?.metadata.annotations?.[STORAGE.selectedNode], undefined);
  assert.deepEqual(s.events.events.map((e) => `${e.reason}: ${e.message}`), [`FailedScheduling: ${PREBIND(name)}`]);
});

test('scheduler and binder read the class the same way: a claim naming its class by the beta annotation is provisioned and its pod bound', async (t) => {
  const h = setup(t);
  const s = withScheduler(t, h);
  h.cls('wait', { volumeBindingMode: 'WaitForFirstConsumer' });
  const claim = h.store.create<PersistentVolumeClaim>('persistentvolumeclaims', {
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: { name: 'data', namespace: 'default', annotations: { 'volume.beta.kubernetes.io/storage-class': 'wait' } },
    spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } },
  });
  s.pod('app', 'data');
  await h.settle();
  assert.equal(h.getPVC('data')?.status?.phase, 'Bound');
  assert.equal(h.getPV(`pvc-${claim.metadata.uid}`)?.spec.storageClassName, 'wait');
  assert.equal(s.getPod('app').spec.nodeName, 'n1');
  assert.deepEqual(s.events.reasons(), ['Scheduled']);
});
