import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { authenticate, parseTokenFile, type PeerCertificate } from './authn.js';
import { OID_CLIENT_AUTH } from './cert-facts.js';

const tokens = parseTokenFile('t1,alice,100,"system:masters,dev"\nt2,bob,101\n');
const goodCert: PeerCertificate = { authorized: true, commonName: 'carol', organizations: ['peapod:viewers'], extKeyUsage: [OID_CLIENT_AUTH] };

describe('authenticate', () => {
  it('takes the user from a verified client certificate: CN is the name, O the groups', () => {
    const r = authenticate({ peer: goodCert, tokens });
    assert.deepEqual(r, { ok: true, method: 'x509', user: { username: 'carol', groups: ['peapod:viewers', 'system:authenticated'] } });
  });

  it('refuses a certificate the TLS layer could not verify (expired, foreign CA)', () => {
    const r = authenticate({ peer: { ...goodCert, authorized: false, authorizationError: 'CERT_HAS_EXPIRED' }, tokens });
    assert.equal(r.ok, false);
    assert.match((r as { reason: string }).reason, /CERT_HAS_EXPIRED/);
  });

  it('refuses a certificate made for serving, not for clients', () => {
    const r = authenticate({ peer: { ...goodCert, extKeyUsage: ['1.3.6.1.5.5.7.3.1'] }, tokens });
    assert.equal(r.ok, false);
  });

  it('takes the user from a bearer token in the token file', () => {
    const r = authenticate({ authorization: 'Bearer t1', tokens });
    assert.deepEqual(r, { ok: true, method: 'token', user: { username: 'alice', uid: '100', groups: ['system:masters', 'dev', 'system:authenticated'] } });
  });

  it('reads the scheme case-insensitively', () => {
    assert.equal(authenticate({ authorization: 'bearer t2', tokens }).ok, true);
  });

  it('refuses an unknown or empty token instead of falling back to anonymous', () => {
    assert.equal(authenticate({ authorization: 'Bearer nope', tokens }).ok, false);
    assert.equal(authenticate({ authorization: 'Bearer ', tokens }).ok, false);
  });

  it('lets a valid token through when the certificate failed, as kube-apiserver\'s union does', () => {
    const r = authenticate({ peer: { ...goodCert, authorized: false }, authorization: 'Bearer t2', tokens });
    assert.equal(r.ok && r.user.username, 'bob');
  });

  it('makes a request with no credentials anonymous', () => {
    assert.deepEqual(authenticate({ tokens }), { ok: true, method: 'anonymous', user: { username: 'system:anonymous', groups: ['system:unauthenticated'] } });
  });

  it('ignores another scheme (Basic is not supported)', () => {
    assert.equal(authenticate({ authorization: 'Basic YTpi', tokens }).ok && 'anonymous', 'anonymous');
  });
});

describe('parseTokenFile', () => {
  it('skips blank lines and comments, and reads quoted group lists', () => {
    const t = parseTokenFile('# tokens\n\nabc,dave,7,"a,b"\n');
    assert.deepEqual(t.get('abc'), { username: 'dave', uid: '7', groups: ['a', 'b'] });
  });

  it('names the line of a row with fewer than three columns', () => {
    assert.throws(() => parseTokenFile('ok,u,1\nbad,row\n', '/etc/tokens.csv'), /\/etc\/tokens.csv:2: must have at least 3 columns/);
  });

  it('refuses a duplicate token and an unterminated quote', () => {
    assert.throws(() => parseTokenFile('a,u,1\na,v,2\n'), /:2: duplicate token/);
    assert.throws(() => parseTokenFile('a,u,1,"g\n'), /unterminated quote/);
  });
});
