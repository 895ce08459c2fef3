import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import https from 'node:https';
import { ApiServer } from './server.js';
import { RESOURCES } from '../k8s/registry.js';
import { nodePaths } from '../node/paths.js';
import { SqliteStore } from '../store/sqlite-store.js';
import { StoreEventSink } from '../store/events.js';
import { ensureNamespaces } from '../store/bootstrap.js';
import { FakeClock } from '../system/clock.js';
import { silentLogger } from '../system/logger.js';
import { buildSecurityStage } from './auth/security.js';
import { GROUP_MASTERS, GROUP_VIEWERS } from './auth/types.js';
import { createCa, issueCert } from './auth/certs.js';
import { servingNames } from './auth/pki.js';
import { crossSiteReason, DashboardSessions, LOGIN_TOKEN_TTL_MS, MAX_ENTRIES, MAX_TOKENS_PER_USER, sessionCookie, sessionCookies, sessionPath, SESSION_TTL_MS } from './auth/dashboard-sessions.js';

const alice = { username: 'alice', uid: '1', groups: [GROUP_MASTERS] };

test('a login token works once and only within its time; a session lasts its time and ends at logout', () => {
  let now = 1_000_000;
  const s = new DashboardSessions(() => now);
  const { token, expiresAt } = s.mintLoginToken(alice);
  assert.equal(expiresAt, now + LOGIN_TOKEN_TTL_MS);
  const a = s.login(token);
  assert.ok(a);
  assert.equal(a.user.username, 'alice');
  assert.equal(s.login(token), undefined, 'a token is used once');
  assert.equal(s.userOf([a.browser], a.pageSecret)?.username, 'alice');
  assert.equal(s.userOf([a.browser], undefined), undefined, 'the cookie alone is not enough');
  assert.equal(s.userOf([a.browser], s.login(s.mintLoginToken(alice).token)!.pageSecret), undefined, 'nor with another session\'s page secret');
  const late = s.mintLoginToken(alice);
  now += LOGIN_TOKEN_TTL_MS;
  assert.equal(s.login(late.token), undefined, 'an expired token');
  now += SESSION_TTL_MS;
  assert.equal(s.userOf([a.browser], a.pageSecret), undefined, 'an expired session');
  const b = s.login(s.mintLoginToken(alice).token)!;
  s.end([b.browser], b.pageSecret);
  assert.equal(s.userOf([b.browser], b.pageSecret), undefined, 'logged out');
  assert.equal(s.login('x'.repeat(43)), undefined);
  assert.equal(s.userOf(['not a session'], b.pageSecret), undefined);
});

test('one browser, several tabs: each login keeps the browser\'s cookie, each tab its own session; a planted cookie beside it changes nothing', () => {
  const s = new DashboardSessions(() => 0);
  const one = s.login(s.mintLoginToken(alice).token)!;
  const two = s.login(s.mintLoginToken({ username: 'vera', uid: '2', groups: [] }).token, one.browser)!;
  assert.equal(two.browser, one.browser, 'the cookie is kept');
  assert.equal(s.userOf([one.browser], one.pageSecret)?.username, 'alice', 'the first tab is still alice');
  assert.equal(s.userOf([one.browser], two.pageSecret)?.username, 'vera');
  const planted = 'p'.repeat(43);
  assert.equal(s.userOf([planted, one.browser], one.pageSecret)?.username, 'alice', 'a cookie another server of the host set beside it');
  assert.equal(s.userOf([planted], one.pageSecret), undefined, 'the planted one alone');
  s.end([one.browser], two.pageSecret);
  assert.equal(s.userOf([one.browser], two.pageSecret), undefined, 'the second tab logged out');
  assert.equal(s.userOf([one.browser], one.pageSecret)?.username, 'alice', 'the first tab is not');
  const fresh = s.login(s.mintLoginToken(alice).token, 'not a cookie value')!;
  assert.match(fresh.browser, /^[A-Za-z0-9_-]{43}$/);
  assert.notEqual(fresh.browser, 'not a cookie value');
});

test('tokens and sessions are bounded per user and in all: a user\'s own oldest goes first, never another\'s', () => {
  const s = new DashboardSessions(() => 0);
  const bob = { username: 'bob', uid: '3', groups: [] };
  const alices = s.mintLoginToken(alice).token;
  const first = s.mintLoginToken(bob).token;
  for (let i = 0; i < MAX_TOKENS_PER_USER; i++) s.mintLoginToken(bob);
  assert.equal(s.login(first), undefined, 'bob\'s oldest was dropped');
  assert.ok(s.login(alices), 'alice\'s token survived bob\'s minting');
  for (let i = 0; i < MAX_ENTRIES * 2; i++) s.mintLoginToken({ username: `u${i}`, uid: String(i), groups: [] });
  assert.equal(s.size.tokens, MAX_ENTRIES, 'bounded in all');
});

test('the session cookie: every value read (up to 4), written __Host-, HttpOnly, Secure, SameSite=Strict', () => {
  assert.deepEqual(sessionCookies('a=1; __Host-peapod-session=abc; b=2'), ['abc']);
  assert.deepEqual(sessionCookies(undefined), []);
  assert.deepEqual(sessionCookies('__Host-peapod-sessionx=1; peapod-session=2'), []);
  assert.deepEqual(sessionCookies('__Host-peapod-session=a; __Host-peapod-session=b'), ['a', 'b'], 'two (one set by another server of the host): each is tried');
  assert.equal(sessionCookies(Array(9).fill('__Host-peapod-session=x').join('; ')).length, 4);
  assert.equal(sessionCookie('v'), '__Host-peapod-session=v; Path=/; HttpOnly; Secure; SameSite=Strict', 'a browser-session cookie');
  assert.equal(sessionCookie('', { remove: true }), '__Host-peapod-session=; Path=/; Max-Age=0; HttpOnly; Secure; SameSite=Strict');
  assert.ok(sessionPath('/api/v1/pods') && sessionPath('/apis') && sessionPath('/peapod/v1/images'));
  assert.ok(!sessionPath('/ui/') && !sessionPath('/healthz') && !sessionPath('/apiary'));
});

test('a cookie-authenticated request from a page of another origin is refused', () => {
  assert.equal(crossSiteReason({ host: '127.0.0.1:6443' }), undefined);
  assert.equal(crossSiteReason({ origin: 'https://127.0.0.1:6443', host: '127.0.0.1:6443' }), undefined);
  assert.match(crossSiteReason({ origin: 'https://evil.example', host: '127.0.0.1:6443' })!, /another origin/);
  assert.match(crossSiteReason({ origin: 'https://127.0.0.1:8080', host: '127.0.0.1:6443' })!, /another origin/, 'another port of the same host');
  assert.match(crossSiteReason({ origin: 'http://127.0.0.1:6443', host: '127.0.0.1:6443' })!, /another origin/, 'not over plain HTTP');
  assert.match(crossSiteReason({ host: 'h', fetchSite: 'same-site' })!, /same-site request/, 'an <img> of another port of the host (no Origin, Sec-Fetch-Site same-site)');
  assert.equal(crossSiteReason({ host: 'h', fetchSite: 'same-origin' }), undefined);
});

describe('dashboard login through the API (a real server over TLS)', () => {
  let server: ApiServer;
  let port = 0;
  let ca = '';
  before(async () => {
    const clock = new FakeClock();
    const logger = silentLogger();
    const store = new SqliteStore({ path: ':memory:', resources: RESOURCES, clock, logger });
    ensureNamespaces(store);
    server = new ApiServer({
      store, logger, clock, nodeName: 'node-1', paths: nodePaths('/nonexistent/peapod-dashboard'),
      events: new StoreEventSink({ store, clock, logger, component: 'kubelet', host: 'node-1' }),
      security: buildSecurityStage({
        tokens: new Map([
          ['admin-token', alice],
          ['viewer-token', { username: 'vera', uid: '2', groups: [GROUP_VIEWERS] }],
          ['sa-token', { username: 'system:serviceaccount:default:app', uid: '4', groups: ['system:serviceaccounts', GROUP_MASTERS] }],
        ]),
      }),
    });
    const now = Date.now();
    const authority = await createCa('dashboard-ca', { now, validDays: 1 });
    const serving = await issueCert(authority, { kind: 'server', names: servingNames('localhost', []) }, { now, validDays: 1 });
    const { url } = await server.start('127.0.0.1:0', { certPem: serving.certPem, keyPem: serving.keyPem, clientCaPem: authority.certPem });
    port = Number(new URL(url).port);
    ca = authority.certPem;
  });
  after(async () => {
    await server.stop();
  });

  const call = (method: string, path: string, headers: Record<string, string> = {}, body?: unknown) =>
    new Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }>((resolve, reject) => {
      const data = body === undefined ? undefined : JSON.stringify(body);
      const req = https.request({ host: '127.0.0.1', port, method, path, ca, servername: 'localhost', headers: { ...(data ? { 'content-type': 'application/json' } : {}), ...headers } }, (res) => {
        let text = '';
        res.on('data', (c: Buffer) => (text += c.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
      });
      req.on('error', reject);
      req.end(data);
    });
  /** What the dashboard's own page sends with its login and logout. */
  const ownPage = () => ({ origin: `https://127.0.0.1:${port}`, 'x-peapod-dashboard': 'login', 'sec-fetch-site': 'same-origin' });
  const login = async (bearer: string) => {
    const minted = await call('POST', '/peapod/v1/dashboard/login', { authorization: `Bearer ${bearer}` });
    assert.equal(minted.status, 201, minted.body);
    const m = JSON.parse(minted.body) as { token: string; path: string };
    assert.equal(m.path, `/ui/#token=${m.token}`);
    const r = await call('POST', '/ui/login', ownPage(), { token: m.token });
    assert.equal(r.status, 200, r.body);
    const set = String(r.headers['set-cookie']);
    assert.match(set, /^__Host-peapod-session=[A-Za-z0-9_-]{43}; Path=\/; HttpOnly; Secure; SameSite=Strict$/);
    const session = JSON.parse(r.body) as { kind: string; user: string; pageSecret: string };
    assert.equal(session.kind, 'DashboardSession');
    assert.match(session.pageSecret, /^[A-Za-z0-9_-]{43}$/);
    assert.ok(!set.includes(session.pageSecret), 'the page secret is not in the cookie');
    return { cookie: set.split(';')[0]!, token: m.token, user: session.user, page: { cookie: set.split(';')[0]!, 'x-peapod-dashboard': session.pageSecret } };
  };

  test('a link minted with a token logs the page in as that user: its cookie reads and writes as the user would', async () => {
    const { cookie, token, user, page } = await login('admin-token');
    assert.equal(user, 'alice');
    const list = await call('GET', '/api/v1/namespaces/default/pods', page);
    assert.equal(list.status, 200, list.body);
    assert.equal(list.headers['cache-control'], 'no-store', 'a session\'s answers stay out of the browser\'s cache');
    // A watch's headers, then the stream is dropped (the harness's clock never ends it).
    const watched = await new Promise<Record<string, string | string[] | undefined>>((resolve, reject) => {
      const req = https.request({ host: '127.0.0.1', port, method: 'GET', path: '/api/v1/namespaces/default/pods?watch=1', ca, servername: 'localhost', headers: page }, (res) => {
        resolve(res.headers);
        req.destroy();
      });
      req.on('error', reject);
      req.end();
    });
    assert.equal(watched['cache-control'], 'no-store', 'a watch too');
    assert.equal((await call('GET', '/api/v1/namespaces/default/pods', { authorization: 'Bearer admin-token' })).headers['cache-control'], 'no-cache, private', 'kubectl\'s as before');
    assert.equal((await call('GET', '/api/v1/namespaces/default/pods', { cookie })).status, 401, 'the cookie alone (what a browser sends to any port of the host) is refused');
    const cm = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'from-the-page' }, data: { a: 'b' } };
    const csrf = await call('POST', '/api/v1/namespaces/default/configmaps', { cookie, 'x-peapod-dashboard': '1' }, cm);
    assert.equal(csrf.status, 401, 'a write without the page secret');
    const made = await call('POST', '/api/v1/namespaces/default/configmaps', page, cm);
    assert.equal(made.status, 201, made.body);
    const tossed = await call('GET', '/api/v1/namespaces/default/pods', { ...page, cookie: `__Host-peapod-session=${'t'.repeat(43)}; ${cookie}` });
    assert.equal(tossed.status, 200, 'a cookie of the same name that another server of the host set beside it locks nothing');
    const minted2 = JSON.parse((await call('POST', '/peapod/v1/dashboard/login', { authorization: 'Bearer admin-token' })).body) as { token: string };
    const tab2 = await call('POST', '/ui/login', { ...ownPage(), cookie }, { token: minted2.token });
    assert.equal(String(tab2.headers['set-cookie']).split(';')[0], cookie, 'a second tab\'s login keeps the browser\'s cookie');
    assert.equal((await call('GET', '/api/v1/namespaces/default/pods', page)).status, 200, 'and the first tab stays logged in');
    const foreign = await call('GET', '/api/v1/namespaces/default/pods', { ...page, origin: 'https://evil.example' });
    assert.equal(foreign.status, 401, 'a page of another origin');
    const again = await call('POST', '/ui/login', ownPage(), { token });
    assert.equal(again.status, 401, 'a link works once');
    assert.match(JSON.parse(again.body).message, /run `peapod dashboard` for a new one/);
    const mint = await call('POST', '/peapod/v1/dashboard/login', page);
    assert.equal(mint.status, 403, 'a session cannot mint itself another');
    const out = await call('POST', '/ui/logout', { ...ownPage(), ...page }, {});
    assert.equal(out.status, 204);
    assert.equal(out.headers['set-cookie'], undefined, 'the browser\'s cookie stays (alone it is nothing)');
    assert.equal((await call('GET', '/api/v1/namespaces/default/pods', page)).status, 401, 'logged out');
  });

  test('a viewer\'s session has the viewer\'s rights; without a session nothing of the node is shown', async () => {
    const { page } = await login('viewer-token');
    assert.equal((await call('GET', '/api/v1/namespaces/default/pods', page)).status, 200);
    assert.equal((await call('GET', '/api/v1/namespaces/default/secrets', page)).status, 403);
    assert.equal((await call('GET', '/api/v1/namespaces/default/pods')).status, 401, 'anonymous');
    assert.equal((await call('GET', '/api/v1/namespaces/default/pods', { ...page, cookie: '__Host-peapod-session=' + 'a'.repeat(43) })).status, 401, 'an unknown session');
    assert.equal((await call('POST', '/peapod/v1/dashboard/login')).status, 401, 'anonymous cannot mint');
    assert.equal((await call('POST', '/ui/login', ownPage(), { token: 'nope' })).status, 401);
  });

  test('a login or logout from another site\'s form is refused; a stale cookie locks nothing; a service account cannot log in', async () => {
    const minted = JSON.parse((await call('POST', '/peapod/v1/dashboard/login', { authorization: 'Bearer admin-token' })).body) as { token: string };
    const forms: Record<string, string>[] = [
      {},
      { origin: 'https://evil.example', 'x-peapod-dashboard': 'login' },
      { ...ownPage(), 'content-type': 'text/plain' },
      { origin: `https://127.0.0.1:${port}` },
    ];
    for (const h of forms) assert.equal((await call('POST', '/ui/login', h, { token: minted.token })).status, 403, JSON.stringify(h));
    assert.equal((await call('POST', '/ui/login', ownPage(), { token: minted.token })).status, 200, 'the link still works from the page');
    const stale = { cookie: '__Host-peapod-session=' + 'b'.repeat(43), 'x-peapod-dashboard': 'c'.repeat(43) };
    assert.equal((await call('GET', '/healthz', stale)).status, 200, 'health with a stale cookie');
    assert.equal((await call('GET', '/api/v1/namespaces/default/pods', stale)).status, 401);
    const fresh = JSON.parse((await call('POST', '/peapod/v1/dashboard/login', { authorization: 'Bearer admin-token' })).body) as { token: string };
    assert.equal((await call('POST', '/ui/login', { ...ownPage(), cookie: stale.cookie }, { token: fresh.token })).status, 200, 'a stale cookie does not stop a new login');
    const sa = await call('POST', '/peapod/v1/dashboard/login', { authorization: 'Bearer sa-token' });
    assert.equal(sa.status, 403);
    assert.match(JSON.parse(sa.body).message, /service account cannot log into the dashboard/);
  });

  test('the page is served to anyone with a policy that allows only its own script and connections, and no framing', async () => {
    const page = await call('GET', '/ui/');
    assert.equal(page.status, 200, page.body);
    assert.match(String(page.headers['content-type']), /^text\/html/);
    const csp = String(page.headers['content-security-policy']);
    for (const d of ["default-src 'none'", "script-src 'self'", "connect-src 'self'", "frame-ancestors 'none'", "base-uri 'none'"]) assert.ok(csp.includes(d), d);
    assert.doesNotMatch(csp, /script-src[^;]*(unsafe-inline|unsafe-eval)/);
    assert.equal(page.headers['x-content-type-options'], 'nosniff');
    assert.equal(page.headers['x-frame-options'], 'DENY');
    assert.match(page.body, /<script type="module" src="\/ui\/assets\/app.js">/);
    const script = await call('GET', '/ui/assets/app.js');
    assert.equal(script.status, 200);
    assert.match(String(script.headers['content-type']), /^text\/javascript/);
    assert.equal((await call('GET', '/ui')).status, 301);
    for (const bad of ['/ui/assets/../../../etc/passwd', '/ui/assets/..%2f..%2f..%2fpackage.json', '/ui/nope.js', '/ui/assets/']) {
      const r = await call('GET', bad);
      assert.ok(r.status === 404 || r.status === 401, `${bad}: ${r.status}`);
      assert.doesNotMatch(r.body, /root:|"name": "peapod"/);
    }
    assert.equal((await call('POST', '/ui/')).status, 401, 'no one posts to the page');
  });

  test('a WebSocket from the page (exec) offers its page secret as a subprotocol: with it the session counts, without it or from elsewhere it is anonymous', async () => {
    const { page } = await login('admin-token');
    const upgrade = (protocols: string, extra: Record<string, string> = {}) =>
      call('GET', '/api/v1/namespaces/default/pods/nope/exec?command=sh&stdout=true', {
        cookie: page.cookie,
        origin: `https://127.0.0.1:${port}`,
        connection: 'Upgrade',
        upgrade: 'websocket',
        'sec-websocket-version': '13',
        'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==',
        'sec-websocket-protocol': protocols,
        ...extra,
      });
    const secret = page['x-peapod-dashboard'];
    const ok = await upgrade(`v5.channel.k8s.io, dashboard.peapod.dev.${secret}`);
    assert.equal(ok.status, 404, `authenticated, then the pod is not found: ${ok.body}`);
    assert.equal((await upgrade('v5.channel.k8s.io')).status, 401, 'the cookie alone');
    assert.equal((await upgrade(`v5.channel.k8s.io, dashboard.peapod.dev.${'x'.repeat(43)}`)).status, 401, 'a wrong secret');
    assert.equal((await upgrade(`dashboard.peapod.dev.${secret}, dashboard.peapod.dev.${'x'.repeat(43)}`)).status, 401, 'two different secrets');
    assert.equal((await upgrade(`v5.channel.k8s.io, dashboard.peapod.dev.${secret}`, { origin: 'https://evil.example' })).status, 401, 'another origin (cross-site WebSocket hijacking)');
  });
});
