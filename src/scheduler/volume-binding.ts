// The scheduler's volume plugins for a pod's PersistentVolumeClaims, read from the store ahead of the
// pure filters (predicates.ts takes the verdict): VolumeRestrictions (a missing claim; a ReadWriteOncePod
// claim another scheduled pod uses) and VolumeBinding (a missing, lost or deleting claim; an unbound
// claim of an Immediate class; a bound claim whose PV is missing or whose nodeAffinity excludes this
// node; an unbound WaitForFirstConsumer claim, which the scheduler gives this node through the
// volume.kubernetes.io/selected-node annotation and then waits for the binder to bind). As upstream's
// FindPodVolumes, such a claim is first matched against the Available PVs for this node (the binder's
// findMatchingVolume, as the PV controller will bind it once the node is selected); one that no PV fits
// must be provisioned, which a class of provisioner kubernetes.io/no-provisioner (static local PVs) never
// does and a class whose allowedTopologies this node does not satisfy may not do here: both find no volume
// to bind (checkVolumeProvisions). A PV that appears or changes later retries the pod (scheduler.ts).
// Messages are upstream's, so FailedScheduling reads as kube-scheduler writes it for one node.
//
// Not done: upstream's pre-binding of the chosen PV's claimRef by the scheduler; here the PV controller
// binds the claim once it has the selected-node annotation, to the PV findMatchingVolume picks then.

import type { Node, Pod } from '../k8s/types.js';
import type { PersistentVolume, PersistentVolumeClaim, StorageClass } from '../k8s/storage-types.js';
import { STORAGE } from '../k8s/storage-types.js';
import type { ObjectStore } from '../store/store.js';
import { claimClassName, claimFullyBound, podClaimNames } from '../volumes/claims.js';
import { NO_PROVISIONER, topologyAllows } from '../storage/classes.js';
import { findMatchingVolume, nodeAffinityAllows, type NodeInfo } from '../storage/binder.js';

/** VolumeBinding's Filter reasons (binder.go ConflictReason), in upstream's order. */
export const VOLUME_NODE_CONFLICT = 'node(s) had volume node affinity conflict';
export const VOLUME_BIND_CONFLICT = "node(s) didn't find available persistent volumes to bind";
export const VOLUME_PV_NOT_EXIST = 'node(s) unavailable due to one or more pvc(s) bound to non-existent pv(s)';
export const UNBOUND_IMMEDIATE = 'pod has unbound immediate PersistentVolumeClaims';
/** VolumeRestrictions' Filter reason for a ReadWriteOncePod claim in use. */
export const RWOP_CONFLICT = 'node has pod using PersistentVolumeClaim with the same name and ReadWriteOncePod access mode';

/** What the volume plugins found for a pod on this node (undefined from volumePlacement: no claims). */
export interface VolumeVerdict {
  /** A PreFilter rejection: the whole cycle's reason (no node count in the message). */
  preFilter?: string;
  /** VolumeRestrictions' Filter rejection (Unschedulable: preemption is tried, and finds no victim). */
  restriction?: string;
  /** VolumeBinding's Filter reasons for this node (UnschedulableAndUnresolvable). */
  binding?: string[];
  /** Unbound WaitForFirstConsumer claims without a selected node yet: to be given this one. */
  toSelect?: string[];
  /** Unbound WaitForFirstConsumer claims already given this node: the binder is provisioning them. */
  provisioning?: string[];
  /** Unbound WaitForFirstConsumer claims for which this node finds no volume to bind (VOLUME_BIND_CONFLICT). */
  conflicts?: string[];
}

const isTerminal = (p: Pod) => p.status?.phase === 'Succeeded' || p.status?.phase === 'Failed';

/** Whether the PV's required nodeAffinity lets it be used on `node` (no affinity: everywhere). */
export function pvFitsNode(pv: PersistentVolume, node: Node): boolean {
  return nodeAffinityAllows(pv.spec.nodeAffinity, { name: node.metadata.name ?? '', labels: node.metadata.labels ?? {} });
}

/**
 * The volume plugins' verdict for `pod` on node `nodeName`, from the store's claims, volumes, classes
 * and scheduled pods. undefined when the pod uses no claim (nothing to check). Reads only.
 */
export function volumePlacement(store: ObjectStore, pod: Pod, nodeName: string): VolumeVerdict | undefined {
  const names = podClaimNames(pod);
  if (!names.length) return undefined;
  const ns = pod.metadata.namespace ?? 'default';
  const claims = new Map<string, PersistentVolumeClaim | undefined>();
  for (const name of names) if (!claims.has(name)) claims.set(name, store.tryGet<PersistentVolumeClaim>('persistentvolumeclaims', ns, name));

  // PreFilter, VolumeRestrictions then VolumeBinding (the lister's NotFound names the resource singular).
  for (const name of names) if (!claims.get(name)) return { preFilter: `persistentvolumeclaim "${name}" not found` };
  for (const name of names) {
    const pvc = claims.get(name)!;
    if (pvc.status?.phase === 'Lost') return { preFilter: `persistentvolumeclaim "${name}" bound to non-existent persistentvolume "${pvc.spec.volumeName ?? ''}"` };
    if (pvc.metadata.deletionTimestamp) return { preFilter: `persistentvolumeclaim "${name}" is being deleted` };
  }
  const bound: PersistentVolumeClaim[] = [];
  const delayed: PersistentVolumeClaim[] = [];
  let immediate = false;
  for (const pvc of claims.values()) {
    if (claimFullyBound(pvc!)) bound.push(pvc!);
    else if (!pvc!.spec.volumeName && isDelayBinding(store, pvc!)) delayed.push(pvc!);
    else immediate = true; // an Immediate claim (or a pre-bound one) the binder has not bound yet
  }
  if (immediate) return { preFilter: UNBOUND_IMMEDIATE };

  const verdict: VolumeVerdict = {};
  // VolumeRestrictions' Filter: a ReadWriteOncePod claim already used by a scheduled, unfinished pod.
  const rwop = [...claims.values()].filter((c) => c!.spec.accessModes?.includes('ReadWriteOncePod')).map((c) => c!.metadata.name ?? '');
  if (rwop.length) {
    const users = store.list<Pod>('pods', { namespace: ns }).items;
    const inUse = users.some((p) => p.metadata.uid !== pod.metadata.uid && p.spec.nodeName && !isTerminal(p) && podClaimNames(p).some((n) => rwop.includes(n)));
    if (inUse) verdict.restriction = RWOP_CONFLICT;
  }

  // VolumeBinding's Filter for this node.
  const node = store.tryGet<Node>('nodes', undefined, nodeName);
  let nodeConflict = false;
  let pvMissing = false;
  for (const pvc of bound) {
    const pv = store.tryGet<PersistentVolume>('persistentvolumes', undefined, pvc.spec.volumeName!);
    if (!pv) {
      pvMissing = true;
      break;
    }
    if (node && !pvFitsNode(pv, node)) {
      nodeConflict = true;
      break;
    }
  }
  // Unbound WaitForFirstConsumer claims: a static PV for this node, else provisioning here. A PV one claim
  // of the pod would take is not counted for another (upstream's findMatchingVolumes).
  const volumes = delayed.length && node ? store.list<PersistentVolume>('persistentvolumes').items : [];
  const taken = new Set<string>();
  for (const pvc of delayed) {
    const name = pvc.metadata.name ?? '';
    const selected = pvc.metadata.annotations?.[STORAGE.selectedNode];
    if (selected !== undefined && selected !== nodeName) (verdict.conflicts ??= []).push(name);
    else if (node && !bindableOn(store, pvc, node, volumes, taken)) (verdict.conflicts ??= []).push(name);
    else if (selected === nodeName) (verdict.provisioning ??= []).push(name);
    else (verdict.toSelect ??= []).push(name);
  }
  const bindConflict = verdict.conflicts !== undefined;
  const reasons = [...(nodeConflict ? [VOLUME_NODE_CONFLICT] : []), ...(bindConflict ? [VOLUME_BIND_CONFLICT] : []), ...(pvMissing ? [VOLUME_PV_NOT_EXIST] : [])];
  if (reasons.length) verdict.binding = reasons;
  return verdict;
}

/**
 * Whether an unbound WaitForFirstConsumer claim can get a volume on `node` (FindPodVolumes): a PV the PV
 * controller would bind it to there (findMatchingVolume with the node's labels, as controller.ts reads
 * them; the PV is added to `taken`), or else provisioning (checkVolumeProvisions): never for a class of
 * provisioner kubernetes.io/no-provisioner, and only when the node's labels satisfy the class's
 * allowedTopologies.
 */
function bindableOn(store: ObjectStore, pvc: PersistentVolumeClaim, node: Node, volumes: readonly PersistentVolume[], taken: Set<string>): boolean {
  const name = node.metadata.name ?? '';
  const info: NodeInfo = { name, labels: node.metadata.labels ?? { 'kubernetes.io/hostname': name } };
  const pv = findMatchingVolume(pvc, volumes.filter((v) => !taken.has(v.metadata.name ?? '')), info, true);
  if (pv) {
    taken.add(pv.metadata.name ?? '');
    return true;
  }
  const cls = store.tryGet<StorageClass>('storageclasses', undefined, claimClassName(pvc));
  if (!cls) return true;
  return cls.provisioner !== NO_PROVISIONER && topologyAllows(cls, node.metadata.labels);
}

/** WaitForFirstConsumer: the claim's class exists and says so (no class, or a missing one: Immediate). */
function isDelayBinding(store: ObjectStore, pvc: PersistentVolumeClaim): boolean {
  const name = claimClassName(pvc);
  if (!name) return false;
  return store.tryGet<StorageClass>('storageclasses', undefined, name)?.volumeBindingMode === 'WaitForFirstConsumer';
}
