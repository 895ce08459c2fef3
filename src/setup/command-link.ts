// The `peapod` command on PATH: `peapod setup` links /usr/local/bin/peapod to this checkout's
// bin/peapod.js (as `npm link` would, without npm's global prefix), so that every example reads
// `peapod …`; `peapod setup --uninstall` removes that link again. A `peapod` there that is not a link to
// a peapod checkout's bin/peapod.js (a program of the user's own) is never replaced nor removed.

import { promises as fs } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const exists = (p: string) => fs.access(p).then(() => true, () => false);

/** Where the command goes: on Debian's PATH for root and for users alike. */
export const COMMAND_DIR = '/usr/local/bin';

/** This checkout's entry point (dist/src/setup/ → bin/peapod.js). */
export function checkoutEntry(): string {
  return path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'bin', 'peapod.js');
}

/** A link target that is some peapod checkout's entry point (…/bin/peapod.js beside a package.json). */
async function isPeapodEntry(target: string): Promise<boolean> {
  if (path.basename(target) !== 'peapod.js' || path.basename(path.dirname(target)) !== 'bin') return false;
  const pkg = await fs.readFile(path.join(path.dirname(target), '..', 'package.json'), 'utf8').catch(() => undefined);
  if (pkg === undefined) {
    // A checkout deleted since: the link is ours if it has the shape of one and leads nowhere. A program
    // that is there without a peapod package.json beside it is someone else's.
    return !(await exists(target));
  }
  try {
    return (JSON.parse(pkg) as { name?: string }).name === 'peapod';
  } catch {
    return false;
  }
}

/** A link's target as written; undefined: nothing there; null: a file that is not a link. */
function linkAt(link: string): Promise<string | undefined | null> {
  return fs.readlink(link).catch((err: NodeJS.ErrnoException) => (err.code === 'ENOENT' ? undefined : err.code === 'EINVAL' ? null : Promise.reject(err)));
}

export interface LinkOptions {
  /** Default COMMAND_DIR. */
  dir?: string;
  /** Default checkoutEntry(). */
  entry?: string;
  /** $PATH, to warn when dir is not on it. */
  pathEnv?: string;
}

/** The options with their defaults, and the link's path. */
function where(opts: LinkOptions): { dir: string; entry: string; link: string } {
  const dir = opts.dir ?? COMMAND_DIR;
  return { dir, entry: opts.entry ?? checkoutEntry(), link: path.join(dir, 'peapod') };
}

/** Links DIR/peapod to the entry; returns the line to print. */
export async function installCommand(opts: LinkOptions = {}): Promise<string> {
  const { dir, entry, link } = where(opts);
  if (!(await exists(entry))) return `command: ${entry} is not there (a build outside the checkout?): ${link} left as it is`;
  const onPath = (opts.pathEnv ?? process.env.PATH ?? '').split(':').includes(dir);
  const note = onPath ? '' : ` (${dir} is not on this shell's PATH: add it, or run ${link})`;
  const current = await linkAt(link);
  if (current === null) return `command: ${link} is a program of its own, left as it is: run this checkout as ${entry}`;
  if (current !== undefined) {
    const target = path.resolve(dir, current);
    if (target === entry) return `command: ${link} → ${entry}${note}`;
    if (!(await isPeapodEntry(target))) return `command: ${link} links to ${target}, left as it is: run this checkout as ${entry}`;
  }
  await fs.mkdir(dir, { recursive: true });
  // A new link beside the old one, renamed over it: `peapod` never goes missing in between.
  const tmp = `${link}.${process.pid}.tmp`;
  await fs.rm(tmp, { force: true });
  await fs.symlink(entry, tmp);
  await fs.rename(tmp, link);
  const was = current === undefined ? '' : ` (it linked to ${path.resolve(dir, current)})`;
  return `command: installed ${link} → ${entry}${was}${note}`;
}

/** Says where DIR/peapod leads, changing nothing (`setup --no-install`). */
export async function describeCommand(opts: LinkOptions = {}): Promise<string> {
  const { dir, entry, link } = where(opts);
  const current = await linkAt(link);
  if (current === undefined) return `command: no ${link} (\`peapod setup\` without --no-install links it to ${entry})`;
  if (current === null) return `command: ${link} is a program of its own`;
  return `command: ${link} → ${path.resolve(dir, current)}`;
}

/** Removes DIR/peapod when it links to this checkout's entry (or to a checkout that is gone); returns the line to print. */
export async function uninstallCommand(opts: LinkOptions = {}): Promise<string> {
  const { dir, entry, link } = where(opts);
  const current = await linkAt(link);
  if (current === undefined) return `command: no ${link}`;
  if (current === null) return `command: ${link} is a program of its own, left as it is`;
  const target = path.resolve(dir, current);
  const gone = !(await exists(target));
  if (target !== entry && !(gone && (await isPeapodEntry(target)))) return `command: ${link} links to ${target}, not to this checkout: left as it is (a peapod checkout there removes it with its own \`peapod setup --uninstall\`)`;
  await fs.rm(link);
  return `command: removed ${link}`;
}
