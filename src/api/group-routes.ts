// /apis/<group>[/<version>[/<resource>]] for the groups in groups.ts: their discovery documents (GET)
// and the review APIs (POST), which answer for the requesting user and create nothing.

import { methodNotAllowed, HttpStatusError } from './api-errors.js';
import type { ApiDeps } from './deps.js';
import { groupResourceList, legacyGroup } from './discovery.js';
import { parseGroupPath } from './groups.js';
import { readObject, sendJson, type RequestContext } from './http.js';
import { runReview } from './auth/reviews.js';

const notFound = () => new HttpStatusError(404, 'NotFound', 'the server could not find the requested resource');

export async function handleGroupPath(deps: ApiDeps, ctx: RequestContext, p: string): Promise<void> {
  const g = parseGroupPath(p);
  if (!g || g.rest.length) throw notFound();
  if (!g.version) {
    if (ctx.method !== 'GET') throw methodNotAllowed(ctx.method, p);
    return sendJson(ctx, 200, legacyGroup(g.info));
  }
  if (!g.resource) {
    if (ctx.method !== 'GET') throw methodNotAllowed(ctx.method, p);
    return sendJson(ctx, 200, groupResourceList(g.info, g.version));
  }
  if (ctx.method !== 'POST') throw methodNotAllowed(ctx.method, g.resource.name);
  if (!ctx.user || !deps.authorizer) throw new HttpStatusError(503, 'ServiceUnavailable', 'authorization is not configured');
  const body = await readObject(ctx);
  const answer = runReview(
    { group: g.info.group, version: g.version, resource: g.resource.name, user: ctx.user, body },
    { authorizer: deps.authorizer, now: deps.clock.now() },
  );
  if (!answer) throw notFound();
  return sendJson(ctx, 201, answer);
}
