// The status side of the pod workers (the kubelet's status manager): what a pod's status needs besides
// the runtime's records (resolved images, termination messages read from logs), the status computed
// (status.ts, pure) and its write to the store — only when it changed, guarded by UID, never over a
// pod that was replaced meanwhile.

import { ConflictError, isNotFound } from '../errors.js';
import type { Pod, PodStatus } from '../k8s/types.js';
import type { ObjectStore } from '../store/store.js';
import { isMirrorPodOf, isStaticPod } from '../node/static-pods/manifest.js';
import type { Clock } from '../system/clock.js';
import { resolvedImageOf } from './image-pull.js';
import type { ProbeManager } from './probes/manager.js';
import type { ObservedPod } from './spec.js';
import { computePodStatus } from './status.js';
import type { SyncDeps } from './sync.js';
import { readLogTail, wantsLogMessage } from './termination-message.js';
import { stableJson, type Worker } from './worker-record.js';

export class PodStatusManager {
  constructor(
    private readonly o: { deps: SyncDeps; store: ObjectStore; clock: Clock; probes?: ProbeManager },
  ) {}

  /** Gathers what the status of `observed` needs that a pass did not produce itself. */
  async prepare(w: Worker, observed: ObservedPod): Promise<void> {
    await this.resolveImages(w, observed);
    await this.resolveLogMessages(w, observed);
  }

  /** The status of `pod` (the pod as the pass sees it) from what was observed. */
  statusOf(w: Worker, pod: Pod, observed: ObservedPod): PodStatus {
    return computePodStatus({
      pod,
      observed,
      startErrors: w.state.startErrors,
      images: w.state.images,
      nodeIP: this.o.deps.nodeIP,
      qosClass: this.o.deps.qosOf(pod),
      now: this.o.clock.now(),
      probes: this.o.probes,
      logMessages: w.state.logMessages,
    });
  }

  /** Writes the status only when it changed, guarded by UID; the worker keeps the object written. */
  write(w: Worker, status: PodStatus): void {
    if (isStaticPod(w.pod)) return this.writeMirror(w, status);
    const m = w.pod.metadata;
    const key = stableJson(status);
    w.statusKey ??= stableJson(w.pod.status ?? {});
    if (w.statusKey === key) return;
    try {
      w.specKey = undefined;
      w.statusKey = undefined;
      w.pod = this.o.store.modify<Pod>(
        'pods',
        m.namespace,
        m.name ?? '',
        (cur) => (cur.metadata.uid !== w.uid || stableJson(cur.status ?? {}) === key ? undefined : { ...cur, status }),
        { expectedUid: w.uid },
      );
      // Written, or found equal already: either way the stored status is `status` (unless the UID differs).
      w.statusKey = w.pod.metadata.uid === w.uid ? key : undefined;
    } catch (err) {
      if (!isNotFound(err) && !(err instanceof ConflictError)) throw err;
    }
  }

  /**
   * A static pod's status goes to its mirror pod (the kubelet's status manager does the same), when
   * the mirror shows this version of the pod and differs; the static pod keeps it too. Compared with
   * the stored mirror each time: a mirror made again starts Pending.
   */
  private writeMirror(w: Worker, status: PodStatus): void {
    const m = w.pod.metadata;
    const key = stableJson(status);
    w.pod = { ...w.pod, status };
    try {
      this.o.store.modify<Pod>('pods', m.namespace, m.name ?? '', (cur) =>
        !isMirrorPodOf(cur, w.pod) || cur.metadata.deletionTimestamp || stableJson(cur.status ?? {}) === key ? undefined : { ...cur, status },
      );
    } catch (err) {
      if (!isNotFound(err) && !(err instanceof ConflictError)) throw err;
    }
  }

  /** Reads the log tail of exited instances whose message comes from their log (termination-message.ts), once each. */
  private async resolveLogMessages(w: Worker, observed: ObservedPod): Promise<void> {
    const cache = w.state.logMessages;
    const ids = new Set<string>();
    for (const recs of observed.containers.values()) {
      for (const r of recs.slice(0, 2)) {
        ids.add(r.id);
        if (wantsLogMessage(r) && !cache.has(r.id)) cache.set(r.id, await readLogTail(r.logPath));
      }
    }
    for (const id of cache.keys()) if (!ids.has(id)) cache.delete(id);
  }

  /** Resolves images of observed instances not pulled by this worker (after a daemon restart). */
  private async resolveImages(w: Worker, observed: ObservedPod): Promise<void> {
    const specs = [...(w.pod.spec.initContainers ?? []), ...w.pod.spec.containers];
    for (const c of specs) {
      const ref = c.image ?? '';
      if (w.state.images.has(ref) || !observed.containers.get(c.name)?.length) continue;
      const img = await this.o.deps.images.imageStatus(ref).catch(() => undefined);
      if (img) w.state.images.set(ref, resolvedImageOf(ref, img));
    }
  }
}
