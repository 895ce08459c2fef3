// Namespace identities of a process (for `peapod runtime ps`): the /proc/<pid>/ns links, e.g.
// { net: "net:[4026532301]", ... }. Missing links (process gone) are left out.

import { readlink } from 'node:fs/promises';

export const NAMESPACE_KINDS = ['net', 'ipc', 'uts', 'pid', 'mnt'] as const;

export async function describeNamespaces(pid: number, kinds: readonly string[] = NAMESPACE_KINDS): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  await Promise.all(
    kinds.map(async (k) => {
      try {
        out[k] = await readlink(`/proc/${pid}/ns/${k}`);
      } catch {
        /* process gone or namespace not visible */
      }
    }),
  );
  return out;
}
