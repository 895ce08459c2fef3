import assert from 'node:assert/strict';
import { test } from 'node:test';
import { assetPaths, assetSize, compareRows, dashboardFigures, launchChromium, pageTimings, type RenderSample } from './dashboard.js';
import { emptyResults, evaluateTargets, scenarioTables, tableLayout } from './results.js';

test("the page's assets: the script and stylesheet under /ui/assets/ it names, in order, once each", () => {
  const html = `<!doctype html><html><head>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/ui/assets/app.css">
<script type="module" src="/ui/assets/app.js"></script>
<script src='/ui/assets/app.js'></script>
<link rel="license" href="/ui/assets/app.js.LEGAL.txt">
<script src="https://elsewhere.example/x.js"></script>
<a href="/ui/assets/not-a-tag.js">x</a>
</head></html>`;
  assert.deepEqual(assetPaths(html), ['/ui/assets/app.css', '/ui/assets/app.js']);
  assert.deepEqual(assetPaths('<html></html>'), []);
});

test('an asset is measured as served and gzipped', () => {
  const body = Buffer.from('function f(){return 1}\n'.repeat(1000));
  const s = assetSize('/ui/assets/app.js', body);
  assert.equal(s.bytes, body.length);
  assert.ok(s.gzipBytes > 0 && s.gzipBytes < body.length / 20, `repetitive text compresses well (${s.gzipBytes} bytes)`);
  assert.equal(assetSize('/ui/assets/x.css', new Uint8Array(0)).bytes, 0);
});

test("the page's timings: the script is the first asset script, the list the first pods collection GET that is not a watch", () => {
  const e = (name: string, responseEnd: number) => ({ name, initiatorType: 'fetch', startTime: responseEnd - 10, responseEnd });
  const resources = [
    e('https://127.0.0.1:1/ui/assets/app.css', 20),
    e('https://127.0.0.1:1/ui/assets/app.js', 41.5),
    e('https://127.0.0.1:1/api/v1/namespaces', 80),
    e('https://127.0.0.1:1/api/v1/pods?watch=1&allowWatchBookmarks=true&resourceVersion=7', 90),
    e('https://127.0.0.1:1/api/v1/pods', 95.25),
    e('https://127.0.0.1:1/api/v1/namespaces/default/pods', 120),
  ];
  assert.deepEqual(pageTimings(resources), { scriptMs: 41.5, listAskedMs: 85.25, listMs: 95.25 });
  assert.deepEqual(pageTimings([e('https://h/api/v1/namespaces/default/pods?watch=true', 5), e('https://h/api/v1/namespaces/default/pods?limit=500', 19)]), { listAskedMs: 9, listMs: 19 });
  assert.deepEqual(pageTimings([e('https://h/api/v1/namespaces/default/pods/p1', 5), e('https://h/api/v1/pods/log', 6)]), {}, 'a pod, not a collection');
});

test('the rows shown against the pods expected: missing and not expected ones', () => {
  assert.deepEqual(compareRows(['default/a', 'default/b'], ['default/b', 'default/a']), { missing: [], extra: [] });
  assert.deepEqual(compareRows(['default/a', 'default/b'], ['default/b', 'kube-system/x']), { missing: ['default/a'], extra: ['kube-system/x'] });
});

test('the figures: nearest-rank latencies over the reloads, p50s of the timings the browser gave, the assets', () => {
  const samples: RenderSample[] = Array.from({ length: 10 }, (_, i) => ({ rowsMs: 100 + i * 10, frameMs: 105 + i * 10, htmlMs: 5 + i, ...(i < 5 ? { scriptMs: 30 + i } : {}) }));
  const assets = [{ path: '/ui/assets/app.js', bytes: 250_000, gzipBytes: 80_000 }];
  const f = dashboardFigures(100, samples, assets);
  assert.deepEqual([f.pods, f.reloads, f.rows.p50, f.rows.p99, f.rows.max, f.frame.p50], [100, 10, 140, 190, 190, 145]);
  assert.equal(f.htmlP50Ms, 9);
  assert.equal(f.scriptP50Ms, 32, 'over the reloads that had it');
  assert.equal(f.listP50Ms, undefined, 'none had it');
  assert.equal(f.listAskedP50Ms, undefined);
  assert.equal(f.assets, assets);
});

test('the dashboard table and its target: p99 of the first render at most 300 ms; none without the scenario', () => {
  const r = emptyResults();
  assert.ok(!scenarioTables(r).some((t) => t.id === 'dashboard'));
  assert.ok(!evaluateTargets(r).some((t) => t.description.startsWith('dashboard')));
  const samples = [120, 150, 310].map((ms) => ({ rowsMs: ms, frameMs: ms + 8 }));
  r.dashboard = dashboardFigures(100, samples, [
    { path: '/ui/assets/app.css', bytes: 12_345, gzipBytes: 3_100 },
    { path: '/ui/assets/app.js', bytes: 2_000, gzipBytes: 1_000 },
    { path: '/ui/assets/chunk-A.js', bytes: 20_000, gzipBytes: 8_000 },
  ]);
  const t = scenarioTables(r).find((x) => x.id === 'dashboard')!;
  const { header, cells } = tableLayout(t);
  assert.deepEqual(header, ['metric', 'peapod', 'target']);
  const row = (prefix: string) => cells.find((c) => c[0]!.startsWith(prefix));
  assert.deepEqual(row('navigation start → every pod'), ["navigation start → every pod's row in the table, p50", '150 ms', '≤ 300 ms']);
  assert.deepEqual(row('scripts the first render loads'), ['scripts the first render loads (2 files), raw', '22.0 kB', '']);
  assert.deepEqual(row('stylesheet /ui/assets/app.css'), ['stylesheet /ui/assets/app.css, raw', '12.3 kB', '']);
  assert.equal(row('of it: the pods list')![1], '—');
  const target = evaluateTargets(r).find((x) => x.description.startsWith('dashboard'))!;
  assert.deepEqual([target.description, target.value, target.status], ['dashboard: first render with 100 pods ≤ 300 ms (p99)', 310, 'missed']);
  r.dashboard = dashboardFigures(100, samples.slice(0, 2), []);
  assert.equal(evaluateTargets(r).find((x) => x.description.startsWith('dashboard'))!.status, 'met');
});

test('without chromium the row fails, naming the package to install', async () => {
  await assert.rejects(launchChromium('/nonexistent/chromium'), /no browser at \/nonexistent\/chromium.*apt-get install chromium/);
});
