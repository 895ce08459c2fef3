import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock } from '../system/clock.js';
import type { IssuedToken, TokenRequestSpec } from './issuer.js';
import { requiresRefresh, TokenManager } from './token-manager.js';

const H = 3600_000;

/** An issuer stub recording requests: token n expires expirationSeconds after the clock's now. */
function recorder(clock: FakeClock) {
  const calls: TokenRequestSpec[] = [];
  let fail: Error | undefined;
  const issue = (_ns: string, _name: string, spec: TokenRequestSpec): IssuedToken => {
    if (fail) throw fail;
    calls.push(spec);
    const seconds = spec.expirationSeconds ?? 3600;
    return {
      spec: { ...spec, audiences: spec.audiences ?? [], expirationSeconds: seconds },
      token: `t${calls.length}`,
      expirationTimestamp: new Date(clock.now() + seconds * 1000).toISOString(),
      issuedAt: new Date(clock.now()).toISOString(),
    };
  };
  return { calls, issue, failWith: (e?: Error) => (fail = e) };
}

const spec = (expirationSeconds = 3600, uid = 'pod-1'): TokenRequestSpec => ({ audiences: ['api'], expirationSeconds, boundObjectRef: { kind: 'Pod', apiVersion: 'v1', name: 'p', uid } });

test('a token is due for refresh past 80% of its lifetime, or 24 hours, each less the jitter', () => {
  const t = { spec: { audiences: [], expirationSeconds: 3600 }, token: 'x', expirationTimestamp: new Date(10 * H + H).toISOString(), issuedAt: new Date(10 * H).toISOString() };
  assert.equal(requiresRefresh(t, 10 * H + 0.8 * H, 0), false);
  assert.equal(requiresRefresh(t, 10 * H + 0.8 * H + 1, 0), true);
  assert.equal(requiresRefresh(t, 10 * H + 0.8 * H - 5000, 10_000), true, 'the jitter brings it forward');
  const week = { spec: { audiences: [], expirationSeconds: 7 * 24 * 3600 }, token: 'x', expirationTimestamp: new Date(7 * 24 * H).toISOString(), issuedAt: new Date(0).toISOString() };
  assert.equal(requiresRefresh(week, 24 * H, 0), false);
  assert.equal(requiresRefresh(week, 24 * H + 1, 0), true, 'a week-long token is refreshed after a day');
});

test('serves the cached token until 80% of its lifetime, then issues a new one', () => {
  const clock = new FakeClock();
  const r = recorder(clock);
  const m = new TokenManager({ issue: r.issue, now: () => clock.now(), random: () => 0 });
  assert.equal(m.getServiceAccountToken('default', 'default', spec()).token, 't1');
  clock.advance(0.8 * H);
  assert.equal(m.getServiceAccountToken('default', 'default', spec()).token, 't1');
  clock.advance(1000);
  assert.equal(m.getServiceAccountToken('default', 'default', spec()).token, 't2');
  assert.equal(r.calls.length, 2);
});

test('a different audience, lifetime or pod is another token', () => {
  const clock = new FakeClock();
  const r = recorder(clock);
  const m = new TokenManager({ issue: r.issue, now: () => clock.now(), random: () => 0 });
  m.getServiceAccountToken('default', 'default', spec());
  m.getServiceAccountToken('default', 'default', spec(7200));
  m.getServiceAccountToken('default', 'default', spec(3600, 'pod-2'));
  m.getServiceAccountToken('default', 'default', spec());
  assert.equal(r.calls.length, 3);
  m.deletePodTokens('pod-1');
  assert.equal(m.size, 1);
});

test('a failed refresh serves the cached token while it is valid; once it has expired it is dropped and the failure is a failed fetch', () => {
  const clock = new FakeClock();
  const r = recorder(clock);
  const m = new TokenManager({ issue: r.issue, now: () => clock.now(), random: () => 0 });
  m.getServiceAccountToken('default', 'default', spec());
  r.failWith(new Error('serviceaccounts "default" not found'));
  clock.advance(0.9 * H);
  assert.equal(m.getServiceAccountToken('default', 'default', spec()).token, 't1');
  clock.advance(0.2 * H);
  assert.throws(() => m.getServiceAccountToken('default', 'default', spec()), /^Error: failed to fetch token: serviceaccounts "default" not found$/);
  assert.equal(m.size, 0, 'the expired token is no longer cached');
  const fresh = new TokenManager({ issue: r.issue, now: () => clock.now() });
  assert.throws(() => fresh.getServiceAccountToken('default', 'default', spec()), /^Error: failed to fetch token: serviceaccounts "default" not found$/);
});
