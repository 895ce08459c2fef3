// The claims of a service account token, as kube-apiserver's pkg/serviceaccount writes and checks them:
// registered claims (iss, sub, aud, exp, iat, nbf, jti) and the private "kubernetes.io" claim naming the
// namespace, the service account (name, uid) and the object the token is bound to (a pod, with the node
// it runs on; a secret; or a node). Pure: times are Unix seconds given by the caller.

import { GROUP_AUTHENTICATED, GROUP_SERVICE_ACCOUNTS, type UserInfo } from '../api/auth/types.js';

export interface ObjectRef {
  name: string;
  uid: string;
}

export interface KubernetesClaim {
  namespace: string;
  serviceaccount: ObjectRef;
  pod?: ObjectRef;
  secret?: ObjectRef;
  node?: ObjectRef;
}

export interface TokenClaims {
  aud: string[];
  exp: number;
  iat: number;
  iss: string;
  jti: string;
  'kubernetes.io': KubernetesClaim;
  nbf: number;
  sub: string;
}

export const SERVICE_ACCOUNT_USER_PREFIX = 'system:serviceaccount:';
/** The user.Info extra keys of a bound token (k8s.io/apiserver/pkg/authentication/serviceaccount). */
export const EXTRA_POD_NAME = 'authentication.kubernetes.io/pod-name';
export const EXTRA_POD_UID = 'authentication.kubernetes.io/pod-uid';
export const EXTRA_NODE_NAME = 'authentication.kubernetes.io/node-name';
export const EXTRA_NODE_UID = 'authentication.kubernetes.io/node-uid';
export const EXTRA_CREDENTIAL_ID = 'authentication.kubernetes.io/credential-id';

/** go-jose's default leeway for exp, nbf and iat, which kube-apiserver keeps. */
export const CLOCK_LEEWAY_SECONDS = 60;

/** `system:serviceaccount:<namespace>:<name>`. */
export function serviceAccountUsername(namespace: string, name: string): string {
  return `${SERVICE_ACCOUNT_USER_PREFIX}${namespace}:${name}`;
}

export interface ClaimsInput {
  issuer: string;
  audiences: string[];
  expirationSeconds: number;
  /** Unix seconds. */
  now: number;
  jti: string;
  namespace: string;
  serviceAccount: ObjectRef;
  pod?: ObjectRef;
  /** With a pod: the node it is bound to (when that Node exists). Alone: a token bound to the node. */
  node?: ObjectRef;
  secret?: ObjectRef;
}

/** The token's claims (upstream serviceaccount.Claims plus the issuer the generator adds). */
export function makeClaims(c: ClaimsInput): TokenClaims {
  const k: KubernetesClaim = { namespace: c.namespace, serviceaccount: c.serviceAccount };
  if (c.pod) {
    k.pod = c.pod;
    if (c.node) k.node = c.node;
  } else if (c.secret) k.secret = c.secret;
  else if (c.node) k.node = c.node;
  return {
    aud: c.audiences,
    exp: c.now + c.expirationSeconds,
    iat: c.now,
    iss: c.issuer,
    jti: c.jti,
    'kubernetes.io': k,
    nbf: c.now,
    sub: serviceAccountUsername(c.namespace, c.serviceAccount.name),
  };
}

const isRef = (v: unknown): v is ObjectRef => !!v && typeof v === 'object' && typeof (v as ObjectRef).name === 'string' && typeof (v as ObjectRef).uid === 'string';

/** The claims of a verified token's payload, or why they are not a service account token's. */
export function readClaims(payload: Record<string, unknown>): TokenClaims | string {
  const k = payload['kubernetes.io'] as Partial<KubernetesClaim> | undefined;
  if (!k || typeof k !== 'object' || typeof k.namespace !== 'string' || !isRef(k.serviceaccount)) return 'token could not be validated.';
  for (const key of ['pod', 'secret', 'node'] as const) if (k[key] !== undefined && !isRef(k[key])) return 'token could not be validated.';
  const aud = typeof payload.aud === 'string' ? [payload.aud] : Array.isArray(payload.aud) ? payload.aud.filter((a): a is string => typeof a === 'string') : [];
  const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
  const exp = num(payload.exp);
  if (exp === undefined) return 'service account token has no expiry';
  const sub = typeof payload.sub === 'string' ? payload.sub : '';
  if (sub !== serviceAccountUsername(k.namespace, k.serviceaccount.name)) return 'token could not be validated.';
  return {
    aud,
    exp,
    iat: num(payload.iat) ?? 0,
    iss: typeof payload.iss === 'string' ? payload.iss : '',
    jti: typeof payload.jti === 'string' ? payload.jti : '',
    'kubernetes.io': k as KubernetesClaim,
    nbf: num(payload.nbf) ?? 0,
    sub,
  };
}

/** Why the token is not valid at `now` (Unix seconds), with go-jose's one-minute leeway; undefined when it is. */
export function timeProblem(c: TokenClaims, now: number): string | undefined {
  if (c.nbf && now + CLOCK_LEEWAY_SECONDS < c.nbf) return 'service account token is not valid yet';
  if (now - CLOCK_LEEWAY_SECONDS > c.exp) return 'service account token has expired';
  if (c.iat && now + CLOCK_LEEWAY_SECONDS < c.iat) return 'service account token is issued in the future';
  return undefined;
}

/** Why none of the token's audiences is one the API accepts; undefined when one is. */
export function audienceProblem(c: TokenClaims, apiAudiences: readonly string[]): string | undefined {
  if (c.aud.some((a) => apiAudiences.includes(a))) return undefined;
  return `token audiences ${goQuoteList(c.aud)} is invalid for the target audiences ${goQuoteList(apiAudiences)}`;
}

const goQuoteList = (xs: readonly string[]) => `[${xs.map((x) => JSON.stringify(x)).join(' ')}]`;

/** The user a valid token authenticates as (ServiceAccountInfo.UserInfo, plus system:authenticated). */
export function userOf(c: TokenClaims): UserInfo {
  const k = c['kubernetes.io'];
  const extra: Record<string, string[]> = {};
  if (c.jti) extra[EXTRA_CREDENTIAL_ID] = [`JTI=${c.jti}`];
  if (k.pod) {
    extra[EXTRA_POD_NAME] = [k.pod.name];
    extra[EXTRA_POD_UID] = [k.pod.uid];
  }
  if (k.node) {
    extra[EXTRA_NODE_NAME] = [k.node.name];
    extra[EXTRA_NODE_UID] = [k.node.uid];
  }
  return {
    username: serviceAccountUsername(k.namespace, k.serviceaccount.name),
    uid: k.serviceaccount.uid,
    groups: [GROUP_SERVICE_ACCOUNTS, `${GROUP_SERVICE_ACCOUNTS}:${k.namespace}`, GROUP_AUTHENTICATED],
    ...(Object.keys(extra).length ? { extra } : {}),
  };
}
