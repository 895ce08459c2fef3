import { test } from 'node:test';
import assert from 'node:assert/strict';
import { nameFromFieldSelector, requestAttributes } from './request-info.js';
import { parseFieldSelector } from '../../store/selectors.js';
import { resourceInfo } from '../../k8s/registry.js';
import type { RequestAttributes, UserInfo } from './types.js';

const user: UserInfo = { username: 'ann', groups: ['system:authenticated'] };

type Want = Partial<Omit<RequestAttributes, 'user' | 'path'>>;

/** A non-resource request: only the verb is set. */
const nonResource = (verb: string): Want => ({ verb, resourceRequest: false });
/** A core (group "") v1 resource request. */
const core = (w: Want): Want => ({ resourceRequest: true, apiVersion: 'v1', ...w });

const cases: [string, string, string, Want][] = [
  // What kubectl and client libraries send, command by command.
  ['get pods lists the namespace collection', 'GET', '/api/v1/namespaces/default/pods?limit=500', core({ verb: 'list', resource: 'pods', namespace: 'default' })],
  ['get pods -A lists across namespaces at the cluster scope', 'GET', '/api/v1/pods?limit=500', core({ verb: 'list', resource: 'pods' })],
  ['get pod by name is a get', 'GET', '/api/v1/namespaces/default/pods/web', core({ verb: 'get', resource: 'pods', namespace: 'default', name: 'web' })],
  ['get pods -w after the list is a watch', 'GET', '/api/v1/namespaces/default/pods?resourceVersion=12&watch=true', core({ verb: 'watch', resource: 'pods', namespace: 'default' })],
  ['get pod X -w watches with the name from metadata.name', 'GET', '/api/v1/namespaces/default/pods?fieldSelector=metadata.name%3Dweb&resourceVersion=0&watch=true', core({ verb: 'watch', resource: 'pods', namespace: 'default', name: 'web' })],
  ['an informer list pinned by metadata.name carries the name', 'GET', '/api/v1/namespaces/default/pods?fieldSelector=metadata.name%3Dweb&resourceVersion=0', core({ verb: 'list', resource: 'pods', namespace: 'default', name: 'web' })],
  ['a list by another field has no name', 'GET', '/api/v1/namespaces/default/events?fieldSelector=involvedObject.name%3Dweb', core({ verb: 'list', resource: 'events', namespace: 'default' })],
  ['watch=false is a list', 'GET', '/api/v1/namespaces/default/pods?watch=false', core({ verb: 'list', resource: 'pods', namespace: 'default' })],
  ['watch=1 is a watch, as the router reads it', 'GET', '/api/v1/pods?watch=1', core({ verb: 'watch', resource: 'pods' })],
  ['a named GET with watch=true is a watch of that name, as the router streams it', 'GET', '/api/v1/namespaces/default/pods/web?watch=true', core({ verb: 'watch', resource: 'pods', namespace: 'default', name: 'web' })],
  ['the legacy watch prefix watches a collection', 'GET', '/api/v1/watch/namespaces/default/pods', core({ verb: 'watch', resource: 'pods', namespace: 'default' })],
  ['the legacy watch prefix watches one object', 'GET', '/api/v1/watch/namespaces/default/pods/web', core({ verb: 'watch', resource: 'pods', namespace: 'default', name: 'web' })],
  ['the legacy watch prefix ignores the field selector name, as Kubernetes does', 'GET', '/api/v1/watch/pods?fieldSelector=metadata.name%3Dweb', core({ verb: 'watch', resource: 'pods' })],
  ['the legacy watch prefix is a watch whatever the method', 'DELETE', '/api/v1/watch/pods', core({ verb: 'watch', resource: 'pods' })],
  ['create -f posts to the collection', 'POST', '/api/v1/namespaces/default/pods?fieldManager=kubectl-create', core({ verb: 'create', resource: 'pods', namespace: 'default' })],
  ['replace puts the object', 'PUT', '/api/v1/namespaces/default/configmaps/cfg', core({ verb: 'update', resource: 'configmaps', namespace: 'default', name: 'cfg' })],
  ['apply, label and edit patch the object', 'PATCH', '/api/v1/namespaces/default/pods/web', core({ verb: 'patch', resource: 'pods', namespace: 'default', name: 'web' })],
  ['delete pod X deletes by name', 'DELETE', '/api/v1/namespaces/default/pods/web', core({ verb: 'delete', resource: 'pods', namespace: 'default', name: 'web' })],
  ['a DELETE of the collection is deletecollection', 'DELETE', '/api/v1/namespaces/default/pods', core({ verb: 'deletecollection', resource: 'pods', namespace: 'default' })],
  ['a deletecollection does not take a name from the field selector', 'DELETE', '/api/v1/namespaces/default/pods?fieldSelector=metadata.name%3Dweb', core({ verb: 'deletecollection', resource: 'pods', namespace: 'default' })],
  ['logs are get on pods/log', 'GET', '/api/v1/namespaces/default/pods/web/log?container=main&follow=true', core({ verb: 'get', resource: 'pods', subresource: 'log', namespace: 'default', name: 'web' })],
  ['exec over WebSocket is get on pods/exec', 'GET', '/api/v1/namespaces/default/pods/web/exec?command=sh&stdin=true', core({ verb: 'get', resource: 'pods', subresource: 'exec', namespace: 'default', name: 'web' })],
  ['exec over SPDY is create on pods/exec', 'POST', '/api/v1/namespaces/default/pods/web/exec?command=sh', core({ verb: 'create', resource: 'pods', subresource: 'exec', namespace: 'default', name: 'web' })],
  ['attach is create on pods/attach', 'POST', '/api/v1/namespaces/default/pods/web/attach?stdin=true', core({ verb: 'create', resource: 'pods', subresource: 'attach', namespace: 'default', name: 'web' })],
  ['port-forward is create on pods/portforward', 'POST', '/api/v1/namespaces/default/pods/web/portforward', core({ verb: 'create', resource: 'pods', subresource: 'portforward', namespace: 'default', name: 'web' })],
  ['the port-forward WebSocket tunnel is get on pods/portforward', 'GET', '/api/v1/namespaces/default/pods/web/portforward', core({ verb: 'get', resource: 'pods', subresource: 'portforward', namespace: 'default', name: 'web' })],
  ['debug patches pods/ephemeralcontainers', 'PATCH', '/api/v1/namespaces/default/pods/web/ephemeralcontainers', core({ verb: 'patch', resource: 'pods', subresource: 'ephemeralcontainers', namespace: 'default', name: 'web' })],
  ['drain evicts with create on pods/eviction', 'POST', '/api/v1/namespaces/default/pods/web/eviction', core({ verb: 'create', resource: 'pods', subresource: 'eviction', namespace: 'default', name: 'web' })],
  ['a status write is update on pods/status', 'PUT', '/api/v1/namespaces/default/pods/web/status', core({ verb: 'update', resource: 'pods', subresource: 'status', namespace: 'default', name: 'web' })],
  ['parts past the subresource are ignored', 'GET', '/api/v1/namespaces/default/pods/web/proxy/some/path', core({ verb: 'get', resource: 'pods', subresource: 'proxy', namespace: 'default', name: 'web' })],
  ['the namespace list is a cluster-scoped list', 'GET', '/api/v1/namespaces', core({ verb: 'list', resource: 'namespaces' })],
  ['a namespace by name is in its own namespace', 'GET', '/api/v1/namespaces/dev', core({ verb: 'get', resource: 'namespaces', namespace: 'dev', name: 'dev' })],
  ['deleting a namespace names it', 'DELETE', '/api/v1/namespaces/dev', core({ verb: 'delete', resource: 'namespaces', namespace: 'dev', name: 'dev' })],
  ['a namespace status is its subresource, not a resource inside it', 'PUT', '/api/v1/namespaces/dev/status', core({ verb: 'update', resource: 'namespaces', subresource: 'status', namespace: 'dev', name: 'dev' })],
  ['a namespace finalize is its subresource', 'PUT', '/api/v1/namespaces/dev/finalize', core({ verb: 'update', resource: 'namespaces', subresource: 'finalize', namespace: 'dev', name: 'dev' })],
  ['secrets inside a namespace are the secrets resource', 'GET', '/api/v1/namespaces/dev/secrets', core({ verb: 'list', resource: 'secrets', namespace: 'dev' })],
  ['a cluster-scoped node by name', 'GET', '/api/v1/nodes/n1', core({ verb: 'get', resource: 'nodes', name: 'n1' })],
  ['a node status patch', 'PATCH', '/api/v1/nodes/n1/status', core({ verb: 'patch', resource: 'nodes', subresource: 'status', name: 'n1' })],
  ['the proxy verb prefix has no subresource', 'GET', '/api/v1/proxy/namespaces/default/pods/web/healthz', core({ verb: 'proxy', resource: 'pods', namespace: 'default', name: 'web' })],
  ['a HEAD is a get', 'HEAD', '/api/v1/namespaces/default/pods/web', core({ verb: 'get', resource: 'pods', namespace: 'default', name: 'web' })],
  ['an unknown method on a resource has no verb', 'OPTIONS', '/api/v1/namespaces/default/pods', core({ verb: '', resource: 'pods', namespace: 'default' })],
  ['a named group resource carries its group and version', 'POST', '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews', { resourceRequest: true, verb: 'create', apiGroup: 'authorization.k8s.io', apiVersion: 'v1', resource: 'selfsubjectaccessreviews' }],
  ['whoami is create on selfsubjectreviews', 'POST', '/apis/authentication.k8s.io/v1beta1/selfsubjectreviews', { resourceRequest: true, verb: 'create', apiGroup: 'authentication.k8s.io', apiVersion: 'v1beta1', resource: 'selfsubjectreviews' }],
  ['a namespaced group resource', 'GET', '/apis/events.k8s.io/v1/namespaces/default/events', { resourceRequest: true, verb: 'list', apiGroup: 'events.k8s.io', apiVersion: 'v1', resource: 'events', namespace: 'default' }],
  ['a trailing slash changes nothing', 'GET', '/api/v1/namespaces/default/pods/', core({ verb: 'list', resource: 'pods', namespace: 'default' })],
  ['empty segments are dropped as the router drops them', 'GET', '/api/v1/namespaces/default//secrets', core({ verb: 'list', resource: 'secrets', namespace: 'default' })],
  ['segments are percent-decoded one by one', 'GET', '/api/v1/namespaces/default/configmaps/a%2Fb', core({ verb: 'get', resource: 'configmaps', namespace: 'default', name: 'a/b' })],
  ['a malformed escape stays as sent', 'GET', '/api/v1/namespaces/default/configmaps/a%zz', core({ verb: 'get', resource: 'configmaps', namespace: 'default', name: 'a%zz' })],
  ['/api/v1/watch alone is a watch of nothing', 'GET', '/api/v1/watch', core({ verb: 'watch' })],
  // Discovery and everything else: authorized by path.
  ['/api is a non-resource request', 'GET', '/api', nonResource('get')],
  ['/api/v1 is a non-resource request', 'GET', '/api/v1', nonResource('get')],
  ['/apis is a non-resource request', 'GET', '/apis', nonResource('get')],
  ['/apis/<group> is a non-resource request', 'GET', '/apis/authorization.k8s.io', nonResource('get')],
  ['/apis/<group>/<version> is a non-resource request', 'GET', '/apis/authorization.k8s.io/v1', nonResource('get')],
  ['/version is a non-resource request', 'GET', '/version', nonResource('get')],
  ['/healthz is a non-resource request', 'GET', '/healthz', nonResource('get')],
  ['/readyz/ping is a non-resource request', 'GET', '/readyz/ping', nonResource('get')],
  ['/openapi/v2 is a non-resource request', 'GET', '/openapi/v2', nonResource('get')],
  ['/openapi/v3/api/v1 is a non-resource request', 'GET', '/openapi/v3/api/v1?hash=abc', nonResource('get')],
  ['peapod images is a non-resource get', 'GET', '/peapod/v1/images', nonResource('get')],
  ['an image load is a non-resource post', 'POST', '/peapod/v1/images/load', nonResource('post')],
  ['an image removal is a non-resource delete', 'DELETE', '/peapod/v1/images/docker.io%2Flibrary%2Fbusybox', nonResource('delete')],
  ['the root path is a non-resource request', 'GET', '/', nonResource('get')],
  ['a HEAD on a non-resource path keeps its method', 'HEAD', '/healthz', nonResource('head')],
];

for (const [name, method, url, want] of cases) {
  test(`resolves ${name}`, () => {
    const u = new URL(url, 'https://peapod.test');
    const got = requestAttributes(user, method, u.pathname, u.searchParams);
    const expected: RequestAttributes = {
      user,
      path: u.pathname,
      verb: '',
      resourceRequest: false,
      apiGroup: '',
      apiVersion: '',
      resource: '',
      subresource: '',
      namespace: '',
      name: '',
      ...want,
    };
    assert.deepEqual(got, expected);
  });
}

test('keeps the path exactly as sent, for non-resource rules', () => {
  const got = requestAttributes(user, 'GET', '/version/', new URLSearchParams());
  assert.equal(got.path, '/version/');
});

const selectors: [string, string, string][] = [
  ['a single equality', 'metadata.name=web', 'web'],
  ['a double equals', 'metadata.name==web', 'web'],
  ['an inequality pins nothing', 'metadata.name!=web', ''],
  ['the name among other terms', 'metadata.namespace=default,metadata.name=web', 'web'],
  ['the first name after sorting the terms', 'metadata.name=zed,metadata.name=abe', 'abe'],
  ['an escaped comma inside the value', 'metadata.name=a\\,b', 'a,b'],
  ['an unescaped equals makes the selector invalid', 'metadata.name=a=b', ''],
  ['an unknown escape makes the selector invalid', 'metadata.name=a\\b', ''],
  ['a trailing backslash makes the selector invalid', 'metadata.name=a\\', ''],
  ['a term with no operator makes the selector invalid', 'metadata.name=web,oops', ''],
  ['a name that could not be a path segment', 'metadata.name=..', ''],
  ['a name with a slash', 'metadata.name=a/b', ''],
  ['a name with a percent sign', 'metadata.name=a%b', ''],
  ['an empty value', 'metadata.name=', ''],
  ['no metadata.name at all', 'spec.nodeName=n1', ''],
  ['the empty selector', '', ''],
];

for (const [name, selector, want] of selectors) {
  test(`takes the field selector name from ${name}`, () => {
    assert.equal(nameFromFieldSelector(selector), want);
  });
}

test('pins only names the store filters on in the same way', () => {
  // The store's parser (which the list and watch use) must agree: an object the list returns has the
  // name the authorizer saw.
  const pods = resourceInfo('pods')!;
  for (const s of ['metadata.name=web', 'metadata.name==web', 'metadata.namespace=default,metadata.name=web', 'metadata.name=a\\,b']) {
    const name = nameFromFieldSelector(s);
    const reqs = parseFieldSelector(s, pods).filter((r) => r.field === 'metadata.name' && r.operator === 'Equals');
    assert.ok(reqs.some((r) => r.value === name), `${s}: store requires ${JSON.stringify(reqs)}, authorizer saw ${name}`);
  }
});
