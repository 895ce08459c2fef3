// Persisted records of sandboxes and containers: one JSON file each, written atomically (tmp + rename)
// BEFORE every side effect (node-runtime.md §6), so a restarted daemon knows what may exist on the host.
//
// Sandbox lifecycle:   creating ──(infra started, network attached)──▶ ready ──stop──▶ notready
//                         └─ failure: undo runs; on a crash the record stays and init() removes it
// Container lifecycle: creating ─▶ created ─▶ running ─▶ exited      (removed = record deleted)

import { mkdir, readdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { readJsonIfExists, writeJsonAtomic } from '../system/atomic-file.js';
import type { ContainerConfig, PodSandboxConfig } from './runtime.js';

export interface SandboxRecord {
  id: string;
  config: PodSandboxConfig;
  state: 'creating' | 'ready' | 'notready';
  createdAt: number;
  /** Side effects, each set before it is attempted. */
  netnsRequested?: boolean;
  netnsPath?: string;
  /** Pinned IPC and UTS namespace files (ns-pins.ts), set before they are made; absent in older records. */
  ipcPath?: string;
  utsPath?: string;
  cgroupCreated?: boolean;
  /** Returned by runPodSandbox, its infra container or network still being made (issue 15). */
  setupPending?: boolean;
  /** Why its infra container or network could not be made after runPodSandbox returned: never started. */
  setupFailed?: string;
  shmMounted?: boolean;
  infraCreated?: boolean;
  networkAttached?: boolean;
  ip?: string;
  pausePid?: number;
  /** Start time (unix ms, /proc/<pid>/stat) of the process pausePid named when the sandbox became ready; absent in older records. */
  pauseStartedAt?: number;
  conmonPid?: number;
  /** A warm pool sandbox nobody claimed yet (warm-pool.ts): not listed, removed at stop and at start. */
  pool?: true;
  /** A sandbox claimed from the warm pool: the pool's uid, whose (emptied) cgroup dirs are removed with it. */
  poolUid?: string;
}

export interface ContainerRecord {
  id: string;
  sandboxId: string;
  podUid: string;
  config: ContainerConfig;
  imageId: string;
  state: 'creating' | 'created' | 'running' | 'exited';
  createdAt: number;
  startedAt: number;
  finishedAt: number;
  exitCode: number;
  reason: string;
  message: string;
  logPath: string;
  rootfsPrepared?: boolean;
  /** Set when runc could not start the process at create (missing binary...): startContainer reports it. */
  startError?: string;
  conmonPid?: number;
  pid: number;
}

/** A record file's JSON, or undefined when it is missing, unreadable or corrupt (an orphan to clean up). */
export async function readJson<T>(file: string): Promise<T | undefined> {
  return (await readJsonIfExists(file).catch(() => undefined)) as T | undefined;
}

/** Records live at <dir>/<id>/record.json; the dir also holds the object's other files. */
export class RecordStore<T extends { id: string }> {
  /** Per-id chain: saves of one record run in order, each writing the state current at its turn. */
  private readonly chains = new Map<string, Promise<void>>();

  constructor(private readonly dir: string) {}

  recordPath(id: string): string {
    return path.join(this.dir, id, 'record.json');
  }

  save(rec: T): Promise<void> {
    const prev = this.chains.get(rec.id) ?? Promise.resolve();
    const next = prev
      .catch(() => undefined)
      .then(async () => {
        // Private: a record holds the whole config, env values from Secrets included.
        await mkdir(path.join(this.dir, rec.id), { recursive: true, mode: 0o700 });
        // Compact and not fsynced: saved before every side effect on the pod start path, and what it
        // describes (processes, netns, mounts) does not survive the host crash that fsync guards against.
        await writeJsonAtomic(this.recordPath(rec.id), rec, { fsync: false, mode: 0o600 });
      });
    this.chains.set(rec.id, next);
    void next.finally(() => {
      if (this.chains.get(rec.id) === next) this.chains.delete(rec.id);
    }).catch(() => undefined);
    return next;
  }

  /** Removes the record file only (the caller owns the rest of the dir). */
  async drop(id: string): Promise<void> {
    await (this.chains.get(id) ?? Promise.resolve()).catch(() => undefined);
    await rm(this.recordPath(id), { force: true });
  }

  /** Every readable record; ids whose dir has no (valid) record are returned in `orphans`. */
  async loadAll(): Promise<{ records: T[]; orphans: string[] }> {
    let names: string[];
    try {
      names = await readdir(this.dir);
    } catch {
      return { records: [], orphans: [] };
    }
    const records: T[] = [];
    const orphans: string[] = [];
    await Promise.all(
      names.map(async (n) => {
        const rec = await readJson<T>(this.recordPath(n));
        if (rec && rec.id === n) records.push(rec);
        else orphans.push(n);
      }),
    );
    return { records, orphans };
  }
}
