// Entry points of object validation, dispatching on the resource (plural, as in the URL).
// Objects are expected to be decoded and defaulted; an unknown resource has no rules and gets no causes.

import type { FieldCause } from '../../errors.js';
import type { KubeObject, Pod } from '../../k8s/types.js';
import {
  validateConfigMap,
  validateConfigMapUpdate,
  validateNamespace,
  validateNamespaceUpdate,
  validateNode,
  validateNodeUpdate,
  validateSecret,
  validateSecretUpdate,
} from './objects.js';
import { validatePod, validatePodUpdate } from './pod.js';
import { validateLease, validateLeaseUpdate } from './lease.js';
import { validateEventCreate, validateEventUpdate } from './events.js';
import { refuseLegacyTokenSecret, validateServiceAccount, validateServiceAccountUpdate } from '../../serviceaccounts/validation.js';
import {
  validatePersistentVolume,
  validatePersistentVolumeClaim,
  validatePersistentVolumeClaimStatusUpdate,
  validatePersistentVolumeClaimUpdate,
  validatePersistentVolumeStatusUpdate,
  validatePersistentVolumeUpdate,
  validateStorageClass,
  validateStorageClassUpdate,
} from './storage.js';

type CreateRule = (obj: KubeObject) => FieldCause[];
type UpdateRule = (obj: KubeObject, old: KubeObject) => FieldCause[];

const CREATE: Record<string, CreateRule> = {
  pods: (obj) => validatePod(obj as Pod),
  configmaps: validateConfigMap,
  secrets: (obj) => [...validateSecret(obj), ...refuseLegacyTokenSecret(obj)],
  serviceaccounts: validateServiceAccount,
  namespaces: validateNamespace,
  nodes: validateNode,
  events: (obj) => validateEventCreate(obj),
  persistentvolumes: validatePersistentVolume,
  persistentvolumeclaims: validatePersistentVolumeClaim,
  storageclasses: validateStorageClass,
  leases: validateLease,
};

const UPDATE: Record<string, UpdateRule> = {
  pods: (obj, old) => validatePodUpdate(obj as Pod, old as Pod),
  configmaps: validateConfigMapUpdate,
  secrets: validateSecretUpdate,
  serviceaccounts: validateServiceAccountUpdate,
  namespaces: validateNamespaceUpdate,
  nodes: validateNodeUpdate,
  events: (obj, old) => validateEventUpdate(obj, old),
  persistentvolumes: validatePersistentVolumeUpdate,
  persistentvolumeclaims: validatePersistentVolumeClaimUpdate,
  storageclasses: validateStorageClassUpdate,
  leases: validateLeaseUpdate,
};

/** Updates through the status subresource, where a kind has its own rules for them. */
const STATUS_UPDATE: Record<string, UpdateRule> = {
  persistentvolumes: validatePersistentVolumeStatusUpdate,
  persistentvolumeclaims: validatePersistentVolumeClaimStatusUpdate,
};

/** Causes that make `obj` invalid to create as `resource`; empty when it is valid. */
export function validateCreate(resource: string, obj: KubeObject): FieldCause[] {
  return Object.hasOwn(CREATE, resource) ? CREATE[resource](obj) : [];
}

/** Causes that make replacing `old` with `obj` invalid; empty when the update is valid. */
export function validateUpdate(resource: string, obj: KubeObject, old: KubeObject): FieldCause[] {
  return Object.hasOwn(UPDATE, resource) ? UPDATE[resource](obj, old) : [];
}

/**
 * Causes that make a status-subresource update of `old` to `obj` invalid; empty when it is valid or when
 * `resource` has no status rules of its own.
 */
export function validateStatusUpdate(resource: string, obj: KubeObject, old: KubeObject): FieldCause[] {
  return Object.hasOwn(STATUS_UPDATE, resource) ? STATUS_UPDATE[resource](obj, old) : [];
}

export { validateEphemeralContainersUpdate } from './pod.js';
