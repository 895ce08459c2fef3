// A session with one repository of one registry (OCI distribution / Docker Registry HTTP API v2), for one
// pull: manifests by tag or digest, blobs streamed to a file with digest and size verified on the way.
//
// - Endpoint: HTTPS always first. Plain HTTP only when the node allows it for that host (loopback or the
//   insecure list, see tls.ts) and the HTTPS attempt failed to connect or to handshake; docker.io is
//   reached at registry-1.docker.io, as docker does.
// - Auth: requests go out anonymously (or with what the last challenge taught); a 401 carries a
//   WWW-Authenticate challenge. Basic: send the credential. Bearer: fetch a token from the realm for
//   `repository:<path>:pull` (with the credential as basic auth when there is one) and send it. One retry
//   per request after authenticating; a second 401 is an auth failure.
// - Redirects (blob storage): followed up to 5 times; the Authorization header never crosses to another
//   host.
// - Retries with backoff on 5xx, 429 (Retry-After honoured), connection resets and stalls. A blob
//   download that breaks after some bytes resumes with a Range request when the registry supports it
//   (206), else starts over; the hash is carried across.

import { createHash, type Hash } from 'node:crypto';
import fs from 'node:fs/promises';
import http from 'node:http';
import https from 'node:https';
import { SystemClock } from '../../system/clock.js';
import type { Logger } from '../../system/logger.js';
import { hashBuffer } from '../blobs.js';
import { MediaType } from '../manifest.js';
import { parseChallenges, pullScope, tokenUrl, type Challenge } from './challenge.js';
import { RegistryError, asRegistryError, describe, readAll, retryAfterMs, roundTrip, type Response, type TlsConfig } from './transport.js';
import type { RegistryCredential } from './types.js';

/** What the node decides per registry host ("host:port"). */
export interface EndpointPolicy {
  /** TLS trust for the host, read at call time (certs.d). */
  tlsFor(host: string): Promise<TlsConfig>;
  /** Whether plain HTTP may be tried when HTTPS fails (loopback, or listed as insecure). */
  plainHttpAllowed(host: string): boolean;
}

export interface RetryPolicy {
  /** Attempts in all, including the first. */
  attempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

export interface SessionDeps {
  policy: EndpointPolicy;
  logger: Logger;
  retry: RetryPolicy;
  /** No headers or no body bytes for this long: the request is abandoned (and retried). */
  stallMs: number;
  onRetry?: (e: { digest?: string; attempt: number; delayMs: number; reason: string }) => void;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

export const MANIFEST_ACCEPT = [MediaType.ociIndex, MediaType.ociManifest, MediaType.dockerList, MediaType.dockerManifest].join(', ');
const MAX_MANIFEST = 4 << 20;
const MAX_TOKEN_RESPONSE = 1 << 20;

export interface FetchedManifest {
  bytes: Buffer;
  /** From Content-Type (may be empty; manifestKind() then looks at the document). */
  mediaType: string;
  digest: string;
}

/** The host a registry name is reached at. */
export function registryHost(domain: string): string {
  return domain === 'docker.io' ? 'registry-1.docker.io' : domain;
}

export class RegistrySession {
  private scheme: 'https:' | 'http:' = 'https:';
  private schemeDecided = false;
  private authorization?: string;
  private readonly agents = {
    https: new https.Agent({ keepAlive: true, maxSockets: 8 }),
    http: new http.Agent({ keepAlive: true, maxSockets: 8 }),
  };
  private readonly host: string;
  private tls?: TlsConfig;

  constructor(
    private readonly deps: SessionDeps,
    /** Registry name as in the reference ("docker.io", "127.0.0.1:5000"). */
    readonly domain: string,
    /** Repository path ("library/nginx"). */
    readonly repoPath: string,
    private readonly credential?: RegistryCredential,
  ) {
    this.host = registryHost(domain);
  }

  private refs = 1;

  /** Who the session acts as, for telling sessions apart (a hash, never the password). */
  get credentialId(): string {
    const c = this.credential;
    return c ? createHash('sha256').update(`${c.username}\0${c.password}`).digest('hex').slice(0, 16) : '';
  }

  /** Another user (a shared blob download) keeps the session open until it calls close() too. */
  retain(): this {
    this.refs++;
    return this;
  }

  /** Closes the connections once every user has called close(). */
  close(): void {
    if (--this.refs > 0) return;
    this.agents.https.destroy();
    this.agents.http.destroy();
  }

  /** GET a manifest by tag or digest; a digest reference is verified against the bytes. */
  async manifest(reference: string, signal?: AbortSignal): Promise<FetchedManifest> {
    return this.withRetries(undefined, signal, async () => {
      const res = await this.request('GET', `/v2/${this.repoPath}/manifests/${reference}`, { Accept: MANIFEST_ACCEPT }, signal);
      const bytes = await readAll(res.body, MAX_MANIFEST, `manifest ${this.repoPath}:${reference}`).catch((err) => {
        throw asRegistryError(err, { method: 'GET', url: this.url(`/v2/${this.repoPath}/manifests/${reference}`) });
      });
      const digest = hashBuffer(bytes);
      if (reference.startsWith('sha256:') && digest !== reference) {
        throw new RegistryError('invalid', `manifest ${this.domain}/${this.repoPath}@${reference}: digest mismatch: the registry sent content with digest ${digest}`);
      }
      const ct = String(res.headers['content-type'] ?? '').split(';')[0]!.trim();
      return { bytes, mediaType: ct === 'application/json' || ct === 'text/plain' ? '' : ct, digest };
    });
  }

  /** A small blob (an image config) in memory, verified. */
  async blobBytes(digest: string, size: number, signal?: AbortSignal): Promise<Buffer> {
    return this.withRetries(digest, signal, async () => {
      const res = await this.request('GET', `/v2/${this.repoPath}/blobs/${digest}`, {}, signal);
      const bytes = await readAll(res.body, Math.max(size, 0) || MAX_MANIFEST, `blob ${digest}`).catch((err) => {
        throw asRegistryError(err, { method: 'GET', url: this.url(`/v2/${this.repoPath}/blobs/${digest}`) });
      });
      verifyDigest(digest, size, createHash('sha256').update(bytes), bytes.length);
      return bytes;
    });
  }

  /**
   * Streams a blob into `file` (created or truncated), hashing on the way; resumes with Range after a
   * broken connection. Throws RegistryError 'invalid' on a size or digest mismatch (the file is then
   * left for the caller to delete).
   */
  async blobToFile(digest: string, size: number, file: string, opts: { signal?: AbortSignal; onBytes?: (n: number) => void } = {}): Promise<void> {
    let hash = createHash('sha256');
    let have = 0;
    const fh = await fs.open(file, 'w', 0o600);
    const startOver = async () => {
      hash = createHash('sha256');
      have = 0;
      await fh.truncate(0);
    };
    try {
      await this.withRetries(digest, opts.signal, async () => {
        if (size >= 0 && have === size) return; // every byte came before the connection broke: verify
        const headers: Record<string, string> = have > 0 ? { Range: `bytes=${have}-` } : {};
        let res: Response;
        try {
          res = await this.request('GET', `/v2/${this.repoPath}/blobs/${digest}`, headers, opts.signal);
        } catch (err) {
          if (have > 0 && err instanceof RegistryError && err.status === 416) {
            // The registry will not serve that range: start over.
            await startOver();
            throw new RegistryError('server', `blob ${digest}: range not satisfiable; starting over`);
          }
          throw err;
        }
        if (have > 0 && res.status !== 206) {
          // The registry ignored the Range: start over.
          await startOver();
          opts.onBytes?.(0);
        } else if (res.status === 206 && !String(res.headers['content-range'] ?? '').startsWith(`bytes ${have}-`)) {
          res.drain();
          await startOver();
          throw new RegistryError('server', `blob ${digest}: the registry answered the range request with another range`);
        }
        try {
          for await (const chunk of res.body) {
            const b = chunk as Buffer;
            if (size >= 0 && have + b.length > size) {
              res.body.destroy();
              throw new RegistryError('invalid', `blob ${digest}: the registry sent more than the ${size} bytes the manifest declares`);
            }
            await fh.write(b, 0, b.length, have);
            hash.update(b);
            have += b.length;
            opts.onBytes?.(have);
          }
        } catch (err) {
          if (err instanceof Error && 'code' in err && (err as NodeJS.ErrnoException).syscall === 'write') throw err; // local disk
          throw asRegistryError(err, { method: 'GET', url: this.url(`/v2/${this.repoPath}/blobs/${digest}`) });
        }
      }, () => have);
      verifyDigest(digest, size, hash, have);
    } finally {
      await fh.close();
    }
  }

  private url(p: string): URL {
    return new URL(`${this.scheme}//${this.host}${p}`);
  }

  private async tlsConfig(): Promise<TlsConfig> {
    this.tls ??= await this.deps.policy.tlsFor(this.domain);
    return this.tls;
  }

  /**
   * One logical request: endpoint choice, auth challenge, redirects. Resolves with a 2xx response whose
   * body the caller reads; anything else becomes a RegistryError.
   */
  private async request(method: 'GET', p: string, headers: Record<string, string>, signal?: AbortSignal): Promise<Response> {
    let authenticated = false;
    for (;;) {
      const { res, url } = await this.send(method, this.url(p), headers, signal);
      // Only the registry's own challenge is answered: a 401 from where a redirect led (blob storage, a
      // CDN) never gets the credentials.
      const fromRegistry = url.origin === this.url(p).origin;
      if (res.status === 401 && !authenticated && fromRegistry) {
        res.drain();
        await this.authenticate(parseChallenges(res.headers['www-authenticate']), signal);
        authenticated = true;
        continue;
      }
      if (res.status >= 200 && res.status < 300) return res;
      throw await statusError(res, method, url, fromRegistry ? this.credential : undefined);
    }
  }

  /**
   * Sends with the current Authorization, following redirects; picks the scheme on first contact.
   * Resolves with the response and the URL that gave it. Authorization goes only to the registry's own
   * origin (scheme, host and port); a redirect from HTTPS to plain HTTP is refused unless the node
   * allows plain HTTP for the registry. Redirect targets trust the registry's CAs too (a private blob
   * store), but get no client certificate.
   */
  private async send(method: 'GET', url: URL, headers: Record<string, string>, signal?: AbortSignal): Promise<{ res: Response; url: URL }> {
    const tls = await this.tlsConfig();
    let target = url;
    for (let hop = 0; hop <= 5; hop++) {
      const sameOrigin = target.origin === url.origin;
      const h = { ...headers, ...(sameOrigin && this.authorization ? { Authorization: this.authorization } : {}) };
      let res: Response;
      try {
        res = await roundTrip({ method, url: target, headers: h, tls: sameOrigin ? tls : tls.ca ? { ca: tls.ca } : {}, agent: target.protocol === 'https:' ? this.agents.https : this.agents.http, signal, stallMs: this.deps.stallMs });
      } catch (err) {
        const e = asRegistryError(err, { method, url: target });
        if (hop === 0 && !this.schemeDecided && e.connectFailure && this.deps.policy.plainHttpAllowed(this.domain)) {
          this.deps.logger.debug({ registry: this.domain, err: e.message }, 'HTTPS failed; trying plain HTTP (allowed for this registry)');
          this.scheme = 'http:';
          this.schemeDecided = true;
          target = this.url(url.pathname + url.search);
          url = target;
          continue;
        }
        throw e;
      }
      this.schemeDecided = true;
      if ([301, 302, 303, 307, 308].includes(res.status) && res.headers.location) {
        res.drain();
        const next = new URL(res.headers.location, target);
        if (target.protocol === 'https:' && next.protocol !== 'https:' && !this.deps.policy.plainHttpAllowed(this.domain)) {
          throw new RegistryError('invalid', `${method} ${describe(target)}: refusing a redirect from HTTPS to ${describe(next)}`);
        }
        target = next;
        continue;
      }
      return { res, url: target };
    }
    throw new RegistryError('server', `${method} ${describe(url)}: too many redirects`);
  }

  private async authenticate(challenges: Challenge[], signal?: AbortSignal): Promise<void> {
    const bearer = challenges.find((c) => c.scheme === 'bearer' && c.params.realm);
    const basic = challenges.find((c) => c.scheme === 'basic');
    const cred = this.credential;
    if (bearer) {
      this.authorization = `Bearer ${await this.fetchToken(bearer, signal)}`;
      return;
    }
    if (basic && cred) {
      this.authorization = basicAuthorization(cred);
      return;
    }
    if (basic) {
      throw new RegistryError('unauthorized', `${this.domain}: authentication required: the registry asks for a username and password and none were given (imagePullSecrets, or the node's config.json)`, { status: 401 });
    }
    throw new RegistryError('unauthorized', `${this.domain}: 401 Unauthorized without a usable WWW-Authenticate challenge`, { status: 401 });
  }

  private async fetchToken(ch: Challenge, signal?: AbortSignal): Promise<string> {
    const url = tokenUrl(ch, pullScope(this.repoPath));
    const cred = this.credential;
    if (url.protocol !== 'https:' && !(url.protocol === 'http:' && this.deps.policy.plainHttpAllowed(url.host))) {
      throw new RegistryError('unauthorized', `failed to authorize: refusing the token server ${describe(url)}: not HTTPS`);
    }
    const headers: Record<string, string> = {};
    if (cred) headers.Authorization = basicAuthorization(cred);
    const tls = url.host === this.host ? await this.tlsConfig() : await this.deps.policy.tlsFor(url.host);
    const res = await roundTrip({ method: 'GET', url, headers, tls, signal, stallMs: this.deps.stallMs });
    if (res.status !== 200) {
      res.drain();
      const who = cred ? ` with the credentials of ${cred.source ?? 'the given credentials'}` : ' anonymously';
      const kind = res.status >= 500 ? 'server' : 'unauthorized';
      throw new RegistryError(kind, `failed to authorize: failed to fetch ${cred ? 'oauth' : 'anonymous'} token${who}: unexpected status from GET request to ${describe(url)}: ${res.status} ${http.STATUS_CODES[res.status] ?? ''}`.trimEnd(), { status: res.status });
    }
    const body = await readAll(res.body, MAX_TOKEN_RESPONSE, 'token response');
    let doc: unknown;
    try {
      doc = JSON.parse(body.toString('utf8'));
    } catch {
      throw new RegistryError('unauthorized', `failed to authorize: the token server at ${describe(url)} answered with something that is not JSON`);
    }
    const d = doc as { token?: unknown; access_token?: unknown };
    const token = typeof d.token === 'string' && d.token ? d.token : typeof d.access_token === 'string' ? d.access_token : '';
    if (!token) throw new RegistryError('unauthorized', `failed to authorize: the token server at ${describe(url)} returned no token`);
    return token;
  }

  /**
   * Runs fn, retrying what a retry may cure. `progress()` (bytes so far) resets the count: a long
   * download on a link that breaks now and then goes on as long as each attempt gets further.
   */
  private async withRetries<T>(digest: string | undefined, signal: AbortSignal | undefined, fn: () => Promise<T>, progress?: () => number): Promise<T> {
    const { attempts, baseDelayMs, maxDelayMs } = this.deps.retry;
    let mark = progress?.() ?? 0;
    for (let attempt = 1; ; attempt++) {
      try {
        return await fn();
      } catch (err) {
        if (!(err instanceof RegistryError)) throw err; // a bug or a local failure (disk full): not the registry's
        const e = err;
        const now = progress?.() ?? 0;
        if (now > mark) {
          mark = now;
          attempt = 1;
        }
        if (!e.retryable || attempt >= attempts || signal?.aborted) throw e;
        const backoff = Math.min(maxDelayMs, baseDelayMs * 2 ** (attempt - 1));
        const delayMs = Math.min(30_000, Math.max(backoff, e.retryAfterMs ?? 0));
        this.deps.logger.debug({ registry: this.domain, digest, attempt, delayMs, err: e.message }, 'registry request failed; retrying');
        this.deps.onRetry?.({ ...(digest ? { digest } : {}), attempt, delayMs, reason: e.message });
        await (this.deps.sleep ?? sleep)(delayMs, signal);
      }
    }
  }
}

function basicAuthorization(cred: RegistryCredential): string {
  return `Basic ${Buffer.from(`${cred.username}:${cred.password}`).toString('base64')}`;
}

function verifyDigest(digest: string, size: number, hash: Hash, got: number): void {
  if (size >= 0 && got !== size) throw new RegistryError('invalid', `blob ${digest}: size mismatch: the manifest declares ${size} bytes, the registry sent ${got}`);
  const actual = `sha256:${hash.digest('hex')}`;
  if (actual !== digest) throw new RegistryError('invalid', `blob ${digest}: digest mismatch: the content has digest ${actual}`);
}

/** The RegistryError for a non-2xx answer, with the registry's own error message when it sent one. */
async function statusError(res: Response, method: string, url: URL, cred: RegistryCredential | undefined): Promise<RegistryError> {
  const status = res.status;
  let detail = '';
  try {
    const body = await readAll(res.body, 64 << 10, 'error body');
    detail = registryMessage(body.toString('utf8'));
  } catch {
    // the status line says enough
  }
  const line = `unexpected status from ${method} request to ${describe(url)}: ${status} ${http.STATUS_CODES[status] ?? ''}`.trimEnd();
  const msg = detail ? `${line}: ${detail}` : line;
  const retryAfter = retryAfterMs(res.headers['retry-after']);
  const opts = { status, ...(retryAfter !== undefined ? { retryAfterMs: retryAfter } : {}) };
  if (status === 401) {
    const who = cred ? ` (authentication failed with the credentials of ${cred.source ?? 'the given credentials'})` : '';
    return new RegistryError('unauthorized', `${msg}${who}`, opts);
  }
  if (status === 403) return new RegistryError('denied', msg, opts);
  if (status === 404) return new RegistryError('not-found', msg, opts);
  if (status === 429) return new RegistryError('too-many-requests', msg, opts);
  if (status >= 500) return new RegistryError('server', msg, opts);
  return new RegistryError('invalid', msg, opts);
}

/** "MANIFEST_UNKNOWN: manifest unknown" from the distribution error envelope, else a short body. */
export function registryMessage(body: string): string {
  try {
    const doc = JSON.parse(body) as { errors?: { code?: unknown; message?: unknown }[] };
    if (Array.isArray(doc.errors) && doc.errors.length > 0) {
      return doc.errors
        .map((e) => [typeof e.code === 'string' ? e.code.toLowerCase() : '', typeof e.message === 'string' ? e.message : ''].filter(Boolean).join(': '))
        .filter(Boolean)
        .join('; ');
    }
  } catch {
    // not JSON
  }
  const text = body.replace(/\s+/g, ' ').trim();
  return text.length > 200 ? `${text.slice(0, 200)}…` : text;
}

const systemClock = new SystemClock();

/** The clock's sleep, a cancellation reported as the pull's. */
function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return systemClock.sleep(ms, signal).catch(() => {
    throw new RegistryError('canceled', 'pull canceled');
  });
}
