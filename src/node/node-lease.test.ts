import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RESOURCES } from '../k8s/registry.js';
import type { Node } from '../k8s/types.js';
import { SqliteStore } from '../store/sqlite-store.js';
import { ensureNamespaces } from '../store/bootstrap.js';
import { FakeClock } from '../system/clock.js';
import { silentLogger } from '../system/logger.js';
import { NODE_LEASE_NAMESPACE, NodeLeaseController, type Lease } from './node-lease.js';

function setup(renewIntervalMs?: number) {
  const clock = new FakeClock(Date.parse('2026-01-01T00:00:00Z'));
  const store = new SqliteStore({ path: ':memory:', resources: RESOURCES, clock });
  ensureNamespaces(store);
  const node = store.create<Node>('nodes', { apiVersion: 'v1', kind: 'Node', metadata: { name: 'n1' }, spec: {} });
  const leases = new NodeLeaseController({ store, clock, logger: silentLogger(), nodeName: 'n1', renewIntervalMs });
  const lease = () => store.tryGet<Lease>('leases', NODE_LEASE_NAMESPACE, 'n1');
  return { clock, store, node, leases, lease };
}

test('issue 12: the node lease is created at start as the kubelet makes it, owned by the Node', () => {
  const h = setup();
  h.leases.start();
  const l = h.lease();
  assert.ok(l);
  assert.deepEqual(l.spec, { holderIdentity: 'n1', leaseDurationSeconds: 40, renewTime: '2026-01-01T00:00:00.000000Z' });
  assert.deepEqual(l.metadata.ownerReferences, [{ apiVersion: 'v1', kind: 'Node', name: 'n1', uid: h.node.metadata.uid }]);
  h.leases.stop();
});

test('issue 12: renewTime moves every 10 s, a quarter of the 40 s duration, and not in between', () => {
  const h = setup();
  h.leases.start();
  h.clock.advance(9_999);
  assert.equal(h.lease()?.spec?.renewTime, '2026-01-01T00:00:00.000000Z');
  h.clock.advance(1);
  assert.equal(h.lease()?.spec?.renewTime, '2026-01-01T00:00:10.000000Z');
  h.clock.advance(10_000);
  assert.equal(h.lease()?.spec?.renewTime, '2026-01-01T00:00:20.000000Z');
  h.leases.stop();
});

test('issue 12: the renew interval is injected', () => {
  const h = setup(1_000);
  h.leases.start();
  h.clock.advance(1_500);
  assert.equal(h.lease()?.spec?.renewTime, '2026-01-01T00:00:01.000000Z');
  h.leases.stop();
});

test('issue 12: a deleted lease is created again at the next renewal', () => {
  const h = setup();
  h.leases.start();
  h.store.delete('leases', NODE_LEASE_NAMESPACE, 'n1');
  h.clock.advance(10_000);
  assert.equal(h.lease()?.spec?.holderIdentity, 'n1');
  assert.equal(h.lease()?.spec?.leaseDurationSeconds, 40);
  h.leases.stop();
});

test('issue 12: a renewal changes only renewTime: a holder, duration and labels someone else wrote stay, as upstream', () => {
  const h = setup();
  h.leases.start();
  const l = h.lease()!;
  h.store.update('leases', { ...l, metadata: { ...l.metadata, labels: { keep: 'me' } }, spec: { ...l.spec, holderIdentity: 'intruder', leaseDurationSeconds: 5 } });
  const before = h.lease()!.spec!.renewTime;
  h.clock.advance(10_000);
  const after = h.lease()!;
  assert.equal(after.spec?.holderIdentity, 'intruder');
  assert.equal(after.spec?.leaseDurationSeconds, 5);
  assert.deepEqual(after.metadata.labels, { keep: 'me' });
  assert.notEqual(after.spec?.renewTime, before);
  h.leases.stop();
});

test('issue 12: an owner reference is added only when the lease has none', () => {
  const h = setup();
  h.leases.start();
  const first = h.lease()!.metadata.ownerReferences;
  h.store.delete('nodes', undefined, 'n1');
  h.store.create<Node>('nodes', { apiVersion: 'v1', kind: 'Node', metadata: { name: 'n1' }, spec: {} });
  h.clock.advance(10_000);
  assert.deepEqual(h.lease()?.metadata.ownerReferences, first);
  const l = h.lease()!;
  h.store.update('leases', { ...l, metadata: { ...l.metadata, ownerReferences: [] } });
  h.clock.advance(10_000);
  const node = h.store.tryGet<Node>('nodes', undefined, 'n1')!;
  assert.deepEqual(h.lease()?.metadata.ownerReferences, [{ apiVersion: 'v1', kind: 'Node', name: 'n1', uid: node.metadata.uid }]);
  h.leases.stop();
});

test('issue 12: a failed renewal is retried after 200 ms, not at the next interval', () => {
  const h = setup();
  // The first write fails (as a busy database would); the retry comes 200 ms later.
  h.store.create<Lease>('leases', { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name: 'n1', namespace: NODE_LEASE_NAMESPACE }, spec: {} });
  let writes = 0;
  const w = h.store.watch('leases', { resourceVersion: h.store.currentResourceVersion() }, () => writes++);
  const realUpdate = h.store.update.bind(h.store);
  let failures = 1;
  h.store.update = ((resource: string, obj: never, opts?: never) => {
    if (failures-- > 0) throw Object.assign(new Error('database is locked'), {});
    return realUpdate(resource, obj, opts);
  }) as typeof h.store.update;
  h.leases.start();
  assert.equal(writes, 0);
  h.clock.advance(200);
  assert.equal(writes, 1);
  assert.equal(h.lease()?.spec?.renewTime, '2026-01-01T00:00:00.200000Z');
  w.stop();
  h.leases.stop();
});

test('issue 12: stop() ends the renewals', () => {
  const h = setup();
  h.leases.start();
  h.leases.stop();
  h.clock.advance(60_000);
  assert.equal(h.lease()?.spec?.renewTime, '2026-01-01T00:00:00.000000Z');
});

test('issue 12: no lease is made in a deleted or terminating kube-node-lease; it comes once the namespace is back', () => {
  const h = setup();
  h.store.delete('namespaces', undefined, NODE_LEASE_NAMESPACE);
  h.leases.start();
  assert.equal(h.lease(), undefined);
  h.store.create('namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NODE_LEASE_NAMESPACE }, status: { phase: 'Terminating' } });
  h.clock.advance(1_000);
  assert.equal(h.lease(), undefined);
  h.store.modify('namespaces', undefined, NODE_LEASE_NAMESPACE, (ns) => ({ ...ns, status: { phase: 'Active' } }));
  h.clock.advance(7_000);
  assert.equal(h.lease()?.spec?.holderIdentity, 'n1');
  h.leases.stop();
});
