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
  /** The versions it is served at. */
  versions: string[];
  /** "pods", or "pods/log" for a subresource. */
  resource: string;
  verbs: string[];
}

/**
 * The stored resources (of every group) and subresources from the registry and discovery, the versions
 * served over another resource's storage, the review APIs and metrics.k8s.io. exec, attach and
 * port-forward are listed even before discovery shows them, so the list stays complete whatever order
 * the streaming work lands in.
 */
export function servedResources(): ServedResource[] {
  const out: ServedResource[] = [];
  for (const r of RESOURCES) {
    out.push({ group: r.group, versions: [r.version], resource: r.resource, verbs: r.verbs });
    for (const s of SUBRESOURCES[r.resource] ?? []) out.push({ group: r.group, versions: [r.version], resource: `${r.resource}/${s.name}`, verbs: s.verbs });
  }
  for (const sub of ['exec', 'attach', 'portforward']) {
    if (!out.some((s) => s.resource === `pods/${sub}`)) out.push({ group: '', versions: ['v1'], resource: `pods/${sub}`, verbs: ['create', 'get'] });
  }
  for (const v of SERVED_VERSIONS) {
    const { group, version, resource, verbs } = v.resource;
    const same = out.find((s) => s.group === group && s.resource === resource);
    if (same) same.versions.push(version);
    else out.push({ group, versions: [version], resource, verbs });
  }
  for (const a of REVIEW_APIS) out.push({ group: a.group, versions: [...a.versions], resource: a.resource, verbs: a.verbs });
  for (const m of METRICS_RESOURCES) out.push({ group: METRICS_GROUP, versions: [METRICS_VERSION], resource: m.name, verbs: m.verbs });
  return out;
}

/**
 * Every group/version/resource[/subresource] a request can reach, as `group/version/resource`: what
 * the request metrics may label a request with (a path nobody serves must not mint a new series).
 */
export function servedRequestKeys(): Set<string> {
  return new Set(servedResources().flatMap((r) => r.versions.map((v) => `${r.group}/${v}/${r.resource}`)));
}
