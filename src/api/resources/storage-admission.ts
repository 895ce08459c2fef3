// The API server's admission plugins and strategy steps for the persistent storage kinds:
// DefaultStorageClass, PersistentVolumeClaimResize and StorageObjectInUseProtection (plugin/pkg/admission/
// storage), and what the PV/PVC strategies do to status on create and on status updates.

import type { KubeObject } from '../../k8s/types.js';
import { STORAGE, type PersistentVolume, type PersistentVolumeClaim, type StorageClass } from '../../k8s/storage-types.js';
import { compareQuantities, isValidQuantity } from '../../k8s/quantity.js';
import type { ObjectStore } from '../../store/store.js';
import { forbidden } from '../api-errors.js';
import { rfc3339 } from '../time.js';
import { claimClassName, claimHasClass, defaultClassOf } from '../../storage/classes.js';

/**
 * The default StorageClass (GetDefaultClass, 1.28+): of the classes marked default, the newest by
 * creationTimestamp, then the first by name; undefined when none is marked.
 */
export function defaultStorageClass(store: ObjectStore): StorageClass | undefined {
  return defaultClassOf(store.list<StorageClass>('storageclasses').items);
}

/**
 * DefaultStorageClass admission, for a new claim: one that names no class (no beta annotation and
 * spec.storageClassName absent or null, but not "") gets the default class's name, when there is one.
 * Mutates `pvc`.
 */
export function admitNewClaim(store: ObjectStore, pvc: PersistentVolumeClaim): void {
  if (!pvc.spec || typeof pvc.spec !== 'object' || claimHasClass(pvc)) return;
  const def = defaultStorageClass(store);
  if (def?.metadata.name) pvc.spec.storageClassName = def.metadata.name;
}

const storageRequest = (pvc: KubeObject): unknown => (pvc as PersistentVolumeClaim).spec?.resources?.requests?.storage;

/**
 * PersistentVolumeClaimResize admission, for an update of a claim's spec (not its status): a larger
 * storage request needs a bound claim whose class (unchanged) allows volume expansion. Throws the 403 the
 * API server answers; returns when the update may go on.
 */
export function admitClaimUpdate(store: ObjectStore, pvc: PersistentVolumeClaim, old: PersistentVolumeClaim): void {
  const newSize = storageRequest(pvc);
  const oldSize = storageRequest(old);
  // Invalid quantities are left to validation, as decoding refuses them upstream before admission.
  if (!isValidQuantity(newSize) || !isValidQuantity(oldSize)) return;
  if (compareQuantities(newSize as string, oldSize as string) <= 0) return;
  const name = pvc.metadata?.name ?? '';
  const refuse = (why: string) => forbidden(`persistentvolumeclaims "${name}" is forbidden: ${why}`, { name, kind: 'persistentvolumeclaims' });
  if (old.status?.phase !== 'Bound') throw refuse('Only bound persistent volume claims can be expanded');
  const cls = claimClassName(pvc);
  const allowed = cls !== '' && cls === claimClassName(old) && store.tryGet<StorageClass>('storageclasses', undefined, cls)?.allowVolumeExpansion === true;
  if (!allowed) throw refuse('only dynamically provisioned pvc can be resized and the storageclass that provisions the pvc must support resize');
}

/**
 * StorageObjectInUseProtection admission, for a new PersistentVolume or PersistentVolumeClaim: adds the
 * kubernetes.io/pv-protection or kubernetes.io/pvc-protection finalizer (once; other finalizers stay).
 * Other resources are left alone. Mutates `obj`.
 */
export function admitNewStorageObject(resource: string, obj: KubeObject): void {
  const finalizer = resource === 'persistentvolumes' ? STORAGE.pvProtection : resource === 'persistentvolumeclaims' ? STORAGE.pvcProtection : undefined;
  if (!finalizer || !obj.metadata) return;
  const finalizers = Array.isArray(obj.metadata.finalizers) ? obj.metadata.finalizers : [];
  if (!finalizers.includes(finalizer)) finalizers.push(finalizer);
  obj.metadata.finalizers = finalizers;
}

/**
 * The PV/PVC strategies' PrepareForCreate for status: a new volume's status is only phase Pending with
 * lastPhaseTransitionTime now (PersistentVolumeLastPhaseTransitionTime, GA); a new claim's only phase
 * Pending. Whatever status the client sent is dropped. Other resources are left alone.
 */
export function prepareStorageStatusOnCreate(resource: string, obj: KubeObject, now: number): void {
  if (resource === 'persistentvolumes') (obj as PersistentVolume).status = { phase: 'Pending', lastPhaseTransitionTime: rfc3339(now) };
  else if (resource === 'persistentvolumeclaims') (obj as PersistentVolumeClaim).status = { phase: 'Pending' };
}

/**
 * The PV strategy's PrepareForUpdate on the status subresource: when the phase changes and the writer did
 * not set a new lastPhaseTransitionTime, it becomes now; when the phase stays and the writer sent none, the
 * stored one is kept. Other resources are left alone.
 */
export function prepareStorageStatusUpdate(resource: string, obj: KubeObject, old: KubeObject, now: number): void {
  if (resource !== 'persistentvolumes') return;
  const pv = obj as PersistentVolume;
  const prev = (old as PersistentVolume).status ?? {};
  const status = pv.status ?? {};
  if (status.phase === prev.phase) {
    // The phase stays: an omitted time keeps the stored one.
    if (!status.lastPhaseTransitionTime && prev.lastPhaseTransitionTime) pv.status = { ...status, lastPhaseTransitionTime: prev.lastPhaseTransitionTime };
  } else if (!status.lastPhaseTransitionTime || status.lastPhaseTransitionTime === prev.lastPhaseTransitionTime) {
    pv.status = { ...status, lastPhaseTransitionTime: rfc3339(now) };
  }
}
