import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject, Pod } from '../k8s/types.js';
import { InvalidError } from '../errors.js';
import { HttpStatusError } from '../api/api-errors.js';
import { admitServiceAccount } from './admission.js';
import { memoryStore } from './test-fixtures.js';

const pod = (spec: Partial<Pod['spec']> = {}): Pod =>
  ({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'default' }, spec: { containers: [{ name: 'c', image: 'x' }], ...spec } }) as Pod;

function store(sa: Record<string, unknown> = {}) {
  const s = memoryStore();
  s.create<KubeObject>('serviceaccounts', { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'robot', namespace: 'default' }, ...sa });
  return s;
}

test('refuses a pod whose service account does not exist, with upstream\'s 403 text', () => {
  assert.throws(() => admitServiceAccount(store(), pod({ serviceAccountName: 'ghost' })), (err: HttpStatusError) =>
    err instanceof HttpStatusError && err.httpCode === 403 && err.message === 'pods "p" is forbidden: error looking up service account default/ghost: serviceaccount "ghost" not found');
});

test('a pod naming no account runs as "default"', () => {
  const s = store();
  s.create('serviceaccounts', { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'default', namespace: 'default' } });
  const p = pod();
  admitServiceAccount(s, p);
  assert.equal(p.spec.serviceAccountName, 'default');
});

test('a pod naming no imagePullSecrets gets its account\'s; one naming some keeps its own', () => {
  const s = store({ imagePullSecrets: [{ name: 'regcred' }] });
  const p = pod({ serviceAccountName: 'robot' });
  admitServiceAccount(s, p);
  assert.deepEqual(p.spec.imagePullSecrets, [{ name: 'regcred' }]);
  const own = pod({ serviceAccountName: 'robot', imagePullSecrets: [{ name: 'mine' }] });
  admitServiceAccount(s, own);
  assert.deepEqual(own.spec.imagePullSecrets, [{ name: 'mine' }]);
});

test('an explicit request to mount the API credentials is refused with a field error, not silently dropped', () => {
  const onPod = () => admitServiceAccount(store(), pod({ serviceAccountName: 'robot', automountServiceAccountToken: true }));
  assert.throws(onPod, (err: InvalidError) => err instanceof InvalidError && err.causes[0].field === 'spec.automountServiceAccountToken' && err.causes[0].type === 'FieldValueForbidden');
  const viaAccount = () => admitServiceAccount(store({ automountServiceAccountToken: true }), pod({ serviceAccountName: 'robot' }));
  assert.throws(viaAccount, /service account "robot" sets automountServiceAccountToken: true/);
  // The pod's false overrides its account's true; unset on both is simply not mounting.
  admitServiceAccount(store({ automountServiceAccountToken: true }), pod({ serviceAccountName: 'robot', automountServiceAccountToken: false }));
  admitServiceAccount(store(), pod({ serviceAccountName: 'robot' }));
});

test('a pod naming its account only by the deprecated serviceAccount runs as it and gets its imagePullSecrets', () => {
  const p = pod({ serviceAccount: 'robot' });
  admitServiceAccount(store({ imagePullSecrets: [{ name: 'regcred' }] }), p);
  assert.equal(p.spec.serviceAccountName, 'robot');
  assert.equal(p.spec.serviceAccount, 'robot');
  assert.deepEqual(p.spec.imagePullSecrets, [{ name: 'regcred' }]);
});
