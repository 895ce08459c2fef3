// POST /api/v1/namespaces/<ns>/serviceaccounts/<name>/token: the TokenRequest subresource, answered 201
// with the request, its spec defaulted and its status holding the token and when it expires.

import { BadRequestError, InvalidError } from '../errors.js';
import { invalid } from '../api/validation/field.js';
import type { ApiDeps } from '../api/deps.js';
import { readObject, sendJson, type RequestContext } from '../api/http.js';
import type { ResourceRoute } from '../api/route.js';
import type { TokenRequestSpec } from './issuer.js';

export const TOKEN_REQUEST_API_VERSION = 'authentication.k8s.io/v1';

export async function handleTokenRequest(deps: ApiDeps, ctx: RequestContext, route: ResourceRoute): Promise<void> {
  if (!deps.serviceAccountTokens) throw new BadRequestError('this server issues no service account tokens');
  const body = await readObject(ctx);
  const apiVersion = body.apiVersion ?? TOKEN_REQUEST_API_VERSION;
  const kind = body.kind ?? 'TokenRequest';
  if (apiVersion !== TOKEN_REQUEST_API_VERSION || kind !== 'TokenRequest') {
    throw new BadRequestError(`the API version in the data (${String(apiVersion)}) and kind (${String(kind)}) do not match the expected TokenRequest in version ${TOKEN_REQUEST_API_VERSION}`);
  }
  const meta = (body.metadata && typeof body.metadata === 'object' ? body.metadata : {}) as Record<string, unknown>;
  if (meta.namespace && meta.namespace !== route.namespace) {
    throw new BadRequestError('the namespace of the provided object does not match the namespace sent on the request');
  }
  // As upstream's TokenREST: a name in the body must be the account's.
  if (meta.name !== undefined && meta.name !== null && meta.name !== '' && meta.name !== route.name) {
    throw new InvalidError({ resource: 'tokenrequests', kind: 'TokenRequest', group: 'authentication.k8s.io', name: route.name }, [
      invalid('metadata.name', meta.name, 'must match the service account name if specified'),
    ]);
  }
  const spec = (body.spec && typeof body.spec === 'object' ? body.spec : {}) as Record<string, unknown>;
  const requested: TokenRequestSpec = {};
  if (spec.audiences !== undefined && spec.audiences !== null) {
    if (!Array.isArray(spec.audiences) || spec.audiences.some((a) => typeof a !== 'string')) throw new BadRequestError('TokenRequest: spec.audiences must be a list of strings');
    requested.audiences = spec.audiences as string[];
  }
  if (spec.expirationSeconds !== undefined && spec.expirationSeconds !== null) {
    if (!Number.isInteger(spec.expirationSeconds)) throw new BadRequestError('TokenRequest: spec.expirationSeconds must be an integer');
    requested.expirationSeconds = spec.expirationSeconds as number;
  }
  if (spec.boundObjectRef !== undefined && spec.boundObjectRef !== null) {
    if (typeof spec.boundObjectRef !== 'object' || Array.isArray(spec.boundObjectRef)) throw new BadRequestError('TokenRequest: spec.boundObjectRef must be an object');
    requested.boundObjectRef = spec.boundObjectRef as TokenRequestSpec['boundObjectRef'];
  }
  const issued = deps.serviceAccountTokens.issue(route.namespace!, route.name!, requested);
  sendJson(ctx, 201, {
    kind: 'TokenRequest',
    apiVersion: TOKEN_REQUEST_API_VERSION,
    metadata: { ...meta, name: route.name, namespace: route.namespace, creationTimestamp: issued.issuedAt },
    spec: issued.spec,
    status: { token: issued.token, expirationTimestamp: issued.expirationTimestamp },
  });
}
