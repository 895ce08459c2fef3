// One HTTP round trip to a registry over node:https (or node:http for a registry that may be reached in
// plain text): no redirects, no auth, no retries here — the session (client.ts) decides those. What this
// adds to node:https is what a pull needs: a deadline on the response headers, a stall timer on the body
// (a download that stops sending is noticed, not waited on forever), cancellation by AbortSignal, and
// errors sorted into "retry may help" and "it will not".

import http from 'node:http';
import https from 'node:https';
import { Transform, pipeline, type Readable } from 'node:stream';

/** TLS settings for one registry host (from certs.d, see tls.ts); undefined fields keep Node's defaults. */
export interface TlsConfig {
  ca?: (string | Buffer)[];
  cert?: string | Buffer;
  key?: string | Buffer;
  /** False only for registries listed as insecure by the node's administrator. */
  rejectUnauthorized?: boolean;
}

export type RegistryErrorKind =
  | 'unauthorized' // 401 after authenticating, or credentials required and none given
  | 'denied' // 403
  | 'not-found' // 404: unknown repository, tag, manifest or blob
  | 'invalid' // a manifest or config we cannot use, a size or digest that does not match
  | 'too-many-requests' // 429
  | 'server' // 5xx
  | 'network' // reset, refused, TLS failure, DNS
  | 'stalled' // no bytes for the stall timeout
  | 'canceled';

/** A failed registry operation. Messages never carry credentials or tokens. */
export class RegistryError extends Error {
  readonly kind: RegistryErrorKind;
  readonly status?: number;
  /** From a Retry-After header, when the registry sent one. */
  readonly retryAfterMs?: number;
  /** Network-level: the TLS handshake or TCP connect failed (a plain-HTTP fallback may help). */
  readonly connectFailure: boolean;
  /** Nobody answers there, or the name does not resolve, or its certificate is refused: retrying now will not help. */
  readonly unreachable: boolean;
  constructor(kind: RegistryErrorKind, message: string, opts: { status?: number; retryAfterMs?: number; connectFailure?: boolean; unreachable?: boolean; cause?: unknown } = {}) {
    super(message, opts.cause !== undefined ? { cause: opts.cause } : undefined);
    this.name = 'RegistryError';
    this.kind = kind;
    if (opts.status !== undefined) this.status = opts.status;
    if (opts.retryAfterMs !== undefined) this.retryAfterMs = opts.retryAfterMs;
    this.connectFailure = opts.connectFailure ?? false;
    this.unreachable = opts.unreachable ?? false;
  }

  /** Whether trying again later might succeed. */
  get retryable(): boolean {
    return this.kind === 'server' || this.kind === 'too-many-requests' || (this.kind === 'network' && !this.unreachable) || this.kind === 'stalled';
  }
}

export interface RoundTrip {
  method: 'GET';
  url: URL;
  headers: Record<string, string>;
  tls: TlsConfig;
  agent?: http.Agent;
  signal?: AbortSignal;
  /** Milliseconds to wait for the response headers, and between two chunks of the body. */
  stallMs: number;
}

export interface Response {
  status: number;
  headers: http.IncomingHttpHeaders;
  /** The body; call `drain()` when it is not read. The stall timer keeps running while it is read. */
  body: Readable;
  drain(): void;
}

const UNREACHABLE_CODES = new Set(['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND']);

/** Sends one request; resolves once the headers arrived. Network failures reject with a RegistryError. */
export function roundTrip(rt: RoundTrip): Promise<Response> {
  return new Promise<Response>((resolve, reject) => {
    if (rt.signal?.aborted) return reject(canceled(rt));
    const isHttps = rt.url.protocol === 'https:';
    const opts: https.RequestOptions = {
      method: rt.method,
      headers: { 'User-Agent': 'peapod', ...rt.headers },
      ...(rt.agent ? { agent: rt.agent } : {}),
    };
    if (isHttps) {
      if (rt.tls.ca) opts.ca = rt.tls.ca;
      if (rt.tls.cert) opts.cert = rt.tls.cert;
      if (rt.tls.key) opts.key = rt.tls.key;
      if (rt.tls.rejectUnauthorized === false) opts.rejectUnauthorized = false;
    }
    let settled = false;
    let gotHeaders = false;
    let timer: NodeJS.Timeout | undefined;
    let resRef: http.IncomingMessage | undefined;
    // After the headers, errors are delivered on the body stream itself, as RegistryErrors.
    const fail = (err: RegistryError) => (resRef ? resRef.destroy(err) : req.destroy(err));
    const req = (isHttps ? https : http).request(rt.url, opts);
    const arm = () => {
      if (timer) clearTimeout(timer);
      timer = setTimeout(() => {
        const what = gotHeaders ? 'no data' : 'no response';
        fail(new RegistryError('stalled', `${rt.method} ${describe(rt.url)}: ${what} for ${Math.round(rt.stallMs / 1000)}s`));
      }, rt.stallMs);
      timer.unref?.();
    };
    const onAbort = () => fail(canceled(rt));
    rt.signal?.addEventListener('abort', onAbort, { once: true });
    const cleanup = () => {
      if (timer) clearTimeout(timer);
      rt.signal?.removeEventListener('abort', onAbort);
    };
    req.on('error', (err) => {
      cleanup();
      if (!settled) {
        settled = true;
        reject(asRegistryError(err, rt, !gotHeaders));
      }
    });
    req.on('response', (res) => {
      gotHeaders = true;
      settled = true;
      arm();
      resRef = res;
      // The stall timer is re-armed by every chunk that passes; errors (stall, abort, reset) reach the
      // reader through the pipeline.
      const body = new Transform({
        transform(chunk: Buffer, _enc, cb) {
          arm();
          cb(null, chunk);
        },
      });
      pipeline(res, body, (err) => {
        cleanup();
        void err;
      });
      resolve({
        status: res.statusCode ?? 0,
        headers: res.headers,
        body,
        drain: () => {
          body.on('error', () => undefined);
          body.resume();
        },
      });
    });
    arm();
    req.end();
  });
}

function canceled(rt: RoundTrip): RegistryError {
  return new RegistryError('canceled', `${rt.method} ${describe(rt.url)}: canceled`);
}

/** The error a failed request or body read turns into (already-sorted RegistryErrors pass through). */
export function asRegistryError(err: unknown, rt: { method: string; url: URL }, beforeHeaders = false): RegistryError {
  if (err instanceof RegistryError) return err;
  const e = err as NodeJS.ErrnoException;
  const code = e?.code ?? '';
  // A server that speaks plain HTTP answers a TLS hello with text: "wrong version number".
  const plainServer = code === 'ERR_SSL_WRONG_VERSION_NUMBER' || /wrong version number/i.test(e?.message ?? '');
  const tlsFailure = !plainServer && (/CERT|SSL|TLS|SELF_SIGNED|UNABLE_TO_VERIFY|ERR_TLS/.test(code) || /certificate/i.test(e?.message ?? ''));
  // Plain HTTP may help only when the server speaks it, or nobody listens for TLS; never after a
  // certificate was refused (that error is the one to report).
  const connectFailure = beforeHeaders && (plainServer || code === 'ECONNREFUSED');
  const detail = plainServer
    ? 'the server speaks plain HTTP, not HTTPS (plain HTTP is used only for loopback registries and those named with serve --insecure-registry)'
    : tlsFailure
      ? `tls: ${e.message}`
      : e?.message ?? String(err);
  const unreachable = beforeHeaders && (UNREACHABLE_CODES.has(code) || tlsFailure || plainServer);
  return new RegistryError('network', `${rt.method} ${describe(rt.url)}: ${detail}`, { connectFailure, unreachable, cause: err });
}

/** A URL for messages: scheme, host and path only (never a query, which may carry a token). */
export function describe(url: URL): string {
  return `${url.protocol}//${url.host}${url.pathname}`;
}

/** Retry-After as milliseconds (seconds or an HTTP date); undefined when absent or unusable. */
export function retryAfterMs(header: string | string[] | undefined, now = Date.now()): number | undefined {
  const v = Array.isArray(header) ? header[0] : header;
  if (!v) return undefined;
  if (/^\d+$/.test(v.trim())) return Number(v.trim()) * 1000;
  const t = Date.parse(v);
  return Number.isNaN(t) ? undefined : Math.max(0, t - now);
}

/** Reads a whole body, refusing more than `max` bytes. */
export async function readAll(body: Readable, max: number, what: string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let n = 0;
  for await (const c of body) {
    const b = c as Buffer;
    n += b.length;
    if (n > max) {
      body.destroy();
      throw new RegistryError('invalid', `${what}: larger than ${max} bytes`);
    }
    chunks.push(b);
  }
  return Buffer.concat(chunks);
}
