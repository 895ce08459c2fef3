// Parses /api/v1/... paths into a resource route. Forms:
//   /api/v1/<resource>                           list across namespaces, or cluster-scoped collection
//   /api/v1/<resource>/<name>[/<sub>]            cluster-scoped object
//   /api/v1/namespaces/<ns>/<resource>[/<name>[/<sub>]]
//   /api/v1/watch/...                            the legacy watch prefix (same forms)

import { RESOURCES, type ApiResource } from '../k8s/registry.js';

const NAMESPACE_SUBRESOURCES = new Set(['status', 'finalize']);

export interface ResourceRoute {
  resource: ApiResource;
  /** Namespace from the URL (namespaced resources only). */
  namespace?: string;
  name?: string;
  subresource?: string;
  /** The path used the legacy /api/v1/watch/ prefix. */
  legacyWatch: boolean;
}

function byName(name: string): ApiResource | undefined {
  return RESOURCES.find((r) => r.resource === name);
}

/** undefined when the path is not a resource path this server knows. */
export function parseResourcePath(path: string): ResourceRoute | undefined {
  if (!path.startsWith('/api/v1/')) return undefined;
  let parts = path.slice('/api/v1/'.length).split('/').filter((p) => p !== '').map(safeDecode);
  if (parts.some((p) => p === undefined)) return undefined;
  let legacyWatch = false;
  if (parts[0] === 'watch') {
    legacyWatch = true;
    parts = parts.slice(1);
  }
  const segs = parts as string[];
  if (segs.length === 0) return undefined;
  if (segs[0] === 'namespaces' && segs.length >= 3) {
    const nested = byName(segs[2]);
    if (nested && nested.namespaced) {
      if (segs.length > 5) return undefined;
      return { resource: nested, namespace: segs[1], name: segs[3], subresource: segs[4], legacyWatch };
    }
    // Otherwise only a namespace's own subresources may follow its name.
    if (!NAMESPACE_SUBRESOURCES.has(segs[2])) return undefined;
  }
  const res = byName(segs[0]);
  if (!res || segs.length > 3) return undefined;
  return { resource: res, name: segs[1], subresource: segs[2], legacyWatch };
}

function safeDecode(s: string): string | undefined {
  try {
    return decodeURIComponent(s);
  } catch {
    return undefined;
  }
}
