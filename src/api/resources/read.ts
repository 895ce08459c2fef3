// get and list, in the shape the Accept header asks for: the object(s), a Table, or
// PartialObjectMetadata(List). They only read, so they take the store's shared objects (getStored,
// listStored) and reply with the stored JSON as it is, without copying or serialising it again.

import type { KubeObject } from '../../k8s/types.js';
import { apiVersionOf } from '../../k8s/registry.js';
import type { StoredObject } from '../../store/store.js';
import type { ApiDeps } from '../deps.js';
import { listJson, negotiateShape, sendBuilt, sendJson, sendSerialized, type RequestContext } from '../http.js';
import type { ResourceRoute } from '../route.js';
import { buildTable, parseIncludeObject, partialObject, tableJson } from '../tables/table.js';
import { notFound, routeListOptions, servedJson, servedResource, tableServed } from './served.js';

function storedObject(deps: ApiDeps, route: ResourceRoute): StoredObject {
  const r = route.resource;
  const stored = deps.store.getStored<KubeObject>(r.resource, r.namespaced ? route.namespace : undefined, route.name!);
  if (!stored) throw notFound(route);
  return stored;
}

export function handleGet(deps: ApiDeps, ctx: RequestContext, route: ResourceRoute): void {
  const stored = storedObject(deps, route);
  const shape = negotiateShape(ctx);
  if (shape.kind === 'object') {
    sendSerialized(ctx, 200, servedJson(route, stored));
    return;
  }
  const obj = stored.object; // parsed on first use only: a JSON reply never needs it
  if (shape.kind === 'table') {
    const table = buildTable([obj], { resourceVersion: obj.metadata.resourceVersion }, {
      resource: route.resource.resource,
      version: shape.version,
      includeObject: parseIncludeObject(ctx.query.get('includeObject')),
      now: deps.clock.now(),
      served: tableServed(route),
    });
    sendJson(ctx, 200, table);
  } else {
    sendJson(ctx, 200, partialObject(obj, shape.version));
  }
}

export function handleList(deps: ApiDeps, ctx: RequestContext, route: ResourceRoute): void {
  const r = route.resource;
  const result = deps.store.listStored<KubeObject>(r.resource, routeListOptions(ctx.query, route, r.namespaced ? route.namespace : undefined));
  const meta: { resourceVersion: string; continue?: string } = { resourceVersion: result.resourceVersion };
  if (result.continue) meta.continue = result.continue;
  const shape = negotiateShape(ctx);
  if (shape.kind === 'table') {
    const opts = { resource: r.resource, version: shape.version, includeObject: parseIncludeObject(ctx.query.get('includeObject')), now: deps.clock.now(), served: tableServed(route) };
    sendBuilt(ctx, 200, (alloc) => tableJson(result.items, meta, opts, alloc));
    return;
  }
  if (shape.kind === 'partial') {
    const items = result.items.map((s) => partialObject(s.object, shape.version));
    sendJson(ctx, 200, { kind: 'PartialObjectMetadataList', apiVersion: `meta.k8s.io/${shape.version}`, metadata: meta, items });
    return;
  }
  const served = servedResource(route);
  const head = { kind: `${served.kind}List`, apiVersion: apiVersionOf(served), metadata: meta };
  sendBuilt(ctx, 200, (alloc) => listJson(head, result.items.map((s) => servedJson(route, s)), alloc));
}
