// Kernel features peapod needs: overlayfs (container root filesystems) and cgroups (v1 hierarchies
// or a v2 unified mount). Pure over the file contents the caller reads.

/** True when /proc/filesystems lists overlay. */
export function hasOverlay(procFilesystems: string): boolean {
  return procFilesystems.split('\n').some((l) => l.trim().split(/\s+/).pop() === 'overlay');
}

/** True when /proc/mounts shows a cgroup (v1) or cgroup2 mount. */
export function hasCgroups(procMounts: string): boolean {
  return procMounts.split('\n').some((l) => {
    const type = l.split(' ')[2];
    return type === 'cgroup' || type === 'cgroup2';
  });
}
