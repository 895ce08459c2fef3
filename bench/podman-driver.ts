// The podman side: each pod is one `podman kube play --network <bench net> <yaml>` (podman returns once the
// pod's containers run, init containers done), timed as the whole command; delete is `podman pod rm`. A pod
// started with claims is one YAML of the claims and the pod (kube play makes a named volume per claim);
// its delete is `podman kube down` of that YAML, then `podman volume rm` of the volumes.


import type { ExecCommand } from './exec.js';
import fs from 'node:fs';
import path from 'node:path';
import { epochMs } from './api-client.js';
import type { PodDriver } from './driver.js';
import { toYamlDocuments, type ClaimManifest, type PodManifest } from './pod-specs.js';
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

  /** The YAML and the volumes (one per claim) of each pod started with claims. */
  private readonly plays = new Map<string, { file: string; volumes: string[] }>();

  constructor(private readonly env: PodmanEnv) {}

  async start(pod: PodManifest, claims: readonly ClaimManifest[] = []): Promise<number> {
    const name = pod.metadata.name;
    const file = path.join(this.env.dir, 'pods', `${name}.yaml`);
    fs.writeFileSync(file, toYamlDocuments([...claims, withInitTypeAlways(pod)]));
    if (claims.length) this.plays.set(name, { file, volumes: claims.map((c) => c.metadata.name) });
    const t0 = epochMs();
    await this.env.check(['kube', 'play', '--network', PODMAN_NETWORK, file], 60_000);
    return epochMs() - t0;
  }

  /** kube play names a pod's container <pod>-<container>. */
  execCommand(pod: string, container: string): ExecCommand {
    return { file: this.env.podman, args: (cmd) => ['exec', `${pod}-${container}`, ...cmd], env: this.env.commandEnv() };
  }

  async remove(name: string): Promise<void> {
    const play = this.plays.get(name);
    if (!play) {
      await this.env.check(['pod', 'rm', '--force', '--time', '1', name], 60_000);
      return;
    }
    await this.env.check(['kube', 'down', play.file], 60_000);
    await this.env.check(['volume', 'rm', ...play.volumes], 60_000);
    this.plays.delete(name);
  }

  /**
   * Pods with claims go as remove() does them, 5 at a time; then the other pods, 5 at a time (one `pod rm -a`
   * removes them one by one, about a second each); then any volume left.
   */
  async removeAll(): Promise<void> {
    // A failed kube down is reported once the rest is removed: the sweep below still clears its pod and volume.
    let failed: Error | undefined;
    await runPool([...this.plays.keys()], 5, (name) => this.remove(name).catch((e: Error) => void (failed ??= e)));
    const ids = (await this.env.check(['pod', 'ps', '--quiet'])).split('\n').filter(Boolean);
    await runPool(ids, 5, async (id) => {
      await this.env.run(['pod', 'rm', '--force', '--time', '0', id], 60_000);
    });
    await this.env.check(['pod', 'rm', '--all', '--force', '--time', '0'], 180_000);
    const volumes = (await this.env.check(['volume', 'ls', '--quiet'])).split('\n').filter(Boolean);
    if (volumes.length) await this.env.check(['volume', 'rm', '--force', ...volumes], 60_000);
    this.plays.clear();
    if (failed) throw failed;
  }

  async memory(pods: number) {
    const m = podsMemory(this.env.dir);
    const cg = cgroupMemoryMB('libpod_parent');
    return { perPodPssMB: m.pssMB / pods, perPodRssMB: m.rssMB / pods, perPodCgroupMB: cg === undefined ? undefined : cg / pods };
  }
}
