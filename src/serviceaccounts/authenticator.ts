// Service account tokens as credentials (kube-apiserver's service account JWT authenticator): a bearer
// token that is a JWT from this API's issuer is verified against the signing key, its times and
// audiences checked, and the objects it names looked up, so a token dies with its ServiceAccount, and a
// bound token with its pod (or secret, or node). Pure: the key, the time and the lookups are given.

import type { KeyObject } from 'node:crypto';
import type { AuthnResult } from '../api/auth/authn.js';
import { audienceProblem, CLOCK_LEEWAY_SECONDS, readClaims, timeProblem, userOf, type ObjectRef } from './claims.js';
import { parseJwt, verifyRs256 } from './jwt.js';

/** What an object a token names is now: its uid, and whether it is being deleted. */
export interface LiveObject {
  uid?: string;
  deletionTimestamp?: string;
}

/** Reads the objects a token names (the store, in the daemon). */
export interface TokenObjects {
  serviceAccount(namespace: string, name: string): LiveObject | undefined;
  pod(namespace: string, name: string): LiveObject | undefined;
  secret(namespace: string, name: string): LiveObject | undefined;
  node(name: string): LiveObject | undefined;
}

export interface TokenAuthenticatorOptions {
  issuer: string;
  /** The API's audiences: a token must name one of them. */
  audiences: readonly string[];
  publicKey: KeyObject;
  objects: TokenObjects;
  /** Unix seconds. */
  now: () => number;
}

/**
 * undefined: not a token of this issuer (another authenticator's, or none's). Otherwise the user, or the
 * reason it was refused (logged, never shown to the client, which only gets 401).
 */
export function authenticateServiceAccountToken(token: string, o: TokenAuthenticatorOptions): AuthnResult | undefined {
  const jwt = parseJwt(token);
  if (!jwt || jwt.payload.iss !== o.issuer) return undefined;
  const fail = (reason: string): AuthnResult => ({ ok: false, reason });
  if (!verifyRs256(jwt, o.publicKey)) return fail('service account token signature is invalid');
  const claims = readClaims(jwt.payload);
  if (typeof claims === 'string') return fail(claims);
  const when = timeProblem(claims, o.now());
  if (when) return fail(when);
  const aud = audienceProblem(claims, o.audiences);
  if (aud) return fail(aud);
  const k = claims['kubernetes.io'];
  const invalidated = 'service account token has been invalidated';
  // As upstream: an object being deleted keeps its tokens valid until a minute after its deletion
  // time (a terminating pod's preStop hook may still call the API).
  const invalidIfDeletedBefore = (o.now() - CLOCK_LEEWAY_SECONDS) * 1000;
  const check = (what: string, ref: ObjectRef, live: LiveObject | undefined): string | undefined => {
    if (!live) return invalidated;
    if (live.uid !== ref.uid) return `${what} UID (${live.uid ?? ''}) does not match claim (${ref.uid})`;
    if (live.deletionTimestamp && Date.parse(live.deletionTimestamp) < invalidIfDeletedBefore) return invalidated;
    return undefined;
  };
  const problem =
    check('service account', k.serviceaccount, o.objects.serviceAccount(k.namespace, k.serviceaccount.name)) ??
    (k.pod ? check('pod', k.pod, o.objects.pod(k.namespace, k.pod.name)) : undefined) ??
    (k.secret ? check('secret', k.secret, o.objects.secret(k.namespace, k.secret.name)) : undefined) ??
    // A pod-bound token's node is informational (the pod is what binds it); a node-bound token dies with it.
    (k.node && !k.pod ? check('node', k.node, o.objects.node(k.node.name)) : undefined);
  if (problem) return fail(problem);
  return { ok: true, method: 'token', user: userOf(claims) };
}
