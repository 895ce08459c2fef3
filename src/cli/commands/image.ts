// `image load|import|ls|rm|prune` (pull is in image-pull.ts): the daemon's image store through the /peapod/v1/images endpoints.

import { createReadStream, promises as fs } from 'node:fs';
import { createInterface } from 'node:readline';
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

/**
 * The DIGEST column: the manifest digest of the repoDigest for the row's repository (else the
 * image's first), short like IMAGE ID (12 hex digits); `<none>` for an image with no repoDigests
 * (loaded or imported, never pulled).
 */
export function shortRepoDigest(img: Image, repo: string): string {
  const rd = img.repoDigests.find((d) => d.startsWith(`${repo}@`)) ?? img.repoDigests[0];
  return rd ? rd.slice(rd.indexOf('@') + 1).replace(/^[a-z0-9]+:/, '').slice(0, 12) : '<none>';
}

export function formatImages(images: Image[], nowMs: number): string {
  const rows = [['REPOSITORY', 'TAG', 'DIGEST', 'IMAGE ID', 'CREATED', 'SIZE']];
  const sorted = [...images].sort((a, b) => b.createdAt - a.createdAt);
  for (const img of sorted) {
    const id = img.id.replace(/^sha256:/, '').slice(0, 12);
    const refs = img.repoTags.length ? img.repoTags : ['<none>:<none>'];
    for (const ref of refs) {
      const [repo, tag] = ref === '<none>:<none>' ? ['<none>', '<none>'] : splitRepoTag(ref);
      rows.push([repo, tag, shortRepoDigest(img, repo), id, `${dockerDuration(nowMs - img.createdAt)} ago`, dockerSize(img.size)]);
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

/** docker's prompt: a line from stdin, "y" or "yes" (any case) to go on; anything else, or none, is no. */
async function confirm(ctx: CliContext, question: string): Promise<boolean> {
  ctx.io.stdout(`${question} [y/N] `);
  const rl = createInterface({ input: ctx.io.stdin, terminal: false });
  try {
    const answer = await new Promise<string>((resolve) => {
      rl.once('line', resolve);
      rl.once('close', () => resolve(''));
    });
    return /^(y|yes)$/i.test(answer.trim());
  } finally {
    rl.close();
  }
}

export async function runImagePrune(ctx: CliContext, opts: { all?: boolean; force?: boolean }): Promise<void> {
  const warning = opts.all
    ? 'WARNING! This will remove all images without at least one container associated to them.'
    : 'WARNING! This will remove all dangling images.';
  if (!opts.force && !(await confirm(ctx, `${warning}\nAre you sure you want to continue?`))) {
    throw new CliError('error: image prune has been cancelled (pass -f to skip the prompt)');
  }
  const api = await ctx.api();
  const res = await api.json<{ deleted?: string[]; reclaimedBytes?: number; failed?: { id: string; error: string }[] }>('POST', '/peapod/v1/images/prune', {
    query: { all: opts.all ? 'true' : 'false' },
  });
  ctx.out(formatPrune(res.deleted ?? [], res.reclaimedBytes ?? 0));
  // Images the daemon planned to remove but could not (say a container took one meanwhile).
  for (const f of res.failed ?? []) ctx.err(`Error: could not remove ${f.id}: ${f.error}`);
  if (res.failed?.length) throw new CliError('', 1);
}

/** docker's prune report: "Deleted Images:", a "deleted: <id>" line each, a blank line, then the space reclaimed. */
export function formatPrune(deleted: string[], reclaimedBytes: number): string {
  const head = deleted.length ? ['Deleted Images:', ...deleted.map((id) => `deleted: ${id}`), ''] : [];
  return [...head, `Total reclaimed space: ${dockerSize(reclaimedBytes)}`].join('\n');
}
