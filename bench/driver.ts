// One side of the comparison: how a scenario creates, waits for and removes a pod, and reads memory.
// peapod-driver.ts talks to the API; podman-driver.ts runs `podman kube play`.

import type { DensityFigures } from './results.js';
import type { PodManifest } from './pod-specs.js';
import type { ExecCommand } from './exec.js';

export type Side = 'peapod' | 'podman';

export interface PodDriver {
  readonly side: Side;
  /** Creates the pod; resolves with the ms from the create call until every container runs. */
  start(pod: PodManifest): Promise<number>;
  /** Deletes the pod; resolves once it is gone. */
  remove(name: string): Promise<void>;
  /** Removes every pod the bench made on this side (cleanup, not timed). */
  removeAll(): Promise<void>;
  /** The command a user runs to exec into a container of a running pod (kubectl exec, podman exec). */
  execCommand(pod: string, container: string): ExecCommand;
  /** Memory of the running pods (and the daemon, if any), per pod. */
  memory(pods: number): Promise<Omit<DensityFigures, 'pods' | 'allRunningMs'>>;
}
