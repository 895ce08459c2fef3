// A pod's log directory (<podLogsDir>/<namespace>_<name>_<uid>, node/paths.ts) goes with the pod: the
// runtime writes the containers' log files there and keeps them when it removes a container (so
// `kubectl logs --previous` reads a dead instance), so the pod manager removes the directory once the pod
// is torn down, and at start those of pods it no longer knows, as the kubelet's container GC evicts the
// log directories of removed pods. Without this every pod ever run left a directory behind (a churn
// soak of 1,000 pods, issue 13).

import fs from 'node:fs/promises';
import path from 'node:path';
import type { NodePaths } from '../node/paths.js';

/** The pod uid a log directory name ends with ("<namespace>_<name>_<uid>"), or undefined for other names. */
export function podUidOfLogDirectory(name: string): string | undefined {
  const m = /^[^_]+_[^_]+_([0-9a-f][0-9a-f-]{7,})$/.exec(name);
  return m?.[1];
}

async function entries(dir: string): Promise<string[]> {
  try {
    return await fs.readdir(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
}

/** Removes the log directory of the pod with `uid` (whatever its namespace and name); none is fine. */
export async function removePodLogs(paths: NodePaths, uid: string): Promise<void> {
  for (const name of await entries(paths.podLogsDir)) {
    if (podUidOfLogDirectory(name) === uid) await fs.rm(path.join(paths.podLogsDir, name), { recursive: true, force: true });
  }
}

/** Removes the log directories of every pod not in `keep` (uids); returns the names removed. */
export async function gcPodLogs(paths: NodePaths, keep: ReadonlySet<string>): Promise<string[]> {
  const removed: string[] = [];
  for (const name of await entries(paths.podLogsDir)) {
    const uid = podUidOfLogDirectory(name);
    if (uid === undefined || keep.has(uid)) continue;
    await fs.rm(path.join(paths.podLogsDir, name), { recursive: true, force: true });
    removed.push(name);
  }
  return removed;
}
