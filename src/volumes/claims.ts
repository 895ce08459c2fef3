// A pod's PersistentVolumeClaim volumes, as the scheduler, the kubelet's volume manager and the pod
// manager read them (k8s/types.ts leaves the source untyped: spec.volumes[].persistentVolumeClaim).
// Generic `ephemeral` volumes are not claims here: nothing creates their claim on this node.

import type { Pod, Volume } from '../k8s/types.js';
import { STORAGE, type PersistentVolume, type PersistentVolumeClaim } from '../k8s/storage-types.js';

export interface ClaimVolumeSource {
  claimName: string;
  readOnly?: boolean;
}

/** The volume's persistentVolumeClaim source, when it has one. */
export function claimSource(v: Volume): ClaimVolumeSource | undefined {
  const src = v.persistentVolumeClaim as ClaimVolumeSource | undefined;
  return src && typeof src === 'object' && typeof src.claimName === 'string' ? src : undefined;
}

/** The claim names a pod's volumes use, in spec order (a claim used twice appears twice). */
export function podClaimNames(pod: Pod): string[] {
  const out: string[] = [];
  for (const v of pod.spec.volumes ?? []) {
    const src = claimSource(v);
    if (src) out.push(src.claimName);
  }
  return out;
}

/** Whether the pod uses this claim (same namespace, a volume naming it). */
export function podUsesClaim(pod: Pod, namespace: string | undefined, name: string | undefined): boolean {
  return (pod.metadata.namespace ?? 'default') === (namespace ?? 'default') && podClaimNames(pod).includes(name ?? '');
}

/**
 * Bound as the scheduler's volume binder means it: a volume named and the binder's bind-completed
 * annotation (or, for a claim written straight into the store, phase Bound).
 */
export function claimFullyBound(pvc: PersistentVolumeClaim): boolean {
  if (!pvc.spec.volumeName) return false;
  return Object.hasOwn(pvc.metadata.annotations ?? {}, STORAGE.bindCompleted) || pvc.status?.phase === 'Bound';
}

/**
 * The class a claim asks for: the beta annotation first, then spec.storageClassName (upstream's order);
 * the storage controllers' own definition (storage/classes.ts), so the scheduler and the binder agree.
 */
export { claimClassName } from '../storage/classes.js';

/** The PV's host directory (hostPath or local), or undefined for a source this node cannot mount. */
export function persistentVolumePath(pv: PersistentVolume): { kind: 'hostPath' | 'local'; path: string } | undefined {
  if (pv.spec.hostPath?.path) return { kind: 'hostPath', path: pv.spec.hostPath.path };
  if (pv.spec.local?.path) return { kind: 'local', path: pv.spec.local.path };
  return undefined;
}
