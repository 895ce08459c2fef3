import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { keyIdOf, parseJwt, publicJwk, signJwt, verifyRs256 } from './jwt.js';

const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const other = generateKeyPairSync('rsa', { modulusLength: 2048 });

test('a signed token parses back to its header and claims and verifies with its public key', () => {
  const token = signJwt({ sub: 'x', aud: ['a'] }, privateKey, 'kid-1');
  const jwt = parseJwt(token)!;
  assert.deepEqual(jwt.header, { alg: 'RS256', kid: 'kid-1' });
  assert.deepEqual(jwt.payload, { sub: 'x', aud: ['a'] });
  assert.equal(verifyRs256(jwt, publicKey), true);
});

test('a token signed by another key, or with its claims changed, does not verify', () => {
  const token = signJwt({ sub: 'x' }, other.privateKey, 'k');
  assert.equal(verifyRs256(parseJwt(token)!, publicKey), false);
  const [h, , s] = signJwt({ sub: 'x' }, privateKey, 'k').split('.');
  const forged = `${h}.${Buffer.from(JSON.stringify({ sub: 'system:admin' })).toString('base64url')}.${s}`;
  assert.equal(verifyRs256(parseJwt(forged)!, publicKey), false);
});

test('a token whose header names another algorithm is refused whatever its signature', () => {
  const body = Buffer.from(JSON.stringify({ sub: 'x' })).toString('base64url');
  const none = `${Buffer.from(JSON.stringify({ alg: 'none' })).toString('base64url')}.${body}.`;
  assert.equal(verifyRs256(parseJwt(none)!, publicKey), false);
});

test('what is not a compact JWS of JSON objects is not parsed', () => {
  for (const t of ['', 'abc', 'a.b', 'a.b.c.d', 'not base64!.x.y', `${Buffer.from('[1]').toString('base64url')}.e30.`]) assert.equal(parseJwt(t), undefined, t);
});

test('the key id is the base64url SHA-256 of the public key, as kube-apiserver names it, and the JWK carries it', () => {
  const kid = keyIdOf(publicKey);
  assert.match(kid, /^[A-Za-z0-9_-]{43}$/);
  const jwk = publicJwk(publicKey);
  assert.equal(jwk.kid, kid);
  assert.equal(jwk.alg, 'RS256');
  assert.equal(jwk.use, 'sig');
  assert.equal(jwk.kty, 'RSA');
  assert.equal(jwk.e, 'AQAB');
});

test('an HS256 token whose HMAC secret is the public key\'s PEM is refused (algorithm confusion)', async () => {
  const { createHmac } = await import('node:crypto');
  const pem = publicKey.export({ type: 'spki', format: 'pem' });
  const input = `${Buffer.from(JSON.stringify({ alg: 'HS256', kid: keyIdOf(publicKey) })).toString('base64url')}.${Buffer.from(JSON.stringify({ sub: 'system:serviceaccount:kube-system:admin' })).toString('base64url')}`;
  const token = `${input}.${createHmac('sha256', pem).update(input).digest('base64url')}`;
  const jwt = parseJwt(token)!;
  assert.equal(jwt.header.alg, 'HS256');
  assert.equal(verifyRs256(jwt, publicKey), false);
});
