import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { authenticateServiceAccountToken, type LiveObject, type TokenObjects } from './authenticator.js';
import { makeClaims } from './claims.js';
import { signJwt } from './jwt.js';

const ISS = 'https://kubernetes.default.svc.cluster.local';
const NOW = 1_800_000_000;
const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const other = generateKeyPairSync('rsa', { modulusLength: 2048 });

function objects(over: Partial<Record<'sa' | 'pod' | 'secret' | 'node', LiveObject | undefined>> = {}): TokenObjects {
  const have = { sa: { uid: 'sa-uid' }, pod: { uid: 'pod-uid' }, secret: { uid: 'sec-uid' }, node: { uid: 'node-uid' }, ...over };
  return { serviceAccount: () => have.sa, pod: () => have.pod, secret: () => have.secret, node: () => have.node };
}

const claims = (extra: Partial<Parameters<typeof makeClaims>[0]> = {}) =>
  makeClaims({ issuer: ISS, audiences: [ISS], expirationSeconds: 3600, now: NOW, jti: 'j', namespace: 'default', serviceAccount: { name: 'robot', uid: 'sa-uid' }, ...extra });

const opts = (objs = objects(), now = NOW) => ({ issuer: ISS, audiences: [ISS], publicKey, objects: objs, now: () => now });
const run = (token: string, o = opts()) => authenticateServiceAccountToken(token, o);
const reason = (r: ReturnType<typeof run>) => (r && !r.ok ? r.reason : undefined);

test('a valid token authenticates as its service account', () => {
  const r = run(signJwt(claims(), privateKey, 'k'));
  assert.ok(r?.ok);
  assert.equal(r.user.username, 'system:serviceaccount:default:robot');
  assert.deepEqual(r.user.groups, ['system:serviceaccounts', 'system:serviceaccounts:default', 'system:authenticated']);
});

test('a token that is not a JWT, or of another issuer, is not this authenticator\'s to judge', () => {
  assert.equal(run('plain-token'), undefined);
  assert.equal(run(signJwt(claims({ issuer: 'https://elsewhere' }), privateKey, 'k')), undefined);
});

test('refuses a token signed by another key', () => {
  assert.equal(reason(run(signJwt(claims(), other.privateKey, 'k'))), 'service account token signature is invalid');
});

test('refuses an expired token, one not yet valid, and one of a foreign audience', () => {
  const t = signJwt(claims(), privateKey, 'k');
  assert.equal(reason(run(t, opts(objects(), NOW + 3600 + 61))), 'service account token has expired');
  assert.equal(reason(run(t, opts(objects(), NOW - 61))), 'service account token is not valid yet');
  assert.match(reason(run(signJwt(claims({ audiences: ['api'] }), privateKey, 'k')))!, /token audiences \["api"\] is invalid/);
});

test('refuses a token whose service account is gone or was made again with another uid', () => {
  const t = signJwt(claims(), privateKey, 'k');
  assert.equal(reason(run(t, opts(objects({ sa: undefined })))), 'service account token has been invalidated');
  assert.equal(reason(run(t, opts(objects({ sa: { uid: 'new-uid' } })))), 'service account UID (new-uid) does not match claim (sa-uid)');
});

test('a pod-bound token dies with its pod; a terminating pod keeps it valid until a minute past its deletion time', () => {
  const t = signJwt(claims({ pod: { name: 'p', uid: 'pod-uid' }, node: { name: 'n', uid: 'node-uid' } }), privateKey, 'k');
  assert.ok(run(t)?.ok);
  assert.equal(reason(run(t, opts(objects({ pod: undefined })))), 'service account token has been invalidated');
  assert.equal(reason(run(t, opts(objects({ pod: { uid: 'other' } })))), 'pod UID (other) does not match claim (pod-uid)');
  const at = (s: number) => new Date(s * 1000).toISOString();
  assert.ok(run(t, opts(objects({ pod: { uid: 'pod-uid', deletionTimestamp: at(NOW - 30) } })))?.ok);
  assert.equal(reason(run(t, opts(objects({ pod: { uid: 'pod-uid', deletionTimestamp: at(NOW - 61) } })))), 'service account token has been invalidated');
  // The pod's node is information, not a binding: the token survives a node object made again.
  assert.ok(run(t, opts(objects({ node: undefined })))?.ok);
});

test('secret- and node-bound tokens die with their object', () => {
  const s = signJwt(claims({ secret: { name: 's', uid: 'sec-uid' } }), privateKey, 'k');
  assert.ok(run(s)?.ok);
  assert.equal(reason(run(s, opts(objects({ secret: undefined })))), 'service account token has been invalidated');
  const n = signJwt(claims({ node: { name: 'n', uid: 'node-uid' } }), privateKey, 'k');
  assert.ok(run(n)?.ok);
  assert.equal(reason(run(n, opts(objects({ node: { uid: 'x' } })))), 'node UID (x) does not match claim (node-uid)');
});
