import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { PersistentVolume, PersistentVolumeClaim, StorageClass } from '../../k8s/storage-types.js';
import { RESOURCES } from '../../k8s/registry.js';
import { SqliteStore } from '../../store/sqlite-store.js';
import { FakeClock } from '../../system/clock.js';
import { HttpStatusError } from '../api-errors.js';
import {
  admitClaimUpdate,
  admitNewClaim,
  admitNewStorageObject,
  defaultStorageClass,
  prepareStorageStatusOnCreate,
  prepareStorageStatusUpdate,
} from './storage-admission.js';

const DEFAULT = { 'storageclass.kubernetes.io/is-default-class': 'true' };

function setup() {
  const clock = new FakeClock();
  const store = new SqliteStore({ path: ':memory:', resources: RESOURCES, clock });
  const addClass = (name: string, annotations?: Record<string, string>, extra: Partial<StorageClass> = {}) =>
    store.create<StorageClass>('storageclasses', { apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass', metadata: { name, annotations }, provisioner: 'rancher.io/local-path', ...extra });
  return { clock, store, addClass };
}

const claim = (spec: Partial<PersistentVolumeClaim['spec']> = {}, annotations?: Record<string, string>): PersistentVolumeClaim => ({
  apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'data', namespace: 'default', annotations },
  spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } }, ...spec },
});

test('DefaultStorageClass: a claim without a class gets the default one', () => {
  const { store, addClass } = setup();
  const none = claim();
  admitNewClaim(store, none);
  assert.equal(none.spec.storageClassName, undefined, 'no default class, nothing set');
  addClass('slow');
  addClass('local-path', DEFAULT);
  const c = claim();
  admitNewClaim(store, c);
  assert.equal(c.spec.storageClassName, 'local-path');
  const nulled = claim({ storageClassName: null });
  admitNewClaim(store, nulled);
  assert.equal(nulled.spec.storageClassName, 'local-path');
  store.close();
});

test('DefaultStorageClass: "" (no class), a named class and the beta annotation are left alone', () => {
  const { store, addClass } = setup();
  addClass('local-path', DEFAULT);
  const empty = claim({ storageClassName: '' });
  admitNewClaim(store, empty);
  assert.equal(empty.spec.storageClassName, '');
  const named = claim({ storageClassName: 'slow' });
  admitNewClaim(store, named);
  assert.equal(named.spec.storageClassName, 'slow');
  const beta = claim({}, { 'volume.beta.kubernetes.io/storage-class': 'old' });
  admitNewClaim(store, beta);
  assert.equal(beta.spec.storageClassName, undefined);
  store.close();
});

test('DefaultStorageClass: of several defaults the newest wins, then the first by name', () => {
  const { store, addClass, clock } = setup();
  addClass('b', DEFAULT);
  addClass('a', { 'storageclass.beta.kubernetes.io/is-default-class': 'true' });
  addClass('off', { 'storageclass.kubernetes.io/is-default-class': 'false' });
  assert.equal(defaultStorageClass(store)?.metadata.name, 'a', 'same second: by name');
  clock.advance(5000);
  addClass('c', DEFAULT);
  assert.equal(defaultStorageClass(store)?.metadata.name, 'c', 'the newest');
  store.close();
});

test('PersistentVolumeClaimResize: growing needs a bound claim whose class allows expansion', () => {
  const { store, addClass } = setup();
  addClass('grow', undefined, { allowVolumeExpansion: true });
  addClass('fixed');
  const bound = (cls: string): PersistentVolumeClaim => ({ ...claim({ storageClassName: cls, volumeName: 'pv1' }), status: { phase: 'Bound' } });
  const grow = (c: PersistentVolumeClaim, size = '2Gi'): PersistentVolumeClaim => ({ ...c, spec: { ...c.spec, resources: { requests: { storage: size } } } });
  const resizeRefused = {
    name: 'ForbiddenError',
    message: 'persistentvolumeclaims "data" is forbidden: only dynamically provisioned pvc can be resized and the storageclass that provisions the pvc must support resize',
  };
  assert.doesNotThrow(() => admitClaimUpdate(store, grow(bound('grow')), bound('grow')));
  assert.throws(() => admitClaimUpdate(store, grow(bound('fixed')), bound('fixed')), resizeRefused);
  assert.throws(() => admitClaimUpdate(store, grow(bound('missing')), bound('missing')), resizeRefused);
  assert.throws(() => admitClaimUpdate(store, grow(bound('')), bound('')), resizeRefused);
  const pending = claim({ storageClassName: 'grow' });
  assert.throws(() => admitClaimUpdate(store, grow(pending), pending), {
    message: 'persistentvolumeclaims "data" is forbidden: Only bound persistent volume claims can be expanded',
  });
  // Not growing ("1024Mi" is the same size) needs nothing.
  assert.doesNotThrow(() => admitClaimUpdate(store, grow(bound('fixed'), '1024Mi'), bound('fixed')));
  assert.doesNotThrow(() => admitClaimUpdate(store, grow(pending, '512Mi'), pending));
  try {
    admitClaimUpdate(store, grow(bound('fixed')), bound('fixed'));
  } catch (e) {
    assert.ok(e instanceof HttpStatusError);
    assert.equal(e.httpCode, 403);
    assert.deepEqual(e.details, { name: 'data', kind: 'persistentvolumeclaims' });
  }
  store.close();
});

test('StorageObjectInUseProtection: new PVs and PVCs get their protection finalizer once', () => {
  const pv: PersistentVolume = { apiVersion: 'v1', kind: 'PersistentVolume', metadata: { name: 'pv1', finalizers: ['example.com/keep'] }, spec: {} };
  admitNewStorageObject('persistentvolumes', pv);
  admitNewStorageObject('persistentvolumes', pv);
  assert.deepEqual(pv.metadata.finalizers, ['example.com/keep', 'kubernetes.io/pv-protection']);
  const pvc = claim();
  admitNewStorageObject('persistentvolumeclaims', pvc);
  assert.deepEqual(pvc.metadata.finalizers, ['kubernetes.io/pvc-protection']);
  const cm = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' } };
  admitNewStorageObject('configmaps', cm);
  assert.equal('finalizers' in cm.metadata, false);
});

test('a new volume is Pending since now; a phase change moves lastPhaseTransitionTime', () => {
  const now = Date.UTC(2026, 0, 1, 12, 0, 0);
  const pv: PersistentVolume = { apiVersion: 'v1', kind: 'PersistentVolume', metadata: { name: 'pv1' }, spec: {}, status: { phase: 'Bound' } };
  prepareStorageStatusOnCreate('persistentvolumes', pv, now);
  assert.deepEqual(pv.status, { phase: 'Pending', lastPhaseTransitionTime: '2026-01-01T12:00:00Z' });
  const pvc = { ...claim(), status: { phase: 'Bound' as const } };
  prepareStorageStatusOnCreate('persistentvolumeclaims', pvc, now);
  assert.deepEqual(pvc.status, { phase: 'Pending' });

  const available: PersistentVolume = { ...pv, status: { phase: 'Available' } };
  prepareStorageStatusUpdate('persistentvolumes', available, pv, now + 60_000);
  assert.deepEqual(available.status, { phase: 'Available', lastPhaseTransitionTime: '2026-01-01T12:01:00Z' });
  const same: PersistentVolume = { ...pv, status: { phase: 'Pending', message: 'x' } };
  prepareStorageStatusUpdate('persistentvolumes', same, pv, now + 60_000);
  assert.deepEqual(same.status, { phase: 'Pending', message: 'x', lastPhaseTransitionTime: '2026-01-01T12:00:00Z' });
  const own: PersistentVolume = { ...pv, status: { phase: 'Failed', lastPhaseTransitionTime: '2026-01-01T11:00:00Z' } };
  prepareStorageStatusUpdate('persistentvolumes', own, pv, now + 60_000);
  assert.equal(own.status?.lastPhaseTransitionTime, '2026-01-01T11:00:00Z');
});
