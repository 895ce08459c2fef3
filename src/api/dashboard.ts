// The dashboard's logins (issue 16; auth/dashboard-sessions.ts):
//   POST /peapod/v1/dashboard/login  → 201 {kind: DashboardLogin, token, expiresAt, path: "/ui/#token=…"}
//        minted for the caller, who must have come with a client certificate or a bearer token (a
//        dashboard session cannot mint itself another: a stolen cookie would never expire);
//   POST /ui/login   body {"token": "…"} → 200 {kind: DashboardSession, user, pageSecret, expiresAt} and the
//                    session cookie; the page sends pageSecret in x-peapod-dashboard with every request (the
//                    cookie alone is refused: auth/dashboard-sessions.ts); 401 for a token unknown, used or expired;
//   POST /ui/logout  → 204 and the cookie removed.
// The page under /ui/ itself comes in a later step: until then GET /ui/ says so (404).

import { BadRequestError, UnavailableError } from '../errors.js';
import { HttpStatusError, methodNotAllowed } from './api-errors.js';
import { DASHBOARD_HEADER, LOGIN_TOKEN_TTL_MS, sessionCookie, sessionFromCookie, type DashboardSessions } from './auth/dashboard-sessions.js';
import type { ApiDeps } from './deps.js';
import { readBody, sendJson, type RequestContext } from './http.js';

function sessions(deps: ApiDeps): DashboardSessions {
  if (!deps.dashboard) throw new UnavailableError('the dashboard is not available in this daemon');
  return deps.dashboard;
}

const rfc3339 = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

export function mintDashboardLogin(deps: ApiDeps, ctx: RequestContext): void {
  if (ctx.method !== 'POST') throw methodNotAllowed(ctx.method, ctx.path);
  if (!ctx.user || (ctx.authMethod !== 'x509' && ctx.authMethod !== 'token')) {
    throw new HttpStatusError(403, 'Forbidden', 'a dashboard login is minted with a client certificate or a bearer token (peapod dashboard uses your kubeconfig), not from a dashboard session or anonymously');
  }
  // A service account's token is checked at every request (its pod may go); a session would outlive it.
  if (ctx.user.username.startsWith('system:serviceaccount:')) {
    throw new HttpStatusError(403, 'Forbidden', 'a service account cannot log into the dashboard: use a user\'s kubeconfig');
  }
  const { token, expiresAt } = sessions(deps).mintLoginToken(ctx.user);
  deps.logger.info({ user: ctx.user.username, expiresAt: rfc3339(expiresAt) }, 'dashboard login link minted');
  ctx.res.setHeader('Cache-Control', 'no-store');
  sendJson(ctx, 201, { kind: 'DashboardLogin', apiVersion: 'peapod.dev/v1', token, expiresAt: rfc3339(expiresAt), expiresInSeconds: LOGIN_TOKEN_TTL_MS / 1000, path: `/ui/#token=${token}` });
}

/**
 * A login or logout must come from this server's own page (its script's JSON request with the dashboard's
 * header and its own Origin): a form of another site cannot log a browser into another user's session, or out.
 */
function ownPage(ctx: RequestContext): void {
  const h = ctx.req.headers;
  const json = (h['content-type'] ?? '').split(';')[0]!.trim().toLowerCase() === 'application/json';
  const own = h.origin === `https://${h.host ?? ''}` && (h['sec-fetch-site'] === undefined || h['sec-fetch-site'] === 'same-origin');
  if (!json || !own || !h[DASHBOARD_HEADER]) {
    throw new HttpStatusError(403, 'Forbidden', `the dashboard's login and logout are for its own page (a JSON request from https://${h.host ?? ''} with the ${DASHBOARD_HEADER} header)`);
  }
}

export async function handleUi(deps: ApiDeps, ctx: RequestContext, p: string): Promise<void> {
  if (p === '/ui/login') {
    if (ctx.method !== 'POST') throw methodNotAllowed(ctx.method, ctx.path);
    ownPage(ctx);
    let token: unknown;
    try {
      token = (JSON.parse((await readBody(ctx, 4096)).toString('utf8')) as { token?: unknown }).token;
    } catch {
      throw new BadRequestError('login needs a JSON body: {"token": "<the token of the link peapod dashboard printed>"}');
    }
    const s = typeof token === 'string' ? sessions(deps).login(token) : undefined;
    if (!s) throw new HttpStatusError(401, 'Unauthorized', 'this login link is unknown, used or expired: run `peapod dashboard` for a new one');
    deps.logger.info({ user: s.user.username }, 'dashboard session started');
    ctx.res.setHeader('Set-Cookie', sessionCookie(s.session));
    ctx.res.setHeader('Cache-Control', 'no-store');
    return sendJson(ctx, 200, { kind: 'DashboardSession', apiVersion: 'peapod.dev/v1', user: s.user.username, pageSecret: s.pageSecret, expiresAt: rfc3339(s.expiresAt) });
  }
  if (p === '/ui/logout') {
    if (ctx.method !== 'POST') throw methodNotAllowed(ctx.method, ctx.path);
    ownPage(ctx);
    const s = sessionFromCookie(ctx.req.headers.cookie);
    if (s !== undefined) sessions(deps).end(s);
    ctx.res.writeHead(204, { 'Set-Cookie': sessionCookie('', { remove: true }), 'Cache-Control': 'no-store' });
    ctx.res.end();
    return;
  }
  throw new HttpStatusError(404, 'NotFound', 'the dashboard page is not part of this build yet: its login (POST /ui/login) and the API it will use are');
}
