// The API groups served besides the core group, with their resources: the stored kinds of named groups
// (k8s/registry.ts: storage.k8s.io, apiextensions.k8s.io) and the review APIs that `kubectl auth can-i`
// and `kubectl auth whoami` call (auth/review-api.ts is their one table).
// Discovery (legacy and aggregated) and the route table read this.

import { RESOURCES } from '../k8s/registry.js';
import { REVIEW_APIS } from './auth/review-api.js';
import { SERVED_VERSIONS } from './served-versions.js';
import { METRICS_GROUP, METRICS_RESOURCES } from '../metrics/objects.js';

export interface GroupResource {
  name: string;
  singularName: string;
  kind: string;
  namespaced: boolean;
  verbs: string[];
  /** The versions of the group that serve it. */
  versions: string[];
  shortNames?: string[];
  categories?: string[];
  /** A stored kind (served by the generic resource handlers), not a review API. */
  stored?: boolean;
}

export interface ApiGroupInfo {
  group: string;
  /** Served versions, preferred first. */
  versions: string[];
  resources: GroupResource[];
}

function groupsOf(): ApiGroupInfo[] {
  const out: ApiGroupInfo[] = [];
  const add = (group: string, r: GroupResource) => {
    let g = out.find((x) => x.group === group);
    if (!g) out.push((g = { group, versions: [], resources: [] }));
    for (const v of r.versions) if (!g.versions.includes(v)) g.versions.push(v);
    g.resources.push(r);
  };
  // Stored kinds of named groups, and versions served over another resource's storage (events.k8s.io).
  for (const r of [...RESOURCES, ...SERVED_VERSIONS.map((v) => v.resource)]) {
    if (!r.group) continue;
    add(r.group, {
      name: r.resource,
      singularName: r.singularName,
      kind: r.kind,
      namespaced: r.namespaced,
      verbs: r.verbs,
      versions: [r.version],
      shortNames: r.shortNames,
      categories: r.categories,
      stored: true,
    });
  }
  // metrics.k8s.io, served from the daemon's own sampler as metrics-server would (metrics-api.ts).
  for (const r of METRICS_RESOURCES) add(METRICS_GROUP, { ...r, verbs: [...r.verbs], versions: [...r.versions] });
  for (const a of REVIEW_APIS) {
    add(a.group, { name: a.resource, singularName: a.singularName, kind: a.kind, namespaced: a.namespaced, verbs: a.verbs, versions: a.versions });
  }
  return out.sort((x, y) => x.group.localeCompare(y.group));
}

export const API_GROUPS: ApiGroupInfo[] = groupsOf();

/** The resources one version of a group serves. */
export function resourcesIn(g: ApiGroupInfo, version: string): GroupResource[] {
  return g.resources.filter((r) => r.versions.includes(version));
}

/** The group, version and resource of a path /apis/<group>/<version>[/<resource>], if served. */
export function parseGroupPath(path: string): { info: ApiGroupInfo; version?: string; resource?: GroupResource; rest: string[] } | undefined {
  const parts = path.split('/').filter(Boolean);
  if (parts[0] !== 'apis' || parts.length < 2) return undefined;
  const info = API_GROUPS.find((g) => g.group === parts[1]);
  if (!info) return undefined;
  if (parts.length === 2) return { info, rest: [] };
  if (!info.versions.includes(parts[2])) return undefined;
  if (parts.length === 3) return { info, version: parts[2], rest: [] };
  const resource = resourcesIn(info, parts[2]).find((r) => r.name === parts[3]);
  if (!resource) return undefined;
  return { info, version: parts[2], resource, rest: parts.slice(4) };
}
