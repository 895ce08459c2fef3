// The volume manager contract (the kubelet's volume manager): sets a pod's volumes up on the host
// before its containers are created, and tears them down after the sandbox is gone.

import type { Container, Pod } from '../k8s/types.js';
import type { Mount } from '../runtime/runtime.js';

/** A volume as set up on the host. */
export interface MountedVolume {
  name: string;
  /** Host path of the volume's root (a directory, or a file for hostPath files/sockets/devices). */
  hostPath: string;
  /** True for configMap/secret/downwardAPI volumes, which are always mounted read-only. */
  readOnly: boolean;
}

/**
 * A volume failure whose message is the kubelet's whole event text (reason FailedMount), emitted as it
 * is rather than after "MountVolume.SetUp failed": the volume manager's wait for a pod's claims
 * ("Unable to attach or mount volumes: unmounted volumes=[data], ...") and a PV it cannot mount
 * ("MountVolume.NewMounter initialization failed for volume ...").
 */
export class VolumeEventError extends Error {
  override readonly name = 'VolumeEventError';
}

export interface VolumeManager {
  /**
   * Sets up (idempotently) every volume of the pod: emptyDir dirs or tmpfs mounts, hostPath checks,
   * configMap and secret projections (refreshed on every call). Throws ContainerConfigError for a
   * missing configMap/secret/key that is not optional, VolumeEventError for a claim that is not ready
   * (missing, unbound, its PV missing or not bound to it) or a PV it cannot mount, and a plain Error
   * for host failures.
   */
  setUpPodVolumes(pod: Pod): Promise<Map<string, MountedVolume>>;
  /** Unmounts and removes every volume dir of the pod; succeeds when already gone. */
  tearDownPodVolumes(podUid: string): Promise<void>;
  /**
   * Removes volume dirs of pods not in liveUids (after a crash). liveUids must hold every pod that may
   * still have a container running, not only those the store knows: removal under a running container
   * is what it can race (issue 6).
   */
  gc(liveUids: Set<string>): Promise<void>;
}

/**
 * Translates a container's volumeMounts into runtime mounts (readOnly applied). A subPath is opened
 * inside its volume without following symlinks (missing directories created, as the kubelet does) and
 * bind-mounted on a staging path under the pod dir, which replaces the previous instance's; the mount's
 * host path is that staging path. Throws ContainerConfigError for a bad or unsafe subPath.
 */
export type ContainerMountsFn = (pod: Pod, container: Container, volumes: Map<string, MountedVolume>) => Promise<Mount[]>;
