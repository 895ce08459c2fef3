import assert from 'node:assert/strict';
import { test } from 'node:test';
import { componentSchemas, schemaNameFor } from './schemas.js';

test('schema names follow the group: core kinds under io.k8s.api.core.v1, StorageClass under storage.v1', () => {
  assert.equal(schemaNameFor('Pod'), 'io.k8s.api.core.v1.Pod');
  assert.equal(schemaNameFor('PersistentVolume', ''), 'io.k8s.api.core.v1.PersistentVolume');
  assert.equal(schemaNameFor('StorageClass', 'storage.k8s.io'), 'io.k8s.api.storage.v1.StorageClass');
  assert.equal(schemaNameFor('CustomResourceDefinition', 'apiextensions.k8s.io'), 'io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.CustomResourceDefinition');
});

test('the storage kinds have schemas for kubectl explain, with their group-version-kind', () => {
  const schemas = componentSchemas() as Record<string, { properties: Record<string, { allOf?: { $ref: string }[] }>; 'x-kubernetes-group-version-kind'?: unknown }>;
  assert.deepEqual(schemas['io.k8s.api.storage.v1.StorageClass']['x-kubernetes-group-version-kind'], [{ group: 'storage.k8s.io', kind: 'StorageClass', version: 'v1' }]);
  assert.deepEqual(schemas['io.k8s.api.core.v1.PersistentVolumeClaim']['x-kubernetes-group-version-kind'], [{ group: '', kind: 'PersistentVolumeClaim', version: 'v1' }]);
  const pvSpec = schemas['io.k8s.api.core.v1.PersistentVolume'].properties.spec;
  assert.equal(pvSpec.allOf?.[0].$ref, '#/components/schemas/io.k8s.api.core.v1.PersistentVolumeSpec');
  assert.ok(schemas['io.k8s.api.core.v1.PersistentVolumeSpec'].properties.hostPath.allOf?.[0].$ref.endsWith('HostPathVolumeSource'));
  // Every $ref resolves.
  for (const s of Object.values(schemas)) {
    for (const p of Object.values(s.properties)) for (const r of p.allOf ?? []) assert.ok(r.$ref.slice('#/components/schemas/'.length) in schemas, r.$ref);
  }
});
