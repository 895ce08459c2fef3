import { test } from 'node:test';
import assert from 'node:assert/strict';
import { errorToStatus } from '../status.js';
import { RuleAuthorizer } from './authorizer.js';
import { forbiddenError, forbiddenStatus, unauthorizedError, unauthorizedStatus } from './forbidden.js';
import { goQuote } from './go-quote.js';
import { requestAttributes } from './request-info.js';
import { GROUP_AUTHENTICATED, GROUP_VIEWERS, type RequestAttributes, type UserInfo } from './types.js';

const viewer: UserInfo = { username: 'vic', groups: [GROUP_VIEWERS, GROUP_AUTHENTICATED] };
const nobody: UserInfo = { username: 'nobody', groups: [] };
const authz = new RuleAuthorizer();

function attrsOf(user: UserInfo, method: string, url: string): RequestAttributes {
  const u = new URL(url, 'https://peapod.test');
  return requestAttributes(user, method, u.pathname, u.searchParams);
}

/** Authorizes the request, which must be denied, and returns the 403 Status. */
function deny(user: UserInfo, method: string, url: string) {
  const attrs = attrsOf(user, method, url);
  const d = authz.authorize(attrs);
  assert.equal(d.allowed, false);
  return forbiddenStatus(attrs, d.reason);
}

const messages: [string, UserInfo, string, string, string][] = [
  [
    'a viewer creating a pod',
    viewer,
    'POST',
    '/api/v1/namespaces/default/pods',
    'pods is forbidden: User "vic" cannot create resource "pods" in API group "" in the namespace "default"',
  ],
  [
    'a viewer getting a secret by name',
    viewer,
    'GET',
    '/api/v1/namespaces/default/secrets/token',
    'secrets "token" is forbidden: User "vic" cannot get resource "secrets" in API group "" in the namespace "default"',
  ],
  [
    "a viewer's exec",
    viewer,
    'POST',
    '/api/v1/namespaces/default/pods/web/exec?command=sh&stdin=true&tty=true',
    'pods "web" is forbidden: User "vic" cannot create resource "pods/exec" in API group "" in the namespace "default"',
  ],
  [
    "a viewer's exec over WebSocket",
    viewer,
    'GET',
    '/api/v1/namespaces/default/pods/web/exec?command=sh',
    'pods "web" is forbidden: User "vic" cannot get resource "pods/exec" in API group "" in the namespace "default"',
  ],
  [
    'a user with no groups listing nodes',
    nobody,
    'GET',
    '/api/v1/nodes?limit=500',
    'nodes is forbidden: User "nobody" cannot list resource "nodes" in API group "" at the cluster scope',
  ],
  [
    'a non-resource path',
    viewer,
    'POST',
    '/peapod/v1/images/load',
    'forbidden: User "vic" cannot post path "/peapod/v1/images/load"',
  ],
  [
    'a viewer listing secrets in every namespace',
    viewer,
    'GET',
    '/api/v1/secrets',
    'secrets is forbidden: User "vic" cannot list resource "secrets" in API group "" at the cluster scope',
  ],
  [
    'a viewer watching one secret by field selector',
    viewer,
    'GET',
    '/api/v1/namespaces/default/secrets?fieldSelector=metadata.name%3Dtoken&watch=true',
    'secrets "token" is forbidden: User "vic" cannot watch resource "secrets" in API group "" in the namespace "default"',
  ],
  [
    'a viewer deleting a namespace, which is in its own namespace',
    viewer,
    'DELETE',
    '/api/v1/namespaces/dev',
    'namespaces "dev" is forbidden: User "vic" cannot delete resource "namespaces" in API group "" in the namespace "dev"',
  ],
  [
    'a viewer deleting in a named group, which qualifies the resource',
    viewer,
    'DELETE',
    '/apis/apps/v1/namespaces/default/deployments/web',
    'deployments.apps "web" is forbidden: User "vic" cannot delete resource "deployments" in API group "apps" in the namespace "default"',
  ],
];

for (const [name, user, method, url, message] of messages) {
  test(`writes the apiserver's 403 message for ${name}`, () => {
    assert.equal(deny(user, method, url).message, message);
  });
}

test('a 403 for a named resource carries name and resource as details, with an empty group left out', () => {
  assert.deepEqual(deny(viewer, 'GET', '/api/v1/namespaces/default/secrets/token'), {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message: 'secrets "token" is forbidden: User "vic" cannot get resource "secrets" in API group "" in the namespace "default"',
    reason: 'Forbidden',
    details: { name: 'token', kind: 'secrets' },
    code: 403,
  });
});

test('a 403 for a named group resource carries the group in details', () => {
  assert.deepEqual(deny(viewer, 'DELETE', '/apis/apps/v1/namespaces/default/deployments/web').details, { name: 'web', group: 'apps', kind: 'deployments' });
});

test('a 403 for a collection has no name in details', () => {
  assert.deepEqual(deny(viewer, 'POST', '/api/v1/namespaces/default/pods').details, { kind: 'pods' });
});

test('a 403 for a non-resource path has empty details, as the apiserver writes them', () => {
  assert.deepEqual(deny(viewer, 'POST', '/peapod/v1/images/load').details, {});
});

test("a denial's reason is appended after a colon", () => {
  const attrs = attrsOf(viewer, 'POST', '/api/v1/namespaces/default/pods');
  assert.equal(
    forbiddenStatus(attrs, 'peapod is read-only for viewers').message,
    'pods is forbidden: User "vic" cannot create resource "pods" in API group "" in the namespace "default": peapod is read-only for viewers',
  );
});

test('a user name with quotes and a newline is quoted as Go quotes it', () => {
  const odd: UserInfo = { username: 'a"b\nc', groups: [] };
  assert.equal(deny(odd, 'GET', '/healthz').message, 'forbidden: User "a\\"b\\nc" cannot get path "/healthz"');
});

test('markup in the message is escaped so it never reads as HTML, but not in the reason', () => {
  const odd: UserInfo = { username: '<b>&', groups: [] };
  const attrs = attrsOf(odd, 'GET', '/healthz');
  assert.equal(forbiddenStatus(attrs, '<why>').message, 'forbidden: User "&lt;b&gt;&amp;" cannot get path "/healthz": <why>');
});

test('a resource request with no resource is forbidden without a prefix', () => {
  assert.equal(deny(nobody, 'GET', '/api/v1/watch').message, 'forbidden: User "nobody" cannot watch resource "" in API group "" at the cluster scope');
});

test('the 403 error becomes the same Status through errorToStatus', () => {
  const attrs = attrsOf(viewer, 'GET', '/api/v1/namespaces/default/secrets/token');
  const { status, internal } = errorToStatus(forbiddenError(attrs, ''));
  assert.equal(internal, false);
  assert.deepEqual(status, forbiddenStatus(attrs, ''));
});

test('the 401 is Unauthorized with no details', () => {
  assert.deepEqual(unauthorizedStatus(), {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message: 'Unauthorized',
    reason: 'Unauthorized',
    code: 401,
  });
  assert.deepEqual(errorToStatus(unauthorizedError()).status, unauthorizedStatus());
});

const quotes: [string, string, string][] = [
  ['a plain string', 'vic', '"vic"'],
  ['quotes and backslashes', 'a"b\\c', '"a\\"b\\\\c"'],
  ['tabs, newlines and the bell', '\t\n\x07', '"\\t\\n\\a"'],
  ['other control characters in hex', '\x01\x7f', '"\\x01\\x7f"'],
  ['printable non-ASCII as is', 'José 日本', '"José 日本"'],
  ['a no-break space as \\u', 'a\u00a0b', '"a\\u00a0b"'],
  ['a zero-width space as \\u', '\u200b', '"\\u200b"'],
  ['an emoji as is', '🙂', '"🙂"'],
];

for (const [name, input, want] of quotes) {
  test(`quotes ${name} as Go's %q does`, () => assert.equal(goQuote(input), want));
}
