// One HTTP GET as the kubelet's probe and hook clients make it (pod-lifecycle.md §7, §8): no keep-alive,
// no TLS verification, at most 10 KiB of the body read, redirects followed only while they stay on the
// same host (up to 10). Errors are worded as Go's net/http words them, since users compare them with
// what a cluster shows ("Get \"http://…\": dial tcp …: connect: connection refused").
//
// Plain HTTP, the probes' common case, is spoken directly on a socket (requestPlain): a probe every second
// for every container adds up, and node's http client costs several times the request itself. HTTPS goes
// through node's https client.

import http from 'node:http';
import https from 'node:https';
import net from 'node:net';

export const MAX_BODY_BYTES = 10 * 1024;
/** One read's worth: a probe's whole answer usually fits. */
const READ_CHUNK = 16 * 1024;
const MAX_REDIRECTS = 10;

export interface HttpGetRequest {
  url: URL;
  /** Extra headers in order; a Host header sets the virtual host. */
  headers: { name: string; value: string }[];
  timeoutMs: number;
  /** kube-probe/1.33 for probes, kube-lifecycle/1.33 for hooks; a User-Agent header overrides it. */
  userAgent: string;
  /** Follow a redirect to another host (hooks) or stop at it (probes). */
  followCrossHost: boolean;
  signal?: AbortSignal;
}

export type HttpGetOutcome =
  | { ok: true; statusCode: number; body: string; /** The redirect that was not followed (another host). */ crossHostRedirect?: boolean }
  | { ok: false; error: string; /** An HTTPS request answered in plain HTTP (lifecycle hooks retry over HTTP). */ httpAnswer?: boolean };

const goUrl = (u: URL) => `Get "${u.href}"`;

function dialError(err: NodeJS.ErrnoException, u: URL): string {
  const port = u.port || (u.protocol === 'https:' ? '443' : '80');
  const host = u.hostname.includes(':') ? `[${u.hostname.replace(/^\[|\]$/g, '')}]` : u.hostname;
  const addr = `${host}:${port}`;
  switch (err.code) {
    case 'ECONNREFUSED':
      return `${goUrl(u)}: dial tcp ${addr}: connect: connection refused`;
    case 'EHOSTUNREACH':
      return `${goUrl(u)}: dial tcp ${addr}: connect: no route to host`;
    case 'ENETUNREACH':
      return `${goUrl(u)}: dial tcp ${addr}: connect: network is unreachable`;
    case 'ECONNRESET':
      return `${goUrl(u)}: read tcp ${addr}: read: connection reset by peer`;
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `${goUrl(u)}: dial tcp: lookup ${u.hostname}: no such host`;
    default:
      return `${goUrl(u)}: ${err.message}`;
  }
}

type Answer = { statusCode: number; location?: string; body: string } | { error: string; httpAnswer?: boolean };

/** The request headers: defaults, the probe's own (a name given again replaces the default), Host last. */
function requestHeaders(u: URL, req: HttpGetRequest): Record<string, string> {
  const headers: Record<string, string> = { 'User-Agent': req.userAgent, Accept: '*/*', Connection: 'close' };
  let host: string | undefined;
  for (const h of req.headers) {
    if (h.name.toLowerCase() === 'host') host = h.value;
    else {
      for (const k of Object.keys(headers)) if (k.toLowerCase() === h.name.toLowerCase()) delete headers[k];
      headers[h.name] = h.value;
    }
  }
  headers.Host = host ?? u.host;
  return headers;
}

/** Reads an HTTP/1.x response head; undefined until the blank line has arrived. */
export function parseHead(buf: Buffer): { statusCode: number; headers: Map<string, string>; bodyStart: number } | { malformed: string } | undefined {
  const end = buf.indexOf('\r\n\r\n');
  if (end < 0) return buf.length > 64 * 1024 ? { malformed: 'response head too large' } : undefined;
  const lines = buf.subarray(0, end).toString('latin1').split('\r\n');
  const m = /^HTTP\/1\.[01] (\d{3})(?: .*)?$/.exec(lines[0] ?? '');
  if (!m) return { malformed: `malformed HTTP response ${JSON.stringify((lines[0] ?? '').slice(0, 40))}` };
  const headers = new Map<string, string>();
  for (const l of lines.slice(1)) {
    const colon = l.indexOf(':');
    if (colon > 0) headers.set(l.slice(0, colon).trim().toLowerCase(), l.slice(colon + 1).trim());
  }
  return { statusCode: Number(m[1]), headers, bodyStart: end + 4 };
}

/** Decodes as much of a chunked body as has arrived; `done` once the last chunk is in. */
export function dechunk(buf: Buffer): { body: Buffer; done: boolean } {
  const parts: Buffer[] = [];
  let i = 0;
  for (;;) {
    const eol = buf.indexOf('\r\n', i);
    if (eol < 0) return { body: Buffer.concat(parts), done: false };
    const size = parseInt(buf.subarray(i, eol).toString('latin1').split(';')[0]!, 16);
    if (!Number.isFinite(size)) return { body: Buffer.concat(parts), done: true };
    if (size === 0) return { body: Buffer.concat(parts), done: true };
    const start = eol + 2;
    parts.push(buf.subarray(start, Math.min(buf.length, start + size)));
    if (start + size + 2 > buf.length) return { body: Buffer.concat(parts), done: false };
    i = start + size + 2;
  }
}

/** One plain-HTTP GET on its own connection: the head, then the body up to MAX_BODY_BYTES. */
function requestPlain(u: URL, req: HttpGetRequest, deadline: number): Promise<Answer> {
  return new Promise((resolve) => {
    const headers = requestHeaders(u, req);
    let head = `GET ${u.pathname}${u.search} HTTP/1.1\r\n`;
    for (const [k, v] of Object.entries(headers)) head += `${k}: ${v}\r\n`;
    head += '\r\n';
    const port = Number(u.port || 80);
    const host = u.hostname.replace(/^\[|\]$/g, '');
    let done = false;
    let buf: Buffer = Buffer.alloc(0);
    let parsed: { statusCode: number; headers: Map<string, string>; bodyStart: number } | undefined;
    const onData = (c: Buffer) => {
      buf = buf.length ? Buffer.concat([buf, c]) : c;
      if (!parsed) {
        const h = parseHead(buf);
        if (!h) return;
        if ('malformed' in h) return finish({ error: `${goUrl(u)}: ${h.malformed}` });
        parsed = h;
      }
      answer(false);
    };
    // Reads land in one scratch buffer and are copied out (no stream machinery per chunk).
    const scratch = Buffer.allocUnsafe(READ_CHUNK);
    const sock = net.connect({ host, port, onread: { buffer: scratch, callback: (n: number) => {
      onData(Buffer.from(scratch.subarray(0, n)));
      return true;
    } } });
    const finish = (v: Answer) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      req.signal?.removeEventListener('abort', onAbort);
      // A reset, not a FIN, as the kubelet's probe dialer (SO_LINGER): no TIME_WAIT per probe.
      if (sock.readyState === 'open' || sock.readyState === 'readOnly' || sock.readyState === 'writeOnly') sock.resetAndDestroy();
      else sock.destroy();
      resolve(v);
    };
    const answer = (complete: boolean) => {
      if (!parsed) return;
      const raw = buf.subarray(parsed.bodyStart);
      const chunked = (parsed.headers.get('transfer-encoding') ?? '').toLowerCase().includes('chunked');
      const length = Number(parsed.headers.get('content-length') ?? NaN);
      let body: Buffer;
      let enough = complete;
      if (chunked) {
        const d = dechunk(raw);
        body = d.body;
        enough ||= d.done;
      } else {
        body = Number.isFinite(length) ? raw.subarray(0, length) : raw;
        enough ||= Number.isFinite(length) && raw.length >= length;
      }
      if (body.length >= MAX_BODY_BYTES) enough = true;
      if (!enough) return;
      const location = parsed.headers.get('location');
      finish({ statusCode: parsed.statusCode, ...(location ? { location } : {}), body: body.subarray(0, MAX_BODY_BYTES).toString('utf8') });
    };
    const timer = setTimeout(
      () => finish({ error: `${goUrl(u)}: context deadline exceeded (Client.Timeout exceeded while awaiting headers)` }),
      Math.max(1, deadline - Date.now()),
    );
    const onAbort = () => finish({ error: `${goUrl(u)}: context canceled` });
    req.signal?.addEventListener('abort', onAbort, { once: true });
    sock.once('connect', () => sock.write(head, 'latin1'));
    sock.once('end', () => (parsed ? answer(true) : finish({ error: `${goUrl(u)}: EOF` })));
    sock.once('error', (err: NodeJS.ErrnoException) => (parsed ? answer(true) : finish({ error: dialError(err, u) })));
  });
}

function requestOnce(u: URL, req: HttpGetRequest, deadline: number): Promise<Answer> {
  if (u.protocol === 'http:') return requestPlain(u, req, deadline);
  return new Promise((resolve) => {
    const headers = requestHeaders(u, req);
    const mod = u.protocol === 'https:' ? https : http;
    const remaining = Math.max(1, deadline - Date.now());
    let done = false;
    const finish = (v: Answer) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      req.signal?.removeEventListener('abort', onAbort);
      r.destroy();
      resolve(v);
    };
    const r = mod.get(
      u,
      { headers, agent: false, ...(u.protocol === 'https:' ? { rejectUnauthorized: false } : {}) },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        const end = () =>
          finish({ statusCode: res.statusCode ?? 0, ...(res.headers.location ? { location: res.headers.location } : {}), body: Buffer.concat(chunks).toString('utf8') });
        res.on('data', (c: Buffer) => {
          if (size >= MAX_BODY_BYTES) return;
          const part = c.subarray(0, MAX_BODY_BYTES - size);
          chunks.push(part);
          size += part.length;
          if (size >= MAX_BODY_BYTES) end();
        });
        res.on('end', end);
        res.on('error', end);
      },
    );
    const timer = setTimeout(
      () => finish({ error: `${goUrl(u)}: context deadline exceeded (Client.Timeout exceeded while awaiting headers)` }),
      remaining,
    );
    const onAbort = () => finish({ error: `${goUrl(u)}: context canceled` });
    req.signal?.addEventListener('abort', onAbort, { once: true });
    r.on('error', (err: NodeJS.ErrnoException) => {
      // OpenSSL's words for a server that answered the TLS hello in plain HTTP.
      if (err.code === 'ERR_SSL_WRONG_VERSION_NUMBER' || /wrong version number/i.test(err.message)) {
        return finish({ error: `${goUrl(u)}: http: server gave HTTP response to HTTPS client`, httpAnswer: true });
      }
      finish({ error: dialError(err, u) });
    });
  });
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);

/** GETs `req.url`, following redirects as described in the header. Never throws. */
export async function httpGet(req: HttpGetRequest): Promise<HttpGetOutcome> {
  const deadline = Date.now() + req.timeoutMs;
  let url = req.url;
  for (let hops = 0; ; hops++) {
    const r = await requestOnce(url, req, deadline);
    if ('error' in r) return { ok: false, error: r.error, ...(r.httpAnswer ? { httpAnswer: true } : {}) };
    if (!REDIRECTS.has(r.statusCode) || !r.location) return { ok: true, statusCode: r.statusCode, body: r.body };
    let next: URL;
    try {
      next = new URL(r.location, url);
    } catch {
      return { ok: false, error: `${goUrl(url)}: failed to parse Location header "${r.location}"` };
    }
    if (!req.followCrossHost && next.hostname !== req.url.hostname) {
      return { ok: true, statusCode: r.statusCode, body: r.body, crossHostRedirect: true };
    }
    if (hops + 1 >= MAX_REDIRECTS) return { ok: false, error: `Get "${next.href}": stopped after ${MAX_REDIRECTS} redirects` };
    url = next;
  }
}
