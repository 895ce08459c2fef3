// The kubelet side's token source for projected volumes: the token manager over the issuer, asked as
// the kubelet asks the API (a TokenRequest for the pod's account, bound to the pod).

import type { PodTokenSource } from '../volumes/projection.js';
import type { TokenManager } from './token-manager.js';

export function podTokenSource(manager: TokenManager): PodTokenSource {
  return {
    token: (namespace, req) =>
      manager.getServiceAccountToken(namespace, req.serviceAccountName, {
        audiences: req.audiences,
        expirationSeconds: req.expirationSeconds,
        boundObjectRef: req.boundObjectRef,
      }).token,
    forgetPod: (uid) => manager.deletePodTokens(uid),
  };
}
