import assert from 'node:assert/strict';
import { test } from 'node:test';
import { POD } from '../validation/schema-pod.js';
import { CONFIG_MAP } from '../validation/schema-objects.js';
import { emptySet, toFieldsV1 } from './field-set.js';
import { mergeValues } from './merge.js';
import { apply, ConflictsError, managerId, update, type Managers } from './updater.js';
import { applyConflictError } from './conflicts.js';

const ctx = { schema: POD, ignored: emptySet() };
const entry = (manager: string, operation: 'Apply' | 'Update' = 'Apply') => ({ manager, operation, apiVersion: 'v1', time: '2026-12-03T10:00:00Z' });
const pod = (spec: Record<string, unknown>, metadata: Record<string, unknown> = {}) => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', ...metadata }, spec });
const owned = (m: Managers, manager: string) => toFieldsV1([...m.values()].find((e) => e.manager === manager)!.set);

const meta = (metadata: Record<string, unknown>) => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', ...metadata } });

test('finalizers merge as a set: each applier owns its own values', () => {
  const one = apply({}, meta({ finalizers: ['a.io/x'] }), ctx, new Map(), entry('one'), false);
  const two = apply(one.object, meta({ finalizers: ['b.io/y'] }), ctx, one.managers, entry('two'), false);
  assert.deepEqual((two.object as any).metadata.finalizers, ['a.io/x', 'b.io/y']);
  assert.deepEqual(owned(two.managers, 'two'), { 'f:metadata': { 'f:finalizers': { 'v:"b.io/y"': {} } } });
  const dropped = apply(two.object, meta({}), ctx, two.managers, entry('one'), false);
  assert.deepEqual((dropped.object as any).metadata.finalizers, ['b.io/y'], 'a value no longer applied is pruned');
});

test('an associative list with two keys tells items apart by both', () => {
  const tsc = (when: string) => ({ topologyKey: 'zone', whenUnsatisfiable: when, maxSkew: 1 });
  const one = apply({}, pod({ topologySpreadConstraints: [tsc('DoNotSchedule')] }), ctx, new Map(), entry('one'), false);
  const two = apply(one.object, pod({ topologySpreadConstraints: [tsc('ScheduleAnyway')] }), ctx, one.managers, entry('two'), false);
  assert.equal((two.object as any).spec.topologySpreadConstraints.length, 2);
  assert.deepEqual(Object.keys((owned(two.managers, 'two') as any)['f:spec']['f:topologySpreadConstraints']), ['k:{"topologyKey":"zone","whenUnsatisfiable":"ScheduleAnyway"}']);
});

test('a container dropped from the configuration is pruned with its defaulted fields, another stays', () => {
  const live = pod({ containers: [{ name: 'a', image: 'x', terminationMessagePath: '/dev/termination-log' }, { name: 'b', image: 'y' }] });
  const first = apply({}, pod({ containers: [{ name: 'a', image: 'x' }, { name: 'b', image: 'y' }] }), ctx, new Map(), entry('m'), false);
  const out = apply(live, pod({ containers: [{ name: 'b', image: 'y' }] }), ctx, first.managers, entry('m'), false);
  assert.deepEqual((out.object as any).spec.containers, [{ name: 'b', image: 'y' }]);
});

test('merged lists keep the live order and add new items in the configuration\'s order', () => {
  const merged = mergeValues({ containers: [{ name: 'a' }, { name: 'b' }, { name: 'c' }] }, { containers: [{ name: 'c', image: 'z' }, { name: 'd' }] }, POD.kind === 'object' ? POD.fields.spec : POD);
  assert.deepEqual((merged as any).containers.map((c: any) => c.name), ['a', 'b', 'c', 'd']);
});

test('several conflicts are listed per manager, as upstream words them', () => {
  const m: Managers = new Map();
  const base = update({}, { data: { a: '1', b: '1' } }, { schema: CONFIG_MAP, ignored: emptySet() }, m, entry('kubectl-create', 'Update'));
  try {
    apply({ data: { a: '1', b: '1' } }, { data: { a: '2', b: '2' } }, { schema: CONFIG_MAP, ignored: emptySet() }, base, entry('kubectl'), false);
    assert.fail('expected conflicts');
  } catch (err) {
    assert.ok(err instanceof ConflictsError);
    const e = applyConflictError(err.conflicts, base);
    assert.equal(e.message, 'Apply failed with 2 conflicts: conflicts with "kubectl-create" using v1:\n- .data.a\n- .data.b');
  }
});

test('an update on /status keeps its own entry apart from the main resource\'s', () => {
  const statusEntry = { ...entry('kubelet', 'Update'), subresource: 'status' };
  const m = update({ status: {} }, { status: { phase: 'Running' } }, ctx, new Map(), statusEntry);
  assert.ok(m.has(managerId(statusEntry)));
  assert.ok(!m.has(managerId(entry('kubelet', 'Update'))));
});

test('a duplicate key in a configuration is refused, a live object with one is tolerated', () => {
  assert.throws(() => apply({}, pod({ containers: [{ name: 'a' }, { name: 'a' }] }), ctx, new Map(), entry('m'), false), /\.spec\.containers: duplicate entries for key \[name="a"\]/);
  const m = update({}, pod({ containers: [{ name: 'a' }, { name: 'a' }] }), ctx, new Map(), entry('m', 'Update'));
  assert.equal(m.size, 1);
});
