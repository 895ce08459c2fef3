// Disk usage of directories, as the kubelet measures volumes and logs without quotas: the blocks
// allocated (not apparent sizes), one file system only, by `du` in a process of its own so a large
// tree never holds the event loop. Paths that do not exist are left out of the answer.

import type { Exec } from './exec.js';

/** Bytes used under each path (`du -x -s -B1`); a missing path is absent from the map. */
export async function diskUsage(exec: Exec, paths: readonly string[], timeoutMs = 30_000): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  if (!paths.length) return out;
  // Exit 1 when some path is missing or vanishes while it walks: the others are still printed.
  const r = await exec.run('du', ['-x', '-s', '-B1', '--', ...paths], { timeoutMs });
  if (r.timedOut) throw new Error(`du timed out after ${timeoutMs} ms`);
  for (const line of r.stdout.split('\n')) {
    const tab = line.indexOf('\t');
    if (tab <= 0) continue;
    const bytes = Number(line.slice(0, tab));
    if (Number.isFinite(bytes)) out.set(line.slice(tab + 1), bytes);
  }
  return out;
}
