import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RESOURCES } from '../k8s/registry.js';
import type { Node, Pod } from '../k8s/types.js';
import { STORAGE, type PersistentVolume, type PersistentVolumeClaim, type StorageClass } from '../k8s/storage-types.js';
import { RecordingEvents } from '../pods/manager-harness.js';
import { SqliteStore } from '../store/sqlite-store.js';
import { FakeClock } from '../system/clock.js';
import { silentLogger } from '../system/logger.js';
import { admitPod } from '../api/resources/pod-admission.js';
import { placementOf } from './predicates.js';
import { Scheduler } from './scheduler.js';
import { RWOP_CONFLICT, UNBOUND_IMMEDIATE, VOLUME_NODE_CONFLICT, volumePlacement } from './volume-binding.js';

const NOT_HELPFUL = 'preemption: 0/1 nodes are available: 1 Preemption is not helpful for scheduling.';

function setup() {
  const clock = new FakeClock(Date.parse('2026-01-01T00:00:00Z'));
  const store = new SqliteStore({ path: ':memory:', resources: RESOURCES, clock });
  store.create<Node>('nodes', { apiVersion: 'v1', kind: 'Node', metadata: { name: 'n1', labels: { 'kubernetes.io/hostname': 'n1' } }, spec: {} });
  const sc = (name: string, mode: 'Immediate' | 'WaitForFirstConsumer') =>
    store.create<StorageClass>('storageclasses', { apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass', metadata: { name }, provisioner: STORAGE.localPathProvisioner, volumeBindingMode: mode });
  sc('local-path', 'WaitForFirstConsumer');
  sc('fast', 'Immediate');
  const events = new RecordingEvents();
  const scheduler = new Scheduler({ store, nodeName: 'n1', clock, events, logger: silentLogger() });
  const claim = (name: string, spec: PersistentVolumeClaim['spec'] = {}) =>
    store.create<PersistentVolumeClaim>('persistentvolumeclaims', { apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name, namespace: 'default' }, spec: { accessModes: ['ReadWriteOnce'], ...spec }, status: { phase: 'Pending' } });
  /** What the binder does: a PV bound to the claim, the claim Bound with bind-completed. */
  const bind = (name: string, nodeAffinity?: PersistentVolume['spec']['nodeAffinity']) => {
    const c = store.get<PersistentVolumeClaim>('persistentvolumeclaims', 'default', name);
    const pv = `pv-${name}`;
    store.create<PersistentVolume>('persistentvolumes', {
      apiVersion: 'v1', kind: 'PersistentVolume', metadata: { name: pv },
      spec: { hostPath: { path: `/tmp/${pv}` }, claimRef: { kind: 'PersistentVolumeClaim', namespace: 'default', name, uid: c.metadata.uid }, ...(nodeAffinity ? { nodeAffinity } : {}) },
      status: { phase: 'Bound' },
    });
    store.modify<PersistentVolumeClaim>('persistentvolumeclaims', 'default', name, (cur) => ({
      ...cur, metadata: { ...cur.metadata, annotations: { ...cur.metadata.annotations, [STORAGE.bindCompleted]: 'yes' } }, spec: { ...cur.spec, volumeName: pv }, status: { phase: 'Bound' },
    }));
  };
  /** A pod created as the API creates it once wired: admitPod with volumePlacement's verdict. */
  const create = (name: string, claims: string[], extra: Record<string, unknown> = {}) => {
    const pod: Pod = {
      apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'default' },
      spec: { containers: [{ name: 'c', image: 'x' }], volumes: claims.map((c, i) => ({ name: `v${i}`, persistentVolumeClaim: { claimName: c } })), ...extra },
    };
    const verdict = volumePlacement(store, pod, 'n1');
    const node = store.tryGet<Node>('nodes', undefined, 'n1')!;
    const placement = placementOf(pod, node, verdict);
    admitPod(pod, 'n1', clock.now(), node);
    // admitPod as it is today knows no verdict: apply it here as the wired admitPod will.
    if (!placement.fits) {
      delete pod.spec.nodeName;
      pod.status!.conditions = placement.reason === 'WaitingForVolumes' ? [] : [{ type: 'PodScheduled', status: 'False', lastProbeTime: null, reason: placement.reason, message: placement.message }];
    }
    return store.create('pods', pod);
  };
  const get = (name: string) => store.get<Pod>('pods', 'default', name);
  const cond = (name: string) => get(name).status?.conditions?.find((c) => c.type === 'PodScheduled');
  const getClaim = (name: string) => store.get<PersistentVolumeClaim>('persistentvolumeclaims', 'default', name);
  return { clock, store, events, scheduler, claim, bind, create, get, cond, getClaim };
}

test('PVC: the verdicts and their messages, PreFilter before node filters', () => {
  const h = setup();
  const pod = (claims: string[], spec: Record<string, unknown> = {}): Pod => ({
    apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'default', uid: 'u1' },
    spec: { containers: [{ name: 'c', image: 'x' }], volumes: claims.map((c) => ({ name: c, persistentVolumeClaim: { claimName: c } })), ...spec },
  });
  const node = h.store.get<Node>('nodes', undefined, 'n1');
  const message = (p: Pod) => {
    const r = placementOf(p, node, volumePlacement(h.store, p, 'n1'));
    return r.fits ? 'fits' : r.reason === 'WaitingForVolumes' ? `waiting ${r.select.join(',')}|${r.provisioning.join(',')}` : r.message;
  };
  assert.equal(volumePlacement(h.store, pod([]), 'n1'), undefined, 'no claims: nothing to look at');
  assert.equal(message(pod(['data'])), `0/1 nodes are available: persistentvolumeclaim "data" not found. ${NOT_HELPFUL}`);
  assert.equal(message(pod(['data'], { nodeSelector: { x: 'y' } })), `0/1 nodes are available: persistentvolumeclaim "data" not found. ${NOT_HELPFUL}`, 'PreFilter comes before the node filters');
  h.claim('imm', { storageClassName: 'fast' });
  assert.equal(message(pod(['imm'])), `0/1 nodes are available: ${UNBOUND_IMMEDIATE}. ${NOT_HELPFUL}`);
  h.claim('noclass', { storageClassName: '' });
  assert.equal(message(pod(['noclass'])), `0/1 nodes are available: ${UNBOUND_IMMEDIATE}. ${NOT_HELPFUL}`, 'no class: Immediate');
  h.claim('wffc', { storageClassName: 'local-path' });
  assert.equal(message(pod(['wffc'])), 'waiting wffc|');
  assert.match(message(pod(['wffc'], { nodeSelector: { x: 'y' } })), /1 node\(s\) didn't match Pod's node affinity\/selector/, 'node filters before waiting');
  h.store.modify<PersistentVolumeClaim>('persistentvolumeclaims', 'default', 'wffc', (c) => ({ ...c, metadata: { ...c.metadata, annotations: { [STORAGE.selectedNode]: 'n1' } } }));
  assert.equal(message(pod(['wffc'])), 'waiting |wffc');
  h.store.modify<PersistentVolumeClaim>('persistentvolumeclaims', 'default', 'wffc', (c) => ({ ...c, metadata: { ...c.metadata, annotations: { [STORAGE.selectedNode]: 'other' } } }));
  assert.equal(message(pod(['wffc'])), `0/1 nodes are available: 1 node(s) didn't find available persistent volumes to bind. ${NOT_HELPFUL}`);
  h.claim('far');
  h.bind('far', { required: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'kubernetes.io/hostname', operator: 'In', values: ['n2'] }] }] } });
  assert.equal(message(pod(['far'])), `0/1 nodes are available: 1 ${VOLUME_NODE_CONFLICT}. ${NOT_HELPFUL}`);
  h.claim('near');
  h.bind('near', { required: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'kubernetes.io/hostname', operator: 'In', values: ['n1'] }] }] } });
  assert.equal(message(pod(['near'])), 'fits');
  h.store.delete('persistentvolumes', undefined, 'pv-near');
  assert.equal(message(pod(['near'])), `0/1 nodes are available: 1 node(s) unavailable due to one or more pvc(s) bound to non-existent pv(s). ${NOT_HELPFUL}`);
  h.store.modify<PersistentVolumeClaim>('persistentvolumeclaims', 'default', 'near', (c) => ({ ...c, status: { phase: 'Lost' } }));
  assert.equal(message(pod(['near'])), `0/1 nodes are available: persistentvolumeclaim "near" bound to non-existent persistentvolume "pv-near". ${NOT_HELPFUL}`);
  h.claim('gone');
  h.bind('gone');
  h.store.modify<PersistentVolumeClaim>('persistentvolumeclaims', 'default', 'gone', (c) => ({ ...c, metadata: { ...c.metadata, finalizers: [STORAGE.pvcProtection], deletionTimestamp: '2026-01-01T00:00:00Z' } }));
  assert.equal(message(pod(['gone'])), `0/1 nodes are available: persistentvolumeclaim "gone" is being deleted. ${NOT_HELPFUL}`);
});

test('PVC: a ReadWriteOncePod claim another scheduled pod uses; free again once that pod is gone', () => {
  const h = setup();
  h.scheduler.start();
  h.claim('solo', { accessModes: ['ReadWriteOncePod'] });
  h.bind('solo');
  h.create('first', ['solo']);
  assert.equal(h.get('first').spec.nodeName, 'n1');
  h.create('second', ['solo']);
  assert.equal(h.get('second').spec.nodeName, undefined);
  assert.equal(h.cond('second')?.message, `0/1 nodes are available: 1 ${RWOP_CONFLICT}. preemption: 0/1 nodes are available: 1 No preemption victims found for incoming pod.`);
  h.store.delete('pods', 'default', 'first');
  assert.equal(h.get('second').spec.nodeName, 'n1', 'retried when the user went');
  h.scheduler.stop();
});

test('PVC: an unbound pod is retried when its claim appears and is bound (Immediate)', () => {
  const h = setup();
  h.scheduler.start();
  h.create('web', ['data']);
  assert.equal(h.cond('web')?.message, `0/1 nodes are available: persistentvolumeclaim "data" not found. ${NOT_HELPFUL}`);
  h.claim('data', { storageClassName: 'fast' });
  assert.equal(h.cond('web')?.message, `0/1 nodes are available: ${UNBOUND_IMMEDIATE}. ${NOT_HELPFUL}`);
  h.bind('data');
  assert.equal(h.get('web').spec.nodeName, 'n1');
  assert.equal(h.cond('web')?.status, 'True');
  // (the first FailedScheduling is the API's, at create: not recorded here)
  assert.deepEqual(h.events.reasons(), ['FailedScheduling', 'Scheduled']);
  h.scheduler.stop();
});

test('PVC: WaitForFirstConsumer: the claim gets selected-node, the pod waits (no condition, no event), then binds', () => {
  const h = setup();
  h.scheduler.start();
  h.claim('data', { storageClassName: 'local-path' });
  h.create('db', ['data']);
  assert.equal(h.get('db').spec.nodeName, undefined);
  assert.deepEqual(h.get('db').status?.conditions ?? [], []);
  assert.equal(h.getClaim('data').metadata.annotations?.[STORAGE.selectedNode], 'n1');
  assert.deepEqual(h.events.reasons(), []);
  h.bind('data');
  assert.equal(h.get('db').spec.nodeName, 'n1');
  assert.deepEqual(h.events.reasons(), ['Scheduled']);
  h.scheduler.stop();
});

test('PVC: WaitForFirstConsumer provisioning that fails (annotation removed): SchedulerError, then the node again after a back-off', () => {
  const h = setup();
  h.scheduler.start();
  h.claim('data', { storageClassName: 'local-path' });
  h.create('db', ['data']);
  const unselect = () =>
    h.store.modify<PersistentVolumeClaim>('persistentvolumeclaims', 'default', 'data', (c) => {
      const annotations = { ...c.metadata.annotations };
      delete annotations[STORAGE.selectedNode];
      return { ...c, metadata: { ...c.metadata, annotations } };
    });
  unselect();
  assert.equal(h.getClaim('data').metadata.annotations?.[STORAGE.selectedNode], undefined, 'not given again at once');
  assert.equal(h.cond('db')?.reason, 'SchedulerError');
  assert.equal(h.cond('db')?.message, 'running PreBind plugin "VolumeBinding": binding volumes: provisioning failed for PVC "data"');
  assert.deepEqual(h.events.reasons(), ['FailedScheduling']);
  h.clock.advance(1_000);
  assert.equal(h.getClaim('data').metadata.annotations?.[STORAGE.selectedNode], 'n1', 'given again after 1 s');
  unselect();
  h.clock.advance(1_000);
  assert.equal(h.getClaim('data').metadata.annotations?.[STORAGE.selectedNode], undefined, 'the back-off doubled');
  h.clock.advance(1_000);
  assert.equal(h.getClaim('data').metadata.annotations?.[STORAGE.selectedNode], 'n1');
  h.bind('data');
  assert.equal(h.get('db').spec.nodeName, 'n1');
  h.scheduler.stop();
});

test('PVC: WaitForFirstConsumer with a class whose allowedTopologies this node does not satisfy: no volume to bind, the claim is not given the node', () => {
  const h = setup();
  const mk = (name: string, values: string[]) =>
    h.store.create<StorageClass>('storageclasses', {
      apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass', metadata: { name }, provisioner: STORAGE.localPathProvisioner, volumeBindingMode: 'WaitForFirstConsumer',
      allowedTopologies: [{ matchLabelExpressions: [{ key: 'kubernetes.io/hostname', values }] }],
    });
  mk('elsewhere', ['n2']);
  mk('here', ['n2', 'n1']);
  h.scheduler.start();
  h.claim('far', { storageClassName: 'elsewhere' });
  h.claim('near', { storageClassName: 'here' });
  h.create('a', ['far']);
  h.create('b', ['near']);
  assert.equal(h.get('a').spec.nodeName, undefined);
  assert.equal(h.cond('a')?.message, `0/1 nodes are available: 1 node(s) didn't find available persistent volumes to bind. ${NOT_HELPFUL}`);
  assert.equal(h.getClaim('far').metadata.annotations?.[STORAGE.selectedNode], undefined);
  assert.equal(h.getClaim('near').metadata.annotations?.[STORAGE.selectedNode], 'n1');
  h.scheduler.stop();
});

test('PVC: the class is read as the binder reads it (the beta annotation first)', () => {
  const h = setup();
  const pod: Pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'default', uid: 'u1' }, spec: { containers: [{ name: 'c', image: 'x' }], volumes: [{ name: 'v', persistentVolumeClaim: { claimName: 'data' } }] } };
  h.store.create<PersistentVolumeClaim>('persistentvolumeclaims', {
    apiVersion: 'v1', kind: 'PersistentVolumeClaim',
    metadata: { name: 'data', namespace: 'default', annotations: { 'volume.beta.kubernetes.io/storage-class': 'local-path' } },
    spec: { accessModes: ['ReadWriteOnce'], storageClassName: 'fast' }, status: { phase: 'Pending' },
  });
  assert.deepEqual(volumePlacement(h.store, pod, 'n1')?.toSelect, ['data'], 'local-path (WaitForFirstConsumer) wins over spec.storageClassName fast (Immediate)');
});
