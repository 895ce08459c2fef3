// What nobody records, swept while the daemon runs (issue 13 crash soak). A daemon killed while conmon
// ran `runc create` for a container recorded 'creating' leaves, after the restart's reconcile tore the
// record down, a runc container that appears afterwards with no record; likewise exit files of ids
// nobody knows. The runtime sets its in-memory maps (containers, sandboxes) before it starts conmon, so a
// runc container in neither map is nobody's: force-deleted here every ORPHAN_SWEEP_MS, as reconcile.ts
// does once at start.

import { readdir } from 'node:fs/promises';
import { errorMessage } from '../errors.js';
import type { RuncRuntime } from './runc-runtime.js';
import { removeConmonLeftovers } from './sandbox-setup.js';

/** How often runc's containers and the exit files are compared with the records. */
export const ORPHAN_SWEEP_MS = 60_000;

/** Whether an id belongs to a record the runtime holds (a container or a sandbox's infra). */
function known(rt: RuncRuntime, id: string): boolean {
  return rt.containers.has(id) || rt.sandboxes.has(id);
}

/** Force-deletes runc containers nobody recorded (each logged) and removes exit files of unknown ids. */
export async function sweepOrphans(rt: RuncRuntime): Promise<void> {
  // Listed first, looked up after: a container created meanwhile is not in the list, and one listed had
  // its record in the map before its conmon started.
  for (const s of await rt.runc.list()) {
    if (known(rt, s.id)) continue;
    rt.logger.warn({ id: s.id, runcStatus: s.status }, 'deleting unrecorded runc container');
    await rt.runc.delete(s.id, true).catch((err) => rt.logger.warn({ id: s.id, err: errorMessage(err) }, 'deleting unrecorded runc container failed'));
  }
  await removeStaleExitFiles(rt);
}

/** Exit files of ids nobody knows any more (their record was removed before the file). */
export async function removeStaleExitFiles(rt: RuncRuntime): Promise<void> {
  const names = await readdir(rt.paths.exitsDir).catch(() => [] as string[]);
  await Promise.all(names.filter((n) => !known(rt, n)).map((n) => removeConmonLeftovers(rt, n)));
}

/** Sweeps every ORPHAN_SWEEP_MS on the runtime's clock (never two at once); returns the cancel. */
export function startOrphanSweep(rt: RuncRuntime): () => void {
  let cancel: (() => void) | undefined;
  let stopped = false;
  const arm = (): void => {
    cancel = rt.clock.setTimer(ORPHAN_SWEEP_MS, () => {
      void sweepOrphans(rt)
        .catch((err) => rt.logger.warn({ err: errorMessage(err) }, 'orphan sweep failed'))
        .finally(() => {
          if (!stopped) arm();
        });
    });
  };
  arm();
  return () => {
    stopped = true;
    cancel?.();
  };
}
