// The resource-metrics pipeline the daemon owns (in the place of metrics-server and the kubelet's summary
// API): the cgroup reader for this host's layout, the sampler over the runtime's running containers, and
// the storage the metrics.k8s.io API reads. Containers' cgroups are where the runtime puts them:
// <parent>[/<qos>]/pod<uid>/<container id> (runtime/oci-spec.ts cgroupsPathFor).

import os from 'node:os';
import type { Clock } from '../system/clock.js';
import type { Logger } from '../system/logger.js';
import { readVirtualText } from '../system/virtual-file.js';
import { cgroupsPathFor } from '../runtime/oci-spec.js';
import { INFRA_CONTAINER_NAME, LABEL_CONTAINER_NAME, LABEL_POD_NAME, LABEL_POD_NAMESPACE, LABEL_POD_UID, type ContainerRuntime } from '../runtime/runtime.js';
import { CgroupReader, detectCgroupLayout } from './cgroup-reader.js';
import { MetricsStorage } from './rates.js';
import { MetricsSampler, type SampledContainer } from './sampler.js';

const QOS_LEVELS = [undefined, 'burstable', 'besteffort'] as const;

export interface ResourceMetrics {
  storage: MetricsStorage;
  stop(): Promise<void>;
}

export async function startResourceMetrics(o: {
  runtime: Pick<ContainerRuntime, 'listContainers'>;
  cgroupParent: string;
  nodeName: string;
  resolutionMs: number;
  clock: Clock;
  logger: Logger;
}): Promise<ResourceMetrics> {
  const layout = await detectCgroupLayout(readVirtualText);
  const storage = new MetricsStorage(o.resolutionMs);
  const sampler = new MetricsSampler({
    clock: o.clock,
    logger: o.logger,
    resolutionMs: o.resolutionMs,
    nodeName: o.nodeName,
    nodeStartTime: o.clock.now() - os.uptime() * 1000,
    reader: new CgroupReader(layout, readVirtualText),
    storage,
    listContainers: async () => (await o.runtime.listContainers({ state: 'running' })).flatMap((c): SampledContainer[] => {
      const l = c.labels;
      const name = l[LABEL_CONTAINER_NAME] ?? c.metadata.name;
      if (name === INFRA_CONTAINER_NAME || !l[LABEL_POD_UID]) return [];
      return [{ id: c.id, podNamespace: l[LABEL_POD_NAMESPACE] ?? '', podName: l[LABEL_POD_NAME] ?? '', podUid: l[LABEL_POD_UID], name, startedAt: c.startedAt }];
    }),
    cgroupPaths: (c) => QOS_LEVELS.map((q) => cgroupsPathFor(o.cgroupParent, c.podUid, c.id, q)),
  });
  sampler.start();
  return { storage, stop: () => sampler.stop() };
}
