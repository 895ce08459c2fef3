// The static pod source: the manifest directory (the kubelet's staticPodPath) read at start and on every
// change (inotify where the directory exists, and a poll that also notices the directory appearing), and
// the mirror pods that show those pods through the API. The pods themselves go to the pod manager
// straight from here, not through the store: they run whether the API store works or not.
//
// Mirror pods follow the kubelet's rules: one per static pod, annotated kubernetes.io/config.mirror with
// the pod's hash and owned by the Node; one that is deleted, or that shows another version of the pod,
// is removed and made again; one whose static pod is gone is removed. Ephemeral containers added to a
// mirror pod (pods/ephemeralcontainers) are carried over to its static pod.

import fs from 'node:fs';
import path from 'node:path';
import type { EventSink } from '../../k8s/events.js';
import type { Node, Pod } from '../../k8s/types.js';
import type { Clock } from '../../system/clock.js';
import type { Logger } from '../../system/logger.js';
import type { ObjectStore, Watch } from '../../store/store.js';
import { errorMessage } from '../../errors.js';
import { stableJson } from '../../pods/worker-record.js';
import { isManifestFile, isMirrorPod, isMirrorPodOf, mirrorPodOf, staticPodFromManifest } from './manifest.js';

/** How often the directory is read again (the kubelet's fileCheckFrequency is 20 s; inotify is quicker). */
export const STATIC_POD_POLL_MS = 5_000;

/** Where the static pods go: the pod manager. */
export interface StaticPodSink {
  /** A new static pod, or a change to one (same UID). */
  upsert(pod: Pod): void;
  /** A static pod whose file is gone or changed: stopped with its grace period. */
  remove(pod: Pod): void;
  /** Its mirror pod was made again: the status is to be written to it now. */
  refresh(pod: Pod): void;
}

export interface StaticPodSourceOptions {
  dir: string;
  nodeName: string;
  store: ObjectStore;
  clock: Clock;
  logger: Logger;
  /** Where a bad manifest is reported (a Warning event on the Node). */
  events: EventSink;
  pollMs?: number;
}

interface FileEntry {
  text: string;
  pod?: Pod;
}

export class StaticPodSource {
  private readonly files = new Map<string, FileEntry>();
  private sink?: StaticPodSink;
  private timer?: NodeJS.Timeout;
  private watcher?: fs.FSWatcher;
  private storeWatch?: Watch;
  private mirrorsQueued = false;
  private stopped = false;

  constructor(private readonly o: StaticPodSourceOptions) {}

  /** The static pods now (after load() or a scan). */
  pods(): Pod[] {
    return [...this.files.values()].flatMap((f) => (f.pod ? [f.pod] : []));
  }

  /** Reads the directory once, without telling anyone: the pod manager starts with these. */
  load(): Pod[] {
    this.scan(false);
    return this.pods();
  }

  start(sink: StaticPodSink): void {
    this.sink = sink;
    const poll = () => {
      this.timer = setTimeout(() => {
        this.scan(true);
        this.syncMirrors();
        if (!this.stopped) poll();
      }, this.o.pollMs ?? STATIC_POD_POLL_MS);
      this.timer.unref?.();
    };
    poll();
    this.watchDir();
    const fieldSelector = [{ field: 'spec.nodeName', operator: 'Equals' as const, value: this.o.nodeName }];
    this.storeWatch = this.o.store.watch<Pod>('pods', { fieldSelector, resourceVersion: this.o.store.currentResourceVersion() }, (ev) => {
      if (isMirrorPod(ev.object)) this.onMirrorEvent(ev.object);
    });
    this.syncMirrors();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    this.watcher?.close();
    this.storeWatch?.stop();
  }

  /** inotify on the directory when it exists; the poll sets it up once the directory appears. */
  private watchDir(): void {
    if (this.watcher || this.stopped) return;
    try {
      this.watcher = fs.watch(this.o.dir, () => {
        // A burst of events (an editor's save) is one scan.
        clearTimeout(this.debounce);
        this.debounce = setTimeout(() => {
          this.scan(true);
          this.syncMirrors();
        }, 100);
      });
      this.watcher.on('error', () => {
        this.watcher?.close();
        this.watcher = undefined;
      });
    } catch {
      // No directory yet: the poll looks again.
    }
  }

  private debounce?: NodeJS.Timeout;

  /** Reads every manifest; tells the sink what appeared, changed or went when `notify`. */
  private scan(notify: boolean): void {
    this.watchDir();
    let names: string[] = [];
    try {
      names = fs.readdirSync(this.o.dir).filter(isManifestFile).sort();
    } catch {
      // No directory (yet): no static pods.
    }
    const seen = new Set<string>();
    for (const name of names) {
      const file = path.join(this.o.dir, name);
      let text: string;
      try {
        if (!fs.statSync(file).isFile()) continue;
        text = fs.readFileSync(file, 'utf8');
      } catch {
        continue;
      }
      seen.add(file);
      const prev = this.files.get(file);
      if (prev && prev.text === text) continue;
      const result = staticPodFromManifest(text, file, this.o.nodeName, new Date(this.o.clock.now()).toISOString());
      if (!result.ok) {
        this.o.logger.warn({ file, err: result.error }, 'could not load a static pod manifest');
        this.report(`Could not load static pod manifest ${file}: ${result.error}`);
      }
      const pod = result.ok ? result.pod : undefined;
      // Ephemeral containers added through the API survive a change of the file that keeps the pod.
      if (pod && prev?.pod && prev.pod.metadata.uid === pod.metadata.uid) pod.spec.ephemeralContainers = prev.pod.spec.ephemeralContainers;
      this.files.set(file, { text, pod });
      if (!notify) continue;
      if (prev?.pod && prev.pod.metadata.uid !== pod?.metadata.uid) this.sink?.remove(prev.pod);
      if (pod) this.sink?.upsert(pod);
    }
    for (const [file, entry] of this.files) {
      if (seen.has(file)) continue;
      this.files.delete(file);
      if (notify && entry.pod) this.sink?.remove(entry.pod);
    }
  }

  private report(message: string): void {
    const node = this.o.store.tryGet<Node>('nodes', undefined, this.o.nodeName);
    const ref = { kind: 'Node', name: this.o.nodeName, uid: node?.metadata.uid ?? this.o.nodeName, apiVersion: 'v1' };
    this.o.events.record(ref, 'Warning', 'FailedStaticPodManifest', message);
  }

  private onMirrorEvent(mirror: Pod): void {
    for (const entry of this.files.values()) {
      const pod = entry.pod;
      if (!pod || !isMirrorPodOf(mirror, pod) || mirror.metadata.deletionTimestamp) continue;
      const eph = mirror.spec.ephemeralContainers;
      if (stableJson(eph ?? []) === stableJson(pod.spec.ephemeralContainers ?? [])) continue;
      // A new object: the pod manager compares it with the one it has.
      entry.pod = { ...pod, spec: { ...pod.spec, ephemeralContainers: structuredClone(eph) } };
      this.sink?.upsert(entry.pod);
    }
    if (!this.mirrorsQueued) {
      this.mirrorsQueued = true;
      setImmediate(() => {
        this.mirrorsQueued = false;
        this.syncMirrors();
      });
    }
  }

  /** Makes the store's mirror pods match the static pods (see the header). Failures are retried at the next poll. */
  syncMirrors(): void {
    if (this.stopped) return;
    const { store, nodeName, logger } = this.o;
    try {
      const pods = this.pods();
      const node = store.tryGet<Node>('nodes', undefined, nodeName);
      for (const pod of pods) {
        const { namespace, name } = pod.metadata;
        let mirror = store.tryGet<Pod>('pods', namespace, name ?? '');
        if (mirror && !isMirrorPod(mirror)) {
          logger.warn({ pod: name, namespace }, 'a pod that is not a mirror pod has the name of a static pod: no mirror pod for it');
          continue;
        }
        if (mirror && (mirror.metadata.deletionTimestamp || !isMirrorPodOf(mirror, pod))) {
          store.delete('pods', namespace, name ?? '', { expectedUid: mirror.metadata.uid });
          mirror = undefined;
        }
        if (!mirror) {
          if (!store.tryGet('namespaces', undefined, namespace ?? 'default')) continue;
          store.create<Pod>('pods', mirrorPodOf(pod, node));
          this.sink?.refresh(pod);
        }
      }
      const list = store.list<Pod>('pods', { fieldSelector: [{ field: 'spec.nodeName', operator: 'Equals', value: nodeName }] });
      for (const mirror of list.items) {
        if (!isMirrorPod(mirror)) continue;
        if (pods.some((p) => isMirrorPodOf(mirror, p))) continue;
        store.delete('pods', mirror.metadata.namespace, mirror.metadata.name ?? '', { expectedUid: mirror.metadata.uid });
      }
    } catch (err) {
      logger.warn({ err: errorMessage(err) }, 'could not sync mirror pods');
    }
  }
}
