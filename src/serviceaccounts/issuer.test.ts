import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject, Pod } from '../k8s/types.js';
import { BadRequestError, ConflictError, InvalidError, NotFoundError } from '../errors.js';
import { parseJwt, verifyRs256 } from './jwt.js';
import { TokenIssuer } from './issuer.js';
import { serviceAccountTokens } from './service-accounts.js';
import { memoryStore, testSigningKey } from './test-fixtures.js';

const ISS = 'https://kubernetes.default.svc.cluster.local';
const NOW = Date.UTC(2027, 0, 1);

function setup() {
  const store = memoryStore();
  const sa = store.create<KubeObject>('serviceaccounts', { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'robot', namespace: 'default' } });
  const issuer = new TokenIssuer({ store, key: testSigningKey(), issuer: ISS, audiences: [ISS], now: () => NOW, newId: () => 'jti-1' });
  return { store, sa, issuer };
}

const claimsOf = (token: string) => parseJwt(token)!.payload;

test('a TokenRequest with no spec gets the API audiences and an hour, signed with the key', () => {
  const { issuer, sa } = setup();
  const t = issuer.issue('default', 'robot', {});
  assert.deepEqual(t.spec, { audiences: [ISS], expirationSeconds: 3600 });
  assert.equal(t.expirationTimestamp, '2027-01-01T01:00:00Z');
  const jwt = parseJwt(t.token)!;
  assert.equal(verifyRs256(jwt, testSigningKey().publicKey), true);
  assert.deepEqual(jwt.header, { alg: 'RS256', kid: testSigningKey().kid });
  assert.deepEqual(jwt.payload, {
    aud: [ISS], exp: NOW / 1000 + 3600, iat: NOW / 1000, iss: ISS, jti: 'jti-1',
    'kubernetes.io': { namespace: 'default', serviceaccount: { name: 'robot', uid: sa.metadata.uid } },
    nbf: NOW / 1000, sub: 'system:serviceaccount:default:robot',
  });
});

test('the requested audiences and lifetime are used; less than 10 minutes or more than 2^32 s is invalid', () => {
  const { issuer } = setup();
  const t = issuer.issue('default', 'robot', { audiences: ['vault'], expirationSeconds: 600 });
  assert.deepEqual(claimsOf(t.token).aud, ['vault']);
  assert.throws(() => issuer.issue('default', 'robot', { expirationSeconds: 599 }), (err: InvalidError) =>
    err instanceof InvalidError && err.message === 'TokenRequest.authentication.k8s.io "" is invalid: spec.expirationSeconds: Invalid value: 599: may not specify a duration less than 10 minutes');
  assert.throws(() => issuer.issue('default', 'robot', { expirationSeconds: 2 ** 32 + 1 }), /may not specify a duration larger than 2\^32 seconds/);
});

test('a missing service account is NotFound', () => {
  assert.throws(() => setup().issuer.issue('default', 'ghost', {}), (err: Error) => err instanceof NotFoundError && err.message === 'serviceaccounts "ghost" not found');
});

test('a token bound to a pod names the pod and its node; the pod must run as the account and match the uid given', () => {
  const { store, issuer } = setup();
  const node = store.create<KubeObject>('nodes', { apiVersion: 'v1', kind: 'Node', metadata: { name: 'n1' } });
  const pod = store.create<Pod>('pods', { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'default' }, spec: { serviceAccountName: 'robot', nodeName: 'n1', containers: [] } } as unknown as Pod);
  const t = issuer.issue('default', 'robot', { boundObjectRef: { kind: 'Pod', apiVersion: 'v1', name: 'p', uid: pod.metadata.uid } });
  const k = claimsOf(t.token)['kubernetes.io'] as Record<string, unknown>;
  assert.deepEqual(k.pod, { name: 'p', uid: pod.metadata.uid });
  assert.deepEqual(k.node, { name: 'n1', uid: node.metadata.uid });
  store.create('serviceaccounts', { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'other', namespace: 'default' } });
  assert.throws(() => issuer.issue('default', 'other', { boundObjectRef: { kind: 'Pod', apiVersion: 'v1', name: 'p' } }), (err: Error) =>
    err instanceof BadRequestError && err.message === 'cannot bind token for serviceaccount "other" to pod running with different serviceaccount name.');
  assert.throws(() => issuer.issue('default', 'robot', { boundObjectRef: { kind: 'Pod', apiVersion: 'v1', name: 'p', uid: 'stale' } }), (err: Error) =>
    err instanceof ConflictError && err.message === 'Operation cannot be fulfilled on Pod "p": the UID in the bound object reference (stale) does not match the UID in record. The object might have been deleted and then recreated');
  assert.throws(() => issuer.issue('default', 'robot', { boundObjectRef: { kind: 'Pod', apiVersion: 'v1', name: 'gone' } }), /pods "gone" not found/);
});

test('tokens bind to secrets and nodes too, and to nothing else', () => {
  const { store, issuer } = setup();
  const s = store.create<KubeObject>('secrets', { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's', namespace: 'default' } });
  assert.deepEqual((claimsOf(issuer.issue('default', 'robot', { boundObjectRef: { kind: 'Secret', apiVersion: 'v1', name: 's' } }).token)['kubernetes.io'] as { secret: unknown }).secret, { name: 's', uid: s.metadata.uid });
  const n = store.create<KubeObject>('nodes', { apiVersion: 'v1', kind: 'Node', metadata: { name: 'n1' } });
  assert.deepEqual((claimsOf(issuer.issue('default', 'robot', { boundObjectRef: { kind: 'Node', apiVersion: 'v1', name: 'n1' } }).token)['kubernetes.io'] as { node: unknown }).node, { name: 'n1', uid: n.metadata.uid });
  assert.throws(() => issuer.issue('default', 'robot', { boundObjectRef: { kind: 'ConfigMap', apiVersion: 'v1', name: 'c' } }), (err: Error) =>
    err instanceof BadRequestError && err.message === 'cannot bind token to object of type /v1, Kind=ConfigMap');
  assert.throws(() => issuer.issue('default', 'robot', { boundObjectRef: { kind: 'Deployment', apiVersion: 'apps/v1', name: 'd' } }), /cannot bind token to object of type apps\/v1, Kind=Deployment/);
});

test('what the issuer signs, the authenticator accepts while the account lives, and not once it is deleted', () => {
  const store = memoryStore();
  store.create('serviceaccounts', { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'robot', namespace: 'default' } });
  const sat = serviceAccountTokens({ store, key: testSigningKey(), now: () => NOW, audiences: [ISS, 'api'] });
  const t = sat.issuer.issue('default', 'robot', {});
  assert.deepEqual(claimsOf(t.token).aud, [ISS, 'api'], 'a request naming no audience gets every API audience');
  const who = sat.authenticate(t.token);
  assert.ok(who?.ok);
  assert.equal(who.user.username, 'system:serviceaccount:default:robot');
  store.delete('serviceaccounts', 'default', 'robot');
  assert.deepEqual(sat.authenticate(t.token), { ok: false, reason: 'service account token has been invalidated' });
  assert.equal(sat.authenticate('not-a-jwt'), undefined);
});
