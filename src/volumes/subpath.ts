// Deciding where a volumeMount's subPath lies inside its volume, as the kubelet does: the path must be
// relative without '..'; symlinks are resolved by name once, and the result must stay inside the
// volume. That name resolution only picks the route and gives a clear error: it is not what keeps
// the mount inside the volume, because a container sharing the volume can change any element after
// it was read. The route is then opened one element at a time by file descriptor, never following a
// symlink (subpath-open.ts), and only the opened descriptor is mounted (subpath-staging.ts). The
// decisions taken on each element of that walk are here, pure.

import { promises as fs } from 'node:fs';
import path from 'node:path';
import { ContainerConfigError } from '../errors.js';

/** A syntactic check: undefined when acceptable, else the reason. */
export function checkSubPathSyntax(subPath: string): string | undefined {
  if (path.isAbsolute(subPath)) return `subPath ${subPath} must be a relative path`;
  if (subPath.split('/').includes('..')) return `subPath ${subPath} must not contain '..'`;
  return undefined;
}

/** The elements of a relative path, without empty and '.' elements ("a//./b/" → [a, b]). */
export function pathElements(rel: string): string[] {
  return rel.split('/').filter((x) => x !== '' && x !== '.');
}

/** The elements of `p` below `root` (both canonical), or undefined when p is not root or below it. */
export function elementsBelow(root: string, p: string): string[] | undefined {
  if (p === root) return [];
  const prefix = root.endsWith('/') ? root : root + '/';
  return p.startsWith(prefix) ? pathElements(p.slice(prefix.length)) : undefined;
}

/**
 * The canonical volume root and the route to the subPath below it: every element that exists is
 * resolved by name (symlinks included) and must stay inside the volume; elements from the first
 * missing one on are kept as written (the walk creates them). Throws ContainerConfigError.
 */
export async function routeBelow(volumeRoot: string, subPath: string): Promise<{ root: string; route: string[] }> {
  const bad = checkSubPathSyntax(subPath);
  if (bad) throw new ContainerConfigError(bad);
  const root = await fs.realpath(volumeRoot);
  const parts = pathElements(subPath);
  let cur = root;
  for (let i = 0; i < parts.length; i++) {
    const next = path.join(cur, parts[i]);
    // ENOTDIR: an element on the way is a file; the walk refuses it with a clear message.
    const real = await fs.realpath(next).catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT' || err.code === 'ENOTDIR') return undefined;
      if (err.code === 'ELOOP') throw new ContainerConfigError(`subPath ${subPath}: ${parts[i]} is a symlink loop`);
      throw err;
    });
    if (real === undefined) {
      // A dangling symlink must not be created through (mkdir would fail on it anyway).
      const isLink = await fs.lstat(next).then((s) => s.isSymbolicLink(), () => false);
      if (isLink) throw new ContainerConfigError(`subPath ${subPath}: ${parts[i]} is a dangling symlink`);
      return { root, route: [...(elementsBelow(root, cur) ?? []), ...parts.slice(i)] };
    }
    if (elementsBelow(root, real) === undefined) {
      throw new ContainerConfigError(`subPath ${subPath} resolves outside the volume`);
    }
    cur = real;
  }
  return { root, route: elementsBelow(root, cur) ?? [] };
}

/** What one element of the route turned out to be when opened without following symlinks. */
export type ElementKind = 'missing' | 'directory' | 'file' | 'symlink' | 'other';

/** What the walk does with it. */
export type WalkStep =
  | { action: 'descend' }
  | { action: 'create' }
  | { action: 'done' }
  | { action: 'refuse'; reason: string };

/**
 * The walk's decision for one element. Missing elements become directories (as the kubelet does),
 * but only once: an element still missing right after the walk created it was raced away. A symlink
 * is never followed, whatever it points at: the route was already resolved, so meeting one means the
 * volume changed under the walk. The last element may be anything but a symlink; the ones before it
 * must be directories.
 */
export function decideStep(kind: ElementKind, last: boolean, justCreated: boolean): WalkStep {
  switch (kind) {
    case 'missing':
      return justCreated ? { action: 'refuse', reason: 'disappeared right after it was created' } : { action: 'create' };
    case 'symlink':
      return { action: 'refuse', reason: 'is a symlink (symlinks are not followed when a subPath is opened)' };
    case 'directory':
      return last ? { action: 'done' } : { action: 'descend' };
    default:
      return last ? { action: 'done' } : { action: 'refuse', reason: 'is not a directory' };
  }
}

/** The checks each route element gets before it is opened: one plain name, never '.' or '..'. */
export function checkElement(name: string): string | undefined {
  if (name === '' || name === '.' || name === '..' || name.includes('/') || name.includes('\0')) {
    return `invalid path element ${JSON.stringify(name)}`;
  }
  return undefined;
}
