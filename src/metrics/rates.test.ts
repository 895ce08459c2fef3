import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MetricsStorage, resourceUsage, type MetricsBatch, type MetricsPoint } from './rates.js';

const T0 = Date.UTC(2026, 0, 1);
const RES = 15_000;
const pt = (timestamp: number, cpuNs: number, memoryBytes = 1000, startTime = T0 - 3_600_000): MetricsPoint => ({ startTime, timestamp, cpuNs, memoryBytes });

function batch(pods: Record<string, Record<string, MetricsPoint>>, nodes: Record<string, MetricsPoint> = {}): MetricsBatch {
  return {
    nodes: new Map(Object.entries(nodes)),
    pods: new Map(Object.entries(pods).map(([k, cs]) => [k, new Map(Object.entries(cs))])),
  };
}

test('CPU is the cumulative time\'s rise over the window, in nanocores; memory the newest working set', () => {
  const u = resourceUsage(pt(T0 + 15_000, 9_000_000_000, 2048), pt(T0, 1_500_000_000, 1024));
  assert.deepEqual(u, { timestamp: T0 + 15_000, windowMs: 15_000, usage: { cpuNanoCores: 500_000_000, memoryBytes: 2048 } });
});

test('samples that went backwards (a restart, a counter reset, the same instant) give no usage', () => {
  assert.equal(resourceUsage(pt(T0 + 15_000, 1), pt(T0, 5)), undefined);
  assert.equal(resourceUsage(pt(T0 + 15_000, 9, 0, T0 - 10), pt(T0, 5, 0, T0)), undefined);
  assert.equal(resourceUsage(pt(T0, 9), pt(T0, 5)), undefined);
});

test('a pod is left out until it has been sampled twice, then served over the window between', () => {
  const s = new MetricsStorage(RES);
  s.store(batch({ 'default/web': { app: pt(T0, 1e9, 10) } }));
  assert.equal(s.podUsage('default', 'web'), undefined);
  s.store(batch({ 'default/web': { app: pt(T0 + 15_000, 2.5e9, 20) } }));
  assert.deepEqual(s.podUsage('default', 'web'), { timestamp: T0 + 15_000, windowMs: 15_000, containers: [{ name: 'app', usage: { cpuNanoCores: 100_000_000, memoryBytes: 20 } }] });
  assert.equal(s.containerPoints(), 1);
});

test('a pod whose newest sample has a container without an earlier one is left out whole', () => {
  const s = new MetricsStorage(RES);
  s.store(batch({ 'default/web': { app: pt(T0, 1e9) } }));
  s.store(batch({ 'default/web': { app: pt(T0 + 15_000, 2e9), sidecar: pt(T0 + 15_000, 1e6, 10, T0 + 14_000) } }));
  assert.equal(s.podUsage('default', 'web'), undefined);
});

test('a restarted container (started after the stored sample) starts over', () => {
  const s = new MetricsStorage(RES);
  s.store(batch({ 'default/web': { app: pt(T0, 5e9) } }));
  s.store(batch({ 'default/web': { app: pt(T0 + 15_000, 1e8, 10, T0 + 14_500) } }));
  assert.equal(s.podUsage('default', 'web'), undefined);
  s.store(batch({ 'default/web': { app: pt(T0 + 30_000, 2e8, 10, T0 + 14_500) } }));
  assert.equal(s.podUsage('default', 'web')?.containers[0]?.usage.cpuNanoCores, Math.floor((1e8 * 1000) / 15_000));
});

test('a container started between 10 s and one resolution ago counts from its start with zero CPU', () => {
  const s = new MetricsStorage(RES);
  const started = T0 - 12_000;
  s.store(batch({ 'default/new': { app: pt(T0, 6e9, 50, started) } }));
  const u = s.podUsage('default', 'new');
  assert.deepEqual(u, { timestamp: T0, windowMs: 12_000, containers: [{ name: 'app', usage: { cpuNanoCores: 500_000_000, memoryBytes: 50 } }] });
});

test('a container younger than 10 s waits for a second sample', () => {
  const s = new MetricsStorage(RES);
  s.store(batch({ 'default/new': { app: pt(T0, 6e8, 50, T0 - 5_000) } }));
  assert.equal(s.podUsage('default', 'new'), undefined);
});

test('a sample no newer than the stored one keeps the earlier pair', () => {
  const s = new MetricsStorage(RES);
  s.store(batch({}, { n: pt(T0, 0) }));
  s.store(batch({}, { n: pt(T0 + 15_000, 15e9) }));
  s.store(batch({}, { n: pt(T0 + 15_000, 15e9) }));
  assert.deepEqual(s.nodeUsage('n'), { timestamp: T0 + 15_000, windowMs: 15_000, usage: { cpuNanoCores: 1e9, memoryBytes: 1000 } });
});

test('a pod or node missing from the newest scrape is forgotten', () => {
  const s = new MetricsStorage(RES);
  s.store(batch({ 'a/p': { c: pt(T0, 0) } }, { n: pt(T0, 0) }));
  s.store(batch({ 'a/p': { c: pt(T0 + 15_000, 1) } }, { n: pt(T0 + 15_000, 1) }));
  s.store(batch({}));
  assert.equal(s.podUsage('a', 'p'), undefined);
  assert.equal(s.nodeUsage('n'), undefined);
});

test('a pod\'s timestamp and window are its containers\' earliest', () => {
  const s = new MetricsStorage(RES);
  s.store(batch({ 'a/p': { c1: pt(T0, 0), c2: pt(T0 + 100, 0) } }));
  s.store(batch({ 'a/p': { c1: pt(T0 + 15_000, 0), c2: pt(T0 + 15_200, 0) } }));
  const u = s.podUsage('a', 'p')!;
  assert.equal(u.timestamp, T0 + 15_000);
  assert.equal(u.windowMs, 15_000);
  assert.deepEqual(u.containers.map((c) => c.name), ['c1', 'c2']);
});
