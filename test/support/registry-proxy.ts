// An HTTPS reverse proxy in front of a test registry (registry.ts) that emulates Docker Hub/GHCR bearer
// token auth and injects faults, switchable at run time so one proxy serves a whole test file. It serves
// on 127.0.0.1:<free port> with the registry's serving certificate (same CA: the registry's ca.crt trusts
// it), forwards to the registry over TLS with the Host header rewritten, and rewrites Location headers
// that point at the registry to itself.
//
// API
//   startProxy({registry, mode?, tokenCredentials?, service?, tokenTtlSeconds?}) -> RegistryProxy
//     host, url, blobStoreUrl, setMode(mode), mode, requests, tokenRequests, count(path, {method, server}),
//     blobGets(digest), ranges(digest), faults, blobStoreRefusals, expireTokens(), resetStats(), stop()
//   Modes (setMode resets the mode's counter; `times` counts the faults injected; then requests pass):
//     {kind:'pass'}                       plain forward; the client's Authorization goes to the registry
//     {kind:'bearer', anonymous?}         401 `Bearer realm=<url>/token,service,scope` unless the request
//                                         carries a token this proxy issued for the repo and action; GET
//                                         (or POST, OAuth2 form) /token issues tokens against Basic
//                                         credentials (tokenCredentials, default the registry's), or to
//                                         anyone with anonymous. Forwards with the registry's own creds.
//     {kind:'drop-mid-blob', times=1, fraction=0.5, minSize=0}  blob GET (of at least minSize bytes):
//                                         headers + fraction of the body, then the
//                                         socket is destroyed
//     {kind:'stall', times=1, fraction=0.5}          blob GET: headers + fraction of the body, then silence
//                                         (the connection stays open until the client gives up)
//     {kind:'status', status, times=1, path=/^\/v2\//, retryAfter?}  that status (JSON error body) to
//                                         matching requests
//     {kind:'redirect-blobs', times=∞}    blob GET: 307 to blobStoreUrl (another loopback port, S3-like:
//                                         answers 400 to any request with an Authorization header)
//   Every fault mode takes `bearer: true` to require tokens as in 'bearer' mode too (e.g. Docker Hub's
//   token auth plus its redirects to a CDN).

import { createHmac, randomBytes } from 'node:crypto';
import type { IncomingHttpHeaders, IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import type { Credentials, Registry } from './registry.js';

export type ProxyMode =
  | { kind: 'pass' }
  | { kind: 'bearer'; anonymous?: boolean }
  | { kind: 'drop-mid-blob'; times?: number; fraction?: number; bearer?: boolean; minSize?: number }
  | { kind: 'stall'; times?: number; fraction?: number; bearer?: boolean; minSize?: number }
  | { kind: 'status'; status: number; times?: number; path?: RegExp; retryAfter?: number | string; bearer?: boolean }
  | { kind: 'redirect-blobs'; times?: number; bearer?: boolean };

export interface ProxyOptions {
  registry: Registry;
  mode?: ProxyMode;
  /** What GET /token requires: credentials, or 'anonymous' (default: the registry's credentials, else anonymous). */
  tokenCredentials?: Credentials | 'anonymous';
  /** The service= of the challenge (default "test-registry"). */
  service?: string;
  tokenTtlSeconds?: number;
}

export interface ProxyRequestRecord {
  server: 'proxy' | 'blob-store';
  method: string;
  /** Path and query as received. */
  url: string;
  /** Path without the query. */
  path: string;
  range?: string;
  authorization?: 'basic' | 'bearer' | 'other';
  /** The status sent, once the headers are out. */
  readonly status?: number;
  /** The fault injected into this request, if any. */
  fault?: ProxyMode['kind'];
}

export interface TokenRequestRecord {
  method: string;
  service?: string;
  scopes: string[];
  /** The Basic user presented, if any. */
  user?: string;
  granted: boolean;
}

export interface RegistryProxy {
  host: string;
  url: string;
  /** Where 'redirect-blobs' sends blob GETs. */
  blobStoreUrl: string;
  readonly mode: ProxyMode;
  setMode(mode: ProxyMode): void;
  readonly requests: ProxyRequestRecord[];
  readonly tokenRequests: TokenRequestRecord[];
  /** Faults injected since the last setMode. */
  readonly faults: number;
  /** Requests the blob store refused because they carried an Authorization header. */
  readonly blobStoreRefusals: number;
  /** Requests whose path equals `p` (or matches the RegExp), optionally only one method / server. */
  count(p: string | RegExp, opts?: { method?: string; server?: ProxyRequestRecord['server'] }): number;
  /** GETs of a blob at the proxy (any repo). */
  blobGets(digest: string): number;
  /** Range headers of the GETs of a blob, at the proxy and the blob store, in order (undefined: no Range). */
  ranges(digest: string): (string | undefined)[];
  /** Makes every token issued so far expired (as after expires_in): the next use gets 401 error="invalid_token". */
  expireTokens(): void;
  resetStats(): void;
  stop(): Promise<void>;
}

const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-authenticate', 'proxy-authorization', 'te', 'trailer', 'transfer-encoding', 'upgrade', 'host']);
const BLOB_GET = /^\/v2\/(.+)\/blobs\/(sha256:[a-f0-9]{64})$/;
const REPO_PATH = /^\/v2\/(.+)\/(manifests|blobs|tags)\/.*$/;

interface Token {
  access: Map<string, Set<string>>;
  expires: number;
}

function authKind(h: string | undefined): ProxyRequestRecord['authorization'] {
  if (!h) return undefined;
  if (/^basic /i.test(h)) return 'basic';
  if (/^bearer /i.test(h)) return 'bearer';
  return 'other';
}

function parseBasic(h: string | undefined): Credentials | undefined {
  const m = /^basic\s+(.+)$/i.exec(h ?? '');
  if (!m) return undefined;
  const text = Buffer.from(m[1]!, 'base64').toString();
  const colon = text.indexOf(':');
  return colon < 0 ? undefined : { username: text.slice(0, colon), password: text.slice(colon + 1) };
}

/** "repository:a/b:pull,push" -> ["a/b", ["pull","push"]]; other resource types are ignored. */
function parseScope(s: string): [string, string[]] | undefined {
  const m = /^repository:(.+):([a-z*,]+)$/.exec(s);
  return m ? [m[1]!, m[2]!.split(',')] : undefined;
}

function listen(server: https.Server): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port));
  });
}

function jsonError(res: ServerResponse, status: number, code: string, message: string, headers: OutgoingHttpHeaders = {}): void {
  const body = JSON.stringify({ errors: [{ code, message, detail: null }] });
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body), ...headers });
  res.end(body);
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (b: Buffer) => chunks.push(b));
    req.on('end', () => resolve(Buffer.concat(chunks).toString()));
    req.on('error', reject);
  });
}

export async function startProxy(opts: ProxyOptions): Promise<RegistryProxy> {
  const reg = opts.registry;
  const service = opts.service ?? 'test-registry';
  const ttl = opts.tokenTtlSeconds ?? 300;
  const tokenCreds = opts.tokenCredentials ?? reg.credentials ?? 'anonymous';
  const agent = new https.Agent({ ca: reg.caCertPem, keepAlive: true });
  const signKey = randomBytes(32);
  const sign = (p: string) => createHmac('sha256', signKey).update(p).digest('hex');

  let mode: ProxyMode = opts.mode ?? { kind: 'pass' };
  let remaining = 0;
  let faults = 0;
  let refusals = 0;
  const resetCounter = () => {
    faults = 0;
    remaining = mode.kind === 'pass' || mode.kind === 'bearer' ? 0 : mode.times ?? (mode.kind === 'redirect-blobs' ? Infinity : 1);
  };
  resetCounter();
  const requests: ProxyRequestRecord[] = [];
  const tokenRequests: TokenRequestRecord[] = [];
  const tokens = new Map<string, Token>();
  const held = new Set<ServerResponse>();

  let proxyUrl = '';
  let storeUrl = '';

  const record = (server: ProxyRequestRecord['server'], req: IncomingMessage, res: ServerResponse): ProxyRequestRecord => {
    const url = req.url ?? '/';
    const range = req.headers.range;
    const authorization = authKind(req.headers.authorization);
    const r: ProxyRequestRecord = {
      server,
      method: req.method ?? 'GET',
      url,
      path: url.split('?')[0]!,
      ...(range ? { range } : {}),
      ...(authorization ? { authorization } : {}),
    };
    // The status as soon as the headers are out (a client may have the whole answer before 'finish').
    Object.defineProperty(r, 'status', { enumerable: true, get: () => (res.headersSent ? res.statusCode : undefined) });
    requests.push(r);
    return r;
  };

  const takeFault = (r: ProxyRequestRecord): boolean => {
    if (remaining <= 0) return false;
    remaining--;
    faults++;
    r.fault = mode.kind;
    return true;
  };

  /** Forwards to the registry. `auth`: keep the client's Authorization ('client') or use the registry's ('registry'). */
  const forward = (
    req: IncomingMessage,
    res: ServerResponse,
    auth: 'client' | 'registry',
    pathAndQuery: string,
    body?: (up: IncomingMessage, headers: OutgoingHttpHeaders) => void,
  ): void => {
    const headers: OutgoingHttpHeaders = {};
    for (const [k, v] of Object.entries(req.headers)) if (!HOP_BY_HOP.has(k) && v !== undefined) headers[k] = v;
    headers.host = reg.host;
    if (auth === 'registry') {
      delete headers.authorization;
      const basic = reg.basicAuth();
      if (basic) headers.authorization = basic;
    }
    const up = https.request(`${reg.url}${pathAndQuery}`, { method: req.method, headers, agent }, (ures) => {
      const out: OutgoingHttpHeaders = {};
      for (const [k, v] of Object.entries(ures.headers as IncomingHttpHeaders)) if (!HOP_BY_HOP.has(k) && v !== undefined) out[k] = v;
      const loc = ures.headers.location;
      if (loc?.startsWith(reg.url)) out.location = proxyUrl + loc.slice(reg.url.length);
      if (body) return body(ures, out);
      res.writeHead(ures.statusCode ?? 502, out);
      ures.pipe(res);
    });
    up.on('error', (e) => {
      if (!res.headersSent) jsonError(res, 502, 'UNKNOWN', `proxy: upstream: ${e.message}`);
      else res.destroy();
    });
    res.on('close', () => {
      if (!res.writableFinished) up.destroy();
    });
    req.pipe(up);
  };

  /** Sends headers and `fraction` of the body, then calls `then` (destroy the socket, or hold it). */
  const cutBody = (res: ServerResponse, fraction: number, then: 'drop' | 'stall') => (up: IncomingMessage, headers: OutgoingHttpHeaders) => {
    const total = Number(up.headers['content-length'] ?? 0);
    const cut = Math.max(0, Math.min(total - 1, Math.floor(total * fraction)));
    res.writeHead(up.statusCode ?? 200, headers);
    let sent = 0;
    let cutDone = false;
    // The rest of the upstream body is read and discarded (the data handler ignores it), so the upstream
    // connection ends cleanly and goes back to the pool.
    const atCut = () => {
      cutDone = true;
      if (then === 'drop') setTimeout(() => res.destroy(), 20);
      else {
        held.add(res);
        res.once('close', () => held.delete(res));
      }
    };
    if (cut === 0) {
      res.flushHeaders();
      atCut();
      up.resume();
      return;
    }
    up.on('data', (chunk: Buffer) => {
      if (cutDone) return;
      const room = cut - sent;
      const part = chunk.length <= room ? chunk : chunk.subarray(0, room);
      sent += part.length;
      const reachedCut = sent >= cut;
      const ok = res.write(part, reachedCut ? () => atCut() : undefined);
      if (reachedCut) cutDone = true;
      else if (!ok) {
        up.pause();
        res.once('drain', () => up.resume());
      }
    });
    up.on('end', () => {
      if (!cutDone) res.end();
    });
  };

  const bearerRequired = () => mode.kind === 'bearer' || ('bearer' in mode && mode.bearer === true);
  const anonymousTokens = () => (mode.kind === 'bearer' && mode.anonymous) || tokenCreds === 'anonymous';

  const challenge = (res: ServerResponse, scope: string | undefined, error?: string) => {
    const parts = [`realm="${proxyUrl}/token"`, `service="${service}"`];
    if (scope) parts.push(`scope="${scope}"`);
    if (error) parts.push(`error="${error}"`);
    jsonError(res, 401, 'UNAUTHORIZED', 'authentication required', { 'www-authenticate': `Bearer ${parts.join(',')}` });
  };

  /** true when the request may pass; otherwise the 401 has been sent. */
  const checkBearer = (req: IncomingMessage, res: ServerResponse, p: string): boolean => {
    const m = REPO_PATH.exec(p);
    const action = req.method === 'GET' || req.method === 'HEAD' ? 'pull' : 'push';
    const scope = m ? `repository:${m[1]}:${action === 'pull' ? 'pull' : 'pull,push'}` : undefined;
    const h = /^bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '');
    const tok = h ? tokens.get(h[1]!) : undefined;
    if (!tok || tok.expires < Date.now()) {
      challenge(res, scope, h ? 'invalid_token' : undefined);
      return false;
    }
    if (m && !tok.access.get(m[1]!)?.has(action) && !tok.access.get(m[1]!)?.has('*')) {
      challenge(res, scope, 'insufficient_scope');
      return false;
    }
    return true;
  };

  const serveToken = async (req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> => {
    let scopes = url.searchParams.getAll('scope').flatMap((s) => s.split(' ')).filter(Boolean);
    let svc = url.searchParams.get('service') ?? undefined;
    let presented = parseBasic(req.headers.authorization);
    if (req.method === 'POST') {
      const form = new URLSearchParams(await readBody(req));
      scopes = (form.get('scope') ?? '').split(' ').filter(Boolean);
      svc = form.get('service') ?? svc;
      if (form.get('grant_type') === 'password') presented = { username: form.get('username') ?? '', password: form.get('password') ?? '' };
    }
    const rec: TokenRequestRecord = { method: req.method ?? 'GET', ...(svc ? { service: svc } : {}), scopes, ...(presented ? { user: presented.username } : {}), granted: false };
    tokenRequests.push(rec);
    const deny = (status: number, details: string) => {
      const body = JSON.stringify({ details });
      res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
      res.end(body);
    };
    if (svc !== undefined && svc !== service) return deny(400, `unknown service ${svc}`);
    // Docker Hub's rules: wrong credentials are refused even where anonymous pulls are allowed.
    if (presented && tokenCreds !== 'anonymous' && (presented.username !== tokenCreds.username || presented.password !== tokenCreds.password)) {
      return deny(401, 'incorrect username or password');
    }
    if (!presented && !anonymousTokens()) return deny(401, 'authentication required');
    const access = new Map<string, Set<string>>();
    for (const s of scopes) {
      const parsed = parseScope(s);
      if (!parsed) continue;
      const set = access.get(parsed[0]) ?? new Set<string>();
      for (const a of parsed[1]) set.add(a);
      access.set(parsed[0], set);
    }
    const token = `peapod-test-${randomBytes(24).toString('hex')}`;
    tokens.set(token, { access, expires: Date.now() + ttl * 1000 });
    rec.granted = true;
    const body = JSON.stringify({ token, access_token: token, expires_in: ttl, issued_at: new Date().toISOString() });
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
    res.end(body);
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const r = record('proxy', req, res);
    const url = new URL(req.url ?? '/', proxyUrl);
    const p = url.pathname;
    if (mode.kind === 'status' && (mode.path ?? /^\/v2\//).test(p) && takeFault(r)) {
      const extra: OutgoingHttpHeaders = mode.retryAfter !== undefined ? { 'retry-after': String(mode.retryAfter) } : {};
      const code = mode.status === 429 ? 'TOOMANYREQUESTS' : mode.status === 503 ? 'UNAVAILABLE' : 'UNKNOWN';
      return jsonError(res, mode.status, code, `injected ${mode.status}`, extra);
    }
    if (p === '/token') {
      if (req.method === 'GET' || req.method === 'POST') return serveToken(req, res, url);
      return jsonError(res, 405, 'UNSUPPORTED', 'method not allowed');
    }
    const bearer = bearerRequired();
    if (bearer && !checkBearer(req, res, p)) return;
    const auth = bearer ? 'registry' : 'client';
    const blob = req.method === 'GET' ? BLOB_GET.exec(p) : null;
    if (blob && mode.kind === 'redirect-blobs' && takeFault(r)) {
      const target = `/blobs/${blob[1]}/${blob[2]}`;
      const location = `${storeUrl}${target}?X-Amz-Expires=300&X-Amz-Signature=${sign(target)}`;
      res.writeHead(307, { location, 'content-length': 0 });
      return void res.end();
    }
    if (blob && (mode.kind === 'drop-mid-blob' || mode.kind === 'stall')) {
      const m = mode;
      return forward(req, res, auth, req.url ?? p, (up, headers) => {
        const big = Number(up.headers['content-length'] ?? 0) >= (m.minSize ?? 0);
        if ((up.statusCode === 200 || up.statusCode === 206) && big && takeFault(r)) {
          return cutBody(res, m.fraction ?? 0.5, m.kind === 'drop-mid-blob' ? 'drop' : 'stall')(up, headers);
        }
        res.writeHead(up.statusCode ?? 502, headers);
        up.pipe(res);
      });
    }
    forward(req, res, auth, req.url ?? p);
  };

  const handleStore = (req: IncomingMessage, res: ServerResponse): void => {
    record('blob-store', req, res);
    const url = new URL(req.url ?? '/', storeUrl);
    if (req.headers.authorization) {
      refusals++;
      const body = '<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>InvalidArgument</Code><Message>Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter, Signature query string parameter or the Authorization header should be specified</Message></Error>';
      res.writeHead(400, { 'content-type': 'application/xml', 'content-length': Buffer.byteLength(body) });
      return void res.end(body);
    }
    const m = /^\/blobs\/(.+)\/(sha256:[a-f0-9]{64})$/.exec(url.pathname);
    if (!m || (req.method !== 'GET' && req.method !== 'HEAD') || url.searchParams.get('X-Amz-Signature') !== sign(url.pathname)) {
      const body = '<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>AccessDenied</Code><Message>Access Denied</Message></Error>';
      res.writeHead(403, { 'content-type': 'application/xml', 'content-length': Buffer.byteLength(body) });
      return void res.end(body);
    }
    forward(req, res, 'registry', `/v2/${m[1]}/blobs/${m[2]}`, (up, headers) => {
      const out: OutgoingHttpHeaders = { 'content-type': 'application/octet-stream' };
      for (const k of ['content-length', 'content-range', 'accept-ranges', 'etag', 'last-modified']) if (headers[k] !== undefined) out[k] = headers[k];
      res.writeHead(up.statusCode ?? 502, out);
      up.pipe(res);
    });
  };

  const server = https.createServer({ cert: reg.tls.certPem, key: reg.tls.keyPem }, (req, res) => {
    handle(req, res).catch((e: Error) => {
      if (!res.headersSent) jsonError(res, 500, 'UNKNOWN', `proxy: ${e.message}`);
      else res.destroy();
    });
  });
  const store = https.createServer({ cert: reg.tls.certPem, key: reg.tls.keyPem }, handleStore);
  const port = await listen(server);
  const storePort = await listen(store).catch(async (e: Error) => {
    await new Promise<void>((r) => server.close(() => r()));
    throw e;
  });
  proxyUrl = `https://127.0.0.1:${port}`;
  storeUrl = `https://127.0.0.1:${storePort}`;

  const close = (s: https.Server) =>
    new Promise<void>((resolve) => {
      s.close(() => resolve());
      s.closeAllConnections();
    });

  const digestPath = (digest: string) => new RegExp(`/blobs/(.+/)?${digest}$`);
  let stopped: Promise<void> | undefined;

  return {
    host: `127.0.0.1:${port}`,
    url: proxyUrl,
    blobStoreUrl: storeUrl,
    get mode() {
      return mode;
    },
    setMode(m) {
      mode = m;
      resetCounter();
    },
    requests,
    tokenRequests,
    get faults() {
      return faults;
    },
    get blobStoreRefusals() {
      return refusals;
    },
    count(p, o = {}) {
      return requests.filter((r) => (typeof p === 'string' ? r.path === p : p.test(r.path)) && (!o.method || r.method === o.method) && (!o.server || r.server === o.server)).length;
    },
    blobGets(digest) {
      const re = digestPath(digest);
      return requests.filter((r) => r.server === 'proxy' && r.method === 'GET' && re.test(r.path)).length;
    },
    ranges(digest) {
      const re = digestPath(digest);
      return requests.filter((r) => r.method === 'GET' && re.test(r.path)).map((r) => r.range);
    },
    expireTokens() {
      for (const t of tokens.values()) t.expires = 0;
    },
    resetStats() {
      requests.length = 0;
      tokenRequests.length = 0;
      refusals = 0;
    },
    stop() {
      stopped ??= (async () => {
        for (const res of held) res.destroy();
        held.clear();
        await Promise.all([close(server), close(store)]);
        agent.destroy();
      })();
      return stopped;
    },
  };
}
