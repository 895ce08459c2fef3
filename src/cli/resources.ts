// Resource names the CLI accepts (kubectl's plural, singular and short names) and their API paths.

import { RESOURCES, type ApiResource } from '../k8s/registry.js';

export function findResource(arg: string): ApiResource {
  const a = arg.toLowerCase();
  const r = RESOURCES.find((x) => x.resource === a || x.singularName === a || x.shortNames.includes(a) || x.kind.toLowerCase() === a);
  if (!r) throw new Error(`error: the server doesn't have a resource type "${arg}"`);
  return r;
}

export function resourceForKind(kind: string): ApiResource {
  const r = RESOURCES.find((x) => x.kind === kind);
  if (!r) throw new Error(`error: resource mapping not found for kind "${kind}": peapod serves ${RESOURCES.map((x) => x.kind).join(', ')}`);
  return r;
}

/** `/api/v1[/namespaces/NS]/<resource>[/name[/sub]]`; no namespace for cluster scope or all-namespaces. */
export function resourcePath(r: ApiResource, namespace: string | undefined, name?: string, sub?: string): string {
  let p = '/api/v1';
  if (r.namespaced && namespace !== undefined) p += `/namespaces/${encodeURIComponent(namespace)}`;
  p += `/${r.resource}`;
  if (name !== undefined) p += `/${encodeURIComponent(name)}`;
  if (sub) p += `/${sub}`;
  return p;
}
