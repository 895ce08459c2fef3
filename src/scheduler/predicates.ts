// Whether a pod may be placed on this node, as the default scheduler's filters decide it for a cluster
// of one node (pure): scheduling gates first (the pod waits, SchedulingGated), then NodeAffinity
// (spec.nodeSelector and requiredDuringSchedulingIgnoredDuringExecution), TaintToleration (NoSchedule
// and NoExecute taints of the node) and PodTopologySpread (a DoNotSchedule constraint needs the node to
// carry its topology key; with one node the skew is always 0). Resources are not checked here: the node
// admits or rejects a bound pod itself (OutOfcpu, pods/admission.ts), as it does a pod bound by name.
// Preferred terms and ScheduleAnyway constraints only rank nodes, and there is one.
// The volume plugins (VolumeRestrictions, VolumeBinding) read claims and volumes from the store, so their
// verdict is computed first (volume-binding.ts volumePlacement) and passed in: a PreFilter rejection
// comes before every node filter, their Filter reasons in the default profile's order, and a pod whose
// WaitForFirstConsumer claims are still being provisioned waits (WaitingForVolumes: not bound, and no
// condition or event, as upstream's pod waits in the binding cycle's PreBind).

import type { Node, Pod, PodCondition } from '../k8s/types.js';
import { rfc3339 } from '../api/time.js';
import { nodeSelectorTermsMatch, type NodeSelectorTerm } from '../k8s/node-selector.js';
import type { VolumeVerdict } from './volume-binding.js';

export type Placement =
  | { fits: true }
  | { fits: false; reason: 'SchedulingGated' | 'Unschedulable'; message: string; failures: string[] }
  /**
   * Fits, but WaitForFirstConsumer claims must be bound first: `select` are to be given this node
   * (volume.kubernetes.io/selected-node), `provisioning` have it already. The pod stays unbound and
   * its PodScheduled condition is left as it is (a new pod gets none: see schedulingConditions).
   */
  | { fits: false; reason: 'WaitingForVolumes'; message: string; failures: []; select: string[]; provisioning: string[] };

/** What a placement means for the pod: bound here, or the message its FailedScheduling event gives. */
export interface PlacementOutcome {
  bound: boolean;
  unschedulable?: string;
}

export function outcomeOf(p: Placement): PlacementOutcome {
  if (p.fits) return { bound: true };
  return p.reason === 'Unschedulable' ? { bound: false, unschedulable: p.message } : { bound: false };
}

export const GATED_MESSAGE = 'Scheduling is blocked due to non-empty scheduling gates';
export const AFFINITY_FAILURE = "node(s) didn't match Pod's node affinity/selector";

interface Taint {
  key?: string;
  value?: string;
  effect?: string;
}
interface Toleration {
  key?: string;
  operator?: string;
  value?: string;
  effect?: string;
}

/** NodeAffinity: every nodeSelector label, and one of the required terms (when there are terms). */
export function matchesNodeAffinity(pod: Pod, node: Node): boolean {
  const labels = node.metadata.labels ?? {};
  for (const [k, v] of Object.entries(pod.spec.nodeSelector ?? {})) if (labels[k] !== v) return false;
  const affinity = pod.spec.affinity as { nodeAffinity?: { requiredDuringSchedulingIgnoredDuringExecution?: { nodeSelectorTerms?: NodeSelectorTerm[] } } } | undefined;
  const required = affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution;
  if (!required) return true;
  return nodeSelectorTermsMatch(required.nodeSelectorTerms ?? [], { name: node.metadata.name ?? '', labels });
}

function tolerates(t: Toleration, taint: Taint): boolean {
  if (t.effect && t.effect !== taint.effect) return false;
  if (t.key && t.key !== taint.key) return false;
  if (!t.key && t.operator !== 'Exists') return false;
  return t.operator === 'Exists' || (t.value ?? '') === (taint.value ?? '');
}

/** The first NoSchedule/NoExecute taint the pod does not tolerate. */
export function untoleratedTaint(pod: Pod, node: Node): Taint | undefined {
  const taints = ((node.spec as { taints?: Taint[] } | undefined)?.taints ?? []).filter((t) => t.effect === 'NoSchedule' || t.effect === 'NoExecute');
  const tolerations = (pod.spec.tolerations ?? []) as Toleration[];
  return taints.find((taint) => !tolerations.some((t) => tolerates(t, taint)));
}

const NOT_HELPFUL = 'preemption: 0/1 nodes are available: 1 Preemption is not helpful for scheduling.';
/** DefaultPreemption when a filter said Unschedulable (not Unresolvable): peapod preempts nothing. */
const NO_VICTIMS = 'preemption: 0/1 nodes are available: 1 No preemption victims found for incoming pod.';

/**
 * Where this node cannot take the pod, in the scheduler's words for one node: a PreFilter rejection of
 * the volume plugins first (its message has no node count), then the filters in the default profile's
 * order (NodeUnschedulable, TaintToleration, NodeAffinity, VolumeRestrictions, VolumeBinding,
 * PodTopologySpread); the first that fails is the node's reason. `volumes` is volumePlacement's verdict
 * for the pod (undefined: it uses no claim, or the caller did not look).
 */
export function placementOf(pod: Pod, node: Node, volumes?: VolumeVerdict): Placement {
  const gates = (pod.spec.schedulingGates as unknown[] | undefined) ?? [];
  if (gates.length) return { fits: false, reason: 'SchedulingGated', message: GATED_MESSAGE, failures: [] };
  if (volumes?.preFilter) {
    return { fits: false, reason: 'Unschedulable', message: `0/1 nodes are available: ${volumes.preFilter}. ${NOT_HELPFUL}`, failures: [volumes.preFilter] };
  }
  const nodeFailure = firstFailure(pod, node, false);
  const failures = nodeFailure !== undefined ? [nodeFailure] : volumes?.restriction ? [volumes.restriction] : volumes?.binding?.length ? volumes.binding : [];
  const spread = failures.length ? undefined : firstFailure(pod, node, true);
  if (spread !== undefined) failures.push(spread);
  if (failures.length) {
    const counted = failures.map((f) => `1 ${f}`).sort().join(', ');
    const preemption = nodeFailure === undefined && volumes?.restriction ? NO_VICTIMS : NOT_HELPFUL;
    return { fits: false, reason: 'Unschedulable', message: `0/1 nodes are available: ${counted}. ${preemption}`, failures };
  }
  const select = volumes?.toSelect ?? [];
  const provisioning = volumes?.provisioning ?? [];
  if (select.length || provisioning.length) return { fits: false, reason: 'WaitingForVolumes', message: '', failures: [], select, provisioning };
  return { fits: true };
}

/**
 * The PodScheduled conditions a placement gives a pod that has none yet: one, except while it waits for
 * its volumes (upstream's pod sits in PreBind with its status untouched).
 */
export function schedulingConditions(now: number, unplaced?: Placement): PodCondition[] {
  if (unplaced?.fits === false && unplaced.reason === 'WaitingForVolumes') return [];
  return [scheduledCondition(now, unplaced && !unplaced.fits ? unplaced : undefined)];
}

const UNSCHEDULABLE_TAINT: Taint = { key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' };

/** The first node filter that fails: those before the volume plugins, or (spread) PodTopologySpread. */
function firstFailure(pod: Pod, node: Node, spread: boolean): string | undefined {
  const labels = node.metadata.labels ?? {};
  if (spread) {
    const constraints = (pod.spec.topologySpreadConstraints as { topologyKey?: string; whenUnsatisfiable?: string }[] | undefined) ?? [];
    if (constraints.some((c) => (c.whenUnsatisfiable ?? 'DoNotSchedule') === 'DoNotSchedule' && !Object.hasOwn(labels, c.topologyKey ?? ''))) {
      return "node(s) didn't match pod topology spread constraints (missing required label)";
    }
    return undefined;
  }
  const cordoned = (node.spec as { unschedulable?: boolean } | undefined)?.unschedulable === true;
  if (cordoned && !((pod.spec.tolerations ?? []) as Toleration[]).some((t) => tolerates(t, UNSCHEDULABLE_TAINT))) return 'node(s) were unschedulable';
  const taint = untoleratedTaint(pod, node);
  if (taint) return `node(s) had untolerated taint {${taint.key}: ${taint.value ?? ''}}`;
  if (!matchesNodeAffinity(pod, node)) return AFFINITY_FAILURE;
  return undefined;
}

/** The PodScheduled condition (lastProbeTime null, as the scheduler writes it). */
export function scheduledCondition(now: number, unplaced?: { reason: string; message: string }): PodCondition {
  return unplaced
    ? { type: 'PodScheduled', status: 'False', lastProbeTime: null, lastTransitionTime: rfc3339(now), reason: unplaced.reason, message: unplaced.message }
    : { type: 'PodScheduled', status: 'True', lastProbeTime: null, lastTransitionTime: rfc3339(now) };
}
