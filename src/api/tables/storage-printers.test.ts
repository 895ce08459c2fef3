import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { KubeObject } from '../../k8s/types.js';
import { buildTable } from './table.js';
import { printerFor } from './columns.js';
import { accessModesString } from '../../k8s/storage-types.js';

const NOW = Date.UTC(2026, 0, 1, 12, 0, 0);
const created = '2026-01-01T11:00:00Z';

const table = (resource: string, objs: KubeObject[]) => buildTable(objs, { resourceVersion: '9' }, { resource, version: 'v1', includeObject: 'None', now: NOW });
const cells = (resource: string, obj: KubeObject) => (table(resource, [obj]).rows as { cells: unknown[] }[])[0].cells;
const headers = (resource: string) => (printerFor(resource).columns).map((c) => (c.priority ? `${c.name}*` : c.name));

test('access modes print abbreviated, in upstream order, once each', () => {
  assert.equal(accessModesString(['ReadWriteOncePod', 'ReadOnlyMany', 'ReadWriteOnce', 'ReadOnlyMany']), 'RWO,ROX,RWOP');
  assert.equal(accessModesString(['ReadWriteMany']), 'RWX');
  assert.equal(accessModesString([]), '');
  assert.equal(accessModesString(undefined), '');
});

test('PersistentVolume rows', () => {
  assert.deepEqual(headers('persistentvolumes'), ['Name', 'Capacity', 'Access Modes', 'Reclaim Policy', 'Status', 'Claim', 'StorageClass', 'VolumeAttributesClass', 'Reason', 'Age', 'VolumeMode*']);
  const pv: KubeObject = {
    apiVersion: 'v1', kind: 'PersistentVolume', metadata: { name: 'pv1', creationTimestamp: created },
    spec: { capacity: { storage: '1024Mi' }, accessModes: ['ReadOnlyMany', 'ReadWriteOnce'], persistentVolumeReclaimPolicy: 'Delete', claimRef: { namespace: 'default', name: 'data' }, storageClassName: 'local-path', volumeMode: 'Filesystem' },
    status: { phase: 'Bound' },
  };
  assert.deepEqual(cells('persistentvolumes', pv), ['pv1', '1Gi', 'RWO,ROX', 'Delete', 'Bound', 'default/data', 'local-path', '<unset>', '', '60m', 'Filesystem']);
  const deleting = { ...pv, metadata: { ...pv.metadata, deletionTimestamp: created, annotations: { 'volume.beta.kubernetes.io/storage-class': 'beta' } }, spec: { hostPath: { path: '/x' } }, status: { phase: 'Released', reason: 'Oops' } };
  assert.deepEqual(cells('persistentvolumes', deleting), ['pv1', '0', '', '', 'Terminating', '', 'beta', '<unset>', 'Oops', '60m', '<unset>']);
});

test('PersistentVolumeClaim rows show capacity and modes once bound', () => {
  assert.deepEqual(headers('persistentvolumeclaims'), ['Name', 'Status', 'Volume', 'Capacity', 'Access Modes', 'StorageClass', 'VolumeAttributesClass', 'Age', 'VolumeMode*']);
  const pvc: KubeObject = {
    apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'data', namespace: 'default', creationTimestamp: created },
    spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } }, storageClassName: 'local-path', volumeMode: 'Filesystem' },
    status: { phase: 'Pending' },
  };
  assert.deepEqual(cells('persistentvolumeclaims', pvc), ['data', 'Pending', '', '', '', 'local-path', '<unset>', '60m', 'Filesystem']);
  const bound = { ...pvc, spec: { ...(pvc.spec as object), volumeName: 'pv1' }, status: { phase: 'Bound', capacity: { storage: '2Gi' }, accessModes: ['ReadWriteOnce'] } };
  assert.deepEqual(cells('persistentvolumeclaims', bound), ['data', 'Bound', 'pv1', '2Gi', 'RWO', 'local-path', '<unset>', '60m', 'Filesystem']);
  const deleting = { ...bound, metadata: { ...bound.metadata, deletionTimestamp: created } };
  assert.equal(cells('persistentvolumeclaims', deleting)[1], 'Terminating');
});

test('StorageClass rows mark the default class and default the policy columns', () => {
  assert.deepEqual(headers('storageclasses'), ['Name', 'Provisioner', 'ReclaimPolicy', 'VolumeBindingMode', 'AllowVolumeExpansion', 'Age']);
  const sc: KubeObject = {
    apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass', metadata: { name: 'local-path', creationTimestamp: created, annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' } },
    provisioner: 'rancher.io/local-path', reclaimPolicy: 'Delete', volumeBindingMode: 'WaitForFirstConsumer',
  };
  assert.deepEqual(cells('storageclasses', sc), ['local-path (default)', 'rancher.io/local-path', 'Delete', 'WaitForFirstConsumer', false, '60m']);
  const plain = { ...sc, metadata: { name: 'slow', creationTimestamp: created }, reclaimPolicy: undefined, volumeBindingMode: undefined, allowVolumeExpansion: true };
  assert.deepEqual(cells('storageclasses', plain), ['slow', 'rancher.io/local-path', 'Delete', 'Immediate', true, '60m']);
});
