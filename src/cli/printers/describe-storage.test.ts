import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod } from '../../k8s/types.js';
import type { PersistentVolume, PersistentVolumeClaim, StorageClass } from '../../k8s/storage-types.js';
import { accessModesString } from '../../k8s/storage-types.js';
import { describePersistentVolume, describePersistentVolumeClaim, describeStorageClass, podsUsingClaim } from './describe-storage.js';

const NOW = Date.parse('2026-01-01T00:10:00Z');

const pv: PersistentVolume = {
  apiVersion: 'v1', kind: 'PersistentVolume',
  metadata: { name: 'pvc-0c1d', labels: {}, annotations: { 'pv.kubernetes.io/provisioned-by': 'rancher.io/local-path' }, finalizers: ['kubernetes.io/pv-protection'] },
  spec: {
    capacity: { storage: '2Gi' }, accessModes: ['ReadWriteOnce', 'ReadWriteOncePod'], claimRef: { namespace: 'web', name: 'data' },
    persistentVolumeReclaimPolicy: 'Delete', storageClassName: 'local-path', volumeMode: 'Filesystem',
    nodeAffinity: { required: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'kubernetes.io/hostname', operator: 'In', values: ['node1'] }, { key: 'disk', operator: 'Exists' }] }] } },
    hostPath: { path: '/var/lib/peapod/storage/pvc-0c1d_web_data', type: 'DirectoryOrCreate' },
  },
  status: { phase: 'Bound' },
};

// Alignment as kubectl's tabwriter gives it: Node Affinity's empty value and Message's keep their padding.
test('describes a hostPath PV like kubectl describe pv, node affinity terms included', () => {
  assert.equal(describePersistentVolume(pv, [], NOW), PV);
});

test('a local PV prints its LocalVolume source; unreadable events print no Events section', () => {
  const local: PersistentVolume = { apiVersion: 'v1', kind: 'PersistentVolume', metadata: { name: 'local1' }, spec: { local: { path: '/mnt/disk1' } }, status: {} };
  assert.equal(describePersistentVolume(local, undefined, NOW), LOCAL);
});

const pods = [
  { metadata: { name: 'b' }, spec: { containers: [], volumes: [{ name: 'v', persistentVolumeClaim: { claimName: 'data' } }] } },
  { metadata: { name: 'a' }, spec: { containers: [], volumes: [{ name: 'v', persistentVolumeClaim: { claimName: 'data' } }] } },
  { metadata: { name: 'c' }, spec: { containers: [], volumes: [{ name: 'v', persistentVolumeClaim: { claimName: 'logs' } }] } },
] as unknown as Pod[];

test('describes a terminating, unbound PVC: its pods by name, conditions with Go\'s zero time for an unset one', () => {
  const pvc: PersistentVolumeClaim = {
    apiVersion: 'v1', kind: 'PersistentVolumeClaim',
    metadata: {
      name: 'data', namespace: 'web', deletionTimestamp: '2026-01-01T00:08:00Z', labels: { app: 'db', tier: 'x' },
      annotations: { 'volume.kubernetes.io/selected-node': 'node1', 'volume.kubernetes.io/storage-provisioner': 'rancher.io/local-path' },
      finalizers: ['kubernetes.io/pvc-protection'],
    },
    spec: { storageClassName: 'local-path', resources: { requests: { storage: '1Gi' } } },
    status: { phase: 'Pending', conditions: [{ type: 'Resizing', status: 'True', lastTransitionTime: '2026-01-01T00:05:00Z' }] },
  };
  assert.equal(describePersistentVolumeClaim(pvc, [], pods, undefined, NOW), PVC);
});

test('a bound PVC shows the host directory behind it right after Volume', () => {
  const pvc: PersistentVolumeClaim = {
    apiVersion: 'v1', kind: 'PersistentVolumeClaim',
    metadata: { name: 'data', namespace: 'web', uid: 'u1', ownerReferences: [{ apiVersion: 'v1', kind: 'Pod', name: 'c', uid: 'pc' }] as never },
    spec: { volumeName: 'pvc-0c1d', accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } },
    status: { phase: 'Bound', accessModes: ['ReadWriteOnce'], capacity: { storage: '2Gi' } },
  };
  const text = describePersistentVolumeClaim(pvc, [], pods, pv, NOW);
  assert.match(text, /\nVolume:        pvc-0c1d\nHost Path:     \/var\/lib\/peapod\/storage\/pvc-0c1d_web_data\nLabels:        <none>\n/);
  assert.match(text, /\nCapacity:      2Gi\nAccess Modes:  RWO\nUsed By:       a\n               b\nEvents:        <none>$/);
  // A volume of another name (not yet the claim's) is not shown.
  assert.doesNotMatch(describePersistentVolumeClaim(pvc, [], pods, { ...pv, metadata: { name: 'other' } }, NOW), /Host Path/);
  // Owner pods count as users too, as kubectl's getPodsForPVC has it.
  const withOwner = pods.map((p) => (p.metadata.name === 'c' ? { ...p, metadata: { ...p.metadata, uid: 'pc' } } : p));
  assert.deepEqual(podsUsingClaim(withOwner, pvc).map((p) => p.metadata.name), ['b', 'a', 'c']);
});

test('describes a StorageClass like kubectl describe sc', () => {
  const sc: StorageClass = {
    apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass',
    metadata: { name: 'local-path', annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' } },
    provisioner: 'rancher.io/local-path', parameters: { b: '2', a: '1' }, allowVolumeExpansion: true, mountOptions: ['noatime', 'nodev'],
    reclaimPolicy: 'Delete', volumeBindingMode: 'WaitForFirstConsumer',
    allowedTopologies: [{ matchLabelExpressions: [{ key: 'kubernetes.io/hostname', values: ['node1', 'node2'] }] }],
  };
  assert.equal(describeStorageClass(sc, [], NOW), SC);
  const plain: StorageClass = { apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass', metadata: { name: 'x' }, provisioner: 'p' };
  assert.equal(describeStorageClass(plain, [], NOW), [
    'Name:                  x', 'IsDefaultClass:        No', 'Annotations:           <none>', 'Provisioner:           p', 'Parameters:            <none>',
    'AllowVolumeExpansion:  <unset>', 'MountOptions:          <none>', 'Events:                <none>',
  ].join('\n'));
});

test('access modes print as kubectl\'s short forms in a fixed order, once each', () => {
  assert.equal(accessModesString(['ReadWriteMany', 'ReadWriteOnce', 'ReadWriteOnce']), 'RWO,RWX');
  assert.equal(accessModesString(undefined), '');
});

const PV = [
    'Name:              pvc-0c1d',
    'Labels:            <none>',
    'Annotations:       pv.kubernetes.io/provisioned-by: rancher.io/local-path',
    'Finalizers:        [kubernetes.io/pv-protection]',
    'StorageClass:      local-path',
    'Status:            Bound',
    'Claim:             web/data',
    'Reclaim Policy:    Delete',
    'Access Modes:      RWO,RWOP',
    'VolumeMode:        Filesystem',
    'Capacity:          2Gi',
    'Node Affinity:     ',
    '  Required Terms:  ',
    '    Term 0:        kubernetes.io/hostname in [node1]',
    '                   disk exists',
    'Message:           ',
    'Source:',
    '    Type:          HostPath (bare host directory volume)',
    '    Path:          /var/lib/peapod/storage/pvc-0c1d_web_data',
    '    HostPathType:  DirectoryOrCreate',
    'Events:            <none>',
  ].join('\n');

const LOCAL = [
    'Name:            local1',
    'Labels:          <none>',
    'Annotations:     <none>',
    'Finalizers:      []',
    'StorageClass:    ',
    'Status:          ',
    'Claim:           ',
    'Reclaim Policy:  ',
    'Access Modes:    ',
    'Capacity:        0',
    'Node Affinity:   <none>',
    'Message:         ',
    'Source:',
    '    Type:  LocalVolume (a persistent volume backed by local storage on a node)',
    '    Path:  /mnt/disk1',
  ].join('\n');

const PVC = [
    'Name:          data',
    'Namespace:     web',
    'StorageClass:  local-path',
    'Status:        Terminating (lasts 2m)',
    'Volume:        ',
    'Labels:        app=db',
    '               tier=x',
    'Annotations:   volume.kubernetes.io/selected-node: node1',
    '               volume.kubernetes.io/storage-provisioner: rancher.io/local-path',
    'Finalizers:    [kubernetes.io/pvc-protection]',
    'Capacity:      ',
    'Access Modes:  ',
    'Used By:       a',
    '               b',
    'Conditions:',
    '  Type       Status  LastProbeTime                     LastTransitionTime                Reason  Message',
    '  ----       ------  -----------------                 ------------------                ------  -------',
    '  Resizing   True    Mon, 01 Jan 0001 00:00:00 +0000   Thu, 01 Jan 2026 00:05:00 +0000           ',
    'Events:      <none>',
  ].join('\n');

const SC = [
    'Name:                  local-path',
    'IsDefaultClass:        Yes',
    'Annotations:           storageclass.kubernetes.io/is-default-class=true',
    'Provisioner:           rancher.io/local-path',
    'Parameters:            a=1,b=2',
    'AllowVolumeExpansion:  True',
    'MountOptions:',
    '  noatime',
    '  nodev',
    'ReclaimPolicy:      Delete',
    'VolumeBindingMode:  WaitForFirstConsumer',
    'AllowedTopologies:  ',
    '  Term 0:           kubernetes.io/hostname in [node1, node2]',
    'Events:             <none>',
  ].join('\n');
