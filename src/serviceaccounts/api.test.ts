import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createPublicKey } from 'node:crypto';
import { startHarness, type ApiHarness } from '../api/testing/harness.js';
import { parseJwt, verifyRs256 } from './jwt.js';

const ISS = 'https://kubernetes.default.svc.cluster.local';

describe('service accounts through the API', () => {
  let h: ApiHarness;
  before(() => {
    h = startHarness();
  });
  after(() => h.close());

  const post = (url: string, body: unknown, who: Parameters<ApiHarness['request']>[0] = 'admin') =>
    h.request(who, { method: 'POST', url, headers: { 'content-type': 'application/json' }, payload: JSON.stringify(body) });
  const requestToken = async (spec: Record<string, unknown> = {}) => {
    const r = await post('/api/v1/namespaces/default/serviceaccounts/default/token', { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec });
    assert.equal(r.statusCode, 201, r.body);
    return r.json();
  };

  it('answers a TokenRequest with the defaulted spec and the token in its status', async () => {
    const tr = await requestToken();
    assert.equal(tr.kind, 'TokenRequest');
    assert.equal(tr.apiVersion, 'authentication.k8s.io/v1');
    assert.deepEqual(tr.spec, { audiences: [ISS], expirationSeconds: 3600 });
    assert.match(tr.status.expirationTimestamp, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    assert.equal(parseJwt(tr.status.token)?.payload.sub, 'system:serviceaccount:default:default');
  });

  it('refuses a lifetime under 10 minutes with 422 naming the field, and an unknown account with 404', async () => {
    const r = await post('/api/v1/namespaces/default/serviceaccounts/default/token', { spec: { expirationSeconds: 60 } });
    assert.equal(r.statusCode, 422);
    assert.equal(r.json().message, 'TokenRequest.authentication.k8s.io "" is invalid: spec.expirationSeconds: Invalid value: 60: may not specify a duration less than 10 minutes');
    assert.equal(r.json().details.causes[0].field, 'spec.expirationSeconds');
    const missing = await post('/api/v1/namespaces/default/serviceaccounts/ghost/token', {});
    assert.equal(missing.statusCode, 404);
    assert.equal(missing.json().message, 'serviceaccounts "ghost" not found');
  });

  it('looks the account up before validating the spec: a missing account with a 5m lifetime is 404', async () => {
    const r = await post('/api/v1/namespaces/default/serviceaccounts/ghost/token', { spec: { expirationSeconds: 300 } });
    assert.equal(r.statusCode, 404, r.body);
    assert.equal(r.json().message, 'serviceaccounts "ghost" not found');
  });

  it('refuses a body whose metadata.name is not the account with upstream\'s 422', async () => {
    const r = await post('/api/v1/namespaces/default/serviceaccounts/default/token', { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', metadata: { name: 'other' }, spec: {} });
    assert.equal(r.statusCode, 422, r.body);
    assert.equal(r.json().message, 'TokenRequest.authentication.k8s.io "default" is invalid: metadata.name: Invalid value: "other": must match the service account name if specified');
    assert.equal(r.json().details.causes[0].field, 'metadata.name');
    const same = await post('/api/v1/namespaces/default/serviceaccounts/default/token', { metadata: { name: 'default' }, spec: {} });
    assert.equal(same.statusCode, 201, same.body);
  });

  it('gives the answered TokenRequest its issue time as creationTimestamp', async () => {
    const tr = await requestToken();
    assert.match(tr.metadata.creationTimestamp, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    const iat = parseJwt(tr.status.token)?.payload.iat as number;
    assert.equal(tr.metadata.creationTimestamp, new Date(iat * 1000).toISOString().replace('.000Z', 'Z'));
  });

  it('lists the token subresource in discovery as authentication.k8s.io/v1 TokenRequest', async () => {
    const rl = (await h.request('admin', { method: 'GET', url: '/api/v1' })).json();
    const sa = rl.resources.find((r: { name: string }) => r.name === 'serviceaccounts');
    assert.deepEqual(sa.shortNames, ['sa']);
    assert.deepEqual(rl.resources.find((r: { name: string }) => r.name === 'serviceaccounts/token'), {
      name: 'serviceaccounts/token', singularName: '', namespaced: true, kind: 'TokenRequest', verbs: ['create'], group: 'authentication.k8s.io', version: 'v1',
    });
  });

  it('authenticates the token as the account: self reviews allowed, pods forbidden', async () => {
    const { status } = await requestToken();
    const who = { token: status.token };
    const review = await post('/apis/authentication.k8s.io/v1/selfsubjectreviews', { apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview' }, who);
    assert.equal(review.statusCode, 201, review.body);
    assert.equal(review.json().status.userInfo.username, 'system:serviceaccount:default:default');
    const pods = await h.request(who, { method: 'GET', url: '/api/v1/namespaces/default/pods' });
    assert.equal(pods.statusCode, 403);
    assert.equal(pods.json().message, 'pods is forbidden: User "system:serviceaccount:default:default" cannot list resource "pods" in API group "" in the namespace "default"');
  });

  it('serves the issuer\'s OpenID configuration and keys to service accounts; the keys verify its tokens', async () => {
    const { status } = await requestToken();
    const who = { token: status.token };
    // The Host header a client sends never makes the (publicly cacheable) keys' URL.
    const cfg = await h.request(who, { method: 'GET', url: '/.well-known/openid-configuration', headers: { host: 'evil.example:6443' } });
    assert.equal(cfg.statusCode, 200);
    assert.equal(cfg.headers['cache-control'], 'public, max-age=3600');
    assert.deepEqual(cfg.json(), {
      issuer: ISS, jwks_uri: `${ISS}/openid/v1/jwks`, // an API not listening has only its issuer's URL
      response_types_supported: ['id_token'], subject_types_supported: ['public'], id_token_signing_alg_values_supported: ['RS256'],
    });
    const keys = await h.request(who, { method: 'GET', url: '/openid/v1/jwks' });
    assert.equal(keys.headers['content-type'], 'application/jwk-set+json');
    const [jwk] = keys.json().keys;
    const jwt = parseJwt(status.token)!;
    assert.equal(jwt.header.kid, jwk.kid);
    assert.equal(verifyRs256(jwt, createPublicKey({ key: jwk, format: 'jwk' })), true);
    assert.equal((await h.request('anonymous', { method: 'GET', url: '/openid/v1/jwks' })).statusCode, 401);
  });
});
