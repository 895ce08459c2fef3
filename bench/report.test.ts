import { test } from 'node:test';
import assert from 'node:assert/strict';
import { renderBenchmarksMd, renderConsole, type BenchReport } from './report.js';
import { emptyResults } from './results.js';
import { summarize } from './stats.js';

function report(): BenchReport {
  const results = emptyResults();
  results.start1 = { peapod: summarize([100, 110, 120]), podman: summarize([400, 420, 440]) };
  results.churnSequential = { peapod: 5, podman: 1 };
  return {
    machine: { cores: 2, memoryGiB: 23.5, kernel: '6.1.0', cpu: 'Test CPU' },
    date: '2025-01-01T00:00:00.000Z',
    command: 'npm run bench -- --with-podman',
    podmanVersion: '4.3.1',
    results,
    profile: { pods: 3, totalP50Ms: 110, phases: [{ name: 'API', p50Ms: 10 }, { name: 'sandbox', p50Ms: 60 }], source: 'client timestamps', summary: 'sandbox dominates.' },
    notes: ['podman column skipped: podman is not installed'],
  };
}

test('the console report has the machine, the command, every table, the targets and the notes', () => {
  const text = renderConsole(report());
  for (const want of ['machine: 2 cores (Test CPU), 23.5 GiB memory, Linux 6.1.0', 'command: npm run bench -- --with-podman', 'start-1:', 'churn:', 'targets', 'start-1 p50 ≤ 150 ms', 'sandbox dominates.', 'note: podman column skipped']) {
    assert.ok(text.includes(want), `missing ${want}`);
  }
});

test('BENCHMARKS.md has the start-1 row with both sides and the ratio', () => {
  const md = renderBenchmarksMd(report());
  assert.match(md, /^# Benchmarks/);
  assert.ok(md.includes('| p50 | 110 ms | 420 ms | 3.8× |'));
  assert.ok(md.includes('- podman: 4.3.1'));
  assert.ok(md.includes('## Where a pod start goes'));
  assert.ok(md.includes('| start-1 ≥ 3× faster than podman kube play (p50) | 3.8× | met |'));
});

test('BENCHMARKS.md puts start-loaded beside start-1, with its ratio row, its target and its method', () => {
  const r = report(); // start-1 p99: peapod 120 ms, podman 440 ms
  r.results.startLoaded = {
    peapod: { background: 100, backgroundRunningMs: 14_200, settleMs: 2100, quiet: true, starts: summarize([110, 130, 192]) },
    podman: { background: 100, backgroundRunningMs: 90_000, settleMs: 4000, quiet: true, starts: summarize([450, 500, 880]) },
  };
  const md = renderBenchmarksMd(r);
  const loadedAt = md.indexOf("### start-loaded: start-1's pods, one after another, with 100 one-container pods already running");
  assert.ok(loadedAt > md.indexOf('### start-1:') && md.indexOf('### start-1:') >= 0);
  assert.ok(loadedAt < md.indexOf('### churn:'));
  assert.ok(md.includes('| background: all Running after | 14200 ms | 90000 ms | 6.3× |'));
  assert.ok(md.includes('| p99 | 192 ms | 880 ms | 4.6× |'));
  assert.ok(md.includes("| p99 over start-1's p99 (idle, this run; target ≤ 1.5×) | 1.60× | 2.00× |  |"));
  assert.ok(md.includes('| start-1 under load: p99 with 100 pods running ≤ 1.5× the idle p99 | 1.60× | missed |'));
  assert.ok(md.includes('- start-loaded: first 100 background pods'));
  assert.match(renderConsole(r), /^p99 over start-1's p99 \(idle, this run; target ≤ 1\.5×\) +1\.60× +2\.00×$/m);
});

test('BENCHMARKS.md puts start-warm right after start-1, with its ratio to podman\'s start-1, its targets and its method', () => {
  const r = report(); // start-1 p50: podman 420 ms
  r.results.startWarm = { peapod: { poolSize: 1, starts: summarize([95, 105, 180]), claimed: 3, waitTimedOut: 0, readyNotClaimed: 0, waits: summarize([400, 420, 3000]) } };
  const md = renderBenchmarksMd(r);
  const warmAt = md.indexOf("### start-warm: start-1's pods, one after another, each once the daemon's warm pool held a ready sandbox (peapod only: podman has no pool)");
  assert.ok(md.indexOf('### start-1:') >= 0 && warmAt > md.indexOf('### start-1:'));
  assert.ok(warmAt < md.indexOf('### churn:'));
  assert.ok(md.includes('| p50 | 105 ms | — | — |'));
  assert.ok(md.includes('| starts that claimed a pool sandbox | 3 | — |  |'));
  assert.ok(md.includes("| podman's start-1 p50 (this run) over this p50 (target ≥ 3×) | 4.00× | — |  |"));
  assert.ok(md.includes("| start-1 with a warm pool: p50 ≥ 3× faster than podman's start-1 | 4.0× | met |"));
  assert.ok(md.includes('| start-1 with a warm pool: p99 ≤ 200 ms | 180 ms | met |'));
  assert.ok(md.includes('- start-warm (peapod only: podman has no pool): the bench daemon is stopped and served again on the same data dir with `--warm-pool 1`'));
  assert.ok(md.indexOf('- start-warm (peapod only') < md.indexOf('- start-pvc:'));
  assert.match(renderConsole(r), /^starts that claimed a pool sandbox +3 +—$/m);
});

test('BENCHMARKS.md leaves out the profile section when there is none', () => {
  const r = report();
  r.profile = undefined;
  assert.ok(!renderBenchmarksMd(r).includes('Where a pod start goes'));
});

test('BENCHMARKS.md renders the load tables with their target column', () => {
  const r = report();
  r.results.load = { pods: 250, applyMs: 4200, idleRssMB: 70 };
  const md = renderBenchmarksMd(r);
  assert.ok(md.includes('### load: 250 pods in one kubectl apply, then one kubectl delete (peapod only)'));
  assert.ok(md.includes('| metric | peapod | target |'));
  assert.ok(md.includes('| kubectl apply -f (the whole command) | 4.20 s | ≤ 5 s |'));
  assert.ok(md.includes('| metric | pods start | pods stop | target |'));
  assert.ok(md.includes('| load: 250 pods applied with one kubectl apply in ≤ 5 s | 4.20 s | met |'));
  assert.ok(renderConsole(r).includes('load: the API (sampled every 50 ms)'));
});

test('BENCHMARKS.md ends with the hand-written analysis when there is one, after the figures', () => {
  const r = report();
  assert.ok(!renderBenchmarksMd(r).includes('## Analysis'));
  r.analysis = '## Analysis\n\nThe floor is the CPU.\n';
  const md = renderBenchmarksMd(r);
  assert.ok(md.endsWith('## Analysis\n\nThe floor is the CPU.\n'));
  assert.ok(md.indexOf('## Targets') < md.indexOf('## Analysis'));
});
