import assert from 'node:assert/strict';
import { test } from 'node:test';
import { servedRequestKeys } from '../api/auth/served.js';
import { apiRequestSample, dryRunLabel, reportedVerb, requestScope, type RequestFacts } from './api-requests.js';

const facts = (f: Partial<RequestFacts>): RequestFacts => ({ verb: 'get', resourceRequest: true, apiGroup: '', apiVersion: 'v1', resource: 'pods', subresource: '', namespace: '', name: '', ...f });
const q = (s = '') => new URLSearchParams(s);

test('scope: resource for a named object or a create, namespace, cluster; none for other paths', () => {
  assert.equal(requestScope(facts({ name: 'p', namespace: 'default' })), 'resource');
  assert.equal(requestScope(facts({ verb: 'create', namespace: 'default' })), 'resource');
  assert.equal(requestScope(facts({ verb: 'list', namespace: 'default' })), 'namespace');
  assert.equal(requestScope(facts({ verb: 'list' })), 'cluster');
  assert.equal(requestScope(facts({ resourceRequest: false, verb: 'get', resource: '' })), '');
});

const verbCases: { name: string; method: string; f: Partial<RequestFacts>; query?: string; type?: string; want: string }[] = [
  { name: 'a GET of a named object is GET', method: 'GET', f: { name: 'p', namespace: 'default' }, want: 'GET' },
  { name: 'a GET of a collection is LIST', method: 'GET', f: { verb: 'list', namespace: 'default' }, want: 'LIST' },
  { name: 'a list pinned by metadata.name reports GET, as upstream\'s scope makes it', method: 'GET', f: { verb: 'list', namespace: 'default', name: 'p' }, want: 'GET' },
  { name: '?watch=true is WATCH', method: 'GET', f: { verb: 'watch', namespace: 'default' }, query: 'watch=true', want: 'WATCH' },
  { name: '?watch=1 is WATCH, ?watch=false is not', method: 'GET', f: { verb: 'list' }, query: 'watch=false', want: 'LIST' },
  { name: 'the legacy /watch/ prefix is WATCH', method: 'GET', f: { verb: 'watch', namespace: 'default' }, want: 'WATCH' },
  { name: 'a create is POST', method: 'POST', f: { verb: 'create', namespace: 'default' }, want: 'POST' },
  { name: 'an update is PUT', method: 'PUT', f: { verb: 'update', name: 'p' }, want: 'PUT' },
  { name: 'a server-side apply is APPLY', method: 'PATCH', f: { verb: 'patch', name: 'p' }, type: 'application/apply-patch+yaml', want: 'APPLY' },
  { name: 'a strategic merge patch is PATCH', method: 'PATCH', f: { verb: 'patch', name: 'p' }, type: 'application/strategic-merge-patch+json', want: 'PATCH' },
  { name: 'a delete collection reports its method, DELETE', method: 'DELETE', f: { verb: 'deletecollection', namespace: 'default' }, want: 'DELETE' },
  { name: 'logs are CONNECT', method: 'GET', f: { name: 'p', subresource: 'log' }, want: 'CONNECT' },
  { name: 'an unknown method is other', method: 'PROPFIND', f: { name: 'p' }, want: 'other' },
];
for (const c of verbCases) {
  test(`verb: ${c.name}`, () => {
    assert.equal(reportedVerb(c.method, facts(c.f), q(c.query), c.type), c.want);
  });
}

test('dry_run: empty without the parameter, All when asked, invalid otherwise', () => {
  assert.equal(dryRunLabel(q()), '');
  assert.equal(dryRunLabel(q('dryRun=All&dryRun=All')), 'All');
  assert.equal(dryRunLabel(q('dryRun=Some')), 'invalid');
});

test('a finished resource request gives its labels, code and seconds; a non-resource request nothing', () => {
  const served = servedRequestKeys();
  const s = apiRequestSample({ method: 'POST', query: q('dryRun=All') }, facts({ verb: 'create', apiGroup: 'storage.k8s.io', resource: 'storageclasses' }), 201, 0.012, served);
  assert.deepEqual(s, { verb: 'POST', dryRun: 'All', group: 'storage.k8s.io', version: 'v1', resource: 'storageclasses', subresource: '', scope: 'resource', code: 201, seconds: 0.012 });
  assert.equal(apiRequestSample({ method: 'GET', query: q() }, facts({ resourceRequest: false }), 200, 0.001, served), undefined);
});

test('a request for a group, version or resource nobody serves mints no series', () => {
  const served = servedRequestKeys();
  for (const f of [
    { apiGroup: 'g0.example', apiVersion: 'v9', resource: 'things0' },
    { apiGroup: 'storage.k8s.io', apiVersion: 'v9', resource: 'storageclasses' },
    { apiGroup: '', apiVersion: 'v1', resource: 'pods', subresource: 'nonsense' },
  ]) {
    assert.equal(apiRequestSample({ method: 'GET', query: q() }, facts({ verb: 'get', ...f }), 404, 0.001, served), undefined, JSON.stringify(f));
  }
  for (const f of [
    { apiGroup: '', apiVersion: 'v1', resource: 'pods', subresource: 'log' },
    { apiGroup: 'events.k8s.io', apiVersion: 'v1', resource: 'events' },
    { apiGroup: 'metrics.k8s.io', apiVersion: 'v1beta1', resource: 'pods' },
    { apiGroup: 'authentication.k8s.io', apiVersion: 'v1beta1', resource: 'selfsubjectreviews' },
  ]) {
    assert.ok(apiRequestSample({ method: 'GET', query: q() }, facts({ verb: 'get', ...f }), 200, 0.001, served), JSON.stringify(f));
  }
});
