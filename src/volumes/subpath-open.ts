// Opening a subPath beneath its volume by file descriptor (the kubelet's fix for CVE-2021-25741).
//
// Each element is opened with openat(dirfd, name, O_NOFOLLOW), spelt `/proc/self/fd/<dirfd>/<name>`
// (system/fd-path.ts): renaming the directory, or putting a symlink where it used to be, changes
// nothing for the walk. Every element is opened with O_PATH, which needs no permission and has no
// side effects (a FIFO does not block, a device is not opened), so fstat can tell what it is before
// anything else happens.
// Missing directories are made with mkdir relative to the opened parent (mkdir never follows a final
// symlink) and opened again the same way, so what was made is what the walk continues from.
//
// The synchronous calls are deliberate: each is one local syscall, and the descriptors live only
// inside this walk or until the caller closes the result.

import fs from 'node:fs';
import { ContainerConfigError } from '../errors.js';
import { O_PATH, beneath } from '../system/fd-path.js';
import { checkElement, decideStep, routeBelow, type ElementKind } from './subpath.js';

/** A subPath held open: the descriptor is what gets mounted. Close it when done. */
export interface OpenedSubPath {
  fd: number;
  /** True for a directory (staged on a directory), false for anything else (staged on a file). */
  isDirectory: boolean;
  close(): void;
}

interface Opened {
  fd: number;
  kind: ElementKind;
}

function kindOf(st: fs.Stats): ElementKind {
  if (st.isSymbolicLink()) return 'symlink';
  if (st.isDirectory()) return 'directory';
  if (st.isFile()) return 'file';
  return 'other';
}

/** openat(dirFd, name, O_PATH|O_NOFOLLOW) and fstat; kind 'missing' (fd -1) when there is no such entry. */
function openElement(dirFd: number, name: string): Opened {
  let fd: number;
  try {
    fd = fs.openSync(beneath(dirFd, name), O_PATH | fs.constants.O_NOFOLLOW);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { fd: -1, kind: 'missing' };
    throw err;
  }
  try {
    return { fd, kind: kindOf(fs.fstatSync(fd)) };
  } catch (err) {
    fs.closeSync(fd);
    throw err;
  }
}

/** mkdirat(dirFd, name, 0755); an entry already there (made by someone else) is for the next open to judge. */
function makeElement(dirFd: number, name: string): void {
  try {
    fs.mkdirSync(beneath(dirFd, name), { mode: 0o755 });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
}

/**
 * Opens `subPath` beneath `volumeRoot` without following any symlink, creating missing directories.
 * Throws ContainerConfigError when the subPath is invalid, leaves the volume, or the volume changes
 * under the walk (a symlink or a non-directory on the route); plain errors for host failures.
 */
export async function openSubPath(volumeRoot: string, subPath: string): Promise<OpenedSubPath> {
  const { root, route } = await routeBelow(volumeRoot, subPath);
  return walkRoute(root, route, subPath);
}

/**
 * Opens `route` element by element beneath the directory `root` (canonical: it comes from the engine,
 * the pod dir or the hostPath the pod names), as openSubPath does once the route is known. `subPath`
 * only names the mount in errors.
 */
export function walkRoute(root: string, route: string[], subPath: string): OpenedSubPath {
  let cur = fs.openSync(root, O_PATH | fs.constants.O_NOFOLLOW | fs.constants.O_DIRECTORY);
  try {
    for (let i = 0; i < route.length; i++) {
      const name = route[i];
      const invalid = checkElement(name);
      if (invalid) throw new ContainerConfigError(`subPath ${subPath}: ${invalid}`);
      const last = i === route.length - 1;
      let el = openElement(cur, name);
      let step = decideStep(el.kind, last, false);
      if (step.action === 'create') {
        makeElement(cur, name);
        el = openElement(cur, name);
        step = decideStep(el.kind, last, true);
      }
      if (step.action === 'refuse') {
        if (el.fd >= 0) fs.closeSync(el.fd);
        throw new ContainerConfigError(`subPath ${subPath}: ${route.slice(0, i + 1).join('/')} ${step.reason}`);
      }
      fs.closeSync(cur);
      cur = el.fd;
    }
    const fd = cur;
    const isDirectory = fs.fstatSync(fd).isDirectory();
    cur = -1;
    return { fd, isDirectory, close: () => fs.closeSync(fd) };
  } finally {
    if (cur >= 0) fs.closeSync(cur);
  }
}
