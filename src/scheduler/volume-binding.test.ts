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
import { RWOP_CONFLICT, UNBOUND_IMMEDIATE, VOLUME_BIND_CONFLICT, VOLUME_NODE_CONFLICT, volumePlacement } from './volume-binding.js';

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
  /** What the local-path provisioner does when it gives up: the claim's selected-node annotation goes. */
  const unselect = (name: string) =>
    store.modify<PersistentVolumeClaim>('persistentvolumeclaims', 'default', name, (c) => {
      const annotations = { ...c.metadata.annotations };
      delete annotations[STORAGE.selectedNode];
      return { ...c, metadata: { ...c.metadata, annotations } };
    });
  /** An Available static PV (an administrator's local volume). */
  const pv = (name: string, spec: Partial<PersistentVolume['spec']>) =>
    store.create<PersistentVolume>('persistentvolumes', {
      apiVersion: 'v1', kind: 'PersistentVolume', metadata: { name },
      spec: { capacity: { storage: '5Gi' }, accessModes: ['ReadWriteOnce'], local: { path: `/mnt/${name}` }, ...spec },
      status: { phase: 'Available' },
    });
  /** The scheduler's bookkeeping of claims it gave the node (white box). */
  const selections = () => (scheduler as unknown as { selections: Map<string, unknown> }).selections;
  return { clock, store, events, scheduler, claim, bind, create, get, cond, getClaim, unselect, pv, selections };
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
  const unselect = () => h.unselect('data');
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

const BIND_CONFLICT_MESSAGE = `0/1 nodes are available: 1 ${VOLUME_BIND_CONFLICT}. ${NOT_HELPFUL}`;
const hostAffinity = (node: string) => ({ required: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'kubernetes.io/hostname', operator: 'In', values: [node] }] }] } });
const staticClass = (h: ReturnType<typeof setup>) =>
  h.store.create<StorageClass>('storageclasses', {
    apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass', metadata: { name: 'static' }, provisioner: 'kubernetes.io/no-provisioner', volumeBindingMode: 'WaitForFirstConsumer',
  });

test('PVC: WaitForFirstConsumer with kubernetes.io/no-provisioner and no PV for this node: no volume to bind (FailedScheduling), retried when a PV appears', () => {
  const h = setup();
  staticClass(h);
  h.scheduler.start();
  h.claim('data', { storageClassName: 'static', resources: { requests: { storage: '1Gi' } } });
  h.create('db', ['data'], { schedulingGates: [{ name: 'hold' }] });
  h.store.modify<Pod>('pods', 'default', 'db', (p) => ({ ...p, spec: { ...p.spec, schedulingGates: [] } }));
  assert.equal(h.get('db').spec.nodeName, undefined);
  assert.equal(h.cond('db')?.status, 'False');
  assert.equal(h.cond('db')?.reason, 'Unschedulable');
  assert.equal(h.cond('db')?.message, "0/1 nodes are available: 1 node(s) didn't find available persistent volumes to bind. preemption: 0/1 nodes are available: 1 Preemption is not helpful for scheduling.");
  assert.deepEqual(h.events.events.map((e) => `${e.reason}: ${e.message}`), [`FailedScheduling: ${BIND_CONFLICT_MESSAGE}`]);
  assert.equal(h.getClaim('data').metadata.annotations?.[STORAGE.selectedNode], undefined, 'not given the node: nothing would provision it');

  // PVs that do not fit (another node's; too small; another class) change nothing.
  h.pv('elsewhere', { storageClassName: 'static', nodeAffinity: hostAffinity('n2') });
  h.pv('small', { storageClassName: 'static', capacity: { storage: '512Mi' }, nodeAffinity: hostAffinity('n1') });
  h.pv('other', { storageClassName: 'local-path', nodeAffinity: hostAffinity('n1') });
  assert.equal(h.getClaim('data').metadata.annotations?.[STORAGE.selectedNode], undefined);
  assert.equal(h.events.events.length, 1, 'the same reason: no new event');

  // One that fits: the pod is retried, the claim given the node (the PV controller binds it), then the pod binds.
  h.pv('here', { storageClassName: 'static', nodeAffinity: hostAffinity('n1') });
  assert.equal(h.getClaim('data').metadata.annotations?.[STORAGE.selectedNode], 'n1');
  h.bind('data');
  assert.equal(h.get('db').spec.nodeName, 'n1');
  assert.deepEqual(h.events.reasons(), ['FailedScheduling', 'Scheduled']);
  h.scheduler.stop();
});

test('PVC: static PVs for WaitForFirstConsumer claims: one PV per claim; a claim given the node whose PV went finds none', () => {
  const h = setup();
  staticClass(h);
  const pod = (claims: string[]): Pod => ({
    apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'default', uid: 'u1' },
    spec: { containers: [{ name: 'c', image: 'x' }], volumes: claims.map((c) => ({ name: c, persistentVolumeClaim: { claimName: c } })) },
  });
  h.claim('a', { storageClassName: 'static' });
  h.claim('b', { storageClassName: 'static' });
  assert.deepEqual(volumePlacement(h.store, pod(['a', 'b']), 'n1')?.binding, [VOLUME_BIND_CONFLICT]);
  h.pv('one', { storageClassName: 'static', nodeAffinity: hostAffinity('n1') });
  assert.deepEqual(volumePlacement(h.store, pod(['a', 'b']), 'n1'), { conflicts: ['b'], toSelect: ['a'], binding: [VOLUME_BIND_CONFLICT] }, 'one PV serves one claim');
  h.pv('two', { storageClassName: 'static' });
  assert.deepEqual(volumePlacement(h.store, pod(['a', 'b']), 'n1'), { toSelect: ['a', 'b'] });
  // A provisioning class: no PV is needed (provisioned on this node).
  h.claim('c', { storageClassName: 'local-path' });
  assert.deepEqual(volumePlacement(h.store, pod(['c']), 'n1'), { toSelect: ['c'] });
  // Given the node, its PV gone before the binder bound it: nothing will bind it here.
  h.store.modify<PersistentVolumeClaim>('persistentvolumeclaims', 'default', 'a', (c) => ({ ...c, metadata: { ...c.metadata, annotations: { [STORAGE.selectedNode]: 'n1' } } }));
  assert.deepEqual(volumePlacement(h.store, pod(['a']), 'n1'), { provisioning: ['a'] });
  h.store.delete('persistentvolumes', undefined, 'one');
  h.store.delete('persistentvolumes', undefined, 'two');
  assert.deepEqual(volumePlacement(h.store, pod(['a']), 'n1'), { conflicts: ['a'], binding: [VOLUME_BIND_CONFLICT] });
});

test('PVC: two claims in provisioning back-off: one FailedScheduling, its message stable over the back-off cycles', () => {
  const h = setup();
  h.scheduler.start();
  h.claim('b-data', { storageClassName: 'local-path' });
  h.claim('a-logs', { storageClassName: 'local-path' });
  h.create('db', ['b-data', 'a-logs']);
  assert.equal(h.getClaim('a-logs').metadata.annotations?.[STORAGE.selectedNode], 'n1');
  assert.equal(h.getClaim('b-data').metadata.annotations?.[STORAGE.selectedNode], 'n1');
  // The provisioner gives up on each claim whenever it has the node, the two out of step.
  let writes = 0;
  const w = h.store.watch<Pod>('pods', { resourceVersion: h.store.currentResourceVersion() }, () => writes++);
  h.unselect('b-data');
  for (let i = 0; i < 40; i++) {
    h.clock.advance(300);
    for (const c of i % 2 ? ['a-logs', 'b-data'] : ['b-data', 'a-logs']) if (h.getClaim(c).metadata.annotations?.[STORAGE.selectedNode] !== undefined) h.unselect(c);
  }
  w.stop();
  assert.deepEqual(h.events.events.map((e) => `${e.reason}: ${e.message}`), ['FailedScheduling: running PreBind plugin "VolumeBinding": binding volumes: provisioning failed for PVC "b-data"']);
  assert.equal(writes, 1, 'one status write');
  assert.equal(h.cond('db')?.reason, 'SchedulerError');
  // The claim it names is bound: the other one, still failing, is named.
  h.clock.advance(10_000);
  h.bind('b-data');
  h.unselect('a-logs');
  assert.equal(h.cond('db')?.message, 'running PreBind plugin "VolumeBinding": binding volumes: provisioning failed for PVC "a-logs"');
  h.scheduler.stop();
});

test('PVC: the scheduler forgets a claim when the last unbound pod using it is deleted, and when the claim is deleted', () => {
  const h = setup();
  h.scheduler.start();
  h.claim('data', { storageClassName: 'local-path' });
  h.create('db', ['data']);
  h.create('db2', ['data']);
  h.unselect('data');
  assert.equal(h.cond('db')?.reason, 'SchedulerError');
  assert.equal(h.getClaim('data').metadata.annotations?.[STORAGE.selectedNode], undefined, 'in back-off');
  h.store.delete('pods', 'default', 'db');
  assert.equal(h.selections().size, 1, 'another unbound pod uses it');
  h.store.delete('pods', 'default', 'db2');
  assert.equal(h.selections().size, 0);
  // A new pod: the claim is given the node at once, no failure carried over from the pods before it.
  h.create('web', ['data']);
  assert.equal(h.getClaim('data').metadata.annotations?.[STORAGE.selectedNode], 'n1');
  assert.deepEqual(h.get('web').status?.conditions ?? [], []);
  assert.deepEqual(h.events.reasons(), ['FailedScheduling', 'FailedScheduling']);
  // The provisioner gives up after the pod went: nothing counts that against the next pod either.
  h.store.delete('pods', 'default', 'web');
  h.unselect('data');
  h.create('web2', ['data']);
  assert.equal(h.getClaim('data').metadata.annotations?.[STORAGE.selectedNode], 'n1');
  assert.deepEqual(h.get('web2').status?.conditions ?? [], []);
  assert.equal(h.selections().size, 1);
  h.store.delete('persistentvolumeclaims', 'default', 'data');
  assert.equal(h.selections().size, 0, 'the claim went');
  h.scheduler.stop();
});

test('PVC: a claim given the node that then finds no volume to bind here: its recovery is no provisioning failure', () => {
  const h = setup();
  h.store.create<StorageClass>('storageclasses', {
    apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass', metadata: { name: 'zoned' }, provisioner: STORAGE.localPathProvisioner, volumeBindingMode: 'WaitForFirstConsumer',
  });
  const topology = (values?: string[]) =>
    h.store.modify<StorageClass>('storageclasses', undefined, 'zoned', (c) => ({ ...c, allowedTopologies: values ? [{ matchLabelExpressions: [{ key: 'kubernetes.io/hostname', values }] }] : [] }));
  h.scheduler.start();
  h.claim('data', { storageClassName: 'zoned' });
  h.create('db', ['data']);
  assert.equal(h.getClaim('data').metadata.annotations?.[STORAGE.selectedNode], 'n1');
  topology(['n2']);
  h.unselect('data'); // the provisioner: this node is not allowed
  assert.equal(h.cond('db')?.message, BIND_CONFLICT_MESSAGE);
  assert.equal(h.getClaim('data').metadata.annotations?.[STORAGE.selectedNode], undefined);
  topology(undefined);
  assert.equal(h.getClaim('data').metadata.annotations?.[STORAGE.selectedNode], 'n1', 'given the node at once, no back-off');
  assert.equal(h.cond('db')?.reason, 'Unschedulable', 'no SchedulerError');
  assert.deepEqual(h.events.reasons(), ['FailedScheduling']);
  h.bind('data');
  assert.equal(h.get('db').spec.nodeName, 'n1');
  h.scheduler.stop();
});
