// Discovery documents: /api, /apis (legacy and aggregated v2/v2beta1, negotiated by Accept) and
// /api/v1. kubectl caches them (6 h); a wrong shape makes it report "doesn't have a resource type".

import { CORE_RESOURCES, type ApiResource } from '../k8s/registry.js';
import { parseAccept } from './http.js';
import { API_GROUPS, resourcesIn, type ApiGroupInfo } from './groups.js';

export interface SubresourceInfo {
  name: string;
  kind: string;
  verbs: string[];
  group?: string;
  version?: string;
}

/** Subresources this server serves, per resource. */
export const SUBRESOURCES: Record<string, SubresourceInfo[]> = {
  pods: [
    { name: 'status', kind: 'Pod', verbs: ['get', 'patch', 'update'] },
    { name: 'log', kind: 'Pod', verbs: ['get'] },
    { name: 'exec', kind: 'PodExecOptions', verbs: ['create', 'get'] },
    { name: 'attach', kind: 'PodAttachOptions', verbs: ['create', 'get'] },
    { name: 'portforward', kind: 'PodPortForwardOptions', verbs: ['create', 'get'] },
    { name: 'ephemeralcontainers', kind: 'Pod', verbs: ['get', 'patch', 'update'] },
    { name: 'binding', kind: 'Binding', verbs: ['create'] },
    { name: 'eviction', kind: 'Eviction', verbs: ['create'], group: 'policy', version: 'v1' },
    // peapod's own: the pod as the node holds it (api/anatomy.ts).
    { name: 'anatomy', kind: 'PodAnatomy', verbs: ['get'], group: 'peapod.dev', version: 'v1' },
  ],
  namespaces: [{ name: 'status', kind: 'Namespace', verbs: ['get', 'patch', 'update'] }],
  persistentvolumes: [{ name: 'status', kind: 'PersistentVolume', verbs: ['get', 'patch', 'update'] }],
  persistentvolumeclaims: [{ name: 'status', kind: 'PersistentVolumeClaim', verbs: ['get', 'patch', 'update'] }],
  nodes: [{ name: 'status', kind: 'Node', verbs: ['get', 'patch', 'update'] }],
  serviceaccounts: [{ name: 'token', kind: 'TokenRequest', verbs: ['create'], group: 'authentication.k8s.io', version: 'v1' }],
};

export function legacyResourceList(): Record<string, unknown> {
  const resources: Record<string, unknown>[] = [];
  for (const r of CORE_RESOURCES) {
    const e: Record<string, unknown> = { name: r.resource, singularName: r.singularName, namespaced: r.namespaced, kind: r.kind, verbs: r.verbs };
    if (r.shortNames.length) e.shortNames = r.shortNames;
    if (r.categories?.length) e.categories = r.categories;
    resources.push(e);
    for (const s of SUBRESOURCES[r.resource] ?? []) {
      const sub: Record<string, unknown> = { name: `${r.resource}/${s.name}`, singularName: '', namespaced: r.namespaced, kind: s.kind, verbs: s.verbs };
      if (s.group) Object.assign(sub, { group: s.group, version: s.version });
      resources.push(sub);
    }
  }
  return { kind: 'APIResourceList', groupVersion: 'v1', resources };
}

function aggregatedResource(r: ApiResource): Record<string, unknown> {
  const e: Record<string, unknown> = {
    resource: r.resource,
    responseKind: { group: '', version: 'v1', kind: r.kind },
    scope: r.namespaced ? 'Namespaced' : 'Cluster',
    singularResource: r.singularName,
    verbs: r.verbs,
  };
  if (r.shortNames.length) e.shortNames = r.shortNames;
  if (r.categories?.length) e.categories = r.categories;
  const subs = SUBRESOURCES[r.resource];
  if (subs?.length) {
    e.subresources = subs.map((s) => ({
      subresource: s.name,
      responseKind: { group: s.group ?? '', version: s.version ?? 'v1', kind: s.kind },
      verbs: s.verbs,
    }));
  }
  return e;
}

/** The aggregated discovery version an Accept header asks for, with the exact media type to echo. */
export function negotiateAggregated(accept: string | undefined): { version: 'v2' | 'v2beta1'; contentType: string } | undefined {
  const raw = (accept ?? '').split(',').map((s) => s.trim());
  const ranges = parseAccept(accept);
  for (let i = 0; i < ranges.length; i++) {
    const r = ranges[i];
    if (r.type !== 'application/json') continue;
    const { as, g, v } = r.params;
    if (!as && !g && !v) return undefined;
    if (as === 'APIGroupDiscoveryList' && g === 'apidiscovery.k8s.io' && (v === 'v2' || v === 'v2beta1')) {
      return { version: v, contentType: raw[i] };
    }
  }
  return undefined;
}

export function aggregatedCore(version: 'v2' | 'v2beta1'): Record<string, unknown> {
  return {
    kind: 'APIGroupDiscoveryList',
    apiVersion: `apidiscovery.k8s.io/${version}`,
    metadata: {},
    items: [
      {
        metadata: { name: '', creationTimestamp: null },
        versions: [{ version: 'v1', resources: CORE_RESOURCES.map(aggregatedResource), freshness: 'Current' }],
      },
    ],
  };
}

export function aggregatedGroups(version: 'v2' | 'v2beta1'): Record<string, unknown> {
  const items = API_GROUPS.map((g) => ({
    metadata: { name: g.group, creationTimestamp: null },
    versions: g.versions.map((v) => ({
      version: v,
      resources: resourcesIn(g, v).map((r) => {
        const e: Record<string, unknown> = {
          resource: r.name,
          responseKind: { group: g.group, version: v, kind: r.kind },
          scope: r.namespaced ? 'Namespaced' : 'Cluster',
          singularResource: r.singularName,
          verbs: r.verbs,
        };
        if (r.shortNames?.length) e.shortNames = r.shortNames;
        if (r.categories?.length) e.categories = r.categories;
        return e;
      }),
      freshness: 'Current',
    })),
  }));
  return { kind: 'APIGroupDiscoveryList', apiVersion: `apidiscovery.k8s.io/${version}`, metadata: {}, items };
}

function groupEntry(g: ApiGroupInfo): Record<string, unknown> {
  const versions = g.versions.map((v) => ({ groupVersion: `${g.group}/${v}`, version: v }));
  return { name: g.group, versions, preferredVersion: versions[0] };
}

/** /apis/<group>: one APIGroup. */
export function legacyGroup(g: ApiGroupInfo): Record<string, unknown> {
  return { kind: 'APIGroup', apiVersion: 'v1', ...groupEntry(g) };
}

/** /apis/<group>/<version>: its APIResourceList. */
export function groupResourceList(g: ApiGroupInfo, version: string): Record<string, unknown> {
  return {
    kind: 'APIResourceList',
    apiVersion: 'v1',
    groupVersion: `${g.group}/${version}`,
    resources: resourcesIn(g, version).map((r) => {
      const e: Record<string, unknown> = { name: r.name, singularName: r.singularName, namespaced: r.namespaced, kind: r.kind, verbs: r.verbs };
      if (r.shortNames?.length) e.shortNames = r.shortNames;
      if (r.categories?.length) e.categories = r.categories;
      return e;
    }),
  };
}

export function legacyApiVersions(serverAddress: string): Record<string, unknown> {
  return { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }] };
}

export function legacyGroupList(): Record<string, unknown> {
  return { kind: 'APIGroupList', apiVersion: 'v1', groups: API_GROUPS.map(groupEntry) };
}
