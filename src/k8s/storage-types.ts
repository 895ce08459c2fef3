// Persistent storage shapes: core/v1 PersistentVolume and PersistentVolumeClaim, storage.k8s.io/v1
// StorageClass (the subset peapod acts on; field names and optionality as upstream, so objects
// round-trip with kubectl). Quantities stay as the client wrote them (k8s/quantity.ts parses them).

import type { HostPathVolumeSource, KubeObject, ObjectReference } from './types.js';
import type { NodeSelectorTerm } from './node-selector.js';

export type PersistentVolumeAccessMode = 'ReadWriteOnce' | 'ReadOnlyMany' | 'ReadWriteMany' | 'ReadWriteOncePod';
export type PersistentVolumeMode = 'Filesystem' | 'Block';
export type ReclaimPolicy = 'Retain' | 'Delete' | 'Recycle';
export type VolumeBindingMode = 'Immediate' | 'WaitForFirstConsumer';

export interface LabelSelectorRequirement {
  key: string;
  operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist';
  values?: string[];
}

export interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: LabelSelectorRequirement[];
}

/** PersistentVolumeSpec.nodeAffinity (required for `local` volumes). */
export interface VolumeNodeAffinity {
  required?: { nodeSelectorTerms: NodeSelectorTerm[] };
}

export interface PersistentVolumeSpec {
  capacity?: Record<string, string | number>;
  accessModes?: PersistentVolumeAccessMode[];
  claimRef?: ObjectReference;
  persistentVolumeReclaimPolicy?: ReclaimPolicy;
  storageClassName?: string;
  mountOptions?: string[];
  volumeMode?: PersistentVolumeMode;
  nodeAffinity?: VolumeNodeAffinity;
  volumeAttributesClassName?: string;
  hostPath?: HostPathVolumeSource;
  local?: { path: string; fsType?: string };
  /** Any other volume source: refused by validation on this node (it cannot mount it). */
  [source: string]: unknown;
}

export type PersistentVolumePhase = 'Pending' | 'Available' | 'Bound' | 'Released' | 'Failed';

export interface PersistentVolumeStatus {
  phase?: PersistentVolumePhase;
  message?: string;
  reason?: string;
  lastPhaseTransitionTime?: string;
}

export interface PersistentVolume extends KubeObject {
  spec: PersistentVolumeSpec;
  status?: PersistentVolumeStatus;
}

export interface PersistentVolumeClaimSpec {
  accessModes?: PersistentVolumeAccessMode[];
  selector?: LabelSelector;
  resources?: { requests?: Record<string, string | number>; limits?: Record<string, string | number> };
  volumeName?: string;
  storageClassName?: string | null;
  volumeMode?: PersistentVolumeMode;
  dataSource?: ObjectReference;
  dataSourceRef?: ObjectReference;
  volumeAttributesClassName?: string;
}

export type PersistentVolumeClaimPhase = 'Pending' | 'Bound' | 'Lost';

export interface PersistentVolumeClaimCondition {
  type: string;
  status: string;
  lastProbeTime?: string | null;
  lastTransitionTime?: string | null;
  reason?: string;
  message?: string;
}

export interface PersistentVolumeClaimStatus {
  phase?: PersistentVolumeClaimPhase;
  accessModes?: PersistentVolumeAccessMode[];
  capacity?: Record<string, string | number>;
  conditions?: PersistentVolumeClaimCondition[];
  allocatedResources?: Record<string, string | number>;
  allocatedResourceStatuses?: Record<string, string>;
}

export interface PersistentVolumeClaim extends KubeObject {
  spec: PersistentVolumeClaimSpec;
  status?: PersistentVolumeClaimStatus;
}

export interface StorageClass extends KubeObject {
  provisioner: string;
  parameters?: Record<string, string>;
  reclaimPolicy?: ReclaimPolicy;
  mountOptions?: string[];
  allowVolumeExpansion?: boolean;
  volumeBindingMode?: VolumeBindingMode;
  allowedTopologies?: unknown[];
}

/** GetAccessModesAsString: the modes present, each once, always in the order RWO, ROX, RWX, RWOP. */
export function accessModesString(modes: readonly unknown[] | undefined): string {
  const have = new Set(Array.isArray(modes) ? modes : []);
  const short: [PersistentVolumeAccessMode, string][] = [['ReadWriteOnce', 'RWO'], ['ReadOnlyMany', 'ROX'], ['ReadWriteMany', 'RWX'], ['ReadWriteOncePod', 'RWOP']];
  return short.filter(([mode]) => have.has(mode)).map(([, abbr]) => abbr).join(',');
}

/** Annotations and finalizers the storage controllers use, with upstream's names. */
export const STORAGE = {
  /** StorageClass: marks the cluster's default class. */
  defaultClass: 'storageclass.kubernetes.io/is-default-class',
  /** PVC: the scheduler's choice of node for a WaitForFirstConsumer claim. */
  selectedNode: 'volume.kubernetes.io/selected-node',
  /** PVC: which provisioner is asked to make its volume (and the beta name kept beside it). */
  storageProvisioner: 'volume.kubernetes.io/storage-provisioner',
  betaStorageProvisioner: 'volume.beta.kubernetes.io/storage-provisioner',
  /** PVC: set by the binder when it bound the claim. */
  bindCompleted: 'pv.kubernetes.io/bind-completed',
  boundByController: 'pv.kubernetes.io/bound-by-controller',
  /** PV: which provisioner made it. */
  provisionedBy: 'pv.kubernetes.io/provisioned-by',
  pvcProtection: 'kubernetes.io/pvc-protection',
  pvProtection: 'kubernetes.io/pv-protection',
  /** The local-path provisioner's name (k3s and rancher's local-path-provisioner use this one). */
  localPathProvisioner: 'rancher.io/local-path',
} as const;
