// Parses resource paths into a resource route. Forms, for the core group (/api/v1) and for a named
// group (/apis/<group>/<version>) alike:
//   <prefix>/<resource>                           list across namespaces, or cluster-scoped collection
//   <prefix>/<resource>/<name>[/<sub>]            cluster-scoped object
//   <prefix>/namespaces/<ns>/<resource>[/<name>[/<sub>]]
//   <prefix>/watch/...                            the legacy watch prefix (same forms)
// Namespaces themselves live in the core group, so a named group's namespaced resources are reached
// through /apis/<group>/<version>/namespaces/<ns>/<resource>.

import { RESOURCES, type ApiResource } from '../k8s/registry.js';
import { servedVersion, type ServedVersion } from './served-versions.js';

const NAMESPACE_SUBRESOURCES = new Set(['status', 'finalize']);

export interface ResourceRoute {
  /** The stored resource (every store call names it). */
  resource: ApiResource;
  /** Set when the path is a version served over another resource's storage (served-versions.ts). */
  served?: ServedVersion;
  /** Namespace from the URL (namespaced resources only). */
  namespace?: string;
  name?: string;
  subresource?: string;
  /** The path used the legacy /watch/ prefix. */
  legacyWatch: boolean;
}

function byName(group: string, version: string, name: string): { resource: ApiResource; served?: ServedVersion } | undefined {
  const stored = RESOURCES.find((r) => r.group === group && r.version === version && r.resource === name);
  if (stored) return { resource: stored };
  const served = servedVersion(group, version, name);
  return served && { resource: served.storage, served };
}

/** The group, version and the segments after them, for /api/v1/... and /apis/<group>/<version>/... */
function splitPrefix(path: string): { group: string; version: string; rest: string } | undefined {
  if (path.startsWith('/api/v1/')) return { group: '', version: 'v1', rest: path.slice('/api/v1/'.length) };
  const m = /^\/apis\/([^/]+)\/([^/]+)\/(.*)$/.exec(path);
  if (!m) return undefined;
  return { group: m[1], version: m[2], rest: m[3] };
}

/** undefined when the path is not a resource path this server knows. */
export function parseResourcePath(path: string): ResourceRoute | undefined {
  const prefix = splitPrefix(path);
  if (!prefix) return undefined;
  const { group, version } = prefix;
  let parts = prefix.rest.split('/').filter((p) => p !== '').map(safeDecode);
  if (parts.some((p) => p === undefined)) return undefined;
  let legacyWatch = false;
  if (parts[0] === 'watch') {
    legacyWatch = true;
    parts = parts.slice(1);
  }
  const segs = parts as string[];
  if (segs.length === 0) return undefined;
  if (segs[0] === 'namespaces' && segs.length >= 3) {
    const nested = byName(group, version, segs[2]);
    if (nested && nested.resource.namespaced) {
      if (segs.length > 5) return undefined;
      return { ...nested, namespace: segs[1], name: segs[3], subresource: segs[4], legacyWatch };
    }
    // Otherwise only a namespace's own subresources may follow its name.
    if (group !== '' || !NAMESPACE_SUBRESOURCES.has(segs[2])) return undefined;
  }
  const res = byName(group, version, segs[0]);
  if (!res || segs.length > 3) return undefined;
  return { ...res, name: segs[1], subresource: segs[2], legacyWatch };
}

function safeDecode(s: string): string | undefined {
  try {
    return decodeURIComponent(s);
  } catch {
    return undefined;
  }
}
