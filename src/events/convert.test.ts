import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { KubeObject } from '../k8s/types.js';
import { eventFromV1, eventToV1 } from './convert.js';

const meta = { name: 'web.1', namespace: 'default', uid: 'u1', resourceVersion: '7', creationTimestamp: '2026-01-01T00:00:00Z' };

/** A kubelet event as peapod's recorder stores it (core/v1, no eventTime). */
const kubeletCore = {
  kind: 'Event',
  apiVersion: 'v1',
  metadata: meta,
  involvedObject: { kind: 'Pod', namespace: 'default', name: 'web', uid: 'p1', apiVersion: 'v1', fieldPath: 'spec.containers{c}' },
  reason: 'Started',
  message: 'Started container c',
  source: { component: 'kubelet', host: 'n1' },
  firstTimestamp: '2026-01-01T00:00:00Z',
  lastTimestamp: '2026-01-01T00:00:05Z',
  count: 2,
  type: 'Normal',
  eventTime: null,
  reportingComponent: 'kubelet',
  reportingInstance: 'n1',
} as unknown as KubeObject;

/** A new-style event as a controller writes it through events.k8s.io/v1. */
const controllerV1 = {
  kind: 'Event',
  apiVersion: 'events.k8s.io/v1',
  metadata: meta,
  eventTime: '2026-01-01T00:00:00.123456Z',
  series: { count: 3, lastObservedTime: '2026-01-01T00:01:00.000000Z' },
  reportingController: 'example.com/ctl',
  reportingInstance: 'ctl-1',
  action: 'Scaling',
  reason: 'Scaled',
  regarding: { kind: 'Deployment', namespace: 'default', name: 'd', apiVersion: 'apps/v1' },
  related: { kind: 'Pod', namespace: 'default', name: 'p' },
  note: 'scaled up',
  type: 'Normal',
  deprecatedSource: {},
  deprecatedFirstTimestamp: null,
  deprecatedLastTimestamp: null,
} as unknown as KubeObject;

test('issue 12: a core event reads in events.k8s.io/v1 with the renamed and deprecated fields', () => {
  assert.deepEqual(eventToV1(kubeletCore), {
    kind: 'Event',
    apiVersion: 'events.k8s.io/v1',
    metadata: meta,
    eventTime: null,
    reportingController: 'kubelet',
    reportingInstance: 'n1',
    reason: 'Started',
    regarding: { kind: 'Pod', namespace: 'default', name: 'web', uid: 'p1', apiVersion: 'v1', fieldPath: 'spec.containers{c}' },
    note: 'Started container c',
    type: 'Normal',
    deprecatedSource: { component: 'kubelet', host: 'n1' },
    deprecatedFirstTimestamp: '2026-01-01T00:00:00Z',
    deprecatedLastTimestamp: '2026-01-01T00:00:05Z',
    deprecatedCount: 2,
  });
});

test('issue 12: an events.k8s.io/v1 event is stored in core/v1 form as Go writes it', () => {
  assert.deepEqual(eventFromV1(controllerV1), {
    kind: 'Event',
    apiVersion: 'v1',
    metadata: meta,
    involvedObject: { kind: 'Deployment', namespace: 'default', name: 'd', apiVersion: 'apps/v1' },
    reason: 'Scaled',
    message: 'scaled up',
    source: {},
    firstTimestamp: null,
    lastTimestamp: null,
    type: 'Normal',
    eventTime: '2026-01-01T00:00:00.123456Z',
    series: { count: 3, lastObservedTime: '2026-01-01T00:01:00.000000Z' },
    action: 'Scaling',
    related: { kind: 'Pod', namespace: 'default', name: 'p' },
    reportingComponent: 'example.com/ctl',
    reportingInstance: 'ctl-1',
  });
});

test('issue 12: conversion round trips in both directions', () => {
  assert.deepEqual(eventToV1(eventFromV1(controllerV1)), controllerV1);
  assert.deepEqual(eventFromV1(eventToV1(kubeletCore)), kubeletCore);
});

test('issue 12: an empty regarding and source still appear, as Go never omits those structs', () => {
  const bare = { kind: 'Event', apiVersion: 'events.k8s.io/v1', metadata: { name: 'x', namespace: 'default' } } as KubeObject;
  const core = eventFromV1(bare) as Record<string, unknown>;
  assert.deepEqual(core.involvedObject, {});
  assert.deepEqual(core.source, {});
  assert.equal(core.reportingComponent, '');
  const back = eventToV1(core as KubeObject) as Record<string, unknown>;
  assert.deepEqual(back.regarding, {});
  assert.deepEqual(back.deprecatedSource, {});
  assert.equal(back.eventTime, null);
  assert.equal('note' in back, false);
});
