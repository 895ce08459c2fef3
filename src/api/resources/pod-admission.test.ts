import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Node, Pod } from '../../k8s/types.js';
import { admitNewPod, admitPod } from './pod-admission.js';

const pod = (spec: Partial<Pod['spec']>): Pod => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web', namespace: 'default' }, spec: { containers: [{ name: 'c', image: 'x' }], ...spec } });
const node: Node = { apiVersion: 'v1', kind: 'Node', metadata: { name: 'n1', labels: { 'kubernetes.io/os': 'linux', disk: 'ssd' } }, spec: {} };

test('issue 8: a pod naming a RuntimeClass is refused as a cluster without it refuses it (403)', () => {
  assert.doesNotThrow(() => admitNewPod(pod({})));
  assert.throws(() => admitNewPod(pod({ runtimeClassName: 'gvisor' })), { message: 'pods "web" is forbidden: pod rejected: RuntimeClass "gvisor" not found' });
  assert.throws(() => admitNewPod(pod({ overhead: { cpu: '250m' } })), { message: 'pods "web" is forbidden: pod rejected: Pod Overhead set without corresponding RuntimeClass defined Overhead' });
});

test('issue 8: priority comes from the PriorityClass, as the Priority admission sets it', () => {
  const p = pod({});
  admitNewPod(p);
  assert.equal(p.spec.priority, 0);
  const critical = pod({ priorityClassName: 'system-node-critical' });
  admitNewPod(critical);
  assert.equal(critical.spec.priority, 2000001000);
  assert.throws(() => admitNewPod(pod({ priorityClassName: 'high' })), { message: 'pods "web" is forbidden: no PriorityClass with name high was found' });
  assert.throws(() => admitNewPod(pod({ priority: 7 })), {
    message: 'pods "web" is forbidden: the integer value of priority (7) must not be provided in pod spec; priority admission controller computed 0 from the given PriorityClass name',
  });
});

test('issue 8: a pod is bound at create only where the scheduler would place it', () => {
  const fits = pod({ nodeSelector: { disk: 'ssd' } });
  assert.deepEqual(admitPod(fits, 'n1', 0, node), { bound: true });
  assert.equal(fits.spec.nodeName, 'n1');
  assert.equal(fits.status?.conditions?.[0]?.status, 'True');
  const elsewhere = pod({ nodeSelector: { disk: 'hdd' } });
  const placed = admitPod(elsewhere, 'n1', 0, node);
  assert.equal(placed.bound, false);
  assert.equal(placed.unschedulable, "0/1 nodes are available: 1 node(s) didn't match Pod's node affinity/selector. preemption: 0/1 nodes are available: 1 Preemption is not helpful for scheduling.");
  assert.equal(elsewhere.spec.nodeName, undefined);
  assert.deepEqual(elsewhere.status?.conditions?.[0], { type: 'PodScheduled', status: 'False', lastProbeTime: null, lastTransitionTime: '1970-01-01T00:00:00Z', reason: 'Unschedulable', message: placed.unschedulable });
  const gated = pod({ schedulingGates: [{ name: 'wait' }] });
  assert.deepEqual(admitPod(gated, 'n1', 0, node), { bound: false });
  assert.equal(gated.status?.conditions?.[0]?.reason, 'SchedulingGated');
  const other = pod({ schedulerName: 'my-scheduler' });
  assert.deepEqual(admitPod(other, 'n1', 0, node), { bound: false });
  assert.equal(other.status?.conditions, undefined, 'another scheduler\'s pod: no condition from this one');
  const byName = pod({ nodeName: 'n1', nodeSelector: { disk: 'hdd' } });
  assert.deepEqual(admitPod(byName, 'n1', 0, node), { bound: false }, 'bound by name: the node decides (NodeAffinity at its admission)');
});
