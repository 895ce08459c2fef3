// `peapod reset`: back to a host without this data dir's engine, as `kubeadm reset` and `podman system
// reset` do. Every container and sandbox is stopped and removed with everything the engine made on the
// host for them (node/host-state.ts); the data dir (store, images, volumes' data, certificates) stays
// unless --all, so a daemon started later runs the same pods again from scratch. Works from the host
// alone: after a crash, and after the data dir itself was deleted (its host names derive from its path).

import { promises as fs } from 'node:fs';

import { inventoryEmpty, inventoryEngine, removeEngine } from '../../node/host-state.js';
import { nodePaths } from '../../node/paths.js';
import { acquireDataDirLock, PID_FILE } from '../../system/data-dir-lock.js';
import { HostExec } from '../../system/exec.js';
import { CliError, type CliContext } from '../context.js';

export interface ResetOptions {
  dataDir: string;
  /** Stop a daemon serving the data dir (SIGTERM, then SIGKILL after stopWaitMs). */
  force: boolean;
  /** Remove the data dir (and the pods' logs) too. */
  all: boolean;
  /** How long a forced stop waits for the daemon after SIGTERM (default 30 s). */
  stopWaitMs?: number;
}

export async function runReset(ctx: CliContext, o: ResetOptions): Promise<void> {
  if (process.getuid?.() !== 0) throw new CliError('error: peapod reset must run as root (it removes mounts, links, iptables rules and cgroups)');
  const paths = nodePaths(o.dataDir);
  const haveDir = await isDir(paths.dataDir);
  // Held for the whole reset, so no daemon starts on the data dir halfway through.
  const release = haveDir ? await takeDataDir(ctx, paths.dataDir, o) : () => undefined;
  let failed: string[] = [];
  try {
    const exec = new HostExec();
    const inv = await inventoryEngine(paths, { exec });
    if (inventoryEmpty(inv)) {
      ctx.out(`the host holds nothing of ${paths.dataDir}'s engine`);
    } else {
      const report = await removeEngine(paths, inv, { exec });
      for (const line of report.removed) ctx.out(line);
      failed = report.failed;
    }
    if (o.all) {
      for (const dir of [paths.dataDir, paths.podLogsDir]) {
        if (await isDir(dir)) {
          await fs.rm(dir, { recursive: true, force: true });
          ctx.out(`removed dir ${dir}`);
        }
      }
    } else if (haveDir) {
      ctx.out(`kept ${paths.dataDir} (the store, images, volumes' data, certificates): --all removes it too`);
    }
  } finally {
    release();
  }
  if (failed.length > 0) {
    for (const f of failed) ctx.err(`failed: ${f}`);
    throw new CliError(`error: reset left ${failed.length} thing(s) behind (above); run peapod reset again once their cause is gone`);
  }
}

/** The data dir's lock; a daemon holding it is refused, or stopped with --force. */
async function takeDataDir(ctx: CliContext, dataDir: string, o: ResetOptions): Promise<() => void> {
  try {
    return acquireDataDirLock(dataDir, { waitMs: 0 });
  } catch (err) {
    if (!/already serves this data dir/.test((err as Error).message)) throw err;
  }
  const pid = Number((await fs.readFile(`${dataDir}/${PID_FILE}`, 'utf8').catch(() => '')).trim());
  const who = pid > 0 ? ` (pid ${pid})` : '';
  if (!o.force) throw new CliError(`error: a peapod daemon${who} serves ${dataDir}: stop it first, or pass --force to stop it`);
  if (!(pid > 0) || !(await isPeapodDaemon(pid))) {
    throw new CliError(`error: the lock on ${dataDir} is held, but its pid file names no peapod daemon${who}: stop that process first`);
  }
  ctx.out(`stopping the peapod daemon (pid ${pid})`);
  process.kill(pid, 'SIGTERM');
  const waitMs = o.stopWaitMs ?? 30_000;
  try {
    return acquireDataDirLock(dataDir, { waitMs });
  } catch {
    ctx.err(`the daemon (pid ${pid}) did not stop within ${waitMs / 1000} s: killing it`);
    if (await isPeapodDaemon(pid)) process.kill(pid, 'SIGKILL');
    return acquireDataDirLock(dataDir, { waitMs: 5000 });
  }
}

/** Whether pid runs `peapod … serve` (a --force never signals another program that reused the pid). */
async function isPeapodDaemon(pid: number): Promise<boolean> {
  const argv = (await fs.readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '')).split('\0');
  return argv.includes('serve') && argv.some((a) => /peapod/.test(a));
}

async function isDir(p: string): Promise<boolean> {
  return fs.stat(p).then(
    (s) => s.isDirectory(),
    () => false,
  );
}
