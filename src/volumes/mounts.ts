// containerMounts: a container's volumeMounts → runtime bind mounts. readOnly is the mount's flag or
// the volume's (projected volumes are always read-only); mountPropagation maps like the kubelet's
// CRI translation (HostToContainer → rslave, Bidirectional → rshared, else private).

import path from 'node:path';
import { promises as fs } from 'node:fs';
import type { Container, Pod, VolumeMount } from '../k8s/types.js';
import type { Mount } from '../runtime/runtime.js';
import { ContainerConfigError } from '../errors.js';
import type { ContainerMountsFn, MountedVolume } from './volumes.js';
import { isProjected, volumeKind } from './layout.js';
import { checkSubPathSyntax, resolveSubPath } from './subpath.js';

export function propagationOf(m: VolumeMount): Mount['propagation'] {
  if (m.mountPropagation === 'HostToContainer') return 'rslave';
  if (m.mountPropagation === 'Bidirectional') return 'rshared';
  return 'private';
}

/** For a projected volume, a subPath naming a payload entry binds the file under `..data`. */
async function projectedEntry(root: string, subPath: string): Promise<string | undefined> {
  const p = path.join(root, '..data', subPath);
  return fs.lstat(p).then(() => p, () => undefined);
}

async function hostPathFor(pod: Pod, vm: VolumeMount, vol: MountedVolume): Promise<string> {
  if (!vm.subPath) return vol.hostPath;
  const spec = pod.spec.volumes?.find((v) => v.name === vm.name);
  const bad = checkSubPathSyntax(vm.subPath);
  if (bad) throw new ContainerConfigError(bad);
  if (spec && isProjected(volumeKind(spec))) {
    const entry = await projectedEntry(vol.hostPath, vm.subPath);
    if (entry) return entry;
  }
  const st = await fs.stat(vol.hostPath).catch(() => undefined);
  if (!st?.isDirectory()) {
    throw new ContainerConfigError(`volume "${vm.name}" is not a directory, so it cannot have subPath ${vm.subPath}`);
  }
  return resolveSubPath(vol.hostPath, vm.subPath);
}

export const containerMounts: ContainerMountsFn = async (pod: Pod, container: Container, volumes: Map<string, MountedVolume>) => {
  const out: Mount[] = [];
  for (const vm of container.volumeMounts ?? []) {
    const vol = volumes.get(vm.name);
    if (!vol) {
      throw new ContainerConfigError(`container "${container.name}": volume "${vm.name}" is not set up`);
    }
    if (vm.subPathExpr) {
      throw new ContainerConfigError(`container "${container.name}": subPathExpr is not supported`);
    }
    out.push({
      containerPath: vm.mountPath,
      hostPath: await hostPathFor(pod, vm, vol),
      readonly: vm.readOnly === true || vol.readOnly,
      propagation: propagationOf(vm),
    });
  }
  return out;
};
