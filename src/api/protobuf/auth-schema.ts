// Protobuf field tables of the review kinds (k8s.io/api authorization/v1 and authentication
// v1/v1beta1/v1alpha1 generated.proto), in k8s-schema.ts's encoding: kubectl 1.32+ sends
// `kubectl auth can-i` and `kubectl auth whoami` bodies as protobuf. Written by hand from the upstream
// field numbers; the e2e suite checks them against the real kubectl.

const userInfo = '1:username:string;2:uid:string;3:groups:string:r;4:extra:map<string,authentication.ExtraValue>';

function authentication(version: string): Record<string, string> {
  const p = `authentication.k8s.io.${version}`;
  return {
    [`${p}.SelfSubjectReview`]: `1:metadata:meta.v1.ObjectMeta;2:status:${p}.SelfSubjectReviewStatus`,
    [`${p}.SelfSubjectReviewStatus`]: `1:userInfo:${p}.UserInfo`,
    [`${p}.UserInfo`]: userInfo.replace('authentication.ExtraValue', `${p}.ExtraValue`),
    [`${p}.ExtraValue`]: '1:items:string:r',
  };
}

const authz = 'authorization.k8s.io.v1';

export const AUTH_MESSAGES: Record<string, string> = {
  [`${authz}.SelfSubjectAccessReview`]: `1:metadata:meta.v1.ObjectMeta;2:spec:${authz}.SelfSubjectAccessReviewSpec;3:status:${authz}.SubjectAccessReviewStatus`,
  [`${authz}.SelfSubjectAccessReviewSpec`]: `1:resourceAttributes:${authz}.ResourceAttributes;2:nonResourceAttributes:${authz}.NonResourceAttributes`,
  [`${authz}.ResourceAttributes`]:
    `1:namespace:string;2:verb:string;3:group:string;4:version:string;5:resource:string;6:subresource:string;7:name:string;8:fieldSelector:${authz}.FieldSelectorAttributes;9:labelSelector:${authz}.LabelSelectorAttributes`,
  [`${authz}.NonResourceAttributes`]: '1:path:string;2:verb:string',
  [`${authz}.FieldSelectorAttributes`]: '1:rawSelector:string;2:requirements:meta.v1.FieldSelectorRequirement:r',
  [`${authz}.LabelSelectorAttributes`]: '1:rawSelector:string;2:requirements:meta.v1.LabelSelectorRequirement:r',
  'meta.v1.FieldSelectorRequirement': '1:key:string;2:operator:string;3:values:string:r',
  [`${authz}.SubjectAccessReviewStatus`]: '1:allowed:bool;2:reason:string;3:evaluationError:string;4:denied:bool',
  [`${authz}.SelfSubjectRulesReview`]: `1:metadata:meta.v1.ObjectMeta;2:spec:${authz}.SelfSubjectRulesReviewSpec;3:status:${authz}.SubjectRulesReviewStatus`,
  [`${authz}.SelfSubjectRulesReviewSpec`]: '1:namespace:string',
  [`${authz}.SubjectRulesReviewStatus`]:
    `1:resourceRules:${authz}.ResourceRule:r;2:nonResourceRules:${authz}.NonResourceRule:r;3:incomplete:bool;4:evaluationError:string`,
  [`${authz}.ResourceRule`]: '1:verbs:string:r;2:apiGroups:string:r;3:resources:string:r;4:resourceNames:string:r',
  [`${authz}.NonResourceRule`]: '1:verbs:string:r;2:nonResourceURLs:string:r',
  ...authentication('v1'),
  ...authentication('v1beta1'),
  ...authentication('v1alpha1'),
};
