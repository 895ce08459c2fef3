// `image load|import|ls|rm`: the daemon's image store through the /peapod/v1/images endpoints.

import { createReadStream, promises as fs } from 'node:fs';
import type { Image } from '../../images/images.js';
import { CliError, type CliContext } from '../context.js';
import { dockerDuration, dockerSize } from '../printers/age.js';
import { tabwrite } from '../printers/tabwriter.js';

async function tarStream(file: string) {
  const st = await fs.stat(file).catch(() => undefined);
  if (!st?.isFile()) throw new CliError(`error: ${file}: no such file`);
  return createReadStream(file);
}

export async function runImageLoad(ctx: CliContext, input: string | undefined): Promise<void> {
  if (!input) throw new CliError('error: image load needs -i TAR');
  const api = await ctx.api();
  const res = await api.json<{ items: Image[] }>('POST', '/peapod/v1/images/load', { body: await tarStream(input), contentType: 'application/x-tar' });
  for (const img of res.items ?? []) {
    if (img.repoTags.length === 0) ctx.out(`Loaded image ID: ${img.id}`);
    for (const t of img.repoTags) ctx.out(`Loaded image: ${t}`);
  }
}

export async function runImageImport(ctx: CliContext, tar: string, name: string): Promise<void> {
  const api = await ctx.api();
  const img = await api.json<Image>('POST', '/peapod/v1/images/import', {
    query: { name },
    body: await tarStream(tar),
    contentType: 'application/x-tar',
  });
  ctx.out(img.id);
}

/** "docker.io/library/busybox:1.36" → ["docker.io/library/busybox", "1.36"]. */
export function splitRepoTag(ref: string): [string, string] {
  const slash = ref.lastIndexOf('/');
  const colon = ref.lastIndexOf(':');
  return colon > slash ? [ref.slice(0, colon), ref.slice(colon + 1)] : [ref, '<none>'];
}

export function formatImages(images: Image[], nowMs: number): string {
  const rows = [['REPOSITORY', 'TAG', 'IMAGE ID', 'CREATED', 'SIZE']];
  const sorted = [...images].sort((a, b) => b.createdAt - a.createdAt);
  for (const img of sorted) {
    const id = img.id.replace(/^sha256:/, '').slice(0, 12);
    const refs = img.repoTags.length ? img.repoTags : ['<none>:<none>'];
    for (const ref of refs) {
      const [repo, tag] = ref === '<none>:<none>' ? ['<none>', '<none>'] : splitRepoTag(ref);
      rows.push([repo, tag, id, `${dockerDuration(nowMs - img.createdAt)} ago`, dockerSize(img.size)]);
    }
  }
  return tabwrite(rows.map((r) => r.join('\t')).join('\n'), { minWidth: 10, padding: 3 });
}

export async function runImageLs(ctx: CliContext): Promise<void> {
  const api = await ctx.api();
  const res = await api.json<{ items: Image[] }>('GET', '/peapod/v1/images');
  ctx.out(formatImages(res.items ?? [], ctx.io.clock.now()));
}

export async function runImageRm(ctx: CliContext, refs: string[]): Promise<void> {
  const api = await ctx.api();
  let failed = false;
  for (const ref of refs) {
    try {
      await api.text('DELETE', `/peapod/v1/images/${encodeURIComponent(ref)}`);
      ctx.out(`Deleted: ${ref}`);
    } catch (err) {
      failed = true;
      ctx.err((err as Error).message);
    }
  }
  if (failed) throw new CliError('', 1);
}
