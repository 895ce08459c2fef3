// The 401 and 403 answers as kube-apiserver writes them (k8s.io/apiserver
// pkg/endpoints/handlers/responsewriters/errors.go ForbiddenStatusError and forbiddenMessage, and
// apimachinery's NewForbidden / NewUnauthorized). kubectl prints them as
// `Error from server (Forbidden): <message>`. Send the 403 with `X-Content-Type-Options: nosniff`,
// as the apiserver does.
//
//   pods is forbidden: User "vic" cannot create resource "pods" in API group "" in the namespace "default"
//   secrets "token" is forbidden: User "vic" cannot get resource "secrets" in API group "" in the namespace "default"
//   nodes is forbidden: User "nobody" cannot list resource "nodes" in API group "" at the cluster scope
//   forbidden: User "vic" cannot post path "/peapod/v1/images/load"
//
// The prefix names the resource (qualified with its group when not core) and the name, never the
// subresource; the sentence names "resource/subresource". A decision's reason follows after ": ".

import type { KubeStatus } from '../../k8s/types.js';
import { HttpStatusError } from '../api-errors.js';
import { goQuote } from './go-quote.js';
import type { RequestAttributes } from './types.js';

/** What a denied request asked for, in the apiserver's words (without the "<resource> is forbidden:" prefix). */
export function forbiddenMessage(attrs: RequestAttributes): string {
  const user = goQuote(attrs.user.username);
  if (!attrs.resourceRequest) return `User ${user} cannot ${attrs.verb} path ${goQuote(attrs.path)}`;
  const resource = attrs.subresource ? `${attrs.resource}/${attrs.subresource}` : attrs.resource;
  const what = `User ${user} cannot ${attrs.verb} resource ${goQuote(resource)} in API group ${goQuote(attrs.apiGroup)}`;
  if (attrs.namespace) return `${what} in the namespace ${goQuote(attrs.namespace)}`;
  return `${what} at the cluster scope`;
}

/** The full 403 message: prefix, the sanitized sentence, then ": <reason>" when there is one. */
export function forbiddenStatusMessage(attrs: RequestAttributes, reason: string): string {
  const sentence = sanitize(forbiddenMessage(attrs));
  const err = reason ? `${sentence}: ${reason}` : sentence;
  const qualified = qualifiedResource(attrs);
  if (qualified === '') return `forbidden: ${err}`;
  if (attrs.name === '') return `${qualified} is forbidden: ${err}`;
  return `${qualified} ${goQuote(attrs.name)} is forbidden: ${err}`;
}

/** StatusDetails as NewForbidden fills them (name, group, kind = the resource), empty fields left out. */
function forbiddenDetails(attrs: RequestAttributes): { name?: string; group?: string; kind?: string } {
  const d: { name?: string; group?: string; kind?: string } = {};
  if (attrs.name) d.name = attrs.name;
  if (attrs.apiGroup) d.group = attrs.apiGroup;
  if (attrs.resource) d.kind = attrs.resource;
  return d;
}

/** The 403 Status exactly as the apiserver sends it; `details` is `{}` for a non-resource path. */
export function forbiddenStatus(attrs: RequestAttributes, reason: string): KubeStatus {
  return {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message: forbiddenStatusMessage(attrs, reason),
    reason: 'Forbidden',
    details: forbiddenDetails(attrs),
    code: 403,
  };
}

/**
 * The same 403 as an error for errorToStatus (status.ts). It drops an empty `details`, so a
 * non-resource 403 sent this way lacks the `"details": {}` the apiserver writes; kubectl never reads it.
 */
export function forbiddenError(attrs: RequestAttributes, reason: string): HttpStatusError {
  return new HttpStatusError(403, 'Forbidden', forbiddenStatusMessage(attrs, reason), forbiddenDetails(attrs));
}

/** The 401 for a request whose credentials did not authenticate (filters.Unauthorized). */
export function unauthorizedStatus(): KubeStatus {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'Unauthorized', reason: 'Unauthorized', code: 401 };
}

export function unauthorizedError(): HttpStatusError {
  return new HttpStatusError(401, 'Unauthorized', 'Unauthorized');
}

/** GroupResource.String(): "pods", or "deployments.apps" outside the core group. */
function qualifiedResource(attrs: RequestAttributes): string {
  if (!attrs.resourceRequest) return '';
  return attrs.apiGroup ? `${attrs.resource}.${attrs.apiGroup}` : attrs.resource;
}

/** The apiserver keeps its error text from reading as HTML; quotes are left alone. */
function sanitize(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
