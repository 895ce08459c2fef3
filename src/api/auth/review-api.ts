// The self-review resources peapod serves, as discovery lists them: what the route wiring needs to
// add them to /apis (legacy and aggregated discovery) and to route POSTs to the handlers in reviews.ts.
// All three are cluster-scoped, create-only and answer 201 with the review, its status filled.

export interface ReviewApi {
  group: string;
  /** Served versions, preferred first. */
  versions: string[];
  /** The plural resource name in the URL: /apis/<group>/<version>/<resource>. */
  resource: string;
  singularName: string;
  kind: string;
  verbs: string[];
  namespaced: false;
}

export const REVIEW_APIS: readonly ReviewApi[] = [
  {
    group: 'authorization.k8s.io',
    versions: ['v1'],
    resource: 'selfsubjectaccessreviews',
    singularName: 'selfsubjectaccessreview',
    kind: 'SelfSubjectAccessReview',
    verbs: ['create'],
    namespaced: false,
  },
  {
    group: 'authorization.k8s.io',
    versions: ['v1'],
    resource: 'selfsubjectrulesreviews',
    singularName: 'selfsubjectrulesreview',
    kind: 'SelfSubjectRulesReview',
    verbs: ['create'],
    namespaced: false,
  },
  {
    // kubectl auth whoami asks for v1 and falls back to v1beta1, then v1alpha1, on 404.
    group: 'authentication.k8s.io',
    versions: ['v1', 'v1beta1', 'v1alpha1'],
    resource: 'selfsubjectreviews',
    singularName: 'selfsubjectreview',
    kind: 'SelfSubjectReview',
    verbs: ['create'],
    namespaced: false,
  },
];

/** The review API a POST path names, or undefined. */
export function reviewApiFor(group: string, version: string, resource: string): ReviewApi | undefined {
  return REVIEW_APIS.find((a) => a.group === group && a.resource === resource && a.versions.includes(version));
}
