// Whole-file writes that readers see as all-or-nothing: the data goes to a temp file beside the target,
// which is then renamed over it (rename(2) is atomic within a filesystem). A crash leaves the old file
// or the new one, never a torn one; at worst a hidden ".<name>.<random>.tmp" is left behind.

import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';

export interface AtomicWriteOptions {
  /** Mode of the new file (before the umask); default 0o644. */
  mode?: number;
  /**
   * fsync the data before the rename, so the new content also survives a host crash, not only a
   * process crash; default true. Callers on a hot path whose files describe state a reboot wipes
   * anyway may turn it off.
   */
  fsync?: boolean;
}

export interface JsonWriteOptions extends AtomicWriteOptions {
  /** Two-space indent and a trailing newline (files people read); default compact, no newline. */
  pretty?: boolean;
}

/**
 * Writes `data` to `file` atomically: a temp file in the same dir, optional fsync, rename. A symlink
 * at `file` is replaced, never written through; the temp file is made with O_EXCL, so nothing at its
 * name is followed either.
 */
export async function writeFileAtomic(file: string, data: string | Buffer, opts: AtomicWriteOptions = {}): Promise<void> {
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${randomBytes(6).toString('hex')}.tmp`);
  let made = false;
  try {
    const fh = await fs.open(tmp, 'wx', opts.mode ?? 0o644);
    made = true;
    try {
      await fh.writeFile(data);
      if (opts.fsync ?? true) await fh.sync();
    } finally {
      await fh.close();
    }
    await fs.rename(tmp, file);
  } catch (err) {
    if (made) await fs.rm(tmp, { force: true });
    throw err;
  }
}

/** writeFileAtomic of JSON.stringify(value), compact unless `pretty`. */
export function writeJsonAtomic(file: string, value: unknown, opts: JsonWriteOptions = {}): Promise<void> {
  const { pretty, ...writeOpts } = opts;
  const text = pretty ? JSON.stringify(value, null, 2) + '\n' : JSON.stringify(value);
  return writeFileAtomic(file, text, writeOpts);
}

/** The UTF-8 text of `file`, or undefined when it does not exist; other errors are thrown. */
export async function readFileIfExists(file: string): Promise<string | undefined> {
  try {
    return await fs.readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

/** Parsed JSON of `file`, or undefined when it does not exist; invalid JSON throws a SyntaxError. */
export async function readJsonIfExists(file: string): Promise<unknown | undefined> {
  const text = await readFileIfExists(file);
  return text === undefined ? undefined : (JSON.parse(text) as unknown);
}
