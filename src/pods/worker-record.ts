// What the pod workers keep per pod UID, shared by the queue (workers.ts), the passes (passes.ts) and
// the status manager (status-manager.ts).

import type { Pod } from '../k8s/types.js';
import { OWN_CONDITIONS } from './status.js';
import type { PodSyncState } from './sync.js';

export interface PodUpdate {
  pod: Pod;
  /** The object is gone from the store (deleted, possibly forced): tear everything down. */
  removed?: boolean;
}

export interface Worker {
  uid: string;
  pod: Pod;
  /** When this node first saw the pod (unix ms): the start of kubelet_pod_start_duration_seconds. */
  seenAt?: number;
  /** specKey(pod), kept beside it: every watch event of the pod compares against it. */
  specKey?: string;
  /** stableJson(pod.status), kept beside it: every pass compares the status it computed against it. */
  statusKey?: string;
  removed: boolean;
  dirty: boolean;
  running?: Promise<void>;
  cancelTimer?: () => void;
  state: PodSyncState;
  done: boolean;
  /** Consecutive passes with a failed step (no back-off of its own): spaces the retries out. */
  failedPasses?: number;
  /** The plan in flight: the kill grace it uses; `deleted` ends its pull waits, `interrupt` its stop waits. */
  pass?: { graceSeconds: number; deleted: AbortController; interrupt: AbortController };
  /** The deleted pod's runtime and volumes are gone; only its finalizers keep the object. */
  tornDown?: boolean;
  /** Evicted (local-storage.ts): the message; the pod is Failed, its containers killed with a 1 s grace. */
  evicted?: string;
}

/** Whether the newest state of the pod is deleted (marked) or removed from the store. */
export const deleting = (w: Worker) => w.removed || !!w.pod.metadata.deletionTimestamp;

/** Stable JSON for change detection (key order independent). */
export function stableJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(stableJson).join(',')}]`;
  if (v && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    return `{${Object.keys(o).filter((k) => o[k] !== undefined).sort().map((k) => `${JSON.stringify(k)}:${stableJson(o[k])}`).join(',')}}`;
  }
  return JSON.stringify(v);
}

/** What a sync depends on: metadata (minus bookkeeping), spec, and conditions others own (gates). */
export function specKey(pod: Pod): string {
  const { resourceVersion: _rv, managedFields: _mf, ...meta } = pod.metadata;
  const foreign = (pod.status?.conditions ?? []).filter((c) => !OWN_CONDITIONS.includes(c.type));
  return stableJson({ meta, spec: pod.spec, foreign });
}
