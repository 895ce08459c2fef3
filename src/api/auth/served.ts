// Every resource and subresource peapod serves, with the verbs it serves on each: the catalog that
// turns a rule written as "every resource except ..." into the explicit list SelfSubjectRulesReview
// must show (its ResourceRule has no way to say "except").

import { RESOURCES } from '../../k8s/registry.js';
import { SUBRESOURCES } from '../discovery.js';
import { REVIEW_APIS } from './review-api.js';
import { METRICS_GROUP, METRICS_RESOURCES } from '../../metrics/objects.js';

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
  for (const a of REVIEW_APIS) out.push({ group: a.group, resource: a.resource, verbs: a.verbs });
  for (const m of METRICS_RESOURCES) out.push({ group: METRICS_GROUP, resource: m.name, verbs: m.verbs });
  return out;
}
