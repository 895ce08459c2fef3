// The edges where a route of a version served over another resource's storage (served-versions.ts)
// differs from a stored resource's: bodies in (decoded and converted to the stored form), objects and
// list heads out (converted to the requested version), field selectors (this version's labels, mapped
// to the stored ones) and validation (the version's rules). For any other route each is the identity
// or the stored resource's own, so the handlers call them unconditionally.

import { BadRequestError, NotFoundError, type FieldCause } from '../../errors.js';
import { apiVersionOf, type ApiResource } from '../../k8s/registry.js';
import type { KubeObject } from '../../k8s/types.js';
import { parseFieldSelector } from '../../store/selectors.js';
import type { FieldRequirement, ListOptions, StoredObject } from '../../store/store.js';
import type { RequestContext } from '../http.js';
import type { ResourceRoute } from '../route.js';
import { validateCreate, validateUpdate } from '../validation/index.js';
import { asKubeObject, fieldValidationMode, listOptions } from './common.js';

/** The resource as the request's version serves it (kind, apiVersion of replies and list heads). */
export function servedResource(route: ResourceRoute): ApiResource {
  return route.served?.resource ?? route.resource;
}

/** What a Table needs to carry rows' objects in the request's version (tables/table.ts), if it is another. */
export function tableServed(route: ResourceRoute): { apiVersion: string; toServed(stored: KubeObject): KubeObject } | undefined {
  const served = route.served;
  return served && { apiVersion: apiVersionOf(served.resource), toServed: (o) => served.toServed(o) };
}

/** 404 for the route's object, naming the resource with the request's group (leases.coordination.k8s.io). */
export function notFound(route: ResourceRoute): NotFoundError {
  const r = servedResource(route);
  return NotFoundError.of({ resource: r.resource, name: route.name, ...(r.group ? { group: r.group } : {}) });
}

/** A stored object's JSON in the request's version (the stored bytes themselves when it is the stored one). */
export function servedJson(route: ResourceRoute, stored: StoredObject): string {
  return route.served ? JSON.stringify(route.served.toServed(stored.object)) : stored.json;
}

/** An object (stored form) in the request's version; anything else (a Status) as it is. */
export function servedReply<T>(route: ResourceRoute, reply: T): T | KubeObject {
  const r = route.resource;
  const o = reply as KubeObject | undefined;
  if (!route.served || !o || typeof o !== 'object' || o.kind !== r.kind || !o.metadata) return reply;
  return route.served.toServed(o);
}

/**
 * A request body as a KubeObject in the stored form: kind and apiVersion checked against the request's
 * version; for another version, its unknown fields handled per fieldValidation, then converted (an
 * apply `configuration` by renaming only: it is partial, and what it leaves out must stay out).
 */
export function decodeObject(ctx: RequestContext, route: ResourceRoute, body: Record<string, unknown>, configuration = false): KubeObject {
  const served = route.served;
  if (!served) return asKubeObject(body, route.resource);
  const obj = asKubeObject(body, served.resource);
  const mode = fieldValidationMode(ctx.query);
  if (mode !== 'Ignore') {
    const texts = served.unknownFields(obj).map((p) => `unknown field ${JSON.stringify(p)}`);
    const { kind, version } = served.resource;
    if (texts.length && mode === 'Strict') throw new BadRequestError(`${kind} in version "${version}" cannot be handled as a ${kind}: strict decoding error: ${texts.join(', ')}`);
    ctx.warnings.push(...texts);
  }
  return configuration ? served.configurationToStored(obj) : served.toStored(obj);
}

/** Field requirements of a fieldSelector in the request's version, naming the stored resource's fields. */
export function servedFieldSelector(route: ResourceRoute, selector: string): FieldRequirement[] {
  const served = route.served;
  if (!served) return parseFieldSelector(selector, route.resource);
  return parseFieldSelector(selector, served.resource).map((req) => ({ ...req, field: served.fieldLabels[req.field] ?? req.field }));
}

/** listOptions of the request, its field selector in the request's version. */
export function routeListOptions(q: URLSearchParams, route: ResourceRoute, namespace: string | undefined): ListOptions {
  if (!route.served) return listOptions(q, route.resource, namespace);
  const rest = new URLSearchParams(q);
  rest.delete('fieldSelector');
  const opts = listOptions(rest, route.resource, namespace);
  const fs = q.get('fieldSelector');
  if (fs) opts.fieldSelector = servedFieldSelector(route, fs);
  return opts;
}

export function createCauses(route: ResourceRoute, obj: KubeObject): FieldCause[] {
  return route.served ? route.served.validateCreate(obj) : validateCreate(route.resource.resource, obj);
}

export function updateCauses(route: ResourceRoute, obj: KubeObject, old: KubeObject): FieldCause[] {
  return route.served ? route.served.validateUpdate(obj, old) : validateUpdate(route.resource.resource, obj, old);
}

/**
 * A patch of `current` (stored form) computed in the request's version: `patch` gets the object in that
 * version and may not change its kind or apiVersion; the result comes back decoded to the stored form.
 */
export function patchInVersion(ctx: RequestContext, route: ResourceRoute, current: KubeObject, patch: (obj: KubeObject) => KubeObject): KubeObject {
  const out = patch(servedReply(route, current));
  const r = servedResource(route);
  if (out.apiVersion !== apiVersionOf(r) || out.kind !== r.kind) throw new BadRequestError(`the patch changed the kind or apiVersion of ${r.resource} "${route.name}"`);
  return route.served ? decodeObject(ctx, route, out) : out;
}
