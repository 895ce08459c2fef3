// The vocabulary of the API's security stage, as Kubernetes' apiserver uses it: who is asking
// (UserInfo, from authentication), what they ask to do (RequestAttributes, from the request path and
// method: the apiserver's RequestInfo), and the answer (Decision, from authorization).

/** The user a request runs as (k8s.io/apiserver/pkg/authentication/user.Info). */
export interface UserInfo {
  username: string;
  uid?: string;
  /** Always includes system:authenticated for an authenticated user, system:unauthenticated for anonymous. */
  groups: string[];
  extra?: Record<string, string[]>;
}

/** Well-known users and groups. */
export const ANONYMOUS_USER = 'system:anonymous';
export const GROUP_AUTHENTICATED = 'system:authenticated';
export const GROUP_UNAUTHENTICATED = 'system:unauthenticated';
/** May do everything, as on any cluster. */
export const GROUP_MASTERS = 'system:masters';
/** May read /metrics and the health paths (Kubernetes' bootstrap group for scrapers). */
export const GROUP_MONITORING = 'system:monitoring';
/** Every service account (its tokens' users are system:serviceaccount:<namespace>:<name>). */
export const GROUP_SERVICE_ACCOUNTS = 'system:serviceaccounts';
/** peapod's built-in read-only group: get, list, watch and logs; no secrets, exec, attach or port-forward. */
export const GROUP_VIEWERS = 'peapod:viewers';

/**
 * What a request asks to do (k8s.io/apiserver authorizer.Attributes). A resource request names a verb
 * (get, list, watch, create, update, patch, delete, deletecollection), an API group ("" for core), a
 * resource, and optionally a subresource, namespace and name. Any other path is a non-resource request
 * whose verb is the lowercased HTTP method (get, post, put, patch, delete, head, options).
 */
export interface RequestAttributes {
  user: UserInfo;
  verb: string;
  resourceRequest: boolean;
  /** The URL path as sent (non-resource requests are authorized by it). */
  path: string;
  apiGroup: string;
  apiVersion: string;
  resource: string;
  subresource: string;
  namespace: string;
  name: string;
}

export interface Decision {
  allowed: boolean;
  /** Why: shown in SubjectAccessReview status and appended to a 403's message when denied. */
  reason: string;
}

/** One authorize() for every route, stream and the dashboard. */
export interface Authorizer {
  authorize(attrs: RequestAttributes): Decision;
}
