// The security stage of the request pipeline, between accepting a request and dispatching it: who is
// asking (authentication), what they ask (request attributes), and whether they may (authorization).
// Every route, stream and upgrade goes through check(); the handlers read the user from the context.
// Anonymous requests that the policy does not allow get 401 (log in), authenticated ones 403.

import { X509Certificate } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { TLSSocket } from 'node:tls';
import { unauthorizedError } from './forbidden.js';
import { authenticate, type JwtAuthenticator, type PeerCertificate, type TokenTable } from './authn.js';
import { crossSiteReason, DASHBOARD_HEADER, SECRET_PROTOCOL_PREFIX, sessionCookies, sessionPath, type DashboardSessions } from './dashboard-sessions.js';
import type { Authorizer, RequestAttributes, UserInfo } from './types.js';
import type { RuleResolver } from './authorizer.js';

export interface SecurityStageOptions {
  tokens: TokenTable;
  /** Service account tokens (JWTs of this API's issuer); none are accepted without it. */
  serviceAccountTokens?: JwtAuthenticator;
  /** Decides requests, and lists a user's rules for SelfSubjectRulesReview. */
  authorizer: Authorizer & RuleResolver;
  /** The apiserver's RequestInfo: method and path → attributes. */
  attributes: (user: UserInfo, method: string, path: string, query: URLSearchParams) => RequestAttributes;
  /** The 403 for a denied request, as kube-apiserver words it. */
  forbidden: (attrs: RequestAttributes, reason: string) => Error;
  /** How the client certificate is read; the TLS socket's, verified again per request, by default (tests inject one). */
  peerOf?: (req: IncomingMessage) => PeerCertificate | undefined;
  /** Unix ms, for the certificate's validity on every request. */
  now: () => number;
  /** Dashboard sessions: a request with neither certificate nor token may present one as a cookie. */
  sessions?: DashboardSessions;
}

/** Verified chains by certificate fingerprint, so a request costs a map lookup, not a signature check. */
const VERIFIED_CACHE_MAX = 1024;

export interface Admitted {
  user: UserInfo;
  attrs: RequestAttributes;
  /** How the user was told: a client certificate, a bearer token, a dashboard session cookie, or none. */
  method: 'x509' | 'token' | 'anonymous' | 'session';
}

export class SecurityStage {
  private clientCa?: X509Certificate;
  private readonly verified = new Map<string, boolean>();
  private readonly peers = new WeakMap<TLSSocket, ConnectionPeer | null>();

  constructor(private readonly opts: SecurityStageOptions) {}

  /** The CA client certificates must chain to (set by the server at start and at every renewal). */
  trustClientCa(pem: string): void {
    this.clientCa = new X509Certificate(pem);
    this.verified.clear();
  }

  /** The user and attributes of an allowed request; throws the 401 or 403 otherwise. */
  check(req: IncomingMessage, method: string, path: string, query: URLSearchParams): Admitted {
    const peer = this.opts.peerOf ? this.opts.peerOf(req) : this.tlsPeer(req);
    const header = req.headers.authorization;
    let who = authenticate({ authorization: Array.isArray(header) ? header[0] : header, peer, tokens: this.opts.tokens, serviceAccountTokens: this.opts.serviceAccountTokens });
    if (!who.ok) throw Object.assign(unauthorizedError(), { authFailure: who.reason });
    // Without a certificate or a token, on the API's paths, a dashboard session (the page's requests): its
    // cookie with its page secret in the dashboard's header, from this server's own page. Anything less and
    // the cookie is ignored: the request is anonymous (a stale cookie never locks a browser out of the page,
    // its login or health).
    const cookies = who.method === 'anonymous' && this.opts.sessions && sessionPath(path) ? sessionCookies(req.headers.cookie) : [];
    if (cookies.length > 0) {
      const secret = pageSecretOf(req);
      const fetchSite = req.headers['sec-fetch-site'];
      const crossSite = crossSiteReason({
        ...(req.headers.origin !== undefined ? { origin: req.headers.origin } : {}),
        ...(req.headers.host !== undefined ? { host: req.headers.host } : {}),
        ...(typeof fetchSite === 'string' ? { fetchSite } : {}),
      });
      const user = crossSite ? undefined : this.opts.sessions!.userOf(cookies, secret);
      if (user) who = { ok: true, method: 'session', user };
    }
    const attrs = this.opts.attributes(who.user, method, path, query);
    const decision = this.opts.authorizer.authorize(attrs);
    if (!decision.allowed) {
      if (who.method === 'anonymous') throw unauthorizedError();
      throw this.opts.forbidden(attrs, decision.reason);
    }
    return { user: who.user, attrs, method: who.method };
  }

  /** The dashboard's login tokens and sessions (dashboard-sessions.ts), when the stage takes them. */
  get sessions(): DashboardSessions | undefined {
    return this.opts.sessions;
  }

  /** For SubjectAccessReviews: the same authorizer the stage uses. */
  get authorizer(): Authorizer & RuleResolver {
    return this.opts.authorizer;
  }

  /**
   * The client certificate of this request's connection, verified here again on every request: chain to
   * the current client CA and validity now. Node's `authorized` flag alone is not enough: it is set once
   * per connection and never cleared, and a resumed TLS session skips the date check. What the
   * certificate says is read once per connection (renegotiation is off, so it cannot change under it).
   */
  private tlsPeer(req: IncomingMessage): PeerCertificate | undefined {
    const sock = req.socket as TLSSocket;
    if (!sock.encrypted || typeof sock.getPeerCertificate !== 'function') return undefined;
    let peer = this.peers.get(sock);
    if (peer === undefined) {
      peer = readPeer(sock);
      this.peers.set(sock, peer);
    }
    if (peer === null) return undefined;
    if (!peer.cert) return { ...peer.facts, authorized: false, authorizationError: peer.tlsError ?? 'no certificate' };
    const why = this.rejectReason(peer.cert);
    return why ? { ...peer.facts, authorized: false, authorizationError: why } : { ...peer.facts, authorized: true };
  }

  private rejectReason(cert: ConnectionCert): string | undefined {
    const now = this.opts.now();
    if (now < cert.validFrom) return 'CERT_NOT_YET_VALID';
    if (now > cert.validTo) return 'CERT_HAS_EXPIRED';
    const ca = this.clientCa;
    if (!ca) return 'no client CA configured';
    let ok = this.verified.get(cert.fingerprint);
    if (ok === undefined) {
      ok = cert.x509.checkIssued(ca) && cert.x509.verify(ca.publicKey);
      if (this.verified.size >= VERIFIED_CACHE_MAX) this.verified.clear();
      this.verified.set(cert.fingerprint, ok);
    }
    return ok ? undefined : 'UNABLE_TO_VERIFY_LEAF_SIGNATURE';
  }
}

interface ConnectionCert {
  x509: X509Certificate;
  fingerprint: string;
  /** Unix ms. */
  validFrom: number;
  validTo: number;
}

/** A connection's client certificate as read once: its names, and (when TLS verified it) the certificate. */
interface ConnectionPeer {
  facts: Pick<PeerCertificate, 'commonName' | 'organizations' | 'extKeyUsage'>;
  cert?: ConnectionCert;
  tlsError?: string;
}

/** null: the connection presented no certificate. */
function readPeer(sock: TLSSocket): ConnectionPeer | null {
  const c = sock.getPeerCertificate(false);
  if (!c || Object.keys(c).length === 0) return null;
  const subject = (c.subject ?? {}) as unknown as Record<string, string | string[] | undefined>;
  const facts = { commonName: first(subject.CN), organizations: all(subject.O), extKeyUsage: c.ext_key_usage };
  if (!sock.authorized) return { facts, tlsError: String(sock.authorizationError ?? 'unverified') };
  const x509 = sock.getPeerX509Certificate();
  if (!x509) return { facts };
  return { facts, cert: { x509, fingerprint: x509.fingerprint256, validFrom: Date.parse(x509.validFrom), validTo: Date.parse(x509.validTo) } };
}

const first = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v);
const all = (v: string | string[] | undefined) => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

/**
 * The page secret a dashboard request presents: its header, or, on a WebSocket handshake (which a page's
 * script cannot give a header), one offered subprotocol `dashboard.peapod.dev.<secret>` (never selected).
 * Two different secrets are none.
 */
function pageSecretOf(req: IncomingMessage): string | undefined {
  const header = req.headers[DASHBOARD_HEADER];
  if (typeof header === 'string') return header;
  if (String(req.headers.upgrade ?? '').toLowerCase() !== 'websocket') return undefined;
  const offered = String(req.headers['sec-websocket-protocol'] ?? '')
    .split(',')
    .map((p) => p.trim())
    .filter((p) => p.startsWith(SECRET_PROTOCOL_PREFIX))
    .map((p) => p.slice(SECRET_PROTOCOL_PREFIX.length));
  return new Set(offered).size === 1 ? offered[0] : undefined;
}
