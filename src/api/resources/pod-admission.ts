// peapod has one node, so pods are bound when admitted: what the scheduler and the API server's pod
// strategy would do between create and the kubelet's first sync.

import type { Pod, PodSpec } from '../../k8s/types.js';
import { computeQosClass } from '../../k8s/qos.js';
import { rfc3339 } from '../time.js';

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

export function isTerminalPhase(pod: Pod): boolean {
  const p = pod.status?.phase;
  return p === 'Succeeded' || p === 'Failed';
}
