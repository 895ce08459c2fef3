// Watches conmon's exit dir (<exitsDir>/<ctrId>, decimal exit status, no newline) with fs.watch, plus a
// slow poll as a safety net (inotify can drop events), and reports each container's exit once.

import { statSync, watch, type FSWatcher } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Clock } from '../system/clock.js';
import type { Logger } from '../system/logger.js';

export interface ExitInfo {
  code: number;
  /** mtime of the exit file, Unix ms. */
  at: number;
}

/** The recorded exit of a container, or undefined when conmon has not written it (yet). */
export async function readExitFile(exitsDir: string, id: string): Promise<ExitInfo | undefined> {
  const file = path.join(exitsDir, id);
  // Every pod's sync asks this of each of its live containers, and the file is nearly always absent: one
  // stat(2) on the exits dir (tmpfs) that returns rather than throws costs microseconds on the loop, where
  // two failing thread-pool calls, each building an error with its stack, cost far more in all.
  const st = statSync(file, { throwIfNoEntry: false });
  if (!st) return undefined;
  try {
    const code = Number.parseInt((await readFile(file, 'utf8')).trim(), 10);
    return Number.isNaN(code) ? undefined : { code, at: Math.round(st.mtimeMs) };
  } catch {
    return undefined;
  }
}

export class ExitWatcher {
  private readonly dir: string;
  private readonly clock: Clock;
  private readonly logger: Logger;
  private readonly onExit: (id: string, info: ExitInfo) => void;
  private readonly isWatched: (id: string) => boolean;
  private readonly pollMs: number;
  private readonly reported = new Set<string>();
  private watcher?: FSWatcher;
  private cancelPoll?: () => void;
  private closed = false;

  constructor(opts: {
    exitsDir: string;
    clock: Clock;
    logger: Logger;
    /** Only containers the runtime knows and still thinks alive are checked. */
    isWatched: (id: string) => boolean;
    onExit: (id: string, info: ExitInfo) => void;
    pollMs?: number;
  }) {
    this.dir = opts.exitsDir;
    this.clock = opts.clock;
    this.logger = opts.logger;
    this.onExit = opts.onExit;
    this.isWatched = opts.isWatched;
    this.pollMs = opts.pollMs ?? 2000;
  }

  start(): void {
    this.watcher = watch(this.dir, (_ev, name) => {
      if (name) void this.check(name.toString());
    });
    this.watcher.on('error', (e) => this.logger.warn({ err: e }, 'exit dir watch failed; polling only'));
    this.schedulePoll();
  }

  close(): void {
    this.closed = true;
    this.watcher?.close();
    this.cancelPoll?.();
  }

  /** Allows a container id to be reported again (after its record is gone). */
  forget(id: string): void {
    this.reported.delete(id);
  }

  async check(id: string): Promise<void> {
    if (this.closed || this.reported.has(id) || !this.isWatched(id)) return;
    const info = await readExitFile(this.dir, id);
    if (!info || this.reported.has(id)) return;
    this.reported.add(id);
    this.onExit(id, info);
  }

  private schedulePoll(): void {
    if (this.closed) return;
    this.cancelPoll = this.clock.setTimer(this.pollMs, () => {
      void this.poll().finally(() => this.schedulePoll());
    });
  }

  private async poll(): Promise<void> {
    const names = await readdir(this.dir).catch(() => [] as string[]);
    await Promise.all(names.map((n) => this.check(n)));
  }
}
