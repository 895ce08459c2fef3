// Where each volume lives on the host, with the kubelet's plugin directory names:
// <podsDir>/<uid>/volumes/<plugin>/<name>.

import path from 'node:path';
import type { Volume } from '../k8s/types.js';
import type { NodePaths } from '../node/paths.js';

export type VolumeKind = 'emptyDir' | 'hostPath' | 'configMap' | 'secret' | 'downwardAPI' | 'projected' | 'persistentVolumeClaim';

/**
 * The kinds whose volume is a host directory outside the pod dir (hostPath, and a claim's PV: hostPath
 * or local): nothing is made for them under <podsDir>/<uid>/volumes, so teardown never reaches them.
 */
export type HostDirKind = 'hostPath' | 'persistentVolumeClaim';

export const PLUGIN_DIRS: Record<Exclude<VolumeKind, HostDirKind>, string> = {
  emptyDir: 'kubernetes.io~empty-dir',
  configMap: 'kubernetes.io~configmap',
  secret: 'kubernetes.io~secret',
  downwardAPI: 'kubernetes.io~downward-api',
  projected: 'kubernetes.io~projected',
};

/** The kind of a volume, or undefined for a source peapod does not implement. */
export function volumeKind(v: Volume): VolumeKind | undefined {
  if (v.emptyDir) return 'emptyDir';
  if (v.hostPath) return 'hostPath';
  if (v.configMap) return 'configMap';
  if (v.secret) return 'secret';
  if (v.downwardAPI) return 'downwardAPI';
  if (v.projected) return 'projected';
  if (v.persistentVolumeClaim) return 'persistentVolumeClaim';
  return undefined;
}

/** The source field name of a volume, for error messages ("persistentVolumeClaim"). */
export function volumeSourceName(v: Volume): string {
  return Object.keys(v).find((k) => k !== 'name') ?? 'none';
}

/** True for the kinds written by the atomic writer (their files live under `..data`). */
export function isProjected(kind: VolumeKind | undefined): boolean {
  return kind === 'configMap' || kind === 'secret' || kind === 'downwardAPI' || kind === 'projected';
}

export function podDir(paths: NodePaths, uid: string): string {
  return path.join(paths.podsDir, uid);
}

export function volumeDir(paths: NodePaths, uid: string, kind: Exclude<VolumeKind, HostDirKind>, name: string): string {
  return path.join(paths.podsDir, uid, 'volumes', PLUGIN_DIRS[kind], name);
}
