// The storage controllers of a cluster of one node, in one loop: kube-controller-manager's PV controller
// (binding claims to volumes, phases, reclaiming released volumes), its pvc-protection and pv-protection
// controllers (the finalizers that keep a claim while a pod uses it and a volume while it is bound), the
// expand controller with the resizer (a grown request is recorded on the volume), and the local-path
// provisioner (rancher.io/local-path: a directory per claim under localPathRoot, see local-path.ts).
//
// Work is keyed by object ("pvc/<ns>/<name>", "pv/<name>") in one queue with one worker: a key queued
// again while it waits is queued once, and nothing runs concurrently, so an event that arrives while a
// directory is being made or removed waits for it. Every write is a read-modify-write (store.modify)
// that skips unchanged objects and checks the uid; NotFound and Conflict are dropped (the change that
// caused them queues the object again). All PVs and claims are synced at start (a restart converges) and
// every resyncMs after, as upstream's periodic resync.
//
// Events carry upstream's reasons and messages. A "still waiting" event (WaitForFirstConsumer,
// FailedBinding, ProvisioningFailed...) is recorded once per object and message, not at every resync.

import { promises as fs } from 'node:fs';
import { AlreadyExistsError, ConflictError, errorMessage, isNotFound } from '../errors.js';
import type { EventSink, EventType } from '../k8s/events.js';
import type { PersistentVolume, PersistentVolumeClaim, PersistentVolumePhase, PersistentVolumeClaimPhase, StorageClass } from '../k8s/storage-types.js';
import { STORAGE } from '../k8s/storage-types.js';
import type { KubeObject, Node, ObjectReference, Pod } from '../k8s/types.js';
import { rfc3339Seconds } from '../store/object-meta.js';
import type { ObjectStore, Watch, WatchEvent } from '../store/store.js';
import type { Clock } from '../system/clock.js';
import type { Logger } from '../system/logger.js';
import {
  checkVolumeSatisfiesClaim,
  claimRefOf,
  claimRequest,
  compareStorage,
  findMatchingVolume,
  isVolumeBoundToClaim,
  volumeCapacity,
  type NodeInfo,
} from './binder.js';
import { claimClassName, claimHasClass, defaultClassOf } from './classes.js';
import {
  LOCAL_PATH_PROVISIONER,
  buildProvisionedVolume,
  checkProvisionable,
  createVolumeDirectory,
  deleteVolumeDirectory,
  ForeignVolumePathError,
  isLocalPathVolume,
  provisionedVolumeName,
} from './local-path.js';

const PVS = 'persistentvolumes';
const PVCS = 'persistentvolumeclaims';
const CLASSES = 'storageclasses';

/** The claim conditions a resize leaves while in progress (none are left once the size is recorded). */
const RESIZE_CONDITIONS = new Set(['Resizing', 'FileSystemResizePending', 'ControllerResizeError', 'NodeResizeError', 'ControllerResizeInProgress', 'NodeResizeInProgress', 'NodeResizePending']);

export interface StorageControllerOptions {
  store: ObjectStore;
  clock: Clock;
  /** The PV controller's, protection's and expand controller's events (component persistentvolume-controller). */
  events: EventSink;
  logger: Logger;
  /** This node: where local-path volumes are made, and the node Immediate claims are provisioned on. */
  nodeName: string;
  /** The local-path provisioner's root directory (`<data-dir>/storage`). */
  localPathRoot: string;
  /** The provisioner's events (Provisioning, ProvisioningSucceeded, its ProvisioningFailed, its VolumeFailedDelete); default `events`. */
  provisionerEvents?: EventSink;
  /** The resizer's events (VolumeResizeSuccessful); default `events`. */
  resizerEvents?: EventSink;
  /** Every how many ms everything is synced again (default 15000, upstream's; 0: never). */
  resyncMs?: number;
}

/**
 * The default StorageClass k3s ships: `local-path`, the cluster default, provisioner rancher.io/local-path,
 * reclaimPolicy Delete, volumeBindingMode WaitForFirstConsumer. Created when missing (an existing one,
 * however edited, is left alone). Never throws on a race with another creator.
 */
export function ensureDefaultStorageClass(store: ObjectStore): void {
  if (store.tryGet<StorageClass>(CLASSES, undefined, 'local-path')) return;
  const cls: StorageClass = {
    apiVersion: 'storage.k8s.io/v1',
    kind: 'StorageClass',
    metadata: { name: 'local-path', annotations: { [STORAGE.defaultClass]: 'true' } },
    provisioner: LOCAL_PATH_PROVISIONER,
    reclaimPolicy: 'Delete',
    volumeBindingMode: 'WaitForFirstConsumer',
  };
  try {
    store.create(CLASSES, cls);
  } catch (err) {
    if (!(err instanceof AlreadyExistsError)) throw err;
  }
}

export { defaultClassOf } from './classes.js';

/**
 * The claims a pod's volumes name (persistentVolumeClaim.claimName), for queueing a deleting claim when a
 * pod changes. Generic `ephemeral` volumes are left out: the kubelet here refuses them and nothing makes
 * their `<pod>-<volume>` claim, so a claim of that name is someone else's (podUsesClaim still honours
 * one the pod owns, as upstream's VolumeIsForPod).
 */
export function claimsOfPod(pod: Pod): string[] {
  const names: string[] = [];
  for (const v of pod.spec?.volumes ?? []) {
    const pvc = v.persistentVolumeClaim as { claimName?: string } | undefined;
    if (pvc?.claimName) names.push(pvc.claimName);
  }
  return names;
}

/**
 * pvc-protection's podIsShutDown: the kubelet is done with the pod or it was force-deleted (a
 * deletionTimestamp with a zero grace period). Upstream consults it for ephemeral volumes only.
 */
function podIsShutDown(pod: Pod): boolean {
  return !!pod.metadata.deletionTimestamp && pod.metadata.deletionGracePeriodSeconds === 0;
}

/**
 * Whether the pod keeps the claim from going (pvc-protection's podUsesPVC, followed exactly, 1.33):
 * only a scheduled pod (spec.nodeName set) counts — the kubelet sees a pod only once it is scheduled, and
 * will not start one whose claim is being deleted (nor will the scheduler place it), so an unscheduled
 * pod never gets to use it. A scheduled pod naming the claim in a persistentVolumeClaim volume keeps it
 * whatever its phase: a Succeeded or Failed pod still holds it until the pod object is deleted (upstream's
 * "updated finished Pod -> finalizer is not removed"). A generic ephemeral volume keeps its
 * `<pod>-<volume>` claim only when the claim is controlled by the pod (VolumeIsForPod: a controller
 * ownerReference with the pod's uid) and the pod is not shut down.
 */
export function podUsesClaim(pod: Pod, claim: PersistentVolumeClaim): boolean {
  if (!pod.spec?.nodeName) return false;
  if ((pod.metadata.namespace ?? '') !== (claim.metadata.namespace ?? '')) return false;
  const name = claim.metadata.name ?? '';
  for (const v of pod.spec.volumes ?? []) {
    const pvc = v.persistentVolumeClaim as { claimName?: string } | undefined;
    if (pvc?.claimName === name) return true;
    if (v.ephemeral && !podIsShutDown(pod) && `${pod.metadata.name ?? ''}-${v.name}` === name && claimIsForPod(claim, pod)) return true;
  }
  return false;
}

/** Upstream's ephemeral.VolumeIsForPod: the claim's controller ownerReference is the pod (by uid). */
function claimIsForPod(claim: PersistentVolumeClaim, pod: Pod): boolean {
  const owners = (claim.metadata.ownerReferences ?? []) as { uid?: string; controller?: boolean }[];
  return !!pod.metadata.uid && owners.some((o) => o.controller === true && o.uid === pod.metadata.uid);
}

/** A queue of keys with one worker: a key waiting is queued once; work starts on a later turn, never inside a watch callback. */
class KeyQueue {
  private readonly pending = new Set<string>();
  private running = false;
  private stopped = false;
  private waiters: (() => void)[] = [];

  constructor(
    private readonly work: (key: string) => Promise<void>,
    private readonly logger: Logger,
  ) {}

  add(key: string): void {
    if (this.stopped) return;
    this.pending.add(key);
    if (!this.running) {
      this.running = true;
      setImmediate(() => void this.drain());
    }
  }

  /** Nothing more starts; resolves once the item running (if any) has finished. */
  stop(): Promise<void> {
    this.stopped = true;
    this.pending.clear();
    return this.idle();
  }

  /** Resolves once nothing is queued or running. */
  idle(): Promise<void> {
    if (!this.running && this.pending.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  private async drain(): Promise<void> {
    try {
      for (;;) {
        const next = this.pending.values().next();
        if (next.done || this.stopped) break;
        this.pending.delete(next.value);
        try {
          await this.work(next.value);
        } catch (err) {
          this.logger.warn({ key: next.value, err: errorMessage(err) }, 'storage controller: sync failed');
        }
      }
    } finally {
      this.running = false;
      const waiters = this.waiters;
      this.waiters = [];
      for (const w of waiters) w();
    }
  }
}

const pvcKey = (namespace: string | undefined, name: string | undefined) => `pvc/${namespace ?? ''}/${name ?? ''}`;
const pvKey = (name: string | undefined) => `pv/${name ?? ''}`;

function refOf(obj: KubeObject): ObjectReference {
  const m = obj.metadata;
  return { kind: obj.kind, namespace: m.namespace, name: m.name, uid: m.uid, apiVersion: obj.apiVersion, resourceVersion: m.resourceVersion };
}

export class StorageController {
  private readonly queue: KeyQueue;
  private watches: Watch[] = [];
  private cancelResync?: () => void;
  /** Per object uid: reason → the last message recorded, so a waiting event is not repeated at every sync. */
  private readonly said = new Map<string, Map<string, string>>();
  private readonly provisionerEvents: EventSink;
  private readonly resizerEvents: EventSink;

  constructor(private readonly o: StorageControllerOptions) {
    this.queue = new KeyQueue((key) => this.sync(key), o.logger);
    this.provisionerEvents = o.provisionerEvents ?? o.events;
    this.resizerEvents = o.resizerEvents ?? o.events;
  }

  start(): void {
    const { store } = this.o;
    const from = { resourceVersion: store.currentResourceVersion() };
    const guard =
      <T extends KubeObject>(fn: (ev: WatchEvent<T>) => void) =>
      (ev: WatchEvent<T>) => {
        try {
          fn(ev);
        } catch (err) {
          this.o.logger.warn({ err: errorMessage(err) }, 'storage controller: watch event');
        }
      };
    this.watches.push(store.watch<PersistentVolumeClaim>(PVCS, from, guard((ev) => this.onClaim(ev))));
    this.watches.push(store.watch<PersistentVolume>(PVS, from, guard((ev) => this.onVolume(ev))));
    this.watches.push(store.watch<StorageClass>(CLASSES, from, guard(() => this.enqueueUnboundClaims())));
    this.watches.push(store.watch<Pod>('pods', from, guard((ev) => this.onPod(ev))));
    this.resyncAll();
    const period = this.o.resyncMs ?? 15_000;
    if (period > 0) {
      const tick = () => {
        this.resyncAll();
        this.cancelResync = this.o.clock.setTimer(period, tick);
      };
      this.cancelResync = this.o.clock.setTimer(period, tick);
    }
  }

  /**
   * Stops watching and resyncing; no new work starts. Resolves once the item running, if any (a directory
   * being made or removed, its writes to the store), has finished: await it before closing the store.
   */
  stop(): Promise<void> {
    for (const w of this.watches) w.stop();
    this.watches = [];
    this.cancelResync?.();
    this.cancelResync = undefined;
    return this.queue.stop();
  }

  /** Resolves once the queue is empty and nothing runs (tests; a shutdown that wants directory work finished). */
  idle(): Promise<void> {
    return this.queue.idle();
  }

  /** Queues every PV and claim. */
  resyncAll(): void {
    try {
      for (const s of this.o.store.listStored<PersistentVolume>(PVS).items) this.queue.add(pvKey(s.object.metadata.name));
      for (const s of this.o.store.listStored<PersistentVolumeClaim>(PVCS).items) this.queue.add(pvcKey(s.object.metadata.namespace, s.object.metadata.name));
    } catch (err) {
      this.o.logger.warn({ err: errorMessage(err) }, 'storage controller: resync');
    }
  }

  // ---- watch handlers: only queue keys ----

  private onClaim(ev: WatchEvent<PersistentVolumeClaim>): void {
    const c = ev.object;
    this.queue.add(pvcKey(c.metadata.namespace, c.metadata.name));
    if (ev.type !== 'DELETED') return;
    if (c.metadata.uid) this.said.delete(c.metadata.uid);
    if (c.spec.volumeName) this.queue.add(pvKey(c.spec.volumeName));
    for (const s of this.o.store.listStored<PersistentVolume>(PVS).items) {
      if (s.object.spec.claimRef?.uid && s.object.spec.claimRef.uid === c.metadata.uid) this.queue.add(pvKey(s.object.metadata.name));
    }
  }

  private onVolume(ev: WatchEvent<PersistentVolume>): void {
    const pv = ev.object;
    this.queue.add(pvKey(pv.metadata.name));
    const ref = pv.spec.claimRef;
    if (ref?.name) this.queue.add(pvcKey(ref.namespace, ref.name));
    if (ev.type === 'DELETED') {
      if (pv.metadata.uid) this.said.delete(pv.metadata.uid);
      return;
    }
    // A volume free for anyone: the claims still waiting may fit it now.
    if (!ref && pv.status?.phase === 'Available') this.enqueueUnboundClaims();
  }

  private onPod(ev: WatchEvent<Pod>): void {
    const pod = ev.object;
    const names = claimsOfPod(pod);
    // An ephemeral volume's claim, when the pod owns one (see podUsesClaim): queued as well.
    for (const v of pod.spec?.volumes ?? []) if (v.ephemeral) names.push(`${pod.metadata.name ?? ''}-${v.name}`);
    for (const name of names) {
      const claim = this.o.store.getStored<PersistentVolumeClaim>(PVCS, pod.metadata.namespace, name);
      if (claim?.object.metadata.deletionTimestamp) this.queue.add(pvcKey(pod.metadata.namespace, name));
    }
  }

  private enqueueUnboundClaims(): void {
    for (const s of this.o.store.listStored<PersistentVolumeClaim>(PVCS).items) {
      const c = s.object;
      if (!c.metadata.annotations?.[STORAGE.bindCompleted]) this.queue.add(pvcKey(c.metadata.namespace, c.metadata.name));
    }
  }

  private async sync(key: string): Promise<void> {
    const [kind, ...rest] = key.split('/');
    if (kind === 'pv') await this.syncVolume(rest.join('/'));
    else if (kind === 'pvc') await this.syncClaim(rest[0] ?? '', rest.slice(1).join('/'));
  }

  // ---- writes ----

  /**
   * Read-modify-write of one object with the same uid: `fn` changes the copy in place (or returns false to
   * leave it); nothing is written when it is unchanged. Returns the stored object (changed or not), or
   * undefined when it is gone, was replaced, `fn` declined, or the write failed.
   */
  private update<T extends KubeObject>(resource: string, obj: T, fn: (cur: T) => boolean | void): T | undefined {
    const m = obj.metadata;
    let declined = false;
    try {
      const out = this.o.store.modify<T>(
        resource,
        m.namespace,
        m.name ?? '',
        (cur) => {
          if (m.uid && cur.metadata.uid !== m.uid) {
            declined = true;
            return undefined;
          }
          const before = JSON.stringify(cur);
          if (fn(cur) === false) {
            declined = true;
            return undefined;
          }
          return JSON.stringify(cur) === before ? undefined : cur;
        },
        m.uid ? { expectedUid: m.uid } : undefined,
      );
      return declined ? undefined : out;
    } catch (err) {
      if (!isNotFound(err) && !(err instanceof ConflictError)) {
        this.o.logger.warn({ resource, name: m.name, namespace: m.namespace, err: errorMessage(err) }, 'storage controller: write failed');
      }
      return undefined;
    }
  }

  /** Deletes the object (same uid) from the store; NotFound and Conflict are fine. */
  private remove(resource: string, obj: KubeObject): void {
    try {
      this.o.store.delete(resource, obj.metadata.namespace, obj.metadata.name ?? '', obj.metadata.uid ? { expectedUid: obj.metadata.uid } : undefined);
    } catch (err) {
      if (!isNotFound(err) && !(err instanceof ConflictError)) {
        this.o.logger.warn({ resource, name: obj.metadata.name, err: errorMessage(err) }, 'storage controller: delete failed');
      }
    }
  }

  /** Records an event, once per object, reason and message unless `always`. */
  private say(sink: EventSink, obj: KubeObject, type: EventType, reason: string, message: string, always = false): boolean {
    const uid = obj.metadata.uid ?? '';
    let seen = this.said.get(uid);
    if (!always && seen?.get(reason) === message) return false;
    if (!seen) this.said.set(uid, (seen = new Map()));
    seen.set(reason, message);
    sink.record(refOf(obj), type, reason, message);
    return true;
  }

  private setVolumePhase(v: PersistentVolume, phase: PersistentVolumePhase, message?: string): void {
    const status = (v.status ??= {});
    if (status.phase !== phase) {
      status.phase = phase;
      status.lastPhaseTransitionTime = rfc3339Seconds(this.o.clock.now());
    }
    if (message === undefined) delete status.message;
    else status.message = message;
  }

  private writeVolumePhase(pv: PersistentVolume, phase: PersistentVolumePhase, message?: string): PersistentVolume | undefined {
    return this.update<PersistentVolume>(PVS, pv, (v) => this.setVolumePhase(v, phase, message));
  }

  private writeClaimPhase(claim: PersistentVolumeClaim, phase: PersistentVolumeClaimPhase): PersistentVolumeClaim | undefined {
    return this.update<PersistentVolumeClaim>(PVCS, claim, (c) => {
      c.status = { ...c.status, phase };
    });
  }

  // ---- claims ----

  private async syncClaim(namespace: string, name: string): Promise<void> {
    let claim = this.o.store.tryGet<PersistentVolumeClaim>(PVCS, namespace, name);
    if (!claim) return;
    if (claim.metadata.deletionTimestamp) {
      this.protectClaim(claim);
      return;
    }
    // pvc-protection: every live claim carries its finalizer (the API adds it at create; this covers the rest).
    if (!claim.metadata.finalizers?.includes(STORAGE.pvcProtection)) {
      claim = this.update<PersistentVolumeClaim>(PVCS, claim, (c) => {
        c.metadata.finalizers = [...(c.metadata.finalizers ?? []), STORAGE.pvcProtection];
      });
      if (!claim) return;
    }
    if (claim.metadata.annotations?.[STORAGE.bindCompleted]) this.syncBoundClaim(claim);
    else await this.syncUnboundClaim(claim);
  }

  /** The deleting claim loses its finalizer once no scheduled pod uses it (podUsesClaim); then it goes. */
  private protectClaim(claim: PersistentVolumeClaim): void {
    const m = claim.metadata;
    if (m.finalizers?.includes(STORAGE.pvcProtection)) {
      if (this.claimInUse(claim)) return;
      const out = this.update<PersistentVolumeClaim>(PVCS, claim, (c) => {
        c.metadata.finalizers = (c.metadata.finalizers ?? []).filter((f) => f !== STORAGE.pvcProtection);
      });
      if (!out) return;
      claim = out;
    }
    if ((claim.metadata.finalizers ?? []).length === 0) this.remove(PVCS, claim);
  }

  private claimInUse(claim: PersistentVolumeClaim): boolean {
    const pods = this.o.store.listStored<Pod>('pods', { namespace: claim.metadata.namespace }).items;
    return pods.some((s) => podUsesClaim(s.object, claim));
  }

  private claimEventName(claim: PersistentVolumeClaim): string {
    return `${claim.metadata.namespace}/${claim.metadata.name}`;
  }

  private nodeInfo(name: string): NodeInfo {
    const node = this.o.store.tryGet<Node>('nodes', undefined, name);
    return { name, labels: node?.metadata.labels ?? { 'kubernetes.io/hostname': name } };
  }

  private async syncUnboundClaim(claim: PersistentVolumeClaim): Promise<void> {
    const { store } = this.o;
    const className = claimClassName(claim);
    const cls = className ? store.tryGet<StorageClass>(CLASSES, undefined, className) : undefined;
    const delayBinding = cls?.volumeBindingMode === 'WaitForFirstConsumer';
    const selected = claim.metadata.annotations?.[STORAGE.selectedNode];

    if (!claim.spec.volumeName) {
      const node = delayBinding && selected ? this.nodeInfo(selected) : undefined;
      const pv = findMatchingVolume(claim, store.list<PersistentVolume>(PVS).items, node, delayBinding);
      if (pv) {
        this.bind(pv, claim);
        return;
      }
      // Retroactive default class (1.28+, upstream's assignDefaultStorageClass once no volume fits): a claim
      // that names no class — no beta annotation, spec.storageClassName unset or null; "" is a choice —
      // gets the default class, when there is one; the update queues it again.
      if (!claimHasClass(claim)) {
        const def = defaultClassOf(store.list<StorageClass>(CLASSES).items);
        if (def) {
          this.update<PersistentVolumeClaim>(PVCS, claim, (c) => {
            if (claimHasClass(c)) return false;
            c.spec.storageClassName = def.metadata.name;
          });
          return;
        }
      }
      const waiting = this.pending(claim);
      if (!waiting) return;
      claim = waiting;
      if (delayBinding && !selected) {
        this.say(this.o.events, claim, 'Normal', 'WaitForFirstConsumer', 'waiting for first consumer to be created before binding');
      } else if (className !== '') {
        await this.provisionClaim(claim, className, cls);
      } else {
        this.say(this.o.events, claim, 'Normal', 'FailedBinding', 'no persistent volumes available for this claim and no storage class is set');
      }
      return;
    }

    // The user asked for one volume.
    const pv = store.tryGet<PersistentVolume>(PVS, undefined, claim.spec.volumeName);
    if (!pv) {
      this.pending(claim);
      return;
    }
    if (!pv.spec.claimRef) {
      const why = checkVolumeSatisfiesClaim(pv, claim);
      if (why) {
        const out = this.pending(claim);
        if (out) this.say(this.o.events, out, 'Warning', 'VolumeMismatch', `Cannot bind to requested volume "${pv.metadata.name}": ${why}`);
        return;
      }
      this.bind(pv, claim);
    } else if (isVolumeBoundToClaim(pv, claim)) {
      this.bind(pv, claim);
    } else {
      this.pending(claim); // the volume is someone else's: wait
    }
  }

  private pending(claim: PersistentVolumeClaim): PersistentVolumeClaim | undefined {
    return claim.status?.phase === 'Pending' ? claim : this.writeClaimPhase(claim, 'Pending');
  }

  private syncBoundClaim(claim: PersistentVolumeClaim): void {
    const name = claim.spec.volumeName;
    if (!name) {
      if (claim.status?.phase !== 'Lost') {
        const out = this.writeClaimPhase(claim, 'Lost');
        if (out) this.say(this.o.events, out, 'Warning', 'ClaimLost', 'Bound claim has lost reference to PersistentVolume. Data on the volume is lost!');
      }
      return;
    }
    let pv = this.o.store.tryGet<PersistentVolume>(PVS, undefined, name);
    if (!pv) {
      if (claim.status?.phase !== 'Lost') {
        const out = this.writeClaimPhase(claim, 'Lost');
        if (out) this.say(this.o.events, out, 'Warning', 'ClaimLost', 'Bound claim has lost its PersistentVolume. Data on the volume is lost!');
      }
      return;
    }
    if (pv.spec.claimRef && !isVolumeBoundToClaim(pv, claim)) {
      const out = claim.status?.phase === 'Lost' ? claim : this.writeClaimPhase(claim, 'Lost');
      if (out) this.say(this.o.events, out, 'Warning', 'ClaimMisbound', 'Two claims are bound to the same volume, this one is bound incorrectly');
      return;
    }
    // Expansion: the request grew past the volume (the API admits that only for classes allowing it).
    // A directory has no size to grow: the new size is recorded on the volume, then on the claim by bind().
    if (compareStorage(claimRequest(claim), volumeCapacity(pv)) > 0 && pv.spec.claimRef) {
      const request = claimRequest(claim);
      const out = this.update<PersistentVolume>(PVS, pv, (v) => {
        v.spec.capacity = { ...v.spec.capacity, storage: request };
      });
      if (!out) return;
      pv = out;
    }
    this.bind(pv, claim);
  }

  /**
   * Binds the volume and the claim (upstream's bind: the volume's claimRef and phase first, then the
   * claim's volumeName, annotations and status); each step is skipped when already done, so a sync after
   * a failure half-way finishes it.
   */
  private bind(pv: PersistentVolume, claim: PersistentVolumeClaim): void {
    const claimUid = claim.metadata.uid;
    const bound = this.update<PersistentVolume>(PVS, pv, (v) => {
      if (v.spec.claimRef && !isVolumeBoundToClaim(v, claim)) return false; // taken meanwhile
      if (!v.spec.claimRef || v.spec.claimRef.uid !== claimUid) {
        if (!v.spec.claimRef) v.metadata.annotations = { ...v.metadata.annotations, [STORAGE.boundByController]: 'yes' };
        v.spec.claimRef = claimRefOf(claim);
      }
      this.setVolumePhase(v, 'Bound');
    });
    if (!bound) return;
    let resized: string | number | undefined;
    const out = this.update<PersistentVolumeClaim>(PVCS, claim, (c) => {
      if (c.spec.volumeName && c.spec.volumeName !== bound.metadata.name) return false;
      const ann = { ...c.metadata.annotations };
      if (!c.spec.volumeName) {
        c.spec.volumeName = bound.metadata.name;
        ann[STORAGE.boundByController] = 'yes';
      }
      ann[STORAGE.bindCompleted] = 'yes';
      c.metadata.annotations = ann;
      const status = { ...c.status, phase: 'Bound' as const };
      if (bound.spec.accessModes) status.accessModes = [...bound.spec.accessModes];
      const capacity = { ...bound.spec.capacity };
      const was = c.status?.capacity?.storage;
      const now = capacity.storage;
      const request = c.spec.resources?.requests?.storage;
      if (was !== undefined && now !== undefined && request !== undefined && compareStorage(now, was) > 0 && compareStorage(request, was) > 0) {
        // The user's request grew and the volume has it now: the resize is done.
        resized = now;
        status.allocatedResources = { ...status.allocatedResources, storage: request };
        if (status.allocatedResourceStatuses) {
          const rest = { ...status.allocatedResourceStatuses };
          delete rest.storage;
          if (Object.keys(rest).length > 0) status.allocatedResourceStatuses = rest;
          else delete status.allocatedResourceStatuses;
        }
        if (status.conditions) {
          const kept = status.conditions.filter((k) => !RESIZE_CONDITIONS.has(k.type));
          if (kept.length > 0) status.conditions = kept;
          else delete status.conditions;
        }
      }
      if (Object.keys(capacity).length > 0) status.capacity = capacity;
      c.status = status;
    });
    if (out && resized !== undefined) {
      this.say(
        this.resizerEvents,
        out,
        'Normal',
        'VolumeResizeSuccessful',
        `Resize volume succeeded: volume ${bound.metadata.name} now records a capacity of ${String(resized)} (a local directory has no size limit to grow: nothing was enforced before or after)`,
        true,
      );
    }
  }

  /**
   * No volume fits the claim and it has a class: the PV controller hands it to the class's provisioner
   * (annotations and an ExternalProvisioning event); when that is this node's local-path provisioner, it
   * makes the volume here and binds it.
   */
  private async provisionClaim(claim: PersistentVolumeClaim, className: string, cls: StorageClass | undefined): Promise<void> {
    if (!cls) {
      this.say(this.o.events, claim, 'Warning', 'ProvisioningFailed', `storageclass.storage.k8s.io "${className}" not found`);
      return;
    }
    const ann = claim.metadata.annotations ?? {};
    if (ann[STORAGE.storageProvisioner] !== cls.provisioner || ann[STORAGE.betaStorageProvisioner] !== cls.provisioner) {
      const out = this.update<PersistentVolumeClaim>(PVCS, claim, (c) => {
        c.metadata.annotations = { ...c.metadata.annotations, [STORAGE.storageProvisioner]: cls.provisioner, [STORAGE.betaStorageProvisioner]: cls.provisioner };
      });
      if (!out) return;
      claim = out;
    }
    this.say(
      this.o.events,
      claim,
      'Normal',
      'ExternalProvisioning',
      `waiting for a volume to be created, either by external provisioner "${cls.provisioner}" or manually created by system administrator`,
    );
    if (cls.provisioner !== LOCAL_PATH_PROVISIONER) return;
    await this.provisionLocalPath(claim, cls);
  }

  /**
   * The local-path provisioner: a directory on this node, a PV pre-bound to the claim, then the binding.
   * A failure is a ProvisioningFailed event (once per message); when the scheduler chose the node (the
   * claim's selected-node annotation), the annotation is then removed, as sig-storage-lib-external-
   * provisioner's rescheduleProvisioning does: the scheduler takes that as "provisioning failed", records
   * FailedScheduling on the pod and gives the claim the node again after its back-off (1 s doubling to
   * 10 s), which is the retry cadence — no loop here.
   */
  private async provisionLocalPath(claim: PersistentVolumeClaim, cls: StorageClass): Promise<void> {
    const { store, nodeName, localPathRoot } = this.o;
    const failed = (why: string): void => {
      this.say(this.provisionerEvents, claim, 'Warning', 'ProvisioningFailed', `failed to provision volume with StorageClass "${cls.metadata.name}": ${why}`);
      this.rescheduleProvisioning(claim);
    };
    const node = claim.metadata.annotations?.[STORAGE.selectedNode] ?? nodeName;
    if (node !== nodeName) return failed(`node "${node}" is not this node ("${nodeName}"): its local path cannot be made here`);
    const why = checkProvisionable(claim, cls, this.nodeInfo(nodeName));
    if (why) return failed(why);

    const pvName = provisionedVolumeName(claim);
    let pv = store.tryGet<PersistentVolume>(PVS, undefined, pvName);
    if (!pv) {
      this.say(this.provisionerEvents, claim, 'Normal', 'Provisioning', `External provisioner is provisioning volume for claim "${this.claimEventName(claim)}"`);
      let dir: string;
      try {
        dir = await createVolumeDirectory(localPathRoot, claim);
      } catch (err) {
        return failed(errorMessage(err));
      }
      // The claim may have gone (or started going) while the directory was made: then no volume.
      const now = store.tryGet<PersistentVolumeClaim>(PVCS, claim.metadata.namespace, claim.metadata.name ?? '');
      if (!now || now.metadata.uid !== claim.metadata.uid || now.metadata.deletionTimestamp) {
        await fs.rmdir(dir).catch(() => undefined);
        return;
      }
      claim = now;
      const nodeObj = store.tryGet<Node>('nodes', undefined, nodeName);
      const hostname = nodeObj?.metadata.labels?.['kubernetes.io/hostname'] ?? nodeName;
      try {
        pv = store.create<PersistentVolume>(PVS, buildProvisionedVolume({ claim, cls, dir, hostname }));
      } catch (err) {
        if (!(err instanceof AlreadyExistsError)) return failed(errorMessage(err));
        pv = store.tryGet<PersistentVolume>(PVS, undefined, pvName);
        if (!pv) return;
      }
      this.say(this.provisionerEvents, claim, 'Normal', 'ProvisioningSucceeded', `Successfully provisioned volume ${pvName}`);
    }
    if (isVolumeBoundToClaim(pv, claim)) this.bind(pv, claim);
  }

  /** Gives the claim back to the scheduler: its selected-node annotation (the value it failed on) goes. */
  private rescheduleProvisioning(claim: PersistentVolumeClaim): void {
    const selected = claim.metadata.annotations?.[STORAGE.selectedNode];
    if (selected === undefined) return; // not the scheduler's doing (Immediate): the resync retries
    this.update<PersistentVolumeClaim>(PVCS, claim, (c) => {
      if (c.spec.volumeName || c.metadata.annotations?.[STORAGE.selectedNode] !== selected) return false;
      const ann = { ...c.metadata.annotations };
      delete ann[STORAGE.selectedNode];
      c.metadata.annotations = ann;
    });
  }

  // ---- volumes ----

  private async syncVolume(name: string): Promise<void> {
    const { store } = this.o;
    let pv = store.tryGet<PersistentVolume>(PVS, undefined, name);
    if (!pv) return;
    if (!pv.metadata.deletionTimestamp && !pv.metadata.finalizers?.includes(STORAGE.pvProtection)) {
      pv = this.update<PersistentVolume>(PVS, pv, (v) => {
        v.metadata.finalizers = [...(v.metadata.finalizers ?? []), STORAGE.pvProtection];
      });
      if (!pv) return;
    }
    const gone = await this.syncVolumePhase(pv);
    if (gone) return;
    // pv-protection: a deleting volume keeps its finalizer while Bound.
    pv = store.tryGet<PersistentVolume>(PVS, undefined, name);
    if (!pv?.metadata.deletionTimestamp || pv.status?.phase === 'Bound') return;
    if (pv.metadata.finalizers?.includes(STORAGE.pvProtection)) {
      pv = this.update<PersistentVolume>(PVS, pv, (v) => {
        v.metadata.finalizers = (v.metadata.finalizers ?? []).filter((f) => f !== STORAGE.pvProtection);
      });
      if (!pv) return;
    }
    if ((pv.metadata.finalizers ?? []).length === 0) this.remove(PVS, pv);
  }

  /** Upstream's syncVolume: the phase from the claimRef and the claim; a released volume is reclaimed. True when the PV was deleted. */
  private async syncVolumePhase(pv: PersistentVolume): Promise<boolean> {
    const ref = pv.spec.claimRef;
    if (!ref) {
      if (pv.status?.phase !== 'Available' || pv.status.message !== undefined) this.writeVolumePhase(pv, 'Available');
      return false;
    }
    if (!ref.uid) {
      // Pre-bound by its creator to a claim by name: Available until that claim's sync binds it.
      if (pv.status?.phase !== 'Available') this.writeVolumePhase(pv, 'Available');
      this.queue.add(pvcKey(ref.namespace, ref.name));
      return false;
    }
    let claim = this.o.store.tryGet<PersistentVolumeClaim>(PVCS, ref.namespace, ref.name ?? '');
    if (claim && claim.metadata.uid !== ref.uid) claim = undefined;
    if (!claim) {
      if (pv.status?.phase !== 'Released' && pv.status?.phase !== 'Failed') {
        const out = this.writeVolumePhase(pv, 'Released');
        if (!out) return false;
        pv = out;
      }
      return this.reclaim(pv);
    }
    if (!claim.spec.volumeName) {
      this.queue.add(pvcKey(ref.namespace, ref.name)); // binding half-way: the claim's sync finishes it
      return false;
    }
    if (claim.spec.volumeName === pv.metadata.name) {
      if (pv.status?.phase !== 'Bound') this.writeVolumePhase(pv, 'Bound');
      return false;
    }
    // The claim is bound to another volume.
    if (pv.metadata.annotations?.[STORAGE.provisionedBy] && pv.spec.persistentVolumeReclaimPolicy === 'Delete') {
      if (pv.status?.phase !== 'Released' && pv.status?.phase !== 'Failed') {
        const out = this.writeVolumePhase(pv, 'Released');
        if (!out) return false;
        pv = out;
      }
      return this.reclaim(pv);
    }
    if (pv.metadata.annotations?.[STORAGE.boundByController]) {
      // We bound it and the claim went elsewhere: free it (a user's pre-binding keeps its name, loses the uid).
      this.update<PersistentVolume>(PVS, pv, (v) => {
        if (v.metadata.annotations?.[STORAGE.boundByController]) {
          delete v.spec.claimRef;
          const ann = { ...v.metadata.annotations };
          delete ann[STORAGE.boundByController];
          v.metadata.annotations = ann;
        } else if (v.spec.claimRef) {
          delete v.spec.claimRef.uid;
        }
        this.setVolumePhase(v, 'Available');
      });
    }
    return false;
  }

  /** The reclaim policy of a Released volume. True when the PV is gone. */
  private async reclaim(pv: PersistentVolume): Promise<boolean> {
    const policy = pv.spec.persistentVolumeReclaimPolicy ?? 'Retain';
    const name = pv.metadata.name ?? '';
    if (policy === 'Retain') return false;
    if (policy === 'Recycle') {
      if (pv.status?.phase !== 'Failed') {
        const out = this.writeVolumePhase(pv, 'Failed', 'No recycler plugin found for the volume!');
        if (out) this.say(this.o.events, out, 'Warning', 'VolumeFailedRecycle', 'No recycler plugin found for the volume!');
      }
      return false;
    }
    if (policy !== 'Delete') {
      if (pv.status?.phase !== 'Failed') {
        const msg = 'Volume has unrecognized PersistentVolumeReclaimPolicy';
        const out = this.writeVolumePhase(pv, 'Failed', msg);
        if (out) this.say(this.o.events, out, 'Warning', 'VolumeUnknownReclaimPolicy', msg);
      }
      return false;
    }
    if (isLocalPathVolume(pv)) {
      if (pv.status?.phase === 'Failed') return false; // a path it will never remove; the admin decides
      try {
        await deleteVolumeDirectory(this.o.localPathRoot, pv);
      } catch (err) {
        const msg = `failed to delete volume ${name}: ${errorMessage(err)}`;
        if (err instanceof ForeignVolumePathError) {
          const out = this.writeVolumePhase(pv, 'Failed', msg);
          if (out) this.say(this.provisionerEvents, out, 'Warning', 'VolumeFailedDelete', msg);
          return false;
        }
        // Transient (a mount still below it, something writing): tried again at the next sync.
        if (this.say(this.provisionerEvents, pv, 'Warning', 'VolumeFailedDelete', msg)) {
          this.o.logger.warn({ pv: name, err: errorMessage(err) }, 'local-path: could not remove a volume directory');
        }
        return false;
      }
      // The directory is gone; the volume object follows (whatever finalizers it has: this is its deleter).
      const now = this.o.store.tryGet<PersistentVolume>(PVS, undefined, name);
      if (now && now.metadata.uid === pv.metadata.uid) this.remove(PVS, now);
      return true;
    }
    if (pv.metadata.annotations?.[STORAGE.provisionedBy]) return false; // another provisioner's to delete
    if (pv.status?.phase !== 'Failed') {
      const msg = `error getting deleter volume plugin for volume "${name}": no deletable volume plugin matched`;
      const out = this.writeVolumePhase(pv, 'Failed', msg);
      if (out) this.say(this.o.events, out, 'Warning', 'VolumeFailedDelete', msg);
    }
    return false;
  }
}
