// Matching a PersistentVolumeClaim to a PersistentVolume, as kube-controller-manager's PV controller does
// it (pkg/controller/volume/persistentvolume: findMatchingVolume, the access-mode index, and
// checkVolumeSatisfyClaim). Pure functions over plain objects: the controller reads the store, this decides.
//
// A volume fits a claim when: it is not being deleted; its volumeMode equals the claim's (Filesystem when
// unset); its storageClassName equals the claim's ("" or unset on both sides means "no class"); its access
// modes include every mode the claim asks for; its capacity is at least the claim's request; the claim's
// label selector matches its labels; it is Available and not reserved for another claim; and, when a node
// is given (WaitForFirstConsumer with the node chosen), its nodeAffinity allows that node. The claim's class
// is read as upstream's GetPersistentVolumeClaimClass: the beta annotation first (classes.ts). Among those the
// one with the fewest access modes, then the smallest capacity, wins (upstream walks its index by mode set,
// smallest set first, and takes the smallest volume of the first set with a fit). A volume reserved for
// this very claim (claimRef naming it, with or without uid) wins before any other, even when not Available.

import { compareQuantities, quantityToBytes } from '../k8s/quantity.js';
import { matchesLabels } from '../store/selectors.js';
import type { LabelRequirement } from '../store/store.js';
import type {
  LabelSelector,
  PersistentVolume,
  PersistentVolumeClaim,
  VolumeNodeAffinity,
} from '../k8s/storage-types.js';
import type { ObjectReference } from '../k8s/types.js';
import { claimClassName } from './classes.js';
import { nodeSelectorTermsMatch, type NodeFacts } from '../k8s/node-selector.js';

/** The node a WaitForFirstConsumer claim will be used on: its name and labels (kubernetes.io/hostname...). */
export type NodeInfo = NodeFacts;

/** The volume's class: "" when unset. */
export function volumeClass(pv: PersistentVolume): string {
  return pv.spec.storageClassName ?? '';
}

/** The claim's spec.resources.requests.storage, "0" when absent. */
export function claimRequest(claim: PersistentVolumeClaim): string | number {
  return claim.spec.resources?.requests?.storage ?? '0';
}

/** The volume's spec.capacity.storage, "0" when absent. */
export function volumeCapacity(pv: PersistentVolume): string | number {
  return pv.spec.capacity?.storage ?? '0';
}

/** Compares two quantities, treating one that does not parse as 0 (validation refuses those anyway). */
export function compareStorage(a: string | number, b: string | number): number {
  try {
    return compareQuantities(a, b);
  } catch {
    return Math.sign(safeBytes(a) - safeBytes(b));
  }
}

function safeBytes(q: string | number): number {
  try {
    return quantityToBytes(q);
  } catch {
    return 0;
  }
}

/** Whether a label selector matches `labels`: every matchLabels pair and every expression (an empty selector matches all). */
export function selectorMatches(selector: LabelSelector | undefined, labels: Record<string, string> | undefined): boolean {
  if (!selector) return true;
  const reqs: LabelRequirement[] = Object.entries(selector.matchLabels ?? {}).map(([key, v]) => ({ key, operator: 'Equals', values: [v] }));
  for (const e of selector.matchExpressions ?? []) {
    // An operator upstream cannot convert makes the selector match nothing.
    if (!SELECTOR_OPERATORS.has(e.operator)) return false;
    reqs.push({ key: e.key, operator: e.operator, values: e.values ?? [] });
  }
  return matchesLabels(labels, reqs);
}

const SELECTOR_OPERATORS = new Set(['In', 'NotIn', 'Exists', 'DoesNotExist']);

/**
 * Whether the volume's nodeAffinity allows `node` (upstream CheckNodeAffinity): no affinity or no required
 * selector allows every node; otherwise one term must match, a term matching when all its expressions
 * (on labels) and fields (metadata.name only) do. A term with neither matches no node.
 */
export function nodeAffinityAllows(affinity: VolumeNodeAffinity | undefined, node: NodeInfo): boolean {
  if (!affinity?.required) return true;
  return nodeSelectorTermsMatch(affinity.required.nodeSelectorTerms ?? [], node);
}

/** Every access mode the claim asks for is among the volume's (upstream CheckAccessModes). */
export function accessModesContain(pv: PersistentVolume, claim: PersistentVolumeClaim): boolean {
  const have = new Set(pv.spec.accessModes ?? []);
  return (claim.spec.accessModes ?? []).every((m) => have.has(m));
}

/** Filesystem when unset, on both sides (upstream CheckVolumeModeMismatches). */
export function volumeModesMatch(pv: PersistentVolume, claim: PersistentVolumeClaim): boolean {
  return (pv.spec.volumeMode ?? 'Filesystem') === (claim.spec.volumeMode ?? 'Filesystem');
}

/** The claimRef names this claim: same namespace and name, and the same uid when the ref has one. */
export function isVolumeBoundToClaim(pv: PersistentVolume, claim: PersistentVolumeClaim): boolean {
  const ref = pv.spec.claimRef;
  if (!ref) return false;
  if (ref.name !== claim.metadata.name || (ref.namespace ?? '') !== (claim.metadata.namespace ?? '')) return false;
  return !ref.uid || ref.uid === claim.metadata.uid;
}

/**
 * Why the volume a claim names in spec.volumeName cannot be bound to it, or undefined when it can
 * (upstream checkVolumeSatisfyClaim, whose messages these are).
 */
export function checkVolumeSatisfiesClaim(pv: PersistentVolume, claim: PersistentVolumeClaim): string | undefined {
  if (pv.metadata.deletionTimestamp) return `the volume is marked for deletion "${pv.metadata.name}"`;
  if (compareStorage(volumeCapacity(pv), claimRequest(claim)) < 0) return 'requested PV is too small';
  if (volumeClass(pv) !== claimClassName(claim)) return 'storageClassName does not match';
  if (!volumeModesMatch(pv, claim)) return 'incompatible volumeMode';
  if (!accessModesContain(pv, claim)) return 'incompatible accessMode';
  return undefined;
}

/**
 * The best volume for an unbound claim among `volumes`, or undefined. `node` is the node a
 * WaitForFirstConsumer claim was given (then nodeAffinity is checked); `delayBinding` without a node
 * returns only a volume pre-bound to the claim (upstream leaves the others to the scheduler's choice).
 */
export function findMatchingVolume(
  claim: PersistentVolumeClaim,
  volumes: readonly PersistentVolume[],
  node: NodeInfo | undefined,
  delayBinding: boolean,
): PersistentVolume | undefined {
  const request = claimRequest(claim);
  const cls = claimClassName(claim);
  let best: PersistentVolume | undefined;
  for (const pv of volumes) {
    if (pv.metadata.deletionTimestamp) continue;
    if (!volumeModesMatch(pv, claim)) continue;
    const affinityOk = !node || nodeAffinityAllows(pv.spec.nodeAffinity, node);
    if (isVolumeBoundToClaim(pv, claim)) {
      // Reserved for this claim: it wins when it fits at all (the selector is not consulted, as upstream).
      if (compareStorage(volumeCapacity(pv), request) < 0) continue;
      if (volumeClass(pv) !== cls) continue;
      if (!affinityOk) continue;
      if (!accessModesContain(pv, claim)) continue;
      return pv;
    }
    if (delayBinding && !node) continue;
    if (pv.spec.claimRef) continue;
    if ((pv.status?.phase ?? 'Pending') !== 'Available') continue;
    if (volumeClass(pv) !== cls) continue;
    if (!affinityOk) continue;
    if (!accessModesContain(pv, claim)) continue;
    if (compareStorage(volumeCapacity(pv), request) < 0) continue;
    if (!selectorMatches(claim.spec.selector, pv.metadata.labels)) continue;
    if (!best || better(pv, best)) best = pv;
  }
  return best;
}

/** Fewer access modes first, then smaller capacity, then name (for a stable choice). */
function better(a: PersistentVolume, b: PersistentVolume): boolean {
  const modes = (a.spec.accessModes?.length ?? 0) - (b.spec.accessModes?.length ?? 0);
  if (modes !== 0) return modes < 0;
  const size = compareStorage(volumeCapacity(a), volumeCapacity(b));
  if (size !== 0) return size < 0;
  return (a.metadata.name ?? '') < (b.metadata.name ?? '');
}

/** The claimRef a volume gets when bound to `claim` (kind, namespace, name, uid, apiVersion, resourceVersion). */
export function claimRefOf(claim: PersistentVolumeClaim): ObjectReference {
  return {
    kind: 'PersistentVolumeClaim',
    namespace: claim.metadata.namespace,
    name: claim.metadata.name,
    uid: claim.metadata.uid,
    apiVersion: 'v1',
    resourceVersion: claim.metadata.resourceVersion,
  };
}
