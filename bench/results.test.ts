import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { BurstFigures } from './burst-sampler.js';
import { emptyResults, evaluateTargets, loadedP99Ratio, loadedRatioNotes, ratio, scenarioTables, tableCells, tableLayout, targetCells, warmNotes, warmSpeedup, type BenchResults, type LoadedStartFigures, type LoadFigures, type WarmStartFigures } from './results.js';
import { summarize } from './stats.js';
import { summarizePull } from './pull.js';

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
    'start-1 p99 ≤ 200 ms': 'missed',
    'start-1 ≥ 3× faster than podman kube play (p50)': 'met',
    "start-1 with a warm pool: p50 ≥ 3× faster than podman's start-1": 'not measured',
    'start-1 with a warm pool: p99 ≤ 200 ms': 'not measured',
    'start-1 under load: p99 with 100 pods running ≤ 1.5× the idle p99': 'not measured',
    'start-init p50 ≤ 180 ms': 'missed',
    'churn one at a time ≥ 3× podman pods/s': 'met',
    'churn 10 at a time ≥ 5× podman pods/s': 'missed',
    'density: 100 pods Running in ≤ 20 s': 'met',
    'density: daemon RSS ≤ 150 MB': 'missed',
    'density: host memory per pod ≤ 4 MB (PSS)': 'met',
    'exec round trip p50 no slower than podman exec': 'not measured',
    'exec round trip p99 no slower than podman exec': 'not measured',
    'exec stdout ≥ 100 MB/s': 'not measured',
    'exec stdout no slower than podman exec': 'not measured',
    'pull no slower than podman pull (p50)': 'not measured',
    'pull: peak daemon RSS ≤ 200 MB': 'not measured',
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

test('start-pvc gets its latency table after start-init, with both sides and the ratio, and no target', () => {
  const r = fullResults();
  r.startPvc = { peapod: summarize([150, 160, 400]), podman: summarize([900, 1000, 1100]) };
  const tables = scenarioTables(r);
  assert.deepEqual(tables.map((t) => t.id), ['start-1', 'start-init', 'start-pvc', 'churn', 'density']);
  const t = tables[2]!;
  assert.match(t.title, /^start-pvc: a pod with a new claim on the default StorageClass, create → running/);
  const cells = new Map(tableCells(t.rows).map((c) => [c[0], c.slice(1)]));
  assert.deepEqual(cells.get('pods'), ['3', '3', '']);
  assert.deepEqual(cells.get('p50'), ['160 ms', '1000 ms', '6.3×']);
  assert.deepEqual(cells.get('p99'), ['400 ms', '1100 ms', '2.8×']);
  assert.equal(evaluateTargets(r).length, evaluateTargets(fullResults()).length);
  r.startPvc = { podman: summarize([900]) };
  assert.ok(scenarioTables(r).some((x) => x.id === 'start-pvc'));
});

function loaded(samples: number[], background = 100): LoadedStartFigures {
  return { background, backgroundRunningMs: 14_000, settleMs: 3000, quiet: true, starts: summarize(samples) };
}

test('start-loaded: each side\'s p99 over its own start-1 p99 of the same run', () => {
  const r = fullResults(); // start-1 p99: peapod 290, podman 700
  r.startLoaded = { peapod: loaded([150, 200, 435]), podman: loaded([600, 700, 1400]) };
  assert.equal(loadedP99Ratio(r, 'peapod'), 435 / 290);
  assert.equal(loadedP99Ratio(r, 'podman'), 1400 / 700);
  r.start1.podman = undefined;
  assert.equal(loadedP99Ratio(r, 'podman'), undefined);
  r.start1.peapod = summarize([]);
  assert.equal(loadedP99Ratio(r, 'peapod'), undefined, 'no ratio over a NaN idle p99');
  r.start1.peapod = { ...summarize([1]), p99: 0 };
  assert.equal(loadedP99Ratio(r, 'peapod'), undefined, 'no ratio over a zero idle p99');
  assert.equal(loadedP99Ratio(fullResults(), 'peapod'), undefined, 'no ratio without start-loaded');
});

test('start-loaded gets its table right after start-1: background rows, latency with the podman / peapod ratio, then each side\'s ratio to start-1', () => {
  const r = fullResults();
  r.startLoaded = { peapod: loaded([150, 200, 435]), podman: loaded([600, 700, 1400]) };
  const tables = scenarioTables(r);
  assert.deepEqual(tables.map((t) => t.id), ['start-1', 'start-loaded', 'start-init', 'churn', 'density']);
  const t = tables[1]!;
  assert.equal(t.title, "start-loaded: start-1's pods, one after another, with 100 one-container pods already running");
  const cells = tableCells(t.rows);
  assert.deepEqual(cells.map((c) => c[0]), ['pods running in the background', 'background: all Running after', 'then until the host was quiet', 'pods', 'p50', 'p90', 'p99', 'max', "p99 over start-1's p99 (idle, this run; target ≤ 1.5×)"]);
  const byMetric = new Map(cells.map((c) => [c[0], c.slice(1)]));
  assert.deepEqual(byMetric.get('pods running in the background'), ['100', '100', '']);
  assert.deepEqual(byMetric.get('pods'), ['3', '3', '']);
  assert.deepEqual(byMetric.get('p99'), ['435 ms', '1400 ms', '3.2×']);
  assert.deepEqual(byMetric.get("p99 over start-1's p99 (idle, this run; target ≤ 1.5×)"), ['1.50×', '2.00×', '']);
  // Without start-1 in the run the figures stay and the ratio is a dash.
  const alone = emptyResults();
  alone.startLoaded = { peapod: loaded([150, 200, 435], 20) };
  const only = scenarioTables(alone);
  assert.deepEqual(only.map((x) => x.id), ['start-loaded']);
  assert.match(only[0]!.title, /with 20 one-container pods already running$/);
  assert.deepEqual(tableCells(only[0]!.rows).at(-1), ["p99 over start-1's p99 (idle, this run; target ≤ 1.5×)", '—', '—', '']);
  assert.deepEqual(tableCells(only[0]!.rows).find((c) => c[0] === 'p50'), ['p50', '200 ms', '—', '—']);
});

test('the start-1 under load target: peapod\'s ratio at most 1.5, shown with two decimals; not measured without start-1', () => {
  const target = (r: BenchResults) => evaluateTargets(r).find((x) => x.description.startsWith('start-1 under load'))!;
  const r = fullResults(); // peapod start-1 p99 290
  r.startLoaded = { peapod: loaded([100, 435], 20), podman: loaded([100, 100]) };
  let t = target(r);
  assert.equal(t.description, 'start-1 under load: p99 with 20 pods running ≤ 1.5× the idle p99');
  assert.equal(t.status, 'met');
  assert.deepEqual(targetCells([t])[0], [t.description, '1.50×', 'met']);
  r.startLoaded.peapod = loaded([100, 441]);
  t = target(r);
  assert.equal(t.status, 'missed');
  assert.deepEqual(targetCells([t])[0], ['start-1 under load: p99 with 100 pods running ≤ 1.5× the idle p99', '1.52×', 'missed']);
  r.start1.peapod = undefined;
  assert.equal(target(r).status, 'not measured');
  assert.deepEqual(targetCells([target(r)])[0]!.slice(1), ['—', 'not measured']);
});

test('start-loaded notes say why a side has no ratio: start-1 not selected, or without figures for it', () => {
  const r = fullResults();
  assert.deepEqual(loadedRatioNotes(r, true), [], 'no start-loaded, no note');
  r.startLoaded = { peapod: loaded([100, 200]), podman: loaded([300]) };
  assert.deepEqual(loadedRatioNotes(r, true), []);
  r.start1.podman = undefined;
  assert.deepEqual(loadedRatioNotes(r, true), ['start-loaded (podman): start-1 has no figures for podman in this run, so the loaded p99 is not set against an idle one']);
  const alone = emptyResults();
  alone.startLoaded = { peapod: loaded([100, 200]) };
  assert.deepEqual(loadedRatioNotes(alone, false), ['start-loaded (peapod): start-1 did not run in this run (--only), so the loaded p99 is not set against an idle one (run both: --only start-1,start-loaded)']);
});

function warm(samples: number[], over: Partial<WarmStartFigures> = {}): WarmStartFigures {
  return { poolSize: 1, starts: summarize(samples), claimed: samples.length, waitTimedOut: 0, readyNotClaimed: 0, waits: summarize([300, 350, 900]), ...over };
}

test("start-warm: podman's start-1 p50 over peapod's warm p50, of the same run; none without either", () => {
  const r = fullResults(); // podman start-1 p50 520
  assert.equal(warmSpeedup(r), undefined);
  r.startWarm = { peapod: warm([90, 104, 130]) };
  assert.equal(warmSpeedup(r), 520 / 104);
  r.start1.podman = undefined;
  assert.equal(warmSpeedup(r), undefined);
});

test('start-warm gets its table right after start-1 (before start-loaded): peapod figures, claims, waits, and the ratio to podman\'s start-1', () => {
  const r = fullResults(); // podman start-1 p50 520
  r.startWarm = { peapod: warm([90, 104, 130, 205], { claimed: 3 }) };
  r.startLoaded = { peapod: loaded([150, 200, 435]) };
  const tables = scenarioTables(r);
  assert.deepEqual(tables.map((t) => t.id), ['start-1', 'start-warm', 'start-loaded', 'start-init', 'churn', 'density']);
  const t = tables[1]!;
  assert.equal(t.title, "start-warm: start-1's pods, one after another, each once the daemon's warm pool held a ready sandbox (peapod only: podman has no pool)");
  const cells = tableCells(t.rows);
  assert.deepEqual(cells, [
    ['pool sandboxes kept ready (--warm-pool)', '1', '—', ''],
    ['pods', '4', '—', ''],
    ['p50', '104 ms', '—', '—'],
    ['p90', '205 ms', '—', '—'],
    ['p99', '205 ms', '—', '—'],
    ['max', '205 ms', '—', '—'],
    ['starts that claimed a pool sandbox', '3', '—', ''],
    ['wait for a ready pool sandbox before a start (not timed), p50', '350 ms', '—', '—'],
    ['wait for a ready pool sandbox before a start (not timed), max', '900 ms', '—', '—'],
    ["podman's start-1 p50 (this run) over this p50 (target ≥ 3×)", '5.00×', '—', ''],
  ]);
  // Without podman's start-1 the figures stay and the ratio is a dash; without start-warm there is no table.
  const alone = emptyResults();
  alone.startWarm = { peapod: warm([100]) };
  assert.deepEqual(scenarioTables(alone).map((x) => x.id), ['start-warm']);
  assert.deepEqual(tableCells(scenarioTables(alone)[0]!.rows).at(-1), ["podman's start-1 p50 (this run) over this p50 (target ≥ 3×)", '—', '—', '']);
  assert.ok(!scenarioTables(fullResults()).some((x) => x.id === 'start-warm'));
});

test('the warm pool targets: p50 at least 3× faster than podman\'s start-1, p99 at most 200 ms; not measured without their figures', () => {
  const targets = (r: BenchResults) => evaluateTargets(r).filter((x) => x.description.startsWith('start-1 with a warm pool'));
  const r = fullResults(); // podman start-1 p50 520
  r.startWarm = { peapod: warm([100, 170, 200]) };
  assert.deepEqual(targetCells(targets(r)), [
    ["start-1 with a warm pool: p50 ≥ 3× faster than podman's start-1", '3.1×', 'met'],
    ['start-1 with a warm pool: p99 ≤ 200 ms', '200 ms', 'met'],
  ]);
  r.startWarm = { peapod: warm([100, 180, 201]) };
  assert.deepEqual(targets(r).map((t) => t.status), ['missed', 'missed']);
  r.start1.podman = undefined;
  assert.deepEqual(targets(r).map((t) => t.status), ['not measured', 'missed']);
  // peapod's own start-1 does not count for either.
  assert.deepEqual(targets(fullResults()).map((t) => t.status), ['not measured', 'not measured']);
});

test('start-warm notes: how many starts claimed, waits that ran out, ready but not claimed, and why there is no ratio', () => {
  const r = fullResults();
  assert.deepEqual(warmNotes(r, true), [], 'no start-warm, no note');
  r.startWarm = { peapod: warm([100, 110, 120]) };
  assert.deepEqual(warmNotes(r, true), ['start-warm: 3 of 3 starts claimed a pool sandbox (peapod_warm_pool_claims_total went up during the start)']);
  r.startWarm = { peapod: warm([100, 110, 120], { claimed: 1, waitTimedOut: 1, readyNotClaimed: 1 }) };
  r.start1.podman = undefined;
  assert.deepEqual(warmNotes(r, true), [
    'start-warm: 1 of 3 starts claimed a pool sandbox (peapod_warm_pool_claims_total went up during the start)',
    'start-warm: before 1 of 3 starts no pool sandbox was ready within the wait (20 s each, 120 s in all); they were timed anyway',
    'start-warm: 1 starts did not claim a pool sandbox although /metrics showed one ready just before',
    "start-warm: podman's start-1 has no figures in this run, so the warm p50 is not set against it",
  ]);
  const alone = emptyResults();
  alone.startWarm = { peapod: warm([100]) };
  assert.equal(warmNotes(alone, false).at(-1), "start-warm: start-1 did not run in this run (--only), so the warm p50 is not set against podman's (run both: --only start-1,start-warm)");
});

test('a scenario without a single figure (not run, or failed) gets no table', () => {
  const r = emptyResults();
  assert.deepEqual(scenarioTables(r), []);
  r.churnBatch = { peapod: 9 };
  assert.deepEqual(scenarioTables(r).map((t) => t.id), ['churn']);
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

function burst(over: Partial<BurstFigures> = {}): BurstFigures {
  return {
    ms: 21_000,
    get: summarize([2, 3, 4, 30]),
    list: summarize([10, 20, 40]),
    refGet: summarize([1, 2, 25]),
    refList: summarize([3, 4, 35]),
    failures: 0,
    loopDelay: { ticks: 1500, p99Ms: 20, maxMs: 45 },
    spawns: { count: 1000, meanBlockedMs: 3.2, p99BlockedMs: 5, p99RunningMs: 2 },
    peakRssMB: 140,
    peakHeapMB: 60,
    ...over,
  };
}

function loadFigures(): LoadFigures {
  return {
    pods: 250,
    applyMs: 4200,
    allRunningMs: 41_000,
    deleteMs: 3000,
    allGoneMs: 20_000,
    start: burst(),
    stop: burst({ loopDelay: { ticks: 900, p99Ms: 5, maxMs: 60 }, spawns: { count: 500, meanBlockedMs: 0.8, p99BlockedMs: 1, p99RunningMs: 0.5 } }),
    idleRssMB: 70,
    runningRssMB: 130,
    afterDeleteRssMB: 95,
    settledRssMB: 85,
    leftovers: [],
    storedIdle: { pods: 100, listP99Ms: 8 },
    stored: { pods: 1000, listP99Ms: 70, tableP99Ms: 45 },
  };
}

test('load adds two tables with their own columns and a target column', () => {
  const r = fullResults();
  r.load = loadFigures();
  const tables = scenarioTables(r);
  assert.deepEqual(tables.map((t) => t.id).slice(-2), ['load', 'load-bursts']);
  const main = tableLayout(tables.at(-2)!);
  assert.deepEqual(main.header, ['metric', 'peapod', 'target']);
  assert.deepEqual(main.cells.find((c) => c[0].startsWith('kubectl apply')), ['kubectl apply -f (the whole command)', '4.20 s', '≤ 5 s']);
  assert.deepEqual(main.cells.find((c) => c[0] === 'list 1,000 pods p99 (Table, as kubectl get)'), ['list 1,000 pods p99 (Table, as kubectl get)', '45 ms', '≤ 50 ms']);
  const bursts = tableLayout(tables.at(-1)!);
  assert.deepEqual(bursts.header, ['metric', 'pods start', 'pods stop', 'target']);
  assert.deepEqual(bursts.cells.find((c) => c[0] === 'event-loop delay p99'), ['event-loop delay p99', '≤ 20 ms', '≤ 5.00 ms', '≤ 10 ms']);
  assert.deepEqual(bursts.cells.find((c) => c[0] === 'GET pod p99'), ['GET pod p99', '30 ms', '30 ms', '≤ 20 ms']);
  assert.deepEqual(bursts.cells.find((c) => c[0] === 'floor: a do-nothing server, GET-sized answer p99'), ['floor: a do-nothing server, GET-sized answer p99', '25 ms', '25 ms', '']);
  assert.deepEqual(bursts.cells.find((c) => c[0] === 'floor: a do-nothing server, list-sized answer p99'), ['floor: a do-nothing server, list-sized answer p99', '35 ms', '35 ms', '']);
});

test('a load run cut short shows what it measured and dashes for the rest', () => {
  const r = emptyResults();
  r.load = { pods: 250, applyMs: 3000 };
  const bursts = tableLayout(scenarioTables(r).at(-1)!);
  assert.deepEqual(bursts.cells.find((c) => c[0] === 'GET pod p99'), ['GET pod p99', '—', '—', '≤ 20 ms']);
  const t = new Map(evaluateTargets(r).map((x) => [x.description, x.status]));
  assert.equal(t.get('load: 250 pods applied with one kubectl apply in ≤ 5 s'), 'met');
  assert.equal(t.get('load: GET pod p99 ≤ 20 ms while 250 pods start'), 'not measured');
});

test('load targets: met, missed, bounds shown as "≤", RSS against idle, spawn cost over both bursts', () => {
  const r = emptyResults();
  r.load = loadFigures();
  const targets = evaluateTargets(r);
  const status = Object.fromEntries(targets.map((t) => [t.description, t.status]));
  assert.deepEqual(status, {
    'load: 250 pods applied with one kubectl apply in ≤ 5 s': 'met',
    'load: 250 pods Running in ≤ 30 s': 'missed',
    'load: GET pod p99 ≤ 20 ms while 250 pods start': 'missed',
    'load: GET pod p99 ≤ 20 ms while 250 pods stop': 'missed',
    'load: list pods p99 ≤ 50 ms while 250 pods start': 'met',
    'load: list pods p99 ≤ 50 ms while 250 pods stop': 'met',
    'load: event-loop delay p99 ≤ 10 ms while 250 pods start': 'missed',
    'load: event-loop delay p99 ≤ 10 ms while 250 pods stop': 'met',
    'load: event-loop delay max ≤ 50 ms while 250 pods start': 'met',
    'load: event-loop delay max ≤ 50 ms while 250 pods stop': 'missed',
    'load: daemon RSS ≤ 150 MB with 250 pods Running': 'met',
    'load: daemon RSS back within 10 MB of idle 30 s after the delete': 'missed',
    'load: list 100 pods p99 ≤ 10 ms (idle)': 'met',
    'load: list 1,000 pods p99 ≤ 50 ms (JSON)': 'missed',
    'load: list 1,000 pods p99 ≤ 50 ms (Table)': 'met',
    'load: ≤ 1 ms of blocked loop per spawn (p99, both bursts)': 'missed',
    'start-1 p50 ≤ 150 ms': 'not measured',
    'start-1 p99 ≤ 200 ms': 'not measured',
    'start-1 ≥ 3× faster than podman kube play (p50)': 'not measured',
    "start-1 with a warm pool: p50 ≥ 3× faster than podman's start-1": 'not measured',
    'start-1 with a warm pool: p99 ≤ 200 ms': 'not measured',
    'start-1 under load: p99 with 100 pods running ≤ 1.5× the idle p99': 'not measured',
    'start-init p50 ≤ 180 ms': 'not measured',
    'churn one at a time ≥ 3× podman pods/s': 'not measured',
    'churn 10 at a time ≥ 5× podman pods/s': 'not measured',
    'density: 100 pods Running in ≤ 20 s': 'not measured',
    'density: daemon RSS ≤ 150 MB': 'not measured',
    'density: host memory per pod ≤ 4 MB (PSS)': 'not measured',
    'exec round trip p50 no slower than podman exec': 'not measured',
    'exec round trip p99 no slower than podman exec': 'not measured',
    'exec stdout ≥ 100 MB/s': 'not measured',
    'exec stdout no slower than podman exec': 'not measured',
    'pull no slower than podman pull (p50)': 'not measured',
    'pull: peak daemon RSS ≤ 200 MB': 'not measured',
  });
  const cells = new Map(targetCells(targets).map((c) => [c[0], c[1]]));
  assert.equal(cells.get('load: event-loop delay p99 ≤ 10 ms while 250 pods start'), '≤ 20 ms');
  assert.equal(cells.get('load: daemon RSS back within 10 MB of idle 30 s after the delete'), '15.0 MB');
  assert.equal(cells.get('load: ≤ 1 ms of blocked loop per spawn (p99, both bursts)'), '≤ 5.00 ms');
});

test('the pull table shows both sides per run set, and its targets compare the medians', () => {
  const image = { layers: 5, files: 6000, compressedBytes: 75e6, uncompressedBytes: 156e6 };
  const r = emptyResults();
  r.pull = {
    peapod: summarizePull(image, [{ ms: 3000, peakRssMB: 120 }, { ms: 2500, peakRssMB: 150 }, { ms: 2800, peakRssMB: 110 }]),
    podman: summarizePull(image, [{ ms: 4000, peakRssMB: 90 }, { ms: 4200, peakRssMB: 95 }, { ms: 3800, peakRssMB: 80 }]),
  };
  const t = scenarioTables(r).find((x) => x.id === 'pull')!;
  assert.match(t.title, /^pull: a 5-layer image \(156 MB, 75\.0 MB gzip, 6000 files\)/);
  const cells = new Map(tableCells(t.rows).map((c) => [c[0], c.slice(1)]));
  assert.deepEqual(cells.get('runs'), ['3', '3', '']);
  assert.deepEqual(cells.get('wall time p50'), ['2.80 s', '4.00 s', '1.4×']);
  assert.deepEqual(cells.get('wall time min'), ['2.50 s', '3.80 s', '1.5×']);
  assert.deepEqual(cells.get('throughput (gzip bytes over the p50)'), ['26.8 MB/s', '18.8 MB/s', '0.70×']);
  assert.deepEqual(cells.get('peak RSS (the daemon / the podman process)'), ['150 MB', '95.0 MB', '0.63×']);
  const targets = new Map(evaluateTargets(r).map((x) => [x.description, x]));
  assert.equal(targets.get('pull no slower than podman pull (p50)')?.status, 'met');
  assert.equal(targets.get('pull: peak daemon RSS ≤ 200 MB')?.status, 'met');
  r.pull.peapod!.peakRssMB = 230;
  assert.equal(evaluateTargets(r).find((x) => x.description === 'pull: peak daemon RSS ≤ 200 MB')?.status, 'missed');
});

test('no pull table when neither side pulled', () => {
  assert.ok(!scenarioTables(emptyResults()).some((t) => t.id === 'pull'));
});

test('issue 12: the watchers and api-auth tables, one column per run and per credential and connection', () => {
  const lag = { n: 4, p50: 1, p90: 2, p99: 3, max: 4, mean: 2 };
  const run = (watchers: number) => ({ watchers, pods: 2, events: 6, deliveries: 6 * watchers, missing: 0, firstWatcherAllRunningMs: 900, lastWatcherAllRunningMs: 1000, lag, deliveriesPerSecond: 6 * watchers, windowMs: 1000, watcherProcesses: 1, daemonCpuPct: 50, helperCpuPct: 20, rssBeforeMB: 80, rssPeakMB: 90, errors: [] });
  const r = { ...emptyResults(), watchers: { pods: 2, runs: [run(1), run(100)] }, apiAuth: { pods: 100, rows: [{ call: 'get' as const, connection: 'new' as const, credential: 'cert' as const, n: 10, p50Ms: 5, p99Ms: 9, rps: 150 }] } };
  const w = scenarioTables(r).find((t) => t.id === 'watchers')!;
  assert.deepEqual(w.columns!.names, ['1 watcher', '100 watchers']);
  assert.deepEqual(w.columns!.rows.find((x) => x.metric.startsWith('deliveries (events'))!.values, [6, 600]);
  const a = scenarioTables(r).find((t) => t.id === 'api-auth')!;
  assert.deepEqual(a.columns!.rows.find((x) => x.metric === 'GET one pod p50')!.values, [undefined, undefined, undefined, 5]);
});
