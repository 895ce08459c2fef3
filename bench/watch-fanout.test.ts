import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fanoutFigures, parseEventLine, watchPath, type Arrival } from './watch-fanout.js';

const line = (type: string, name: string, rv: string, phase: string, metaFirst = `"name":"${name}","namespace":"default"`) =>
  `{"type":"${type}","object":{"apiVersion":"v1","kind":"Pod","metadata":{${metaFirst},"uid":"u","resourceVersion":"${rv}","labels":{"name":"not-this"}},"spec":{"containers":[{"name":"main"}]},"status":{"phase":"${phase}"}}}`;

test('an event line gives its type, the pod name, its resourceVersion and whether it is Running', () => {
  assert.deepEqual(parseEventLine(line('MODIFIED', 'w-1', '42', 'Running')), { type: 'MODIFIED', name: 'w-1', rv: '42', running: true });
  assert.deepEqual(parseEventLine(line('ADDED', 'w-2', '7', 'Pending')), { type: 'ADDED', name: 'w-2', rv: '7', running: false });
});

test('an object whose metadata does not start with its name is parsed in full, so the label called name is not taken', () => {
  const l = line('ADDED', 'w-3', '9', 'Pending', '"labels":{"name":"label-value"},"name":"w-3"');
  assert.deepEqual(parseEventLine(l), { type: 'ADDED', name: 'w-3', rv: '9', running: false });
});

test('bookmarks and errors are not events about pods', () => {
  assert.equal(parseEventLine('{"type":"BOOKMARK","object":{"kind":"Pod","metadata":{"resourceVersion":"5"}}}'), undefined);
  assert.equal(parseEventLine('{"type":"ERROR","object":{"kind":"Status","code":410}}'), undefined);
});

const at = (type: string, name: string, rv: string, atMs: number, running = false): Arrival => ({ type, name, rv, running, atMs });

test('the figures of a burst: lag behind the first delivery, the last watcher with every Running event, the rate', () => {
  const w1 = [at('ADDED', 'a', '1', 110), at('ADDED', 'b', '2', 120), at('MODIFIED', 'a', '3', 300, true), at('MODIFIED', 'b', '4', 400, true)];
  const w2 = [at('ADDED', 'a', '1', 115), at('ADDED', 'b', '2', 130), at('MODIFIED', 'a', '3', 310, true), at('MODIFIED', 'b', '4', 500, true)];
  const f = fanoutFigures([w1, w2], ['a', 'b'], 100);
  assert.equal(f.events, 4);
  assert.equal(f.deliveries, 8);
  assert.equal(f.missing, 0);
  assert.equal(f.firstWatcherAllRunningMs, 300);
  assert.equal(f.lastWatcherAllRunningMs, 400);
  assert.deepEqual([f.lag.n, f.lag.p50, f.lag.max], [8, 0, 100]);
  assert.equal(f.deliveriesPerSecond, 8 / 0.4);
});

test('a watcher that missed an event is counted, and then no last-watcher time is claimed', () => {
  const w1 = [at('ADDED', 'a', '1', 110), at('MODIFIED', 'a', '3', 300, true)];
  const w2 = [at('ADDED', 'a', '1', 115)];
  const f = fanoutFigures([w1, w2], ['a'], 100);
  assert.equal(f.missing, 1);
  assert.equal(f.firstWatcherAllRunningMs, 200);
  assert.equal(f.lastWatcherAllRunningMs, undefined);
});

test('events of other pods, repeated deliveries and a DELETED pod still showing Running do not count', () => {
  const w = [at('ADDED', 'other', '1', 105), at('ADDED', 'a', '2', 110), at('ADDED', 'a', '2', 111), at('DELETED', 'a', '3', 150, true)];
  const f = fanoutFigures([w], ['a'], 100);
  assert.deepEqual([f.events, f.deliveries, f.missing], [2, 2, 0]);
  assert.equal(f.lastWatcherAllRunningMs, undefined);
});

test('half the watchers watch every namespace, the other half the pods\' namespace', () => {
  assert.deepEqual([0, 1, 2, 3].map((i) => watchPath(i, 4, 'default')), ['/api/v1/pods', '/api/v1/pods', '/api/v1/namespaces/default/pods', '/api/v1/namespaces/default/pods']);
  assert.equal(watchPath(0, 1, 'default'), '/api/v1/pods');
});
