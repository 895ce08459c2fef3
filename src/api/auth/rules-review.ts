// SelfSubjectRulesReview (authorization.k8s.io/v1): "what may I do in this namespace?", asked by
// `kubectl auth can-i --list [-n NS]`, which prints the rules as a table. As the apiserver does, the
// answer is a fresh review holding only the status (its spec comes back empty), and a review without
// spec.namespace is a 400.

import { BadRequestError } from '../../errors.js';
import type { NonResourceRule, ResourceRule, RuleResolver } from './authorizer.js';
import { decodeReview, OBJECT_META, type StructShape } from './review-decode.js';
import type { UserInfo } from './types.js';

export interface SubjectRulesReviewStatus {
  resourceRules: ResourceRule[];
  nonResourceRules: NonResourceRule[];
  incomplete: boolean;
  evaluationError?: string;
}

export interface SelfSubjectRulesReview {
  kind: 'SelfSubjectRulesReview';
  apiVersion: 'authorization.k8s.io/v1';
  metadata: { creationTimestamp: null };
  spec: Record<string, never>;
  status: SubjectRulesReviewStatus;
}

const SHAPE: StructShape = {
  goType: 'v1.SelfSubjectRulesReview',
  fields: { metadata: OBJECT_META, spec: { goType: 'v1.SelfSubjectRulesReviewSpec', fields: { namespace: 'string' } } },
};

/** Answers a SelfSubjectRulesReview for `user` (the apiserver replies 201 with it). */
export function selfSubjectRulesReview(user: UserInfo, resolver: RuleResolver, body: unknown): SelfSubjectRulesReview {
  const decoded = decodeReview(body, { group: 'authorization.k8s.io', version: 'v1', kind: 'SelfSubjectRulesReview' }, SHAPE);
  const namespace = ((decoded.spec ?? {}) as { namespace?: string }).namespace ?? '';
  if (namespace === '') throw new BadRequestError('no namespace on request');
  const rules = resolver.rulesFor(user, namespace);
  return {
    kind: 'SelfSubjectRulesReview',
    apiVersion: 'authorization.k8s.io/v1',
    metadata: { creationTimestamp: null },
    spec: {},
    status: { resourceRules: rules.resourceRules, nonResourceRules: rules.nonResourceRules, incomplete: rules.incomplete },
  };
}
