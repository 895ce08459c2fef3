// Pod update rules (upstream ValidatePodUpdate, ValidatePodEphemeralContainersUpdate).
//
// A pod's spec is immutable except: container and init-container images, activeDeadlineSeconds (set when
// unset, or lowered), tolerations (additions; tolerationSeconds of existing ones may change),
// terminationGracePeriodSeconds going from negative to 1, schedulingGates (removals), and while gated,
// nodeSelector (additions). The check copies those fields from the old
// spec into the new one and compares what is left semantically.
//
// spec.ephemeralContainers are also left out of the comparison: upstream's PrepareForUpdate copies the old
// ones into the new pod before validation (they change only through pods/ephemeralcontainers), and the
// API layer must do the same.

import type { FieldCause } from '../../errors.js';
import type { ObjectMeta, Pod } from '../../k8s/types.js';
import { asArray, asObject, forbidden, invalid, isObject, type Json, required, str } from './field.js';
import { validateObjectMetaUpdate } from './meta.js';
import { inclusiveRangeError } from './names.js';
import { validateEphemeralContainers } from './ephemeral.js';
import { semanticEqual } from './semantic.js';
import { validateTolerations } from './tolerations.js';
import { validateVolumes } from './volumes.js';

const POD_META = { namespaced: true, name: 'subdomain' } as const;
export const POD_UPDATE_FORBIDDEN =
  'pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,' +
  '`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),' +
  '`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)';

const MAX_INT32 = 2147483647;

function validateContainerUpdates(spec: Json, old: Json, kind: 'containers' | 'initContainers'): FieldCause[] {
  const list = asArray(spec[kind]);
  if (list.length !== asArray(old[kind]).length) {
    return [forbidden(`spec.${kind}`, 'pod updates may not add or remove containers')];
  }
  const errs: FieldCause[] = [];
  list.forEach((c, i) => {
    if (!str(asObject(c).image)) errs.push(required(`spec.${kind}[${i}].image`));
  });
  return errs;
}

function validateDeadlineUpdate(spec: Json, old: Json): FieldCause[] {
  const field = 'spec.activeDeadlineSeconds';
  const next = spec.activeDeadlineSeconds;
  const prev = old.activeDeadlineSeconds;
  if (next === undefined || next === null) {
    return prev === undefined || prev === null ? [] : [invalid(field, null, 'must not update from a positive integer to nil value')];
  }
  if (typeof next !== 'number' || !Number.isInteger(next) || next < 0 || next > MAX_INT32) {
    return [invalid(field, next, inclusiveRangeError(0, MAX_INT32))];
  }
  if (typeof prev === 'number' && prev < next) return [invalid(field, next, 'must be less than or equal to previous value')];
  return [];
}

/** Every old toleration must still be there; only its tolerationSeconds may differ. */
function validateOnlyAddedTolerations(spec: Json, old: Json): FieldCause[] {
  const next = asArray(spec.tolerations).map(asObject);
  for (const o of asArray(old.tolerations).map(asObject)) {
    const found = next.some((n) => semanticEqual({ ...o, tolerationSeconds: n.tolerationSeconds }, n));
    if (!found) return [forbidden('spec.tolerations', 'existing toleration can not be modified except its tolerationSeconds')];
  }
  return validateTolerations(spec.tolerations, 'spec.tolerations');
}

/**
 * Scheduling gates may only be removed; while the old pod was gated, its nodeSelector may gain keys
 * (upstream allows node affinity terms to be added too; here they stay as they are).
 */
function validateSchedulingUpdate(spec: Json, old: Json): FieldCause[] {
  const errs: FieldCause[] = [];
  const oldGates = new Set(asArray(old.schedulingGates).map((g) => str(asObject(g).name)));
  for (const g of asArray(spec.schedulingGates)) {
    const name = str(asObject(g).name);
    if (!oldGates.has(name)) errs.push(forbidden('spec.schedulingGates', `only deletion is allowed, but found new scheduling gate '${name}'`));
  }
  if (oldGates.size) {
    const next = asObject(spec.nodeSelector);
    for (const [k, v] of Object.entries(asObject(old.nodeSelector))) {
      if (next[k] !== v) {
        errs.push(forbidden('spec.nodeSelector', 'only additions to spec.nodeSelector are allowed (no mutations or deletions)'));
        break;
      }
    }
  }
  return errs;
}

/** The new spec with every mutable field replaced by its old value. */
function mungeSpec(spec: Json, old: Json): Json {
  const munged: Json = structuredClone(spec);
  munged.schedulingGates = old.schedulingGates;
  if (asArray(old.schedulingGates).length) munged.nodeSelector = old.nodeSelector;
  for (const kind of ['containers', 'initContainers'] as const) {
    const oldList = asArray(old[kind]);
    munged[kind] = asArray(munged[kind]).map((c, i) => ({ ...asObject(c), image: asObject(oldList[i]).image }));
  }
  munged.activeDeadlineSeconds = old.activeDeadlineSeconds;
  munged.tolerations = old.tolerations;
  munged.ephemeralContainers = old.ephemeralContainers;
  const oldGrace = old.terminationGracePeriodSeconds;
  if (typeof oldGrace === 'number' && oldGrace < 0 && munged.terminationGracePeriodSeconds === 1) {
    munged.terminationGracePeriodSeconds = oldGrace;
  }
  return munged;
}

/** Validation of a pod update through the main resource (PUT/PATCH of pods/NAME). */
/** The annotation that makes a pod the node's mirror of a static pod: only the node sets it (static-pods/source.ts). */
const MIRROR = 'kubernetes.io/config.mirror';

/** A pod's mirror annotation may not be added, removed or changed through the API (the kubelet's rule). */
export function validateMirrorAnnotationUpdate(pod: Pod, old: Pod): FieldCause[] {
  const now = pod.metadata?.annotations?.[MIRROR];
  const before = old.metadata?.annotations?.[MIRROR];
  return now === before ? [] : [forbidden(`metadata.annotations[${MIRROR}]`, 'may not add, remove or change the mirror pod annotation')];
}

export function validatePodUpdate(pod: Pod, old: Pod): FieldCause[] {
  const errs = validateObjectMetaUpdate(pod.metadata, old.metadata, POD_META);
  errs.push(...validateMirrorAnnotationUpdate(pod, old));
  const spec = asObject(pod.spec);
  const ospec = asObject(old.spec);
  const containerErrs = [...validateContainerUpdates(spec, ospec, 'containers'), ...validateContainerUpdates(spec, ospec, 'initContainers')];
  if (containerErrs.some((e) => e.type === 'FieldValueForbidden')) return [...errs, ...containerErrs];
  errs.push(...containerErrs);
  errs.push(...validateDeadlineUpdate(spec, ospec));
  errs.push(...validateOnlyAddedTolerations(spec, ospec));
  errs.push(...validateSchedulingUpdate(spec, ospec));
  if (!semanticEqual(mungeSpec(spec, ospec), ospec)) errs.push(forbidden('spec', POD_UPDATE_FORBIDDEN));
  return errs;
}

/**
 * Validation of an update through pods/ephemeralcontainers: existing ephemeral containers may be neither
 * changed nor removed, and new ones must be valid. Other spec changes are not looked at (that
 * subresource's strategy keeps only spec.ephemeralContainers from the request).
 */
export function validateEphemeralContainersUpdate(pod: Pod, old: Pod): FieldCause[] {
  const errs = validateObjectMetaUpdate(pod.metadata as ObjectMeta, old.metadata, POD_META);
  errs.push(...validateMirrorAnnotationUpdate(pod, old));
  const spec = asObject(pod.spec);
  const byName = new Map(asArray(spec.ephemeralContainers).map((c) => [str(asObject(c).name), c] as const));
  asArray(asObject(old.spec).ephemeralContainers).forEach((raw, i) => {
    const c = asObject(raw);
    const name = str(c.name);
    const now = byName.get(name);
    if (!isObject(now)) {
      errs.push(forbidden('spec.ephemeralContainers', `existing ephemeral containers "${name}" may not be removed`));
    } else if (!semanticEqual(c, now)) {
      errs.push(forbidden(`spec.ephemeralContainers[${i}]`, `existing ephemeral containers "${name}" may not be changed`));
    }
  });
  errs.push(...validateEphemeralContainers(spec, validateVolumes(spec.volumes, 'spec.volumes').names));
  return errs;
}
