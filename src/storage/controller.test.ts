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
import { StorageController, ensureDefaultStorageClass } from './controller.js';

function setup(t: { after: (fn: () => void) => void }) {
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
  t.after(() => {
    for (const c of controllers) c.stop();
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
  const restart = () => {
    ctl.stop();
    ctl = start();
  };
  const stop = () => ctl.stop();
  return { clock, store, events, localPathRoot, settle, cls, pv, pvc, getPV, getPVC, apiDelete, restart, stop, start: () => (ctl = start()) };
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

test('Delete: the claim is kept while a running pod uses it, then its directory and PV go', async (t) => {
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
    spec: { containers: [{ name: 'c', image: 'x' }], volumes: [{ name: 'v', persistentVolumeClaim: { claimName: 'data' } }] },
    status: { phase: 'Running' },
  });
  h.apiDelete('persistentvolumeclaims', 'default', 'data');
  await h.settle();
  assert.deepEqual(h.getPVC('data')?.metadata.finalizers, [STORAGE.pvcProtection], 'kept while the pod runs');
  assert.equal(h.getPV(pvName)?.status?.phase, 'Bound');
  h.store.modify<Pod>('pods', 'default', 'user', (p) => ({ ...p, status: { phase: 'Succeeded' } }));
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
  h.stop();
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
