// peapod has one node, so pods are bound when admitted: what the scheduler and the API server's pod
// strategy would do between create and the kubelet's first sync.

import type { Node, Pod, PodSpec } from '../../k8s/types.js';
import { outcomeOf, placementOf, schedulingConditions, type PlacementOutcome } from '../../scheduler/predicates.js';
import type { VolumeVerdict } from '../../scheduler/volume-binding.js';
import { computeQosClass } from '../../k8s/qos.js';
import { forbidden } from '../api-errors.js';

/**
 * Fresh status for a created pod, and its binding: a pod that names no node is bound to this one when
 * the scheduler's filters let it (scheduler/predicates.ts); otherwise it stays Pending and unbound with
 * PodScheduled False (SchedulingGated or Unschedulable) for the scheduler to retry. A pod that names a
 * node is left to that node. Returns whether it bound, and the message when it could not be placed.
 */
export function admitPod(pod: Pod, nodeName: string, now: number, node?: Node, volumes?: VolumeVerdict): PlacementOutcome {
  // A pod for another scheduler is that scheduler's to bind: it waits, with no PodScheduled condition.
  if (!pod.spec.nodeName && (pod.spec.schedulerName ?? 'default-scheduler') !== 'default-scheduler') {
    pod.status = { phase: 'Pending', qosClass: computeQosClass(pod.spec as PodSpec) };
    return { bound: false };
  }
  const free = !pod.spec.nodeName;
  const placement = free && node ? placementOf(pod, node, volumes) : undefined;
  const unplaced = placement && !placement.fits ? placement : undefined;
  if (free && !unplaced) pod.spec.nodeName = nodeName;
  const conditions = schedulingConditions(now, unplaced);
  pod.status = {
    phase: 'Pending',
    ...(conditions.length ? { conditions } : {}),
    qosClass: computeQosClass(pod.spec as PodSpec),
  };
  return unplaced ? outcomeOf(unplaced) : { bound: free };
}

/** The PriorityClasses every cluster has (there is no PriorityClass API here, so no others). */
export const SYSTEM_PRIORITY_CLASSES: Record<string, number> = { 'system-cluster-critical': 2000000000, 'system-node-critical': 2000001000 };

/**
 * The API's admission plugins for a new pod, in their order:
 * - Priority: spec.priority from spec.priorityClassName (0 without one); a class this node does not
 *   have, or a priority the client set itself that differs, is refused;
 * - RuntimeClass: this node serves no RuntimeClass objects (node.k8s.io), so a pod that names one is
 *   refused as a cluster refuses a name it does not have, and so is one that sets spec.overhead itself.
 */
export function admitNewPod(pod: Pod): void {
  const name = pod.metadata.name ?? pod.metadata.generateName ?? '';
  const refuse = (why: string) => forbidden(`pods "${name}" is forbidden: ${why}`, { name, kind: 'pods' });
  const pcn = pod.spec.priorityClassName;
  const priority = pcn ? SYSTEM_PRIORITY_CLASSES[pcn] : 0;
  if (priority === undefined) throw refuse(`no PriorityClass with name ${pcn} was found`);
  if (pod.spec.priority !== undefined && pod.spec.priority !== null && pod.spec.priority !== priority) {
    throw refuse(`the integer value of priority (${pod.spec.priority}) must not be provided in pod spec; priority admission controller computed ${priority} from the given PriorityClass name`);
  }
  pod.spec.priority = priority;
  const rc = pod.spec.runtimeClassName;
  if (rc) throw refuse(`pod rejected: RuntimeClass "${rc}" not found`);
  if (pod.spec.overhead && Object.keys(pod.spec.overhead).length) throw refuse('pod rejected: Pod Overhead set without corresponding RuntimeClass defined Overhead');
}

export function isTerminalPhase(pod: Pod): boolean {
  const p = pod.status?.phase;
  return p === 'Succeeded' || p === 'Failed';
}
