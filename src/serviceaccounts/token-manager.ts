// The kubelet's service account token manager (pkg/kubelet/token): projected serviceAccountToken
// volumes get their tokens through it. A token is cached by what was asked (account, namespace,
// audiences, lifetime, bound pod) and issued again once it is older than 80% of its lifetime or 24
// hours, each less a jitter of up to 10 s so that many pods do not refresh at once. When a refresh
// fails, the cached token serves while it is still valid. Expired tokens are dropped before each
// request (upstream sweeps them every minute), so a failed refresh past the expiry fails as a first
// fetch would. Tokens of a pod are forgotten with it.
//
//   issued ──────────── 80% of TTL (or 24 h) − jitter ──────── exp
//   │ cached token served │ refresh on the next request  │ dropped: a failing refresh is an error

import type { IssuedToken, TokenRequestSpec } from './issuer.js';
import { errorMessage } from '../errors.js';

/** kubelet's maxTTL and maxJitter. */
export const MAX_TOKEN_TTL_MS = 24 * 3600 * 1000;
export const MAX_JITTER_MS = 10_000;

export type IssueToken = (namespace: string, name: string, spec: TokenRequestSpec) => IssuedToken;

/**
 * Whether a cached token is due to be issued again at `nowMs`: past 24 h after issue or within 20% of
 * its lifetime of expiring, both brought forward by `jitterMs`.
 */
export function requiresRefresh(t: IssuedToken, nowMs: number, jitterMs: number): boolean {
  const exp = Date.parse(t.expirationTimestamp);
  const ttlMs = t.spec.expirationSeconds * 1000;
  const iat = exp - ttlMs;
  if (nowMs > iat + MAX_TOKEN_TTL_MS - jitterMs) return true;
  return nowMs > exp - Math.floor(t.spec.expirationSeconds * 20 / 100) * 1000 - jitterMs;
}

function expired(t: IssuedToken, nowMs: number): boolean {
  return nowMs > Date.parse(t.expirationTimestamp);
}

function keyOf(namespace: string, name: string, spec: TokenRequestSpec): string {
  return JSON.stringify([name, namespace, spec.audiences ?? [], spec.expirationSeconds ?? null, spec.boundObjectRef?.uid ?? '']);
}

export interface TokenManagerOptions {
  issue: IssueToken;
  /** Unix ms. */
  now: () => number;
  /** A number in [0, 1) (default Math.random): how much of the 10 s jitter applies. */
  random?: () => number;
}

export class TokenManager {
  private readonly cache = new Map<string, IssuedToken>();

  constructor(private readonly o: TokenManagerOptions) {}

  /** A valid token for the request: the cached one unless it is due for refresh. */
  getServiceAccountToken(namespace: string, name: string, spec: TokenRequestSpec): IssuedToken {
    const now = this.o.now();
    this.dropExpired(now);
    const key = keyOf(namespace, name, spec);
    const cached = this.cache.get(key);
    const jitter = Math.floor((this.o.random ?? Math.random)() * (MAX_JITTER_MS / 1000)) * 1000;
    if (cached && !requiresRefresh(cached, now, jitter)) return cached;
    let fresh: IssuedToken;
    try {
      fresh = this.o.issue(namespace, name, spec);
    } catch (err) {
      // dropExpired leaves only a valid cached token.
      if (!cached) throw new Error(`failed to fetch token: ${errorMessage(err)}`, { cause: err });
      return cached;
    }
    this.cache.set(key, fresh);
    return fresh;
  }

  /** Forgets the tokens bound to the pod (DeleteServiceAccountToken). */
  deletePodTokens(podUid: string): void {
    for (const [k, t] of this.cache) if (t.spec.boundObjectRef?.uid === podUid) this.cache.delete(k);
  }

  /** How many tokens are cached (for tests and metrics). */
  get size(): number {
    return this.cache.size;
  }

  private dropExpired(now: number): void {
    for (const [k, t] of this.cache) if (expired(t, now)) this.cache.delete(k);
  }
}
