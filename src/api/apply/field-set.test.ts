import assert from 'node:assert/strict';
import { test } from 'node:test';
import { difference, fromFieldsV1, intersection, members, recursiveDifference, setOf, toFieldsV1, union } from './field-set.js';
import { compareElements, fieldElement as f, formatPath, keyElement, valueElement } from './path.js';

const main = keyElement([['name', 'main']]);

const encodings: { name: string; paths: string[][]; json: unknown }[] = [
  {
    name: 'a member with children is written with "." first, a leaf as {}',
    paths: [[f('spec'), f('containers'), main], [f('spec'), f('containers'), main, f('image')], [f('spec'), f('containers'), main, f('name')]],
    json: { 'f:spec': { 'f:containers': { 'k:{"name":"main"}': { '.': {}, 'f:image': {}, 'f:name': {} } } } },
  },
  {
    name: 'key fields are sorted by name, as upstream sorts a FieldList',
    paths: [[f('ports'), keyElement([['protocol', 'TCP'], ['containerPort', 80]])]],
    json: { 'f:ports': { 'k:{"containerPort":80,"protocol":"TCP"}': {} } },
  },
  {
    name: 'set members are written as v:<json>',
    paths: [[f('metadata'), f('finalizers'), valueElement('example.com/a')]],
    json: { 'f:metadata': { 'f:finalizers': { 'v:"example.com/a"': {} } } },
  },
];

for (const c of encodings) {
  test(`FieldsV1: ${c.name}`, () => {
    const set = setOf(...c.paths);
    assert.deepEqual(toFieldsV1(set), c.json);
    assert.deepEqual(toFieldsV1(fromFieldsV1(c.json)), c.json, 'parses back to the same set');
  });
}

test('FieldsV1 orders fields before keys before values, each sorted as upstream compares them', () => {
  const set = setOf([f('b')], [f('a')], [keyElement([['name', 'z']])], [keyElement([['name', 'a']])], [valueElement(2)], [valueElement(10)]);
  assert.deepEqual(Object.keys(toFieldsV1(set)), ['f:a', 'f:b', 'k:{"name":"a"}', 'k:{"name":"z"}', 'v:2', 'v:10']);
  assert.ok(compareElements('f:a', 'k:{"name":"a"}') < 0);
});

test('a FieldsV1 key written with spaces or other key order is the same path', () => {
  const set = fromFieldsV1({ 'f:ports': { 'k:{"protocol": "TCP", "containerPort": 80}': {} } });
  assert.deepEqual(toFieldsV1(set), { 'f:ports': { 'k:{"containerPort":80,"protocol":"TCP"}': {} } });
});

test('FieldsV1 with an unknown element is refused', () => {
  assert.throws(() => fromFieldsV1({ 'x:y': {} }), /unknown path element/);
});

test('difference removes members only, keeping a parent whose child another set holds', () => {
  const a = setOf([f('data')], [f('data'), f('a')], [f('data'), f('b')]);
  const b = setOf([f('data'), f('a')]);
  assert.deepEqual(toFieldsV1(difference(a, b)), { 'f:data': { '.': {}, 'f:b': {} } });
  assert.deepEqual(toFieldsV1(intersection(a, b)), { 'f:data': { 'f:a': {} } });
  assert.deepEqual(toFieldsV1(union(b, setOf([f('x')]))), { 'f:data': { 'f:a': {} }, 'f:x': {} });
  assert.deepEqual(toFieldsV1(recursiveDifference(a, setOf([f('data')]))), {});
});

test('conflict paths print as upstream: fields with dots, keys as [name="main"], set values as [=x]', () => {
  assert.equal(formatPath([f('spec'), f('containers'), main, f('image')]), '.spec.containers[name="main"].image');
  assert.equal(formatPath([f('ports'), keyElement([['containerPort', 80], ['protocol', 'TCP']])]), '.ports[containerPort=80,protocol="TCP"]');
  assert.equal(formatPath([f('finalizers'), valueElement('a')]), '.finalizers[=\"a\"]');
});

test('members lists a node\'s members before its children\'s, as upstream iterates', () => {
  const set = setOf([f('a')], [f('a'), f('z')], [f('b')]);
  assert.deepEqual(members(set).map(formatPath), ['.a', '.b', '.a.z']);
});
