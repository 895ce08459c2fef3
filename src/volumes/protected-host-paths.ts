// hostPath into the node agent's own state: a hostPath volume (inline, or a claim's PV of type hostPath
// or local) that resolves to the data dir or the run dir (runc's root, the pinned netns, exit files,
// attach sockets), or anything inside them, is mounted only into a privileged container. An
// unprivileged container that mounts it is not created: CreateContainerConfigError, as the kubelet
// refuses a container config it cannot honour, naming the volume and the directory. The rule is per
// container (a privileged container could mount the host anyway), so an ephemeral container is checked
// when it is created. Exempt: the local-path provisioner's directory (<data-dir>/storage), where the
// node's own dynamically provisioned PVs live. Ancestors (hostPath "/", "/var/lib") are not refused: a
// node agent (log shipper, node exporter) mounts those, and they are as strong as privileged anyway.
// peapod's own rule: the kubelet refuses no hostPath (Pod Security admission forbids them all under
// "baseline"); this one keeps a pod from corrupting the store or runc's state by name.

import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { NodePaths } from '../node/paths.js';

export interface ProtectedDirs {
  /** [directory, what it is] */
  dirs: [string, string][];
  /** Directories inside them that any container may mount. */
  allowed: string[];
}

export function protectedDirsOf(paths: NodePaths): ProtectedDirs {
  return {
    dirs: [
      [paths.dataDir, 'data directory'],
      [paths.runDir, 'run directory'],
    ],
    allowed: [paths.storageDir],
  };
}

const within = (p: string, dir: string): boolean => p === dir || p.startsWith(dir.endsWith('/') ? dir : `${dir}/`);

/** The protected directory (and what it is) a resolved host path is in, unless an allowed one holds it. Pure. */
export function protectedBy(resolved: string, dirs: ProtectedDirs): [string, string] | undefined {
  if (dirs.allowed.some((a) => within(resolved, a))) return undefined;
  return dirs.dirs.find(([d]) => within(resolved, d));
}

/** A path through every symlink of its longest existing prefix (the rest as written). */
export async function resolveHostPath(p: string): Promise<string> {
  const abs = path.resolve(p);
  const rest: string[] = [];
  for (let cur = abs; ; cur = path.dirname(cur)) {
    try {
      return path.join(await fs.realpath(cur), ...rest.reverse());
    } catch {
      if (cur === '/') return abs;
      rest.push(path.basename(cur));
    }
  }
}

/** The protected dirs themselves, resolved (a data dir reached through a symlink is the same dir). */
export async function resolveProtectedDirs(dirs: ProtectedDirs): Promise<ProtectedDirs> {
  const all = await Promise.all(dirs.dirs.map(async ([d, what]) => [[d, what], [await resolveHostPath(d), what]] as [string, string][]));
  const allowed = (await Promise.all(dirs.allowed.map(async (a) => [a, await resolveHostPath(a)]))).flat();
  return { dirs: all.flat(), allowed };
}
