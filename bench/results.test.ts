import { test } from 'node:test';
import assert from 'node:assert/strict';
import { emptyResults, evaluateTargets, ratio, scenarioTables, tableCells, type BenchResults } from './results.js';
import { summarize } from './stats.js';

test('the ratio is podman over peapod', () => assert.equal(ratio({ metric: 'p50', unit: 'ms', peapod: 100, podman: 450 }), 4.5));

const noRatio: { name: string; peapod?: number; podman?: number }[] = [
  { name: 'there is no ratio without a podman figure', peapod: 100 },
  { name: 'there is no ratio without a peapod figure', podman: 100 },
  { name: 'there is no ratio over a zero peapod figure', peapod: 0, podman: 100 },
  { name: 'there is no ratio over NaN', peapod: NaN, podman: 100 },
];
for (const c of noRatio) test(c.name, () => assert.equal(ratio({ metric: 'x', unit: 'ms', peapod: c.peapod, podman: c.podman }), undefined));

function fullResults(): BenchResults {
  const r = emptyResults();
  r.start1 = { peapod: summarize([100, 120, 140, 290]), podman: summarize([500, 520, 600, 700]) };
  r.startInit = { peapod: summarize([300, 410, 420]) };
  r.churnSequential = { peapod: 6, podman: 1.5 };
  r.churnBatch = { peapod: 10, podman: 5 };
  r.density = { peapod: { pods: 100, allRunningMs: 15_000, daemonRssMB: 160, perPodPssMB: 2.5, perPodRssMB: 5 } };
  return r;
}

test('targets report met, missed and not measured from the figures', () => {
  const got = Object.fromEntries(evaluateTargets(fullResults()).map((t) => [t.description, t.status]));
  assert.deepEqual(got, {
    'start-1 p50 ≤ 150 ms': 'met',
    'start-1 p99 ≤ 300 ms': 'met',
    'start-1 ≥ 3× faster than podman kube play (p50)': 'met',
    'start-init p50 ≤ 400 ms': 'missed',
    'churn one at a time ≥ 3× podman pods/s': 'met',
    'churn 10 at a time ≥ 3× podman pods/s': 'missed',
    'density: 100 pods Running in ≤ 20 s': 'met',
    'density: daemon RSS ≤ 150 MB': 'missed',
    'density: host memory per pod ≤ 4 MB (PSS)': 'met',
  });
});

test('the start-1 speedup is podman p50 over peapod p50', () => {
  const t = evaluateTargets(fullResults()).find((x) => x.description.startsWith('start-1 ≥ 3×'))!;
  assert.equal(t.value, 520 / 120);
});

test('without a podman column the comparison targets are not measured', () => {
  const r = fullResults();
  r.start1.podman = undefined;
  r.churnSequential.podman = undefined;
  const byDesc = new Map(evaluateTargets(r).map((t) => [t.description, t.status]));
  assert.equal(byDesc.get('start-1 ≥ 3× faster than podman kube play (p50)'), 'not measured');
  assert.equal(byDesc.get('churn one at a time ≥ 3× podman pods/s'), 'not measured');
  assert.equal(byDesc.get('start-1 p50 ≤ 150 ms'), 'met');
});

test('every scenario gets a table, and api only when measured', () => {
  const r = fullResults();
  assert.deepEqual(scenarioTables(r).map((t) => t.id), ['start-1', 'start-init', 'churn', 'density']);
  r.api = { pods: 100, list: { rps: 50, p99Ms: 40 }, get: { rps: 900, p99Ms: 3 } };
  assert.deepEqual(scenarioTables(r).map((t) => t.id), ['start-1', 'start-init', 'churn', 'density', 'api']);
});

test('a table row shows both sides and the ratio', () => {
  const start1 = scenarioTables(fullResults())[0]!;
  const p50 = tableCells(start1.rows).find((c) => c[0] === 'p50');
  assert.deepEqual(p50, ['p50', '120 ms', '520 ms', '4.3×']);
});

test('count rows show no ratio', () => {
  const start1 = scenarioTables(fullResults())[0]!;
  assert.deepEqual(tableCells(start1.rows).find((c) => c[0] === 'pods'), ['pods', '4', '4', '']);
});
