import { test } from 'node:test';
import assert from 'node:assert/strict';
import { commandLine, countsFor, parseArgs, SCENARIOS, selected, wantsPodman } from './args.js';

test('no options run both columns and write the report', () => {
  assert.deepEqual(parseArgs([]), { withPodman: false, podman: true, peapod: true, write: true, quick: false });
});

test('options are read with their values', () => {
  const a = parseArgs(['--with-podman', '--peapod-cli', '/x/cli.js', '--out', '/tmp/b.md', '--quick', '--no-write']);
  assert.equal(a.withPodman, true);
  assert.equal(a.peapodCli, '/x/cli.js');
  assert.equal(a.out, '/tmp/b.md');
  assert.equal(a.quick, true);
  assert.equal(a.write, false);
});

test('an unknown option or a missing value is an error that shows the usage', () => {
  assert.throws(() => parseArgs(['--fast']), /unknown option --fast\nusage:/);
  assert.throws(() => parseArgs(['--out']), /--out needs a value/);
});

test('the full run uses the issue\'s counts', () => {
  assert.deepEqual(countsFor(parseArgs([])), {
    start1: 30, execs: 100, startInit: 30, podmanStartInit: 5, churn: 50, density: 100, startLoadedBackground: 100, apiList: 200, apiGet: 2000,
    loadPods: 250, loadStoredIdle: 100, loadStored: 1000, loadListRequests: 300, probePods: 100, probeExecPods: 20, probeWindowMs: 30_000, pulls: 3,
    watchPods: 100, watchers: 100, authPods: 100, authReusedGet: 1000, authReusedList: 300, authNewGet: 300, authNewList: 150, authRounds: 5,
    dashboardPods: 100, dashboardReloads: 20, cliPods: 5, cliRuns: 30,
  });
  assert.equal(countsFor(parseArgs(['--quick'])).pulls, 1);
});

test('start-loaded: 100 background pods, 20 with --quick; start-1\'s count of timed starts', () => {
  const full = countsFor(parseArgs([]));
  const quick = countsFor(parseArgs(['--quick']));
  assert.equal(full.startLoadedBackground, 100);
  assert.equal(quick.startLoadedBackground, 20);
  assert.deepEqual([full.start1, quick.start1], [30, 5]);
});

test('start-loaded runs after density, on its own with --only, with a podman side, and the usage lists it', () => {
  assert.equal(SCENARIOS.indexOf('start-loaded'), SCENARIOS.indexOf('density') + 1);
  const both = parseArgs(['--only', 'start-1,start-loaded']);
  assert.ok(selected(both, 'start-loaded') && selected(both, 'start-1') && !selected(both, 'density'));
  const alone = parseArgs(['--only', 'start-loaded']);
  assert.ok(selected(alone, 'start-loaded') && !selected(alone, 'start-1'));
  assert.equal(wantsPodman(alone), true);
  assert.ok(!selected(parseArgs(['--only', 'density']), 'start-loaded'));
  assert.throws(() => parseArgs(['--fast']), /--only S,….*density, start-loaded, exec.*start-loaded is set against start-1 only when both run/s);
});

test('start-warm runs right after start-1, peapod only, on its own or beside start-1 with --only, by default in a full run, and the usage lists it', () => {
  assert.equal(SCENARIOS.indexOf('start-warm'), SCENARIOS.indexOf('start-1') + 1);
  assert.ok(selected(parseArgs([]), 'start-warm'));
  const both = parseArgs(['--only', 'start-1,start-warm']);
  assert.ok(selected(both, 'start-warm') && selected(both, 'start-1') && !selected(both, 'start-init'));
  assert.equal(wantsPodman(both), true, "podman's start-1 is what start-warm is set against");
  const alone = parseArgs(['--only', 'start-warm']);
  assert.ok(selected(alone, 'start-warm') && !selected(alone, 'start-1'));
  assert.equal(wantsPodman(alone), false);
  assert.ok(!selected(parseArgs(['--only', 'start-1']), 'start-warm'));
  assert.throws(() => parseArgs(['--fast']), /--only S,….*start-1, start-warm, start-init.*start-warm, peapod only,\s+runs start-1's pods on the daemon served again with --warm-pool 1/s);
});

test('--only picks scenarios; api brings density along; peapod-only picks need no podman', () => {
  const all = parseArgs([]);
  assert.ok(selected(all, 'load') && selected(all, 'start-1') && wantsPodman(all));
  for (const id of ['watchers', 'api-auth', 'dashboard'] as const) assert.ok(selected(parseArgs(['--only', id]), id) && !wantsPodman(parseArgs(['--only', id])), id);
  const load = parseArgs(['--only', 'load']);
  assert.deepEqual(load.only, ['load']);
  assert.ok(selected(load, 'load') && !selected(load, 'density') && !selected(load, 'start-1'));
  assert.equal(wantsPodman(load), false);
  const api = parseArgs(['--only', 'api,start-1']);
  assert.ok(selected(api, 'density') && selected(api, 'api') && selected(api, 'start-1') && !selected(api, 'churn'));
  assert.equal(wantsPodman(api), true);
  const pull = parseArgs(['--only', 'pull']);
  assert.ok(selected(pull, 'pull') && !selected(pull, 'density') && !selected(pull, 'exec'));
  assert.equal(wantsPodman(pull), true);
  assert.throws(() => parseArgs(['--only', 'load,burst']), /--only: unknown scenario burst/);
  assert.throws(() => parseArgs(['--only', ',']), /--only: unknown scenario \(none\)/);
});

test('start-pvc runs after start-init, on its own with --only, with a podman side', () => {
  assert.deepEqual(SCENARIOS.slice(1, 6), ['start-1', 'start-warm', 'start-init', 'start-pvc', 'churn']);
  const pvc = parseArgs(['--only', 'start-pvc']);
  assert.ok(selected(pvc, 'start-pvc') && !selected(pvc, 'start-1') && !selected(pvc, 'density'));
  assert.equal(wantsPodman(pvc), true);
  assert.ok(selected(parseArgs([]), 'start-pvc'));
  assert.ok(!selected(parseArgs(['--only', 'start-1']), 'start-pvc'));
  assert.throws(() => parseArgs(['--fast']), /--only S,….*start-init, start-pvc, churn/s);
});

test('the command line reads as npm run bench when npm started it', () => {
  assert.equal(commandLine(['--with-podman'], 'bench', 'dist/bench/bench.js'), 'npm run bench -- --with-podman');
  assert.equal(commandLine([], 'bench', 'dist/bench/bench.js'), 'npm run bench');
  assert.equal(commandLine(['--quick'], undefined, '.build/bench/bench/bench.js'), 'node .build/bench/bench/bench.js --quick');
});

test('dashboard: peapod only, 100 pods in a full and a quick run, runs after api, alone with --only, and the usage lists it', () => {
  assert.equal(SCENARIOS.indexOf('dashboard'), SCENARIOS.indexOf('api') + 1);
  const alone = parseArgs(['--only', 'dashboard']);
  assert.ok(selected(alone, 'dashboard') && !selected(alone, 'density'));
  assert.equal(wantsPodman(alone), false);
  assert.deepEqual([countsFor(parseArgs([])).dashboardPods, countsFor(parseArgs(['--quick'])).dashboardPods], [100, 100]);
  assert.throws(() => parseArgs(['--fast']), /--only S,….*exec, api, dashboard, load.*dashboard, peapod only,\s+times the page's first\s+render in chromium/s);
});

test('cli: first of all, peapod only, 30 runs of each command (10 with --quick) over 5 pods, alone with --only, by default in a full run, and the usage lists it', () => {
  assert.equal(SCENARIOS[0], 'cli');
  assert.ok(selected(parseArgs([]), 'cli'));
  const alone = parseArgs(['--only', 'cli']);
  assert.ok(selected(alone, 'cli') && !selected(alone, 'start-1') && !selected(alone, 'density'));
  assert.equal(wantsPodman(alone), false);
  assert.ok(!selected(parseArgs(['--only', 'start-1']), 'cli'));
  assert.deepEqual([countsFor(parseArgs([])).cliRuns, countsFor(parseArgs(['--quick'])).cliRuns], [30, 10]);
  assert.deepEqual([countsFor(parseArgs([])).cliPods, countsFor(parseArgs(['--quick'])).cliPods], [5, 5]);
  assert.throws(() => parseArgs(['--fast']), /--only S,…\s+run only these scenarios: cli, start-1,.*cli, peapod only, runs first: `peapod get pods` and `version --client` beside\s+kubectl's/s);
});
