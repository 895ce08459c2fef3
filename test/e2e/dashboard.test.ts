// The dashboard (issue 16) in a real browser: headless chromium (Debian's package, driven by puppeteer-core)
// against a real daemon, as a user goes: the page without a session shows nothing of the node and its API
// refuses; `peapod dashboard`'s one-time link logs in; a pod created with kubectl appears in the live pods
// table and goes from Pending to Running; its anatomy drawing names the infra container, the namespaces it
// holds, the pod IP and the volume, with each container's processes; its logs follow a line printed after
// following began; a terminal runs a command in a container; a pod is created from YAML (and a bad one
// answers its field error), then deleted from its page; the node view lists the node and its images. Each
// view passes axe-core's WCAG 2.0/2.1 A and AA rules (the login, the pods list, anatomy, logs, terminal,
// the create form with its errors, the node).
// A screenshot of each step goes to .peapod-test/artifacts/dashboard/ (anatomy.png is the README's picture).

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import path from 'node:path';
import type { Browser, HTTPRequest, Page } from 'puppeteer-core';
import { REPO_ROOT, TestDaemon } from '../support/daemon.js';
import { reportingFailure } from '../support/failure.js';
import { accessibilityViolations, launchBrowser, loadUntil, recordPageTrouble, Shots, textOf, waitUntil } from './support/browser.js';

// The page's own globals, inside page.evaluate callbacks (this program is type-checked without the DOM's lib).
interface El {
  textContent: string | null;
  innerText: string;
  querySelector(s: string): El | null;
  querySelectorAll(s: string): ArrayLike<El>;
}
declare const document: El & { body: El };
declare const location: { hash: string };
declare const window: Record<string, unknown>;
declare class MutationObserver {
  constructor(cb: () => void);
  observe(target: El, opts: Record<string, boolean>): void;
}

const ROOT = process.getuid?.() === 0;
const SUBNET = '10.88.249.0/24';
const IMAGE = 'localhost/busybox:latest';
const ARTIFACTS = path.join(REPO_ROOT, '.peapod-test', 'artifacts', 'dashboard');

// Made before the browser logs in: the page without a session must not show it.
const EARLY = `apiVersion: v1
kind: Pod
metadata: {name: early}
spec:
  terminationGracePeriodSeconds: 1
  containers:
    - {name: idle, image: ${IMAGE}, imagePullPolicy: IfNotPresent, command: ["sleep", "3600"]}
`;

// The seeds' picture: an init container (a second of Pending), two containers sharing an emptyDir; the writer
// appends to a file and prints each line, and prints whatever the test leaves in /shared/say; the reader follows the file.
const SEED = `apiVersion: v1
kind: Pod
metadata: {name: seed, labels: {suite: dashboard}}
spec:
  terminationGracePeriodSeconds: 1
  initContainers:
    - {name: prepare, image: ${IMAGE}, imagePullPolicy: IfNotPresent, command: ["sh", "-c", "echo ready > /shared/log; sleep 1"], volumeMounts: [{name: shared, mountPath: /shared}]}
  containers:
    - name: writer
      image: ${IMAGE}
      imagePullPolicy: IfNotPresent
      command: ["sh", "-c", "i=0; while true; do i=$((i+1)); echo tick $i | tee -a /shared/log; if [ -f /shared/say ]; then cat /shared/say; rm -f /shared/say; fi; sleep 1; done"]
      volumeMounts: [{name: shared, mountPath: /shared}]
    - name: reader
      image: ${IMAGE}
      imagePullPolicy: IfNotPresent
      command: ["tail", "-f", "/data/log"]
      volumeMounts: [{name: shared, mountPath: /data, readOnly: true}]
  volumes:
    - {name: shared, emptyDir: {}}
`;

// Created from the page; ends at once on SIGTERM, so deleting it is quick.
const MADE = `apiVersion: v1
kind: Pod
metadata:
  name: made
  labels: {suite: dashboard}
spec:
  terminationGracePeriodSeconds: 1
  containers:
    - name: main
      image: ${IMAGE}
      imagePullPolicy: IfNotPresent
      command: ["sh", "-c", "trap 'exit 0' TERM; while true; do sleep 1; done"]
`;

const NO_IMAGE = `apiVersion: v1
kind: Pod
metadata: {name: noimage}
spec:
  containers:
    - name: main
      command: ["sleep", "1"]
`;

describe('the dashboard in a real browser (issue 16)', { skip: ROOT ? false : 'needs root: run the tests as root' }, () => {
  let d: TestDaemon;
  let browser: Browser | undefined;
  let page: Page;
  let shots: Shots;
  let failed = false;
  let noBrowser: Error | undefined;
  const trouble: string[] = [];
  const started = Date.now();

  before(async () => {
    shots = new Shots(ARTIFACTS);
    // First: without a browser every step fails with why (no daemon is started).
    try {
      browser = await launchBrowser();
    } catch (err) {
      noBrowser = err as Error;
      return;
    }
    d = await TestDaemon.start({ name: 'dashboard', podCidr: SUBNET });
    const r = await d.kubectl(['apply', '-f', '-'], { input: EARLY });
    assert.equal(r.code, 0, r.stderr);
    await d.k('wait', '--for=condition=Ready', 'pod/early', '--timeout=60s');
  });

  after(async () => {
    if (failed && page) await shots.page(page, 'failed');
    if (failed && trouble.length) console.log(`--- the page's console and errors ---\n${trouble.join('\n')}`);
    await browser?.close().catch((err: unknown) => console.log(`closing the browser: ${String(err)}`));
    await d?.destroy(failed);
    console.log(`dashboard suite: ${((Date.now() - started) / 1000).toFixed(1)} s; screenshots in ${ARTIFACTS}`);
  });

  const step = (name: string, shot: string, fn: () => Promise<void>) =>
    it(name, { timeout: 90_000 }, reportingFailure(async () => {
      if (noBrowser) throw noBrowser;
      await fn();
      await shots.page(page, shot);
    }, () => (failed = true)));

  /** The one-time link, as a user gets it: `peapod dashboard` with the daemon's kubeconfig. */
  async function loginLink(): Promise<string> {
    const r = await d.peapod(['dashboard']);
    assert.equal(r.code, 0, `peapod dashboard: ${r.stderr}`);
    const link = /https:\/\/127\.0\.0\.1:\d+\/ui\/#token=[A-Za-z0-9_-]+/.exec(r.stdout)?.[0];
    assert.ok(link, `a login link in peapod dashboard's output:\n${r.stdout}`);
    assert.ok(link.startsWith(`${d.cluster.server}/ui/`), `the link is to the daemon's own address ${d.cluster.server}: ${link}`);
    return link;
  }

  const rowPhase = (pod: string) => textOf(page, `tr[data-pod="${pod}"] td[data-col=phase]`);
  const goto = async (hash: string) => {
    await page.evaluate((h) => {
      location.hash = h;
    }, hash);
  };

  step('a browser without a session sees only the login: nothing of the node, and the API refuses it', 'not-logged-in', async () => {
    page = await browser!.newPage();
    recordPageTrouble(page, 'page', trouble);
    await loadUntil(page, 'the page', async (attempt) => {
      const res = attempt === 1 ? await page.goto(`${d.cluster.server}/ui/`, { waitUntil: 'load' }) : await page.reload({ waitUntil: 'load' });
      assert.equal(res?.status(), 200);
    }, 'main[data-testid=login]');
    const text = await page.evaluate(() => document.body.innerText);
    for (const secret of ['early', d.nodeName]) assert.ok(!text.includes(secret), `the login page shows ${secret}:\n${text}`);
    assert.equal(await page.$('[data-testid=user]'), null, 'no user shown');
    assert.equal(await page.$('[data-testid=pods]'), null, 'no pods view');
    const status = await page.evaluate(async () => (await fetch('/api/v1/pods', { credentials: 'same-origin' })).status);
    assert.equal(status, 401, 'the API from the page without a session');
    assert.deepEqual(await accessibilityViolations(page), [], 'WCAG 2.1 A/AA: the login');
  });

  step('the link logs in: the user in the header, the pods table with the pod already there', 'logged-in', async () => {
    const user = new crypto.X509Certificate(d.cluster.cert!).subject.split('\n').find((l) => l.startsWith('CN='))!.slice(3);
    let link = '';
    // A link printed in a terminal opens in a new tab (a new link for a load the host's network change broke: a link works once).
    await page.close();
    page = await browser!.newPage();
    recordPageTrouble(page, 'page', trouble);
    await loadUntil(page, 'the login link', async (attempt) => {
      if (attempt > 1) await page.goto('about:blank');
      link = await loginLink();
      await page.goto(link, { waitUntil: 'load' });
    }, '[data-testid=user]');
    assert.equal((await textOf(page, '[data-testid=user]'))?.trim(), user);
    assert.ok(!page.url().includes('token='), `the token is taken out of the address bar: ${page.url()}`);
    await page.waitForSelector('table[data-testid=pods-table] tr[data-pod="default/early"]', { timeout: 5_000 });
    assert.equal(await rowPhase('default/early'), 'Running');
    const name = await page.$eval('tr[data-pod="default/early"] td[data-col=name] a', (a) => a.getAttribute('href'));
    assert.equal(name, '#/pods/default/early');
    assert.deepEqual(await accessibilityViolations(page), [], 'WCAG 2.1 A/AA: the pods list');
    // The same link does not work twice.
    const again = await browser!.newPage();
    await again.goto(link, { waitUntil: 'load' });
    await again.waitForSelector('main[data-testid=login]', { timeout: 5_000 });
    await again.close();
  });

  step('a pod made with kubectl shows up live and goes from Pending to Running', 'seed-running', async () => {
    // Every phase the row shows, recorded by the test in the page (the page itself only watches).
    await page.evaluate(() => {
      const seen: string[] = [];
      window.__phases = seen;
      const read = () => {
        const t = document.querySelector('tr[data-pod="default/seed"] td[data-col=phase]')?.textContent ?? '';
        if (t && seen[seen.length - 1] !== t) seen.push(t);
      };
      new MutationObserver(read).observe(document.body, { childList: true, subtree: true, characterData: true });
    });
    const r = await d.kubectl(['apply', '-f', '-'], { input: SEED });
    assert.equal(r.code, 0, r.stderr);
    const phases = await waitUntil('the seed pod Running in the table', async () => {
      const p = (await page.evaluate(() => window.__phases)) as string[];
      return p[p.length - 1] === 'Running' ? p : false;
    }, 60_000);
    assert.deepEqual(phases, ['Pending', 'Running'], `the phases the row showed: ${phases.join(' → ')}`);
    const pod = await d.getJson<{ status: { podIP: string } }>('pod', 'seed');
    assert.equal(await textOf(page, 'tr[data-pod="default/seed"] td[data-col=ready]'), '2/2');
    await waitUntil('the pod IP in its row', async () => (await textOf(page, 'tr[data-pod="default/seed"] td[data-col=ip]')) === pod.status.podIP, 5_000);
    // Nothing changes now: a page that watches asks nothing more (one that polls would).
    const asked: string[] = [];
    const onRequest = (r: HTTPRequest) => void asked.push(`${r.method()} ${r.url()}`);
    page.on('request', onRequest);
    await new Promise((r) => setTimeout(r, 3_000));
    page.off('request', onRequest);
    assert.deepEqual(asked, [], 'the pods view made requests in 3 quiet seconds');
  });

  step('its anatomy: the infra container, the namespaces it holds, the pod IP, the volume, the processes', 'anatomy-view', async () => {
    const podIP = await d.k('get', 'pod', 'seed', '-o', 'jsonpath={.status.podIP}');
    assert.match(podIP, /^10\.88\.249\.\d+$/);
    await page.click('tr[data-pod="default/seed"] td[data-col=name] a');
    await page.waitForSelector('section[data-testid=pod]', { timeout: 5_000 });
    assert.match(await page.evaluate(() => location.hash), /^#\/pods\/default\/seed(\/anatomy)?$/);
    assert.match((await textOf(page, 'section[data-testid=pod] h1')) ?? '', /default\/seed/);
    await page.waitForSelector('[data-testid=anatomy] svg', { timeout: 10_000 });
    const texts = await page.$$eval('[data-testid=anatomy] svg text', (els) => els.map((e) => e.textContent ?? ''));
    const all = texts.join('\n');
    assert.ok(texts.some((t) => t.includes('infra (pause)')), `the infra container named:\n${all}`);
    for (const ns of ['net', 'ipc', 'uts']) assert.ok(texts.some((t) => new RegExp(`^${ns}\\b`).test(t.trim())), `the ${ns} namespace held:\n${all}`);
    assert.ok(all.includes(podIP), `the pod IP ${podIP}:\n${all}`);
    assert.ok(texts.some((t) => /\bshared\b/.test(t)), `the volume "shared":\n${all}`);
    for (const c of ['writer', 'reader']) assert.ok(texts.some((t) => t.includes(c)), `the container ${c}:\n${all}`);
    const procs = await waitUntil('the processes listed', async () => {
      const t = await textOf(page, '[data-testid=processes]');
      return t && t.includes('tail -f /data/log') && /sh -c .*while true/.test(t) ? t : false;
    }, 10_000);
    assert.ok(procs.includes('writer') && procs.includes('reader'), `a tree per container:\n${procs}`);
    // The README's picture: the anatomy view alone.
    await shots.element(page, '[data-testid=anatomy]', 'anatomy');
    assert.deepEqual(await accessibilityViolations(page), [], "WCAG 2.1 A/AA: a pod's anatomy");
  });

  step('logs: the writer\'s output, following: a line it prints after following began appears', 'logs', async () => {
    await page.click('a[role=tab][data-tab=logs]');
    await page.waitForSelector('select[data-testid=log-container]', { timeout: 5_000 });
    assert.match(await page.evaluate(() => location.hash), /^#\/pods\/default\/seed\/logs$/);
    await page.select('select[data-testid=log-container]', 'writer');
    if (!(await page.$eval('input[data-testid=log-follow]', (e) => (e as unknown as { checked: boolean }).checked))) await page.click('input[data-testid=log-follow]');
    await waitUntil('the writer\'s ticks in the logs', async () => /tick \d+/.test((await textOf(page, 'pre[data-testid=logs]')) ?? ''), 10_000);
    const marker = `said-${crypto.randomBytes(6).toString('hex')}`;
    assert.ok(!((await textOf(page, 'pre[data-testid=logs]')) ?? '').includes(marker));
    // The writer prints it at its next turn (within a second).
    await d.k('exec', 'seed', '-c', 'writer', '--', 'sh', '-c', `echo ${marker} > /shared/.say && mv /shared/.say /shared/say`);
    await waitUntil(`${marker} followed into the logs`, async () => ((await textOf(page, 'pre[data-testid=logs]')) ?? '').includes(marker), 10_000);
    assert.deepEqual(await accessibilityViolations(page), [], 'WCAG 2.1 A/AA: the logs tab, following');
  });

  step('terminal: a shell in a container runs what is typed, and says when it exited', 'terminal-exited', async () => {
    await page.click('a[role=tab][data-tab=terminal]');
    await page.waitForSelector('select[data-testid=terminal-container]', { timeout: 5_000 });
    await page.select('select[data-testid=terminal-container]', 'writer');
    assert.equal(await page.$eval('input[data-testid=terminal-command]', (e) => (e as unknown as { value: string }).value), 'sh');
    await page.click('button[data-testid=terminal-connect]');
    await waitUntil('the terminal connected', async () => /connected/i.test((await textOf(page, '[data-testid=terminal-status]')) ?? ''), 10_000);
    const rows = () => page.evaluate(() => document.querySelector('[data-testid=terminal] .xterm-rows')?.textContent ?? '');
    await waitUntil('a prompt', async () => /[#$] ?$/.test((await rows()).trim()) || (await rows()).includes('#'), 5_000);
    await page.click('[data-testid=terminal] .xterm');
    await page.keyboard.type('echo hi-$((6*7))');
    await page.keyboard.press('Enter');
    await waitUntil('hi-42 on the terminal', async () => (await rows()).includes('hi-42'), 10_000);
    await shots.page(page, 'terminal-hi');
    await page.keyboard.type('exit');
    await page.keyboard.press('Enter');
    await waitUntil('the terminal says it exited', async () => /exited/i.test((await textOf(page, '[data-testid=terminal-status]')) ?? ''), 10_000);
    assert.deepEqual(await accessibilityViolations(page), [], 'WCAG 2.1 A/AA: the terminal tab');
  });

  /** Types the YAML into the create view's textarea, as a user would, and submits it. */
  async function createFromYaml(yaml: string): Promise<void> {
    await goto('#/create');
    await page.waitForSelector('textarea[data-testid=create-yaml]', { timeout: 5_000 });
    const label = await page.$eval('textarea[data-testid=create-yaml]', (t) => {
      const id = t.getAttribute('id');
      return (t.closest('label') ?? (id ? document.querySelector(`label[for="${id}"]`) : null))?.textContent ?? '';
    });
    assert.ok(label.trim(), 'the YAML box has a label');
    await page.click('textarea[data-testid=create-yaml]');
    await page.keyboard.down('Control');
    await page.keyboard.press('a');
    await page.keyboard.up('Control');
    await page.keyboard.press('Backspace');
    await page.keyboard.type(yaml);
    await page.click('button[data-testid=create-submit]');
  }

  step('create from YAML: a good pod opens its page and exists; a pod without an image answers its field', 'create-error', async () => {
    await createFromYaml(MADE);
    await waitUntil('the new pod\'s page', async () => (await page.evaluate(() => location.hash)) === '#/pods/default/made', 10_000);
    const made = await d.getJson<{ metadata: { name: string; labels: Record<string, string> } }>('pod', 'made');
    assert.deepEqual(made.metadata.labels, { suite: 'dashboard' });
    await shots.page(page, 'created');
    await createFromYaml(NO_IMAGE);
    await page.waitForSelector('[data-testid=create-error]', { timeout: 10_000 });
    assert.equal(await page.$eval('[data-testid=create-error]', (e) => e.getAttribute('role')), 'alert');
    const fields = await page.$$eval('[data-testid=create-error] li[data-field]', (els) => els.map((e) => e.getAttribute('data-field')));
    assert.ok(fields.includes('spec.containers[0].image'), `the image's field error: ${JSON.stringify(fields)}`);
    assert.match((await textOf(page, '[data-testid=create-error]')) ?? '', /image/i);
    assert.equal(await page.evaluate(() => location.hash), '#/create', 'stays on the form');
    assert.deepEqual(await accessibilityViolations(page), [], 'WCAG 2.1 A/AA: the create form with its field errors');
    const r = await d.kubectl(['get', 'pod', 'noimage']);
    assert.match(r.stderr, /NotFound|not found/);
  });

  step('delete the pod from its page: it is gone', 'deleted', async () => {
    await d.k('wait', '--for=condition=Ready', 'pod/made', '--timeout=60s');
    await goto('#/');
    await page.waitForSelector('tr[data-pod="default/made"] td[data-col=name] a', { timeout: 5_000 });
    await page.click('tr[data-pod="default/made"] td[data-col=name] a');
    await page.waitForSelector('button[data-testid=delete-pod]', { timeout: 5_000 });
    await page.click('button[data-testid=delete-pod]');
    await page.waitForSelector('dialog[data-testid=confirm-delete][open]', { timeout: 5_000 });
    await shots.page(page, 'confirm-delete');
    const t0 = Date.now();
    await page.click('button[data-testid=confirm-delete-yes]');
    await waitUntil('back on the pods list', async () => ['#/', '', '#'].includes(await page.evaluate(() => location.hash)), 10_000);
    await waitUntil('kubectl: the pod is gone', async () => {
      const r = await d.kubectl(['get', 'pod', 'made']);
      return r.code !== 0 && /NotFound|not found/.test(r.stderr);
    }, 20_000, 250);
    console.log(`made: deleted in ${Date.now() - t0} ms`);
    await waitUntil('its row gone from the table', async () => (await page.$('tr[data-pod="default/made"]')) === null, 5_000);
  });

  step('the node view: the node\'s name and the images it holds', 'node', async () => {
    await goto('#/node');
    await page.waitForSelector('section[data-testid=node]', { timeout: 5_000 });
    await waitUntil('the node\'s name', async () => ((await textOf(page, 'section[data-testid=node]')) ?? '').includes(d.nodeName), 10_000);
    const images = await waitUntil('the busybox image in node-images', async () => {
      const t = await textOf(page, 'table[data-testid=node-images]');
      return t && t.includes('localhost/busybox') ? t : false;
    }, 10_000);
    assert.match(images, /latest/);
    // Two pods left (early and seed; made was deleted), and the host pieces of the seed's sandbox.
    await waitUntil('the node\'s pod count', async () => /\b2\b/.test((await textOf(page, '[data-testid=node-pods]')) ?? ''), 10_000);
    const podIP = await d.k('get', 'pod', 'seed', '-o', 'jsonpath={.status.podIP}');
    const host = await waitUntil('the seed\'s sandbox in node-host', async () => {
      const t = await textOf(page, 'table[data-testid=node-host]');
      return t && t.includes('default/seed') && t.includes(podIP) ? t : false;
    }, 10_000);
    assert.match(host, /writer/);
    assert.deepEqual(await accessibilityViolations(page), [], 'WCAG 2.1 A/AA: the node view');
  });

  step('log out: the login again, and the session is over for the API', 'logged-out', async () => {
    const secret = await page.evaluate(() => sessionStorage.getItem('peapod.pageSecret'));
    assert.ok(secret, 'the tab holds its page secret while logged in');
    await page.click('[data-testid=logout]');
    await page.waitForSelector('main[data-testid=login]', { timeout: 5_000 });
    assert.equal(await page.$('[data-testid=user]'), null);
    const text = await page.evaluate(() => document.body.innerText);
    for (const secret of ['early', 'seed', d.nodeName]) assert.ok(!text.includes(secret), `the login page shows ${secret}:\n${text}`);
    const status = await page.evaluate(async () => (await fetch('/api/v1/pods', { credentials: 'same-origin' })).status);
    assert.equal(status, 401, 'the API from the page after logging out');
    const withOld = await page.evaluate(async (s) => (await fetch('/api/v1/pods', { credentials: 'same-origin', headers: { 'x-peapod-dashboard': s } })).status, secret!);
    assert.equal(withOld, 401, 'the server ended the session: its old page secret is nothing now');
  });
});
