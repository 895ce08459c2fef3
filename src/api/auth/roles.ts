// Who may do what on peapod, in one place: roles written as RBAC ClusterRoles and the groups they are
// bound to, as ClusterRoleBindings would bind them. Anything no binding allows is denied.
//
//   system:masters          cluster-admin               everything
//   system:authenticated    system:discovery            read discovery, OpenAPI, version and health
//                           system:basic-user           ask what they may do, and who they are
//                           system:public-info-viewer   read version and health
//   system:unauthenticated  system:public-info-viewer   read version and health
//   system:monitoring       system:monitoring           read /metrics and health
//   system:authenticated    peapod:dashboard-user       mint a dashboard login for themselves
//   everyone                peapod:dashboard-public     the dashboard's page, its login and logout
//   system:serviceaccounts  system:service-account-     read the token issuer's OpenID configuration
//                           issuer-discovery            and keys
//   peapod:viewers          view                        read everything but secrets and the streams
//                                                       into containers; list images and containers
//
// The system roles follow Kubernetes' bootstrap policy. Differences: health paths cover their
// subpaths (/healthz/ping, /readyz/log), which peapod serves to everyone who may read /healthz; and
// "view" is written as "everything except", where Kubernetes' view role lists what it may read; and
// system:monitoring leaves out /metrics/slis, which peapod does not serve.

import { GROUP_AUTHENTICATED, GROUP_MASTERS, GROUP_MONITORING, GROUP_SERVICE_ACCOUNTS, GROUP_UNAUTHENTICATED, GROUP_VIEWERS } from './types.js';
import type { PolicyRule } from './policy.js';

export interface Role {
  name: string;
  rules: PolicyRule[];
}

/** A role granted to every member of a group. */
export interface RoleBinding {
  group: string;
  role: Role;
}

const HEALTH_URLS = ['/healthz', '/healthz/*', '/livez', '/livez/*', '/readyz', '/readyz/*'];

export const CLUSTER_ADMIN: Role = {
  name: 'cluster-admin',
  rules: [
    { verbs: ['*'], apiGroups: ['*'], resources: ['*'] },
    { verbs: ['*'], nonResourceURLs: ['*'] },
  ],
};

export const DISCOVERY: Role = {
  name: 'system:discovery',
  rules: [
    {
      verbs: ['get'],
      nonResourceURLs: ['/api', '/api/*', '/apis', '/apis/*', '/openapi', '/openapi/*', '/version', '/version/', ...HEALTH_URLS],
    },
  ],
};

export const BASIC_USER: Role = {
  name: 'system:basic-user',
  rules: [
    { verbs: ['create'], apiGroups: ['authorization.k8s.io'], resources: ['selfsubjectaccessreviews', 'selfsubjectrulesreviews'] },
    { verbs: ['create'], apiGroups: ['authentication.k8s.io'], resources: ['selfsubjectreviews'] },
  ],
};

export const PUBLIC_INFO_VIEWER: Role = {
  name: 'system:public-info-viewer',
  rules: [{ verbs: ['get'], nonResourceURLs: [...HEALTH_URLS, '/version', '/version/'] }],
};

export const MONITORING: Role = {
  name: 'system:monitoring',
  rules: [{ verbs: ['get'], nonResourceURLs: ['/metrics', ...HEALTH_URLS] }],
};

/**
 * Read-only access. Never: secrets (credentials), and the subresources that reach into a container
 * or a node (exec, attach, port-forward and proxies): over WebSocket these are plain GETs, so a
 * "get on every subresource" would hand out a root shell. Nor pods/ephemeralcontainers, which upstream's
 * view role leaves out too (it is how a debugger is added), nor pods/anatomy, which reads the containers'
 * live command lines (a secret expanded into argv shows there).
 */
export const VIEW: Role = {
  name: 'view',
  rules: [
    {
      verbs: ['get', 'list', 'watch'],
      apiGroups: ['*'],
      resources: ['*'],
      exceptResources: ['secrets', 'pods/exec', 'pods/attach', 'pods/portforward', 'pods/proxy', 'pods/ephemeralcontainers', 'pods/anatomy', 'services/proxy', 'nodes/proxy'],
    },
    // What the node runs (peapod version: runc, conmon, kernel…) is for the node's people, not every
    // authenticated caller: a pod's service account token would otherwise learn the versions an escape needs.
    { verbs: ['get'], nonResourceURLs: ['/peapod/v1/images', '/peapod/v1/runtime/ps', '/peapod/v1/version'] },
  ],
};

/**
 * The dashboard's page and its login (api/dashboard.ts), for everyone: the page holds nothing of the node,
 * and a login needs a token only `peapod dashboard` mints.
 */
export const DASHBOARD_PUBLIC: Role = {
  name: 'peapod:dashboard-public',
  rules: [
    { verbs: ['get'], nonResourceURLs: ['/ui', '/ui/', '/ui/*'] },
    { verbs: ['post'], nonResourceURLs: ['/ui/login', '/ui/logout'] },
  ],
};

/** Minting a dashboard login for oneself: the session gets the caller's own rights, no more. */
export const DASHBOARD_USER: Role = {
  name: 'peapod:dashboard-user',
  rules: [{ verbs: ['post'], nonResourceURLs: ['/peapod/v1/dashboard/login'] }],
};

/** Reading the service account issuer's OpenID configuration and keys (kube-apiserver's bootstrap role). */
export const ISSUER_DISCOVERY: Role = {
  name: 'system:service-account-issuer-discovery',
  rules: [{ verbs: ['get'], nonResourceURLs: ['/.well-known/openid-configuration', '/.well-known/openid-configuration/', '/openid/v1/jwks', '/openid/v1/jwks/'] }],
};

/** In order: the first binding whose role allows a request gives the decision's reason. */
export const BINDINGS: RoleBinding[] = [
  { group: GROUP_MASTERS, role: CLUSTER_ADMIN },
  { group: GROUP_VIEWERS, role: VIEW },
  { group: GROUP_MONITORING, role: MONITORING },
  { group: GROUP_AUTHENTICATED, role: DISCOVERY },
  { group: GROUP_AUTHENTICATED, role: BASIC_USER },
  { group: GROUP_AUTHENTICATED, role: PUBLIC_INFO_VIEWER },
  { group: GROUP_UNAUTHENTICATED, role: PUBLIC_INFO_VIEWER },
  { group: GROUP_AUTHENTICATED, role: DASHBOARD_USER },
  { group: GROUP_AUTHENTICATED, role: DASHBOARD_PUBLIC },
  { group: GROUP_UNAUTHENTICATED, role: DASHBOARD_PUBLIC },
  { group: GROUP_SERVICE_ACCOUNTS, role: ISSUER_DISCOVERY },
];
