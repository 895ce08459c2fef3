// Service account issuer discovery, as kube-apiserver serves it (ServiceAccountIssuerDiscovery): the
// OpenID provider configuration at /.well-known/openid-configuration and the signing keys at
// /openid/v1/jwks, so that a relying party outside the API can verify the tokens the API issues. Both
// are readable by every service account (the bootstrap role system:service-account-issuer-discovery).

import type { KeyObject } from 'node:crypto';
import type { ApiDeps } from '../api/deps.js';
import { HttpStatusError, methodNotAllowed } from '../api/api-errors.js';
import type { RequestContext } from '../api/http.js';
import { publicJwk } from './jwt.js';

export const OPENID_CONFIGURATION_PATH = '/.well-known/openid-configuration';
export const JWKS_PATH = '/openid/v1/jwks';

/** The provider configuration: upstream's fields, the keys' URL on the server that answers. */
export function openIdConfiguration(issuer: string, jwksUri: string): Record<string, unknown> {
  return {
    issuer,
    jwks_uri: jwksUri,
    response_types_supported: ['id_token'],
    subject_types_supported: ['public'],
    id_token_signing_alg_values_supported: ['RS256'],
  };
}

export function jwks(publicKeys: KeyObject[]): { keys: Record<string, string>[] } {
  return { keys: publicKeys.map(publicJwk) };
}

/** Answers either document (GET only; the router sends only these two paths here). */
export function serveIssuerDiscovery(ctx: RequestContext, p: string, issuer: string, publicKey: KeyObject): void {
  const host = ctx.req.headers.host ?? 'localhost';
  const isConfig = p === OPENID_CONFIGURATION_PATH;
  const body = JSON.stringify(isConfig ? openIdConfiguration(issuer, `https://${host}${JWKS_PATH}`) : jwks([publicKey]));
  ctx.res.writeHead(200, {
    'Content-Type': isConfig ? 'application/json' : 'application/jwk-set+json',
    'Cache-Control': 'public, max-age=3600',
    'Content-Length': Buffer.byteLength(body),
  });
  ctx.res.end(body);
}

/** The route's handler: 404 where the API issues no tokens, 405 for anything but GET. */
export function handleIssuerDiscovery(deps: ApiDeps, ctx: RequestContext, p: string): void {
  const tokens = deps.serviceAccountTokens;
  if (!tokens) throw new HttpStatusError(404, 'NotFound', 'the server could not find the requested resource');
  if (ctx.method !== 'GET' && ctx.method !== 'HEAD') throw methodNotAllowed(ctx.method, p);
  serveIssuerDiscovery(ctx, p, tokens.issuer, tokens.publicKey);
}
