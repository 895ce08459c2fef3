import { test } from 'node:test';
import assert from 'node:assert/strict';
import { shapeMismatch } from './decode-shapes.js';
import { SCHEMAS } from './schema-objects.js';

const MAPS = new Set(['metadata.labels', 'metadata.annotations', 'data']);
const pod = (patch: Record<string, unknown>) => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { containers: [{ name: 'c', image: 'i' }] }, ...patch });

test('a value of the wrong JSON type is a decode error naming the field, as Go\'s decoder words it', () => {
  assert.equal(shapeMismatch(SCHEMAS.pods!, pod({}), '', MAPS), undefined);
  assert.equal(shapeMismatch(SCHEMAS.pods!, pod({ spec: { containers: 'x' } }), '', MAPS), 'json: cannot unmarshal string into Go struct field spec.containers of type array');
  assert.equal(shapeMismatch(SCHEMAS.pods!, pod({ spec: 5 }), '', MAPS), 'json: cannot unmarshal number into Go struct field spec of type object');
  assert.equal(shapeMismatch(SCHEMAS.pods!, pod({ metadata: { name: { a: 1 } } }), '', MAPS), 'json: cannot unmarshal object into Go struct field metadata.name of type scalar');
  assert.equal(shapeMismatch(SCHEMAS.pods!, pod({ spec: null }), '', MAPS), undefined, 'null decodes to a zero value');
});

test('a non-string label, annotation or data value is refused (a bool annotation reached runc and failed every sandbox)', () => {
  assert.equal(shapeMismatch(SCHEMAS.pods!, pod({ metadata: { name: 'p', annotations: { note: true } } }), '', MAPS), 'json: cannot unmarshal bool into Go struct field metadata.annotations of type string');
  assert.equal(shapeMismatch(SCHEMAS.configmaps!, { metadata: { name: 'c' }, data: { a: 1 } }, '', MAPS), 'json: cannot unmarshal number into Go struct field data of type string');
});
