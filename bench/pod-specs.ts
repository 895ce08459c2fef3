// The pod manifests every scenario uses, for both peapod (POSTed as JSON) and podman kube play (the same
// object as YAML). All use the local busybox image, IfNotPresent and a 1 s grace. Pure.

import { stringify } from 'yaml';

export const BENCH_IMAGE = 'localhost/busybox:latest';
export const BENCH_LABEL = { app: 'peapod-bench' };

export interface PodManifest {
  apiVersion: 'v1';
  kind: 'Pod';
  metadata: { name: string; labels: Record<string, string>; annotations?: Record<string, string> };
  spec: Record<string, unknown>;
}

function container(name: string, command: string[], mounts?: { name: string; mountPath: string }[]): Record<string, unknown> {
  return { name, image: BENCH_IMAGE, imagePullPolicy: 'IfNotPresent', command, ...(mounts ? { volumeMounts: mounts } : {}) };
}

function pod(name: string, spec: Record<string, unknown>): PodManifest {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name, labels: { ...BENCH_LABEL } }, spec: { terminationGracePeriodSeconds: 1, ...spec } };
}

/** start-1 and density: one busybox `sleep 3600`. */
export function sleepPod(name: string): PodManifest {
  return pod(name, { containers: [container('main', ['sleep', '3600'])] });
}

/** start-init: an init container writes into an emptyDir that two app containers share. */
export function initPod(name: string): PodManifest {
  const mounts = [{ name: 'shared', mountPath: '/shared' }];
  return pod(name, {
    volumes: [{ name: 'shared', emptyDir: {} }],
    initContainers: [container('init', ['sh', '-c', 'echo ready > /shared/ready'], mounts)],
    containers: [container('app1', ['sleep', '3600'], mounts), container('app2', ['sleep', '3600'], mounts)],
  });
}

/**
 * churn: like sleepPod, but the shell exits on SIGTERM. A plain `sleep` as PID 1 ignores SIGTERM, so every
 * delete would wait out the grace period (at least 1 s in podman, 2 s in peapod): churn is to measure engine
 * work, not a timer.
 */
export function churnPod(name: string): PodManifest {
  return pod(name, { containers: [container('main', ['sh', '-c', 'trap "exit 0" TERM; sleep 3600 & wait'])] });
}

export function toYaml(p: PodManifest): string {
  return stringify(p);
}

/** How many containers must be running for the pod to count as started (init containers excluded). */
export function appContainerCount(p: PodManifest): number {
  return (p.spec.containers as unknown[]).length;
}
