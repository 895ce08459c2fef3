import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Node, Pod } from '../k8s/types.js';
import { placementOf } from './predicates.js';

const pod = (spec: Record<string, unknown>): Pod => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { containers: [{ name: 'c', image: 'x' }], ...spec } });
const node = (spec: Record<string, unknown> = {}, labels: Record<string, string> = {}): Node => ({
  apiVersion: 'v1', kind: 'Node', metadata: { name: 'n1', labels: { 'kubernetes.io/hostname': 'n1', 'kubernetes.io/os': 'linux', zone: 'a', rank: '5', ...labels } }, spec,
});
const why = (p: Pod, n = node()) => {
  const r = placementOf(p, n);
  return r.fits ? 'fits' : r.reason === 'SchedulingGated' ? 'gated' : r.failures[0];
};
const term = (...matchExpressions: unknown[]) => ({ affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions }] } } } });

test('issue 8: nodeSelector and required node affinity, every operator', () => {
  assert.equal(why(pod({ nodeSelector: { 'kubernetes.io/os': 'linux' } })), 'fits');
  assert.equal(why(pod({ nodeSelector: { 'kubernetes.io/os': 'windows' } })), "node(s) didn't match Pod's node affinity/selector");
  assert.equal(why(pod(term({ key: 'zone', operator: 'In', values: ['a', 'b'] }))), 'fits');
  assert.equal(why(pod(term({ key: 'zone', operator: 'NotIn', values: ['a'] }))), "node(s) didn't match Pod's node affinity/selector");
  assert.equal(why(pod(term({ key: 'gpu', operator: 'DoesNotExist' }, { key: 'zone', operator: 'Exists' }))), 'fits');
  assert.equal(why(pod(term({ key: 'rank', operator: 'Gt', values: ['4'] }))), 'fits');
  assert.equal(why(pod(term({ key: 'rank', operator: 'Lt', values: ['4'] }))), "node(s) didn't match Pod's node affinity/selector");
  const fields = { affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: ['n1'] }] }] } } } };
  assert.equal(why(pod(fields)), 'fits');
  const twoTerms = { affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'zone', operator: 'In', values: ['z'] }] }, { matchExpressions: [{ key: 'zone', operator: 'In', values: ['a'] }] }] } } } };
  assert.equal(why(pod(twoTerms)), 'fits', 'terms are ORed');
  const preferredOnly = { affinity: { nodeAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 1, preference: { matchExpressions: [{ key: 'zone', operator: 'In', values: ['z'] }] } }] } } };
  assert.equal(why(pod(preferredOnly)), 'fits', 'preferences only rank');
});

test('issue 8: taints, cordon, topology spread, gates — in the scheduler\'s order and words', () => {
  const tainted = node({ taints: [{ key: 'dedicated', value: 'db', effect: 'NoSchedule' }, { key: 'soft', effect: 'PreferNoSchedule' }] });
  assert.equal(why(pod({}), tainted), 'node(s) had untolerated taint {dedicated: db}');
  assert.equal(why(pod({ tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'db', effect: 'NoSchedule' }] }), tainted), 'fits');
  assert.equal(why(pod({ tolerations: [{ operator: 'Exists' }] }), tainted), 'fits');
  assert.equal(why(pod({ nodeSelector: { x: 'y' } }), tainted), 'node(s) had untolerated taint {dedicated: db}', 'taints are filtered before affinity');
  assert.equal(why(pod({}), node({ unschedulable: true })), 'node(s) were unschedulable');
  assert.equal(why(pod({ topologySpreadConstraints: [{ maxSkew: 1, topologyKey: 'zone', whenUnsatisfiable: 'DoNotSchedule' }] })), 'fits');
  assert.equal(why(pod({ topologySpreadConstraints: [{ maxSkew: 1, topologyKey: 'rack', whenUnsatisfiable: 'DoNotSchedule' }] })), "node(s) didn't match pod topology spread constraints (missing required label)");
  assert.equal(why(pod({ topologySpreadConstraints: [{ maxSkew: 1, topologyKey: 'rack', whenUnsatisfiable: 'ScheduleAnyway' }] })), 'fits');
  assert.equal(why(pod({ schedulingGates: [{ name: 'g' }], nodeSelector: { x: 'y' } })), 'gated');
  const r = placementOf(pod({ nodeSelector: { x: 'y' } }), node());
  assert.ok(!r.fits && r.message === "0/1 nodes are available: 1 node(s) didn't match Pod's node affinity/selector. preemption: 0/1 nodes are available: 1 Preemption is not helpful for scheduling.");
});
