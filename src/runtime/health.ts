// Liveness of what the runtime made, looked at from outside (issue 13, runtime faults). An exit file
// tells of a process that ended under its conmon; nothing tells of conmon itself killed, a container's
// runc state or cgroup removed by hand, or the pod's pinned netns unmounted. When the pod manager lists
// a pod's sandboxes and containers (every sync pass, at least once per resync period), each ready
// sandbox and running container is checked here, at most once per CHECK_EVERY_MS:
//
//   monitor  conmon.pid names a live conmon of this id
//   state    runc still has state for it (<runcRoot>/<id>/state.json)
//   cgroup   its cgroup dir exists
//   netns    (sandbox) its pinned netns file is still an nsfs mount (health-facts.ts: netnsFact)
//
// A fact is false only when provably so (ENOENT/ESRCH, a pid naming another process); when a read fails
// otherwise (EMFILE, EIO) nothing is judged this round. On a v1 host the cgroup is looked for in the
// first of pids, devices, cpu, memory mounted; with none of them, the cgroup is not judged.
// A container or sandbox failing one of them is lost: its processes are killed (through runc while it has
// state, and by pid, the pid checked against the record's times so a reused pid is never hit), and its
// exit is recorded. For a container the pod manager then restarts it per restartPolicy; for a sandbox it
// sees a sandbox not ready, as after the infra container died: SandboxChanged, everything killed, a new
// sandbox. The teardown of the old sandbox then runs as always (CNI DEL with or without the netns, so IPAM
// releases the address; the veth goes with the netns once its last process is dead).

import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { errorMessage } from '../errors.js';
import { sigkill } from '../system/exec.js';
import { statFields } from '../system/proc-stat.js';
import { readVirtualText } from '../system/virtual-file.js';
import { isGoneError, monitoringConmonPid } from './conmon.js';
import { readExitFile } from './exit-watcher.js';
import { exists, netnsFact, probeHierarchy, processStartMs } from './health-facts.js';
import { cgroupsPathFor } from './oci-spec.js';
import type { RuncRuntime } from './runc-runtime.js';
import type { ContainerRecord, SandboxRecord } from './state.js';

/** How often one sandbox or container is looked at, at most (the pod resync is 10 s). */
export const CHECK_EVERY_MS = 5_000;
/** How long killed processes may take to be gone before the exit is recorded anyway. */
const KILL_WAIT_MS = 2_000;
/** Exit code recorded for a lost container or infra: we SIGKILLed it (128 + 9). */
export const LOST_EXIT_CODE = 137;
/** Exit code recorded when it was found dead with no exit file: unknown (as reconcile.ts at start-up). */
export const UNKNOWN_EXIT_CODE = 255;

/** What can be seen of a ready sandbox or a running container; each fact true when healthy. */
export interface LivenessFacts {
  monitor: boolean;
  runcState: boolean;
  cgroup: boolean;
  /** Sandboxes with their own network only. */
  netns?: boolean;
}

/** The first fact that fails, in words, or undefined when all hold (pure). */
export function livenessProblem(f: LivenessFacts): string | undefined {
  if (!f.monitor) return 'its monitor (conmon) is gone';
  if (!f.runcState) return 'its runc state is gone';
  if (!f.cgroup) return 'its cgroup is gone';
  if (f.netns === false) return 'its network namespace is no longer mounted';
  return undefined;
}

/**
 * Whether a process start time (unix ms) fits a record made at createdAt and started by startedAt (0:
 * not yet), with slack for clock granularity (pure). A pid whose process started elsewhen is someone else's.
 */
export function startFits(processStartMs: number, createdAt: number, startedAt: number, now: number, slackMs = 5_000): boolean {
  return processStartMs >= createdAt - slackMs && processStartMs <= (startedAt || now) + slackMs;
}

/** A directory: false when gone or something else; rejects when it cannot be told. */
async function isDir(p: string): Promise<boolean> {
  return stat(p).then(
    (s) => s.isDirectory(),
    (err) => {
      if (isGoneError(err)) return false;
      throw err;
    },
  );
}

async function procsOf(cgroupDir: string): Promise<number[]> {
  const text = await readFile(path.join(cgroupDir, 'cgroup.procs'), 'utf8').catch(() => '');
  return text.split('\n').filter(Boolean).map(Number).filter((n) => n > 1);
}

/** Running or sleeping, not gone and not a zombie waiting for its (new) parent to reap it. */
async function alive(pid: number): Promise<boolean> {
  const stat = await readVirtualText(`/proc/${pid}/stat`).catch(() => '');
  return stat !== '' && statFields(stat)[0] !== 'Z';
}

async function anyAlive(pids: Iterable<number>): Promise<boolean> {
  return (await Promise.all([...pids].map(alive))).some(Boolean);
}

export class LivenessChecker {
  private readonly checkedAt = new Map<string, number>();
  private readonly inflight = new Map<string, Promise<void>>();
  private hierarchy?: Promise<string | undefined>;
  /** Ids whose facts could not be read, logged once each. */
  private readonly unreadable = new Set<string>();

  constructor(
    private readonly rt: RuncRuntime,
    private readonly cgroupRoot = '/sys/fs/cgroup',
    private readonly mountinfoFile = '/proc/self/mountinfo',
  ) {}

  /** Drops what is kept of an id (its record is gone). */
  forget(id: string): void {
    this.checkedAt.delete(id);
    this.unreadable.delete(id);
  }

  /** Checks a running container; a lost one is killed and its exit recorded. Never throws. */
  container(rec: ContainerRecord): Promise<void> {
    if (rec.state !== 'running') return Promise.resolve();
    return this.once(rec.id, () => this.checkContainer(rec));
  }

  /** Checks a ready sandbox; a lost one has its infra killed and becomes not ready. Never throws. */
  sandbox(rec: SandboxRecord): Promise<void> {
    if (rec.state !== 'ready' || !rec.infraCreated || this.rt.infraInProgress(rec.id)) return Promise.resolve();
    return this.once(rec.id, () => this.checkSandbox(rec));
  }

  private once(id: string, fn: () => Promise<void>): Promise<void> {
    const running = this.inflight.get(id);
    if (running) return running;
    const now = this.rt.clock.now();
    if (now - (this.checkedAt.get(id) ?? -Infinity) < CHECK_EVERY_MS) return Promise.resolve();
    this.checkedAt.set(id, now);
    const p = fn()
      .catch((err) => this.rt.logger.warn({ id, err: errorMessage(err) }, 'liveness check failed'))
      .finally(() => this.inflight.delete(id));
    this.inflight.set(id, p);
    return p;
  }

  /** The container's cgroup dir in the probed hierarchy; undefined when the host has none to probe. */
  private async cgroupDir(uid: string, id: string, qos: string | undefined): Promise<string | undefined> {
    // A failed probe (EMFILE) is not kept: the next check probes again.
    this.hierarchy ??= probeHierarchy(this.cgroupRoot).catch((err: unknown) => {
      this.hierarchy = undefined;
      throw err;
    });
    const h = await this.hierarchy;
    if (h === undefined) return undefined;
    return path.join(h, cgroupsPathFor(this.rt.paths.cgroupParent, uid, id, qos));
  }

  /**
   * The facts, or undefined when one of them cannot be read this round (logged once per id): a read
   * failing for another reason than the thing being gone judges nothing.
   */
  private async facts(id: string, bundle: string, cgroupDir: () => Promise<string | undefined>, netnsPath?: string): Promise<LivenessFacts | undefined> {
    try {
      const [monitor, runcState, cgroup, netns] = await Promise.all([
        monitoringConmonPid(path.join(bundle, 'conmon.pid'), id).then((p) => p !== undefined),
        exists(path.join(this.rt.paths.runcRoot, id, 'state.json')),
        cgroupDir().then((d) => (d === undefined ? true : isDir(d))),
        netnsPath === undefined ? Promise.resolve(undefined) : netnsPath === '' ? false : netnsFact(netnsPath, this.mountinfoFile),
      ]);
      this.unreadable.delete(id);
      return { monitor, runcState, cgroup, ...(netns === undefined ? {} : { netns }) };
    } catch (err) {
      if (!this.unreadable.has(id)) {
        this.unreadable.add(id);
        this.rt.logger.warn({ id, err: errorMessage(err) }, 'liveness facts unreadable; not judged this round');
      }
      return undefined;
    }
  }

  private async checkContainer(rec: ContainerRecord): Promise<void> {
    const rt = this.rt;
    // The cgroup path depends on the sandbox's QoS level: without its record it is not judged.
    const sb = rt.sandboxes.get(rec.sandboxId);
    const dir = sb ? this.cgroupDir(rec.podUid, rec.id, sb.config.qosLevel) : Promise.resolve(undefined);
    const facts = await this.facts(rec.id, path.join(rt.paths.containersDir, rec.id), () => dir);
    if (!facts) return;
    const cgroupDir = await dir;
    const problem = livenessProblem(facts);
    if (!problem || !(await this.stillLost(rec.id, () => rt.containers.get(rec.id) === rec && rec.state === 'running'))) return;
    rt.logger.warn({ containerId: rec.id, container: rec.config.metadata.name, problem }, 'container lost; killing it');
    const killed = await this.kill(rec.id, facts, cgroupDir, rec.pid, rec.createdAt, rec.startedAt);
    // Found already dead with nobody to tell how it ended: the code is unknown, as at start-up (reconcile.ts).
    const exit = killed ? { code: LOST_EXIT_CODE, how: 'killed' } : { code: UNKNOWN_EXIT_CODE, how: 'exit code unknown' };
    await rt.handleExit(rec.id, { code: exit.code, at: rt.clock.now() }, `container lost: ${problem}; ${exit.how}`);
  }

  private async checkSandbox(rec: SandboxRecord): Promise<void> {
    const rt = this.rt;
    const { uid } = rec.config.metadata;
    const dir = this.cgroupDir(uid, rec.id, rec.config.qosLevel);
    const netnsPath = rec.config.hostNetwork ? undefined : (rec.netnsPath ?? '');
    const facts = await this.facts(rec.id, path.join(rt.paths.sandboxesDir, rec.id, 'infra'), () => dir, netnsPath);
    if (!facts) return;
    const cgroupDir = await dir;
    const problem = livenessProblem(facts);
    if (!problem || !(await this.stillLost(rec.id, () => rt.sandboxes.get(rec.id) === rec && rec.state === 'ready'))) return;
    rt.logger.warn({ sandboxId: rec.id, pod: `${rec.config.metadata.namespace}/${rec.config.metadata.name}`, problem }, 'pod sandbox lost; killing its infra container');
    // The pause pid is taken only with its recorded start time (older records have none): killed by
    // pid only when the process under it started then, never a process that reused the pid since.
    const started = rec.pauseStartedAt;
    const killed = await this.kill(rec.id, facts, cgroupDir, started === undefined ? 0 : (rec.pausePid ?? 0), started ?? 0, started ?? 0);
    await rt.handleExit(rec.id, { code: killed ? LOST_EXIT_CODE : UNKNOWN_EXIT_CODE, at: rt.clock.now() });
  }

  /** Not an exit being written right now (conmon writes the file, then exits), and still current. */
  private async stillLost(id: string, current: () => boolean): Promise<boolean> {
    const exit = await readExitFile(this.rt.paths.exitsDir, id);
    if (exit) {
      await this.rt.handleExit(id, exit);
      return false;
    }
    return current();
  }

  /**
   * SIGKILL through runc (while it has state), every task of the cgroup, and the recorded pid when it is
   * ours; true when something of it was still alive.
   */
  private async kill(id: string, facts: LivenessFacts, cgroupDir: string | undefined, pid: number, createdAt: number, startedAt: number): Promise<boolean> {
    const rt = this.rt;
    const pids = new Set(facts.cgroup && cgroupDir !== undefined ? await procsOf(cgroupDir) : []);
    if (pid > 1) {
      const started = await processStartMs(pid);
      if (started !== undefined && startFits(started, createdAt, startedAt, rt.clock.now())) pids.add(pid);
    }
    let wasAlive = await anyAlive(pids);
    if (facts.runcState) {
      const st = await rt.runc.state(id).catch(() => undefined);
      wasAlive ||= st !== undefined && st.status !== 'stopped';
      await rt.runc.kill(id, 'SIGKILL').catch(() => undefined);
    }
    for (const p of pids) sigkill(p);
    const deadline = rt.clock.now() + KILL_WAIT_MS;
    while (rt.clock.now() < deadline && (await anyAlive(pids))) await rt.clock.sleep(20);
    return wasAlive;
  }
}
