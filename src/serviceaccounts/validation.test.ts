import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../k8s/types.js';
import { applyDefaults } from '../api/defaults.js';
import { validateCreate, validateUpdate } from '../api/validation/index.js';
import { authenticate } from '../api/auth/authn.js';

const tokenPod = (source: Record<string, unknown>): KubeObject => {
  const pod = {
    apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'default' },
    spec: { containers: [{ name: 'c', image: 'x' }], volumes: [{ name: 'v', projected: { sources: [{ serviceAccountToken: source }] } }] },
  } as unknown as KubeObject;
  applyDefaults('pods', pod);
  return pod;
};

test('a projected token lifetime defaults to an hour', () => {
  const pod = tokenPod({ path: 'token' }) as unknown as { spec: { volumes: { projected: { sources: { serviceAccountToken: { expirationSeconds: number } }[] } }[] } };
  assert.equal(pod.spec.volumes[0].projected.sources[0].serviceAccountToken.expirationSeconds, 3600);
  assert.deepEqual(validateCreate('pods', pod as unknown as KubeObject), []);
});

test('a projected token of less than 10 minutes, or without a path, is invalid as upstream words it', () => {
  assert.deepEqual(validateCreate('pods', tokenPod({ path: 'token', expirationSeconds: 300 })).map((c) => `${c.field}: ${c.message}`), [
    'spec.volumes[0].projected.sources[0].serviceAccountToken.expirationSeconds: Invalid value: 300: may not specify a duration less than 10 minutes',
  ]);
  assert.deepEqual(validateCreate('pods', tokenPod({ audience: 'api' })).map((c) => `${c.field}: ${c.message}`), ['spec.volumes[0].projected.sources[0].path: Required value']);
  assert.deepEqual(validateCreate('pods', tokenPod({ path: '../escape' })).map((c) => c.field), ['spec.volumes[0].projected.sources[0].path', 'spec.volumes[0].projected.sources[0].path']);
});

test('a ServiceAccount\'s name is a DNS subdomain', () => {
  const sa = (name: string): KubeObject => ({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name, namespace: 'default' } });
  assert.deepEqual(validateCreate('serviceaccounts', sa('build-bot.ci')), []);
  assert.match(validateCreate('serviceaccounts', sa('Build_Bot'))[0].message, /a lowercase RFC 1123 subdomain/);
  const old = { ...sa('robot'), metadata: { ...sa('robot').metadata, uid: 'u', resourceVersion: '1', creationTimestamp: '2026-01-01T00:00:00Z' } };
  assert.deepEqual(validateUpdate('serviceaccounts', { ...old, automountServiceAccountToken: false } as KubeObject, old), []);
});

test('authentication asks the service account authenticator about a bearer token the token file does not hold', () => {
  const user = { username: 'system:serviceaccount:default:robot', groups: ['system:serviceaccounts', 'system:authenticated'] };
  const serviceAccountTokens = (t: string) => (t === 'jwt' ? { ok: true as const, method: 'token' as const, user } : t === 'expired' ? { ok: false as const, reason: 'service account token has expired' } : undefined);
  assert.deepEqual(authenticate({ authorization: 'Bearer jwt', tokens: new Map(), serviceAccountTokens }), { ok: true, method: 'token', user });
  assert.deepEqual(authenticate({ authorization: 'Bearer expired', tokens: new Map(), serviceAccountTokens }), { ok: false, reason: 'service account token has expired' });
  assert.deepEqual(authenticate({ authorization: 'Bearer other', tokens: new Map(), serviceAccountTokens }), { ok: false, reason: 'invalid bearer token' });
});

test('a legacy service account token Secret is refused at create, naming its type, since no tokens controller fills it', () => {
  const secret = (type: string): KubeObject => ({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 's', namespace: 'default', annotations: { 'kubernetes.io/service-account.name': 'default' } }, type });
  const causes = validateCreate('secrets', secret('kubernetes.io/service-account-token'));
  assert.deepEqual(causes.map((c) => [c.field, c.type]), [['type', 'FieldValueForbidden']]);
  assert.match(causes[0].message, /kubectl create token/);
  assert.deepEqual(validateCreate('secrets', secret('Opaque')), []);
});
