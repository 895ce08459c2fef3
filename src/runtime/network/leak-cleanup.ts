// Executes the leak selections of leaks.ts: per-sandbox nat chains (one atomic iptables-restore
// --noflush) and host-local reservation files (deleted under host-local's own flock so a concurrent
// ADD never sees a half-updated directory).

import { promises as fs } from 'node:fs';
import path from 'node:path';

import type { Exec } from '../../system/exec.js';
import { runChecked } from '../../system/exec.js';
import { renderChainCleanup, selectLeakedChains, selectLeakedIpamFiles, type IpamFile } from './leaks.js';

/** Removes the chains of `networkName` whose owner is not kept; returns the owners' ids. */
export async function removeLeakedChains(
  exec: Exec,
  networkName: string,
  keep: (id: string) => boolean,
): Promise<string[]> {
  const save = await runChecked(exec, 'iptables-save', ['-t', 'nat']);
  const cleanup = selectLeakedChains(save, networkName, keep);
  if (cleanup.chains.length === 0) return [];
  await runChecked(exec, 'iptables-restore', ['--noflush', '--wait'], { input: renderChainCleanup(cleanup) });
  return cleanup.ids;
}

/** Removes reservation files in `<ipamDir>/<networkName>` whose container id is not kept; returns their IPs. */
export async function removeLeakedIpamFiles(
  exec: Exec,
  ipamDir: string,
  networkName: string,
  keep: (id: string) => boolean,
): Promise<string[]> {
  const dir = path.join(ipamDir, networkName);
  let names: string[];
  try {
    names = await fs.readdir(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  const files: IpamFile[] = [];
  for (const name of names) {
    const content = await fs.readFile(path.join(dir, name), 'utf8').catch(() => undefined);
    if (content !== undefined) files.push({ name, content });
  }
  const leaked = selectLeakedIpamFiles(files, keep);
  if (leaked.length === 0) return [];
  await runChecked(exec, 'flock', [path.join(dir, 'lock'), 'rm', '-f', '--', ...leaked.map((n) => path.join(dir, n))]);
  return leaked;
}
