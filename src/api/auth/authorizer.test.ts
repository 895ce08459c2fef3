import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RuleAuthorizer } from './authorizer.js';
import { requestAttributes } from './request-info.js';
import { BINDINGS } from './roles.js';
import { ANONYMOUS_USER, GROUP_AUTHENTICATED, GROUP_MASTERS, GROUP_MONITORING, GROUP_UNAUTHENTICATED, GROUP_VIEWERS, type RequestAttributes, type UserInfo } from './types.js';

const authz = new RuleAuthorizer();

const admin: UserInfo = { username: 'admin', groups: [GROUP_MASTERS, GROUP_AUTHENTICATED] };
const viewer: UserInfo = { username: 'vic', groups: [GROUP_VIEWERS, GROUP_AUTHENTICATED] };
const monitor: UserInfo = { username: 'prometheus', groups: [GROUP_MONITORING, GROUP_AUTHENTICATED] };
const plain: UserInfo = { username: 'pat', groups: [GROUP_AUTHENTICATED] };
const anonymous: UserInfo = { username: ANONYMOUS_USER, groups: [GROUP_UNAUTHENTICATED] };
const nobody: UserInfo = { username: 'nobody', groups: [] };

function decide(user: UserInfo, method: string, url: string): boolean {
  const u = new URL(url, 'https://peapod.test');
  return authz.authorize(requestAttributes(user, method, u.pathname, u.searchParams)).allowed;
}

const cases: [string, UserInfo, string, string, boolean][] = [
  // system:masters
  ['a master creates pods', admin, 'POST', '/api/v1/namespaces/default/pods', true],
  ['a master reads secrets', admin, 'GET', '/api/v1/namespaces/default/secrets/token', true],
  ['a master execs into a pod', admin, 'POST', '/api/v1/namespaces/default/pods/web/exec?command=sh', true],
  ['a master loads an image', admin, 'POST', '/peapod/v1/images/load', true],
  ['a master removes an image', admin, 'DELETE', '/peapod/v1/images/busybox', true],
  ['a master uses any group', admin, 'DELETE', '/apis/apps/v1/namespaces/default/deployments/web', true],
  // peapod:viewers: reads
  ['a viewer lists pods', viewer, 'GET', '/api/v1/namespaces/default/pods', true],
  ['a viewer lists pods in every namespace', viewer, 'GET', '/api/v1/pods', true],
  ['a viewer watches pods', viewer, 'GET', '/api/v1/namespaces/default/pods?watch=true', true],
  ['a viewer watches through the legacy prefix', viewer, 'GET', '/api/v1/watch/namespaces/default/pods', true],
  ['a viewer gets a pod', viewer, 'GET', '/api/v1/namespaces/default/pods/web', true],
  ['a viewer reads logs', viewer, 'GET', '/api/v1/namespaces/default/pods/web/log?follow=true', true],
  ['a viewer reads pod status', viewer, 'GET', '/api/v1/namespaces/default/pods/web/status', true],
  ['a viewer reads configmaps', viewer, 'GET', '/api/v1/namespaces/default/configmaps/cfg', true],
  ['a viewer lists events', viewer, 'GET', '/api/v1/namespaces/default/events?fieldSelector=involvedObject.name%3Dweb', true],
  ['a viewer lists nodes', viewer, 'GET', '/api/v1/nodes', true],
  ['a viewer gets a namespace', viewer, 'GET', '/api/v1/namespaces/default', true],
  ['a viewer reads another group', viewer, 'GET', '/apis/events.k8s.io/v1/namespaces/default/events', true],
  ['a viewer lists images', viewer, 'GET', '/peapod/v1/images', true],
  ['a viewer lists runtime containers', viewer, 'GET', '/peapod/v1/runtime/ps', true],
  ['a viewer reads discovery', viewer, 'GET', '/api/v1', true],
  // peapod:viewers: what stays closed
  ['a viewer cannot create a pod', viewer, 'POST', '/api/v1/namespaces/default/pods', false],
  ['a viewer cannot patch a pod', viewer, 'PATCH', '/api/v1/namespaces/default/pods/web', false],
  ['a viewer cannot update a configmap', viewer, 'PUT', '/api/v1/namespaces/default/configmaps/cfg', false],
  ['a viewer cannot delete a pod', viewer, 'DELETE', '/api/v1/namespaces/default/pods/web', false],
  ['a viewer cannot delete a collection', viewer, 'DELETE', '/api/v1/namespaces/default/pods', false],
  ['a viewer cannot get a secret', viewer, 'GET', '/api/v1/namespaces/default/secrets/token', false],
  ['a viewer cannot list secrets', viewer, 'GET', '/api/v1/namespaces/default/secrets', false],
  ['a viewer cannot list secrets in every namespace', viewer, 'GET', '/api/v1/secrets', false],
  ['a viewer cannot watch secrets through the legacy prefix', viewer, 'GET', '/api/v1/watch/namespaces/default/secrets', false],
  ['a viewer cannot watch one secret pinned by field selector', viewer, 'GET', '/api/v1/namespaces/default/secrets?fieldSelector=metadata.name%3Dtoken&watch=true', false],
  ['a viewer cannot reach secrets through an empty path segment', viewer, 'GET', '/api/v1/namespaces/default//secrets', false],
  ['a viewer cannot exec over SPDY', viewer, 'POST', '/api/v1/namespaces/default/pods/web/exec?command=sh', false],
  ['a viewer cannot exec over WebSocket, which is a GET', viewer, 'GET', '/api/v1/namespaces/default/pods/web/exec?command=sh', false],
  ['a viewer cannot attach over WebSocket', viewer, 'GET', '/api/v1/namespaces/default/pods/web/attach?stdin=true', false],
  ['a viewer cannot port-forward through the WebSocket tunnel', viewer, 'GET', '/api/v1/namespaces/default/pods/web/portforward', false],
  ['a viewer cannot proxy to a pod', viewer, 'GET', '/api/v1/namespaces/default/pods/web/proxy/', false],
  ['a viewer cannot proxy to a service', viewer, 'GET', '/api/v1/namespaces/default/services/web/proxy/', false],
  ['a viewer cannot proxy to a node', viewer, 'GET', '/api/v1/nodes/n1/proxy/', false],
  ['a viewer cannot evict a pod', viewer, 'POST', '/api/v1/namespaces/default/pods/web/eviction', false],
  ['a viewer cannot add an ephemeral container', viewer, 'PATCH', '/api/v1/namespaces/default/pods/web/ephemeralcontainers', false],
  ['a viewer cannot load an image', viewer, 'POST', '/peapod/v1/images/load', false],
  ['a viewer cannot import a rootfs', viewer, 'POST', '/peapod/v1/images/import?name=x', false],
  ['a viewer cannot remove an image', viewer, 'DELETE', '/peapod/v1/images/busybox', false],
  ['a viewer cannot read other peapod paths', viewer, 'GET', '/peapod/v1/images/busybox', false],
  // system:monitoring, and who else may scrape
  ['a master reads /metrics', admin, 'GET', '/metrics', true],
  ['a monitor reads /metrics', monitor, 'GET', '/metrics', true],
  ['a monitor reads a health subpath', monitor, 'GET', '/livez/ping', true],
  ['a monitor cannot list pods', monitor, 'GET', '/api/v1/namespaces/default/pods', false],
  ['a monitor cannot post to /metrics', monitor, 'POST', '/metrics', false],
  ['a viewer cannot read /metrics, as Kubernetes\' view role cannot', viewer, 'GET', '/metrics', false],
  ['an authenticated user cannot read /metrics', plain, 'GET', '/metrics', false],
  ['anonymous cannot read /metrics', anonymous, 'GET', '/metrics', false],
  // system:authenticated
  ['an authenticated user reads /api', plain, 'GET', '/api', true],
  ['an authenticated user reads /apis', plain, 'GET', '/apis', true],
  ['an authenticated user reads a group version', plain, 'GET', '/apis/authorization.k8s.io/v1', true],
  ['an authenticated user reads the OpenAPI v2', plain, 'GET', '/openapi/v2', true],
  ['an authenticated user reads the OpenAPI v3 group', plain, 'GET', '/openapi/v3/api/v1', true],
  ['an authenticated user reads the version', plain, 'GET', '/version', true],
  ['an authenticated user reads the version with a trailing slash', plain, 'GET', '/version/', true],
  ['an authenticated user reads a readiness check', plain, 'GET', '/readyz/ping', true],
  ['an authenticated user asks can-i', plain, 'POST', '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews', true],
  ['an authenticated user asks can-i --list', plain, 'POST', '/apis/authorization.k8s.io/v1/selfsubjectrulesreviews', true],
  ['an authenticated user asks whoami', plain, 'POST', '/apis/authentication.k8s.io/v1/selfsubjectreviews', true],
  ['an authenticated user asks whoami on v1alpha1', plain, 'POST', '/apis/authentication.k8s.io/v1alpha1/selfsubjectreviews', true],
  ['an authenticated user cannot post to discovery', plain, 'POST', '/api/v1', false],
  ['an authenticated user cannot list pods', plain, 'GET', '/api/v1/namespaces/default/pods', false],
  ['an authenticated user cannot list images', plain, 'GET', '/peapod/v1/images', false],
  ['an authenticated user cannot create a SubjectAccessReview for others', plain, 'POST', '/apis/authorization.k8s.io/v1/subjectaccessreviews', false],
  // system:unauthenticated
  ['anonymous reads /healthz', anonymous, 'GET', '/healthz', true],
  ['anonymous reads /livez', anonymous, 'GET', '/livez', true],
  ['anonymous reads /readyz', anonymous, 'GET', '/readyz', true],
  ['anonymous reads a health subpath', anonymous, 'GET', '/healthz/ping', true],
  ['anonymous reads /version', anonymous, 'GET', '/version', true],
  ['anonymous cannot read what the node runs', anonymous, 'GET', '/peapod/v1/version', false],
  ['an authenticated user without a role cannot read what the node runs', plain, 'GET', '/peapod/v1/version', false],
  ['a viewer reads what the node runs (peapod version)', viewer, 'GET', '/peapod/v1/version', true],
  ["a pod's service account cannot read what the node runs (runc, kernel: what an escape needs)", { username: 'system:serviceaccount:default:default', groups: ['system:serviceaccounts', 'system:serviceaccounts:default', GROUP_AUTHENTICATED] }, 'GET', '/peapod/v1/version', false],
  ['anonymous cannot read discovery', anonymous, 'GET', '/api', false],
  ['anonymous cannot read OpenAPI', anonymous, 'GET', '/openapi/v2', false],
  ['anonymous cannot ask can-i', anonymous, 'POST', '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews', false],
  ['anonymous cannot list pods', anonymous, 'GET', '/api/v1/pods', false],
  ['anonymous cannot HEAD /healthz, as RBAC allows only get', anonymous, 'HEAD', '/healthz', false],
  ['anonymous cannot read a path that only starts like /version', anonymous, 'GET', '/versionx', false],
  // no groups at all
  ['a user with no groups cannot read /healthz', nobody, 'GET', '/healthz', false],
  ['a user with no groups cannot list nodes', nobody, 'GET', '/api/v1/nodes', false],
];

for (const [name, user, method, url, allowed] of cases) {
  test(name, () => assert.equal(decide(user, method, url), allowed));
}

/** Attributes as a SelfSubjectAccessReview builds them. */
function review(user: UserInfo, verb: string, resource: string, extra: Partial<RequestAttributes> = {}): RequestAttributes {
  return { user, verb, resourceRequest: true, path: '', apiGroup: '', apiVersion: '*', resource, subresource: '', namespace: '', name: '', ...extra };
}

const wildcards: [string, RequestAttributes, boolean][] = [
  ["a master can do '*' on '*'", review(admin, '*', '*'), true],
  ["a viewer cannot do '*' on '*'", review(viewer, '*', '*'), false],
  ["a viewer cannot get '*', which would include secrets", review(viewer, 'get', '*'), false],
  ["a viewer cannot get every subresource of pods, which would include exec", review(viewer, 'get', 'pods', { subresource: '*' }), false],
  ["a viewer cannot list '*' in group '*'", review(viewer, 'list', '*', { apiGroup: '*' }), false],
  ['a viewer gets pods in group "*" but not secrets', review(viewer, 'get', 'pods', { apiGroup: '*' }), true],
  ["a viewer cannot use verb '*' on pods", review(viewer, '*', 'pods'), false],
  ['a viewer cannot get a secrets subresource either', review(viewer, 'get', 'secrets', { subresource: 'status' }), false],
  ["an authenticated user cannot create '*'", review(plain, 'create', '*', { apiGroup: 'authorization.k8s.io' }), false],
];

for (const [name, attrs, allowed] of wildcards) {
  test(name, () => assert.equal(authz.authorize(attrs).allowed, allowed));
}

test('an allowed decision says which rules and group allowed it', () => {
  const d = authz.authorize(review(viewer, 'list', 'pods'));
  assert.deepEqual(d, { allowed: true, reason: `allowed by peapod's "view" rules for group "peapod:viewers"` });
});

test('a master is allowed by the cluster-admin rules', () => {
  const d = authz.authorize(review(admin, 'delete', 'pods'));
  assert.equal(d.reason, `allowed by peapod's "cluster-admin" rules for group "system:masters"`);
});

test('a denial has an empty reason, as RBAC gives none', () => {
  assert.deepEqual(authz.authorize(review(viewer, 'create', 'pods')), { allowed: false, reason: '' });
});

test('every rule is either about resources or about paths, as RBAC validation requires', () => {
  for (const b of BINDINGS) {
    for (const r of b.role.rules) {
      const resources = (r.resources?.length ?? 0) > 0;
      const urls = (r.nonResourceURLs?.length ?? 0) > 0;
      assert.ok(resources !== urls, `${b.role.name}: ${JSON.stringify(r)}`);
      if (resources) assert.ok((r.apiGroups?.length ?? 0) > 0, `${b.role.name}: a resource rule names its groups`);
      assert.ok(r.verbs.length > 0);
    }
  }
});

test('a master lists every rule as the cluster-admin wildcards first', () => {
  const rules = authz.rulesFor(admin, 'default');
  assert.deepEqual(rules.resourceRules[0], { verbs: ['*'], apiGroups: ['*'], resources: ['*'] });
  assert.deepEqual(rules.nonResourceRules[0], { verbs: ['*'], nonResourceURLs: ['*'] });
  assert.equal(rules.incomplete, false);
});

test('a viewer sees the view rule spelled out over what peapod serves, without secrets or streams', () => {
  const rules = authz.rulesFor(viewer, 'default');
  const view = rules.resourceRules.find((r) => r.verbs.join() === 'get,list,watch');
  assert.ok(view);
  assert.deepEqual(view.apiGroups, ['']);
  assert.deepEqual(view.resources, [
    'configmaps',
    'events',
    'namespaces',
    'namespaces/status',
    'nodes',
    'nodes/status',
    'persistentvolumeclaims',
    'persistentvolumeclaims/status',
    'persistentvolumes',
    'persistentvolumes/status',
    'pods',
    'pods/log',
    'pods/status',
    'serviceaccounts',
    'services',
  ]);
  const storage = rules.resourceRules.find((r) => r.apiGroups?.[0] === 'storage.k8s.io');
  assert.deepEqual(storage?.resources, ['storageclasses']);
  assert.deepEqual(rules.nonResourceRules[0], { verbs: ['get'], nonResourceURLs: ['/peapod/v1/images', '/peapod/v1/runtime/ps', '/peapod/v1/version'] });
});

test('every resource the spelled-out view rule lists is one a viewer may get', () => {
  const view = authz.rulesFor(viewer, 'default').resourceRules.find((r) => r.verbs.join() === 'get,list,watch')!;
  for (const combined of view.resources!) {
    const [resource, subresource = ''] = combined.split('/');
    assert.equal(authz.authorize(review(viewer, 'get', resource!, { subresource })).allowed, true, combined);
  }
});

test('an authenticated user sees the self-review and discovery rules', () => {
  const rules = authz.rulesFor(plain, 'default');
  assert.deepEqual(rules.resourceRules, [
    { verbs: ['create'], apiGroups: ['authorization.k8s.io'], resources: ['selfsubjectaccessreviews', 'selfsubjectrulesreviews'] },
    { verbs: ['create'], apiGroups: ['authentication.k8s.io'], resources: ['selfsubjectreviews'] },
  ]);
  assert.ok(rules.nonResourceRules.some((r) => r.nonResourceURLs?.includes('/api/*')));
});

test('a user with no groups has no rules', () => {
  assert.deepEqual(authz.rulesFor(nobody, 'default'), { resourceRules: [], nonResourceRules: [], incomplete: false });
});

test('other bindings can be given, with resourceNames honoured', () => {
  const custom = new RuleAuthorizer({
    bindings: [{ group: 'ops', role: { name: 'restart-web', rules: [{ verbs: ['delete'], apiGroups: [''], resources: ['pods'], resourceNames: ['web'] }] } }],
  });
  const ops: UserInfo = { username: 'o', groups: ['ops'] };
  assert.equal(custom.authorize(review(ops, 'delete', 'pods', { name: 'web' })).allowed, true);
  assert.equal(custom.authorize(review(ops, 'delete', 'pods', { name: 'db' })).allowed, false);
  assert.equal(custom.authorize(review(ops, 'deletecollection', 'pods')).allowed, false);
});

test('a "*/subresource" rule matches that subresource of any resource', () => {
  const custom = new RuleAuthorizer({
    bindings: [{ group: 'st', role: { name: 'status', rules: [{ verbs: ['get'], apiGroups: [''], resources: ['*/status'] }] } }],
  });
  const u: UserInfo = { username: 's', groups: ['st'] };
  assert.equal(custom.authorize(review(u, 'get', 'nodes', { subresource: 'status' })).allowed, true);
  assert.equal(custom.authorize(review(u, 'get', 'nodes')).allowed, false);
});
