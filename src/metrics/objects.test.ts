import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatCpu, formatDecimalQuantity, formatMemory, goDuration, metricsTable, nodeMetricsObject, podMetricsObject } from './objects.js';

const NOW = Date.UTC(2026, 11, 3, 12, 0, 30, 250);
const SAMPLED = Date.UTC(2026, 11, 3, 12, 0, 29, 900);

test('CPU is written as resource.Quantity writes nanocores: trailing zeros fold into the suffix', () => {
  const cases: [number, string][] = [
    [0, '0'],
    [1, '1n'],
    [259661686, '259661686n'],
    [1500000, '1500u'],
    [2000000, '2m'],
    [250000000, '250m'],
    [1000000000, '1'],
    [2500000000, '2500m'],
    [12000000000, '12'],
  ];
  for (const [n, want] of cases) assert.equal(formatCpu(n), want, String(n));
  assert.equal(formatDecimalQuantity(5000, 0), '5k');
});

test('memory is written in BinarySI, and below 1024 as DecimalSI', () => {
  const cases: [number, string][] = [
    [0, '0'],
    [512, '512'],
    [1000, '1k'],
    [1536, '1536'],
    [307200, '300Ki'],
    [41943040, '40Mi'],
    [1073741824, '1Gi'],
    [1234567, '1234567'],
  ];
  for (const [n, want] of cases) assert.equal(formatMemory(n), want, String(n));
});

test('the window is written as Go prints a time.Duration', () => {
  const cases: [number, string][] = [
    [0, '0s'],
    [850, '850ms'],
    [15000, '15s'],
    [15004, '15.004s'],
    [2010, '2.01s'],
    [60500, '1m0.5s'],
    [3723000, '1h2m3s'],
  ];
  for (const [ms, want] of cases) assert.equal(goDuration(ms), want, String(ms));
});

test('a PodMetrics is metrics-server\'s object: metadata stamped now, the sample\'s time, window and containers in spec order', () => {
  const usage = {
    timestamp: SAMPLED,
    windowMs: 15_012,
    containers: [
      { name: 'sidecar', usage: { cpuNanoCores: 1_000_000, memoryBytes: 2048 } },
      { name: 'app', usage: { cpuNanoCores: 250_000_000, memoryBytes: 41943040 } },
    ],
  };
  const obj = podMetricsObject({ name: 'web', namespace: 'default', labels: { app: 'web' } }, usage, NOW, ['app', 'sidecar']);
  assert.deepEqual(obj, {
    kind: 'PodMetrics',
    apiVersion: 'metrics.k8s.io/v1beta1',
    metadata: { name: 'web', namespace: 'default', creationTimestamp: '2026-12-03T12:00:30Z', labels: { app: 'web' } },
    timestamp: '2026-12-03T12:00:29Z',
    window: '15.012s',
    containers: [
      { name: 'app', usage: { cpu: '250m', memory: '40Mi' } },
      { name: 'sidecar', usage: { cpu: '1m', memory: '2Ki' } },
    ],
  });
  assert.deepEqual(Object.keys(obj), ['kind', 'apiVersion', 'metadata', 'timestamp', 'window', 'containers']);
});

test('a NodeMetrics has no namespace, and no labels key when it has none', () => {
  const obj = nodeMetricsObject({ name: 'node-1' }, { timestamp: SAMPLED, windowMs: 15_000, usage: { cpuNanoCores: 1_854_761_652, memoryBytes: 2_653_392_896 } }, NOW);
  assert.deepEqual(obj, {
    kind: 'NodeMetrics',
    apiVersion: 'metrics.k8s.io/v1beta1',
    metadata: { name: 'node-1', creationTimestamp: '2026-12-03T12:00:30Z' },
    timestamp: '2026-12-03T12:00:29Z',
    window: '15s',
    usage: { cpu: '1854761652n', memory: '2591204Ki' },
  });
});

test('the Table sums a pod\'s containers into its cpu and memory cells and carries the object as asked', () => {
  const object = { kind: 'PodMetrics', metadata: { name: 'web', namespace: 'default' } };
  const usage = [
    { cpuNanoCores: 250_000_000, memoryBytes: 1 << 20 },
    { cpuNanoCores: 750_000_000, memoryBytes: 1 << 20 },
  ];
  const t = metricsTable([{ object, usage, windowMs: 15_004 }], 'v1', 'Metadata');
  assert.deepEqual((t.columnDefinitions as { name: string; format: string }[]).map((c) => [c.name, c.format]), [
    ['Name', 'name'],
    ['cpu', 'quantity'],
    ['memory', 'quantity'],
    ['Window', 'duration'],
  ]);
  assert.deepEqual(t.rows, [{ cells: ['web', '1', '2Mi', '15.004s'], object: { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: object.metadata } }]);
  assert.deepEqual((metricsTable([{ object, usage, windowMs: 1 }], 'v1', 'None').rows as { object?: unknown }[])[0]!.object, undefined);
  assert.equal(metricsTable([], 'v1', 'Metadata').columnDefinitions, null);
});
