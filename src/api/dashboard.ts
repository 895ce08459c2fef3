// The dashboard's logins (issue 16; auth/dashboard-sessions.ts):
//   POST /peapod/v1/dashboard/login  → 201 {kind: DashboardLogin, token, expiresAt, path: "/ui/#token=…"}
//        minted for the caller, who must have come with a client certificate or a bearer token (a
//        dashboard session cannot mint itself another: a session would never expire);
//   POST /ui/login   body {"token": "…"} → 200 {kind: DashboardSession, user, pageSecret, expiresAt} and the
//                    browser's cookie (kept when it had one); the page sends pageSecret in x-peapod-dashboard
//                    with every request (the cookie alone is nothing: auth/dashboard-sessions.ts); 401 for a
//                    token unknown, used or expired;
//   POST /ui/logout  → 204: the tab's session (its page secret, from its browser) ends.
//   GET  /ui/        → the page (dist/web/index.html), GET /ui/assets/NAME → its bundled script and stylesheet,
//                    for everyone (they hold nothing of the node), with a strict Content-Security-Policy.

import { readdirSync, readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { BadRequestError, UnavailableError } from '../errors.js';
import { HttpStatusError, methodNotAllowed } from './api-errors.js';
import { DASHBOARD_HEADER, LOGIN_TOKEN_TTL_MS, sessionCookie, sessionCookies, type DashboardSessions } from './auth/dashboard-sessions.js';
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
    // The browser's cookie is kept when it sent exactly one (its other tabs' sessions stay); else a new one.
    const had = sessionCookies(ctx.req.headers.cookie);
    const s = typeof token === 'string' ? sessions(deps).login(token, had.length === 1 ? had[0] : undefined) : undefined;
    if (!s) throw new HttpStatusError(401, 'Unauthorized', 'this login link is unknown, used or expired: run `peapod dashboard` for a new one');
    deps.logger.info({ user: s.user.username }, 'dashboard session started');
    ctx.res.setHeader('Set-Cookie', sessionCookie(s.browser));
    ctx.res.setHeader('Cache-Control', 'no-store');
    return sendJson(ctx, 200, { kind: 'DashboardSession', apiVersion: 'peapod.dev/v1', user: s.user.username, pageSecret: s.pageSecret, expiresAt: rfc3339(s.expiresAt) });
  }
  if (p === '/ui/logout') {
    if (ctx.method !== 'POST') throw methodNotAllowed(ctx.method, ctx.path);
    ownPage(ctx);
    // This tab's session ends; the browser's cookie stays (its other tabs' sessions use it; alone it is nothing).
    const secret = ctx.req.headers[DASHBOARD_HEADER];
    sessions(deps).end(sessionCookies(ctx.req.headers.cookie), typeof secret === 'string' ? secret : undefined);
    ctx.res.writeHead(204, { 'Cache-Control': 'no-store' });
    ctx.res.end();
    return;
  }
  if (ctx.method !== 'GET' && ctx.method !== 'HEAD') throw methodNotAllowed(ctx.method, ctx.path);
  if (ctx.path === '/ui') {
    ctx.res.writeHead(301, { Location: '/ui/' });
    ctx.res.end();
    return;
  }
  const name = p === '/ui' || p === '/ui/index.html' ? 'index.html' : p.startsWith('/ui/assets/') ? `assets/${p.slice('/ui/assets/'.length)}` : undefined;
  const file = name !== undefined ? pageFiles().get(name) : undefined;
  if (!file) throw new HttpStatusError(404, 'NotFound', `the dashboard has no ${p}`);
  const gzip = file.gzip !== undefined && acceptsGzip(ctx.req.headers['accept-encoding']);
  const body = gzip ? file.gzip! : file.body;
  ctx.res.writeHead(200, {
    'Content-Type': file.type,
    'Content-Length': body.length,
    ...(gzip ? { 'Content-Encoding': 'gzip' } : {}),
    ...(file.gzip !== undefined ? { Vary: 'Accept-Encoding' } : {}),
    // The page and its assets change with each build: the browser asks again (a 200 from memory).
    'Cache-Control': 'no-cache',
    ...PAGE_HEADERS,
  });
  ctx.res.end(ctx.method === 'HEAD' ? undefined : body);
}

/** Whether an Accept-Encoding takes gzip (not refused with q=0). */
export function acceptsGzip(header: string | undefined): boolean {
  for (const part of (header ?? '').split(',')) {
    const [coding, ...params] = part.trim().toLowerCase().split(';');
    if (coding !== 'gzip' && coding !== '*') continue;
    const q = params.map((x) => x.trim()).find((x) => x.startsWith('q='));
    return q === undefined || Number(q.slice(2)) > 0;
  }
  return false;
}

/**
 * What the page may do, enforced by the browser: its own script only (no inline script, no eval), its
 * own connections (fetch, watch, the terminal's WebSocket), never framed by another page; styles may be
 * inline (xterm.js and the anatomy drawing set them), images only its own or data: URLs.
 */
export const PAGE_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

const PAGE_HEADERS = {
  'Content-Security-Policy': PAGE_CSP,
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'no-referrer',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Resource-Policy': 'same-origin',
};

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json',
  '.txt': 'text/plain; charset=utf-8',
};

/** Where the built page is: dist/web beside dist/src (scripts/build-web.mjs). */
export const PAGE_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'web');

interface PageFile {
  type: string;
  body: Buffer;
  /** The body gzipped, for the larger files (the script is ~4× smaller so). */
  gzip?: Buffer;
}

let files: Map<string, PageFile> | undefined;

/**
 * The built page's files, read once, at the first request after a start (a fixed set: a request names one
 * of them or gets a 404, never a path; a rebuild is served after a restart).
 */
function pageFiles(): Map<string, PageFile> {
  if (files) return files;
  const found = new Map<string, PageFile>();
  const add = (name: string) => {
    const type = TYPES[path.extname(name)];
    if (!type) return;
    const body = readFileSync(path.join(PAGE_DIR, name));
    found.set(name, { type, body, ...(body.length >= 1024 ? { gzip: gzipSync(body, { level: 9 }) } : {}) });
  };
  try {
    add('index.html');
    for (const f of readdirSync(path.join(PAGE_DIR, 'assets'))) add(`assets/${f}`);
  } catch (err) {
    throw new HttpStatusError(404, 'NotFound', `the dashboard's page is not built (${(err as Error).message}): run npm run build`);
  }
  files = found;
  return files;
}
