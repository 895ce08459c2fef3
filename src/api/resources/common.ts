// Shared steps of the write paths: kind/namespace checks, field validation modes, server-owned
// metadata, timestamps and selectors.

import { isDeepStrictEqual } from 'node:util';
import { BadRequestError, NotFoundError } from '../../errors.js';
import { apiVersionOf, type ApiResource } from '../../k8s/registry.js';
import type { KubeObject } from '../../k8s/types.js';
import type { ListOptions, ObjectStore } from '../../store/store.js';
import { parseFieldSelector, parseLabelSelector } from '../../store/selectors.js';
import { findUnknownFields } from '../validation/known-fields.js';
import { shapeMismatch } from '../validation/decode-shapes.js';
import { forbidden } from '../api-errors.js';
import type { RequestContext } from '../http.js';
import type { ResourceRoute } from '../route.js';
import { emptyObject, ignoredFields } from '../apply/endpoint-fields.js';
import type { WriteTarget } from '../apply/field-manager.js';
import { rfc3339 } from '../time.js';
import { SCHEMAS } from '../validation/schema-objects.js';
import { A } from '../validation/schema.js';

/** Checks apiVersion/kind of a body (filling them when absent) and returns it as a KubeObject. */
export function asKubeObject(body: Record<string, unknown>, resource: ApiResource, expectKind = resource.kind): KubeObject {
  const want = apiVersionOf(resource);
  const apiVersion = body.apiVersion ?? want;
  const kind = body.kind ?? expectKind;
  if (apiVersion !== want || kind !== expectKind) {
    throw new BadRequestError(`the API version in the data (${String(apiVersion)}) and kind (${String(kind)}) do not match the expected ${expectKind} in version ${want}`);
  }
  const metadata = body.metadata ?? {};
  if (typeof metadata !== 'object' || metadata === null || Array.isArray(metadata)) {
    throw new BadRequestError(`${expectKind} in version "${resource.version}" cannot be handled as a ${expectKind}: metadata must be an object`);
  }
  return { ...body, apiVersion: want, kind: expectKind, metadata } as KubeObject;
}

export type FieldValidation = 'Strict' | 'Warn' | 'Ignore';

export function fieldValidationMode(q: URLSearchParams): FieldValidation {
  const v = q.get('fieldValidation');
  if (v === null || v === '') return 'Warn';
  if (v === 'Strict' || v === 'Warn' || v === 'Ignore') return v;
  throw new BadRequestError(`fieldValidation parameter unsupported: ${v}`);
}

/** map[string]string fields: a non-string value there is a decode error (validation/decode-shapes.ts). */
const STRING_MAPS = new Set(['metadata.labels', 'metadata.annotations', 'data', 'stringData', 'binaryData', 'parameters', 'spec.selector', 'spec.nodeSelector']);

/**
 * Decode errors first (a value of the wrong JSON type, 400 whatever fieldValidation says), then the
 * fieldValidation mode on unknown fields: Strict → 400, Warn → Warning headers.
 */
export function checkUnknownFields(ctx: RequestContext, resource: ApiResource, obj: KubeObject): void {
  const schema = Object.hasOwn(SCHEMAS, resource.resource) ? SCHEMAS[resource.resource] : undefined;
  const wrong = schema && shapeMismatch(schema, obj, '', STRING_MAPS);
  if (wrong) throw new BadRequestError(`${resource.kind} in version "${resource.version}" cannot be handled as a ${resource.kind}: ${wrong}`);
  const mode = fieldValidationMode(ctx.query);
  if (mode === 'Ignore') return;
  const unknown = findUnknownFields(resource.resource, obj);
  if (unknown.length === 0) return;
  const texts = unknown.map((p) => `unknown field ${JSON.stringify(p)}`);
  if (mode === 'Strict') {
    throw new BadRequestError(`${resource.kind} in version "${resource.version}" cannot be handled as a ${resource.kind}: strict decoding error: ${texts.join(', ')}`);
  }
  ctx.warnings.push(...texts);
}

/** Puts the URL namespace on the body; 400 when the body names another one. */
export function applyUrlNamespace(obj: KubeObject, route: ResourceRoute): void {
  if (!route.resource.namespaced) {
    delete obj.metadata.namespace;
    return;
  }
  const ns = obj.metadata.namespace;
  if (ns && route.namespace && ns !== route.namespace) {
    throw new BadRequestError('the namespace of the provided object does not match the namespace sent on the request');
  }
  obj.metadata.namespace = route.namespace ?? ns;
  if (!obj.metadata.namespace) throw new BadRequestError('the server could not find the requested resource: a namespace is required');
}

/** The target namespace must exist and not be terminating (403 like upstream's lifecycle admission). */
export function checkNamespaceWritable(store: ObjectStore, resource: ApiResource, name: string, namespace: string): void {
  const ns = store.getStored<KubeObject>('namespaces', undefined, namespace)?.object;
  if (!ns) throw NotFoundError.of({ resource: 'namespaces', name: namespace });
  if ((ns.status as { phase?: string } | undefined)?.phase === 'Terminating') {
    throw forbidden(
      `${resource.resource} "${name}" is forbidden: unable to create new content in namespace ${namespace} because it is being terminated`,
      { name, kind: resource.resource },
    );
  }
}

/** Fields the store owns; a client's values are dropped on create (managedFields go to the field manager). */
export function stripServerFields(obj: KubeObject): void {
  const m = obj.metadata;
  delete m.uid;
  delete m.resourceVersion;
  delete m.deletionTimestamp;
  delete m.deletionGracePeriodSeconds;
  delete m.creationTimestamp;
}

/** Where a write's managedFields entries go: the kind's schema, apiVersion, endpoint, and the time. */
export function writeTarget(resource: ApiResource, subresource: string | undefined, hasStatus: boolean, now: number): WriteTarget {
  const schema = SCHEMAS[resource.resource] ?? A;
  return {
    schema,
    apiVersion: apiVersionOf(resource),
    subresource,
    ignored: ignoredFields(hasStatus, subresource),
    empty: emptyObject(schema, resource.resource),
    time: rfc3339(now),
  };
}

/** Equal apart from resourceVersion: such a write is a no-op (no new version, no watch event). */
export function sameObject(a: KubeObject, b: KubeObject): boolean {
  const strip = (o: KubeObject) => ({ ...o, metadata: { ...o.metadata, resourceVersion: undefined } });
  return isDeepStrictEqual(JSON.parse(JSON.stringify(strip(a))), JSON.parse(JSON.stringify(strip(b))));
}

export function listOptions(q: URLSearchParams, resource: ApiResource, namespace: string | undefined): ListOptions {
  const opts: ListOptions = { namespace };
  const ls = q.get('labelSelector');
  if (ls) opts.labelSelector = parseLabelSelector(ls);
  const fs = q.get('fieldSelector');
  if (fs) opts.fieldSelector = parseFieldSelector(fs, resource);
  const limit = q.get('limit');
  if (limit) {
    if (!/^\d+$/.test(limit)) throw new BadRequestError(`invalid value for limit: ${JSON.stringify(limit)}`);
    opts.limit = Number(limit);
  }
  const cont = q.get('continue');
  if (cont) opts.continue = cont;
  return opts;
}

export function isDryRun(q: URLSearchParams): boolean {
  const values = q.getAll('dryRun');
  for (const v of values) if (v !== 'All') throw new BadRequestError(`unsupported dryRun value: ${v}`);
  return values.length > 0;
}

export function conflictMessage(resource: string, name: string): string {
  return `Operation cannot be fulfilled on ${resource} "${name}": the object has been modified; please apply your changes to the latest version and try again`;
}
