// The security stage of the request pipeline, between accepting a request and dispatching it: who is
// asking (authentication), what they ask (request attributes), and whether they may (authorization).
// Every route, stream and upgrade goes through check(); the handlers read the user from the context.
// Anonymous requests that the policy does not allow get 401 (log in), authenticated ones 403.

import type { IncomingMessage } from 'node:http';
import type { TLSSocket } from 'node:tls';
import { unauthorizedError } from './forbidden.js';
import { authenticate, type PeerCertificate, type TokenTable } from './authn.js';
import type { Authorizer, RequestAttributes, UserInfo } from './types.js';
import { ANONYMOUS_USER } from './types.js';
import type { RuleResolver } from './authorizer.js';

export interface SecurityStageOptions {
  tokens: TokenTable;
  /** Decides requests, and lists a user's rules for SelfSubjectRulesReview. */
  authorizer: Authorizer & RuleResolver;
  /** The apiserver's RequestInfo: method and path → attributes. */
  attributes: (user: UserInfo, method: string, path: string, query: URLSearchParams) => RequestAttributes;
  /** The 403 for a denied request, as kube-apiserver words it. */
  forbidden: (attrs: RequestAttributes, reason: string) => Error;
  /** How the client certificate is read; the TLS socket's by default (tests inject one). */
  peerOf?: (req: IncomingMessage) => PeerCertificate | undefined;
}

export interface Admitted {
  user: UserInfo;
  attrs: RequestAttributes;
}

export class SecurityStage {
  constructor(private readonly opts: SecurityStageOptions) {}

  /** The user and attributes of an allowed request; throws the 401 or 403 otherwise. */
  check(req: IncomingMessage, method: string, path: string, query: URLSearchParams): Admitted {
    const peer = (this.opts.peerOf ?? peerCertificateOf)(req);
    const header = req.headers.authorization;
    const who = authenticate({ authorization: Array.isArray(header) ? header[0] : header, peer, tokens: this.opts.tokens });
    if (!who.ok) throw Object.assign(unauthorizedError(), { authFailure: who.reason });
    const attrs = this.opts.attributes(who.user, method, path, query);
    const decision = this.opts.authorizer.authorize(attrs);
    if (!decision.allowed) {
      if (who.user.username === ANONYMOUS_USER) throw unauthorizedError();
      throw this.opts.forbidden(attrs, decision.reason);
    }
    return { user: who.user, attrs };
  }

  /** For SubjectAccessReviews: the same authorizer the stage uses. */
  get authorizer(): Authorizer & RuleResolver {
    return this.opts.authorizer;
  }
}

const first = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v);
const all = (v: string | string[] | undefined) => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

/** What Node's TLS layer verified of the client's certificate; undefined when none was sent or not TLS. */
export function peerCertificateOf(req: IncomingMessage): PeerCertificate | undefined {
  const sock = req.socket as TLSSocket;
  if (!sock.encrypted || typeof sock.getPeerCertificate !== 'function') return undefined;
  const c = sock.getPeerCertificate(false);
  if (!c || Object.keys(c).length === 0) return undefined;
  const subject = (c.subject ?? {}) as unknown as Record<string, string | string[] | undefined>;
  return {
    authorized: sock.authorized,
    authorizationError: sock.authorizationError ? String(sock.authorizationError) : undefined,
    commonName: first(subject.CN),
    organizations: all(subject.O),
    extKeyUsage: c.ext_key_usage,
  };
}
