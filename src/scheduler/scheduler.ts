// The default scheduler for a cluster of one node: the API binds a pod at create when it can
// (api/resources/pod-admission.ts); this loop places the pods it could not, whenever they or the node
// change — a scheduling gate removed, a label added to the node (kubectl label node), a taint removed,
// the node uncordoned. A pod still unplaceable keeps PodScheduled False with the reason, and a Warning
// FailedScheduling event whenever that reason changes.

import type { Node, Pod } from '../k8s/types.js';
import type { EventSink } from '../k8s/events.js';
import type { ObjectStore, Watch } from '../store/store.js';
import type { Clock } from '../system/clock.js';
import type { Logger } from '../system/logger.js';
import { errorMessage, isNotFound, ConflictError } from '../errors.js';
import { outcomeOf, placementOf, scheduledCondition, type PlacementOutcome } from './predicates.js';

/**
 * The scheduler's event for a pod it just wrote (`stored`, with its new resourceVersion): Scheduled when
 * it was bound here, FailedScheduling with the reason when it could not be placed (none for a gated pod).
 */
export function recordPlacement(events: EventSink, stored: Pod, nodeName: string, outcome: PlacementOutcome): void {
  const m = stored.metadata;
  const ref = { kind: 'Pod', namespace: m.namespace, name: m.name, uid: m.uid, apiVersion: 'v1', resourceVersion: m.resourceVersion };
  if (outcome.bound) events.record(ref, 'Normal', 'Scheduled', `Successfully assigned ${m.namespace}/${m.name} to ${nodeName}`);
  else if (outcome.unschedulable) events.record(ref, 'Warning', 'FailedScheduling', outcome.unschedulable);
}

const UNBOUND = [{ field: 'spec.nodeName', operator: 'Equals' as const, value: '' }];

export class Scheduler {
  private watches: Watch[] = [];
  /** What of the node the filters read, as last seen: heartbeats that change none of it place nothing. */
  private nodeKey?: string;

  constructor(private readonly o: { store: ObjectStore; nodeName: string; clock: Clock; events: EventSink; logger: Logger }) {}

  start(): void {
    const { store, nodeName } = this.o;
    this.watches.push(store.watch<Pod>('pods', { fieldSelector: UNBOUND }, (ev) => ev.type !== 'DELETED' && this.place(ev.object)));
    this.watches.push(
      store.watch<Node>('nodes', { fieldSelector: [{ field: 'metadata.name', operator: 'Equals', value: nodeName }] }, (ev) => {
        if (ev.type === 'DELETED') return;
        const n = ev.object;
        const key = JSON.stringify([n.metadata.labels ?? {}, n.spec?.taints ?? [], n.spec?.unschedulable ?? false]);
        if (key === this.nodeKey) return;
        this.nodeKey = key;
        for (const pod of store.list<Pod>('pods', { fieldSelector: UNBOUND }).items) this.place(pod);
      }),
    );
  }

  stop(): void {
    for (const w of this.watches) w.stop();
    this.watches = [];
  }

  /** Binds the pod here when it fits; otherwise records why not (once per reason). */
  private place(pod: Pod): void {
    const { store, nodeName, clock } = this.o;
    if (pod.spec.nodeName || pod.metadata.deletionTimestamp) return;
    if ((pod.spec.schedulerName ?? 'default-scheduler') !== 'default-scheduler') return;
    const node = store.tryGet<Node>('nodes', undefined, nodeName);
    if (!node) return;
    const placement = placementOf(pod, node);
    const m = pod.metadata;
    const current = pod.status?.conditions?.find((c) => c.type === 'PodScheduled');
    if (!placement.fits && current?.status === 'False' && current.reason === placement.reason && current.message === placement.message) return;
    const now = clock.now();
    let wrote = false;
    try {
      const written = store.modify<Pod>(
        'pods',
        m.namespace,
        m.name ?? '',
        (cur) => {
          if (cur.metadata.uid !== m.uid || cur.spec.nodeName || cur.metadata.deletionTimestamp) return undefined;
          const others = (cur.status?.conditions ?? []).filter((c) => c.type !== 'PodScheduled');
          const condition = scheduledCondition(now, placement.fits ? undefined : placement);
          const status = { ...cur.status, conditions: [condition, ...others] };
          wrote = true;
          return placement.fits ? { ...cur, spec: { ...cur.spec, nodeName }, status } : { ...cur, status };
        },
        { expectedUid: m.uid },
      );
      if (!wrote) return;
      recordPlacement(this.o.events, written, nodeName, outcomeOf(placement));
    } catch (err) {
      if (!isNotFound(err) && !(err instanceof ConflictError)) this.o.logger.warn({ pod: m.name, err: errorMessage(err) }, 'could not place a pod');
    }
  }
}
