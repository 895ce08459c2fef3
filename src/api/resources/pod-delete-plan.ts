// What a DELETE does to a pod (pure). Upstream rules (pod-lifecycle.md §9, kube-api.md §6):
// grace = request, else terminationGracePeriodSeconds, else 30; negative → 1; unbound or terminal
// pods and grace 0 are removed at once; otherwise deletionTimestamp = now + grace. A pod already
// terminating may only have its grace shortened (the deadline moves relative to the first request).

import type { Pod } from '../../k8s/types.js';
import { isTerminalPhase } from './pod-admission.js';
import { rfc3339 } from '../time.js';

export type PodDeletePlan =
  | { action: 'remove' }
  | { action: 'mark'; deletionTimestamp: string; gracePeriodSeconds: number }
  | { action: 'unchanged' };

export function planPodDelete(pod: Pod, requestedGrace: number | undefined, now: number): PodDeletePlan {
  let grace = requestedGrace ?? pod.spec.terminationGracePeriodSeconds ?? 30;
  if (grace < 0) grace = 1;
  if (!pod.spec.nodeName || isTerminalPhase(pod)) return { action: 'remove' };
  const m = pod.metadata;
  if (m.deletionTimestamp) {
    if (m.deletionGracePeriodSeconds === undefined) return { action: 'remove' };
    if (requestedGrace === undefined || grace >= m.deletionGracePeriodSeconds) return { action: 'unchanged' };
    if (grace === 0) return { action: 'remove' };
    const start = Date.parse(m.deletionTimestamp) - m.deletionGracePeriodSeconds * 1000;
    return { action: 'mark', deletionTimestamp: rfc3339(start + grace * 1000), gracePeriodSeconds: grace };
  }
  if (grace === 0) return { action: 'remove' };
  return { action: 'mark', deletionTimestamp: rfc3339(now + grace * 1000), gracePeriodSeconds: grace };
}
