// Removing a directory tree that a container may still be writing into, without ever following a
// symlink (issue 6). fs.rm(recursive) walks by name: lstat(p) says "directory", rmdir(p) fails with
// ENOTEMPTY, then readdir(p) and unlink(p/child) resolve p again, and when a container has swapped p
// for a symlink in between they run in the symlink's target, on the host.
//
// Here every directory is held open (O_PATH|O_DIRECTORY|O_NOFOLLOW) and everything in it is reached
// through `/proc/self/fd/<fd>/<name>` (open-beneath.ts), which the kernel resolves in the held directory,
// whatever its old name points to by then:
//   - a name is unlinked; unlink(2) never follows, so a symlink goes as a name and its target stays;
//   - a name unlink refuses as a directory (EISDIR) is opened O_NOFOLLOW|O_DIRECTORY, emptied
//     through its own descriptor, then removed with rmdir(2), which never follows either;
//   - a name that changed kind between two of these steps (ENOTDIR, EISDIR, ELOOP, ENOTEMPTY) is
//     tried again, a few times: a writer that never stops makes the removal fail, never go astray.
// What a container moves into a directory while it is being emptied is removed with it; the container
// could have removed that itself. A directory on another filesystem than the root's (a mount the caller
// missed, a tmpfs whose lazy unmount failed) is refused, not entered: callers unmount everything below
// the root first (a bind mount from the same filesystem is not told apart), this is the second line.
//
// One descriptor per level of the current path stays open until its subtree is gone, so the depth is
// capped (MAX_DEPTH): a deeper tree fails the removal, which leaves it in place. Files are unlinked a
// batch at a time (no descriptors), directories one at a time.

import { promises as fs } from 'node:fs';
import { O_PATH, beneath, fdPath } from './open-beneath.js';

/** Levels below the root the walk enters; each holds one descriptor while its subtree is removed. */
export const MAX_DEPTH = 1024;
/**
 * How often one name is acted on while it keeps changing kind. Each try is one syscall that a racer
 * exchanging a directory and a symlink defeats about half the time; 8 tries lost about 1 teardown in
 * 100 to a tight renameat2 loop, 64 make that negligible while bounding the work.
 */
const NAME_ATTEMPTS = 64;
/** How often a directory is listed and emptied again (or the root removed again) while something refills it. */
const ROUNDS = 8;
/** Unlinks in flight at once within one directory. */
const UNLINK_BATCH = 32;

const OPEN_DIR = O_PATH | fs.constants.O_DIRECTORY | fs.constants.O_NOFOLLOW;

interface Walk {
  /** The root as the caller named it, for messages. */
  root: string;
  /** st_dev of the root: the walk never enters a directory on another device. */
  dev: bigint;
}

/**
 * Removes `dir` and everything below it, never following a symlink below `dir` and never entering
 * another filesystem. Succeeds when `dir` does not exist; throws when `dir` is not a directory (a
 * symlink included: nothing is removed then). Every element of `dir`'s own path must be one no
 * container can change (an engine-made directory): `dir` itself is opened and finally rmdir'd by name.
 */
export async function removeTreeBeneath(dir: string): Promise<void> {
  const walk = { root: dir, dev: 0n };
  for (let attempt = 0; attempt < ROUNDS; attempt++) {
    const root = await openDirectory(dir, walk);
    if (root === 'missing') return;
    if (root === 'not-a-directory') throw new Error(`remove tree ${dir}: not a directory`);
    try {
      walk.dev = (await root.stat({ bigint: true })).dev;
      await emptyDirectory(root.fd, '', walk, 0);
    } finally {
      await root.close();
    }
    const code = await errorCode(fs.rmdir(dir));
    if (code === undefined || code === 'ENOENT') return;
    if (code !== 'ENOTEMPTY' && code !== 'EEXIST') throw treeError(walk, '', `rmdir: ${code}`);
  }
  throw treeError(walk, '', `still not empty after ${ROUNDS} attempts: something keeps writing to it`);
}

/** Removes every entry of the directory held by `dirFd` (`rel` below the root), until a listing is empty. */
async function emptyDirectory(dirFd: number, rel: string, walk: Walk, depth: number): Promise<void> {
  for (let round = 0; round < ROUNDS; round++) {
    const entries = await fs.readdir(fdPath(dirFd), { withFileTypes: true });
    if (entries.length === 0) return;
    // The listing's type is a hint only: removeEntry finds out what each name is when it acts on it.
    const dirs = entries.filter((e) => e.isDirectory()).map((e) => e.name);
    const others = entries.filter((e) => !e.isDirectory()).map((e) => e.name);
    for (let i = 0; i < others.length; i += UNLINK_BATCH) {
      const batch = others.slice(i, i + UNLINK_BATCH);
      throwFirstFailure(await Promise.allSettled(batch.map((name) => removeEntry(dirFd, name, false, rel, walk, depth))));
    }
    for (const name of dirs) await removeEntry(dirFd, name, true, rel, walk, depth);
  }
  throw treeError(walk, rel, `still not empty after ${ROUNDS} rounds: something keeps writing to it`);
}

/** Removes the name `name` in the directory held by `dirFd`, whatever it is now; `asDirectory` is a guess. */
async function removeEntry(dirFd: number, name: string, asDirectory: boolean, parentRel: string, walk: Walk, depth: number): Promise<void> {
  const rel = parentRel === '' ? name : `${parentRel}/${name}`;
  const at = beneath(dirFd, name);
  let asDir = asDirectory;
  for (let attempt = 0; attempt < NAME_ATTEMPTS; attempt++) {
    if (!asDir) {
      const code = await errorCode(fs.unlink(at));
      if (code === undefined || code === 'ENOENT') return;
      if (code !== 'EISDIR') throw treeError(walk, rel, `unlink: ${code}`);
      asDir = true;
      continue;
    }
    const child = await openDirectory(at, walk);
    if (child === 'missing') return;
    if (child === 'not-a-directory') {
      asDir = false;
      continue;
    }
    try {
      if ((await child.stat({ bigint: true })).dev !== walk.dev) {
        throw treeError(walk, rel, 'is on another filesystem (a mount?): not entered');
      }
      if (depth + 1 > MAX_DEPTH) throw treeError(walk, rel, `deeper than ${MAX_DEPTH} levels`);
      await emptyDirectory(child.fd, rel, walk, depth + 1);
    } finally {
      await child.close();
    }
    const code = await errorCode(fs.rmdir(at));
    if (code === undefined || code === 'ENOENT') return;
    if (code === 'ENOTDIR') asDir = false; // swapped for a non-directory since it was opened
    else if (code !== 'ENOTEMPTY' && code !== 'EEXIST') throw treeError(walk, rel, `rmdir: ${code}`);
  }
  throw treeError(walk, rel, `kept changing kind for ${NAME_ATTEMPTS} attempts`);
}

/** open(p, O_PATH|O_DIRECTORY|O_NOFOLLOW): a symlink or anything else than a directory is not opened. */
async function openDirectory(p: string, walk: Walk): Promise<fs.FileHandle | 'missing' | 'not-a-directory'> {
  try {
    return await fs.open(p, OPEN_DIR);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return 'missing';
    if (code === 'ENOTDIR' || code === 'ELOOP') return 'not-a-directory';
    throw new Error(`remove tree ${walk.root}: open: ${code ?? String(err)}`, { cause: err });
  }
}

/** Resolves to the errno code of a failed call, undefined when it succeeded; other errors are thrown. */
async function errorCode(call: Promise<unknown>): Promise<string | undefined> {
  try {
    await call;
    return undefined;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (typeof code !== 'string') throw err;
    return code;
  }
}

/** Every unlink of a batch runs to its end before one failure is reported, so none is left in flight. */
function throwFirstFailure(results: PromiseSettledResult<unknown>[]): void {
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
}

function treeError(walk: Walk, rel: string, what: string): Error {
  return new Error(`remove tree ${walk.root}: ${rel === '' ? '.' : rel}: ${what}`);
}
