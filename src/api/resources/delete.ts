// DELETE of one object and deletecollection. Pods go through the graceful path (the pod manager
// stops a marked pod and then removes the object); namespaces are finalized in the background;
// other kinds are removed at once and answered with a Success Status, unless they carry finalizers:
// then they are marked (deletionTimestamp) and answered with the object, and go once the last finalizer
// is removed (resources/write.ts, or the controller that owns the finalizer).

import { BadRequestError, ConflictError, isNotFound } from '../../errors.js';
import { apiVersionOf, type ApiResource } from '../../k8s/registry.js';
import type { KubeObject, Pod } from '../../k8s/types.js';
import type { ApiDeps } from '../deps.js';
import { contentType, decodeBody, readBody, sendJson, type RequestContext } from '../http.js';
import type { ResourceRoute } from '../route.js';
import { successStatus } from '../status.js';
import { isDryRun } from './common.js';
import { notFound, routeListOptions, servedReply, servedResource } from './served.js';
import { rfc3339 } from '../time.js';
import { deletePod } from './pod-delete.js';
import { beginNamespaceDeletion } from './namespace-delete.js';

export interface DeleteOptions {
  gracePeriodSeconds?: number;
  preconditions?: { uid?: string; resourceVersion?: string };
  propagationPolicy?: string;
  dryRun?: boolean;
}

/** DeleteOptions from the body (JSON/YAML, may be empty) and the query string. */
export async function readDeleteOptions(ctx: RequestContext): Promise<DeleteOptions> {
  const buf = await readBody(ctx);
  let body: Record<string, unknown> = {};
  if (buf.length && buf.toString().trim() !== '') {
    const v = decodeBody(buf, contentType(ctx));
    if (v && typeof v === 'object' && !Array.isArray(v)) body = v as Record<string, unknown>;
    else throw new BadRequestError('the delete options must be an object');
  }
  const opts: DeleteOptions = {};
  const g = body.gracePeriodSeconds ?? ctx.query.get('gracePeriodSeconds') ?? undefined;
  if (g !== undefined && g !== null) {
    const n = Number(g);
    if (!Number.isInteger(n)) throw new BadRequestError(`invalid gracePeriodSeconds: ${JSON.stringify(g)}`);
    opts.gracePeriodSeconds = n;
  }
  if (body.preconditions && typeof body.preconditions === 'object') opts.preconditions = body.preconditions as DeleteOptions['preconditions'];
  const p = (body.propagationPolicy as string | undefined) ?? ctx.query.get('propagationPolicy') ?? undefined;
  if (p !== undefined && !['Orphan', 'Background', 'Foreground'].includes(p)) {
    throw new BadRequestError(`propagationPolicy: Unsupported value: ${JSON.stringify(p)}: supported values: "Foreground", "Background", "Orphan"`);
  }
  opts.propagationPolicy = p;
  opts.dryRun = isDryRun(ctx.query) || (Array.isArray(body.dryRun) && body.dryRun.includes('All'));
  return opts;
}

function checkPreconditions(r: ApiResource, obj: KubeObject, pre: DeleteOptions['preconditions']): void {
  const name = obj.metadata.name!;
  const fail = (what: string, want: string, got: string | undefined) =>
    new ConflictError(
      `Operation cannot be fulfilled on ${r.resource} "${name}": Precondition failed: ${what} in precondition: ${want}, ${what} in object meta: ${got ?? ''}`,
      { resource: r.resource, name },
    );
  if (pre?.uid && pre.uid !== obj.metadata.uid) throw fail('UID', pre.uid, obj.metadata.uid);
  if (pre?.resourceVersion && pre.resourceVersion !== obj.metadata.resourceVersion) {
    throw fail('ResourceVersion', pre.resourceVersion, obj.metadata.resourceVersion);
  }
}

/**
 * Kinds whose DELETE answers with the object itself, not a Status (upstream's ReturnDeletedObject; the
 * client libraries decode the reply as that kind).
 */
const RETURNS_DELETED_OBJECT = new Set(['persistentvolumes', 'persistentvolumeclaims', 'storageclasses']);

/** Deletes one object of any kind; returns the reply body. */
export function deleteObject(deps: ApiDeps, r: ApiResource, obj: KubeObject, opts: DeleteOptions): unknown {
  checkPreconditions(r, obj, opts.preconditions);
  if (r.resource === 'pods') return deletePod(deps, obj as Pod, opts);
  if (r.resource === 'namespaces') return beginNamespaceDeletion(deps, obj, opts.dryRun ?? false);
  const m = obj.metadata;
  if (m.finalizers?.length) return opts.dryRun ? obj : markDeleting(deps, r, obj);
  const gone = opts.dryRun ? obj : deps.store.delete<KubeObject>(r.resource, r.namespaced ? m.namespace : undefined, m.name!, { expectedUid: m.uid });
  if (RETURNS_DELETED_OBJECT.has(r.resource)) return gone;
  return successStatus(200, { name: m.name, kind: r.resource, uid: gone.metadata.uid });
}

/** Sets deletionTimestamp (once) on an object whose finalizers keep it; returns the marked object. */
function markDeleting(deps: ApiDeps, r: ApiResource, obj: KubeObject): KubeObject {
  const m = obj.metadata;
  if (m.deletionTimestamp) return obj;
  return deps.store.modify<KubeObject>(
    r.resource,
    r.namespaced ? m.namespace : undefined,
    m.name!,
    (cur) => {
      if (cur.metadata.deletionTimestamp) return undefined;
      cur.metadata.deletionTimestamp = rfc3339(deps.clock.now());
      cur.metadata.deletionGracePeriodSeconds = 0;
      return cur;
    },
    { expectedUid: m.uid },
  );
}

export async function handleDelete(deps: ApiDeps, ctx: RequestContext, route: ResourceRoute): Promise<void> {
  const r = route.resource;
  const opts = await readDeleteOptions(ctx);
  const obj = deps.store.tryGet<KubeObject>(r.resource, r.namespaced ? route.namespace : undefined, route.name!);
  if (!obj) throw notFound(route);
  sendJson(ctx, 200, servedReply(route, deleteObject(deps, r, obj, opts)));
}

export async function handleDeleteCollection(deps: ApiDeps, ctx: RequestContext, route: ResourceRoute): Promise<void> {
  const r = route.resource;
  const opts = await readDeleteOptions(ctx);
  const list = deps.store.list<KubeObject>(r.resource, { ...routeListOptions(ctx.query, route, r.namespaced ? route.namespace : undefined), limit: 0, continue: undefined });
  const items: KubeObject[] = [];
  for (const obj of list.items) {
    try {
      const out = deleteObject(deps, r, obj, opts);
      items.push(servedReply(route, (out as KubeObject).kind === r.kind ? (out as KubeObject) : obj) as KubeObject);
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }
  const served = servedResource(route);
  sendJson(ctx, 200, { kind: `${served.kind}List`, apiVersion: apiVersionOf(served), metadata: { resourceVersion: deps.store.currentResourceVersion() }, items });
}
