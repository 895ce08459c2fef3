// When SQLite's WAL is copied back into the database. SQLite does it itself, inside the commit that
// takes the WAL past 1,000 pages: the copy and its fsyncs then run on the daemon's event loop, and on a
// disk busy with a pod burst one such commit held the loop for 15-35 ms (a 250-pod start's CPU profile,
// issue 7). The daemon turns that off (SqliteStoreOptions.autoCheckpoint) and has this run the checkpoint
// as a short program of its own (wal-checkpoint-main.ts, through the spawn helper) every
// COMMITS_PER_CHECKPOINT commits, or once the writes pause. Should the program keep failing, the WAL is
// checkpointed in process once it holds HARD_LIMIT_COMMITS commits, as SQLite would have.

import { fileURLToPath } from 'node:url';
import type { Clock } from '../system/clock.js';
import type { Exec } from '../system/exec.js';
import type { Logger } from '../system/logger.js';

/** Commits between checkpoints: a status write is a page or two, so about SQLite's own 1,000 pages. */
export const COMMITS_PER_CHECKPOINT = 500;
/** A checkpoint this long after the last commit, when fewer have accumulated. */
export const QUIET_MS = 5000;
/** Commits without a checkpoint after which the store checkpoints in process. */
export const HARD_LIMIT_COMMITS = 20 * COMMITS_PER_CHECKPOINT;
const CHECKPOINT_TIMEOUT_MS = 120_000;

const PROGRAM = fileURLToPath(new URL('./wal-checkpoint-main.js', import.meta.url));

export interface WalCheckpointerOptions {
  exec: Exec;
  dbPath: string;
  clock: Clock;
  logger: Logger;
  /** The in-process checkpoint (the store's), the fallback. */
  inline: () => void;
  /** The node binary that runs the program (default: this process's). */
  node?: string;
  commitsPerCheckpoint?: number;
  quietMs?: number;
  hardLimitCommits?: number;
}

export class WalCheckpointer {
  /** Commits since the last checkpoint that went through (or was started: see run()). */
  private commits = 0;
  /** Commits since the last checkpoint that succeeded. */
  private unchecked = 0;
  private running = false;
  private stopped = false;
  private cancelQuiet?: () => void;
  private readonly perCheckpoint: number;
  private readonly quietMs: number;
  private readonly hardLimit: number;

  constructor(private readonly opts: WalCheckpointerOptions) {
    this.perCheckpoint = opts.commitsPerCheckpoint ?? COMMITS_PER_CHECKPOINT;
    this.quietMs = opts.quietMs ?? QUIET_MS;
    this.hardLimit = opts.hardLimitCommits ?? HARD_LIMIT_COMMITS;
  }

  /** A transaction committed. */
  noteCommit(): void {
    if (this.stopped) return;
    this.commits++;
    this.unchecked++;
    if (this.unchecked >= this.hardLimit) {
      this.checkpointInline();
      return;
    }
    if (this.commits >= this.perCheckpoint) {
      this.start();
      return;
    }
    this.armQuiet();
  }

  /** (Re)starts the wait for a pause in the writes; one such timer at most. */
  private armQuiet(): void {
    this.cancelQuiet?.();
    this.cancelQuiet = this.opts.clock.setTimer(this.quietMs, () => {
      this.cancelQuiet = undefined;
      this.start();
    });
  }

  stop(): void {
    this.stopped = true;
    this.cancelQuiet?.();
    this.cancelQuiet = undefined;
  }

  /** Whether a checkpoint program runs now (for tests). */
  get busy(): boolean {
    return this.running;
  }

  private start(): void {
    if (this.running || this.stopped || this.commits === 0) return;
    this.cancelQuiet?.();
    this.cancelQuiet = undefined;
    this.running = true;
    const covered = this.unchecked;
    this.commits = 0;
    void this.run().then(
      (ok) => {
        this.running = false;
        if (ok) this.unchecked = Math.max(0, this.unchecked - covered);
        // What came in meanwhile gets its own turn: now if it is a full batch, else after a pause.
        if (this.commits >= this.perCheckpoint) this.start();
        else if (this.commits > 0 && !this.stopped) this.armQuiet();
      },
      () => {
        this.running = false;
      },
    );
  }

  private async run(): Promise<boolean> {
    const { exec, dbPath, logger } = this.opts;
    try {
      const r = await exec.run(this.opts.node ?? process.execPath, [PROGRAM, dbPath], { timeoutMs: CHECKPOINT_TIMEOUT_MS });
      if (r.code === 0) {
        logger.debug({ result: r.stdout.trim() }, 'WAL checkpoint');
        return true;
      }
      if (!this.stopped) logger.warn({ code: r.code, stderr: r.stderr.trim().slice(0, 500) }, 'the WAL checkpoint program failed');
    } catch (err) {
      // At the daemon's stop the spawn helper closes under a checkpoint in flight: nothing to report.
      if (!this.stopped) logger.warn({ err: (err as Error).message }, 'the WAL checkpoint program did not start');
    }
    return false;
  }

  private checkpointInline(): void {
    try {
      this.opts.inline();
      this.unchecked = 0;
      this.commits = 0;
      this.opts.logger.warn({ commits: this.hardLimit }, 'WAL checkpointed in process: the checkpoint program did not keep up');
    } catch (err) {
      this.opts.logger.warn({ err: (err as Error).message }, 'in-process WAL checkpoint failed');
    }
  }
}
