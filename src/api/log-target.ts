// Which container and which log file `GET pods/<p>/log` reads (pure): the container from the query,
// the default-container annotation or the only container; the instance from the container status
// (restartCount) and the `<n>.log` files present; errors worded as the kubelet words them.

import { BadRequestError } from '../errors.js';
import type { Container, ContainerStatus, Pod } from '../k8s/types.js';

export const DEFAULT_CONTAINER_ANNOTATION = 'kubectl.kubernetes.io/default-container';

export function selectContainer(pod: Pod, requested: string | undefined): string {
  const name = pod.metadata.name;
  const regular = pod.spec.containers ?? [];
  const init = pod.spec.initContainers ?? [];
  const eph = (pod.spec.ephemeralContainers ?? []) as Container[];
  const all = [...regular, ...init, ...eph].map((c) => c.name);
  if (requested) {
    if (!all.includes(requested)) throw new BadRequestError(`container ${requested} is not valid for pod ${name}`);
    return requested;
  }
  const annotated = pod.metadata.annotations?.[DEFAULT_CONTAINER_ANNOTATION];
  if (annotated && all.includes(annotated)) return annotated;
  if (regular.length === 1) return regular[0].name;
  let msg = `a container name must be specified for pod ${name}, choose one of: [${regular.map((c) => c.name).join(' ')}]`;
  if (init.length) msg += ` or one of the init containers: [${init.map((c) => c.name).join(' ')}]`;
  if (eph.length) msg += ` or one of the ephemeral containers: [${eph.map((c) => c.name).join(' ')}]`;
  throw new BadRequestError(msg);
}

export function findContainerStatus(pod: Pod, container: string): ContainerStatus | undefined {
  const s = pod.status ?? {};
  return [...(s.containerStatuses ?? []), ...(s.initContainerStatuses ?? []), ...(s.ephemeralContainerStatuses ?? [])].find((c) => c.name === container);
}

export interface LogInstance {
  /** The `<n>.log` to read. */
  attempt: number;
  /** Whether that instance may still be writing (follow keeps reading until it stops). */
  running: boolean;
  containerID?: string;
}

/**
 * Picks the log file among `attempts` (the numbers of the existing `<n>.log` files).
 * current: the newest file at or below restartCount; previous: the newest below restartCount.
 */
export function selectLogInstance(pod: Pod, container: string, attempts: number[], previous: boolean): LogInstance {
  const pname = pod.metadata.name;
  const cs = findContainerStatus(pod, container);
  const restartCount = cs?.restartCount ?? 0;
  const sorted = [...attempts].sort((a, b) => b - a);
  if (previous) {
    const n = sorted.find((a) => a < restartCount);
    if (n === undefined || !cs?.lastState?.terminated) {
      throw new BadRequestError(`previous terminated container "${container}" in pod "${pname}" not found`);
    }
    return { attempt: n, running: false };
  }
  const waiting = cs?.state?.waiting;
  if (!cs || (waiting && !cs.lastState?.terminated && !sorted.some((a) => a <= restartCount))) {
    const reason = waiting?.reason || 'ContainerCreating';
    let detail: string = reason;
    if (reason === 'ErrImagePull') detail = "image can't be pulled";
    if (reason === 'ImagePullBackOff') detail = 'trying and failing to pull image';
    throw new BadRequestError(`container "${container}" in pod "${pname}" is waiting to start: ${detail}`);
  }
  const n = sorted.find((a) => a <= restartCount);
  if (n === undefined) throw new BadRequestError(`container "${container}" in pod "${pname}" is terminated`);
  const running = !!cs.state?.running && n === restartCount;
  return { attempt: n, running, containerID: cs.containerID };
}
