// One side of the comparison: how a scenario creates, waits for and removes a pod, and reads memory.
// peapod-driver.ts talks to the API; podman-driver.ts runs `podman kube play`.

import type { DensityFigures } from './results.js';
import type { ClaimManifest, PodManifest } from './pod-specs.js';
import type { ExecCommand } from './exec.js';

export type Side = 'peapod' | 'podman';

export interface PodDriver {
  readonly side: Side;
  /**
   * Creates the claims, then the pod, as one apply of a multi-document file would; resolves with the ms
   * from the first create call until every container of the pod runs.
   */
  start(pod: PodManifest, claims?: readonly ClaimManifest[]): Promise<number>;
  /** Deletes the pod; resolves once it is gone; then the claims it was started with, until their volumes are gone. */
  remove(name: string): Promise<void>;
  /** Removes every pod, then every claim and its volume, the bench made on this side (cleanup, not timed). */
  removeAll(): Promise<void>;
  /** The command a user runs to exec into a container of a running pod (kubectl exec, podman exec). */
  execCommand(pod: string, container: string): ExecCommand;
  /** Memory of the running pods (and the daemon, if any), per pod. */
  memory(pods: number): Promise<Omit<DensityFigures, 'pods' | 'allRunningMs'>>;
}
