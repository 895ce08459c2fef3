// `delete TYPE NAME... | -f FILE [--grace-period N] [--force] [--wait]`: DELETE each object, print
// `pod "x" deleted`, then (by default) wait until every one is gone, as kubectl does.

import type { ApiResource } from '../../k8s/registry.js';
import { ApiError } from '../client.js';
import { CliError, type CliContext } from '../context.js';
import { readManifestEntries } from '../manifests.js';
import { findResource, qualifiedKind, resourceForKind, resourcePath } from '../resources.js';

export interface DeleteOptions {
  filename?: string;
  gracePeriod?: number;
  force?: boolean;
  wait?: boolean;
}

interface Target {
  r: ApiResource;
  ns: string | undefined;
  name: string;
}

/** The DELETE body kubectl sends: background propagation, and 0 grace with --force. */
export function deleteBody(opts: DeleteOptions): Record<string, unknown> {
  const body: Record<string, unknown> = { kind: 'DeleteOptions', apiVersion: 'v1', propagationPolicy: 'Background' };
  if (opts.force) body.gracePeriodSeconds = opts.gracePeriod !== undefined && opts.gracePeriod > 0 ? opts.gracePeriod : 0;
  else if (opts.gracePeriod !== undefined && opts.gracePeriod >= 0) body.gracePeriodSeconds = opts.gracePeriod;
  return body;
}

async function targets(ctx: CliContext, args: string[], opts: DeleteOptions): Promise<Target[]> {
  if (opts.filename) {
    const out: Target[] = [];
    for (const { obj: o, source } of await readManifestEntries(opts.filename, ctx.io.stdin)) {
      const r = resourceForKind(o.kind, o.apiVersion, { name: o.metadata.name, namespace: o.metadata.namespace, source });
      out.push({ r, ns: r.namespaced ? (o.metadata.namespace ?? (await ctx.namespace())) : undefined, name: o.metadata.name ?? '' });
    }
    return out;
  }
  if (args.length === 0) throw new CliError('error: you must provide one or more resources by argument or filename (-f)');
  let [type, ...names] = args;
  if (type.includes('/')) {
    names = args;
    type = '';
  }
  const out: Target[] = [];
  // `delete pvc,pv NAME` deletes NAME of each type, as kubectl does; TYPE/NAME names its own type.
  const pairs = names.flatMap((n) => (n.includes('/') ? [n.split('/', 2)] : type.split(',').map((t) => [t, n])));
  for (const [t, name] of pairs) {
    if (!t) throw new CliError('error: arguments in resource/name form must have a single resource and name');
    const r = findResource(t);
    out.push({ r, ns: r.namespaced ? await ctx.namespace() : undefined, name });
  }
  if (out.length === 0) throw new CliError('error: resource(s) were provided, but no name was specified');
  return out;
}

export async function runDelete(ctx: CliContext, args: string[], opts: DeleteOptions): Promise<void> {
  const api = await ctx.api();
  if (opts.force && (opts.gracePeriod ?? 0) <= 0) {
    ctx.err('Warning: Immediate deletion does not wait for confirmation that the running resource has been terminated. The resource may continue to run on the cluster indefinitely.');
  }
  let failed = false;
  const deleted: Target[] = [];
  for (const t of await targets(ctx, args, opts)) {
    try {
      await api.json('DELETE', resourcePath(t.r, t.ns, t.name), { body: deleteBody(opts) });
      ctx.out(`${qualifiedKind(t.r)} "${t.name}" ${opts.force ? 'force deleted' : 'deleted'}`);
      deleted.push(t);
    } catch (err) {
      failed = true;
      ctx.err((err as Error).message);
    }
  }
  if (opts.wait !== false) {
    for (const t of deleted) await waitGone(ctx, t);
  }
  if (failed) throw new CliError('', 1);
}

async function waitGone(ctx: CliContext, t: Target): Promise<void> {
  const api = await ctx.api();
  for (;;) {
    try {
      await api.json('GET', resourcePath(t.r, t.ns, t.name));
    } catch (err) {
      if (err instanceof ApiError && err.httpStatus === 404) return;
      throw err;
    }
    await ctx.io.clock.sleep(500);
  }
}
