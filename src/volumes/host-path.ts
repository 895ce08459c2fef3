// hostPath type checks, exactly the kubelet's checkType: the OrCreate types create what is missing
// (a 0755 directory, or an empty 0644 file whose parent must already exist, as upstream documents),
// the others require an existing object of that type. The host path itself is the volume.

import { promises as fs, type Stats } from 'node:fs';
import type { HostPathType } from '../k8s/types.js';
import { ContainerConfigError } from '../errors.js';

async function statOrUndefined(p: string): Promise<Stats | undefined> {
  try {
    return await fs.stat(p); // follows symlinks, as os.Stat does
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

const failed = (p: string, what: string) => new Error(`hostPath type check failed: ${p} is not ${what}`);

/** Checks (and for the OrCreate types creates) a hostPath; throws with the kubelet's messages. */
export async function checkHostPathType(p: string, type: HostPathType | undefined): Promise<void> {
  const t = type ?? '';
  if (t === '') return;
  let st = await statOrUndefined(p);
  switch (t) {
    case 'DirectoryOrCreate':
    case 'Directory':
      if (!st && t === 'DirectoryOrCreate') {
        await fs.mkdir(p, { recursive: true, mode: 0o755 });
        return;
      }
      if (!st?.isDirectory()) throw failed(p, 'a directory');
      return;
    case 'FileOrCreate':
    case 'File':
      if (!st && t === 'FileOrCreate') {
        const fh = await fs.open(p, 'a', 0o644).catch((err: unknown) => {
          throw new Error(`hostPath create file ${p}: ${(err as Error).message}`, { cause: err });
        });
        await fh.close();
        st = await statOrUndefined(p);
      }
      if (!st?.isFile()) throw failed(p, 'a file');
      return;
    case 'Socket':
      if (!st?.isSocket()) throw failed(p, 'a socket file');
      return;
    case 'CharDevice':
      if (!st?.isCharacterDevice()) throw failed(p, 'a character device');
      return;
    case 'BlockDevice':
      if (!st?.isBlockDevice()) throw failed(p, 'a block device');
      return;
    default:
      throw new ContainerConfigError(`${String(t)} is an invalid volume type`);
  }
}
