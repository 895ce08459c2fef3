import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkOutput, cliArgs, cliFigures, cliP50Ratio, podNames, reapedChildrenCpuMs, runCli, type CliSample } from './cli.js';
import { renderBenchmarksMd, renderConsole, type BenchReport } from './report.js';
import { emptyResults, evaluateTargets, scenarioTables, tableLayout } from './results.js';

const TABLE = `NAME    READY   STATUS    RESTARTS   AGE
cli-0   1/1     Running   0          12s
cli-1   1/1     Running   0          12s
`;

test("get pods: the NAME column of the table; no output is no pods; anything else is not a pods table", () => {
  assert.deepEqual(podNames(TABLE), ['cli-0', 'cli-1']);
  assert.deepEqual(podNames(''), []);
  assert.deepEqual(podNames('NAME   READY   STATUS   RESTARTS   AGE\n'), []);
  assert.throws(() => podNames('No resources found in default namespace.\n'), /not a pods table/);
  assert.throws(() => podNames('NAME   READY\n\ncli-0 1/1\n'), /a row without a name/);
});

test('a run is right only with exit 0 and, for get pods, exactly the pods present; version needs its Client Version line', () => {
  assert.equal(checkOutput('get', 0, TABLE, ['cli-1', 'cli-0']), undefined, 'order does not matter');
  assert.equal(checkOutput('get', 1, TABLE, ['cli-0', 'cli-1']), 'exit 1');
  assert.equal(checkOutput('get', null, TABLE, ['cli-0', 'cli-1']), 'exit null');
  assert.equal(checkOutput('get', 0, TABLE, ['cli-0', 'cli-1', 'cli-2']), 'listed cli-0, cli-1, not cli-0, cli-1, cli-2');
  assert.equal(checkOutput('get', 0, TABLE, ['cli-0']), 'listed cli-0, cli-1, not cli-0');
  assert.equal(checkOutput('get', 0, '', ['cli-0']), 'listed no pods, not cli-0');
  assert.match(checkOutput('get', 0, 'error: nope\n', ['cli-0'])!, /not a pods table/);
  assert.equal(checkOutput('version', 0, 'Client Version: v1.32.4\nKustomize Version: v5.5.0\n', []), undefined);
  assert.equal(checkOutput('version', 0, 'Client Version: peapod 0.1.0 (Node.js v20.20.2)\n', []), undefined);
  assert.match(checkOutput('version', 0, 'peapod 0.1.0\n', [])!, /no "Client Version:" line/);
  assert.equal(checkOutput('version', 2, 'Client Version: v1\n', []), 'exit 2');
});

test('the commands: the kubeconfig for both, kubectl with its own cache dir, no node in front', () => {
  assert.deepEqual(cliArgs('peapod', 'get', '/d/kubeconfig', '/d/kc'), ['--kubeconfig', '/d/kubeconfig', 'get', 'pods']);
  assert.deepEqual(cliArgs('kubectl', 'get', '/d/kubeconfig', '/d/kc'), ['--kubeconfig', '/d/kubeconfig', '--cache-dir', '/d/kc', 'get', 'pods']);
  assert.deepEqual(cliArgs('peapod', 'version', '/d/kubeconfig', '/d/kc'), ['--kubeconfig', '/d/kubeconfig', 'version', '--client']);
});

test("this process's reaped children's CPU: cutime + cstime of /proc/self/stat in 10 ms ticks, the command may hold spaces and parentheses", () => {
  // pid (comm) state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime stime cutime cstime ...
  const stat = '4242 (node (x) y) S 1 4242 4242 0 -1 4194560 100 200 0 0 55 7 13 4 20 0 11 0 12345 0 0';
  assert.equal(reapedChildrenCpuMs(stat), 170);
  assert.ok(Number.isFinite(reapedChildrenCpuMs()), 'the live /proc/self/stat reads');
});

const ms = (...v: number[]): CliSample[] => v.map((wallMs, i) => ({ wallMs, cpuMs: 10 * (i + 5) }));

test('the figures: nearest-rank p50 and p99 of wall time and CPU per command and tool, and peapod p50 over kubectl p50', () => {
  const f = cliFigures(5, { get: { peapod: ms(90, 100, 110, 300), kubectl: ms(120, 130, 125, 140) }, version: { peapod: ms(60, 70, 80, 90), kubectl: ms(50, 55, 60, 65) } });
  assert.equal(f.pods, 5);
  assert.deepEqual([f.get.peapod.runs, f.get.peapod.wall.p50, f.get.peapod.wall.p99, f.get.peapod.cpu.p50, f.get.peapod.cpu.mean], [4, 100, 300, 60, 65]);
  assert.deepEqual([f.get.kubectl.wall.p50, f.get.kubectl.wall.p99], [125, 140]);
  assert.equal(cliP50Ratio(f, 'get'), 100 / 125);
  assert.equal(cliP50Ratio(f, 'version'), 70 / 55);
  const none = cliFigures(5, { get: { peapod: ms(90), kubectl: [] }, version: { peapod: [], kubectl: [] } });
  assert.equal(cliP50Ratio(none, 'get'), undefined, 'no kubectl runs: no ratio');
});

test('the cli table: peapod and kubectl columns, the target on get pods; targets: p50 ≤ 120 ms and ≤ kubectl; nothing without the scenario', () => {
  const r = emptyResults();
  assert.ok(!scenarioTables(r).some((t) => t.id === 'cli'));
  assert.ok(!evaluateTargets(r).some((t) => t.description.startsWith('cli')));
  r.cli = cliFigures(5, { get: { peapod: ms(90, 100, 110, 300), kubectl: ms(120, 130, 125, 140) }, version: { peapod: ms(60, 70, 80, 90), kubectl: ms(50, 55, 60, 65) } });
  const t = scenarioTables(r).find((x) => x.id === 'cli')!;
  const { header, cells } = tableLayout(t);
  assert.deepEqual(header, ['metric', 'peapod', 'kubectl', 'target']);
  const row = (metric: string) => cells.find((c) => c[0] === metric);
  assert.deepEqual(row('pods listed'), ['pods listed', '5', '5', '']);
  assert.deepEqual(row('timed runs of each command'), ['timed runs of each command', '4', '4', '']);
  assert.deepEqual(row('get pods: wall time p50'), ['get pods: wall time p50', '100 ms', '125 ms', '≤ 120 ms, ≤ kubectl']);
  assert.deepEqual(row('get pods: wall time p99'), ['get pods: wall time p99', '300 ms', '140 ms', '']);
  assert.deepEqual(row('get pods: CPU (user + sys) p50'), ['get pods: CPU (user + sys) p50', '60 ms', '60 ms', '']);
  assert.deepEqual(row('get pods: peapod p50 over kubectl p50'), ['get pods: peapod p50 over kubectl p50', '0.80×', '', '≤ 1×']);
  assert.deepEqual(row('version --client: peapod p50 over kubectl p50'), ['version --client: peapod p50 over kubectl p50', '1.27×', '', '']);
  assert.deepEqual(row('floor: `node -e 0` (the node bin/peapod.js starts), wall time p50'), ['floor: `node -e 0` (the node bin/peapod.js starts), wall time p50', '—', '—', ''], 'not measured in this run');
  const withFloor = cliFigures(5, { get: { peapod: ms(90), kubectl: ms(120) }, version: { peapod: ms(60), kubectl: ms(50) } }, ms(40, 45, 50));
  assert.deepEqual(tableLayout(scenarioTables({ ...r, cli: withFloor }).find((x) => x.id === 'cli')!).cells.find((c) => c[0]!.startsWith('floor: `node -e 0`, CPU'))!.slice(1), ['60 ms', '—', '']);
  const targets = evaluateTargets(r).filter((x) => x.description.startsWith('cli'));
  assert.deepEqual(targets.map((x) => [x.description, x.value, x.status]), [
    ['cli: peapod get pods p50 ≤ 120 ms', 100, 'met'],
    ['cli: peapod get pods p50 ≤ kubectl get pods p50', 0.8, 'met'],
  ]);
  r.cli = cliFigures(5, { get: { peapod: ms(121, 122, 123), kubectl: ms(110, 115, 118) }, version: { peapod: ms(60), kubectl: ms(50) } });
  assert.deepEqual(evaluateTargets(r).filter((x) => x.description.startsWith('cli')).map((x) => x.status), ['missed', 'missed']);
  r.cli = cliFigures(5, { get: { peapod: ms(100, 110, 115), kubectl: ms(90, 100, 105) }, version: { peapod: ms(60), kubectl: ms(50) } });
  assert.deepEqual(evaluateTargets(r).filter((x) => x.description.startsWith('cli')).map((x) => x.status), ['met', 'missed'], 'under 120 ms but slower than kubectl');
});

test('the report: the cli table and its targets in the console and BENCHMARKS.md, and its method', () => {
  const results = emptyResults();
  results.cli = cliFigures(5, { get: { peapod: ms(90, 100, 110), kubectl: ms(120, 130, 125) }, version: { peapod: ms(60, 70, 80), kubectl: ms(50, 55, 60) } });
  const report: BenchReport = { machine: { cores: 2, memoryGiB: 8, kernel: '6.1.0', cpu: 'Test CPU' }, date: '2025-01-01T00:00:00.000Z', command: 'npm run bench -- --only cli', results, notes: [] };
  const md = renderBenchmarksMd(report);
  assert.ok(md.includes('### cli: `peapod get pods` beside `kubectl get pods` (5 pods, the daemon idle)'));
  assert.ok(md.includes('| metric | peapod | kubectl | target |'));
  assert.ok(md.includes('| get pods: wall time p50 | 100 ms | 125 ms | ≤ 120 ms, ≤ kubectl |'));
  assert.ok(md.includes('| cli: peapod get pods p50 ≤ 120 ms | 100 ms | met |'));
  assert.ok(md.includes('| cli: peapod get pods p50 ≤ kubectl get pods p50 | 0.80× | met |'));
  assert.ok(md.includes('- cli (peapod only: podman has no kubectl-compatible daemon): first of all'));
  assert.match(renderConsole(report), /^get pods: wall time p50 +100 ms +125 ms +≤ 120 ms, ≤ kubectl$/m);
});

test('runCli with real processes: each command run fresh, the untimed round dropped, a wrong answer fails the row', async () => {
  // Two scripts stand in for the tools (the real ones need a daemon; bench.ts runs those): they print what
  // the real commands print, so the loop, the timing and the checks run for real.
  const fs = await import('node:fs');
  const os = await import('node:os');
  const path = await import('node:path');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-cli-test-'));
  try {
    const count = path.join(dir, 'count');
    const tool = (name: string, pods: string) => {
      const f = path.join(dir, name);
      fs.writeFileSync(
        f,
        `#!/bin/sh\necho x >> ${count}\ncase "$*" in *version*) echo "Client Version: ${name}";; *) printf 'NAME READY STATUS RESTARTS AGE\\n'; for p in ${pods}; do echo "$p 1/1 Running 0 1s"; done;; esac\n`,
        { mode: 0o755 },
      );
      return f;
    };
    const opts = { peapod: tool('peapod', 'a b'), kubectl: tool('kubectl', 'b a'), kubeconfig: '/k', kubectlCacheDir: '/c', pods: ['a', 'b'], runs: 3, node: process.execPath };
    const f = await runCli(opts, AbortSignal.timeout(20_000));
    assert.equal(fs.readFileSync(count, 'utf8').split('\n').filter(Boolean).length, 16, '4 rounds (1 untimed) of 4 commands');
    for (const c of ['get', 'version'] as const) {
      for (const t of ['peapod', 'kubectl'] as const) {
        assert.equal(f[c][t].runs, 3);
        assert.ok(f[c][t].wall.p50 > 0 && f[c][t].wall.p50 < 5000, `${c} ${t}: ${f[c][t].wall.p50} ms`);
        assert.ok(f[c][t].cpu.p50 >= 0);
      }
    }
    assert.equal(f.nodeFloor?.runs, 3, 'node -e 0 once a round, the untimed one dropped');
    assert.ok(f.nodeFloor!.wall.p50 > 0);
    assert.equal(f.pods, 2);
    await assert.rejects(runCli({ ...opts, node: '/bin/false' }, AbortSignal.timeout(20_000)), /\/bin\/false -e 0: exit 1/);
    await assert.rejects(runCli({ ...opts, kubectl: tool('kubectl2', 'a') }, AbortSignal.timeout(20_000)), /kubectl2 --kubeconfig \/k --cache-dir \/c get pods \(the untimed run\): listed a, not a, b/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('the cli table: a third column for the kubectl binary the dispatcher execs, when the bench ran it', () => {
  const r = emptyResults();
  r.cli = cliFigures(5, { get: { peapod: ms(90, 100, 110), kubectl: ms(120, 130, 125), 'kubectl-direct': ms(70, 80, 75) }, version: { peapod: ms(60), kubectl: ms(50), 'kubectl-direct': ms(40) } });
  const t = scenarioTables(r).find((x) => x.id === 'cli')!;
  assert.deepEqual(t.columns!.names, ['peapod', 'kubectl', 'kubectl.1.NN, direct']);
  const get = t.columns!.rows.find((x) => x.metric === 'get pods: wall time p50')!;
  assert.deepEqual(get.values, [100, 125, 75]);
  assert.equal(cliP50Ratio(r.cli, 'get'), 0.8, 'the ratio stays against /usr/bin/kubectl');
});
