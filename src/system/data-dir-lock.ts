// One daemon per data dir (issue 14): an flock(2) on <data-dir>/peapod.lock, held for the daemon's whole
// life on a descriptor only the daemon has. The kernel drops the lock when the last descriptor of that open
// file closes, that is when the process ends, however it ends. A pid file probed with signal 0 could not
// tell: a SIGKILLed daemon its parent had not reaped yet (a zombie) still answered, and its successor
// refused to start.
//
// Node has no flock binding, so flock(1) gets the daemon's descriptor as its fd 3, locks it and exits. A
// flock belongs to the open file description, not to the process that asked: it stays with the daemon's
// descriptor, released when that closes (flock(2): "when all such file descriptors have been closed").
// libuv opens every file close-on-exec, so no program the daemon starts later inherits the lock.
//
// The lock file is not removed while the data dir lives; `peapod reset --all` removes the whole dir while
// it holds the lock, and a newcomer who opened the old file meanwhile sees, once it has the lock, that the
// name no longer leads to that file, and starts over: on a data dir made anew, or with an error when it is
// gone. The pid file
// beside it (peapod.pid) names the holder, for the refusal message and for tools; it decides nothing.

import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { errorMessage } from '../errors.js';

export const LOCK_FILE = 'peapod.lock';
export const PID_FILE = 'peapod.pid';
const FLOCK = '/usr/bin/flock';
/** flock(1)'s exit status when the lock is held by another (its --conflict-exit-code). */
const EXIT_CONFLICT = 75;
/**
 * How long a start waits for the lock. A SIGKILL is delivered a moment after kill(2) returns, so a
 * supervisor that restarts at once may find the old daemon not quite dead; a live one still holds the
 * lock after this and the start is refused.
 */
export const DEFAULT_LOCK_WAIT_MS = 2000;

export interface DataDirLockOptions {
  /** How long to wait for a holder to go away (default DEFAULT_LOCK_WAIT_MS; 0: refuse at once). */
  waitMs?: number;
  /** flock(1) (tests point it elsewhere to see it fail). */
  flockPath?: string;
}

/**
 * Takes the data dir's lock, then writes the pid file; throws "another peapod daemon (pid N) already serves
 * this data dir (D)" while another process holds it. Returns the release: the pid file is removed (when it
 * still names this process) and the lock dropped.
 */
export function acquireDataDirLock(dataDir: string, opts: DataDirLockOptions = {}): () => void {
  const lockFile = path.join(dataDir, LOCK_FILE);
  const pidFile = path.join(dataDir, PID_FILE);
  let fd: number;
  for (let attempt = 0; ; attempt++) {
    fd = openPrivateFile(lockFile, fs.constants.O_RDONLY, 'open lock file');
    try {
      lockDescriptor(fd, lockFile, dataDir, pidFile, opts);
      // The file we locked must still be the one at the name: `peapod reset --all` removes the data dir
      // while it holds the lock, and whoever opened the old file meanwhile got a lock on nothing.
      if (!sameFile(fd, lockFile)) {
        if (attempt >= 10) throw new Error(`lock ${lockFile}: the lock file keeps being replaced`);
        fs.closeSync(fd);
        continue;
      }
      writePidFile(pidFile);
      break;
    } catch (err) {
      fs.closeSync(fd);
      throw err;
    }
  }
  let released = false;
  return () => {
    if (released) return;
    released = true;
    if (readOptional(pidFile)?.trim() === String(process.pid)) fs.rmSync(pidFile, { force: true });
    fs.closeSync(fd);
  };
}

function lockDescriptor(fd: number, lockFile: string, dataDir: string, pidFile: string, opts: DataDirLockOptions): void {
  const waitMs = opts.waitMs ?? DEFAULT_LOCK_WAIT_MS;
  const args = ['--exclusive', '--conflict-exit-code', String(EXIT_CONFLICT), ...(waitMs > 0 ? ['--timeout', String(waitMs / 1000)] : ['--nonblock']), '3'];
  const r = spawnSync(opts.flockPath ?? FLOCK, args, { stdio: ['ignore', 'ignore', 'pipe', fd], encoding: 'utf8' });
  if (r.status === 0) return;
  if (r.status === EXIT_CONFLICT) {
    const pid = Number(readOptional(pidFile)?.trim());
    const who = pid > 0 ? ` (pid ${pid})` : '';
    throw new Error(`another peapod daemon${who} already serves this data dir (${dataDir}): it holds the lock on ${lockFile}`);
  }
  const why = r.error ? errorMessage(r.error) : `exit ${r.status ?? r.signal}: ${r.stderr.trim()}`;
  throw new Error(`lock ${lockFile}: flock: ${why}`);
}

/** Opens (creating 0600) a regular file without following a symlink at its name. */
function openPrivateFile(file: string, access: number, what: string): number {
  const c = fs.constants;
  let fd: number;
  try {
    fd = fs.openSync(file, access | c.O_CREAT | c.O_NOFOLLOW | c.O_NONBLOCK | c.O_NOCTTY, 0o600);
  } catch (err) {
    throw new Error(`${what} ${file}: ${(err as NodeJS.ErrnoException).code === 'ELOOP' ? 'is a symlink' : errorMessage(err)}`, { cause: err });
  }
  try {
    if (!fs.fstatSync(fd).isFile()) throw new Error(`${what} ${file}: not a regular file`);
    fs.fchmodSync(fd, 0o600);
  } catch (err) {
    fs.closeSync(fd);
    throw err;
  }
  return fd;
}

/** The pid file names this process; written without following a symlink at its name (issue 6). */
function writePidFile(file: string): void {
  const fd = openPrivateFile(file, fs.constants.O_WRONLY | fs.constants.O_TRUNC, 'write pid file');
  try {
    fs.writeSync(fd, `${process.pid}\n`);
  } finally {
    fs.closeSync(fd);
  }
}

function sameFile(fd: number, file: string): boolean {
  try {
    const a = fs.fstatSync(fd);
    const b = fs.lstatSync(file);
    return a.dev === b.dev && a.ino === b.ino;
  } catch {
    return false;
  }
}

function readOptional(file: string): string | undefined {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}
