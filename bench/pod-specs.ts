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

/** A claim on the default StorageClass (no storageClassName): what start-pvc mounts. */
export interface ClaimManifest {
  apiVersion: 'v1';
  kind: 'PersistentVolumeClaim';
  metadata: { name: string; labels: Record<string, string> };
  spec: { accessModes: string[]; resources: { requests: { storage: string } } };
}

export const CLAIM_SIZE = '100Mi';
export const CLAIM_MOUNT_PATH = '/data';

export function dataClaim(name: string): ClaimManifest {
  return {
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: { name, labels: { ...BENCH_LABEL } },
    spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: CLAIM_SIZE } } },
  };
}

/**
 * start-pvc: `pod` with a fresh claim `<pod>-data` mounted at /data in every app container. The claim comes
 * first, as in a file `kubectl apply -f` would be given.
 */
export function withClaim(p: PodManifest): { pod: PodManifest; claim: ClaimManifest } {
  const claim = dataClaim(`${p.metadata.name}-data`);
  const mount = { name: 'data', mountPath: CLAIM_MOUNT_PATH };
  const containers = (p.spec.containers as Record<string, unknown>[]).map((c) => ({ ...c, volumeMounts: [...((c.volumeMounts as unknown[]) ?? []), mount] }));
  const volumes = [...((p.spec.volumes as unknown[]) ?? []), { name: 'data', persistentVolumeClaim: { claimName: claim.metadata.name } }];
  return { claim, pod: { ...p, spec: { ...p.spec, volumes, containers } } };
}

/**
 * peapod's local-path volume directories (`pvc-<uid>_<namespace>_<name>`) among the entries of its storage
 * dir: all of them, or those of the claim with `uid`.
 */
export function claimVolumeDirs(entries: readonly string[], uid?: string): string[] {
  return entries.filter((e) => e.startsWith(uid === undefined ? 'pvc-' : `pvc-${uid}_`));
}

export function toYaml(p: PodManifest | ClaimManifest): string {
  return stringify(p);
}

/** One multi-document YAML, in order (what `kubectl apply -f` or `podman kube play` reads). */
export function toYamlDocuments(docs: readonly (PodManifest | ClaimManifest)[]): string {
  return docs.map(toYaml).join('---\n');
}

/** How many containers must be running for the pod to count as started (init containers excluded). */
export function appContainerCount(p: PodManifest): number {
  return (p.spec.containers as unknown[]).length;
}
