import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseResourcePath } from './route.js';

const cases: [string, string, { resource: string; namespace?: string; name?: string; subresource?: string; legacyWatch: boolean } | undefined][] = [
  ['a namespaced collection', '/api/v1/namespaces/default/pods', { resource: 'pods', namespace: 'default', legacyWatch: false }],
  ['a namespaced object', '/api/v1/namespaces/default/pods/web', { resource: 'pods', namespace: 'default', name: 'web', legacyWatch: false }],
  ['a subresource', '/api/v1/namespaces/default/pods/web/log', { resource: 'pods', namespace: 'default', name: 'web', subresource: 'log', legacyWatch: false }],
  ['pods across all namespaces', '/api/v1/pods', { resource: 'pods', legacyWatch: false }],
  ['a namespace object', '/api/v1/namespaces/dev', { resource: 'namespaces', name: 'dev', legacyWatch: false }],
  ['a namespace status', '/api/v1/namespaces/dev/status', { resource: 'namespaces', name: 'dev', subresource: 'status', legacyWatch: false }],
  ['a cluster-scoped node', '/api/v1/nodes/n1', { resource: 'nodes', name: 'n1', legacyWatch: false }],
  ['the legacy watch prefix', '/api/v1/watch/namespaces/default/pods', { resource: 'pods', namespace: 'default', legacyWatch: true }],
  ['an unknown resource', '/api/v1/namespaces/default/deployments', undefined],
  ['a group this server does not serve', '/apis/apps/v1/deployments', undefined],
  ['a claim', '/api/v1/namespaces/default/persistentvolumeclaims/data', { resource: 'persistentvolumeclaims', namespace: 'default', name: 'data', legacyWatch: false }],
  ['a volume status', '/api/v1/persistentvolumes/pv1/status', { resource: 'persistentvolumes', name: 'pv1', subresource: 'status', legacyWatch: false }],
  ['a storage class in its group', '/apis/storage.k8s.io/v1/storageclasses/local-path', { resource: 'storageclasses', name: 'local-path', legacyWatch: false }],
  ['a watch in a named group', '/apis/storage.k8s.io/v1/watch/storageclasses', { resource: 'storageclasses', legacyWatch: true }],
  ['a named group resource under the core prefix', '/api/v1/storageclasses', undefined],
  ['a core resource under a named group', '/apis/storage.k8s.io/v1/pods', undefined],
  ['a version the group does not serve', '/apis/storage.k8s.io/v1beta1/storageclasses', undefined],
  ['the custom resource definitions', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions', { resource: 'customresourcedefinitions', legacyWatch: false }],
];

for (const [name, path, want] of cases) {
  test(`parses ${name}`, () => {
    const got = parseResourcePath(path);
    if (!want) return assert.equal(got, undefined);
    assert.ok(got);
    assert.deepEqual(
      { resource: got.resource.resource, namespace: got.namespace, name: got.name, subresource: got.subresource, legacyWatch: got.legacyWatch },
      { namespace: undefined, name: undefined, subresource: undefined, ...want },
    );
  });
}
