// What one daemon's data dir still holds on the host, read through the product's own inventory
// (src/node/host-state.ts, the one `peapod reset` and the daemon's clean stop use). Tests assert the
// per-pod part is empty after every pod is deleted, and `scrubHost` removes whatever a failed test left.

import fs from 'node:fs';
import { inventoryEngine, podLeftovers, removeEngine } from '../../src/node/host-state.js';
import type { NodePaths } from '../../src/node/paths.js';
import { HostExec } from '../../src/system/exec.js';

const exec = new HostExec();

/** Everything of this data dir's engine still on the host, per kind; empty when all pods are gone. */
export async function engineLeftovers(paths: NodePaths): Promise<Record<string, string[]>> {
  return podLeftovers(await inventoryEngine(paths, { exec }), paths);
}

/**
 * Removes whatever this data dir's engine left on the host (for after() hooks of failed tests), node-level
 * state included, then the data dir unless kept. Only touches things keyed to these paths.
 */
export async function scrubHost(paths: NodePaths, opts: { keepDataDir?: boolean } = {}): Promise<void> {
  const report = await removeEngine(paths, await inventoryEngine(paths, { exec }), { exec });
  for (const f of report.failed) console.warn(`scrubHost: ${f}`);
  if (!opts.keepDataDir) fs.rmSync(paths.dataDir, { recursive: true, force: true });
}
