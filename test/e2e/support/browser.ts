// A real browser for the dashboard's end-to-end test: Debian's chromium, headless, driven by puppeteer-core.
// No browser is downloaded: scripts/install-and-test.sh installs the chromium package. A missing browser is
// a failure that says so (the dashboard is not tested without one), never a skip.

import fs from 'node:fs';
import path from 'node:path';
import puppeteer, { type Browser, type ConsoleMessage, type HTTPRequest, type Page } from 'puppeteer-core';

// The page's own global, inside page.evaluate callbacks (this program is type-checked without the DOM's lib).
declare const document: { querySelector(s: string): { innerText?: string; textContent: string | null } | null };

export const CHROMIUM = process.env.PEAPOD_TEST_CHROMIUM ?? '/usr/bin/chromium';

/** Starts headless chromium; throws, naming the install script, when it is not installed. */
export async function launchBrowser(): Promise<Browser> {
  if (!fs.existsSync(CHROMIUM)) {
    throw new Error(`no browser at ${CHROMIUM}: the dashboard's e2e test drives Debian's chromium; scripts/install-and-test.sh installs it (apt-get install -y --no-install-recommends chromium), or set PEAPOD_TEST_CHROMIUM`);
  }
  return puppeteer.launch({
    executablePath: CHROMIUM,
    headless: true,
    // The daemon's certificate is signed by its own CA; root cannot use chromium's sandbox.
    acceptInsecureCerts: true,
    args: ['--no-sandbox', '--disable-dev-shm-usage', '--no-first-run', '--no-default-browser-check', '--disable-gpu', '--disable-extensions'],
    defaultViewport: { width: 1280, height: 900 },
    timeout: 30_000,
  });
}

/** What a page said on its console (errors and warnings) and the errors it threw, for a failure's message. */
export function recordPageTrouble(page: Page, name: string, into: string[]): void {
  page.on('console', (m: ConsoleMessage) => {
    // The browser asks for /favicon.ico by itself (a 401 without a session): not the page's doing.
    if (m.location().url?.endsWith('/favicon.ico')) return;
    if (m.type() === 'error' || m.type() === 'warn') into.push(`[${name} console.${m.type()}] ${m.text()}${m.location().url ? ` (${m.location().url})` : ''}`);
  });
  page.on('pageerror', (err) => into.push(`[${name} pageerror] ${err instanceof Error ? err.message : String(err)}`));
  page.on('requestfailed', (r) => {
    // A stream the page itself ends (a log follow, a watch) is aborted on purpose: not trouble.
    const why = r.failure()?.errorText ?? '';
    if (why !== 'net::ERR_ABORTED') into.push(`[${name} requestfailed] ${r.method()} ${r.url()}: ${why}`);
  });
}

/**
 * Chromium fails the requests it is connecting when the host's network interfaces change (net::ERR_NETWORK_CHANGED),
 * and on a peapod node every pod that starts or stops adds or removes a veth. A page load that lost its script
 * so is loaded again, as a user would reload it (at most `attempts` times, each one said on the console);
 * any other failure to show `ready` is the page's. `load` navigates (or reloads) the page.
 */
export async function loadUntil(page: Page, what: string, load: (attempt: number) => Promise<unknown>, ready: string, timeoutMs = 10_000, attempts = 3): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    const changed: string[] = [];
    const onFailed = (r: HTTPRequest) => {
      if (r.failure()?.errorText === 'net::ERR_NETWORK_CHANGED') changed.push(r.url());
    };
    page.on('requestfailed', onFailed);
    try {
      await load(attempt);
      await page.waitForSelector(ready, { timeout: timeoutMs });
      return;
    } catch (err) {
      if (changed.length === 0 || attempt >= attempts) throw err;
      console.log(`${what}: chromium saw the host's network change while loading (${changed.join(', ')}): loading again`);
    } finally {
      page.off('requestfailed', onFailed);
    }
  }
}

/** Screenshots go to one directory per suite, numbered in the order taken. */
export class Shots {
  private n = 0;
  constructor(readonly dir: string) {
    fs.rmSync(dir, { recursive: true, force: true });
    fs.mkdirSync(dir, { recursive: true });
  }

  /** A PNG of the whole page, named NN-name.png; returns its path (undefined when the page could not be shot). */
  async page(page: Page, name: string): Promise<string | undefined> {
    const file = path.join(this.dir, `${String(++this.n).padStart(2, '0')}-${name}.png`) as `${string}.png`;
    try {
      await page.screenshot({ path: file, fullPage: true });
      return file;
    } catch {
      return undefined;
    }
  }

  /** A PNG of one element (e.g. the anatomy drawing for the README), named name.png. */
  async element(page: Page, selector: string, name: string): Promise<string> {
    const el = await page.$(selector);
    if (!el) throw new Error(`no ${selector} to screenshot`);
    const file = path.join(this.dir, `${name}.png`) as `${string}.png`;
    await el.screenshot({ path: file });
    return file;
  }
}

/** The text of the first element matching `selector`, or undefined when there is none. */
export function textOf(page: Page, selector: string): Promise<string | undefined> {
  return page.evaluate((s) => {
    const el = document.querySelector(s);
    return el ? (el.innerText ?? el.textContent ?? '') : undefined;
  }, selector);
}

/**
 * Waits until `check` (run in the test, reading the page) returns a truthy value; the last value seen goes
 * in the timeout's message.
 */
export async function waitUntil<T>(what: string, check: () => Promise<T | false | undefined | null>, timeoutMs: number, everyMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v) return v;
      last = v;
    } catch (err) {
      last = err instanceof Error ? err.message : err;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what} (last: ${JSON.stringify(last)?.slice(0, 500)})`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

// axe-core's own global, inside the page once injected.
declare const axe: { run(ctx: unknown, opts: unknown): Promise<{ violations: { id: string; impact?: string; help: string; nodes: { target: string[]; failureSummary?: string }[] }[] }> };

const AXE_SOURCE = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../../../../node_modules/axe-core/axe.min.js');

/**
 * What axe-core (Deque's accessibility engine, run inside the page) finds against WCAG 2.0 and 2.1, levels
 * A and AA, on the page as it is now: one line per rule broken, naming the first elements. axe is given
 * to the page through the DevTools protocol (page.evaluate), which the page's CSP does not govern.
 */
export async function accessibilityViolations(page: Page): Promise<string[]> {
  await page.evaluate(fs.readFileSync(AXE_SOURCE, 'utf8'));
  const found = await page.evaluate(async () => {
    const r = await axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } });
    return r.violations.map((v) => `${v.id} (${v.impact ?? '?'}): ${v.help}: ${v.nodes.slice(0, 3).map((n) => `${n.target.join(' ')} ${n.failureSummary?.split('\n')[1]?.trim() ?? ''}`).join('; ')}`);
  });
  return found;
}
