import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RESOURCES } from '../k8s/registry.js';
import type { KubeEvent } from '../k8s/types.js';
import { SqliteStore } from '../store/sqlite-store.js';
import { FakeClock } from '../system/clock.js';
import { silentLogger } from '../system/logger.js';
import { EventExpirer } from './event-ttl.js';

const HOUR = 3_600_000;

function event(name: string, lastTimestamp: string): KubeEvent {
  return {
    apiVersion: 'v1',
    kind: 'Event',
    metadata: { name, namespace: 'default' },
    involvedObject: { kind: 'Pod', name: 'p', namespace: 'default' },
    reason: 'Started',
    message: 'x',
    firstTimestamp: lastTimestamp,
    lastTimestamp,
    count: 1,
    type: 'Normal',
  };
}

function setup(start = '2026-01-01T10:00:00Z') {
  const clock = new FakeClock(Date.parse(start));
  const store = new SqliteStore({ path: ':memory:', resources: RESOURCES, clock });
  const expirer = new EventExpirer({ store, clock, logger: silentLogger(), ttlMs: HOUR });
  const names = () => store.list('events').items.map((e) => e.metadata.name).sort();
  return { clock, store, expirer, names };
}

test('issue 12: an event goes one TTL after its last write, as --event-ttl makes it', () => {
  const h = setup();
  h.expirer.start();
  h.store.create('events', event('a', '2026-01-01T10:00:00Z'));
  h.clock.advance(HOUR - 60_000);
  assert.deepEqual(h.names(), ['a']);
  h.clock.advance(60_000);
  assert.deepEqual(h.names(), []);
  h.expirer.stop();
});

test('issue 12: a write renews the TTL (a repeat bumping count keeps the event)', () => {
  const h = setup();
  h.expirer.start();
  h.store.create('events', event('a', '2026-01-01T10:00:00Z'));
  h.clock.advance(HOUR / 2);
  h.store.modify<KubeEvent>('events', 'default', 'a', (e) => ({ ...e, count: 2 }));
  h.clock.advance(HOUR / 2 + 60_000);
  assert.deepEqual(h.names(), ['a']);
  h.clock.advance(HOUR / 2);
  assert.deepEqual(h.names(), []);
  h.expirer.stop();
});

test('issue 12: events stored before the start count from the newest time they carry, never later than now', () => {
  const h = setup('2026-01-01T08:00:00Z'); // written by an earlier run, at 08:00 and 09:30
  h.store.create('events', event('old', '2026-01-01T08:00:00Z'));
  h.clock.advance(HOUR + HOUR / 2);
  h.store.create('events', event('recent', '2026-01-01T09:30:00Z'));
  h.clock.advance(HOUR / 2);
  h.store.create('events', event('future', '2027-01-01T00:00:00Z'));
  h.expirer.start();
  assert.deepEqual(h.names(), ['future', 'recent']);
  h.clock.advance(30 * 60_000);
  assert.deepEqual(h.names(), ['future']);
  h.clock.advance(30 * 60_000);
  assert.deepEqual(h.names(), []);
  h.expirer.stop();
});

test('issue 12: nothing expires once stopped', () => {
  const h = setup();
  h.expirer.start();
  h.store.create('events', event('a', '2026-01-01T10:00:00Z'));
  h.expirer.stop();
  h.clock.advance(2 * HOUR);
  assert.deepEqual(h.names(), ['a']);
});
