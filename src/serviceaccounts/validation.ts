// Validation of ServiceAccount objects and of TokenRequest specs, as upstream's ValidateServiceAccount
// and ValidateTokenRequest (pkg/apis/core/validation, pkg/apis/authentication/validation).

import type { FieldCause } from '../errors.js';
import type { KubeObject } from '../k8s/types.js';
import { forbidden, invalid, required } from '../api/validation/field.js';
import { type MetaRules, validateObjectMeta, validateObjectMetaUpdate } from '../api/validation/meta.js';

/** ServiceAccount names are DNS subdomains (ValidateServiceAccountName). */
export const SERVICE_ACCOUNT_META: MetaRules = { namespaced: true, name: 'subdomain' };

/** The shortest token a TokenRequest or a projected volume may ask for: 10 minutes. */
export const MIN_TOKEN_EXPIRATION_SECONDS = 600;
/** The longest: 2^32 seconds. */
export const MAX_TOKEN_EXPIRATION_SECONDS = 2 ** 32;
/** The default of TokenRequestSpec.expirationSeconds and ServiceAccountTokenProjection.expirationSeconds. */
export { DEFAULT_TOKEN_EXPIRATION_SECONDS } from '../k8s/service-accounts.js';

export function validateServiceAccount(obj: KubeObject): FieldCause[] {
  return validateObjectMeta(obj.metadata, SERVICE_ACCOUNT_META);
}

export function validateServiceAccountUpdate(obj: KubeObject, old: KubeObject): FieldCause[] {
  return [...validateObjectMetaUpdate(obj.metadata, old.metadata, SERVICE_ACCOUNT_META), ...validateServiceAccount(obj).filter((e) => !e.field.startsWith('metadata.'))];
}

/**
 * A token's lifetime (TokenRequest spec.expirationSeconds, or a projected volume's
 * serviceAccountToken.expirationSeconds): at least 10 minutes, at most 2^32 seconds.
 */
export function validateExpirationSeconds(field: string, seconds: number): FieldCause[] {
  if (seconds < MIN_TOKEN_EXPIRATION_SECONDS) return [invalid(field, seconds, 'may not specify a duration less than 10 minutes')];
  if (seconds > MAX_TOKEN_EXPIRATION_SECONDS) return [invalid(field, seconds, 'may not specify a duration larger than 2^32 seconds')];
  return [];
}

/**
 * The serviceAccountToken sources of a projected volume (upstream validateProjectionSources): a
 * lifetime of at least 10 minutes and a path inside the volume. `field` is the volume's `projected`.
 */
export function validateProjectedTokenSources(projected: Record<string, unknown>, field: string): FieldCause[] {
  const errs: FieldCause[] = [];
  const sources = Array.isArray(projected.sources) ? projected.sources : [];
  sources.forEach((raw, i) => {
    const tp = (raw as { serviceAccountToken?: { path?: unknown; expirationSeconds?: unknown } } | null)?.serviceAccountToken;
    if (!tp || typeof tp !== 'object') return;
    const src = `${field}.sources[${i}]`;
    const seconds = typeof tp.expirationSeconds === 'number' ? tp.expirationSeconds : 0;
    errs.push(...validateExpirationSeconds(`${src}.serviceAccountToken.expirationSeconds`, seconds));
    const p = typeof tp.path === 'string' ? tp.path : '';
    // Upstream names the source's own path here, not serviceAccountToken.path.
    if (!p) errs.push(required(`${src}.path`));
    else {
      const at = `${src}.path`;
      if (p.startsWith('/')) errs.push(invalid(at, p, 'must be a relative path'));
      if (p.split('/').includes('..')) errs.push(invalid(at, p, "must not contain '..'"));
      if (p.startsWith('..')) errs.push(invalid(at, p, "must not start with '..'"));
    }
  });
  return errs;
}

/** The Secret type kube-controller-manager's tokens controller fills with a long-lived token. */
export const LEGACY_TOKEN_SECRET_TYPE = 'kubernetes.io/service-account-token';

/**
 * peapod runs no tokens controller: a Secret of the legacy token type would stay without the token a
 * cluster puts in it, so it is refused at create, naming the field, instead of being kept empty.
 */
export function refuseLegacyTokenSecret(obj: KubeObject): FieldCause[] {
  if (obj.type !== LEGACY_TOKEN_SECRET_TYPE) return [];
  return [forbidden('type', 'peapod does not fill legacy service account token Secrets; use `kubectl create token` (TokenRequest) or a projected serviceAccountToken volume')];
}
