import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RESOURCES } from '../k8s/registry.js';
import type { Node } from '../k8s/types.js';
import { SqliteStore } from '../store/sqlite-store.js';
import { FakeClock } from '../system/clock.js';
import { silentLogger } from '../system/logger.js';
import type { NodeFacts } from './node-object.js';
import { NodeStatusReporter } from './node-status.js';

const FACTS: NodeFacts = {
  nodeName: 'n1',
  nodeIP: '10.0.0.1',
  podCidr: '10.88.0.0/16',
  kernelVersion: '6.1',
  osImage: 'Linux',
  runtimeVersion: 'runc://1.1',
  kubeletVersion: 'v1.33.0',
  cpus: 2,
  memoryBytes: 4 << 30,
  maxPods: 110,
  ephemeralStorageBytes: 10 << 30,
  hugepages: {},
};

function setup() {
  const clock = new FakeClock(Date.parse('2026-01-01T00:00:00Z'));
  const store = new SqliteStore({ path: ':memory:', resources: RESOURCES, clock });
  const facts = { ...FACTS };
  const reporter = new NodeStatusReporter({ store, clock, logger: silentLogger(), facts });
  const heartbeat = () => store.get<Node>('nodes', undefined, 'n1').status?.conditions?.find((c) => c.type === 'Ready')?.lastHeartbeatTime;
  return { clock, store, facts, reporter, heartbeat };
}

test('issue 12: the Node status is not rewritten every 10 s when nothing changed', () => {
  const h = setup();
  h.reporter.start();
  const rv = h.store.get<Node>('nodes', undefined, 'n1').metadata.resourceVersion;
  h.clock.advance(60_000);
  assert.equal(h.store.get<Node>('nodes', undefined, 'n1').metadata.resourceVersion, rv);
  assert.equal(h.heartbeat(), '2026-01-01T00:00:00Z');
  h.reporter.stop();
});

test('issue 12: the Node status is reported every 5 min (nodeStatusReportFrequency) even unchanged', () => {
  const h = setup();
  h.reporter.start();
  h.clock.advance(5 * 60_000);
  assert.equal(h.heartbeat(), '2026-01-01T00:05:00Z');
  h.reporter.stop();
});

test('issue 12: a status change is written at the next 10 s pass', () => {
  const h = setup();
  h.reporter.start();
  h.facts.maxPods = 50;
  h.clock.advance(10_000);
  const n = h.store.get<Node>('nodes', undefined, 'n1');
  assert.equal(n.status?.capacity?.pods, '50');
  assert.equal(h.heartbeat(), '2026-01-01T00:00:10Z');
  h.reporter.stop();
});

test('issue 12: a deleted Node is registered again', () => {
  const h = setup();
  h.reporter.start();
  h.store.delete('nodes', undefined, 'n1');
  h.clock.advance(10_000);
  assert.ok(h.store.tryGet('nodes', undefined, 'n1'));
  h.reporter.stop();
});
