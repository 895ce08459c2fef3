// The API's service account token facts, wired once: who issues (the iss claim), which audiences the
// API accepts (its issuer, as kube-apiserver's --api-audiences defaults to --service-account-issuer),
// the issuer that signs, and the authenticator that accepts what it signed while the objects a token
// names still exist.

import type { AuthnResult } from '../api/auth/authn.js';
import type { KubeObject } from '../k8s/types.js';
import type { ObjectStore } from '../store/store.js';
import { authenticateServiceAccountToken, type LiveObject, type TokenObjects } from './authenticator.js';
import { TokenIssuer } from './issuer.js';
import type { SigningKey } from './signing-key.js';

/** The issuer kubeadm, kind and k3s clusters use. */
export const SERVICE_ACCOUNT_ISSUER = 'https://kubernetes.default.svc.cluster.local';

const live = (o: KubeObject | undefined): LiveObject | undefined => (o ? { uid: o.metadata.uid, deletionTimestamp: o.metadata.deletionTimestamp } : undefined);

/** The objects a token names, read from the store. */
export function storeTokenObjects(store: ObjectStore): TokenObjects {
  const get = (resource: string, ns: string | undefined, name: string) => live(store.getStored<KubeObject>(resource, ns, name)?.object);
  return {
    serviceAccount: (ns, name) => get('serviceaccounts', ns, name),
    pod: (ns, name) => get('pods', ns, name),
    secret: (ns, name) => get('secrets', ns, name),
    node: (name) => get('nodes', undefined, name),
  };
}

export interface ServiceAccountTokens {
  issuer: TokenIssuer;
  /** For the security stage: a bearer token that is one of ours, judged; anything else, undefined. */
  authenticate: (token: string) => AuthnResult | undefined;
}

/** Issues and accepts service account tokens signed with `key`; `now` is Unix ms. */
export function serviceAccountTokens(opts: { store: ObjectStore; key: SigningKey; now: () => number; issuer?: string; audiences?: string[] }): ServiceAccountTokens {
  const iss = opts.issuer ?? SERVICE_ACCOUNT_ISSUER;
  const audiences = opts.audiences?.length ? opts.audiences : [iss];
  const objects = storeTokenObjects(opts.store);
  return {
    issuer: new TokenIssuer({ store: opts.store, key: opts.key, issuer: iss, audiences, now: opts.now }),
    authenticate: (token) =>
      authenticateServiceAccountToken(token, { issuer: iss, audiences, publicKey: opts.key.publicKey, objects, now: () => Math.floor(opts.now() / 1000) }),
  };
}
