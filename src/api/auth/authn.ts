// Authentication, as kube-apiserver does it with --client-ca-file, --token-auth-file and its service
// account token authenticator: a verified client certificate names the user (CN) and groups (O); else a
// bearer token from the token file, or a service account JWT (serviceaccounts/authenticator.ts); else
// the request is anonymous. A certificate or token that is presented and fails is an error (401), not
// anonymous: a client that tried to log in and failed must learn so. Pure: the TLS layer verifies the
// chain and dates, and hands over what it found.

import { OID_CLIENT_AUTH } from './cert-facts.js';
import { ANONYMOUS_USER, GROUP_AUTHENTICATED, GROUP_UNAUTHENTICATED, type UserInfo } from './types.js';

/** What the TLS layer knows of the client's certificate. */
export interface PeerCertificate {
  /** Chain verified against the client CA and within its dates. */
  authorized: boolean;
  /** Why it was not (OpenSSL's code, e.g. CERT_HAS_EXPIRED). */
  authorizationError?: string;
  commonName?: string;
  organizations: string[];
  /** Extended key usage OIDs; undefined when the certificate has no such extension. */
  extKeyUsage?: string[];
}

export type AuthnResult =
  | { ok: true; user: UserInfo; method: 'x509' | 'token' | 'anonymous' | 'session' }
  | { ok: false; reason: string };

export type TokenTable = ReadonlyMap<string, UserInfo>;

function withGroup(groups: string[], g: string): string[] {
  return groups.includes(g) ? groups : [...groups, g];
}

function fromCertificate(peer: PeerCertificate): AuthnResult {
  if (!peer.authorized) return { ok: false, reason: `x509: certificate rejected: ${peer.authorizationError ?? 'unknown authority'}` };
  if (peer.extKeyUsage && !peer.extKeyUsage.includes(OID_CLIENT_AUTH)) {
    return { ok: false, reason: 'x509: certificate specifies an incompatible key usage' };
  }
  if (!peer.commonName) return { ok: false, reason: 'x509: certificate has no common name' };
  return { ok: true, method: 'x509', user: { username: peer.commonName, groups: withGroup(peer.organizations, GROUP_AUTHENTICATED) } };
}

/**
 * Judges a bearer token that is not in the token table: a service account JWT of this API's issuer gives
 * a result (its user, or why it is refused); anything else, undefined.
 */
export type JwtAuthenticator = (token: string) => AuthnResult | undefined;

function fromToken(header: string, tokens: TokenTable, jwt?: JwtAuthenticator): AuthnResult | undefined {
  const m = /^\s*bearer\s+(.*)$/i.exec(header);
  if (!m) return undefined; // another scheme: not ours to judge (Basic is not supported, as in Kubernetes 1.19+)
  const token = m[1].trim();
  if (!token) return { ok: false, reason: 'invalid bearer token' };
  const user = tokens.get(token);
  if (!user) return jwt?.(token) ?? { ok: false, reason: 'invalid bearer token' };
  return { ok: true, method: 'token', user: { ...user, groups: withGroup(user.groups, GROUP_AUTHENTICATED) } };
}

/**
 * Who the request is from. Order as kube-apiserver's union: the client certificate, then the bearer
 * token; a failure of one does not stop the next, and only when every presented credential failed is
 * the request refused. With none presented, it is anonymous.
 */
export function authenticate(input: { authorization?: string; peer?: PeerCertificate; tokens: TokenTable; serviceAccountTokens?: JwtAuthenticator }): AuthnResult {
  const failures: string[] = [];
  if (input.peer) {
    const r = fromCertificate(input.peer);
    if (r.ok) return r;
    failures.push(r.reason);
  }
  if (input.authorization) {
    const r = fromToken(input.authorization, input.tokens, input.serviceAccountTokens);
    if (r?.ok) return r;
    if (r) failures.push(r.reason);
  }
  if (failures.length) return { ok: false, reason: failures.join('; ') };
  return { ok: true, method: 'anonymous', user: { username: ANONYMOUS_USER, groups: [GROUP_UNAUTHENTICATED] } };
}

/**
 * Parses a token file in kube-apiserver's format: CSV lines `token,user,uid[,"group1,group2"]`; blank
 * lines and lines starting with '#' are skipped. Throws naming the line for a malformed one.
 */
export function parseTokenFile(text: string, file = 'token file'): Map<string, UserInfo> {
  const out = new Map<string, UserInfo>();
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (!line || line.startsWith('#')) return;
    const cols = splitCsv(line);
    if (!cols) throw new Error(`${file}:${i + 1}: unterminated quote`);
    if (cols.length < 3) throw new Error(`${file}:${i + 1}: must have at least 3 columns (token, user name, user uid), found ${cols.length}`);
    const [token, username, uid, groupCol] = cols;
    if (!token) throw new Error(`${file}:${i + 1}: empty token`);
    if (!username) throw new Error(`${file}:${i + 1}: empty user name`);
    if (out.has(token)) throw new Error(`${file}:${i + 1}: duplicate token`);
    const groups = (groupCol ?? '').split(',').map((g) => g.trim()).filter(Boolean);
    out.set(token, { username, uid: uid || undefined, groups });
  });
  return out;
}

/** RFC 4180 fields of one line ("" escapes a quote inside quotes); undefined on an unterminated quote. */
function splitCsv(line: string): string[] | undefined {
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') (cur += '"'), i++;
      else if (c === '"') quoted = false;
      else cur += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') out.push(cur.trim()), (cur = '');
    else cur += c;
  }
  if (quoted) return undefined;
  out.push(cur.trim());
  return out;
}
