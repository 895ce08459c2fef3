// /apis/metrics.k8s.io/v1beta1: the resource metrics API that `kubectl top` reads, served from the
// daemon's own sampler (metrics/) the way metrics-server serves it:
//
//   GET .../pods                          PodMetrics of every namespace      (list)
//   GET .../namespaces/<ns>/pods[/<name>] PodMetrics of a namespace, or one  (list, get)
//   GET .../nodes[/<name>]                NodeMetrics                        (list, get)
//
// Lists take labelSelector (matched against the pods' and nodes' labels) and fieldSelector (metadata.name
// and metadata.namespace only, as for any kind without field labels of its own). Pods and nodes not yet
// sampled twice are left out of lists; a get of one is NotFound as podmetrics.metrics.k8s.io "<ns>/<name>"
// (nodemetrics... "<name>"), while a pod or node that does not exist is NotFound as the pod or node.
// Who may ask is decided before dispatch, like any resource request (auth/request-info.ts).

import { BadRequestError, NotFoundError, UnavailableError } from '../errors.js';
import { RESOURCES } from '../k8s/registry.js';
import type { KubeObject, Pod } from '../k8s/types.js';
import type { PodUsage, ResourceMetricsSource } from '../metrics/rates.js';
import { metricsList, metricsTable, nodeMetricsObject, podMetricsObject, METRICS_GROUP, METRICS_VERSION } from '../metrics/objects.js';
import { matchesFields, parseFieldSelector, parseLabelSelector } from '../store/selectors.js';
import type { FieldRequirement, ListOptions, ResourceInfo } from '../store/store.js';
import { HttpStatusError, methodNotAllowed } from './api-errors.js';
import type { ApiDeps } from './deps.js';
import { negotiateShape, queryBool, sendJson, type RequestContext } from './http.js';
import { parseIncludeObject } from './tables/table.js';

export const METRICS_API_PREFIX = `/apis/${METRICS_GROUP}/${METRICS_VERSION}/`;

const notFoundPath = () => new HttpStatusError(404, 'NotFound', 'the server could not find the requested resource');

/** The metadata fields any kind may be selected by (runtime.DefaultMetaV1FieldSelectorConversion). */
const META_FIELDS: ResourceInfo['fields'] = {
  'metadata.name': (o) => o.metadata.name,
  'metadata.namespace': (o) => o.metadata.namespace ?? '',
};

type Target = { resource: 'pods' | 'nodes'; namespace?: string; name?: string };

/** The resource, namespace and name a path below the prefix names; undefined when it names nothing served. */
export function parseMetricsPath(rest: string): Target | undefined {
  const s = rest.split('/').filter(Boolean);
  let parts: string[];
  try {
    parts = s.map((x) => decodeURIComponent(x));
  } catch {
    return undefined;
  }
  if (parts[0] === 'namespaces' && parts.length >= 3) {
    if (parts[2] !== 'pods' || parts.length > 4) return undefined;
    return { resource: 'pods', namespace: parts[1], ...(parts[3] !== undefined ? { name: parts[3] } : {}) };
  }
  if ((parts[0] === 'pods' && parts.length === 1) || (parts[0] === 'nodes' && parts.length <= 2)) {
    return { resource: parts[0] as 'pods' | 'nodes', ...(parts[1] !== undefined ? { name: parts[1] } : {}) };
  }
  return undefined;
}

/**
 * The field selector's requirements; a field other than metadata.name/namespace is a 400 with the
 * apiserver's conversion message.
 */
export function metricsFieldSelector(selector: string): FieldRequirement[] {
  for (const term of selector.split(/(?<!\\),/)) {
    const field = /^(.*?)(?:!=|==|=)/.exec(term)?.[1];
    if (field !== undefined && !(field in META_FIELDS)) {
      throw new BadRequestError(`"${field}" is not a known field selector: only "metadata.name", "metadata.namespace"`);
    }
  }
  return parseFieldSelector(selector, { resource: '', kind: '', namespaced: true, fields: META_FIELDS });
}

export function handleMetricsApi(deps: ApiDeps, ctx: RequestContext, path: string): void {
  const target = parseMetricsPath(path.slice(METRICS_API_PREFIX.length));
  if (!target) throw notFoundPath();
  if (ctx.method !== 'GET' || queryBool(ctx.query, 'watch')) throw methodNotAllowed(ctx.method, target.resource);
  const source = deps.resourceMetrics;
  if (!source) throw new UnavailableError('the server is currently unable to handle the request');
  const now = deps.clock.now();
  if (target.resource === 'pods') {
    if (target.name !== undefined) return sendOne(ctx, getPodMetrics(deps, source, target.namespace ?? '', target.name, now));
    return sendList(ctx, 'PodMetricsList', listPodMetrics(deps, source, target.namespace, now));
  }
  if (target.name !== undefined) return sendOne(ctx, getNodeMetrics(deps, source, target.name, now));
  return sendList(ctx, 'NodeMetricsList', listNodeMetrics(deps, source, now));

  function listOptions(namespace: string | undefined): { opts: ListOptions; fields: FieldRequirement[] } {
    const ls = ctx.query.get('labelSelector');
    const fs = ctx.query.get('fieldSelector');
    return { opts: { namespace, ...(ls ? { labelSelector: parseLabelSelector(ls) } : {}) }, fields: fs ? metricsFieldSelector(fs) : [] };
  }

  function listPodMetrics(d: ApiDeps, src: ResourceMetricsSource, namespace: string | undefined, at: number): Served[] {
    const { opts, fields } = listOptions(namespace);
    const out: Served[] = [];
    for (const s of d.store.listStored<Pod>('pods', opts).items) {
      const pod = s.object;
      if (fields.length && !matchesFields(pod, fields, POD_INFO)) continue;
      const u = src.podUsage(pod.metadata.namespace ?? '', pod.metadata.name ?? '');
      if (u) out.push(podServed(pod, u, at));
    }
    return out;
  }

  function listNodeMetrics(d: ApiDeps, src: ResourceMetricsSource, at: number): Served[] {
    const { opts, fields } = listOptions(undefined);
    const out: Served[] = [];
    for (const s of d.store.listStored<KubeObject>('nodes', opts).items) {
      const node = s.object;
      if (fields.length && !matchesFields(node, fields, POD_INFO)) continue;
      const u = src.nodeUsage(node.metadata.name ?? '');
      if (u) out.push({ object: nodeMetricsObject(node.metadata, u, at), usage: [u.usage], windowMs: u.windowMs });
    }
    return out;
  }
}

const POD_INFO: ResourceInfo = { ...(RESOURCES.find((r) => r.resource === 'pods') as ResourceInfo), fields: META_FIELDS };

interface Served {
  object: Record<string, unknown>;
  usage: { cpuNanoCores: number; memoryBytes: number }[];
  windowMs: number;
}

/** The pod's containers in spec order: init, regular, ephemeral (kubectl top prints them as given). */
function containerOrder(pod: Pod): string[] {
  return [...(pod.spec.initContainers ?? []), ...pod.spec.containers, ...(pod.spec.ephemeralContainers ?? [])].map((c) => c.name);
}

function podServed(pod: Pod, u: PodUsage, now: number): Served {
  const object = podMetricsObject(pod.metadata, u, now, containerOrder(pod));
  return { object, usage: u.containers.map((c) => c.usage), windowMs: u.windowMs };
}

function getPodMetrics(deps: ApiDeps, source: ResourceMetricsSource, namespace: string, name: string, now: number): Served {
  const pod = deps.store.getStored<Pod>('pods', namespace, name)?.object;
  if (!pod) throw NotFoundError.of({ resource: 'pods', name });
  const u = source.podUsage(namespace, name);
  if (!u) throw NotFoundError.of({ resource: 'podmetrics', group: METRICS_GROUP, name: `${namespace}/${name}` });
  return podServed(pod, u, now);
}

function getNodeMetrics(deps: ApiDeps, source: ResourceMetricsSource, name: string, now: number): Served {
  const node = deps.store.getStored<KubeObject>('nodes', undefined, name)?.object;
  // The node lister's own error names the resource in the singular, as client-go's listers do.
  if (!node) throw NotFoundError.of({ resource: 'node', name });
  const u = source.nodeUsage(name);
  if (!u) throw NotFoundError.of({ resource: 'nodemetrics', group: METRICS_GROUP, name });
  return { object: nodeMetricsObject(node.metadata, u, now), usage: [u.usage], windowMs: u.windowMs };
}

function sendOne(ctx: RequestContext, s: Served): void {
  const shape = negotiateShape(ctx);
  if (shape.kind === 'table') return sendJson(ctx, 200, metricsTable([s], shape.version, parseIncludeObject(ctx.query.get('includeObject'))));
  if (shape.kind === 'partial') return sendJson(ctx, 200, { kind: 'PartialObjectMetadata', apiVersion: `meta.k8s.io/${shape.version}`, metadata: s.object.metadata });
  sendJson(ctx, 200, s.object);
}

function sendList(ctx: RequestContext, kind: 'PodMetricsList' | 'NodeMetricsList', items: Served[]): void {
  const shape = negotiateShape(ctx);
  if (shape.kind === 'table') return sendJson(ctx, 200, metricsTable(items, shape.version, parseIncludeObject(ctx.query.get('includeObject'))));
  if (shape.kind === 'partial') {
    const partial = items.map((s) => ({ kind: 'PartialObjectMetadata', apiVersion: `meta.k8s.io/${shape.version}`, metadata: s.object.metadata }));
    return sendJson(ctx, 200, { kind: 'PartialObjectMetadataList', apiVersion: `meta.k8s.io/${shape.version}`, metadata: {}, items: partial });
  }
  sendJson(ctx, 200, metricsList(kind, items.map((s) => s.object)));
}
