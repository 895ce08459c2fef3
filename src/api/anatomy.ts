// GET /api/v1/namespaces/<ns>/pods/<name>/anatomy (issue 16): the pod's anatomy as the node holds it
// (node/anatomy.ts), for `peapod anatomy` and the dashboard. A peapod subresource, authorized like any
// other (get on pods/anatomy), advertised in discovery with the kind PodAnatomy of peapod.dev/v1.

import { NotFoundError, UnavailableError } from '../errors.js';
import type { Pod } from '../k8s/types.js';
import type { ApiDeps } from './deps.js';
import { sendJson, type RequestContext } from './http.js';
import type { ResourceRoute } from './route.js';

export async function handleAnatomy(deps: ApiDeps, ctx: RequestContext, route: ResourceRoute): Promise<void> {
  const pod = deps.store.getStored<Pod>('pods', route.namespace, route.name!)?.object;
  if (!pod) throw NotFoundError.of({ resource: 'pods', name: route.name! });
  if (!deps.anatomy) throw new UnavailableError('pod anatomy needs the container runtime, which this daemon does not run');
  return sendJson(ctx, 200, await deps.anatomy(pod));
}
