// What a claim's class is, which class is the default, and which nodes a class allows: the one definition
// the PV controller (controller.ts, binder.ts), the local-path provisioner and the scheduler's volume
// binding (through volumes/claims.ts) share. Pure functions over plain objects, upstream's helpers
// (component-helpers/storage/volume: GetPersistentVolumeClaimClass, PersistentVolumeClaimHasClass;
// pkg/volume/util: GetDefaultClass, IsDefaultAnnotation; v1helper.MatchTopologySelectorTerms).
// The API server's storage admission, the Table printers and the CLI's describe read the same ones.

import type { PersistentVolume, PersistentVolumeClaim, StorageClass } from '../k8s/storage-types.js';
import { STORAGE } from '../k8s/storage-types.js';

/** The beta annotation naming a claim's class: when present (even ""), it wins over spec.storageClassName. */
export const BETA_STORAGE_CLASS_ANNOTATION = 'volume.beta.kubernetes.io/storage-class';
/**
 * The provisioner name of a class whose volumes are made by hand (static local PVs): nothing provisions
 * its claims, so a WaitForFirstConsumer claim of it binds only to an existing PV.
 */
export const NO_PROVISIONER = 'kubernetes.io/no-provisioner';
/** The beta default-class annotation, honoured beside storageclass.kubernetes.io/is-default-class. */
export const BETA_DEFAULT_CLASS_ANNOTATION = 'storageclass.beta.kubernetes.io/is-default-class';

/**
 * The class a claim asks for or a volume belongs to (GetPersistentVolumeClaimClass, GetPersistentVolumeClass):
 * the beta annotation when the object has it, else spec.storageClassName; "" for none (unset or null).
 */
export function storageClassOf(obj: PersistentVolumeClaim | PersistentVolume): string {
  const ann = obj.metadata?.annotations ?? {};
  if (Object.hasOwn(ann, BETA_STORAGE_CLASS_ANNOTATION)) return ann[BETA_STORAGE_CLASS_ANNOTATION] ?? '';
  const name = (obj.spec as { storageClassName?: unknown } | undefined)?.storageClassName;
  return typeof name === 'string' ? name : '';
}

/** The class a claim asks for (GetPersistentVolumeClaimClass). */
export function claimClassName(pvc: PersistentVolumeClaim): string {
  return storageClassOf(pvc);
}

/**
 * Whether the claim names a class at all (PersistentVolumeClaimHasClass): the beta annotation is present,
 * or spec.storageClassName is set — "" included, which asks for no class. Such a claim is never given
 * the default class.
 */
export function claimHasClass(pvc: PersistentVolumeClaim): boolean {
  if (Object.hasOwn(pvc.metadata?.annotations ?? {}, BETA_STORAGE_CLASS_ANNOTATION)) return true;
  const name = pvc.spec?.storageClassName;
  return name !== undefined && name !== null;
}

/** Whether the class is marked default (IsDefaultAnnotation: the GA or the beta annotation set to "true"). */
export function isDefaultClass(cls: StorageClass): boolean {
  const ann = cls.metadata?.annotations ?? {};
  return ann[STORAGE.defaultClass] === 'true' || ann[BETA_DEFAULT_CLASS_ANNOTATION] === 'true';
}

/** The default class among `classes`: of those marked default, the newest, then the first by name (GetDefaultClass). */
export function defaultClassOf(classes: readonly StorageClass[]): StorageClass | undefined {
  const defaults = classes.filter(isDefaultClass);
  defaults.sort((a, b) => {
    const ta = Date.parse(a.metadata.creationTimestamp ?? '') || 0;
    const tb = Date.parse(b.metadata.creationTimestamp ?? '') || 0;
    if (ta !== tb) return tb - ta;
    return (a.metadata.name ?? '') < (b.metadata.name ?? '') ? -1 : 1;
  });
  return defaults[0];
}

/** StorageClass.allowedTopologies[]: a term's expressions all hold (a label's value among `values`). */
export interface TopologySelectorTerm {
  matchLabelExpressions?: { key: string; values?: string[] }[];
}

/**
 * Whether a node with `labels` satisfies the class's allowedTopologies (MatchTopologySelectorTerms): no
 * terms allow every node; otherwise one term must match, an empty term matching no node.
 */
export function topologyAllows(cls: StorageClass, labels: Record<string, string> | undefined): boolean {
  const terms = (cls.allowedTopologies ?? []) as TopologySelectorTerm[];
  if (terms.length === 0) return true;
  const l = labels ?? {};
  return terms.some((t) => {
    const exprs = t?.matchLabelExpressions ?? [];
    if (exprs.length === 0) return false;
    return exprs.every((e) => Object.hasOwn(l, e.key) && (e.values ?? []).includes(l[e.key] as string));
  });
}
