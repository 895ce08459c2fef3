// TokenRequest: issues a service account's token, as kube-apiserver's serviceaccounts/token REST
// (pkg/registry/core/serviceaccount/storage/token.go): the spec validated and defaulted (audiences: the
// API's; expirationSeconds: 3600), the ServiceAccount and the bound object looked up (a Pod running as
// that account, a Secret or a Node, with its uid checked when the reference gives one), then the
// claims signed. The API's handler and the kubelet's token manager both issue through it.

import { randomUUID } from 'node:crypto';
import { BadRequestError, ConflictError, InvalidError, NotFoundError } from '../errors.js';
import type { KubeObject, Pod } from '../k8s/types.js';
import type { ObjectStore } from '../store/store.js';
import { rfc3339 } from '../k8s/time.js';
import { podServiceAccountName } from '../k8s/service-accounts.js';
import { makeClaims, type ObjectRef } from './claims.js';
import { signJwt } from './jwt.js';
import type { SigningKey } from './signing-key.js';
import { DEFAULT_TOKEN_EXPIRATION_SECONDS, validateExpirationSeconds } from './validation.js';

/** authentication.k8s.io/v1 BoundObjectReference. */
export interface BoundObjectReference {
  kind?: string;
  apiVersion?: string;
  name?: string;
  uid?: string;
}

/** authentication.k8s.io/v1 TokenRequestSpec. */
export interface TokenRequestSpec {
  audiences?: string[];
  expirationSeconds?: number;
  boundObjectRef?: BoundObjectReference | null;
}

export interface IssuedToken {
  /** The spec as defaulted (audiences and expirationSeconds filled in). */
  spec: TokenRequestSpec & { audiences: string[]; expirationSeconds: number };
  token: string;
  /** RFC 3339, seconds. */
  expirationTimestamp: string;
  /** When it was issued (its iat), RFC 3339: the TokenRequest's creationTimestamp. */
  issuedAt: string;
}

export interface TokenIssuerOptions {
  store: ObjectStore;
  key: SigningKey;
  /** The API's issuer (the iss claim). */
  issuer: string;
  /** The API's audiences, a request naming none gets them. */
  audiences: string[];
  /** Unix ms. */
  now: () => number;
  /** The jti of each token (default: a random UUID). */
  newId?: () => string;
}

const TOKEN_REQUEST_KIND = 'TokenRequest.authentication.k8s.io';

/** Go's schema.GroupVersionKind.String() for a bound object's apiVersion and kind. */
function gvkString(ref: BoundObjectReference): string {
  const [group, version] = (ref.apiVersion ?? '').includes('/') ? (ref.apiVersion ?? '').split('/', 2) : ['', ref.apiVersion ?? ''];
  return `${group}/${version}, Kind=${ref.kind ?? ''}`;
}

const groupOf = (apiVersion = '') => (apiVersion.includes('/') ? apiVersion.split('/', 1)[0] : '');

export class TokenIssuer {
  constructor(private readonly o: TokenIssuerOptions) {}

  get issuer(): string {
    return this.o.issuer;
  }

  /** The key that verifies what this issuer signs (for the JWKS document). */
  get publicKey(): SigningKey['publicKey'] {
    return this.o.key.publicKey;
  }

  /** Issues a token of the ServiceAccount `namespace/name`; throws the API's error otherwise. */
  issue(namespace: string, name: string, requested: TokenRequestSpec): IssuedToken {
    // As upstream: the account first (a missing one is 404 whatever the spec), then the spec's validation.
    const { store } = this.o;
    const sa = store.getStored<KubeObject>('serviceaccounts', namespace, name)?.object;
    if (!sa) throw NotFoundError.of({ resource: 'serviceaccounts', name });
    const expirationSeconds = requested.expirationSeconds ?? DEFAULT_TOKEN_EXPIRATION_SECONDS;
    const causes = validateExpirationSeconds('spec.expirationSeconds', expirationSeconds);
    if (causes.length) throw new InvalidError({ resource: 'tokenrequests', kind: TOKEN_REQUEST_KIND, name: '' }, causes);
    let pod: ObjectRef | undefined;
    let secret: ObjectRef | undefined;
    let node: ObjectRef | undefined;
    const ref = requested.boundObjectRef ?? undefined;
    if (ref) {
      const group = groupOf(ref.apiVersion);
      const refName = ref.name ?? '';
      let uid: string | undefined;
      if (group === '' && ref.kind === 'Pod') {
        const p = store.getStored<Pod>('pods', namespace, refName)?.object;
        if (!p) throw NotFoundError.of({ resource: 'pods', name: refName });
        if (podServiceAccountName(p) !== name) {
          throw new BadRequestError(`cannot bind token for serviceaccount "${name}" to pod running with different serviceaccount name.`);
        }
        uid = p.metadata.uid;
        pod = { name: refName, uid: uid ?? '' };
        // The node the pod runs on, when it is bound to one that exists (ServiceAccountTokenPodNodeInfo).
        const nodeName = p.spec.nodeName;
        const n = nodeName ? store.getStored<KubeObject>('nodes', undefined, nodeName)?.object : undefined;
        if (n) node = { name: nodeName!, uid: n.metadata.uid ?? '' };
      } else if (group === '' && ref.kind === 'Secret') {
        const s = store.getStored<KubeObject>('secrets', namespace, refName)?.object;
        if (!s) throw NotFoundError.of({ resource: 'secrets', name: refName });
        uid = s.metadata.uid;
        secret = { name: refName, uid: uid ?? '' };
      } else if (group === '' && ref.kind === 'Node') {
        const n = store.getStored<KubeObject>('nodes', undefined, refName)?.object;
        if (!n) throw NotFoundError.of({ resource: 'nodes', name: refName });
        uid = n.metadata.uid;
        node = { name: refName, uid: uid ?? '' };
      } else {
        throw new BadRequestError(`cannot bind token to object of type ${gvkString(ref)}`);
      }
      if (ref.uid && ref.uid !== uid) {
        throw new ConflictError(
          `Operation cannot be fulfilled on ${ref.kind} "${refName}": the UID in the bound object reference (${ref.uid}) does not match the UID in record. The object might have been deleted and then recreated`,
          { resource: ref.kind ?? '', name: refName },
        );
      }
    }
    const audiences = requested.audiences?.length ? requested.audiences : this.o.audiences;
    const now = Math.floor(this.o.now() / 1000);
    const claims = makeClaims({
      issuer: this.o.issuer,
      audiences,
      expirationSeconds,
      now,
      jti: (this.o.newId ?? randomUUID)(),
      namespace,
      serviceAccount: { name, uid: sa.metadata.uid ?? '' },
      pod,
      secret,
      node,
    });
    return {
      spec: { ...requested, audiences, expirationSeconds },
      token: signJwt(claims, this.o.key.privateKey, this.o.key.kid),
      expirationTimestamp: rfc3339(claims.exp * 1000),
      issuedAt: rfc3339(now * 1000),
    };
  }
}
