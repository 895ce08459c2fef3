import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RESOURCES } from '../k8s/registry.js';
import type { KubeEvent, ObjectReference } from '../k8s/types.js';
import { FakeClock } from '../system/clock.js';
import { silentLogger } from '../system/logger.js';
import { StoreEventSink } from './events.js';
import { parseFieldSelector } from './selectors.js';
import { SqliteStore } from './sqlite-store.js';
import type { ObjectStore } from './store.js';

const eventsInfo = RESOURCES.find((r) => r.resource === 'events')!;

function setup(memory?: number) {
  const clock = new FakeClock(Date.UTC(2026, 10, 22, 3, 4, 5));
  const store = new SqliteStore({ path: ':memory:', resources: RESOURCES, clock });
  const sink = new StoreEventSink({ store, clock, logger: silentLogger(), component: 'kubelet', host: 'node1', memory });
  const events = (ns = 'default') => store.list<KubeEvent>('events', { namespace: ns }).items;
  return { clock, store, sink, events };
}

const web: ObjectReference = { kind: 'Pod', namespace: 'default', name: 'web', uid: 'uid-1', apiVersion: 'v1' };

test('record stores a core/v1 Event about the involved object', () => {
  const { sink, events, store } = setup();
  const involved = { ...web, fieldPath: 'spec.containers{c}' };
  sink.record(involved, 'Normal', 'Pulled', 'Successfully pulled image "busybox"');
  involved.name = 'mutated-after-record';
  const [ev, ...rest] = events();
  assert.equal(rest.length, 0);
  assert.match(ev!.metadata.name!, /^web\.[0-9a-f]{16}$/);
  assert.equal(ev!.metadata.namespace, 'default');
  assert.deepEqual(ev!.involvedObject, { ...web, fieldPath: 'spec.containers{c}' });
  assert.equal(ev!.type, 'Normal');
  assert.equal(ev!.reason, 'Pulled');
  assert.equal(ev!.message, 'Successfully pulled image "busybox"');
  assert.deepEqual(ev!.source, { component: 'kubelet', host: 'node1' });
  assert.equal(ev!.reportingComponent, 'kubelet');
  assert.equal(ev!.firstTimestamp, '2026-11-22T03:04:05Z');
  assert.equal(ev!.lastTimestamp, '2026-11-22T03:04:05Z');
  assert.equal(ev!.count, 1);
  const bySelector = store.list('events', {
    namespace: 'default',
    fieldSelector: parseFieldSelector('involvedObject.name=web,involvedObject.uid=uid-1,reason=Pulled,source=kubelet', eventsInfo),
  });
  assert.equal(bySelector.items.length, 1);
  store.close();
});

test('a repeat of the same event bumps count and lastTimestamp', () => {
  const { sink, events, clock, store } = setup();
  sink.record(web, 'Warning', 'BackOff', 'Back-off restarting failed container');
  clock.advance(10_000);
  sink.record(web, 'Warning', 'BackOff', 'Back-off restarting failed container');
  clock.advance(20_000);
  sink.record(web, 'Warning', 'BackOff', 'Back-off restarting failed container');
  const all = events();
  assert.equal(all.length, 1);
  assert.equal(all[0]!.count, 3);
  assert.equal(all[0]!.firstTimestamp, '2026-11-22T03:04:05Z');
  assert.equal(all[0]!.lastTimestamp, '2026-11-22T03:04:35Z');
  store.close();
});

const distinct: { name: string; change: (r: ObjectReference) => [ObjectReference, 'Normal' | 'Warning', string, string] }[] = [
  { name: 'another message makes a new event', change: (r) => [r, 'Normal', 'Started', 'other'] },
  { name: 'another reason makes a new event', change: (r) => [r, 'Normal', 'Created', 'msg'] },
  { name: 'another type makes a new event', change: (r) => [r, 'Warning', 'Started', 'msg'] },
  { name: 'another fieldPath makes a new event', change: (r) => [{ ...r, fieldPath: 'spec.containers{x}' }, 'Normal', 'Started', 'msg'] },
  { name: 'another uid makes a new event', change: (r) => [{ ...r, uid: 'uid-2' }, 'Normal', 'Started', 'msg'] },
];

for (const c of distinct) {
  test(`record: ${c.name}`, () => {
    const { sink, events, store } = setup();
    sink.record(web, 'Normal', 'Started', 'msg');
    sink.record(...c.change(web));
    assert.deepEqual(events().map((e) => e.count), [1, 1]);
    store.close();
  });
}

test('events of cluster-scoped objects go to the default namespace', () => {
  const { sink, events, store } = setup();
  sink.record({ kind: 'Node', name: 'node1', uid: 'n1' }, 'Normal', 'NodeReady', 'node is ready');
  assert.equal(events('default')[0]!.involvedObject.name, 'node1');
  store.close();
});

test('a forgotten event starts a new one once the memory is full', () => {
  const { sink, events, store } = setup(1);
  sink.record(web, 'Normal', 'A', 'a');
  sink.record(web, 'Normal', 'B', 'b');
  sink.record(web, 'Normal', 'A', 'a');
  assert.equal(events().length, 3);
  store.close();
});

test('a remembered event that was deleted is recreated', () => {
  const { sink, events, store } = setup();
  sink.record(web, 'Normal', 'A', 'a');
  store.delete('events', 'default', events()[0]!.metadata.name!);
  sink.record(web, 'Normal', 'A', 'a');
  assert.deepEqual(events().map((e) => e.count), [1]);
  store.close();
});

test('record never throws, even when the store fails', () => {
  const { clock } = setup();
  const broken = new Proxy({} as ObjectStore, {
    get: () => () => {
      throw new Error('disk on fire');
    },
  });
  const sink = new StoreEventSink({ store: broken, clock, logger: silentLogger(), component: 'kubelet', host: 'n' });
  assert.doesNotThrow(() => sink.record(web, 'Normal', 'A', 'a'));
  assert.equal(sink.deleteEventsFor('default', 'web', 'uid-1'), 0);
});

test('deleteEventsFor removes only the events of that object', () => {
  const { sink, events, store } = setup();
  sink.record(web, 'Normal', 'A', 'a');
  sink.record(web, 'Normal', 'B', 'b');
  sink.record({ ...web, uid: 'uid-old' }, 'Normal', 'A', 'a');
  sink.record({ ...web, name: 'db', uid: 'uid-db' }, 'Normal', 'A', 'a');
  assert.equal(sink.deleteEventsFor('default', 'web', 'uid-1'), 2);
  assert.deepEqual(events().map((e) => `${e.involvedObject.name}/${e.involvedObject.uid}`).sort(), ['db/uid-db', 'web/uid-old']);
  sink.record(web, 'Normal', 'A', 'a');
  assert.equal(events().filter((e) => e.involvedObject.uid === 'uid-1').length, 1);
  assert.equal(sink.deleteEventsFor('default', 'web'), 2);
  store.close();
});
