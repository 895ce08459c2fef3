import { test } from 'node:test';
import assert from 'node:assert/strict';
import { audienceProblem, makeClaims, readClaims, timeProblem, userOf } from './claims.js';

const base = {
  issuer: 'https://kubernetes.default.svc.cluster.local',
  audiences: ['https://kubernetes.default.svc.cluster.local'],
  expirationSeconds: 3600,
  now: 1_800_000_000,
  jti: '3f6c2a8e-0000-4000-8000-000000000001',
  namespace: 'default',
  serviceAccount: { name: 'robot', uid: 'sa-uid' },
};

test('an unbound token names the account and its namespace, valid from now for its lifetime', () => {
  assert.deepEqual(makeClaims(base), {
    aud: ['https://kubernetes.default.svc.cluster.local'],
    exp: 1_800_003_600,
    iat: 1_800_000_000,
    iss: 'https://kubernetes.default.svc.cluster.local',
    jti: base.jti,
    'kubernetes.io': { namespace: 'default', serviceaccount: { name: 'robot', uid: 'sa-uid' } },
    nbf: 1_800_000_000,
    sub: 'system:serviceaccount:default:robot',
  });
});

test('a pod-bound token carries the pod and its node; a secret- or node-bound one only its object', () => {
  const pod = { name: 'p', uid: 'pu' };
  const node = { name: 'n', uid: 'nu' };
  assert.deepEqual(makeClaims({ ...base, pod, node })['kubernetes.io'], { namespace: 'default', serviceaccount: base.serviceAccount, pod, node });
  assert.deepEqual(makeClaims({ ...base, secret: { name: 's', uid: 'su' } })['kubernetes.io'].secret, { name: 's', uid: 'su' });
  assert.deepEqual(makeClaims({ ...base, node })['kubernetes.io'], { namespace: 'default', serviceaccount: base.serviceAccount, node });
});

test('the user of a pod-bound token: the account, its groups, and the pod, node and credential as extra', () => {
  const c = makeClaims({ ...base, pod: { name: 'p', uid: 'pu' }, node: { name: 'n', uid: 'nu' } });
  assert.deepEqual(userOf(c), {
    username: 'system:serviceaccount:default:robot',
    uid: 'sa-uid',
    groups: ['system:serviceaccounts', 'system:serviceaccounts:default', 'system:authenticated'],
    extra: {
      'authentication.kubernetes.io/credential-id': [`JTI=${base.jti}`],
      'authentication.kubernetes.io/pod-name': ['p'],
      'authentication.kubernetes.io/pod-uid': ['pu'],
      'authentication.kubernetes.io/node-name': ['n'],
      'authentication.kubernetes.io/node-uid': ['nu'],
    },
  });
});

test('times are checked with go-jose\'s one-minute leeway', () => {
  const c = makeClaims(base);
  assert.equal(timeProblem(c, base.now), undefined);
  assert.equal(timeProblem(c, c.exp + 60), undefined, 'a minute past exp is still within the leeway');
  assert.equal(timeProblem(c, c.exp + 61), 'service account token has expired');
  assert.equal(timeProblem(c, base.now - 60), undefined);
  assert.equal(timeProblem(c, base.now - 61), 'service account token is not valid yet');
  assert.equal(timeProblem({ ...c, nbf: 0 }, base.now - 61), 'service account token is issued in the future');
});

test('a token is for this API when one of its audiences is one of the API\'s', () => {
  const c = makeClaims({ ...base, audiences: ['vault', 'api'] });
  assert.equal(audienceProblem(c, ['https://kubernetes.default.svc.cluster.local', 'api']), undefined);
  assert.equal(audienceProblem(c, ['https://kubernetes.default.svc.cluster.local']), 'token audiences ["vault" "api"] is invalid for the target audiences ["https://kubernetes.default.svc.cluster.local"]');
});

test('claims read back from a payload; a payload without the kubernetes.io claim, or naming another subject, is refused', () => {
  const c = makeClaims(base);
  assert.deepEqual(readClaims(JSON.parse(JSON.stringify(c))), c);
  assert.deepEqual(readClaims({ ...c, aud: 'single' }), { ...c, aud: ['single'] });
  assert.equal(readClaims({ ...c, 'kubernetes.io': undefined }), 'token could not be validated.');
  assert.equal(readClaims({ ...c, sub: 'system:serviceaccount:default:other' }), 'token could not be validated.');
  assert.equal(readClaims({ ...c, exp: undefined }), 'service account token has no expiry');
});
