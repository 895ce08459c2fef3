// SelfSubjectAccessReview (authorization.k8s.io/v1): "may I do this?", asked by `kubectl auth can-i`.
//
//   kubectl auth can-i create pods -n dev        spec.resourceAttributes {namespace, verb, resource}
//   kubectl auth can-i get pods/log --subresource / can-i get pods web    subresource, name
//   kubectl auth can-i '*' '*'                    verb "*", resource "*": only a "*" rule answers yes
//   kubectl auth can-i get /logs                  spec.nonResourceAttributes {verb, path}
//
// Validation and answer follow the apiserver's REST handler: exactly one of the two attribute sets,
// metadata empty, an empty version read as "*"; status {allowed, reason} from the same authorizer
// that guards every request. peapod's authorizer never says "deny" (only "no rule allows it"), so
// status.denied is never set, as with RBAC alone.
//
// The 1.31+ fieldSelector and labelSelector attributes are dropped, as an apiserver with the
// AuthorizeWithSelectors gate off drops them: no peapod rule looks at selectors.

import { InvalidError, type FieldCause } from '../../errors.js';
import { invalid } from '../validation/field.js';
import { goQuote } from './go-quote.js';
import { decodeReview, isEmptyMeta, OBJECT_META, type StructShape } from './review-decode.js';
import type { Authorizer, RequestAttributes, UserInfo } from './types.js';

export interface ResourceAttributes {
  namespace?: string;
  verb?: string;
  group?: string;
  version?: string;
  resource?: string;
  subresource?: string;
  name?: string;
}

export interface NonResourceAttributes {
  path?: string;
  verb?: string;
}

export interface SubjectAccessReviewStatus {
  allowed: boolean;
  denied?: boolean;
  reason?: string;
  evaluationError?: string;
}

export interface SelfSubjectAccessReview {
  kind: 'SelfSubjectAccessReview';
  apiVersion: 'authorization.k8s.io/v1';
  metadata: { creationTimestamp: null };
  spec: { resourceAttributes?: ResourceAttributes; nonResourceAttributes?: NonResourceAttributes };
  status: SubjectAccessReviewStatus;
}

const GROUP = 'authorization.k8s.io';
const KIND = 'SelfSubjectAccessReview';

const RESOURCE_ATTRIBUTE_FIELDS = ['namespace', 'verb', 'group', 'version', 'resource', 'subresource', 'name'] as const;
const SELECTOR = (goType: string): StructShape => ({ goType, fields: { rawSelector: 'string', requirements: 'any' } });

const SHAPE: StructShape = {
  goType: 'v1.SelfSubjectAccessReview',
  fields: {
    metadata: OBJECT_META,
    spec: {
      goType: 'v1.SelfSubjectAccessReviewSpec',
      fields: {
        resourceAttributes: {
          goType: 'v1.ResourceAttributes',
          fields: {
            ...Object.fromEntries(RESOURCE_ATTRIBUTE_FIELDS.map((f) => [f, 'string' as const])),
            fieldSelector: SELECTOR('v1.FieldSelectorAttributes'),
            labelSelector: SELECTOR('v1.LabelSelectorAttributes'),
          },
        },
        nonResourceAttributes: { goType: 'v1.NonResourceAttributes', fields: { path: 'string', verb: 'string' } },
      },
    },
  },
};

/**
 * Answers a SelfSubjectAccessReview for `user` (the apiserver replies 201 with it). Throws
 * BadRequestError for a body that is not one, InvalidError (422) for one that fails validation.
 */
export function selfSubjectAccessReview(user: UserInfo, authorizer: Authorizer, body: unknown): SelfSubjectAccessReview {
  const decoded = decodeReview(body, { group: GROUP, version: 'v1', kind: KIND }, SHAPE);
  const metadata = (decoded.metadata ?? {}) as Record<string, unknown>;
  const spec = (decoded.spec ?? {}) as Record<string, Record<string, string> | undefined>;
  const ra = spec.resourceAttributes ? pick(spec.resourceAttributes, RESOURCE_ATTRIBUTE_FIELDS) : undefined;
  const nra = spec.nonResourceAttributes ? pick(spec.nonResourceAttributes, ['path', 'verb'] as const) : undefined;

  const causes = validate(ra, nra, metadata);
  if (causes.length > 0) throw new ReviewInvalidError(causes);

  const attrs = ra ? resourceAttributesFrom(user, ra) : nonResourceAttributesFrom(user, nra!);
  const decision = authorizer.authorize(attrs);
  const status: SubjectAccessReviewStatus = { allowed: decision.allowed };
  if (decision.reason) status.reason = decision.reason;
  return {
    kind: KIND,
    apiVersion: `${GROUP}/v1`,
    metadata: { creationTimestamp: null },
    spec: ra ? { resourceAttributes: ra } : { nonResourceAttributes: nra },
    status,
  };
}

/** ValidateSelfSubjectAccessReview, in its order and words. */
function validate(ra: ResourceAttributes | undefined, nra: NonResourceAttributes | undefined, metadata: Record<string, unknown>): FieldCause[] {
  const causes: FieldCause[] = [];
  if (ra && nra) {
    // The value prints as Go's %#v of the internal struct.
    const value = `authorization.NonResourceAttributes{Path:${goQuote(nra.path ?? '')}, Verb:${goQuote(nra.verb ?? '')}}`;
    causes.push({ type: 'FieldValueInvalid', field: 'spec.nonResourceAttributes', message: `Invalid value: ${value}: cannot be specified in combination with resourceAttributes` });
  }
  if (!ra && !nra) {
    causes.push(invalid('spec.resourceAttributes', 'null', 'exactly one of nonResourceAttributes or resourceAttributes must be specified'));
  }
  if (!isEmptyMeta(metadata)) {
    // Go prints the whole ObjectMeta with %#v here; peapod shows the fields that were sent, as JSON.
    causes.push({ type: 'FieldValueInvalid', field: 'metadata', message: `Invalid value: ${JSON.stringify(metadata)}: must be empty` });
  }
  return causes;
}

/** authorizationutil.ResourceAttributesFrom: an empty version matches every version. */
function resourceAttributesFrom(user: UserInfo, ra: ResourceAttributes): RequestAttributes {
  return {
    user,
    verb: ra.verb ?? '',
    resourceRequest: true,
    path: '',
    apiGroup: ra.group ?? '',
    apiVersion: ra.version || '*',
    resource: ra.resource ?? '',
    subresource: ra.subresource ?? '',
    namespace: ra.namespace ?? '',
    name: ra.name ?? '',
  };
}

function nonResourceAttributesFrom(user: UserInfo, nra: NonResourceAttributes): RequestAttributes {
  return { user, verb: nra.verb ?? '', resourceRequest: false, path: nra.path ?? '', apiGroup: '', apiVersion: '', resource: '', subresource: '', namespace: '', name: '' };
}

/** The listed string fields that are set, in order; empty ones are left out as omitempty leaves them. */
function pick<K extends string>(from: Record<string, string>, keys: readonly K[]): Partial<Record<K, string>> {
  const out: Partial<Record<K, string>> = {};
  for (const k of keys) if (from[k]) out[k] = from[k];
  return out;
}

/**
 * 422 worded as the apiserver words it for reviews: the internal object's kind is empty there, so the
 * message starts with the bare group, `.authorization.k8s.io "" is invalid: ...`.
 */
export class ReviewInvalidError extends InvalidError {
  constructor(causes: FieldCause[]) {
    super({ resource: '', kind: '', group: GROUP, name: '' }, causes);
    const detail = causes.map((c) => `${c.field}: ${c.message}`).join(', ');
    this.message = `.${GROUP} "" is invalid: ${causes.length > 1 ? `[${detail}]` : detail}`;
  }
}
