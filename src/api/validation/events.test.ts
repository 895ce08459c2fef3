import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { KubeObject } from '../../k8s/types.js';
import { validateEventCreate, validateEventUpdate } from './events.js';

const base = (over: Record<string, unknown> = {}): KubeObject =>
  ({
    apiVersion: 'v1',
    kind: 'Event',
    metadata: { name: 'e.1', namespace: 'default' },
    involvedObject: { kind: 'Pod', namespace: 'default', name: 'p' },
    reason: 'Scheduled',
    message: 'assigned',
    source: {},
    eventTime: '2026-01-01T00:00:00.000000Z',
    action: 'Binding',
    reportingComponent: 'default-scheduler',
    reportingInstance: 'sched-1',
    type: 'Normal',
    ...over,
  }) as unknown as KubeObject;

const show = (causes: { field: string; message: string }[]) => causes.map((c) => `${c.field}: ${c.message}`);

test('issue 12: a complete new-style event is valid through both versions', () => {
  assert.deepEqual(validateEventCreate(base(), 'events.k8s.io/v1'), []);
  assert.deepEqual(validateEventCreate(base(), 'v1'), []);
});

test('issue 12: events.k8s.io/v1 requires eventTime, and then reportingController, reportingInstance, action and reason', () => {
  assert.deepEqual(show(validateEventCreate(base({ eventTime: null }), 'events.k8s.io/v1')), ['eventTime: Required value']);
  assert.deepEqual(show(validateEventCreate(base({ reportingComponent: '', reportingInstance: '', action: '', reason: '' }), 'events.k8s.io/v1')), [
    'reportingController: Required value',
    'reportingController: Invalid value: "": name part must be non-empty',
    "reportingController: Invalid value: \"\": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')",
    'reportingInstance: Required value',
    'action: Required value',
    'reason: Required value',
  ]);
});

test('issue 12: events.k8s.io/v1 refuses the deprecated fields and a type other than Normal or Warning', () => {
  const causes = validateEventCreate(base({ firstTimestamp: '2026-01-01T00:00:00Z', count: 2, source: { component: 'x' }, type: 'Info' }), 'events.k8s.io/v1');
  assert.deepEqual(show(causes), [
    'type: Invalid value: "": has invalid value: Info',
    'firstTimestamp: Invalid value: "": needs to be unset',
    'count: Invalid value: "": needs to be unset',
    'source: Invalid value: "": needs to be unset',
  ]);
});

test('issue 12: a series needs a count of at least 2 and its lastObservedTime', () => {
  assert.deepEqual(show(validateEventCreate(base({ series: { count: 1 } }), 'events.k8s.io/v1')), [
    'series.count: Invalid value: "": should be at least 2',
    'series.lastObservedTime: Required value',
  ]);
});

test('issue 12: core/v1 keeps the legacy rules only: old-style events need no eventTime or action', () => {
  const old = base({ eventTime: null, action: undefined, reportingComponent: '', reportingInstance: '', firstTimestamp: '2026-01-01T00:00:00Z', count: 1 });
  assert.deepEqual(validateEventCreate(old, 'v1'), []);
  assert.deepEqual(show(validateEventCreate(base({ eventTime: null, involvedObject: { namespace: 'other' } }), 'v1')), ['involvedObject.namespace: Invalid value: "other": does not match event.namespace']);
  // A new-style event only needs its namespace to agree when it names none (then default or kube-system).
  assert.deepEqual(validateEventCreate(base({ involvedObject: { namespace: 'other' } }), 'v1'), []);
  assert.deepEqual(show(validateEventCreate(base({ metadata: { name: 'e.1', namespace: 'team' }, involvedObject: { kind: 'Node', name: 'n1' } }), 'v1')), ['involvedObject.namespace: Invalid value: "": does not match event.namespace']);
});

test('issue 12: through events.k8s.io/v1 only the series and metadata of an event may change', () => {
  const old = base();
  assert.deepEqual(validateEventUpdate(base({ series: { count: 2, lastObservedTime: '2026-01-01T00:01:00.000000Z' } }), old, 'events.k8s.io/v1'), []);
  assert.deepEqual(show(validateEventUpdate(base({ message: 'changed', reportingComponent: 'other' }), old, 'events.k8s.io/v1')), [
    'message: Invalid value: "changed": field is immutable',
    'reportingController: Invalid value: "other": field is immutable',
  ]);
  assert.deepEqual(validateEventUpdate(base({ message: 'changed' }), old, 'v1'), []);
});

test('issue 12: core/v1 takes any event type (no further validation, for compatibility); events.k8s.io/v1 only Normal or Warning', () => {
  assert.deepEqual(validateEventCreate(base({ type: 'Error' }), 'v1'), []);
  assert.deepEqual(validateEventUpdate(base({ type: 'Error' }), base({ type: 'Error' }), 'v1'), []);
  assert.deepEqual(show(validateEventCreate(base({ type: 'Error' }), 'events.k8s.io/v1')), ['type: Invalid value: "": has invalid value: Error']);
});
