// Sandbox set-up and tear-down steps of RuncRuntime: pinned netns, pod cgroup, pod files + shm,
// infra (catatonit) container through conmon, and the CNI attach. Each side effect is recorded on the
// sandbox record first; teardownSandbox undoes whatever the record says may exist, in reverse order.

import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { removeTreeBeneath } from '../system/remove-tree.js';
import { INFRA_CONTAINER_NAME, type PodSandboxConfig } from './runtime.js';
import type { RuncRuntime } from './runc-runtime.js';
import { spawnConmon } from './conmon.js';
import { processStartMs } from './health-facts.js';
import { buildInfraSpec } from './oci-spec.js';
import {
  mountShm,
  sandboxFilePaths,
  unmountShm,
  writeHostsWithIp,
  writeSandboxFiles,
  type SandboxFilePaths,
} from './sandbox-files.js';
import type { SandboxRecord } from './state.js';
import type { PinnedKind } from './ns-pins.js';

/**
 * netns, IPC/UTS pins, cgroup and files in parallel; then infra (conmon+runc) and CNI ADD (then the pod's
 * /etc/hosts with its IP) in parallel. Resolves once the first group is done, with the second still
 * running: `network` (attach and hosts) and `rest` (everything). App containers join the pinned
 * namespaces, so they can be created meanwhile (issue 15); the runtime starts none before `rest`
 * resolves. Any step failing before this resolves makes it reject only once every step it started has
 * settled, so the caller's undo never runs under a step that could still create something (a tmpfs
 * mounted after the undo) or reject with nobody listening; `rest` too settles only once both have.
 */
export async function createSandboxResources(rt: RuncRuntime, rec: SandboxRecord, files: SandboxFilePaths): Promise<{ network: Promise<void>; rest: Promise<void> }> {
  const c = rec.config;
  const t0 = rt.clock.now();
  const ms: Record<string, number> = {};
  const lap = <T>(name: string, p: Promise<T>) => p.then((v) => ((ms[name] = rt.clock.now() - t0), v));
  const started: Promise<unknown>[] = [];
  let netnsPath: string | undefined;
  const step = <T>(name: string, p: Promise<T>): Promise<T> => {
    const timed = lap(name, p);
    // Observed at once: a step may reject while an earlier await is pending.
    started.push(timed.catch(() => undefined));
    return timed;
  };
  try {
    const netnsP = c.hostNetwork
      ? Promise.resolve(undefined)
      : step('netns', rt.network.createNetns(rec.id).then(async (p) => {
          rec.netnsPath = p;
          await rt.sandboxStore.save(rec);
          return p;
        }));
    const cgroupP = step('cgroup', rt.cgroups.create(c.metadata.uid, c.resources, c.qosLevel));
    const pinsP = step('pins', rt.pins.pin(rec.id, pinnedKinds(c)));
    const filesP = step('files', (async () => {
      await writeSandboxFiles(files, c);
      if (rec.shmMounted) await mountShm(rt.exec, files.shm);
    })());
    await settleAll([netnsP, cgroupP, pinsP, filesP]);
    netnsPath = await netnsP;
    rec.infraCreated = true;
    rec.networkAttached = !c.hostNetwork;
    await rt.sandboxStore.save(rec);
  } catch (err) {
    await Promise.all(started);
    throw err;
  }
  const returnedMs = rt.clock.now() - t0;
  const infraP = step('infra', createInfra(rt, rec, netnsPath));
  const attachP = netnsPath
    ? step('attach', rt.network.attach(rt.attachRequest(rec)))
        .then(async (r) => {
          rec.ip = r.ip;
          // In place: a container created meanwhile has the file bound already (none runs yet).
          await writeHostsWithIp(files, c, r.ip, { inPlace: true });
        })
    : Promise.resolve();
  const rest = settleAll([infraP, attachP]).then(() => {
    rt.logger.debug({ sandboxId: rec.id, msSinceStart: ms, returnedMs, totalMs: rt.clock.now() - t0 }, 'sandbox created');
  });
  return { network: attachP, rest };
}

export function infraBundle(rt: RuncRuntime, id: string): string {
  return path.join(rt.paths.sandboxesDir, id, 'infra');
}

async function createInfra(rt: RuncRuntime, rec: SandboxRecord, netnsPath: string | undefined): Promise<void> {
  const bundle = infraBundle(rt, rec.id);
  const rootfsDir = path.join(bundle, 'rootfs');
  await mkdir(bundle, { recursive: true, mode: 0o700 });
  await mkdir(rootfsDir, { recursive: true, mode: 0o755 }); // the pause container's /
  const spec = buildInfraSpec({
    sandboxId: rec.id,
    config: rec.config,
    rootfsDir,
    netnsPath,
    ...(rec.ipcPath ? { ipcPath: rec.ipcPath } : {}),
    ...(rec.utsPath ? { utsPath: rec.utsPath } : {}),
    cgroupParent: rt.paths.cgroupParent,
    catatonitPath: rt.catatonitPath,
  });
  await writeFile(path.join(bundle, 'config.json'), JSON.stringify(spec), { mode: 0o600 });
  const started = await spawnConmon(rt.launcher, {
    id: rec.id,
    name: `k8s_${INFRA_CONTAINER_NAME}_${podName(rec.config)}`,
    bundle,
    logPath: path.join(bundle, 'infra.log'),
    runcRoot: rt.paths.runcRoot,
    exitsDir: rt.paths.exitsDir,
    attachDir: rt.paths.attachDir,
    logSizeMax: 1024 * 1024,
    sleep: (ms, signal) => rt.clock.sleep(ms, signal),
  });
  rec.pausePid = started.pid;
  rec.conmonPid = started.conmonPid;
  // What tells this pause from a later process under the same pid (health.ts kills by pid only then).
  rec.pauseStartedAt = await processStartMs(started.pid);
  await rt.sandboxStore.save(rec);
  await rt.runc.start(rec.id);
}

/**
 * Idempotent removal of everything a sandbox record says may exist, in reverse creation order.
 * Used by removePodSandbox, the undo of a failed runPodSandbox and init() for half-made sandboxes.
 */
export async function teardownSandbox(rt: RuncRuntime, rec: SandboxRecord): Promise<void> {
  const id = rec.id;
  const files = sandboxFilePaths(rt.paths.sandboxesDir, id, rec.config.hostIPC);
  if (rec.infraCreated) {
    await rt.runc.delete(id, true);
    await removeConmonLeftovers(rt, id);
  }
  if (rec.networkAttached) {
    await rt.network.detach(rt.attachRequest(rec));
    rec.networkAttached = false;
  }
  if (rec.netnsPath) await rt.network.removeNetns(rec.netnsPath);
  await rt.pins.remove([rec.ipcPath, rec.utsPath]);
  if (rec.shmMounted) await unmountShm(rt.exec, files.shm);
  const uid = rec.config.metadata.uid;
  const sameUid = [...rt.sandboxes.values()].some((s) => s.id !== id && s.config.metadata.uid === uid);
  if (rec.cgroupCreated && !sameUid) await rt.cgroups.remove(uid);
  // A sandbox claimed from the warm pool: the leaf its pause was moved to (runc's state names the first
  // one, so runc does not remove it), and the pool's first cgroup.
  else if (rec.poolUid) await rt.cgroups.removeLeaf(uid, rec.config.qosLevel, id);
  if (rec.poolUid) await rt.cgroups.remove(rec.poolUid);
  // By descriptor: shm (a 1777 tmpfs the pod's containers wrote) is a dir in it; issue 6.
  await removeTreeBeneath(files.dir);
  rt.sandboxes.delete(id);
  rt.forgetExit(id);
}

export async function removeConmonLeftovers(rt: RuncRuntime, id: string): Promise<void> {
  await Promise.all([
    rm(path.join(rt.paths.exitsDir, id), { force: true }),
    rm(path.join(rt.paths.attachDir, id), { force: true, recursive: true }),
  ]);
}

/** The namespaces a sandbox pins besides its netns: IPC unless hostIPC, UTS unless hostNetwork (as the infra spec). */
export function pinnedKinds(c: PodSandboxConfig): PinnedKind[] {
  return [...(c.hostIPC ? [] : ['ipc' as const]), ...(c.hostNetwork ? [] : ['uts' as const])];
}

/** conmon's -n: k8s_<container>_<pod>_<namespace>_<uid>_<attempt>. */
export function podName(c: PodSandboxConfig): string {
  return `${c.metadata.name}_${c.metadata.namespace}_${c.metadata.uid}_${c.metadata.attempt}`;
}

/** Waits for every promise, then rethrows the first failure (so undo never races a running step). */
export async function settleAll(ps: Promise<unknown>[]): Promise<void> {
  const rs = await Promise.allSettled(ps);
  const failed = rs.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
}
