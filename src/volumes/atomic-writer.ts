// The kubelet's AtomicWriter layout for configMap/secret/downwardAPI volumes, so a container never
// sees a half-updated volume:
//
//   <dir>/..2026_01_01_00_00_00.123456/   the payload of one generation (mode 0755)
//   <dir>/..data -> ..2026_01_01_00_00_00.123456    swapped with rename(2), atomically
//   <dir>/<top> -> ..data/<top>           one symlink per top-level payload entry
//
// An update writes a new timestamped dir, renames a fresh `..data_tmp` symlink over `..data`, adds
// new user-visible symlinks, removes those no longer in the payload, then deletes the old dir.
// As the kubelet's AtomicWriter: whether to write goes by content only; each file gets its mode when
// written, and the caller's setPerms (fsGroup ownership) runs on the new dir before the swap, so a
// reader never sees a generation with other owners or modes than it keeps. A mode the ownership step
// widened on disk is then no difference, and an unchanged payload writes nothing.

import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { Payload } from './projection.js';

/** A generation dir's name (`..2026_11_22_04_00_18.<random>`): only such a dir is ever removed as old. */
const GENERATION_NAME = /^\.\.\d{4}_\d\d_\d\d_\d\d_\d\d_\d\d\.[A-Za-z0-9]+$/;

const DATA_DIR = '..data';
const DATA_TMP = '..data_tmp';

/** "..2006_01_02_15_04_05." in UTC, the kubelet's prefix for a generation dir. */
export function generationPrefix(nowMs: number): string {
  const d = new Date(nowMs);
  const p = (n: number) => String(n).padStart(2, '0');
  return `..${d.getUTCFullYear()}_${p(d.getUTCMonth() + 1)}_${p(d.getUTCDate())}_${p(d.getUTCHours())}_${p(d.getUTCMinutes())}_${p(d.getUTCSeconds())}.`;
}

function topLevel(payload: Payload): Set<string> {
  return new Set([...payload.keys()].map((p) => p.split('/')[0]));
}

async function readlinkOrUndefined(p: string): Promise<string | undefined> {
  try {
    return await fs.readlink(p);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

/** The files of an existing generation dir, relative path → content. */
async function readGeneration(dir: string): Promise<Map<string, Buffer>> {
  const out = new Map<string, Buffer>();
  const walk = async (rel: string): Promise<void> => {
    for (const ent of await fs.readdir(path.join(dir, rel), { withFileTypes: true })) {
      const r = rel ? `${rel}/${ent.name}` : ent.name;
      if (ent.isDirectory()) await walk(r);
      else if (ent.isFile()) {
        out.set(r, await fs.readFile(path.join(dir, r)));
      }
    }
  };
  await walk('');
  return out;
}

/** The kubelet's shouldWritePayload: the same paths with the same bytes (modes are not compared). */
function sameContent(onDisk: Map<string, Buffer>, payload: Payload): boolean {
  if (onDisk.size !== payload.size) return false;
  for (const [k, v] of payload) {
    const o = onDisk.get(k);
    if (!o || !o.equals(v.data)) return false;
  }
  return true;
}

async function writeGeneration(genDir: string, payload: Payload): Promise<void> {
  await fs.chmod(genDir, 0o755);
  for (const [rel, file] of payload) {
    const full = path.join(genDir, rel);
    await fs.mkdir(path.dirname(full), { recursive: true, mode: 0o755 });
    await fs.writeFile(full, file.data, { mode: file.mode });
    await fs.chmod(full, file.mode); // writeFile's mode is subject to the umask
  }
}

/** Creates `name -> ..data/name` for each top-level entry that lacks it. */
async function linkVisible(dir: string, names: Set<string>): Promise<void> {
  for (const name of names) {
    const link = path.join(dir, name);
    const cur = await readlinkOrUndefined(link).catch(() => undefined);
    if (cur === path.join(DATA_DIR, name)) continue;
    await fs.rm(link, { force: true });
    await fs.symlink(path.join(DATA_DIR, name), link);
  }
}

/** Removes user-visible symlinks of the old generation that the new payload no longer has. */
async function unlinkStale(dir: string, keep: Set<string>): Promise<void> {
  for (const ent of await fs.readdir(dir, { withFileTypes: true })) {
    if (ent.name.startsWith('..') || keep.has(ent.name) || !ent.isSymbolicLink()) continue;
    const target = await fs.readlink(path.join(dir, ent.name));
    if (target.startsWith(DATA_DIR + '/')) await fs.unlink(path.join(dir, ent.name));
  }
}

/**
 * Makes `dir` hold exactly `payload`, atomically for readers going through `..data`. Returns false
 * when the current generation already has the payload's content (nothing written). `setPerms` runs
 * on a new generation dir after its files are written and before it is swapped in.
 */
export async function writeAtomic(dir: string, payload: Payload, nowMs: number, setPerms?: (genDir: string) => Promise<void>): Promise<boolean> {
  const oldGen = await readlinkOrUndefined(path.join(dir, DATA_DIR));
  if (oldGen !== undefined) {
    const current = await readGeneration(path.join(dir, oldGen)).catch(() => undefined);
    if (current && sameContent(current, payload)) {
      await linkVisible(dir, topLevel(payload));
      return false;
    }
  }
  const genDir = await fs.mkdtemp(path.join(dir, generationPrefix(nowMs)));
  try {
    await writeGeneration(genDir, payload);
    if (setPerms) await setPerms(genDir);
    const tmp = path.join(dir, DATA_TMP);
    await fs.rm(tmp, { force: true });
    await fs.symlink(path.basename(genDir), tmp);
    await fs.rename(tmp, path.join(dir, DATA_DIR));
  } catch (err) {
    await fs.rm(genDir, { recursive: true, force: true });
    throw err;
  }
  const names = topLevel(payload);
  await linkVisible(dir, names);
  await unlinkStale(dir, names);
  if (oldGen !== undefined && oldGen !== path.basename(genDir) && GENERATION_NAME.test(oldGen)) {
    await fs.rm(path.join(dir, oldGen), { recursive: true, force: true });
  }
  return true;
}
