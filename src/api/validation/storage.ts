// Validation of PersistentVolume, PersistentVolumeClaim (upstream pkg/apis/core/validation
// ValidatePersistentVolume*, ValidatePersistentVolumeClaim*, and pkg/volume/validation's mount-option
// check) and StorageClass (pkg/apis/storage/validation ValidateStorageClass*), Kubernetes 1.33 with its
// default feature gates (RecoverVolumeExpansionFailure on, VolumeAttributesClass off: api/defaults.ts drops
// volumeAttributesClassName as the disabled gate does).
//
// Peapod's own refusals, where this node cannot do what Kubernetes would: it serves hostPath and local
// persistent volumes only, in Filesystem mode, applies no mount options to them, runs no Recycle
// reclaimer, and populates no claim from a data source. Those are field errors at the field concerned.

import type { FieldCause } from '../../errors.js';
import type { KubeObject } from '../../k8s/types.js';
import { compareQuantities, formatWholeQuantity, isValidQuantity, quantityToBytes } from '../../k8s/quantity.js';
import { BETA_STORAGE_CLASS_ANNOTATION } from '../../storage/classes.js';
import {
  asArray,
  asObject,
  duplicate,
  forbidden,
  invalid,
  invalidEach,
  isObject,
  type Json,
  notSupported,
  required,
  str,
  tooLong,
} from './field.js';
import { type MetaRules, validateObjectMeta, validateObjectMetaUpdate } from './meta.js';
import { isDNS1123Subdomain, isQualifiedName } from './names.js';
import { validateLabelSelector, validateNodeSelector } from './selectors.js';
import { semanticEqual } from './semantic.js';
import { QUANTITY_ERROR, validatePathNoBacksteps } from './volumes.js';

export const PV_META: MetaRules = { namespaced: false, name: 'subdomain' };
export const PVC_META: MetaRules = { namespaced: true, name: 'subdomain' };
export const STORAGE_CLASS_META: MetaRules = { namespaced: false, name: 'subdomain' };

/** Upstream's supported access modes, sorted as sets.List prints them. */
export const ACCESS_MODES = ['ReadOnlyMany', 'ReadWriteMany', 'ReadWriteOnce', 'ReadWriteOncePod'] as const;
/** The reclaim policies this node carries out (upstream also has Recycle, which peapod has no recycler for). */
export const SERVED_RECLAIM_POLICIES = ['Delete', 'Retain'] as const;
/** The volume modes this node mounts (upstream also has Block). */
export const SERVED_VOLUME_MODES = ['Filesystem'] as const;
export const SERVED_SOURCES_MESSAGE = 'peapod serves hostPath and local persistent volumes only';
export const DATA_SOURCE_MESSAGE = 'peapod cannot populate a volume from a data source (it neither clones claims nor restores snapshots)';
const MOUNT_OPTIONS_MESSAGE = 'may not specify mount options for this volume type';
/** The beta annotation upstream still reads for mount options (the class one is storage/classes.ts's). */
export const MOUNT_OPTIONS_ANNOTATION = 'volume.beta.kubernetes.io/mount-options';

const IMMUTABLE = 'field is immutable';
const HOST_PATH_TYPES = ['', 'BlockDevice', 'CharDevice', 'Directory', 'DirectoryOrCreate', 'File', 'FileOrCreate', 'Socket'];

/**
 * Every PersistentVolumeSource member (1.33) in upstream's checking order, with the name its "more than 1
 * volume type" error carries (upstream reports cephfs as cephFS).
 */
export const PV_SOURCE_TYPES: readonly (readonly [source: string, errorName: string])[] = [
  ['hostPath', 'hostPath'], ['gcePersistentDisk', 'gcePersistentDisk'], ['awsElasticBlockStore', 'awsElasticBlockStore'],
  ['glusterfs', 'glusterfs'], ['flocker', 'flocker'], ['nfs', 'nfs'], ['rbd', 'rbd'], ['quobyte', 'quobyte'],
  ['cephfs', 'cephFS'], ['iscsi', 'iscsi'], ['cinder', 'cinder'], ['fc', 'fc'], ['flexVolume', 'flexVolume'],
  ['azureFile', 'azureFile'], ['vsphereVolume', 'vsphereVolume'], ['photonPersistentDisk', 'photonPersistentDisk'],
  ['portworxVolume', 'portworxVolume'], ['azureDisk', 'azureDisk'], ['scaleIO', 'scaleIO'], ['local', 'local'],
  ['storageos', 'storageos'], ['csi', 'csi'],
];
const SERVED_SOURCES = new Set(['hostPath', 'local']);

const present = (v: unknown): boolean => v !== undefined && v !== null;
const specOf = (obj: KubeObject): Json => asObject(obj.spec);
const statusOf = (obj: KubeObject): Json => asObject(obj.status);

// --- quantities ---

/**
 * A quantity as Quantity.String() prints it (canonical form): "1024Mi" → "1Gi", "1.5G" → "1500M", "0Gi" → "0".
 * Values that are not whole, or in exponent form, keep the client's text.
 */
export function canonicalQuantity(q: unknown): string {
  if (!isValidQuantity(q)) return String(q);
  const text = String(q);
  if (/[eE]/.test(text)) return text;
  const whole = quantityToBytes(q as string | number);
  if (!Number.isSafeInteger(whole) || compareQuantities(q as string | number, whole) !== 0) return text;
  // Go prints binary quantities under 1024 in decimal form.
  const binary = /[KMGTPE]i$/.test(text) && Math.abs(whole) >= 1024;
  return formatWholeQuantity(whole, binary ? text : String(whole));
}

/** validateBasicResource (a negative Value() is invalid) and, when `positive`, ValidatePositiveQuantityValue. */
function validateStorageQuantity(value: unknown, field: string, basic: boolean): FieldCause[] {
  if (!isValidQuantity(value)) return [invalid(field, value, QUANTITY_ERROR)];
  const q = value as string | number;
  const errs: FieldCause[] = [];
  if (basic && compareQuantities(q, 0) < 0) errs.push(invalid(field, quantityToBytes(q), 'must be a valid resource quantity'));
  if (compareQuantities(q, 0) <= 0) errs.push(invalid(field, canonicalQuantity(q), 'must be greater than zero'));
  return errs;
}

/** Go's %#v of a core.ResourceList, abridged: quantities print as their text. */
function resourceListRepr(list: unknown): string {
  if (!isObject(list)) return 'core.ResourceList(nil)';
  const entries = Object.entries(list).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `core.ResourceList{${entries.map(([k, v]) => `${JSON.stringify(k)}:${JSON.stringify(canonicalQuantity(v))}`).join(', ')}}`;
}

// --- shared spec pieces ---

function validateAccessModes(modes: unknown, field: string): FieldCause[] {
  const errs: FieldCause[] = [];
  let rwop = false;
  let other = false;
  for (const mode of asArray(modes)) {
    if (!(ACCESS_MODES as readonly unknown[]).includes(mode)) errs.push(notSupported(field, mode, ACCESS_MODES));
    if (mode === 'ReadWriteOncePod') rwop = true;
    else if ((ACCESS_MODES as readonly unknown[]).includes(mode)) other = true;
  }
  if (rwop && other) errs.push(forbidden(field, 'may not use ReadWriteOncePod with other access modes'));
  return errs;
}

function validateVolumeMode(mode: unknown, field: string): FieldCause[] {
  if (!present(mode) || (SERVED_VOLUME_MODES as readonly unknown[]).includes(mode)) return [];
  return [notSupported(field, mode, SERVED_VOLUME_MODES)];
}

function validateClassName(name: unknown, field: string): FieldCause[] {
  const s = str(name);
  return s ? invalidEach(field, s, isDNS1123Subdomain(s)) : [];
}

// --- PersistentVolume ---

function validateHostPathSource(src: Json, field: string): FieldCause[] {
  const path = str(src.path);
  if (!path) return [required(`${field}.path`)];
  const errs = validatePathNoBacksteps(path, `${field}.path`);
  if (present(src.type) && !HOST_PATH_TYPES.includes(str(src.type))) errs.push(notSupported(`${field}.type`, src.type, HOST_PATH_TYPES));
  return errs;
}

function validateLocalSource(src: Json, field: string): FieldCause[] {
  const path = str(src.path);
  if (!path) return [required(`${field}.path`)];
  const errs: FieldCause[] = [];
  // peapod bind-mounts the directory itself, so the path must name it absolutely.
  if (!path.startsWith('/')) errs.push(invalid(field, path, 'must be an absolute path'));
  errs.push(...validatePathNoBacksteps(path, `${field}.path`));
  return errs;
}

function validatePersistentVolumeSpec(spec: Json): FieldCause[] {
  const errs: FieldCause[] = [];
  if (asArray(spec.accessModes).length === 0) errs.push(required('spec.accessModes'));
  errs.push(...validateAccessModes(spec.accessModes, 'spec.accessModes'));

  const capacity = spec.capacity;
  const keys = isObject(capacity) ? Object.keys(capacity) : [];
  if (keys.length === 0) errs.push(required('spec.capacity'));
  if (!keys.includes('storage') || keys.length > 1) {
    errs.push({ type: 'FieldValueNotSupported', field: 'spec.capacity', message: `Unsupported value: ${resourceListRepr(capacity)}: supported values: "storage"` });
  }
  for (const k of keys) errs.push(...validateStorageQuantity(asObject(capacity)[k], `spec.capacity[${k}]`, true));

  const policy = spec.persistentVolumeReclaimPolicy;
  if (str(policy) && !(SERVED_RECLAIM_POLICIES as readonly unknown[]).includes(policy)) {
    errs.push(notSupported('spec.persistentVolumeReclaimPolicy', policy, SERVED_RECLAIM_POLICIES));
  }

  const affinitySet = isObject(spec.nodeAffinity);
  if (affinitySet) {
    const affinity = asObject(spec.nodeAffinity);
    if (isObject(affinity.required)) errs.push(...validateNodeSelector(affinity.required, 'spec.nodeAffinity.required'));
    else errs.push(required('spec.nodeAffinity.required', 'must specify required node constraints'));
  }

  let found = 0;
  for (const [source, errorName] of PV_SOURCE_TYPES) {
    if (!present(spec[source])) continue;
    const field = `spec.${source}`;
    // Upstream counts flexVolume without checking for an earlier source.
    if (found > 0 && source !== 'flexVolume') {
      errs.push(forbidden(`spec.${errorName}`, 'may not specify more than 1 volume type'));
      continue;
    }
    found++;
    if (!SERVED_SOURCES.has(source)) {
      errs.push(forbidden(field, SERVED_SOURCES_MESSAGE));
    } else if (source === 'hostPath') {
      errs.push(...validateHostPathSource(asObject(spec.hostPath), field));
    } else {
      errs.push(...validateLocalSource(asObject(spec.local), field));
      if (!affinitySet) errs.push(required('spec.nodeAffinity', 'Local volume requires node affinity'));
    }
  }
  if (found === 0) errs.push(required('spec', 'must specify a volume type'));

  errs.push(...validateClassName(spec.storageClassName, 'spec.storageClassName'));
  errs.push(...validateVolumeMode(spec.volumeMode, 'spec.volumeMode'));
  return errs;
}

/** pkg/volume/validation (the beta mount-options annotation), and peapod: no spec.mountOptions on its sources. */
function validateMountOptions(obj: KubeObject): FieldCause[] {
  const spec = specOf(obj);
  if (!present(spec.hostPath) && !present(spec.local)) return [];
  const errs: FieldCause[] = [];
  if (Object.hasOwn(asObject(obj.metadata?.annotations), MOUNT_OPTIONS_ANNOTATION)) {
    errs.push(forbidden(`metadata.annotations.${MOUNT_OPTIONS_ANNOTATION}`, MOUNT_OPTIONS_MESSAGE));
  }
  if (asArray(spec.mountOptions).length > 0) errs.push(forbidden('spec.mountOptions', MOUNT_OPTIONS_MESSAGE));
  return errs;
}

export function validatePersistentVolume(obj: KubeObject): FieldCause[] {
  return [...validateObjectMeta(obj.metadata, PV_META), ...validatePersistentVolumeSpec(specOf(obj)), ...validateMountOptions(obj)];
}

/** Go field names of the JSON keys the immutability diffs print. */
const GO_NAMES: Record<string, string> = {
  nfs: 'NFS', iscsi: 'ISCSI', fc: 'FC', rbd: 'RBD', csi: 'CSI', cephfs: 'CephFS', scaleIO: 'ScaleIO', storageos: 'StorageOS',
  awsElasticBlockStore: 'AWSElasticBlockStore', gcePersistentDisk: 'GCEPersistentDisk',
};
const goName = (k: string): string => GO_NAMES[k] ?? k.charAt(0).toUpperCase() + k.slice(1);
const goRepr = (v: unknown): string => (present(v) ? JSON.stringify(v) : 'nil');

/** An abridged cmp.Diff of two structs: only the fields that differ, old then new. */
function structDiff(type: string, keys: string[], oldV: Json, newV: Json): string {
  const lines = [`  ${type}{`];
  for (const k of keys) lines.push(`- \t${goName(k)}: ${goRepr(oldV[k])},`, `+ \t${goName(k)}: ${goRepr(newV[k])},`);
  lines.push('  }');
  return lines.join('\n');
}

export function validatePersistentVolumeUpdate(obj: KubeObject, old: KubeObject): FieldCause[] {
  const errs = validateObjectMetaUpdate(obj.metadata, old.metadata, PV_META);
  errs.push(...validatePersistentVolumeSpec(specOf(obj)), ...validateMountOptions(obj));
  const spec = specOf(obj);
  const oldSpec = specOf(old);
  const changed = PV_SOURCE_TYPES.map(([s]) => s).filter((s) => !semanticEqual(spec[s], oldSpec[s]));
  if (changed.length > 0) {
    const diff = structDiff('core.PersistentVolumeSource', changed, oldSpec, spec);
    errs.push(forbidden('spec.persistentvolumesource', `spec.persistentvolumesource is immutable after creation\n${diff}`));
  }
  // Upstream names these two paths without their "spec." prefix.
  if (!semanticEqual(spec.volumeMode, oldSpec.volumeMode)) errs.push(invalid('volumeMode', spec.volumeMode ?? null, IMMUTABLE));
  if (isObject(oldSpec.nodeAffinity) && !semanticEqual(spec.nodeAffinity, oldSpec.nodeAffinity)) {
    errs.push(invalid('nodeAffinity', spec.nodeAffinity ?? null, IMMUTABLE));
  }
  return errs;
}

/** The status subresource: metadata rules only (status is the binder's to write). */
export function validatePersistentVolumeStatusUpdate(obj: KubeObject, old: KubeObject): FieldCause[] {
  const errs = validateObjectMetaUpdate(obj.metadata, old.metadata, PV_META);
  if (!str(obj.metadata?.resourceVersion)) errs.push(required('resourceVersion'));
  return errs;
}

// --- PersistentVolumeClaim ---

function validatePersistentVolumeClaimSpec(spec: Json): FieldCause[] {
  const errs: FieldCause[] = [];
  if (asArray(spec.accessModes).length === 0) errs.push(required('spec.accessModes', 'at least 1 access mode is required'));
  errs.push(...validateLabelSelector(spec.selector, 'spec.selector'));
  errs.push(...validateAccessModes(spec.accessModes, 'spec.accessModes'));
  const requests = asObject(asObject(spec.resources).requests);
  if (!present(requests.storage)) errs.push(required('spec.resources[storage]'));
  else errs.push(...validateStorageQuantity(requests.storage, 'spec.resources[storage]', false));
  errs.push(...validateClassName(spec.storageClassName, 'spec.storageClassName'));
  errs.push(...validateVolumeMode(spec.volumeMode, 'spec.volumeMode'));
  if (present(spec.dataSource)) errs.push(forbidden('spec.dataSource', DATA_SOURCE_MESSAGE));
  if (present(spec.dataSourceRef)) errs.push(forbidden('spec.dataSourceRef', DATA_SOURCE_MESSAGE));
  return errs;
}

export function validatePersistentVolumeClaim(obj: KubeObject): FieldCause[] {
  return [...validateObjectMeta(obj.metadata, PVC_META), ...validatePersistentVolumeClaimSpec(specOf(obj))];
}

/** spec.storageClassName is a pointer upstream: absent (nil) and "" differ. */
const className = (spec: Json): string | undefined => (typeof spec.storageClassName === 'string' ? spec.storageClassName : undefined);

function storageRequest(spec: Json): unknown {
  return asObject(asObject(spec.resources).requests).storage;
}

/** Which spec fields differ, the way Semantic.DeepEqual sees them. */
function changedSpecFields(a: Json, b: Json): string[] {
  const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])];
  return keys.filter((k) => (k === 'storageClassName' ? className(a) !== className(b) : !semanticEqual(a[k], b[k], k)));
}

export function validatePersistentVolumeClaimUpdate(obj: KubeObject, old: KubeObject): FieldCause[] {
  const errs = validateObjectMetaUpdate(obj.metadata, old.metadata, PVC_META);
  errs.push(...validatePersistentVolumeClaimSpec(specOf(obj)));
  const spec = specOf(obj);
  const oldSpec = specOf(old);
  const newClone: Json = { ...spec };
  const oldClone: Json = { ...oldSpec };
  // The binder sets volumeName once.
  if (!str(oldSpec.volumeName)) oldClone.volumeName = spec.volumeName;

  const oldAnn = asObject(old.metadata?.annotations);
  const newAnn = asObject(obj.metadata?.annotations);
  const beta = BETA_STORAGE_CLASS_ANNOTATION;
  const oldHasBeta = Object.hasOwn(oldAnn, beta);
  const newHasBeta = Object.hasOwn(newAnn, beta);
  const upgradeFromAnnotation =
    oldHasBeta && className(oldSpec) === undefined && className(spec) === str(oldAnn[beta]) && className(spec) !== undefined &&
    (!newHasBeta || str(newAnn[beta]) === str(oldAnn[beta]));
  if (upgradeFromAnnotation) {
    delete newClone.storageClassName;
  } else {
    if (str(newAnn[beta]) !== str(oldAnn[beta])) errs.push(invalid(`metadata.annotations.${beta}`, str(newAnn[beta]), IMMUTABLE));
    // A claim without a class may get one later (the retroactive default StorageClass assignment).
    const upgradeFromNil = className(spec) !== undefined && className(oldSpec) === undefined && (!oldHasBeta || className(spec) === str(oldAnn[beta]));
    if (upgradeFromNil) newClone.storageClassName = oldClone.storageClassName;
  }

  const bound = statusOf(obj).phase === 'Bound';
  const newResources = asObject(spec.resources);
  if (bound && isObject(newResources.requests)) {
    newClone.resources = { ...newResources, requests: { ...newResources.requests, storage: storageRequest(oldSpec) } };
  }
  if (bound && present(spec.volumeAttributesClassName)) newClone.volumeAttributesClassName = oldClone.volumeAttributesClassName;

  const changed = changedSpecFields(oldClone, newClone);
  if (changed.length > 0) {
    const diff = structDiff('core.PersistentVolumeClaimSpec', changed, oldClone, newClone);
    errs.push(forbidden('spec', `spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims\n${diff}`));
  }

  // RecoverVolumeExpansionFailure (on by default in 1.33): a request may shrink, but not to status.capacity or below.
  const newSize = storageRequest(spec);
  const oldSize = storageRequest(oldSpec);
  if (isValidQuantity(newSize) && isValidQuantity(oldSize) && compareQuantities(newSize as string, oldSize as string) < 0) {
    const statusSize = asObject(statusOf(old).capacity).storage;
    const status = isValidQuantity(statusSize) ? (statusSize as string) : 0;
    if (compareQuantities(newSize as string, status) <= 0) {
      errs.push(forbidden('spec.resources.requests.storage', 'field can not be less than status.capacity'));
    }
  }
  if (!semanticEqual(spec.volumeMode, oldSpec.volumeMode)) errs.push(invalid('volumeMode', spec.volumeMode ?? null, IMMUTABLE));
  return errs;
}

const RESIZE_STATUSES = ['ControllerResizeInProgress', 'ControllerResizeInfeasible', 'NodeResizeInProgress', 'NodeResizeInfeasible', 'NodeResizePending'];

/** Keys of allocatedResources/allocatedResourceStatuses: qualified names, and of the native ones only storage. */
function validateClaimResourceKey(key: string, field: string): FieldCause[] {
  const errs = invalidEach(field, key, isQualifiedName(key));
  if (errs.length > 0) return errs;
  const native = !key.includes('/') || key.includes('kubernetes.io/');
  return native && key !== 'storage' ? [notSupported(field, key, ['storage'])] : [];
}

/** The status subresource (ValidatePersistentVolumeClaimStatusUpdate, with RecoverVolumeExpansionFailure on). */
export function validatePersistentVolumeClaimStatusUpdate(obj: KubeObject, old: KubeObject): FieldCause[] {
  const errs = validateObjectMetaUpdate(obj.metadata, old.metadata, PVC_META);
  if (!str(obj.metadata?.resourceVersion)) errs.push(required('resourceVersion'));
  if (asArray(specOf(obj).accessModes).length === 0) errs.push(required('Spec.accessModes'));
  const status = statusOf(obj);
  for (const [r, q] of Object.entries(asObject(status.capacity))) {
    const field = `status.capacity[${r}]`;
    if (!isValidQuantity(q)) errs.push(invalid(field, q, QUANTITY_ERROR));
    else if (compareQuantities(q as string, 0) < 0) errs.push(invalid(field, quantityToBytes(q as string), 'must be a valid resource quantity'));
  }
  const statusesField = 'status.allocatedResourceStatus';
  for (const [k, v] of Object.entries(asObject(status.allocatedResourceStatuses))) {
    errs.push(...validateClaimResourceKey(k, statusesField));
    if (!RESIZE_STATUSES.includes(str(v))) errs.push(notSupported(statusesField, k, RESIZE_STATUSES));
  }
  const allocField = 'status.allocatedResources';
  for (const [r, q] of Object.entries(asObject(status.allocatedResources))) {
    const keyErrs = validateClaimResourceKey(r, allocField);
    if (keyErrs.length > 0) {
      errs.push(...keyErrs);
      continue;
    }
    const field = `${allocField}[${r}]`;
    if (!isValidQuantity(q)) errs.push(invalid(field, q, QUANTITY_ERROR));
    else if (compareQuantities(q as string, 0) < 0) errs.push(invalid(field, quantityToBytes(q as string), 'must be a valid resource quantity'));
  }
  return errs;
}

// --- StorageClass ---

const MAX_PARAMETERS = 512;
const MAX_PARAMETERS_SIZE = 256 * 1024;
const BINDING_MODES = ['Immediate', 'WaitForFirstConsumer'];
const CLASS_RECLAIM_POLICIES = ['Delete', 'Retain'];

function validateParameters(params: unknown): FieldCause[] {
  const entries = Object.entries(asObject(params));
  if (entries.length > MAX_PARAMETERS) return [tooLong('parameters', MAX_PARAMETERS)];
  const errs: FieldCause[] = [];
  let size = 0;
  for (const [k, v] of entries) {
    if (k.length < 1) errs.push(invalid('parameters', k, 'field can not be empty.'));
    size += Buffer.byteLength(k) + Buffer.byteLength(str(v));
  }
  if (size > MAX_PARAMETERS_SIZE) errs.push(tooLong('parameters', MAX_PARAMETERS_SIZE));
  return errs;
}

/** allowedTopologies: each term's matchLabelExpressions need values, unique keys and values, and no term twice. */
function validateAllowedTopologies(terms: unknown): FieldCause[] {
  const list = asArray(terms);
  const errs: FieldCause[] = [];
  // Upstream starts its list of seen terms with as many empty ones as there are terms, so an empty term
  // is reported as a duplicate; kept for the same answers.
  const seen: string[] = list.map(() => '{}');
  list.forEach((raw, i) => {
    const exprPath = `allowedTopologies[${i}].matchLabelExpressions`;
    const exprMap: Record<string, string[]> = {};
    asArray(asObject(raw).matchLabelExpressions).forEach((r, j) => {
      const req = asObject(r);
      const p = `${exprPath}[${j}]`;
      const values = asArray(req.values).map(str);
      if (values.length === 0) errs.push(required(`${p}.values`));
      const set = new Set<string>();
      values.forEach((v, k) => {
        if (set.has(v)) errs.push(duplicate(`${p}.values[${k}]`, v));
        set.add(v);
      });
      const key = str(req.key);
      errs.push(...invalidEach(`${p}.key`, key, isQualifiedName(key)));
      if (Object.hasOwn(exprMap, key)) errs.push(duplicate(`${p}.key`, key));
      exprMap[key] = [...set].sort();
    });
    const canon = JSON.stringify(Object.fromEntries(Object.entries(exprMap).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))));
    if (seen.includes(canon)) errs.push(duplicate(exprPath, ''));
    seen.push(canon);
  });
  return errs;
}

export function validateStorageClass(obj: KubeObject): FieldCause[] {
  const errs = validateObjectMeta(obj.metadata, STORAGE_CLASS_META);
  const provisioner = str(obj.provisioner);
  if (!provisioner) errs.push(required('provisioner'));
  else errs.push(...invalidEach('provisioner', provisioner.toLowerCase(), isQualifiedName(provisioner.toLowerCase())));
  errs.push(...validateParameters(obj.parameters));
  if (str(obj.reclaimPolicy) && !CLASS_RECLAIM_POLICIES.includes(str(obj.reclaimPolicy))) {
    errs.push(notSupported('reclaimPolicy', obj.reclaimPolicy, CLASS_RECLAIM_POLICIES));
  }
  if (!present(obj.volumeBindingMode)) errs.push(required('volumeBindingMode'));
  else if (!BINDING_MODES.includes(str(obj.volumeBindingMode))) errs.push(notSupported('volumeBindingMode', obj.volumeBindingMode, BINDING_MODES));
  errs.push(...validateAllowedTopologies(obj.allowedTopologies));
  return errs;
}

export function validateStorageClassUpdate(obj: KubeObject, old: KubeObject): FieldCause[] {
  const errs = validateObjectMetaUpdate(obj.metadata, old.metadata, STORAGE_CLASS_META);
  errs.push(...validateStorageClass(obj).filter((e) => !e.field.startsWith('metadata.')));
  if (!semanticEqual(obj.parameters, old.parameters)) errs.push(forbidden('parameters', 'updates to parameters are forbidden.'));
  if (str(obj.provisioner) !== str(old.provisioner)) errs.push(forbidden('provisioner', 'updates to provisioner are forbidden.'));
  if (str(obj.reclaimPolicy) !== str(old.reclaimPolicy)) errs.push(forbidden('reclaimPolicy', 'updates to reclaimPolicy are forbidden.'));
  if (str(obj.volumeBindingMode) !== str(old.volumeBindingMode)) errs.push(invalid('volumeBindingMode', obj.volumeBindingMode ?? null, IMMUTABLE));
  return errs;
}
