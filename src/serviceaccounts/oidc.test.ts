import { test } from 'node:test';
import assert from 'node:assert/strict';
import { jwksUri } from './oidc.js';

test('the keys\' URL is on the API\'s serving address, else on the issuer\'s URL, as kube-apiserver\'s default', () => {
  assert.equal(jwksUri('10.0.0.5:6443', 'https://kubernetes.default.svc.cluster.local'), 'https://10.0.0.5:6443/openid/v1/jwks');
  assert.equal(jwksUri('[::1]:6443', 'https://issuer.example/'), 'https://[::1]:6443/openid/v1/jwks');
  assert.equal(jwksUri('', 'https://issuer.example/'), 'https://issuer.example/openid/v1/jwks');
});
