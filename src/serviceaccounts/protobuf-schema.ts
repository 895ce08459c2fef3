// Protobuf field tables of ServiceAccount (core/v1) and TokenRequest (authentication.k8s.io/v1), in
// api/protobuf/k8s-schema.ts's encoding: kubectl 1.32+ sends `create sa` and `create token` bodies as
// protobuf. Written by hand from the upstream generated.proto field numbers; the e2e suite checks them
// against the real kubectl.

const auth = 'authentication.k8s.io.v1';

export const SERVICE_ACCOUNT_MESSAGES: Record<string, string> = {
  'core.v1.ServiceAccount': '1:metadata:meta.v1.ObjectMeta;2:secrets:core.v1.ObjectReference:r;3:imagePullSecrets:core.v1.LocalObjectReference:r;4:automountServiceAccountToken:bool',
  [`${auth}.TokenRequest`]: `1:metadata:meta.v1.ObjectMeta;2:spec:${auth}.TokenRequestSpec;3:status:${auth}.TokenRequestStatus`,
  [`${auth}.TokenRequestSpec`]: `1:audiences:string:r;3:boundObjectRef:${auth}.BoundObjectReference;4:expirationSeconds:int64`,
  [`${auth}.BoundObjectReference`]: '1:kind:string;2:apiVersion:string;3:name:string;4:uid:string',
  [`${auth}.TokenRequestStatus`]: '1:token:string;2:expirationTimestamp:meta.v1.Time',
};
