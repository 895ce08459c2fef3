// Maps a request to its handler: health, version, discovery, OpenAPI, peapod's own endpoints, and the
// resource paths (verbs checked against the registry, subresources against discovery).

import { BadRequestError, NotFoundError } from '../errors.js';
import { HttpStatusError, methodNotAllowed } from './api-errors.js';
import type { ApiDeps } from './deps.js';
import {
  aggregatedCore,
  aggregatedGroups,
  legacyApiVersions,
  legacyGroupList,
  legacyResourceList,
  negotiateAggregated,
  SUBRESOURCES,
} from './discovery.js';
import { parseAccept, queryBool, sendJson, sendText, type RequestContext } from './http.js';
import { handleLogs } from './logs.js';
import { handleAnatomy } from './anatomy.js';
import { handleUi, mintDashboardLogin } from './dashboard.js';
import { METRICS_CONTENT_TYPE } from './metrics.js';
import type { OpenApiDocuments } from './openapi/documents.js';
import { handlePeapod } from './peapod-endpoints.js';
import { parseResourcePath, type ResourceRoute } from './route.js';
import { handleDelete, handleDeleteCollection } from './resources/delete.js';
import { handleBinding, handleEviction } from './resources/pod-subresources.js';
import { handleGet, handleList } from './resources/read.js';
import { handleCreate, handlePatch, handleUpdate } from './resources/write.js';
import { handleWatch } from './watch.js';
import { handleGroupPath } from './group-routes.js';
import { handleMetricsApi, METRICS_API_PREFIX } from './metrics-api.js';
import { handleTokenRequest } from '../serviceaccounts/token-request-api.js';
import { handleIssuerDiscovery, JWKS_PATH, OPENID_CONFIGURATION_PATH } from '../serviceaccounts/oidc.js';

export interface RouterEnv {
  deps: ApiDeps;
  openapi: OpenApiDocuments;
  version: { major: string; minor: string; gitVersion: string };
  serverAddress: string;
  /** The daemon's /metrics text; unset (404) where no samplers run, as in in-process tests. */
  metrics?: () => string;
}

const notFound = () => new HttpStatusError(404, 'NotFound', `the server could not find the requested resource`);

/**
 * One row per kind of path, first match wins. Who may call each is not decided here: the security
 * stage (auth/stage.ts) has already admitted the request by its attributes (auth/request-info.ts)
 * under the rules in auth/authorizer.ts; handlers read the user from ctx.user.
 */
interface Route {
  name: string;
  match: (p: string) => boolean;
  handle: (env: RouterEnv, ctx: RequestContext, p: string) => Promise<void> | void;
}

const exact = (...paths: string[]) => (p: string) => paths.includes(p);
const under = (...prefixes: string[]) => (p: string) => prefixes.some((x) => p === x || p.startsWith(x + '/'));

export const ROUTES: Route[] = [
  { name: 'health', match: under('/healthz', '/livez', '/readyz'), handle: (_e, ctx) => sendText(ctx, 200, 'ok') },
  { name: 'metrics', match: exact('/metrics'), handle: serveMetrics },
  { name: 'version', match: exact('/version'), handle: (env, ctx) => sendJson(ctx, 200, versionInfo(env.version)) },
  { name: 'service account issuer discovery', match: exact(OPENID_CONFIGURATION_PATH, JWKS_PATH), handle: (env, ctx, p) => handleIssuerDiscovery(env.deps, ctx, p, env.serverAddress) },
  { name: 'discovery: /api and /apis', match: exact('/api', '/apis'), handle: discoveryRoot },
  { name: 'discovery: core v1 resources', match: exact('/api/v1'), handle: (_e, ctx) => sendJson(ctx, 200, legacyResourceList()) },
  { name: 'openapi v3 index', match: exact('/openapi/v3'), handle: (env, ctx) => sendJson(ctx, 200, env.openapi.v3Index) },
  { name: 'openapi v3 per group', match: (p) => p.startsWith('/openapi/v3/'), handle: openApiV3Group },
  { name: 'openapi v2', match: exact('/openapi/v2'), handle: openApiV2 },
  { name: 'metrics.k8s.io resources', match: (p) => p.startsWith(METRICS_API_PREFIX), handle: (env, ctx, p) => handleMetricsApi(env.deps, ctx, p) },
  { name: 'API groups: stored kinds', match: (p) => p.startsWith('/apis/') && parseResourcePath(p) !== undefined, handle: storedResource },
  { name: 'API groups: discovery and reviews', match: (p) => p.startsWith('/apis/'), handle: (env, ctx, p) => handleGroupPath(env.deps, ctx, p) },
  { name: 'dashboard login link', match: exact('/peapod/v1/dashboard/login'), handle: (env, ctx) => mintDashboardLogin(env.deps, ctx) },
  { name: 'dashboard', match: under('/ui'), handle: (env, ctx, p) => handleUi(env.deps, ctx, p) },
  { name: 'peapod endpoints', match: (p) => p.startsWith('/peapod/v1/'), handle: (env, ctx, p) => handlePeapod(env.deps, { ...ctx, path: p }) },
  { name: 'core resources', match: (p) => p.startsWith('/api/v1/'), handle: storedResource },
];

export async function dispatch(env: RouterEnv, ctx: RequestContext): Promise<void> {
  const p = ctx.path.length > 1 ? ctx.path.replace(/\/+$/, '') : ctx.path;
  const route = ROUTES.find((r) => r.match(p));
  if (!route) throw notFound();
  return route.handle(env, ctx, p);
}

function serveMetrics(env: RouterEnv, ctx: RequestContext): void {
  if (!env.metrics) throw notFound();
  sendText(ctx, 200, env.metrics(), METRICS_CONTENT_TYPE);
}

function discoveryRoot(env: RouterEnv, ctx: RequestContext, p: string): void {
  const agg = negotiateAggregated(ctx.req.headers.accept);
  if (agg) return sendJson(ctx, 200, p === '/api' ? aggregatedCore(agg.version) : aggregatedGroups(agg.version), agg.contentType);
  return sendJson(ctx, 200, p === '/api' ? legacyApiVersions(env.serverAddress) : legacyGroupList());
}

function openApiV2(env: RouterEnv, ctx: RequestContext): void {
  const wantsProto = parseAccept(ctx.req.headers.accept).some((r) => r.type.includes('protobuf'));
  if (wantsProto) return sendRaw(ctx, env.openapi.v2Protobuf, 'application/com.github.proto-openapi.spec.v2.v1.0+protobuf');
  return sendRaw(ctx, env.openapi.v2Json, 'application/json');
}

function storedResource(env: RouterEnv, ctx: RequestContext, p: string): Promise<void> {
  const route = parseResourcePath(p);
  if (!route) throw notFound();
  return handleResource(env.deps, ctx, route);
}

function openApiV3Group(env: RouterEnv, ctx: RequestContext, p: string): void {
  const doc = env.openapi.v3Groups.get(p.slice('/openapi/v3/'.length));
  if (!doc) throw notFound();
  sendRaw(ctx, doc.json, 'application/json');
}

function sendRaw(ctx: RequestContext, body: Buffer, type: string): void {
  ctx.res.writeHead(200, { 'Content-Type': type, 'Content-Length': body.length });
  ctx.res.end(body);
}

function versionInfo(v: RouterEnv['version']): Record<string, string> {
  return {
    major: v.major,
    minor: v.minor,
    gitVersion: v.gitVersion,
    gitCommit: '0000000000000000000000000000000000000000',
    gitTreeState: 'clean',
    buildDate: '2026-01-01T00:00:00Z',
    goVersion: 'go1.24.0',
    compiler: 'gc',
    platform: `linux/${process.arch === 'x64' ? 'amd64' : process.arch}`,
  };
}

function requireVerb(route: ResourceRoute, verb: string, method: string): void {
  if (!route.resource.verbs.includes(verb)) throw methodNotAllowed(method, route.resource.resource);
}

async function handleResource(deps: ApiDeps, ctx: RequestContext, route: ResourceRoute): Promise<void> {
  const r = route.resource;
  const m = ctx.method;
  if (r.namespaced && route.name !== undefined && route.namespace === undefined) throw notFoundPath();
  if (route.subresource) return handleSubresource(deps, ctx, route);
  const watching = route.legacyWatch || queryBool(ctx.query, 'watch');
  if (route.name === undefined) {
    if (m === 'GET') {
      requireVerb(route, watching ? 'watch' : 'list', m);
      return watching ? handleWatch(deps, ctx, route) : handleList(deps, ctx, route);
    }
    if (route.legacyWatch) throw methodNotAllowed(m, r.resource);
    if (m === 'POST') {
      if (r.namespaced && route.namespace === undefined) throw methodNotAllowed(m, r.resource);
      requireVerb(route, 'create', m);
      return handleCreate(deps, ctx, route);
    }
    if (m === 'DELETE') {
      // As kube-apiserver: a namespaced kind's collection is deleted in one namespace, never across all
      // (DELETE /api/v1/pods is 405; kubectl delete --all -A deletes each object).
      if (r.namespaced && route.namespace === undefined) throw methodNotAllowed(m, r.resource);
      requireVerb(route, 'deletecollection', m);
      return handleDeleteCollection(deps, ctx, route);
    }
    throw methodNotAllowed(m, r.resource);
  }
  if (m === 'GET') {
    requireVerb(route, watching ? 'watch' : 'get', m);
    return watching ? handleWatch(deps, ctx, route) : handleGet(deps, ctx, route);
  }
  if (route.legacyWatch) throw methodNotAllowed(m, r.resource);
  if (m === 'PUT') return requireVerb(route, 'update', m), handleUpdate(deps, ctx, route);
  if (m === 'PATCH') return requireVerb(route, 'patch', m), handlePatch(deps, ctx, route);
  if (m === 'DELETE') return requireVerb(route, 'delete', m), handleDelete(deps, ctx, route);
  throw methodNotAllowed(m, r.resource);
}

function notFoundPath(): HttpStatusError {
  return new HttpStatusError(404, 'NotFound', 'the server could not find the requested resource');
}

async function handleSubresource(deps: ApiDeps, ctx: RequestContext, route: ResourceRoute): Promise<void> {
  const sub = route.subresource!;
  const info = (SUBRESOURCES[route.resource.resource] ?? []).find((s) => s.name === sub);
  if (!info || route.name === undefined || route.legacyWatch) throw notFoundPath();
  const m = ctx.method;
  const allowed = (verb: string) => {
    if (!info.verbs.includes(verb)) throw methodNotAllowed(m, `${route.resource.resource}/${sub}`);
  };
  switch (sub) {
    // Both are the object itself, written through the subresource's strategy (resources/write.ts).
    case 'status':
    case 'ephemeralcontainers':
      if (m === 'GET') return allowed('get'), handleGet(deps, ctx, route);
      if (m === 'PUT') return allowed('update'), handleUpdate(deps, ctx, route);
      if (m === 'PATCH') return allowed('patch'), handlePatch(deps, ctx, route);
      break;
    case 'log':
      if (m === 'GET') return handleLogs(deps, ctx, route);
      break;
    case 'anatomy':
      if (m === 'GET') return handleAnatomy(deps, ctx, route);
      break;
    case 'binding':
      if (m === 'POST') return handleBinding(deps, ctx, route);
      break;
    case 'eviction':
      if (m === 'POST') return handleEviction(deps, ctx, route);
      break;
    case 'token':
      if (m === 'POST') return handleTokenRequest(deps, ctx, route);
      break;
    case 'exec':
    case 'attach':
    case 'portforward':
      // Served on the upgrade path (streaming/upgrade.ts); a plain request gets the apiserver's answer.
      if (m === 'GET' || m === 'POST') throw new BadRequestError('Upgrade request required');
      break;
  }
  if (!deps.store.getStored(route.resource.resource, route.namespace, route.name)) {
    throw NotFoundError.of({ resource: route.resource.resource, name: route.name });
  }
  throw methodNotAllowed(m, `${route.resource.resource}/${sub}`);
}
