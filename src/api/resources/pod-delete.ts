// The graceful pod delete shared by DELETE, eviction and namespace deletion.

import { NotFoundError } from '../../errors.js';
import type { Pod } from '../../k8s/types.js';
import type { ApiDeps } from '../deps.js';
import { planPodDelete } from './pod-delete-plan.js';

export interface PodDeleteOptions {
  gracePeriodSeconds?: number;
  dryRun?: boolean;
}

/** Deletes a pod through the graceful path; returns its state after the request. */
export function deletePod(deps: ApiDeps, pod: Pod, opts: PodDeleteOptions): Pod {
  const m = pod.metadata;
  const plan = planPodDelete(pod, opts.gracePeriodSeconds, deps.clock.now());
  if (opts.dryRun || plan.action === 'unchanged') return pod;
  if (plan.action === 'remove') return deps.store.delete<Pod>('pods', m.namespace, m.name!, { expectedUid: m.uid });
  return deps.store.modify<Pod>('pods', m.namespace, m.name!, (cur) => {
    if (cur.metadata.uid !== m.uid) throw NotFoundError.of({ resource: 'pods', name: m.name });
    cur.metadata.deletionTimestamp = plan.deletionTimestamp;
    cur.metadata.deletionGracePeriodSeconds = plan.gracePeriodSeconds;
    return cur;
  });
}

