// containerMounts: a container's volumeMounts → runtime bind mounts. readOnly is the mount's flag or
// the volume's (projected volumes are always read-only); mountPropagation maps like the kubelet's
// CRI translation (HostToContainer → rslave, Bidirectional → rshared, else private). A mount with a
// subPath is opened by descriptor inside its volume and staged (subpath-staging.ts): the runtime gets
// the staging path, never a path inside the volume, which a container could have changed by then.

import path from 'node:path';
import { promises as fs } from 'node:fs';
import type { Container, Pod, VolumeMount } from '../k8s/types.js';
import type { Mount } from '../runtime/runtime.js';
import { ContainerConfigError } from '../errors.js';
import type { ContainerMountsFn, MountedVolume } from './volumes.js';
import { isProjected, volumeKind } from './layout.js';
import { checkSubPathSyntax } from './subpath.js';
import { stageSubPath, type SubPathStagerOptions } from './subpath-staging.js';
import { protectedBy, protectedDirsOf, resolveHostPath, resolveProtectedDirs, type ProtectedDirs } from './protected-host-paths.js';

export function propagationOf(m: VolumeMount): Mount['propagation'] {
  if (m.mountPropagation === 'HostToContainer') return 'rslave';
  if (m.mountPropagation === 'Bidirectional') return 'rshared';
  return 'private';
}

/**
 * The subPath to open inside the volume root: for a projected volume, a subPath naming a payload
 * entry means the entry under `..data` (the engine's own symlink to the current generation, which
 * the walk resolves by name like any other in-volume symlink); anything else as written.
 */
async function subPathInVolume(pod: Pod, vm: VolumeMount & { subPath: string }, vol: MountedVolume): Promise<string> {
  const spec = pod.spec.volumes?.find((v) => v.name === vm.name);
  if (spec && isProjected(volumeKind(spec))) {
    const entry = path.join('..data', vm.subPath);
    if (await fs.lstat(path.join(vol.hostPath, entry)).then(() => true, () => false)) return entry;
  }
  return vm.subPath;
}

/** Volumes that are a host directory of their own (an inline hostPath, a claim's PV). */
const HOST_DIR_KINDS = new Set(['hostPath', 'persistentVolumeClaim']);

/**
 * containerMounts with subPath staging under `paths` through `mounter`. A hostPath or claim volume into
 * the node's own state is refused to an unprivileged container (protected-host-paths.ts).
 */
export function makeContainerMounts(opts: SubPathStagerOptions): ContainerMountsFn {
  let guarded: Promise<ProtectedDirs> | undefined;
  return async (pod: Pod, container: Container, volumes: Map<string, MountedVolume>) => {
    const out: Mount[] = [];
    const privileged = container.securityContext?.privileged === true;
    const mounts = container.volumeMounts ?? [];
    for (let index = 0; index < mounts.length; index++) {
      const vm = mounts[index];
      const vol = volumes.get(vm.name);
      if (!vol) {
        throw new ContainerConfigError(`container "${container.name}": volume "${vm.name}" is not set up`);
      }
      if (vm.subPathExpr) {
        throw new ContainerConfigError(`container "${container.name}": subPathExpr is not supported`);
      }
      const spec = pod.spec.volumes?.find((v) => v.name === vm.name);
      let hostPath = vol.hostPath;
      if (!privileged && spec && HOST_DIR_KINDS.has(volumeKind(spec) ?? '')) {
        // The volume root and, with a subPath, where it leads (the subPath itself is checked below).
        const target = await resolveHostPath(vm.subPath && !checkSubPathSyntax(vm.subPath) ? path.join(vol.hostPath, vm.subPath) : vol.hostPath);
        const hit = protectedBy(target, await (guarded ??= resolveProtectedDirs(protectedDirsOf(opts.paths))));
        if (hit) {
          throw new ContainerConfigError(`container "${container.name}": volume "${vm.name}" (${target}) is in the node's ${hit[1]} ${hit[0]}: only a privileged container may mount it`);
        }
        // runc mounts the path just checked, not the name again: a symlink swapped in along the volume's
        // path after the check is not followed (a swap of a directory component in that short window still
        // is; the subPath case below is staged by descriptor and holds).
        if (!vm.subPath) hostPath = target;
      }
      if (vm.subPath) {
        const bad = checkSubPathSyntax(vm.subPath);
        if (bad) throw new ContainerConfigError(bad);
        const st = await fs.stat(vol.hostPath).catch(() => undefined);
        if (!st?.isDirectory()) {
          throw new ContainerConfigError(`volume "${vm.name}" is not a directory, so it cannot have subPath ${vm.subPath}`);
        }
        hostPath = await stageSubPath(opts, {
          podUid: pod.metadata.uid ?? '',
          volume: vm.name,
          container: container.name,
          index,
          volumeRoot: vol.hostPath,
          subPath: await subPathInVolume(pod, { ...vm, subPath: vm.subPath }, vol),
        });
      }
      out.push({
        containerPath: vm.mountPath,
        hostPath,
        readonly: vm.readOnly === true || vol.readOnly,
        propagation: propagationOf(vm),
      });
    }
    return out;
  };
}
