// Service account facts the API's defaults, the admission plugin, the token issuer and the kubelet side
// share: the account a pod runs as when it names none, and a token's lifetime when none is asked for.

import type { Pod } from './types.js';

/** The account every namespace gets, and a pod naming none runs as. */
export const DEFAULT_SERVICE_ACCOUNT = 'default';

/** A TokenRequest's and a projected serviceAccountToken's expirationSeconds when unset: an hour. */
export const DEFAULT_TOKEN_EXPIRATION_SECONDS = 3600;

/** The account a pod runs as: an empty name is unset (Go's zero string), as upstream reads it. */
export function podServiceAccountName(pod: Pod): string {
  return pod.spec.serviceAccountName || DEFAULT_SERVICE_ACCOUNT;
}
