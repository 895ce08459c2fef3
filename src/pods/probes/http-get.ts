// One HTTP GET as the kubelet's probe and hook clients make it (pod-lifecycle.md §7, §8): no keep-alive,
// no TLS verification, at most 10 KiB of the body read, redirects followed only while they stay on the
// same host (up to 10). Errors are worded as Go's net/http words them, since users compare them with
// what a cluster shows ("Get \"http://…\": dial tcp …: connect: connection refused").

import http from 'node:http';
import https from 'node:https';

export const MAX_BODY_BYTES = 10 * 1024;
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
  | { ok: false; error: string };

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

function requestOnce(u: URL, req: HttpGetRequest, deadline: number): Promise<{ statusCode: number; location?: string; body: string } | { error: string }> {
  return new Promise((resolve) => {
    const headers: Record<string, string> = { 'User-Agent': req.userAgent, Accept: '*/*', Connection: 'close' };
    let host: string | undefined;
    for (const h of req.headers) {
      if (h.name.toLowerCase() === 'host') host = h.value;
      else {
        for (const k of Object.keys(headers)) if (k.toLowerCase() === h.name.toLowerCase()) delete headers[k];
        headers[h.name] = h.value;
      }
    }
    if (host) headers.Host = host;
    const mod = u.protocol === 'https:' ? https : http;
    const remaining = Math.max(1, deadline - Date.now());
    let done = false;
    const finish = (v: { statusCode: number; location?: string; body: string } | { error: string }) => {
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
    r.on('error', (err: NodeJS.ErrnoException) => finish({ error: dialError(err, u) }));
  });
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);

/** GETs `req.url`, following redirects as described in the header. Never throws. */
export async function httpGet(req: HttpGetRequest): Promise<HttpGetOutcome> {
  const deadline = Date.now() + req.timeoutMs;
  let url = req.url;
  for (let hops = 0; ; hops++) {
    const r = await requestOnce(url, req, deadline);
    if ('error' in r) return { ok: false, error: r.error };
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
