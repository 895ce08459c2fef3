// Resource names the CLI accepts (kubectl's plural, singular and short names, alone or followed by
// `.<group>`), the kinds manifests name, and their API paths (/api/v1 for the core group,
// /apis/<group>/<version> for the others).

import { RESOURCES, apiVersionOf, type ApiResource } from '../k8s/registry.js';

function names(r: ApiResource): string[] {
  return [r.resource, r.singularName, ...r.shortNames, r.kind.toLowerCase()];
}

/** The resource a command-line type names: `pvc`, `persistentvolumeclaims`, `sc`, `storageclass.storage.k8s.io`... */
export function findResource(arg: string): ApiResource {
  const a = arg.toLowerCase();
  const r =
    RESOURCES.find((x) => names(x).includes(a)) ??
    // TYPE.GROUP (as `get` prints with several types) and TYPE.VERSION.GROUP, as kubectl accepts them.
    RESOURCES.find((x) => x.group !== '' && names(x).some((n) => a === `${n}.${x.group}` || a === `${n}.${x.version}.${x.group}`));
  if (!r) throw new Error(`error: the server doesn't have a resource type "${arg}"`);
  return r;
}

/** Where a manifest's object came from, for kubectl's "resource mapping not found" message. */
export interface ManifestOrigin {
  name?: string;
  namespace?: string;
  source: string;
}

/** The resource of a manifest's kind, in its apiVersion when given (`StorageClass` is storage.k8s.io/v1 only). */
export function resourceForKind(kind: string, apiVersion?: string, origin?: ManifestOrigin): ApiResource {
  const r = RESOURCES.find((x) => x.kind === kind && (apiVersion === undefined || apiVersionOf(x) === apiVersion));
  if (r) return r;
  const noMatch = `no matches for kind "${kind}" in version "${apiVersion ?? ''}"`;
  if (!origin) throw new Error(`error: ${noMatch}`);
  throw new Error(`error: resource mapping not found for name: "${origin.name ?? ''}" namespace: "${origin.namespace ?? ''}" from "${origin.source}": ${noMatch}\nensure CRDs are installed first`);
}

/** kubectl's name for a resource in output: `pod`, `persistentvolumeclaim`, `storageclass.storage.k8s.io`. */
export function qualifiedKind(r: ApiResource): string {
  const k = r.kind.toLowerCase();
  return r.group ? `${k}.${r.group}` : k;
}

/** `/api/v1` for the core group, else `/apis/<group>/<version>`. */
export function apiPrefix(r: Pick<ApiResource, 'group' | 'version'>): string {
  return r.group ? `/apis/${r.group}/${r.version}` : `/api/${r.version}`;
}

/** `<prefix>[/namespaces/NS]/<resource>[/name[/sub]]`; no namespace for cluster scope or all-namespaces. */
export function resourcePath(r: ApiResource, namespace: string | undefined, name?: string, sub?: string): string {
  let p = apiPrefix(r);
  if (r.namespaced && namespace !== undefined) p += `/namespaces/${encodeURIComponent(namespace)}`;
  p += `/${r.resource}`;
  if (name !== undefined) p += `/${encodeURIComponent(name)}`;
  if (sub) p += `/${sub}`;
  return p;
}
