// The labels kube-apiserver gives a request in apiserver_request_total and _duration_seconds
// (endpoints/metrics: CleanScope, CanonicalVerb, CleanVerb, cleanDryRun), from the request's attributes
// as the security stage resolved them (auth/request-info.ts). Only resource requests are counted, as
// upstream counts those its API handlers serve (discovery, health and /metrics are not). Pure.

import type { RequestAttributes } from '../api/auth/types.js';
import type { ApiRequestSample } from './recorder.js';

/** What of a request's attributes the labels need. */
export type RequestFacts = Pick<RequestAttributes, 'verb' | 'resourceRequest' | 'apiGroup' | 'apiVersion' | 'resource' | 'subresource' | 'namespace' | 'name'>;

const VALID_VERBS = new Set(['APPLY', 'CONNECT', 'CREATE', 'DELETE', 'DELETECOLLECTION', 'GET', 'LIST', 'PATCH', 'POST', 'PROXY', 'PUT', 'UPDATE', 'WATCH', 'WATCHLIST']);
const CONNECT_SUBRESOURCES = new Set(['log', 'exec', 'portforward', 'attach', 'proxy']);

/** resource for a named object or a create, namespace, cluster; "" for non-resource requests. */
export function requestScope(f: RequestFacts): string {
  if (f.name !== '' || f.verb === 'create') return 'resource';
  if (f.namespace !== '') return 'namespace';
  return f.resourceRequest ? 'cluster' : '';
}

/** The reported verb: the method, GET split into GET and LIST by scope, then WATCH, APPLY and CONNECT. */
export function reportedVerb(method: string, f: RequestFacts, query: URLSearchParams, contentType: string | undefined): string {
  const m = method.toUpperCase();
  const scope = requestScope(f);
  let verb = (m === 'GET' || m === 'HEAD') && scope !== 'resource' && scope !== '' ? 'LIST' : m === 'HEAD' ? 'GET' : m;
  // The legacy /watch/ path prefix (the router's verb), or ?watch= with anything but 0 and false.
  const watch = query.get('watch');
  if (f.verb === 'watch' || ((m === 'GET' || m === 'LIST') && watch !== null && !['0', 'false'].includes(watch.toLowerCase()))) verb = 'WATCH';
  if (m === 'PATCH' && contentType === 'application/apply-patch+yaml') verb = 'APPLY';
  if (f.resourceRequest && CONNECT_SUBRESOURCES.has(f.subresource)) verb = 'CONNECT';
  return VALID_VERBS.has(verb) ? verb : 'other';
}

/** dry_run: "" without the parameter, the sorted distinct values when all valid ("All"), else "invalid". */
export function dryRunLabel(query: URLSearchParams): string {
  const values = query.getAll('dryRun');
  if (values.length === 0) return '';
  if (values.some((v) => v !== 'All')) return 'invalid';
  return [...new Set(values)].sort().join(',');
}

/** The sample of one finished resource request; undefined for a non-resource request. */
export function apiRequestSample(
  req: { method: string; query: URLSearchParams; contentType?: string },
  f: RequestFacts,
  code: number,
  seconds: number,
  served: ReadonlySet<string>,
): ApiRequestSample | undefined {
  if (!f.resourceRequest) return undefined;
  // upstream instruments the routes it installed: a path nobody serves gets no series of its own
  const resource = f.subresource ? `${f.resource}/${f.subresource}` : f.resource;
  if (!served.has(`${f.apiGroup}/${f.apiVersion}/${resource}`)) return undefined;
  return {
    verb: reportedVerb(req.method, f, req.query, req.contentType),
    dryRun: dryRunLabel(req.query),
    group: f.apiGroup,
    version: f.apiVersion,
    resource: f.resource,
    subresource: f.subresource,
    scope: requestScope(f),
    code,
    seconds,
  };
}
