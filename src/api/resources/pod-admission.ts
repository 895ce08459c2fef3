// peapod has one node, so pods are bound when admitted: what the scheduler and the API server's pod
// strategy would do between create and the kubelet's first sync.

import type { Pod, PodSpec } from '../../k8s/types.js';
import { computeQosClass } from '../../k8s/qos.js';
import { rfc3339 } from '../time.js';
import { forbidden } from '../api-errors.js';

/** Fresh status for a created pod; binds it to `nodeName` unless the client named a node. Returns true when it bound. */
export function admitPod(pod: Pod, nodeName: string, now: number): boolean {
  const bound = !pod.spec.nodeName;
  if (bound) pod.spec.nodeName = nodeName;
  pod.status = {
    phase: 'Pending',
    conditions: [{ type: 'PodScheduled', status: 'True', lastProbeTime: null, lastTransitionTime: rfc3339(now) }],
    qosClass: computeQosClass(pod.spec as PodSpec),
  };
  return bound;
}

/**
 * The RuntimeClass admission plugin: this node serves no RuntimeClass objects (node.k8s.io), so a pod
 * that names one is refused as a cluster refuses a name it does not have, and so is a pod that sets
 * spec.overhead itself (only a RuntimeClass may).
 */
export function checkRuntimeClass(pod: Pod): void {
  const name = pod.metadata.name ?? pod.metadata.generateName ?? '';
  const refuse = (why: string) => forbidden(`pods "${name}" is forbidden: pod rejected: ${why}`, { name, kind: 'pods' });
  const rc = pod.spec.runtimeClassName;
  if (rc) throw refuse(`RuntimeClass "${rc}" not found`);
  if (pod.spec.overhead && Object.keys(pod.spec.overhead).length) throw refuse('Pod Overhead set without corresponding RuntimeClass defined Overhead');
}

export function isTerminalPhase(pod: Pod): boolean {
  const p = pod.status?.phase;
  return p === 'Succeeded' || p === 'Failed';
}
