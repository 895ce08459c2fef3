// dashboard (issue 16; peapod only: podman has no such page): the dashboard's first render with 100 pods
// running. The bench logs in as the admin (POST /peapod/v1/dashboard/login with the kubeconfig's client
// certificate, then the one-time link opened in Debian's chromium, headless, driven by puppeteer-core), waits
// until the pods list shows every pod, then reloads the page `reloads` times with the browser's cache
// disabled. Each reload is timed inside the page, from its navigation start (performance.timeOrigin: what
// performance.now() counts from) until the pods table holds the pods' rows: a MutationObserver installed
// before any of the page's own script notes performance.now() in the microtask after the DOM change that
// brought the last row, and the next animation frame's time (the frame that paints them). The page's own
// figures come along: when the HTML and the script had arrived, when the page asked for the pods list and
// when it had arrived (Navigation and Resource Timing). The bundle's sizes are those the daemon serves (GET /ui/ and the assets it names), raw and gzip.

import fs from 'node:fs';
import https from 'node:https';
import { gzipSync } from 'node:zlib';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import type { ClusterConfig } from '../src/cli/kubeconfig.js';
import type { ApiClient } from './api-client.js';
import { summarize, type LatencySummary } from './stats.js';

export const CHROMIUM = '/usr/bin/chromium';
/** The issue's bound on the first render with 100 pods. */
export const DASHBOARD_RENDER_TARGET_MS = 300;
const LOAD_TIMEOUT_MS = 30_000;
const GZIP_LEVEL = 6;

/** What one reload measured, ms from its navigation start. */
export interface RenderSample {
  /** The pods table held every pod's row (the microtask after the DOM change). */
  rowsMs: number;
  /** The animation frame after it: the frame that paints the rows. */
  frameMs: number;
  /** The page's HTML, its script and the pods list (the list call, not the watch) had arrived. */
  htmlMs?: number;
  scriptMs?: number;
  listMs?: number;
  /** The page asked for the pods list (the fetch's start). */
  listAskedMs?: number;
}

export interface AssetSize {
  /** The path the page names, e.g. /ui/assets/app.js. */
  path: string;
  bytes: number;
  gzipBytes: number;
}

export interface DashboardFigures {
  pods: number;
  reloads: number;
  rows: LatencySummary;
  frame: LatencySummary;
  /** p50 over the reloads of each of the page's own timings (undefined when the browser did not report it). */
  htmlP50Ms?: number;
  scriptP50Ms?: number;
  listAskedP50Ms?: number;
  listP50Ms?: number;
  assets: AssetSize[];
}

/** The script and stylesheet paths the page's HTML names (src= and href= under /ui/assets/), in order, once each. */
export function assetPaths(indexHtml: string): string[] {
  const found: string[] = [];
  for (const m of indexHtml.matchAll(/<(?:script|link)\b[^>]*?\b(?:src|href)\s*=\s*["']([^"']+)["'][^>]*>/gi)) {
    const p = m[1]!;
    if (/^\/ui\/assets\/[^/?#]+\.(?:js|css)$/.test(p) && !found.includes(p)) found.push(p);
  }
  return found;
}

/** An asset's size raw and gzipped (level 6; the daemon sends a browser that takes gzip its own, level 9). */
export function assetSize(path: string, body: Uint8Array): AssetSize {
  return { path, bytes: body.length, gzipBytes: gzipSync(body, { level: GZIP_LEVEL }).length };
}

/** The parts of a PerformanceResourceTiming the bench reads. */
export interface ResourceEntry {
  name: string;
  initiatorType: string;
  startTime: number;
  responseEnd: number;
}

/**
 * When the page's script and its pods list had arrived, and when the page asked for the list, from the
 * page's resource entries: the script is the first `/ui/assets/*.js`; the list is the first GET of a pods
 * collection (all namespaces or one) that is not a watch. Undefined for one the entries do not hold.
 */
export function pageTimings(resources: readonly ResourceEntry[]): { scriptMs?: number; listAskedMs?: number; listMs?: number } {
  const script = resources.find((r) => /\/ui\/assets\/[^/?#]+\.js(?:$|\?)/.test(new URL(r.name, 'https://x').pathname));
  const list = resources.find((r) => {
    const u = new URL(r.name, 'https://x');
    return /^\/api\/v1\/(?:namespaces\/[^/]+\/)?pods$/.test(u.pathname) && !/^(?:1|true)$/.test(u.searchParams.get('watch') ?? '');
  });
  return { ...(script ? { scriptMs: script.responseEnd } : {}), ...(list ? { listAskedMs: list.startTime, listMs: list.responseEnd } : {}) };
}

/** The pods (NS/NAME) the page should list and does not, and the rows it shows that are not among them. */
export function compareRows(expected: readonly string[], shown: readonly string[]): { missing: string[]; extra: string[] } {
  const want = new Set(expected);
  const seen = new Set(shown);
  return { missing: expected.filter((p) => !seen.has(p)), extra: shown.filter((p) => !want.has(p)) };
}

/** The figures of a run: latencies over the reloads, the p50 of the page's own timings, the assets. */
export function dashboardFigures(pods: number, samples: readonly RenderSample[], assets: AssetSize[]): DashboardFigures {
  const p50 = (pick: (s: RenderSample) => number | undefined) => {
    const v = samples.map(pick).filter((x): x is number => x !== undefined && Number.isFinite(x));
    return v.length ? summarize(v).p50 : undefined;
  };
  const htmlP50Ms = p50((s) => s.htmlMs);
  const scriptP50Ms = p50((s) => s.scriptMs);
  const listAskedP50Ms = p50((s) => s.listAskedMs);
  const listP50Ms = p50((s) => s.listMs);
  return {
    pods,
    reloads: samples.length,
    rows: summarize(samples.map((s) => s.rowsMs)),
    frame: summarize(samples.map((s) => s.frameMs)),
    ...(htmlP50Ms !== undefined ? { htmlP50Ms } : {}),
    ...(scriptP50Ms !== undefined ? { scriptP50Ms } : {}),
    ...(listAskedP50Ms !== undefined ? { listAskedP50Ms } : {}),
    ...(listP50Ms !== undefined ? { listP50Ms } : {}),
    assets,
  };
}

/** Starts headless chromium; throws, naming the package, when it is not installed. */
export async function launchChromium(executablePath = CHROMIUM): Promise<Browser> {
  if (!fs.existsSync(executablePath)) {
    throw new Error(`no browser at ${executablePath}: the dashboard row drives Debian's chromium (apt-get install chromium, or apt-get install -y --no-install-recommends chromium)`);
  }
  return puppeteer.launch({
    executablePath,
    headless: true,
    // The daemon's certificate is signed by its own CA; root cannot use chromium's sandbox.
    acceptInsecureCerts: true,
    args: ['--no-sandbox', '--disable-dev-shm-usage', '--no-first-run', '--no-default-browser-check', '--disable-gpu', '--disable-extensions'],
    defaultViewport: { width: 1280, height: 900 },
    timeout: LOAD_TIMEOUT_MS,
  });
}

/** GET over TLS trusting the daemon's CA, no credentials (the page and its assets are for everyone); the body's bytes. */
function fetchBytes(cluster: ClusterConfig, path: string): Promise<Buffer> {
  const url = new URL(path, cluster.server);
  return new Promise((resolve, reject) => {
    const req = https.get({ host: url.hostname, port: url.port, path: url.pathname, ca: cluster.ca, agent: false, timeout: LOAD_TIMEOUT_MS }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => (res.statusCode === 200 ? resolve(Buffer.concat(chunks)) : reject(new Error(`GET ${path}: ${res.statusCode}`))));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`GET ${path}: no answer in ${LOAD_TIMEOUT_MS} ms`)));
    req.on('error', reject);
  });
}

/** The page and the assets it names, as the daemon serves them. */
export async function servedAssets(cluster: ClusterConfig): Promise<AssetSize[]> {
  const html = (await fetchBytes(cluster, '/ui/')).toString('utf8');
  const paths = assetPaths(html);
  if (!paths.length) throw new Error('the daemon\'s /ui/ names no script or stylesheet under /ui/assets/');
  return Promise.all(paths.map(async (p) => assetSize(p, await fetchBytes(cluster, p))));
}

// Runs in the page before any of its own script (CDP's script-on-new-document: the page's CSP does not
// apply): notes the moment the pods table first holds `want` rows, and the next animation frame.
const observerScript = (want: number) => `(() => {
  const want = ${JSON.stringify(want)};
  const seen = () => {
    if (document.querySelectorAll('table[data-testid=pods-table] tr[data-pod]').length < want) return false;
    const mark = { rowsMs: performance.now() };
    window.__peapodBenchRows = mark;
    requestAnimationFrame(() => { mark.frameMs = performance.now(); });
    return true;
  };
  new MutationObserver((_, obs) => { if (seen()) obs.disconnect(); }).observe(document, { childList: true, subtree: true });
})();`;

// Read once the mark and its frame are there: the mark, the HTML's arrival, the resource entries.
const READ_SAMPLE = `(() => {
  const nav = performance.getEntriesByType('navigation')[0];
  return {
    mark: window.__peapodBenchRows,
    htmlMs: nav ? nav.responseEnd : undefined,
    resources: performance.getEntriesByType('resource').map((r) => ({ name: r.name, initiatorType: r.initiatorType, startTime: r.startTime, responseEnd: r.responseEnd })),
  };
})()`;
const MARKED = 'window.__peapodBenchRows && window.__peapodBenchRows.frameMs !== undefined';
const SHOWN_ROWS = `Array.from(document.querySelectorAll('table[data-testid=pods-table] tr[data-pod]'), (r) => r.getAttribute('data-pod'))`;

async function readSample(page: Page): Promise<RenderSample> {
  await page.waitForFunction(MARKED, { timeout: LOAD_TIMEOUT_MS, polling: 50 });
  const r = (await page.evaluate(READ_SAMPLE)) as { mark: { rowsMs: number; frameMs: number }; htmlMs?: number; resources: ResourceEntry[] };
  return { rowsMs: r.mark.rowsMs, frameMs: r.mark.frameMs, ...(r.htmlMs !== undefined ? { htmlMs: r.htmlMs } : {}), ...pageTimings(r.resources) };
}

export interface DashboardDeps {
  api: ApiClient;
  cluster: ClusterConfig;
  chromium?: string;
}

/**
 * Logs in, checks the list shows exactly `pods` (NS/NAME, every one running on the daemon), then `reloads`
 * timed reloads with the cache disabled. What the page said on its console (errors) and threw goes into the
 * error when a load does not reach its rows.
 */
export async function runDashboard(deps: DashboardDeps, pods: readonly string[], reloads: number, signal: AbortSignal): Promise<DashboardFigures> {
  const assets = await servedAssets(deps.cluster);
  const browser = await launchChromium(deps.chromium);
  const trouble: string[] = [];
  try {
    const page = await browser.newPage();
    page.on('console', (m) => (m.type() === 'error' ? trouble.push(`console: ${m.text()}`) : undefined));
    page.on('pageerror', (e) => trouble.push(`pageerror: ${e instanceof Error ? e.message : String(e)}`));
    await page.setCacheEnabled(false);
    await page.evaluateOnNewDocument(observerScript(pods.length));
    const minted = await deps.api.request('POST', '/peapod/v1/dashboard/login');
    if (minted.status !== 201 || typeof minted.body?.path !== 'string') throw new Error(`POST /peapod/v1/dashboard/login: ${minted.status} ${JSON.stringify(minted.body).slice(0, 200)}`);
    const withTrouble = async <T>(what: string, p: Promise<T>) => {
      try {
        return await p;
      } catch (err) {
        throw new Error(`${what}: ${(err as Error).message.split('\n')[0]}${trouble.length ? ` (the page: ${trouble.slice(-3).join('; ')})` : ''}`);
      }
    };
    // The login: the page trades the link's token for a session (kept in sessionStorage and a cookie, which
    // a reload keeps) and shows the pods list; not timed.
    await withTrouble('the login link', page.goto(new URL(minted.body.path, deps.cluster.server).href, { waitUntil: 'load', timeout: LOAD_TIMEOUT_MS }));
    await withTrouble(`the pods list after the login did not reach ${pods.length} rows`, page.waitForFunction(MARKED, { timeout: LOAD_TIMEOUT_MS, polling: 50 }));
    const { missing, extra } = compareRows(pods, (await page.evaluate(SHOWN_ROWS)) as string[]);
    if (missing.length || extra.length) throw new Error(`the pods list does not show the daemon's pods: missing ${missing.slice(0, 5).join(', ') || 'none'}; not expected ${extra.slice(0, 5).join(', ') || 'none'}`);
    const hash = (await page.evaluate('location.hash')) as string;
    if (hash !== '#/' && hash !== '') throw new Error(`after the login the page is at ${hash}, not the pods list`);
    const samples: RenderSample[] = [];
    for (let i = 0; i < reloads; i++) {
      signal.throwIfAborted();
      await withTrouble(`reload ${i + 1}`, page.reload({ waitUntil: 'load', timeout: LOAD_TIMEOUT_MS }));
      samples.push(await withTrouble(`reload ${i + 1}: the pods list did not reach ${pods.length} rows`, readSample(page)));
    }
    return dashboardFigures(pods.length, samples, assets);
  } finally {
    await browser.close().catch(() => undefined);
  }
}
