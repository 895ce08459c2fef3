// Paths that name something relative to an open directory descriptor: Node has no openat(2),
// unlinkat(2) or mkdirat(2), but the kernel resolves `/proc/self/fd/<dirfd>/<name>` by jumping through
// the magic link to the very directory the descriptor holds (not to a path name) and looking `name` up
// in it. With O_NOFOLLOW (open) or a call that never follows a final symlink (lstat, unlink, rmdir,
// mkdir) that is the *at(2) call: renaming the directory, or putting a symlink where it used to be,
// changes nothing. /proc/self is the process, so the paths work from libuv's worker threads too.
// Used by the subPath walk (volumes/subpath-open.ts) and the tree removal (remove-tree.ts).

/** O_PATH (Linux, x86-64 and arm64); Node's fs.constants lacks it, fs.open accepts it numerically. */
export const O_PATH = 0o10000000;

/** The open directory `dirFd` itself, for calls that take a path (readdir). */
export function fdPath(dirFd: number): string {
  return `/proc/self/fd/${dirFd}`;
}

/** A path that makes the kernel resolve `name` relative to the open directory `dirFd` (openat). */
export function beneath(dirFd: number, name: string): string {
  return `${fdPath(dirFd)}/${name}`;
}
