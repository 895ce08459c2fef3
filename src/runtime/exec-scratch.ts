// Exec scratch files (<runDir>/exec/): runc exec's exec-<id>.json (the env, values from Secrets) and pid
// file, and each streaming exec session's dir (process.json, conmon's pid, ctl FIFO, log) with its attach
// link <attachDir>/<execId>. Each exec removes its own when it ends; a daemon killed mid-exec leaves them.
// At start they all go: no exec outlives the daemon usefully. A probe's `runc exec` is the daemon's
// child waited on by it; a streaming session's conmon may keep running, but its only client was the
// daemon's connection (gone with it) and its id is in no record, so nobody can reach it again.

import { readdir, rm } from 'node:fs/promises';
import path from 'node:path';

/** The dir under the run dir where exec scratch files live. */
export function execScratchDir(runDir: string): string {
  return path.join(runDir, 'exec');
}

/**
 * Removes every entry of <runDir>/exec and the attach links of ids not in `knownIds` (exec sessions';
 * containers and sandboxes keep theirs). Only at start, before any exec runs.
 */
export async function removeExecLeftovers(runDir: string, attachDir: string, knownIds: (id: string) => boolean): Promise<void> {
  const dir = execScratchDir(runDir);
  const [scratch, links] = await Promise.all([
    readdir(dir).catch(() => [] as string[]),
    readdir(attachDir).catch(() => [] as string[]),
  ]);
  await Promise.all([
    ...scratch.map((n) => rm(path.join(dir, n), { recursive: true, force: true })),
    ...links.filter((n) => !knownIds(n)).map((n) => rm(path.join(attachDir, n), { recursive: true, force: true })),
  ]);
}
