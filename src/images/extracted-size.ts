// Defence in depth behind tar-scan.ts: after tar extracted a layer, the files it wrote must not be larger,
// in all, than the data the archive holds. Without sparse members (refused before extraction) a regular
// file's bytes all come from the archive, so a sum over that bound means tar expanded something the scan
// did not see (a header the two read differently): the layer is refused before it is used.

import fs from 'node:fs/promises';
import path from 'node:path';
import { BadRequestError } from '../errors.js';

/**
 * The sum of the apparent sizes of the regular files under `dir`, each inode counted once (hard links
 * share their data); stops walking as soon as the sum passes `limit`. Never follows a symlink.
 */
export async function regularFileBytes(dir: string, limit: number): Promise<number> {
  const seen = new Set<string>();
  let total = 0;
  const pending = [dir];
  while (pending.length > 0 && total <= limit) {
    const d = pending.pop()!;
    for (const e of await fs.readdir(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) pending.push(p);
      else if (e.isFile()) {
        const st = await fs.lstat(p, { bigint: true });
        const key = `${st.dev}:${st.ino}`;
        if (seen.has(key)) continue;
        seen.add(key);
        total += Number(st.size);
        if (total > limit) break;
      }
    }
  }
  return total;
}

/** Throws BadRequestError if the regular files under `dir` hold more than `limit` bytes in all. */
export async function refuseExtractedOver(dir: string, limit: number, what: string): Promise<void> {
  const total = await regularFileBytes(dir, limit);
  if (total > limit) {
    throw new BadRequestError(`${what}: extracting it wrote more than the ${limit} bytes of data the archive holds (a member tar expanded, such as a sparse file)`);
  }
}
