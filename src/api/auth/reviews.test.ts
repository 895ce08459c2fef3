import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BadRequestError, InvalidError } from '../../errors.js';
import { errorToStatus } from '../status.js';
import { RuleAuthorizer } from './authorizer.js';
import { REVIEW_APIS, reviewGroups, runReview, selfSubjectAccessReview, selfSubjectReview, selfSubjectRulesReview } from './reviews.js';
import { GROUP_AUTHENTICATED, GROUP_MASTERS, GROUP_VIEWERS, type Authorizer, type RequestAttributes, type UserInfo } from './types.js';

const authz = new RuleAuthorizer();
const admin: UserInfo = { username: 'admin', groups: [GROUP_MASTERS, GROUP_AUTHENTICATED] };
const viewer: UserInfo = { username: 'vic', groups: [GROUP_VIEWERS, GROUP_AUTHENTICATED] };
const NOW = Date.parse('2026-03-04T05:06:07.890Z');

/** The body kubectl auth can-i sends. */
function canI(spec: Record<string, unknown>): Record<string, unknown> {
  return { kind: 'SelfSubjectAccessReview', apiVersion: 'authorization.k8s.io/v1', metadata: { creationTimestamp: null }, spec, status: { allowed: false } };
}

const resourceAttributes = (ra: Record<string, string>) => canI({ resourceAttributes: ra });

const canICases: [string, UserInfo, Record<string, unknown>, boolean][] = [
  ['a viewer may not create pods', viewer, resourceAttributes({ namespace: 'dev', verb: 'create', resource: 'pods' }), false],
  ['a viewer may list pods', viewer, resourceAttributes({ namespace: 'dev', verb: 'list', resource: 'pods' }), true],
  ['a viewer may get one pod', viewer, resourceAttributes({ namespace: 'dev', verb: 'get', resource: 'pods', name: 'web' }), true],
  ['a viewer may read pod logs', viewer, resourceAttributes({ namespace: 'dev', verb: 'get', resource: 'pods', subresource: 'log' }), true],
  ['a viewer may not exec', viewer, resourceAttributes({ namespace: 'dev', verb: 'create', resource: 'pods', subresource: 'exec' }), false],
  ['a viewer may not get pods/exec either', viewer, resourceAttributes({ namespace: 'dev', verb: 'get', resource: 'pods', subresource: 'exec' }), false],
  ['a viewer may not get secrets', viewer, resourceAttributes({ namespace: 'dev', verb: 'get', resource: 'secrets' }), false],
  ['a viewer may list nodes across the cluster', viewer, resourceAttributes({ verb: 'list', resource: 'nodes' }), true],
  ["a viewer may not do '*' on '*'", viewer, resourceAttributes({ verb: '*', resource: '*' }), false],
  ["a master may do '*' on '*'", admin, resourceAttributes({ verb: '*', resource: '*' }), true],
  ['a master may get /logs', admin, canI({ nonResourceAttributes: { verb: 'get', path: '/logs' } }), true],
  ['a viewer may not get /logs', viewer, canI({ nonResourceAttributes: { verb: 'get', path: '/logs' } }), false],
  ['a viewer may get the image list', viewer, canI({ nonResourceAttributes: { verb: 'get', path: '/peapod/v1/images' } }), true],
  ['a viewer may not post an image load', viewer, canI({ nonResourceAttributes: { verb: 'post', path: '/peapod/v1/images/load' } }), false],
  ['empty resource attributes allow nothing', viewer, canI({ resourceAttributes: {} }), false],
];

for (const [name, user, body, allowed] of canICases) {
  test(`can-i: ${name}`, () => {
    assert.equal(selfSubjectAccessReview(user, authz, body).status.allowed, allowed);
  });
}

test('can-i answers with the review, its spec as sent and a status with the reason', () => {
  const got = selfSubjectAccessReview(viewer, authz, resourceAttributes({ namespace: 'dev', verb: 'list', resource: 'pods' }));
  assert.deepEqual(got, {
    kind: 'SelfSubjectAccessReview',
    apiVersion: 'authorization.k8s.io/v1',
    metadata: { creationTimestamp: null },
    spec: { resourceAttributes: { namespace: 'dev', verb: 'list', resource: 'pods' } },
    status: { allowed: true, reason: `allowed by peapod's "view" rules for group "peapod:viewers"` },
  });
});

test('a denied can-i has neither reason nor denied, as RBAC answers', () => {
  const got = selfSubjectAccessReview(viewer, authz, resourceAttributes({ namespace: 'dev', verb: 'delete', resource: 'pods' }));
  assert.deepEqual(got.status, { allowed: false });
});

test('a status sent by the client is ignored', () => {
  const body = { ...resourceAttributes({ verb: 'create', resource: 'pods' }), status: { allowed: true, reason: 'trust me' } };
  assert.deepEqual(selfSubjectAccessReview(viewer, authz, body).status, { allowed: false });
});

test('the attributes reach the authorizer as the apiserver builds them, an empty version meaning any', () => {
  let seen: RequestAttributes | undefined;
  const recorder: Authorizer = {
    authorize(attrs) {
      seen = attrs;
      return { allowed: false, reason: '' };
    },
  };
  selfSubjectAccessReview(viewer, recorder, resourceAttributes({ namespace: 'dev', verb: 'get', group: 'apps', resource: 'deployments', subresource: 'scale', name: 'web' }));
  assert.deepEqual(seen, {
    user: viewer,
    verb: 'get',
    resourceRequest: true,
    path: '',
    apiGroup: 'apps',
    apiVersion: '*',
    resource: 'deployments',
    subresource: 'scale',
    namespace: 'dev',
    name: 'web',
  });
  selfSubjectAccessReview(viewer, recorder, canI({ nonResourceAttributes: { verb: 'get', path: '/logs' } }));
  assert.equal(seen?.resourceRequest, false);
  assert.equal(seen?.path, '/logs');
  assert.equal(seen?.verb, 'get');
});

test('selectors in the attributes are dropped, as with AuthorizeWithSelectors off', () => {
  const body = canI({ resourceAttributes: { verb: 'list', resource: 'pods', fieldSelector: { rawSelector: 'spec.nodeName=n1' } } });
  assert.deepEqual(selfSubjectAccessReview(viewer, authz, body).spec, { resourceAttributes: { verb: 'list', resource: 'pods' } });
});

/** The error a body raises, as the client would see it. */
function statusOf(fn: () => unknown) {
  try {
    fn();
  } catch (err) {
    return { err, status: errorToStatus(err).status };
  }
  assert.fail('expected an error');
}

const invalidCases: [string, Record<string, unknown>, string][] = [
  [
    'a review with neither attribute set',
    canI({}),
    '.authorization.k8s.io "" is invalid: spec.resourceAttributes: Invalid value: "null": exactly one of nonResourceAttributes or resourceAttributes must be specified',
  ],
  [
    'a review with no spec at all',
    { kind: 'SelfSubjectAccessReview', apiVersion: 'authorization.k8s.io/v1' },
    '.authorization.k8s.io "" is invalid: spec.resourceAttributes: Invalid value: "null": exactly one of nonResourceAttributes or resourceAttributes must be specified',
  ],
  [
    'a review with both attribute sets',
    canI({ resourceAttributes: { verb: 'get', resource: 'pods' }, nonResourceAttributes: { verb: 'get', path: '/logs' } }),
    '.authorization.k8s.io "" is invalid: spec.nonResourceAttributes: Invalid value: authorization.NonResourceAttributes{Path:"/logs", Verb:"get"}: cannot be specified in combination with resourceAttributes',
  ],
  [
    'a review with a name and no attributes, listing both errors',
    { ...canI({}), metadata: { name: 'x' } },
    '.authorization.k8s.io "" is invalid: [spec.resourceAttributes: Invalid value: "null": exactly one of nonResourceAttributes or resourceAttributes must be specified, metadata: Invalid value: {"name":"x"}: must be empty]',
  ],
];

for (const [name, body, message] of invalidCases) {
  test(`can-i rejects ${name} with 422`, () => {
    const { err, status } = statusOf(() => selfSubjectAccessReview(viewer, authz, body));
    assert.ok(err instanceof InvalidError);
    assert.equal(status.code, 422);
    assert.equal(status.reason, 'Invalid');
    assert.equal(status.message, message);
  });
}

test('a 422 carries one cause per field with the group in details', () => {
  const { status } = statusOf(() => selfSubjectAccessReview(viewer, authz, canI({})));
  assert.equal(status.details?.group, 'authorization.k8s.io');
  assert.deepEqual(status.details?.causes, [
    {
      reason: 'FieldValueInvalid',
      message: 'Invalid value: "null": exactly one of nonResourceAttributes or resourceAttributes must be specified',
      field: 'spec.resourceAttributes',
    },
  ]);
});

test('empty metadata fields, labels and managedFields count as empty metadata', () => {
  const body = { ...resourceAttributes({ verb: 'get', resource: 'pods' }), metadata: { name: '', labels: {}, finalizers: [], managedFields: [{ manager: 'x' }] } };
  assert.equal(selfSubjectAccessReview(admin, authz, body).status.allowed, true);
});

const badRequests: [string, unknown, string][] = [
  ['a body that is not an object', ['x'], 'the object provided is unrecognized (must be of type SelfSubjectAccessReview): the body is not a JSON object'],
  [
    'another version of the group',
    { ...canI({ resourceAttributes: {} }), apiVersion: 'authorization.k8s.io/v1beta1' },
    'the API version in the data (authorization.k8s.io/v1beta1) does not match the expected API version (authorization.k8s.io/v1)',
  ],
  [
    'another kind',
    { ...canI({ resourceAttributes: {} }), kind: 'SubjectAccessReview' },
    'SubjectAccessReview in version "v1" cannot be handled as a SelfSubjectAccessReview: no kind "SubjectAccessReview" is registered for version "authorization.k8s.io/v1" in scheme "pkg/api/legacyscheme/scheme.go:30"',
  ],
  [
    'a kind that is not a string',
    { ...canI({ resourceAttributes: {} }), kind: 7 },
    "the object provided is unrecognized (must be of type SelfSubjectAccessReview): couldn't get version/kind; json parse error: json: cannot unmarshal number into Go struct field .kind of type string",
  ],
  [
    'a verb that is not a string',
    canI({ resourceAttributes: { verb: 1, resource: 'pods' } }),
    'SelfSubjectAccessReview in version "v1" cannot be handled as a SelfSubjectAccessReview: json: cannot unmarshal number into Go struct field ResourceAttributes.spec.resourceAttributes.verb of type string',
  ],
  [
    'a spec that is not an object',
    canI('everything' as unknown as Record<string, unknown>),
    'SelfSubjectAccessReview in version "v1" cannot be handled as a SelfSubjectAccessReview: json: cannot unmarshal string into Go struct field SelfSubjectAccessReview.spec of type v1.SelfSubjectAccessReviewSpec',
  ],
  [
    'attributes given as a list',
    canI({ nonResourceAttributes: ['get', '/logs'] }),
    'SelfSubjectAccessReview in version "v1" cannot be handled as a SelfSubjectAccessReview: json: cannot unmarshal array into Go struct field SelfSubjectAccessReviewSpec.spec.nonResourceAttributes of type v1.NonResourceAttributes',
  ],
];

for (const [name, body, message] of badRequests) {
  test(`can-i rejects ${name} with 400`, () => {
    const { err, status } = statusOf(() => selfSubjectAccessReview(viewer, authz, body));
    assert.ok(err instanceof BadRequestError);
    assert.equal(status.code, 400);
    assert.equal(status.message, message);
  });
}

test('a review without apiVersion and kind takes them from the URL', () => {
  assert.equal(selfSubjectAccessReview(viewer, authz, { spec: { resourceAttributes: { verb: 'list', resource: 'pods' } } }).status.allowed, true);
});

test('unknown fields are dropped, and field names are case-sensitive', () => {
  const body = canI({ resourceAttributes: { verb: 'list', resource: 'pods', Resource: 'secrets', extra: 1 } });
  assert.deepEqual(selfSubjectAccessReview(viewer, authz, body).spec, { resourceAttributes: { verb: 'list', resource: 'pods' } });
});

// SelfSubjectRulesReview

/** The body kubectl auth can-i --list sends. */
const listBody = (namespace?: string) => ({
  kind: 'SelfSubjectRulesReview',
  apiVersion: 'authorization.k8s.io/v1',
  metadata: { creationTimestamp: null },
  spec: namespace === undefined ? {} : { namespace },
  status: { resourceRules: null, nonResourceRules: null, incomplete: false },
});

test('can-i --list answers a fresh review with the rules and an empty spec', () => {
  const got = selfSubjectRulesReview(viewer, authz, listBody('dev'));
  const rules = authz.rulesFor(viewer, 'dev');
  assert.deepEqual(got, {
    kind: 'SelfSubjectRulesReview',
    apiVersion: 'authorization.k8s.io/v1',
    metadata: { creationTimestamp: null },
    spec: {},
    status: { resourceRules: rules.resourceRules, nonResourceRules: rules.nonResourceRules, incomplete: false },
  });
});

test('can-i --list for a user with no groups lists no rules', () => {
  const got = selfSubjectRulesReview({ username: 'x', groups: [] }, authz, listBody('dev'));
  assert.deepEqual(got.status, { resourceRules: [], nonResourceRules: [], incomplete: false });
});

test('can-i --list without a namespace is a 400', () => {
  const { status } = statusOf(() => selfSubjectRulesReview(viewer, authz, listBody()));
  assert.equal(status.code, 400);
  assert.equal(status.message, 'no namespace on request');
});

test('can-i --list with a namespace that is not a string is a 400', () => {
  const { status } = statusOf(() => selfSubjectRulesReview(viewer, authz, { ...listBody(), spec: { namespace: 3 } }));
  assert.equal(
    status.message,
    'SelfSubjectRulesReview in version "v1" cannot be handled as a SelfSubjectRulesReview: json: cannot unmarshal number into Go struct field SelfSubjectRulesReviewSpec.spec.namespace of type string',
  );
});

// SelfSubjectReview

/** The body kubectl auth whoami sends. */
const whoamiBody = (version: string) => ({ kind: 'SelfSubjectReview', apiVersion: `authentication.k8s.io/${version}`, metadata: { creationTimestamp: null }, status: { userInfo: {} } });

test('whoami answers with the user, created now', () => {
  const user: UserInfo = { username: 'ann', uid: 'u-1', groups: [GROUP_VIEWERS, GROUP_AUTHENTICATED], extra: { scopes: ['a', 'b'] } };
  assert.deepEqual(selfSubjectReview(user, whoamiBody('v1'), { version: 'v1', now: NOW }), {
    kind: 'SelfSubjectReview',
    apiVersion: 'authentication.k8s.io/v1',
    metadata: { creationTimestamp: '2026-03-04T05:06:07Z' },
    status: { userInfo: { username: 'ann', uid: 'u-1', groups: ['peapod:viewers', 'system:authenticated'], extra: { scopes: ['a', 'b'] } } },
  });
});

test('whoami leaves out an empty uid, empty extra and no groups', () => {
  const got = selfSubjectReview({ username: 'ann', groups: [], extra: {} }, whoamiBody('v1'), { version: 'v1', now: NOW });
  assert.deepEqual(got.status, { userInfo: { username: 'ann' } });
});

for (const version of ['v1beta1', 'v1alpha1'] as const) {
  test(`whoami on ${version} answers in ${version}`, () => {
    assert.equal(selfSubjectReview(viewer, whoamiBody(version), { version, now: NOW }).apiVersion, `authentication.k8s.io/${version}`);
  });
}

test('whoami rejects a body of another version than the URL', () => {
  const { status } = statusOf(() => selfSubjectReview(viewer, whoamiBody('v1beta1'), { version: 'v1', now: NOW }));
  assert.equal(status.message, 'the API version in the data (authentication.k8s.io/v1beta1) does not match the expected API version (authentication.k8s.io/v1)');
});

// Wiring helpers

test('runReview answers the review the path names', () => {
  const deps = { authorizer: authz, now: NOW };
  const ssar = runReview({ group: 'authorization.k8s.io', version: 'v1', resource: 'selfsubjectaccessreviews', user: viewer, body: resourceAttributes({ verb: 'list', resource: 'pods' }) }, deps);
  assert.equal(ssar?.kind, 'SelfSubjectAccessReview');
  const ssrr = runReview({ group: 'authorization.k8s.io', version: 'v1', resource: 'selfsubjectrulesreviews', user: viewer, body: listBody('dev') }, deps);
  assert.equal(ssrr?.kind, 'SelfSubjectRulesReview');
  const ssr = runReview({ group: 'authentication.k8s.io', version: 'v1alpha1', resource: 'selfsubjectreviews', user: viewer, body: whoamiBody('v1alpha1') }, deps);
  assert.equal(ssr?.apiVersion, 'authentication.k8s.io/v1alpha1');
});

test('runReview names nothing for a version or resource that is not served', () => {
  const deps = { authorizer: authz, now: NOW };
  assert.equal(runReview({ group: 'authorization.k8s.io', version: 'v1beta1', resource: 'selfsubjectaccessreviews', user: viewer, body: {} }, deps), undefined);
  assert.equal(runReview({ group: 'authorization.k8s.io', version: 'v1', resource: 'subjectaccessreviews', user: viewer, body: {} }, deps), undefined);
});

test('discovery lists two groups with v1 preferred', () => {
  assert.deepEqual(reviewGroups(), [
    { name: 'authorization.k8s.io', versions: ['v1'], preferredVersion: 'v1' },
    { name: 'authentication.k8s.io', versions: ['v1', 'v1beta1', 'v1alpha1'], preferredVersion: 'v1' },
  ]);
});

test('every review API is cluster-scoped and create-only', () => {
  for (const api of REVIEW_APIS) {
    assert.deepEqual(api.verbs, ['create']);
    assert.equal(api.namespaced, false);
    assert.equal(api.singularName + 's', api.resource);
  }
});
