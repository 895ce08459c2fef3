// What a request asks to do, resolved from its method, path and query the way the apiserver's
// RequestInfoFactory does (k8s.io/apiserver pkg/endpoints/request/requestinfo.go):
//
//   /api/<v>/<resource>[/<name>[/<subresource>]]                      cluster scope (or all namespaces)
//   /api/<v>/namespaces/<ns>/<resource>[/<name>[/<subresource>]]      namespaced
//   /api/<v>/namespaces/<ns>[/status|/finalize]                       the namespace itself (namespace = name)
//   /api/<v>/watch/...   /api/<v>/proxy/...                           the verb given by the path
//   /apis/<group>/<v>/...                                             the same, in a named group
//
// Shorter API paths (/api, /api/v1, /apis, /apis/<g>, /apis/<g>/<v>) and every other path are
// non-resource requests, authorized by path with the lowercased method as verb.
//
// Where the router (route.ts, router.ts) reads a path differently from Kubernetes, this follows the
// router, so a decision is always about the request that will actually run:
// - empty segments are dropped and each segment is percent-decoded on its own (Kubernetes decodes the
//   whole path and keeps inner empty segments: `/namespaces/a//secrets` would name resource "");
// - `watch` is true for "true", "1" and "True" (http.ts queryBool); Kubernetes takes anything but
//   "0" and "false";
// - a named GET with ?watch=true is a watch (the router streams it), where Kubernetes says get.

import { queryBool } from '../http.js';
import type { RequestAttributes, UserInfo } from './types.js';

const API_PREFIXES = new Set(['api', 'apis']);
/** Prefixes with no group segment: /api/<version>. */
const GROUPLESS_PREFIXES = new Set(['api']);
/** Verbs carried as the first segment after the version. */
const SPECIAL_VERBS = new Set(['proxy', 'watch']);
/** Special verbs whose third part is not a subresource. */
const SPECIAL_VERBS_NO_SUBRESOURCES = new Set(['proxy']);
/** A namespace's own subresources, told apart from resources inside the namespace. */
const NAMESPACE_SUBRESOURCES = new Set(['status', 'finalize']);

const METHOD_VERBS: Record<string, string> = {
  POST: 'create',
  GET: 'get',
  HEAD: 'get',
  PUT: 'update',
  PATCH: 'patch',
  DELETE: 'delete',
};

/** The RequestAttributes for one HTTP request; `path` is the URL path as sent, `query` its parameters. */
export function requestAttributes(user: UserInfo, method: string, path: string, query: URLSearchParams): RequestAttributes {
  const attrs: RequestAttributes = {
    user,
    verb: method.toLowerCase(),
    resourceRequest: false,
    path,
    apiGroup: '',
    apiVersion: '',
    resource: '',
    subresource: '',
    namespace: '',
    name: '',
  };
  let parts = splitPath(path);
  if (parts.length < 3 || !API_PREFIXES.has(parts[0]!)) return attrs;
  const prefix = parts[0]!;
  parts = parts.slice(1);
  if (!GROUPLESS_PREFIXES.has(prefix)) {
    if (parts.length < 3) return attrs;
    attrs.apiGroup = parts[0]!;
    parts = parts.slice(1);
  }
  attrs.resourceRequest = true;
  attrs.apiVersion = parts[0]!;
  parts = parts.slice(1);

  if (SPECIAL_VERBS.has(parts[0]!)) {
    // `/api/v1/watch` alone names nothing: Kubernetes fails the request; here it stays a resource
    // request for resource "" (which only "*" rules match, and the router answers 404).
    attrs.verb = parts[0]!;
    parts = parts.slice(1);
  } else {
    attrs.verb = METHOD_VERBS[method.toUpperCase()] ?? '';
  }

  if (parts[0] === 'namespaces' && parts.length > 1) {
    attrs.namespace = parts[1]!;
    if (parts.length > 2 && !NAMESPACE_SUBRESOURCES.has(parts[2]!)) parts = parts.slice(2);
  }
  attrs.resource = parts[0] ?? '';
  attrs.name = parts[1] ?? '';
  if (parts.length >= 3 && !SPECIAL_VERBS_NO_SUBRESOURCES.has(attrs.verb)) attrs.subresource = parts[2]!;

  if (attrs.verb === 'get' && attrs.name === '') {
    attrs.verb = queryBool(query, 'watch') ? 'watch' : 'list';
    attrs.name = nameFromFieldSelector(query.get('fieldSelector') ?? '');
  } else if (attrs.verb === 'get' && attrs.subresource === '' && queryBool(query, 'watch')) {
    attrs.verb = 'watch';
  }
  if (attrs.verb === 'delete' && attrs.name === '') attrs.verb = 'deletecollection';
  return attrs;
}

/** Path segments as route.ts reads them: empty ones dropped, each percent-decoded (kept raw if malformed). */
function splitPath(path: string): string[] {
  return path
    .split('/')
    .filter((s) => s !== '')
    .map((s) => {
      try {
        return decodeURIComponent(s);
      } catch {
        return s;
      }
    });
}

/**
 * The name a list or watch is pinned to by `metadata.name=X` (or `==`), as fields.Selector's
 * RequiresExactMatch finds it: terms split on unescaped commas and sorted, the first exact match wins.
 * "" when the selector does not parse or the name could not be a path segment.
 */
export function nameFromFieldSelector(selector: string): string {
  if (selector === '') return '';
  const terms = splitTerms(selector).sort();
  let found: string | undefined;
  for (const term of terms) {
    if (term === '') continue;
    const t = splitTerm(term);
    if (!t) return '';
    const value = unescapeValue(t.rhs);
    if (value === undefined) return '';
    if (found === undefined && t.lhs === 'metadata.name' && t.op !== '!=') found = value;
  }
  if (found === undefined || !isPathSegmentName(found)) return '';
  return found;
}

function splitTerms(s: string): string[] {
  const terms: string[] = [];
  let start = 0;
  let escaped = false;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (escaped) escaped = false;
    else if (c === '\\') escaped = true;
    else if (c === ',') {
      terms.push(s.slice(start, i));
      start = i + 1;
    }
  }
  terms.push(s.slice(start));
  return terms;
}

const TERM_OPERATORS = ['!=', '==', '='] as const;

/** The first operator in the term splits it; the left side has no escaping. */
function splitTerm(term: string): { lhs: string; op: string; rhs: string } | undefined {
  for (let i = 0; i < term.length; i++) {
    for (const op of TERM_OPERATORS) {
      if (term.startsWith(op, i)) return { lhs: term.slice(0, i), op, rhs: term.slice(i + op.length) };
    }
  }
  return undefined;
}

/** `\\`, `\,` and `\=` unescape; any other escape, a trailing backslash or a bare `,`/`=` is an error. */
function unescapeValue(s: string): string | undefined {
  let out = '';
  let escaped = false;
  for (const c of s) {
    if (escaped) {
      if (c !== '\\' && c !== ',' && c !== '=') return undefined;
      out += c;
      escaped = false;
    } else if (c === '\\') escaped = true;
    else if (c === ',' || c === '=') return undefined;
    else out += c;
  }
  return escaped ? undefined : out;
}

/** Whether a name can be a URL path segment (path.IsValidPathSegmentName). */
function isPathSegmentName(name: string): boolean {
  return name !== '.' && name !== '..' && !name.includes('/') && !name.includes('%');
}
