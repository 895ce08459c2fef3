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

/** The provider configuration: upstream's fields and the keys' URL. */
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

/**
 * The keys' URL, as kube-apiserver's default for --service-account-jwks-uri: on the API's own serving
 * address (host:port, what discovery's serverAddressByClientCIDRs gives), else on the issuer's URL. Never
 * from the request's Host header: the document is cacheable (public), and a header a client chose must
 * not end up in what a shared cache serves to others.
 */
export function jwksUri(serverAddress: string, issuer: string): string {
  if (serverAddress) return `https://${serverAddress}${JWKS_PATH}`;
  return `${issuer.replace(/\/+$/, '')}${JWKS_PATH}`;
}

/** Answers either document (GET only; the router sends only these two paths here). */
export function serveIssuerDiscovery(ctx: RequestContext, p: string, issuer: string, publicKey: KeyObject, serverAddress: string): void {
  const isConfig = p === OPENID_CONFIGURATION_PATH;
  const body = JSON.stringify(isConfig ? openIdConfiguration(issuer, jwksUri(serverAddress, issuer)) : jwks([publicKey]));
  ctx.res.writeHead(200, {
    'Content-Type': isConfig ? 'application/json' : 'application/jwk-set+json',
    'Cache-Control': 'public, max-age=3600',
    'Content-Length': Buffer.byteLength(body),
  });
  ctx.res.end(body);
}

/** The route's handler: 404 where the API issues no tokens, 405 for anything but GET. */
export function handleIssuerDiscovery(deps: ApiDeps, ctx: RequestContext, p: string, serverAddress: string): void {
  const tokens = deps.serviceAccountTokens;
  if (!tokens) throw new HttpStatusError(404, 'NotFound', 'the server could not find the requested resource');
  if (ctx.method !== 'GET' && ctx.method !== 'HEAD') throw methodNotAllowed(ctx.method, p);
  serveIssuerDiscovery(ctx, p, tokens.issuer, tokens.publicKey, serverAddress);
}
