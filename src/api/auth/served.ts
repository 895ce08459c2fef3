// Every resource and subresource peapod serves, with the verbs it serves on each: the catalog that
// turns a rule written as "every resource except ..." into the explicit list SelfSubjectRulesReview
// must show (its ResourceRule has no way to say "except").

import { RESOURCES } from '../../k8s/registry.js';
import { SUBRESOURCES } from '../discovery.js';
import { REVIEW_APIS } from './review-api.js';
import { METRICS_GROUP, METRICS_RESOURCES, METRICS_VERSION } from '../../metrics/objects.js';
import { SERVED_VERSIONS } from '../served-versions.js';

export interface ServedResource {
  /** The API group in the request path ("" for /api/v1, also for pods/eviction). */
  group: string;
  /** "pods", or "pods/log" for a subresource. */
  resource: string;
  verbs: string[];
}

/**
 * The stored resources (of every group) and subresources from the registry and discovery, and the review APIs.
 * exec, attach and port-forward are listed even before discovery shows them, so the list stays
 * complete whatever order the streaming work lands in.
 */
export function servedResources(): ServedResource[] {
  const out: ServedResource[] = [];
  for (const r of RESOURCES) {
    out.push({ group: r.group, resource: r.resource, verbs: r.verbs });
    for (const s of SUBRESOURCES[r.resource] ?? []) out.push({ group: r.group, resource: `${r.resource}/${s.name}`, verbs: s.verbs });
  }
  for (const sub of ['exec', 'attach', 'portforward']) {
    if (!out.some((s) => s.resource === `pods/${sub}`)) out.push({ group: '', resource: `pods/${sub}`, verbs: ['create', 'get'] });
  }
  for (const v of SERVED_VERSIONS) {
    if (!out.some((s) => s.group === v.resource.group && s.resource === v.resource.resource)) out.push({ group: v.resource.group, resource: v.resource.resource, verbs: v.resource.verbs });
  }
  for (const a of REVIEW_APIS) out.push({ group: a.group, resource: a.resource, verbs: a.verbs });
  for (const m of METRICS_RESOURCES) out.push({ group: METRICS_GROUP, resource: m.name, verbs: m.verbs });
  return out;
}

/**
 * Every group/version/resource[/subresource] a request can reach, as `group/version/resource`: what
 * the request metrics may label a request with (a path nobody serves must not mint a new series).
 */
export function servedRequestKeys(): Set<string> {
  const out = new Set<string>();
  const add = (group: string, version: string, resource: string) => out.add(`${group}/${version}/${resource}`);
  for (const r of RESOURCES) {
    add(r.group, r.version, r.resource);
    for (const s of SUBRESOURCES[r.resource] ?? []) add(r.group, r.version, `${r.resource}/${s.name}`);
  }
  for (const sub of ['exec', 'attach', 'portforward']) add('', 'v1', `pods/${sub}`);
  for (const v of SERVED_VERSIONS) add(v.resource.group, v.resource.version, v.resource.resource);
  for (const a of REVIEW_APIS) for (const version of a.versions) add(a.group, version, a.resource);
  for (const m of METRICS_RESOURCES) add(METRICS_GROUP, METRICS_VERSION, m.name);
  return out;
}
