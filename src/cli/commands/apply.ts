// `apply -f` (kubectl's client-side apply: create with the last-applied annotation when absent, else
// a three-way strategic merge patch) and `create -f`.

import type { KubeObject } from '../../k8s/types.js';
import type { ApiResource } from '../../k8s/registry.js';
import { ApiError } from '../client.js';
import { CliError, type CliContext } from '../context.js';
import { readManifestEntries } from '../manifests.js';
import { qualifiedKind, resourceForKind, resourcePath } from '../resources.js';
import { applyPatch, withLastApplied } from '../apply-patch.js';

type ObjectFn = (ctx: CliContext, obj: KubeObject, ns: string | undefined, r: ApiResource) => Promise<string>;

/** Runs fn on each manifest; errors are printed and make the exit code 1, as kubectl does. */
export async function forEachManifest(ctx: CliContext, file: string, fn: ObjectFn): Promise<void> {
  const entries = await readManifestEntries(file, ctx.io.stdin);
  if (entries.length === 0) throw new CliError('error: no objects passed to apply');
  let failed = false;
  for (const { obj, source } of entries) {
    try {
      const r = resourceForKind(obj.kind, obj.apiVersion, { name: obj.metadata.name, namespace: obj.metadata.namespace, source });
      let ns: string | undefined;
      if (r.namespaced) {
        const flag = ctx.globals.namespace;
        const own = obj.metadata.namespace;
        if (flag && own && flag !== own) {
          throw new CliError(`error: the namespace from the provided object "${own}" does not match the namespace "${flag}". You must pass '--namespace=${own}' to perform this operation.`);
        }
        ns = own ?? (await ctx.namespace());
      }
      ctx.out(await fn(ctx, obj, ns, r));
    } catch (err) {
      failed = true;
      ctx.err((err as Error).message);
    }
  }
  if (failed) throw new CliError('', 1);
}

export const applyObject: ObjectFn = async (ctx, obj, ns, r) => {
  const name = obj.metadata.name;
  if (!name) throw new CliError(`error: from ${obj.metadata.generateName ?? ''}: cannot use generate name with apply`);
  const api = await ctx.api();
  const modified = withLastApplied({ ...obj, metadata: { ...obj.metadata, ...(ns ? { namespace: ns } : {}) } });
  let current: KubeObject | undefined;
  try {
    current = await api.json<KubeObject>('GET', resourcePath(r, ns, name));
  } catch (err) {
    if (!(err instanceof ApiError && err.httpStatus === 404)) throw err;
  }
  const id = `${qualifiedKind(r)}/${name}`;
  if (!current) {
    await api.json('POST', resourcePath(r, ns), { body: modified, query: { fieldManager: 'kubectl-client-side-apply' } });
    return `${id} created`;
  }
  const patch = applyPatch(modified as never, current as never);
  if (Object.keys(patch).length === 0) return `${id} unchanged`;
  await api.json('PATCH', resourcePath(r, ns, name), {
    body: patch,
    contentType: 'application/strategic-merge-patch+json',
    query: { fieldManager: 'kubectl-client-side-apply' },
  });
  return `${id} configured`;
};

export const createObject: ObjectFn = async (ctx, obj, ns, r) => {
  const api = await ctx.api();
  const body = { ...obj, metadata: { ...obj.metadata, ...(ns ? { namespace: ns } : {}) } };
  const created = await api.json<KubeObject>('POST', resourcePath(r, ns), { body, query: { fieldManager: 'kubectl-create' } });
  return `${qualifiedKind(r)}/${created.metadata.name} created`;
};
