// The podman side: each pod is one `podman kube play --network <bench net> <yaml>` (podman returns once the
// pod's containers run, init containers done), timed as the whole command; delete is `podman pod rm`.


import type { ExecCommand } from './exec.js';
import fs from 'node:fs';
import path from 'node:path';
import { epochMs } from './api-client.js';
import type { PodDriver } from './driver.js';
import { toYaml, type PodManifest } from './pod-specs.js';
import { cgroupMemoryMB, podsMemory } from './proc-memory.js';
import { PODMAN_NETWORK, type PodmanEnv } from './podman-env.js';
import { runPool } from './scenarios.js';

/**
 * podman 4.3.1's default init container type for kube play, "once", removes the init container after it
 * ran and intermittently fails the whole play with "failed to remove once init container … as it is
 * running"; "always" keeps it (as Kubernetes keeps its status). Only an annotation: the spec is the same.
 */
export function withInitTypeAlways(pod: PodManifest): PodManifest {
  if (!pod.spec.initContainers) return pod;
  return { ...pod, metadata: { ...pod.metadata, annotations: { 'io.podman.annotations.init.container.type': 'always' } } };
}

export class PodmanDriver implements PodDriver {
  readonly side = 'podman' as const;

  constructor(private readonly env: PodmanEnv) {}

  async start(pod: PodManifest): Promise<number> {
    const file = path.join(this.env.dir, 'pods', `${pod.metadata.name}.yaml`);
    fs.writeFileSync(file, toYaml(withInitTypeAlways(pod)));
    const t0 = epochMs();
    await this.env.check(['kube', 'play', '--network', PODMAN_NETWORK, file], 60_000);
    return epochMs() - t0;
  }

  /** kube play names a pod's container <pod>-<container>. */
  execCommand(pod: string, container: string): ExecCommand {
    return { file: this.env.podman, args: (cmd) => ['exec', `${pod}-${container}`, ...cmd], env: this.env.commandEnv() };
  }

  async remove(name: string): Promise<void> {
    await this.env.check(['pod', 'rm', '--force', '--time', '1', name], 60_000);
  }

  /** Pods are removed 5 at a time (one `pod rm -a` removes them one by one, about a second each). */
  async removeAll(): Promise<void> {
    const ids = (await this.env.check(['pod', 'ps', '--quiet'])).split('\n').filter(Boolean);
    await runPool(ids, 5, async (id) => {
      await this.env.run(['pod', 'rm', '--force', '--time', '0', id], 60_000);
    });
    await this.env.check(['pod', 'rm', '--all', '--force', '--time', '0'], 180_000);
  }

  async memory(pods: number) {
    const m = podsMemory(this.env.dir);
    const cg = cgroupMemoryMB('libpod_parent');
    return { perPodPssMB: m.pssMB / pods, perPodRssMB: m.rssMB / pods, perPodCgroupMB: cg === undefined ? undefined : cg / pods };
  }
}
