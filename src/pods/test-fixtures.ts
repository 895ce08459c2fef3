// Builders for pods/ unit tests (not used by the daemon).

import type { Container, Pod, PodSpec } from '../k8s/types.js';
import { LABEL_CONTAINER_NAME, LABEL_POD_UID, type ContainerStatus, type PodSandboxStatus } from '../runtime/runtime.js';
import { ANNOTATION_HASH, ANNOTATION_RESTART_COUNT, containerHash, groupByName, type ObservedPod } from './spec.js';

export const T0 = Date.UTC(2026, 0, 1);
export const UID = 'uid-1';

export function makePod(spec: Partial<PodSpec> = {}, name = 'p'): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'ns', uid: UID, creationTimestamp: new Date(T0).toISOString() },
    spec: { containers: [{ name: 'c', image: 'busybox:1.36' }], nodeName: 'node1', ...spec },
  };
}

export const ctr = (name: string, extra: Partial<Container> = {}): Container => ({ name, image: 'busybox:1.36', ...extra });

export function sandbox(state: 'ready' | 'notready' = 'ready', attempt = 0, id = `sb${attempt}`): PodSandboxStatus {
  return {
    id,
    metadata: { name: 'p', namespace: 'ns', uid: UID, attempt },
    state,
    createdAt: T0 + attempt,
    ip: '10.88.0.5',
    additionalIps: [],
    pid: state === 'ready' ? 100 : 0,
    hostNetwork: false,
    labels: { [LABEL_POD_UID]: UID },
    annotations: {},
  };
}

let seq = 0;

export interface RecOpts {
  exitCode?: number;
  attempt?: number;
  startedAt?: number;
  finishedAt?: number;
  createdAt?: number;
  reason?: string;
  image?: string;
  sandboxId?: string;
}

/** A runtime record for container `name` (running / exited / created / unknown). */
export function rec(name: string, state: ContainerStatus['state'], o: RecOpts = {}): ContainerStatus {
  const attempt = o.attempt ?? 0;
  const image = o.image ?? 'busybox:1.36';
  return {
    id: `${name}-${attempt}-${++seq}`,
    sandboxId: o.sandboxId ?? 'sb0',
    metadata: { name, attempt },
    state,
    createdAt: o.createdAt ?? T0 + attempt * 1000,
    startedAt: state === 'created' ? 0 : o.startedAt ?? T0 + attempt * 1000,
    finishedAt: state === 'exited' ? o.finishedAt ?? T0 + attempt * 1000 + 500 : 0,
    exitCode: state === 'exited' ? o.exitCode ?? 0 : 0,
    reason: state === 'exited' ? o.reason ?? ((o.exitCode ?? 0) === 0 ? 'Completed' : 'Error') : '',
    message: '',
    image,
    imageRef: 'sha256:abc',
    labels: { [LABEL_POD_UID]: UID, [LABEL_CONTAINER_NAME]: name },
    annotations: { [ANNOTATION_RESTART_COUNT]: String(attempt), [ANNOTATION_HASH]: containerHash({ name, image }) },
    logPath: `/logs/${name}/${attempt}.log`,
    pid: state === 'running' ? 42 : 0,
  };
}

export function observed(sandboxes: PodSandboxStatus[], records: ContainerStatus[]): ObservedPod {
  return { sandboxes, containers: groupByName(records) };
}
