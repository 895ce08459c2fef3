// The default scheduler for a cluster of one node: the API binds a pod at create when it can
// (api/resources/pod-admission.ts); this loop places the pods it could not, whenever they or the node
// change — a scheduling gate removed, a label added to the node (kubectl label node), a taint removed,
// the node uncordoned. A pod still unplaceable keeps PodScheduled False with the reason, and a Warning
// FailedScheduling event whenever that reason changes.
//
// Pods with PersistentVolumeClaims (volume-binding.ts): they are retried when a claim of theirs, any
// PersistentVolume or StorageClass changes, and when a scheduled pod that shares a claim goes (its
// ReadWriteOncePod claim is free again). A pod whose WaitForFirstConsumer claims are unbound gives them
// this node (annotation volume.kubernetes.io/selected-node, for the provisioner) and stays unbound, its
// status untouched, until they are bound; then it is bound here. When the provisioner gives up (it
// removes the annotation), the pod gets upstream's PreBind failure (FailedScheduling, PodScheduled
// False SchedulerError) and the claim is given the node again after a back-off of 1 s doubling to 10 s.
// That failure names one claim; while the pod has claims in back-off it keeps naming the same one (it
// names the first in back-off by name only when the one it named has recovered), so two failing claims
// do not make a new event and status write every cycle. What is kept per claim is forgotten when a pod
// using it is bound, when the last unbound pod using it is deleted, and when the claim is deleted.

import type { Node, Pod } from '../k8s/types.js';
import { STORAGE, type PersistentVolumeClaim } from '../k8s/storage-types.js';
import type { EventSink } from '../k8s/events.js';
import type { ObjectStore, Watch } from '../store/store.js';
import type { Clock } from '../system/clock.js';
import type { Logger } from '../system/logger.js';
import { errorMessage, isNotFound, ConflictError } from '../errors.js';
import { outcomeOf, placementOf, scheduledCondition, type Placement, type PlacementOutcome } from './predicates.js';
import { volumePlacement } from './volume-binding.js';
import { podClaimNames, podUsesClaim } from '../volumes/claims.js';

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
/** Back-off before a claim whose provisioning failed is given the node again (the pod back-off's bounds). */
const PROVISION_BACKOFF_MIN_MS = 1_000;
const PROVISION_BACKOFF_MAX_MS = 10_000;

/** A claim this scheduler gave the node: to tell a provisioner's give-up from a claim never annotated. */
interface Selection {
  uid: string;
  failures: number;
  /** The annotation was written and not seen removed since. */
  annotated: boolean;
  /** While set, the claim is not given the node again (a timer retries its pods then). */
  retryAt?: number;
  cancel?: () => void;
}

export class Scheduler {
  private watches: Watch[] = [];
  /** What of the node the filters read, as last seen: heartbeats that change none of it place nothing. */
  private nodeKey?: string;
  /** Claims (namespace/name) given this node by the selected-node annotation: until a pod using one is bound, the last unbound pod using it is deleted, or it is. */
  private readonly selections = new Map<string, Selection>();

  constructor(private readonly o: { store: ObjectStore; nodeName: string; clock: Clock; events: EventSink; logger: Logger }) {}

  start(): void {
    const { store, nodeName } = this.o;
    this.watches.push(
      store.watch<Pod>('pods', { fieldSelector: UNBOUND }, (ev) => {
        if (ev.type === 'DELETED') this.forgetUnused(ev.object);
        else this.place(ev.object);
      }),
    );
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
    // Storage: from now on (the pods' own watch above placed every unbound pod already).
    const now = { resourceVersion: store.currentResourceVersion() };
    this.watches.push(
      store.watch<PersistentVolumeClaim>('persistentvolumeclaims', now, (ev) => {
        const c = ev.object.metadata;
        if (ev.type === 'DELETED' && this.selections.get(`${c.namespace ?? 'default'}/${c.name}`)?.uid === c.uid) this.forget(`${c.namespace ?? 'default'}/${c.name}`);
        this.retryClaimUsers(c.namespace, (p) => podUsesClaim(p, c.namespace, c.name));
      }),
    );
    for (const resource of ['persistentvolumes', 'storageclasses']) this.watches.push(store.watch(resource, now, () => this.retryClaimUsers(undefined, () => true)));
    // A scheduled pod that is gone or finished frees its ReadWriteOncePod claims.
    this.watches.push(
      store.watch<Pod>('pods', now, (ev) => {
        const p = ev.object;
        if (!p.spec.nodeName || (ev.type !== 'DELETED' && p.status?.phase !== 'Succeeded' && p.status?.phase !== 'Failed')) return;
        const claims = podClaimNames(p);
        if (claims.length) this.retryClaimUsers(p.metadata.namespace, (u) => podClaimNames(u).some((c) => claims.includes(c)));
      }),
    );
  }

  stop(): void {
    for (const w of this.watches) w.stop();
    this.watches = [];
    for (const s of this.selections.values()) s.cancel?.();
    this.selections.clear();
  }

  /** Places again the unbound pods (in `namespace`, or all) that use claims and pass `uses`. */
  private retryClaimUsers(namespace: string | undefined, uses: (p: Pod) => boolean): void {
    const opts = namespace === undefined ? { fieldSelector: UNBOUND } : { namespace, fieldSelector: UNBOUND };
    for (const pod of this.o.store.list<Pod>('pods', opts).items) if (podClaimNames(pod).length && uses(pod)) this.place(pod);
  }

  /** Binds the pod here when it fits; otherwise records why not (once per reason). */
  private place(pod: Pod): void {
    const { store, nodeName, clock } = this.o;
    if (pod.spec.nodeName || pod.metadata.deletionTimestamp) return;
    if ((pod.spec.schedulerName ?? 'default-scheduler') !== 'default-scheduler') return;
    const node = store.tryGet<Node>('nodes', undefined, nodeName);
    if (!node) return;
    const volumes = volumePlacement(store, pod, nodeName);
    let placement: Placement | PreBindFailure = placementOf(pod, node, volumes);
    const m = pod.metadata;
    const current = pod.status?.conditions?.find((c) => c.type === 'PodScheduled');
    // A claim given the node before that now finds no volume to bind here is not being provisioned: its
    // annotation's absence, later, is no provisioner's give-up.
    for (const c of volumes?.conflicts ?? []) {
      const sel = this.selections.get(`${m.namespace ?? 'default'}/${c}`);
      if (sel) sel.annotated = false;
    }
    if (!placement.fits && placement.reason === 'WaitingForVolumes') {
      const failed = this.selectNode(pod, placement.select, placement.provisioning, current?.reason === 'SchedulerError' ? current.message : undefined);
      if (!failed) return;
      placement = failed;
    }
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
      if (placement.fits) for (const c of podClaimNames(written)) this.forget(`${m.namespace ?? 'default'}/${c}`);
      recordPlacement(this.o.events, written, nodeName, placement.fits || placement.reason !== 'SchedulerError' ? outcomeOf(placement as Placement) : { bound: false, unschedulable: placement.message });
    } catch (err) {
      if (!isNotFound(err) && !(err instanceof ConflictError)) this.o.logger.warn({ pod: m.name, err: errorMessage(err) }, 'could not place a pod');
    }
  }

  /**
   * Gives this node to the pod's unbound WaitForFirstConsumer claims that have none (the claim's
   * selected-node annotation). A claim given the node before whose annotation is gone again means the
   * provisioner gave up: upstream's PreBind failure, returned for the pod's status and event; the claim
   * then waits out a back-off before it is given the node again. While any is in back-off the failure
   * is returned; it names the claim `previous` (the pod's SchedulerError message) named when that claim
   * has failed and is still unbound (`claims` or `provisioning`), else the first claim in back-off by name.
   */
  private selectNode(pod: Pod, claims: string[], provisioning: string[], previous: string | undefined): PreBindFailure | undefined {
    const { store, nodeName, clock, logger } = this.o;
    const ns = pod.metadata.namespace ?? 'default';
    const backoff: string[] = [];
    for (const name of claims) {
      const key = `${ns}/${name}`;
      const claim = store.tryGet<PersistentVolumeClaim>('persistentvolumeclaims', ns, name);
      if (!claim) continue;
      let sel = this.selections.get(key);
      if (sel && sel.uid !== claim.metadata.uid) {
        sel.cancel?.();
        this.selections.delete(key);
        sel = undefined;
      }
      const now = clock.now();
      if (sel?.annotated) {
        // Given the node before, and the annotation is gone: provisioning failed.
        sel.annotated = false;
        sel.failures++;
        const delay = Math.min(PROVISION_BACKOFF_MAX_MS, PROVISION_BACKOFF_MIN_MS * 2 ** (sel.failures - 1));
        sel.retryAt = now + delay;
        const retry = () => {
          sel!.retryAt = undefined;
          sel!.cancel = undefined;
          for (const p of store.list<Pod>('pods', { namespace: ns, fieldSelector: UNBOUND }).items) if (podUsesClaim(p, ns, name)) this.place(p);
        };
        sel.cancel = clock.setTimer(delay, retry);
      }
      if (sel?.retryAt !== undefined) {
        backoff.push(name);
        continue;
      }
      try {
        store.modify<PersistentVolumeClaim>(
          'persistentvolumeclaims',
          ns,
          name,
          (cur) => {
            if (cur.spec.volumeName || cur.metadata.deletionTimestamp || cur.metadata.annotations?.[STORAGE.selectedNode] !== undefined) return undefined;
            return { ...cur, metadata: { ...cur.metadata, annotations: { ...cur.metadata.annotations, [STORAGE.selectedNode]: nodeName } } };
          },
          { expectedUid: claim.metadata.uid },
        );
        this.selections.set(key, { uid: claim.metadata.uid ?? '', failures: sel?.failures ?? 0, annotated: true });
      } catch (err) {
        if (!isNotFound(err) && !(err instanceof ConflictError)) logger.warn({ claim: key, err: errorMessage(err) }, 'could not select a node for a claim');
      }
    }
    if (!backoff.length) return undefined;
    const failing = [...claims, ...provisioning].filter((c) => (this.selections.get(`${ns}/${c}`)?.failures ?? 0) > 0);
    const named = failing.find((c) => provisioningFailed(c) === previous) ?? backoff.sort()[0]!;
    return { fits: false, reason: 'SchedulerError', message: provisioningFailed(named), failures: [] };
  }

  private forget(key: string): void {
    this.selections.get(key)?.cancel?.();
    this.selections.delete(key);
  }

  /** A pod left the unbound pods (deleted, or bound): its claims no unbound pod uses any more are forgotten. */
  private forgetUnused(pod: Pod): void {
    const ns = pod.metadata.namespace ?? 'default';
    const claims = podClaimNames(pod).filter((c) => this.selections.has(`${ns}/${c}`));
    if (!claims.length) return;
    const users = this.o.store.list<Pod>('pods', { namespace: ns, fieldSelector: UNBOUND }).items.filter((p) => !p.metadata.deletionTimestamp);
    for (const c of claims) if (!users.some((p) => podUsesClaim(p, ns, c))) this.forget(`${ns}/${c}`);
  }
}

/** The PreBind failure's message for a claim whose provisioning failed (upstream's words). */
function provisioningFailed(claim: string): string {
  return `running PreBind plugin "VolumeBinding": binding volumes: provisioning failed for PVC "${claim}"`;
}

/** A PreBind failure of the volume binder: FailedScheduling, with PodScheduled False SchedulerError. */
type PreBindFailure = { fits: false; reason: 'SchedulerError'; message: string; failures: [] };
