// Start-up reconciliation (node-runtime.md §6): records vs `runc list`, conmon liveness and exit files.
// Live containers are re-adopted untouched (one started but recorded as only created is recorded as
// running); a container whose monitor died is recorded as exited (255,
// killed if still running); a created container without a monitor is deleted; half-made objects
// (state 'creating') are torn down; runc containers nobody recorded are force-deleted (and every
// ORPHAN_SWEEP_MS after, orphan-sweep.ts); exec scratch files of the previous run are removed (exec-scratch.ts).

import { rm } from 'node:fs/promises';
import path from 'node:path';
import { errorMessage } from '../errors.js';
import { removeTreeBeneath } from '../system/remove-tree.js';
import type { RuncRuntime } from './runc-runtime.js';
import type { RuncState } from './runc.js';
import type { ContainerRecord, SandboxRecord } from './state.js';
import { monitoringConmonPid } from './conmon.js';
import { readExitFile } from './exit-watcher.js';
import { unmountShm } from './sandbox-files.js';
import { teardownSandbox } from './sandbox-setup.js';
import { removeExecLeftovers } from './exec-scratch.js';
import { removeStaleExitFiles } from './orphan-sweep.js';

/**
 * conmon.pid names a live conmon that monitors `id` (guards against pid reuse). When that cannot be
 * read (EMFILE, EIO: not "gone") it is taken as alive: re-adopted untouched, the liveness checks
 * (health.ts) judge it once it can be read, rather than a healthy container killed at start.
 */
export async function conmonAlive(bundle: string, id: string): Promise<boolean> {
  return monitoringConmonPid(path.join(bundle, 'conmon.pid'), id).then(
    (pid) => pid !== undefined,
    () => true,
  );
}

export async function reconcile(rt: RuncRuntime): Promise<void> {
  const [sbs, ctrs, runcList] = await Promise.all([
    rt.sandboxStore.loadAll(),
    rt.containerStore.loadAll(),
    rt.runc.list(),
  ]);
  const runcById = new Map(runcList.map((s) => [s.id, s]));
  for (const s of sbs.records) rt.sandboxes.set(s.id, s);
  for (const c of ctrs.records) rt.containers.set(c.id, c);

  await Promise.all(ctrs.records.map((c) => reconcileContainer(rt, c, runcById.get(c.id))));
  await Promise.all(sbs.records.map((s) => reconcileSandbox(rt, s, runcById.get(s.id))));

  // Orphan dirs (no readable record) and runc containers nobody recorded.
  await Promise.all([
    ...ctrs.orphans.map(async (id) => {
      await rt.runc.delete(id, true);
      await rt.images.releaseRootfs(id).catch(() => undefined);
      await rm(path.join(rt.paths.containersDir, id), { recursive: true, force: true });
    }),
    ...sbs.orphans.map(async (id) => {
      await rt.runc.delete(id, true);
      await removeOrphanedSandboxDir(rt, id);
    }),
  ]);
  for (const s of runcList) {
    if (!rt.containers.has(s.id) && !rt.sandboxes.has(s.id)) {
      rt.logger.info({ id: s.id }, 'deleting unrecorded runc container');
      await rt.runc.delete(s.id, true);
    }
  }
  await removeStaleExitFiles(rt);
  await removeExecLeftovers(rt.paths.runDir, rt.paths.attachDir, (id) => rt.containers.has(id) || rt.sandboxes.has(id));
}

/**
 * The dir of a sandbox without a record. Its shm was the pod's /dev/shm, a 1777 tmpfs the containers
 * write: while that cannot be unmounted the dir is left alone (a removal would run inside it), and
 * the removal is by descriptor, never following a symlink left there (issue 6). A failure leaves the
 * dir for the next start rather than failing this one.
 */
async function removeOrphanedSandboxDir(rt: RuncRuntime, id: string): Promise<void> {
  const dir = path.join(rt.paths.sandboxesDir, id);
  const log = rt.logger.child({ sandboxId: id });
  try {
    await unmountShm(rt.exec, path.join(dir, 'shm'));
  } catch (err) {
    log.warn({ err: errorMessage(err) }, 'orphaned sandbox dir kept: its shm cannot be unmounted');
    return;
  }
  await removeTreeBeneath(dir).catch((err) => log.warn({ err: errorMessage(err) }, 'orphaned sandbox dir not removed'));
}

async function reconcileContainer(rt: RuncRuntime, c: ContainerRecord, st: RuncState | undefined): Promise<void> {
  const log = rt.logger.child({ containerId: c.id });
  if (c.state === 'creating') {
    log.info('removing half-created container');
    await rt.teardownContainer(c);
    return;
  }
  if (c.state === 'exited') return;
  const exit = await readExitFile(rt.paths.exitsDir, c.id);
  if (exit) return rt.handleExit(c.id, exit);
  if (await conmonAlive(path.join(rt.paths.containersDir, c.id), c.id)) {
    if (c.state === 'created' && (st?.status === 'running' || st?.status === 'paused')) return adoptStarted(rt, c, st);
    log.debug({ pid: c.pid }, 're-adopted container');
    return;
  }
  log.warn({ runcStatus: st?.status }, 'container monitor is gone; exit code unknown');
  if (st?.status === 'created') await rt.runc.delete(c.id, true);
  else if (st && st.status !== 'stopped') await rt.runc.kill(c.id, 'SIGKILL').catch(() => undefined);
  await rt.handleExit(c.id, { code: 255, at: rt.clock.now() }, 'container monitor lost; exit code unknown');
}

/**
 * A container the previous daemon started but died before recording so (its record says 'created', runc
 * says running): recorded as running, so the pod manager adopts it rather than killing it as a container
 * that never started and running a second one (issue 14). Its start time is runc's creation time, which
 * precedes the start by the create → start gap of one sync pass.
 */
async function adoptStarted(rt: RuncRuntime, c: ContainerRecord, st: RuncState): Promise<void> {
  const created = Date.parse(st.created);
  c.state = 'running';
  c.startedAt = Number.isFinite(created) ? created : rt.clock.now();
  await rt.containerStore.save(c);
  rt.logger.info({ containerId: c.id, pid: c.pid }, 'adopted a container started but not recorded as started');
}

async function reconcileSandbox(rt: RuncRuntime, s: SandboxRecord, st: RuncState | undefined): Promise<void> {
  if (s.pool) {
    // A warm pool sandbox of the previous run, nobody's: removed (the new run's pool makes its own).
    rt.logger.info({ sandboxId: s.id }, 'removing a warm pool sandbox of the previous run');
    // Nobody needs it: a removal that fails is logged, and the record stays for the next start.
    await teardownSandbox(rt, s).catch((err: unknown) => rt.logger.warn({ sandboxId: s.id, err: errorMessage(err) }, 'removing a warm pool sandbox of the previous run failed'));
    return;
  }
  if (s.state === 'creating') {
    rt.logger.info({ sandboxId: s.id }, 'removing half-created sandbox');
    for (const c of [...rt.containers.values()].filter((x) => x.sandboxId === s.id)) await rt.teardownContainer(c);
    await teardownSandbox(rt, s);
    return;
  }
  if (s.state === 'ready' && s.setupPending) {
    const ctrs = [...rt.containers.values()].filter((x) => x.sandboxId === s.id);
    if (ctrs.every((c) => !(c.startedAt > 0))) {
      // The daemon ended while its infra container or network was being made (issue 15), before any of its
      // containers ran: a half-created sandbox, removed with them as one in state 'creating' is.
      rt.logger.info({ sandboxId: s.id }, 'removing a sandbox whose set-up a restart interrupted');
      for (const c of ctrs) await rt.teardownContainer(c);
      await teardownSandbox(rt, s);
      return;
    }
    // A container of it ran, so the set-up had finished (only its record's last save was lost).
    delete s.setupPending;
    await rt.sandboxStore.save(s).catch(() => undefined);
  }
  if (s.state !== 'ready') return;
  const exit = await readExitFile(rt.paths.exitsDir, s.id);
  if (exit) return rt.handleExit(s.id, exit);
  const bundle = path.join(rt.paths.sandboxesDir, s.id, 'infra');
  if (st?.status === 'running' && (await conmonAlive(bundle, s.id))) return;
  rt.logger.warn({ sandboxId: s.id, runcStatus: st?.status }, 'infra container lost; sandbox not ready');
  if (st && st.status !== 'stopped') await rt.runc.kill(s.id, 'SIGKILL').catch(() => undefined);
  await rt.handleExit(s.id, { code: 255, at: rt.clock.now() });
}
