// Resolving a volumeMount's subPath inside its volume, as the kubelet does: the path must be
// relative without '..'; each existing element is resolved (symlinks included) and must stay
// inside the volume, so a symlink planted by a container can't point the mount outside; missing
// elements are created as directories (0755).

import { promises as fs } from 'node:fs';
import path from 'node:path';
import { ContainerConfigError } from '../errors.js';

/** A syntactic check: undefined when acceptable, else the reason. */
export function checkSubPathSyntax(subPath: string): string | undefined {
  if (path.isAbsolute(subPath)) return `subPath ${subPath} must be a relative path`;
  if (subPath.split('/').includes('..')) return `subPath ${subPath} must not contain '..'`;
  return undefined;
}

function inside(root: string, p: string): boolean {
  return p === root || p.startsWith(root.endsWith('/') ? root : root + '/');
}

/** Returns the real host path of `subPath` inside `volumeRoot`, creating missing directories. */
export async function resolveSubPath(volumeRoot: string, subPath: string): Promise<string> {
  const bad = checkSubPathSyntax(subPath);
  if (bad) throw new ContainerConfigError(bad);
  const root = await fs.realpath(volumeRoot);
  let cur = root;
  for (const part of subPath.split('/').filter((x) => x && x !== '.')) {
    const next = path.join(cur, part);
    let real: string;
    try {
      real = await fs.realpath(next);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      // A dangling symlink must not be created through: mkdir would fail on it anyway.
      const isLink = await fs.lstat(next).then((s) => s.isSymbolicLink(), () => false);
      if (isLink) throw new ContainerConfigError(`subPath ${subPath}: ${part} is a dangling symlink`);
      await fs.mkdir(next, { mode: 0o755 });
      // Resolve again: another container sharing the volume may have swapped the new dir for a symlink
      // (no chmod through it either; the mode comes from mkdir).
      real = await fs.realpath(next);
    }
    if (!inside(root, real)) {
      throw new ContainerConfigError(`subPath ${subPath} resolves outside the volume`);
    }
    cur = real;
  }
  return cur;
}
