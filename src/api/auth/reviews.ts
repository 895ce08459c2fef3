// The self-review APIs in one place for the route wiring: what discovery lists (REVIEW_APIS,
// reviewGroups), and runReview() to answer a POST to one of them. The handlers are pure: they take the
// authenticated user, the authorizer and the decoded body, and return the review to send with 201.
//
//   POST /apis/authorization.k8s.io/v1/selfsubjectaccessreviews       kubectl auth can-i
//   POST /apis/authorization.k8s.io/v1/selfsubjectrulesreviews        kubectl auth can-i --list
//   POST /apis/authentication.k8s.io/{v1,v1beta1,v1alpha1}/selfsubjectreviews   kubectl auth whoami
//
// The POST itself is authorized first like any request (system:basic-user grants it to every
// authenticated user).

import type { RuleResolver } from './authorizer.js';
import { selfSubjectAccessReview, type SelfSubjectAccessReview } from './access-review.js';
import { reviewApiFor, REVIEW_APIS } from './review-api.js';
import { selfSubjectRulesReview, type SelfSubjectRulesReview } from './rules-review.js';
import { selfSubjectReview, type SelfSubjectReview, type SelfSubjectReviewVersion } from './self-subject-review.js';
import type { Authorizer, UserInfo } from './types.js';

export { REVIEW_APIS, reviewApiFor, type ReviewApi } from './review-api.js';
export { selfSubjectAccessReview, ReviewInvalidError, type SelfSubjectAccessReview } from './access-review.js';
export { selfSubjectRulesReview, type SelfSubjectRulesReview } from './rules-review.js';
export { selfSubjectReview, type SelfSubjectReview, type SelfSubjectReviewVersion } from './self-subject-review.js';

/** An API group as /apis lists it: its versions, preferred first. */
export interface ReviewGroup {
  name: string;
  versions: string[];
  preferredVersion: string;
}

/** The groups the review APIs add to /apis, in order of first appearance. */
export function reviewGroups(): ReviewGroup[] {
  const groups: ReviewGroup[] = [];
  for (const api of REVIEW_APIS) {
    let g = groups.find((x) => x.name === api.group);
    if (!g) {
      g = { name: api.group, versions: [], preferredVersion: api.versions[0]! };
      groups.push(g);
    }
    for (const v of api.versions) if (!g.versions.includes(v)) g.versions.push(v);
  }
  return groups;
}

export interface ReviewRequest {
  /** From the path /apis/<group>/<version>/<resource>. */
  group: string;
  version: string;
  resource: string;
  user: UserInfo;
  /** The decoded request body. */
  body: unknown;
}

export interface ReviewDeps {
  authorizer: Authorizer & RuleResolver;
  /** Unix ms from the injected clock (SelfSubjectReview's creationTimestamp). */
  now: number;
}

export type Review = SelfSubjectAccessReview | SelfSubjectRulesReview | SelfSubjectReview;

/**
 * The review the path names, answered; undefined when the path names no review API (the caller's 404).
 * Throws BadRequestError (400) or InvalidError (422) for a body that cannot be answered.
 */
export function runReview(req: ReviewRequest, deps: ReviewDeps): Review | undefined {
  const api = reviewApiFor(req.group, req.version, req.resource);
  if (!api) return undefined;
  switch (api.resource) {
    case 'selfsubjectaccessreviews':
      return selfSubjectAccessReview(req.user, deps.authorizer, req.body);
    case 'selfsubjectrulesreviews':
      return selfSubjectRulesReview(req.user, deps.authorizer, req.body);
    default:
      return selfSubjectReview(req.user, req.body, { version: req.version as SelfSubjectReviewVersion, now: deps.now });
  }
}
