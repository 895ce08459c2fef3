import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RESOURCES } from '../k8s/registry.js';
import type { Node, Pod } from '../k8s/types.js';
import { RecordingEvents } from '../pods/manager-harness.js';
import { SqliteStore } from '../store/sqlite-store.js';
import { FakeClock } from '../system/clock.js';
import { silentLogger } from '../system/logger.js';
import { admitPod } from '../api/resources/pod-admission.js';
import { Scheduler } from './scheduler.js';

function setup() {
  const clock = new FakeClock(Date.parse('2026-01-01T00:00:00Z'));
  const store = new SqliteStore({ path: ':memory:', resources: RESOURCES, clock });
  store.create<Node>('nodes', { apiVersion: 'v1', kind: 'Node', metadata: { name: 'n1', labels: { 'kubernetes.io/os': 'linux' } }, spec: {} });
  const events = new RecordingEvents();
  const scheduler = new Scheduler({ store, nodeName: 'n1', clock, events, logger: silentLogger() });
  /** A pod created as the API creates it (bound at once when it fits). */
  const create = (name: string, spec: Record<string, unknown>) => {
    const pod: Pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'default' }, spec: { containers: [{ name: 'c', image: 'x' }], ...spec } };
    admitPod(pod, 'n1', clock.now(), store.tryGet<Node>('nodes', undefined, 'n1'));
    return store.create('pods', pod);
  };
  const get = (name: string) => store.get<Pod>('pods', 'default', name);
  return { clock, store, events, scheduler, create, get };
}

test('issue 8: a pod that did not match the node is bound once the node gets the label, with a Scheduled event', () => {
  const h = setup();
  h.scheduler.start();
  h.create('web', { nodeSelector: { disk: 'ssd' } });
  assert.equal(h.get('web').spec.nodeName, undefined);
  assert.equal(h.get('web').status?.conditions?.[0]?.reason, 'Unschedulable');
  h.store.modify<Node>('nodes', undefined, 'n1', (n) => ({ ...n, metadata: { ...n.metadata, labels: { ...n.metadata.labels, disk: 'ssd' } } }));
  const pod = h.get('web');
  assert.equal(pod.spec.nodeName, 'n1');
  assert.deepEqual(pod.status?.conditions?.map((c) => [c.type, c.status]), [['PodScheduled', 'True']]);
  assert.deepEqual(h.events.reasons(), ['Scheduled']);
  h.scheduler.stop();
});

test('issue 8: a gated pod waits for its gates to go; an unplaceable one records FailedScheduling once per reason', () => {
  const h = setup();
  h.scheduler.start();
  h.create('gated', { schedulingGates: [{ name: 'a' }, { name: 'b' }] });
  h.store.modify<Pod>('pods', 'default', 'gated', (p) => ({ ...p, spec: { ...p.spec, schedulingGates: [{ name: 'b' }] } }));
  assert.equal(h.get('gated').spec.nodeName, undefined);
  assert.equal(h.get('gated').status?.conditions?.[0]?.reason, 'SchedulingGated');
  h.store.modify<Pod>('pods', 'default', 'gated', (p) => ({ ...p, spec: { ...p.spec, schedulingGates: [], nodeSelector: { zone: 'z' } } }));
  assert.equal(h.get('gated').spec.nodeName, undefined);
  assert.equal(h.get('gated').status?.conditions?.[0]?.reason, 'Unschedulable');
  assert.deepEqual(h.events.reasons(), ['FailedScheduling']);
  for (let i = 0; i < 3; i++) h.store.modify<Node>('nodes', undefined, 'n1', (n) => ({ ...n, metadata: { ...n.metadata, annotations: { beat: String(i) } } }));
  assert.deepEqual(h.events.reasons(), ['FailedScheduling'], 'heartbeats do not repeat it');
  h.store.modify<Node>('nodes', undefined, 'n1', (n) => ({ ...n, spec: { taints: [{ key: 'k', value: 'v', effect: 'NoSchedule' }] } }));
  assert.match(h.get('gated').status?.conditions?.[0]?.message ?? '', /untolerated taint \{k: v\}/);
  assert.deepEqual(h.events.reasons(), ['FailedScheduling', 'FailedScheduling']);
  h.scheduler.stop();
});
