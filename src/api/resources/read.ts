// get and list, in the shape the Accept header asks for: the object(s), a Table, or
// PartialObjectMetadata(List).

import type { KubeObject } from '../../k8s/types.js';
import { NotFoundError } from '../../errors.js';
import type { ApiDeps } from '../deps.js';
import { negotiateShape, sendJson, type RequestContext } from '../http.js';
import type { ResourceRoute } from '../route.js';
import { buildTable, parseIncludeObject, partialObject } from '../tables/table.js';
import { listOptions } from './common.js';

export function getObject(deps: ApiDeps, route: ResourceRoute): KubeObject {
  const r = route.resource;
  const obj = deps.store.tryGet<KubeObject>(r.resource, r.namespaced ? route.namespace : undefined, route.name!);
  if (!obj) throw NotFoundError.of({ resource: r.resource, name: route.name });
  return obj;
}

export function handleGet(deps: ApiDeps, ctx: RequestContext, route: ResourceRoute): void {
  const obj = getObject(deps, route);
  const shape = negotiateShape(ctx);
  if (shape.kind === 'table') {
    const table = buildTable([obj], { resourceVersion: obj.metadata.resourceVersion }, {
      resource: route.resource.resource,
      version: shape.version,
      includeObject: parseIncludeObject(ctx.query.get('includeObject')),
      now: deps.clock.now(),
    });
    sendJson(ctx, 200, table);
  } else if (shape.kind === 'partial') {
    sendJson(ctx, 200, partialObject(obj, shape.version));
  } else {
    sendJson(ctx, 200, obj);
  }
}

export function handleList(deps: ApiDeps, ctx: RequestContext, route: ResourceRoute): void {
  const r = route.resource;
  const result = deps.store.list<KubeObject>(r.resource, listOptions(ctx.query, r, r.namespaced ? route.namespace : undefined));
  const meta: { resourceVersion: string; continue?: string } = { resourceVersion: result.resourceVersion };
  if (result.continue) meta.continue = result.continue;
  const shape = negotiateShape(ctx);
  if (shape.kind === 'table') {
    const table = buildTable(result.items, meta, {
      resource: r.resource,
      version: shape.version,
      includeObject: parseIncludeObject(ctx.query.get('includeObject')),
      now: deps.clock.now(),
    });
    sendJson(ctx, 200, table);
    return;
  }
  if (shape.kind === 'partial') {
    const items = result.items.map((o) => partialObject(o, shape.version));
    sendJson(ctx, 200, { kind: 'PartialObjectMetadataList', apiVersion: `meta.k8s.io/${shape.version}`, metadata: meta, items });
    return;
  }
  sendJson(ctx, 200, { kind: `${r.kind}List`, apiVersion: 'v1', metadata: meta, items: result.items });
}
