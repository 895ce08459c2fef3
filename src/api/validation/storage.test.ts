import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { FieldCause } from '../../errors.js';
import type { KubeObject } from '../../k8s/types.js';
import { applyDefaults } from '../defaults.js';
import { validateCreate, validateStatusUpdate, validateUpdate } from './index.js';
import { DNS1123_SUBDOMAIN_ERROR } from './names.js';
import { findUnknownFields } from './known-fields.js';
import { canonicalQuantity, DATA_SOURCE_MESSAGE, SERVED_SOURCES_MESSAGE } from './storage.js';

const lines = (causes: FieldCause[]): string[] => causes.map((c) => `${c.field}: ${c.message}`);
type Obj = KubeObject & { spec: Record<string, unknown>; status?: Record<string, unknown> };

function pv(spec: Record<string, unknown> = {}, extra: Partial<KubeObject> = {}): Obj {
  const o = {
    apiVersion: 'v1', kind: 'PersistentVolume', metadata: { name: 'pv1' },
    spec: { capacity: { storage: '1Gi' }, accessModes: ['ReadWriteOnce'], hostPath: { path: '/srv/pv1' }, ...spec },
    ...extra,
  } as Obj;
  for (const [k, v] of Object.entries(o.spec)) if (v === undefined) delete o.spec[k];
  applyDefaults('persistentvolumes', o);
  return o;
}

function pvc(spec: Record<string, unknown> = {}, extra: Partial<KubeObject> = {}): Obj {
  const o = {
    apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'data', namespace: 'default', resourceVersion: '5' },
    spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } }, ...spec },
    ...extra,
  } as Obj;
  for (const [k, v] of Object.entries(o.spec)) if (v === undefined) delete o.spec[k];
  applyDefaults('persistentvolumeclaims', o);
  return o;
}

function sc(extra: Record<string, unknown> = {}): KubeObject {
  const o: KubeObject = { apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass', metadata: { name: 'local-path' }, provisioner: 'rancher.io/local-path', ...extra };
  applyDefaults('storageclasses', o);
  return o;
}

const local = { local: { path: '/mnt/disks/a' }, hostPath: undefined };
const affinity = {
  nodeAffinity: { required: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'kubernetes.io/hostname', operator: 'In', values: ['node1'] }] }] } },
};

const creates: { name: string; resource: string; obj: KubeObject; want: string[] }[] = [
  { name: 'a hostPath PV is valid', resource: 'persistentvolumes', obj: pv(), want: [] },
  { name: 'a local PV with node affinity is valid', resource: 'persistentvolumes', obj: pv({ ...local, ...affinity }), want: [] },
  { name: 'a PV name is a DNS subdomain', resource: 'persistentvolumes', obj: pv({}, { metadata: { name: 'PV_1' } }), want: [
    `metadata.name: Invalid value: "PV_1": ${DNS1123_SUBDOMAIN_ERROR}`,
  ] },
  { name: 'a PV needs access modes and a capacity', resource: 'persistentvolumes', obj: pv({ accessModes: undefined, capacity: undefined }), want: [
    'spec.accessModes: Required value',
    'spec.capacity: Required value',
    'spec.capacity: Unsupported value: core.ResourceList(nil): supported values: "storage"',
  ] },
  { name: 'a PV capacity holds storage only', resource: 'persistentvolumes', obj: pv({ capacity: { storage: '1Gi', cpu: '1' } }), want: [
    'spec.capacity: Unsupported value: core.ResourceList{"cpu":"1", "storage":"1Gi"}: supported values: "storage"',
  ] },
  { name: 'a PV capacity must be positive', resource: 'persistentvolumes', obj: pv({ capacity: { storage: '0Gi' } }), want: [
    'spec.capacity[storage]: Invalid value: "0": must be greater than zero',
  ] },
  { name: 'a negative PV capacity is reported twice, as upstream does', resource: 'persistentvolumes', obj: pv({ capacity: { storage: '-1Ki' } }), want: [
    'spec.capacity[storage]: Invalid value: -1024: must be a valid resource quantity',
    'spec.capacity[storage]: Invalid value: "-1Ki": must be greater than zero',
  ] },
  { name: 'unknown access modes are unsupported', resource: 'persistentvolumes', obj: pv({ accessModes: ['ReadWriteSometimes'] }), want: [
    'spec.accessModes: Unsupported value: "ReadWriteSometimes": supported values: "ReadOnlyMany", "ReadWriteMany", "ReadWriteOnce", "ReadWriteOncePod"',
  ] },
  { name: 'ReadWriteOncePod goes alone', resource: 'persistentvolumes', obj: pv({ accessModes: ['ReadWriteOncePod', 'ReadOnlyMany'] }), want: [
    'spec.accessModes: Forbidden: may not use ReadWriteOncePod with other access modes',
  ] },
  { name: 'a PV needs a volume source', resource: 'persistentvolumes', obj: pv({ hostPath: undefined }), want: ['spec: Required value: must specify a volume type'] },
  { name: 'a PV has one volume source', resource: 'persistentvolumes', obj: pv({ ...affinity, local: { path: '/mnt/a' } }), want: [
    'spec.local: Forbidden: may not specify more than 1 volume type',
  ] },
  { name: 'cephfs as a second source is named as upstream names it', resource: 'persistentvolumes', obj: pv({ cephfs: { monitors: ['m'] } }), want: [
    'spec.cephFS: Forbidden: may not specify more than 1 volume type',
  ] },
  { name: 'an NFS PV is refused: peapod serves hostPath and local only', resource: 'persistentvolumes', obj: pv({ hostPath: undefined, nfs: { server: 'nfs', path: '/x' } }), want: [
    `spec.nfs: Forbidden: ${SERVED_SOURCES_MESSAGE}`,
  ] },
  { name: 'a CSI PV is refused', resource: 'persistentvolumes', obj: pv({ hostPath: undefined, csi: { driver: 'x', volumeHandle: 'y' } }), want: [
    `spec.csi: Forbidden: ${SERVED_SOURCES_MESSAGE}`,
  ] },
  { name: 'a hostPath PV needs a path without backsteps and a known type', resource: 'persistentvolumes', obj: pv({ hostPath: { path: '/a/../b', type: 'Dir' } }), want: [
    `spec.hostPath.path: Invalid value: "/a/../b": must not contain '..'`,
    'spec.hostPath.type: Unsupported value: "Dir": supported values: "", "BlockDevice", "CharDevice", "Directory", "DirectoryOrCreate", "File", "FileOrCreate", "Socket"',
  ] },
  { name: 'a hostPath PV path is required', resource: 'persistentvolumes', obj: pv({ hostPath: { path: '' } }), want: ['spec.hostPath.path: Required value'] },
  { name: 'a local PV requires node affinity', resource: 'persistentvolumes', obj: pv({ ...local }), want: [
    'spec.nodeAffinity: Required value: Local volume requires node affinity',
  ] },
  { name: 'a local PV path is absolute', resource: 'persistentvolumes', obj: pv({ ...affinity, hostPath: undefined, local: { path: 'disks/a' } }), want: [
    'spec.local: Invalid value: "disks/a": must be an absolute path',
  ] },
  { name: 'node affinity needs required terms', resource: 'persistentvolumes', obj: pv({ ...local, nodeAffinity: {} }), want: [
    'spec.nodeAffinity.required: Required value: must specify required node constraints',
  ] },
  { name: 'node affinity terms are checked', resource: 'persistentvolumes', obj: pv({ ...local, nodeAffinity: { required: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'a', operator: 'Is', values: ['b'] }], matchFields: [{ key: 'spec.nodeName', operator: 'In', values: ['n'] }] }] } } }), want: [
    'spec.nodeAffinity.required.nodeSelectorTerms[0].matchExpressions[0].operator: Invalid value: "Is": not a valid selector operator',
    'spec.nodeAffinity.required.nodeSelectorTerms[0].matchFields[0].key: Invalid value: "spec.nodeName": not a valid field selector key',
  ] },
  { name: 'empty node selector terms are refused', resource: 'persistentvolumes', obj: pv({ ...local, nodeAffinity: { required: { nodeSelectorTerms: [] } } }), want: [
    'spec.nodeAffinity.required.nodeSelectorTerms: Required value: must have at least one node selector term',
  ] },
  { name: 'Recycle is refused: there is no recycler', resource: 'persistentvolumes', obj: pv({ persistentVolumeReclaimPolicy: 'Recycle' }), want: [
    'spec.persistentVolumeReclaimPolicy: Unsupported value: "Recycle": supported values: "Delete", "Retain"',
  ] },
  { name: 'Block volume mode is refused', resource: 'persistentvolumes', obj: pv({ volumeMode: 'Block' }), want: [
    'spec.volumeMode: Unsupported value: "Block": supported values: "Filesystem"',
  ] },
  { name: 'a hostPath PV may not carry mount options', resource: 'persistentvolumes', obj: pv({ mountOptions: ['ro'] }), want: [
    'spec.mountOptions: Forbidden: may not specify mount options for this volume type',
  ] },
  { name: 'nor the beta mount-options annotation', resource: 'persistentvolumes', obj: pv({}, { metadata: { name: 'pv1', annotations: { 'volume.beta.kubernetes.io/mount-options': 'ro' } } }), want: [
    'metadata.annotations.volume.beta.kubernetes.io/mount-options: Forbidden: may not specify mount options for this volume type',
  ] },
  { name: 'a PV storage class name is a DNS subdomain', resource: 'persistentvolumes', obj: pv({ storageClassName: 'Fast' }), want: [
    `spec.storageClassName: Invalid value: "Fast": ${DNS1123_SUBDOMAIN_ERROR}`,
  ] },
  { name: 'a PV is cluster-scoped', resource: 'persistentvolumes', obj: pv({}, { metadata: { name: 'pv1', namespace: 'default' } }), want: [
    'metadata.namespace: Forbidden: not allowed on this type',
  ] },

  { name: 'a claim is valid', resource: 'persistentvolumeclaims', obj: pvc(), want: [] },
  { name: 'a claim needs access modes and a storage request', resource: 'persistentvolumeclaims', obj: pvc({ accessModes: [], resources: {} }), want: [
    'spec.accessModes: Required value: at least 1 access mode is required',
    'spec.resources[storage]: Required value',
  ] },
  { name: 'a claim storage request must be positive', resource: 'persistentvolumeclaims', obj: pvc({ resources: { requests: { storage: '0' } } }), want: [
    'spec.resources[storage]: Invalid value: "0": must be greater than zero',
  ] },
  { name: 'a junk storage request is invalid', resource: 'persistentvolumeclaims', obj: pvc({ resources: { requests: { storage: '1GB' } } }), want: [
    `spec.resources[storage]: Invalid value: "1GB": quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'`,
  ] },
  { name: 'a claim selector is checked', resource: 'persistentvolumeclaims', obj: pvc({ selector: { matchLabels: { 'a b': 'c' }, matchExpressions: [{ key: 'tier', operator: 'In' }, { key: 'x', operator: 'Exists', values: ['y'] }] } }), want: [
    `spec.selector.matchLabels: Invalid value: "a b": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')`,
    "spec.selector.matchExpressions[0].values: Required value: must be specified when `operator` is 'In' or 'NotIn'",
    "spec.selector.matchExpressions[1].values: Forbidden: may not be specified when `operator` is 'Exists' or 'DoesNotExist'",
  ] },
  { name: 'a claim in Block mode is refused', resource: 'persistentvolumeclaims', obj: pvc({ volumeMode: 'Block' }), want: [
    'spec.volumeMode: Unsupported value: "Block": supported values: "Filesystem"',
  ] },
  { name: 'a claim from a data source is refused', resource: 'persistentvolumeclaims', obj: pvc({ dataSource: { kind: 'PersistentVolumeClaim', name: 'src' }, dataSourceRef: { kind: 'PersistentVolumeClaim', name: 'src' } }), want: [
    `spec.dataSource: Forbidden: ${DATA_SOURCE_MESSAGE}`,
    `spec.dataSourceRef: Forbidden: ${DATA_SOURCE_MESSAGE}`,
  ] },
  { name: 'an empty class name on a claim is allowed (no class)', resource: 'persistentvolumeclaims', obj: pvc({ storageClassName: '' }), want: [] },
  { name: 'a claim class name is a DNS subdomain', resource: 'persistentvolumeclaims', obj: pvc({ storageClassName: 'a_b' }), want: [
    `spec.storageClassName: Invalid value: "a_b": ${DNS1123_SUBDOMAIN_ERROR}`,
  ] },
  { name: 'a claim needs a namespace', resource: 'persistentvolumeclaims', obj: pvc({}, { metadata: { name: 'data' } }), want: ['metadata.namespace: Required value'] },

  { name: 'a StorageClass is valid', resource: 'storageclasses', obj: sc(), want: [] },
  { name: 'a StorageClass needs a provisioner', resource: 'storageclasses', obj: sc({ provisioner: '' }), want: ['provisioner: Required value'] },
  { name: 'a provisioner is a qualified name', resource: 'storageclasses', obj: sc({ provisioner: 'a/b/c' }), want: [
    `provisioner: Invalid value: "a/b/c": a qualified name must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')`,
  ] },
  { name: 'a StorageClass reclaim policy is Delete or Retain', resource: 'storageclasses', obj: sc({ reclaimPolicy: 'Recycle' }), want: [
    'reclaimPolicy: Unsupported value: "Recycle": supported values: "Delete", "Retain"',
  ] },
  { name: 'a binding mode is Immediate or WaitForFirstConsumer', resource: 'storageclasses', obj: sc({ volumeBindingMode: 'Later' }), want: [
    'volumeBindingMode: Unsupported value: "Later": supported values: "Immediate", "WaitForFirstConsumer"',
  ] },
  { name: 'allowed topologies need values, without duplicates', resource: 'storageclasses', obj: sc({ allowedTopologies: [
    { matchLabelExpressions: [{ key: 'zone', values: ['a', 'a'] }, { key: 'zone', values: [] }] },
  ] }), want: [
    'allowedTopologies[0].matchLabelExpressions[0].values[1]: Duplicate value: "a"',
    'allowedTopologies[0].matchLabelExpressions[1].values: Required value',
    'allowedTopologies[0].matchLabelExpressions[1].key: Duplicate value: "zone"',
  ] },
];

for (const c of creates) {
  test(c.name, () => assert.deepEqual(lines(validateCreate(c.resource, c.obj)), c.want));
}

const upd = (o: Obj, change: (o: Obj) => void): Obj => {
  const n = structuredClone(o);
  change(n);
  return n;
};

test('a PV volume source is immutable', () => {
  const old = pv();
  const got = lines(validateUpdate('persistentvolumes', upd(old, (n) => (n.spec.hostPath = { path: '/srv/other', type: '' })), old));
  assert.deepEqual(got, [
    'spec.persistentvolumesource: Forbidden: spec.persistentvolumesource is immutable after creation\n' +
      '  core.PersistentVolumeSource{\n- \tHostPath: {"path":"/srv/pv1","type":""},\n+ \tHostPath: {"path":"/srv/other","type":""},\n  }',
  ]);
});

test('a PV keeps its volume mode and node affinity, but may gain affinity', () => {
  const old = pv({ ...local, ...affinity });
  const changed = upd(old, (n) => (n.spec.nodeAffinity = { required: { nodeSelectorTerms: [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: ['n2'] }] }] } }));
  assert.deepEqual(lines(validateUpdate('persistentvolumes', changed, old)), [
    'nodeAffinity: Invalid value: {"required":{"nodeSelectorTerms":[{"matchFields":[{"key":"metadata.name","operator":"In","values":["n2"]}]}]}}: field is immutable',
  ]);
  const hostOld = pv();
  assert.deepEqual(lines(validateUpdate('persistentvolumes', upd(hostOld, (n) => Object.assign(n.spec, affinity)), hostOld)), []);
  const phaseOnly = upd(hostOld, (n) => (n.status = { phase: 'Available' }));
  assert.deepEqual(lines(validateUpdate('persistentvolumes', phaseOnly, hostOld)), []);
});

test('a PV capacity and class may change on update', () => {
  const old = pv();
  assert.deepEqual(lines(validateUpdate('persistentvolumes', upd(old, (n) => ((n.spec.capacity = { storage: '2Gi' }), (n.spec.storageClassName = 'manual'))), old)), []);
});

test('a claim spec is immutable except what the binder and resizing may change', () => {
  const old = pvc({ storageClassName: 'local-path' });
  // The binder sets volumeName once.
  const bound = upd(old, (n) => ((n.spec.volumeName = 'pv1'), (n.status = { phase: 'Bound', capacity: { storage: '1Gi' } })));
  assert.deepEqual(lines(validateUpdate('persistentvolumeclaims', bound, old)), []);
  // ... and not again.
  const rebound = upd(bound, (n) => (n.spec.volumeName = 'pv2'));
  assert.deepEqual(lines(validateUpdate('persistentvolumeclaims', rebound, bound)), [
    'spec: Forbidden: spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims\n' +
      '  core.PersistentVolumeClaimSpec{\n- \tVolumeName: "pv1",\n+ \tVolumeName: "pv2",\n  }',
  ]);
  // A bound claim may ask for more storage.
  const grown = upd(bound, (n) => ((n.spec.resources as { requests: Record<string, string> }).requests.storage = '2Gi'));
  assert.deepEqual(lines(validateUpdate('persistentvolumeclaims', grown, bound)), []);
  // An unbound one may not.
  const grownUnbound = upd(old, (n) => ((n.spec.resources as { requests: Record<string, string> }).requests.storage = '2Gi'));
  assert.equal(lines(validateUpdate('persistentvolumeclaims', grownUnbound, old))[0].split('\n')[0],
    'spec: Forbidden: spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims');
  // Shrinking to status.capacity is refused; "1Gi" equals "1024Mi".
  const big = upd(grown, () => undefined);
  const shrunk = upd(big, (n) => ((n.spec.resources as { requests: Record<string, string> }).requests.storage = '1024Mi'));
  assert.deepEqual(lines(validateUpdate('persistentvolumeclaims', shrunk, big)), [
    'spec.resources.requests.storage: Forbidden: field can not be less than status.capacity',
  ]);
  // The access modes never change.
  const modes = upd(bound, (n) => (n.spec.accessModes = ['ReadWriteMany']));
  assert.match(lines(validateUpdate('persistentvolumeclaims', modes, bound))[0], /- \tAccessModes: \["ReadWriteOnce"\],\n\+ \tAccessModes: \["ReadWriteMany"\],/);
});

test('a claim without a class may get one later, but a class may not change', () => {
  const old = pvc();
  assert.deepEqual(lines(validateUpdate('persistentvolumeclaims', upd(old, (n) => (n.spec.storageClassName = 'local-path')), old)), []);
  const withClass = pvc({ storageClassName: 'a' });
  assert.match(lines(validateUpdate('persistentvolumeclaims', upd(withClass, (n) => (n.spec.storageClassName = 'b')), withClass))[0], /StorageClassName: "a",\n\+ \tStorageClassName: "b"/);
  const empty = pvc({ storageClassName: '' });
  assert.match(lines(validateUpdate('persistentvolumeclaims', upd(empty, (n) => delete n.spec.storageClassName), empty))[0], /StorageClassName: "",\n\+ \tStorageClassName: nil/);
});

test('a claim volume mode is immutable, under upstream\'s path', () => {
  const old = pvc();
  const got = lines(validateUpdate('persistentvolumeclaims', upd(old, (n) => (n.spec.volumeMode = 'Block')), old));
  assert.ok(got.includes('volumeMode: Invalid value: "Block": field is immutable'), got.join('\n'));
});

test('a claim status update checks its quantities and resize statuses', () => {
  const old = pvc();
  const next = upd(old, (n) => (n.status = { phase: 'Bound', capacity: { storage: '1Gi' }, allocatedResources: { cpu: '1' }, allocatedResourceStatuses: { storage: 'Resizing' } }));
  assert.deepEqual(lines(validateStatusUpdate('persistentvolumeclaims', next, old)), [
    'status.allocatedResourceStatus: Unsupported value: "storage": supported values: "ControllerResizeInProgress", "ControllerResizeInfeasible", "NodeResizeInProgress", "NodeResizeInfeasible", "NodeResizePending"',
    'status.allocatedResources: Unsupported value: "cpu": supported values: "storage"',
  ]);
  const volume = pv();
  const noRv = upd(volume, (n) => (n.status = { phase: 'Available' }));
  assert.deepEqual(lines(validateStatusUpdate('persistentvolumes', noRv, volume)), ['resourceVersion: Required value']);
  assert.deepEqual(validateStatusUpdate('pods', old, old), []);
});

test('StorageClass updates may not change parameters, provisioner, reclaim policy or binding mode', () => {
  const old = sc({ parameters: { a: 'b' } });
  const next = sc({ parameters: { a: 'c' }, provisioner: 'example.com/other', reclaimPolicy: 'Retain', volumeBindingMode: 'WaitForFirstConsumer' });
  assert.deepEqual(lines(validateUpdate('storageclasses', next, old)), [
    'parameters: Forbidden: updates to parameters are forbidden.',
    'provisioner: Forbidden: updates to provisioner are forbidden.',
    'reclaimPolicy: Forbidden: updates to reclaimPolicy are forbidden.',
    'volumeBindingMode: Invalid value: "WaitForFirstConsumer": field is immutable',
  ]);
  const labelled = sc({ parameters: { a: 'b' }, metadata: { name: 'local-path', annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' } } });
  assert.deepEqual(lines(validateUpdate('storageclasses', labelled, old)), []);
  assert.deepEqual(lines(validateUpdate('storageclasses', upd(labelled as Obj, (n) => (n.allowVolumeExpansion = true)), labelled)), []);
});

test('canonical quantities print as Quantity.String() does', () => {
  assert.equal(canonicalQuantity('1024Mi'), '1Gi');
  assert.equal(canonicalQuantity('1.5Gi'), '1536Mi');
  assert.equal(canonicalQuantity('1.5G'), '1500M');
  assert.equal(canonicalQuantity('0Gi'), '0');
  assert.equal(canonicalQuantity('0.5Ki'), '512');
  assert.equal(canonicalQuantity(5), '5');
  assert.equal(canonicalQuantity('1e9'), '1e9');
});

test('storage schemas know every field, and report unknown ones', () => {
  const full = pv({ ...local, ...affinity, claimRef: { namespace: 'default', name: 'data' }, storageClassName: 'x' });
  assert.deepEqual(findUnknownFields('persistentvolumes', full), []);
  assert.deepEqual(findUnknownFields('persistentvolumes', { ...full, spec: { ...full.spec, hostpath: {}, nfs: { server: 'a', anything: 1 } } }), ['spec.hostpath']);
  const claim = pvc({}, { status: { phase: 'Bound', conditions: [{ type: 'Resizing', status: 'True' }], modifyVolumeStatus: { status: 'Pending' }, currentVolumeAttributesClassName: 'x' } } as Partial<KubeObject>);
  assert.deepEqual(findUnknownFields('persistentvolumeclaims', claim), []);
  assert.deepEqual(findUnknownFields('storageclasses', { ...sc({ mountOptions: ['ro'], allowedTopologies: [{ matchLabelExpressions: [{ key: 'k', values: ['v'] }] }] }), provsioner: 'x' }), ['provsioner']);
});
