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
  ['an unknown resource', '/api/v1/namespaces/default/services', undefined],
  ['a path outside the core group', '/apis/apps/v1/deployments', undefined],
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
