import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { KubeObject } from '../../k8s/types.js';
import { prepareLease, validateLease, validateLeaseUpdate } from './lease.js';

const lease = (spec: Record<string, unknown>): KubeObject => ({ apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name: 'l', namespace: 'default' }, spec });

test('issue 12: a valid lease has no causes', () => {
  const l = lease({ holderIdentity: 'n1', leaseDurationSeconds: 40, renewTime: '2026-01-01T00:00:00.000000Z', leaseTransitions: 0 });
  prepareLease(l);
  assert.deepEqual(validateLease(l), []);
});

test('issue 12: leaseDurationSeconds must be greater than 0 and leaseTransitions not negative', () => {
  const causes = validateLease(lease({ leaseDurationSeconds: 0, leaseTransitions: -1 }));
  assert.deepEqual(causes.map((c) => [c.field, c.message]), [
    ['spec.leaseDurationSeconds', 'Invalid value: 0: must be greater than 0'],
    ['spec.leaseTransitions', 'Invalid value: -1: must be greater than or equal to 0'],
  ]);
  assert.equal(validateLeaseUpdate(lease({ leaseDurationSeconds: -5 }), lease({})).length, 1);
});

test('issue 12: renewTime must be a MicroTime; an offset is rewritten in UTC', () => {
  assert.throws(() => prepareLease(lease({ renewTime: '2026-01-01T00:00:00Z' })), /cannot be handled as a Lease: parsing time "2026-01-01T00:00:00Z" as "2006-01-02T15:04:05.000000Z07:00": cannot parse "Z" as ".000000"/);
  assert.throws(() => prepareLease(lease({ acquireTime: 'yesterday' })), /BadRequest|cannot be handled/);
  const l = lease({ acquireTime: '2026-01-01T02:00:00.123456+02:00' });
  prepareLease(l);
  assert.equal((l.spec as { acquireTime: string }).acquireTime, '2026-01-01T00:00:00.123456Z');
});

test('issue 12: durations are 32-bit integers', () => {
  assert.throws(() => prepareLease(lease({ leaseDurationSeconds: '40' })), /cannot unmarshal string into Go struct field LeaseSpec.spec.leaseDurationSeconds of type int32/);
  assert.throws(() => prepareLease(lease({ leaseDurationSeconds: 2 ** 31 })), /of type int32/);
});

test('issue 12: strategy and preferredHolder are cleared, as with CoordinatedLeaderElection off', () => {
  const l = lease({ holderIdentity: 'a', strategy: 'OldestEmulationVersion', preferredHolder: 'b' });
  prepareLease(l);
  assert.deepEqual(l.spec, { holderIdentity: 'a' });
});
