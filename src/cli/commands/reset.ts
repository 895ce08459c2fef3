// `peapod reset`: back to a host without this data dir's engine, as `kubeadm reset` and `podman system
// reset` do. Every container and sandbox is stopped and removed with everything the engine made on the
// host for them (node/host-state.ts); the data dir's store, images, volumes' data and certificates stay
// unless --all, so a daemon started later runs the same pods again from scratch. Works from the host
// alone: after a crash, and after the data dir itself was deleted (its host names derive from its path).

import { promises as fs } from 'node:fs';
import path from 'node:path';

import { inventoryEmpty, inventoryEngine, removeEngine } from '../../node/host-state.js';
import { mountPointsUnder, readMountInfo } from '../../system/mountinfo.js';
import { nodePaths, type NodePaths } from '../../node/paths.js';
import { acquireDataDirLock, LOCK_FILE } from '../../system/data-dir-lock.js';
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
  await stopHolders(ctx, paths.dataDir, o);
  // Held for the whole reset, so no daemon starts on the data dir halfway through.
  const release = (await isDir(paths.dataDir)) ? acquireDataDirLock(paths.dataDir, { waitMs: 5000 }) : () => undefined;
  let failed: string[] = [];
  try {
    // The pods this data dir ran (their volume dirs are named by uid): whose logs --all may remove.
    const podUids = new Set(await fs.readdir(paths.podsDir).catch(() => [] as string[]));
    const exec = new HostExec();
    const inv = await inventoryEngine(paths, { exec });
    if (inventoryEmpty(inv) && inv.errors.length === 0) {
      ctx.out(`the host holds nothing of ${paths.dataDir}'s engine`);
    } else {
      const report = await removeEngine(paths, inv, { exec });
      for (const line of report.removed) ctx.out(line);
      failed = report.failed;
    }
    if (o.all && failed.length === 0) {
      await removePodLogs(ctx, paths, podUids);
      if (await isDir(paths.dataDir)) {
        await removeDataDir(paths.dataDir);
        ctx.out(`removed dir ${paths.dataDir}`);
      }
    } else if (await isDir(paths.dataDir)) {
      ctx.out(`kept ${paths.dataDir} (the store, images, volumes' data, certificates)${o.all ? ': not removed, since not everything else was' : ': --all removes it too'}`);
    }
  } finally {
    release();
  }
  if (failed.length > 0) {
    for (const f of failed) ctx.err(`failed: ${f}`);
    throw new CliError(`error: reset left ${failed.length} thing(s) behind (above); run peapod reset again once their cause is gone`);
  }
}

/**
 * The processes holding the data dir's lock file open (a daemon; also one whose data dir was deleted under
 * it, which still has the unlinked file): refused, or with --force stopped. Found by their descriptors,
 * not by the pid file, so a stale pid file never gets another process signalled.
 */
async function stopHolders(ctx: CliContext, dataDir: string, o: ResetOptions): Promise<void> {
  const holders = await lockHolders(dataDir);
  if (holders.length === 0) return;
  const pids = holders.join(', ');
  if (!o.force) throw new CliError(`error: a peapod daemon (pid ${pids}) serves ${dataDir}: stop it first, or pass --force to stop it`);
  for (const pid of holders) {
    ctx.out(`stopping the peapod daemon (pid ${pid})`);
    signal(pid, 'SIGTERM');
  }
  const waitMs = o.stopWaitMs ?? 30_000;
  if (await gone(dataDir, holders, waitMs)) return;
  for (const pid of await lockHolders(dataDir)) {
    ctx.err(`the daemon (pid ${pid}) did not stop within ${waitMs / 1000} s: killing it`);
    signal(pid, 'SIGKILL');
  }
  if (!(await gone(dataDir, holders, 5000))) throw new CliError(`error: the daemon (pid ${pids}) of ${dataDir} did not end`);
}

function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ESRCH') throw err;
  }
}

/** Waits until none of the pids holds the lock any more. */
async function gone(dataDir: string, pids: number[], waitMs: number): Promise<boolean> {
  const deadline = Date.now() + waitMs;
  for (;;) {
    const still = (await lockHolders(dataDir)).filter((p) => pids.includes(p));
    if (still.length === 0) return true;
    if (Date.now() >= deadline) return false;
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Pids (not this process) with a descriptor on <dataDir>/peapod.lock, deleted or not. */
export async function lockHolders(dataDir: string, procRoot = '/proc'): Promise<number[]> {
  const real = await fs.realpath(dataDir).catch(() => path.resolve(dataDir));
  const names = new Set([path.join(path.resolve(dataDir), LOCK_FILE), path.join(real, LOCK_FILE)]);
  const out: number[] = [];
  for (const d of await fs.readdir(procRoot).catch(() => [] as string[])) {
    if (!/^\d+$/.test(d) || Number(d) === process.pid) continue;
    const fds = await fs.readdir(path.join(procRoot, d, 'fd')).catch(() => [] as string[]);
    for (const fd of fds) {
      const target = await fs.readlink(path.join(procRoot, d, 'fd', fd)).catch(() => '');
      if (names.has(target.replace(/ \(deleted\)$/, ''))) {
        out.push(Number(d));
        break;
      }
    }
  }
  return out.sort((a, b) => a - b);
}

/**
 * The pods' log dirs: inside the data dir for any but the default one; for the default, /var/log/pods is
 * any kubelet's too, so only the dirs of this data dir's pods (<namespace>_<name>_<uid>) go.
 */
async function removePodLogs(ctx: CliContext, paths: NodePaths, podUids: Set<string>): Promise<void> {
  if (paths.key) return; // <data-dir>/logs/pods goes with the data dir
  for (const name of await fs.readdir(paths.podLogsDir).catch(() => [] as string[])) {
    const uid = name.split('_').pop() ?? '';
    if (!podUids.has(uid)) continue;
    await fs.rm(path.join(paths.podLogsDir, name), { recursive: true, force: true });
    ctx.out(`removed dir ${path.join(paths.podLogsDir, name)}`);
  }
}

/**
 * Removes the data dir, never through a mount: refused while anything is mounted below it. The dir may
 * itself be the admin's filesystem: then its contents go and the mount point stays.
 */
async function removeDataDir(dir: string): Promise<void> {
  const real = await fs.realpath(dir).catch(() => dir);
  const below = mountPointsUnder(await readMountInfo(), real).filter((m) => m !== real);
  if (below.length > 0) throw new CliError(`error: ${dir} not removed: still mounted under it: ${below.join(' ')}`);
  for (const e of await fs.readdir(dir)) await fs.rm(path.join(dir, e), { recursive: true, force: true });
  await fs.rmdir(dir).catch((err: NodeJS.ErrnoException) => {
    if (err.code !== 'EBUSY') throw err; // a mount point: the admin's, left in place (empty)
  });
}

async function isDir(p: string): Promise<boolean> {
  return fs.stat(p).then(
    (s) => s.isDirectory(),
    () => false,
  );
}
