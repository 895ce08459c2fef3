// Measures the local storage of pods that have limits on it and asks for their eviction when they go
// over (local-storage.ts decides), every 10 s as the kubelet's eviction manager does. Pods without an
// ephemeral-storage limit or a disk emptyDir with a sizeLimit are never measured. For each pod: its
// running containers' writable layers from the runtime, and one `du` over their log dirs and its
// local volumes.

import type { Pod } from '../k8s/types.js';
import { podLogDirectory, type NodePaths } from '../node/paths.js';
import { LABEL_POD_UID, type ContainerRuntime } from '../runtime/runtime.js';
import type { Clock } from '../system/clock.js';
import type { Logger } from '../system/logger.js';
import { errorMessage } from '../errors.js';
import { volumeDir } from '../volumes/layout.js';
import { hasStorageLimits, localVolumes, storageEvictionMessage, type PodStorageUsage } from './local-storage.js';

/** The kubelet's eviction monitoring interval. */
export const STORAGE_CHECK_INTERVAL_MS = 10_000;

export type DiskUsageFn = (paths: string[]) => Promise<Map<string, number>>;

export interface StorageMonitorOptions {
  clock: Clock;
  logger: Logger;
  runtime: Pick<ContainerRuntime, 'listContainers' | 'containerFsUsage'>;
  paths: NodePaths;
  diskUsage: DiskUsageFn;
  /** The pods that hold the node now (admitted, not finished, not being deleted). */
  pods: () => Pod[];
  /** Evicts the pod with the message. */
  evict: (pod: Pod, message: string) => void;
  intervalMs?: number;
}

export class StorageMonitor {
  private cancel?: () => void;
  private stopped = false;
  private running?: Promise<void>;

  constructor(private readonly o: StorageMonitorOptions) {}

  start(): void {
    this.schedule();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.cancel?.();
    await this.running;
  }

  /** Resolves when no round is in flight. */
  async idle(): Promise<void> {
    await this.running;
  }

  /** One round over every pod with limits. */
  async check(): Promise<void> {
    for (const pod of this.o.pods()) {
      if (this.stopped) return;
      if (!hasStorageLimits(pod)) continue;
      try {
        const message = storageEvictionMessage(pod, await this.measure(pod));
        if (message) this.o.evict(pod, message);
      } catch (err) {
        this.o.logger.warn({ pod: pod.metadata.name, err: errorMessage(err) }, 'could not measure the local storage of a pod');
      }
    }
  }

  private schedule(): void {
    if (this.stopped) return;
    this.cancel = this.o.clock.setTimer(this.o.intervalMs ?? STORAGE_CHECK_INTERVAL_MS, () => {
      this.running = this.check().finally(() => {
        this.running = undefined;
        this.schedule();
      });
    });
  }

  /** What the pod uses: running containers' layers and logs, its local volumes. */
  async measure(pod: Pod): Promise<PodStorageUsage> {
    const m = pod.metadata;
    const uid = m.uid ?? '';
    const running = await this.o.runtime.listContainers({ state: 'running', labelSelector: { [LABEL_POD_UID]: uid } });
    const layers = await this.o.runtime.containerFsUsage(running.map((c) => c.id));
    const logDir = podLogDirectory(this.o.paths, m.namespace ?? 'default', m.name ?? '', uid);
    const logsOf = (name: string) => `${logDir}/${name}`;
    const volumes = new Map(localVolumes(pod).map((v) => [v.name, volumeDir(this.o.paths, uid, v.emptyDir ? 'emptyDir' : 'configMap', v.name)] as const));
    const used = await this.o.diskUsage([...running.map((c) => logsOf(c.metadata.name)), ...volumes.values()]);
    return {
      containers: running.map((c) => ({ name: c.metadata.name, rootfsBytes: layers.get(c.id) ?? 0, logsBytes: used.get(logsOf(c.metadata.name)) ?? 0 })),
      volumes: new Map([...volumes].map(([name, dir]) => [name, used.get(dir) ?? 0])),
    };
  }
}
