import { test } from 'node:test';
import assert from 'node:assert/strict';
import { aggregatedCore, legacyResourceList, negotiateAggregated } from './discovery.js';

const V2BETA1 = 'application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList';
const V2 = 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList';

test('kubectl 1.27-1.29 get v2beta1 with the media type echoed', () => {
  assert.deepEqual(negotiateAggregated(`${V2BETA1},application/json`), { version: 'v2beta1', contentType: V2BETA1 });
});

test('kubectl 1.30+ get v2, listed first', () => {
  assert.deepEqual(negotiateAggregated(`${V2},${V2BETA1},application/json`), { version: 'v2', contentType: V2 });
});

test('a plain JSON accept gets legacy discovery', () => {
  assert.equal(negotiateAggregated('application/json, */*'), undefined);
  assert.equal(negotiateAggregated(undefined), undefined);
});

test('protobuf variants are skipped in favour of the JSON one', () => {
  const accept = `application/vnd.kubernetes.protobuf;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,${V2}`;
  assert.equal(negotiateAggregated(accept)?.version, 'v2');
});

test('pods carry all verbs, short names, categories and the eviction subresource in policy/v1', () => {
  const list = legacyResourceList() as { resources: Record<string, unknown>[] };
  const pods = list.resources.find((r) => r.name === 'pods')!;
  assert.deepEqual(pods.shortNames, ['po']);
  assert.deepEqual(pods.categories, ['all']);
  assert.equal((pods.verbs as string[]).length, 8);
  const ev = list.resources.find((r) => r.name === 'pods/eviction')!;
  assert.deepEqual([ev.group, ev.version, ev.kind], ['policy', 'v1', 'Eviction']);
});

test('the aggregated core group lists pod subresources with their response kinds', () => {
  const doc = aggregatedCore('v2') as { apiVersion: string; items: { versions: { resources: Record<string, unknown>[] }[] }[] };
  assert.equal(doc.apiVersion, 'apidiscovery.k8s.io/v2');
  const pods = doc.items[0].versions[0].resources.find((r) => r.resource === 'pods')!;
  assert.equal(pods.scope, 'Namespaced');
  const subs = pods.subresources as { subresource: string; responseKind: { kind: string } }[];
  assert.deepEqual(subs.map((s) => s.subresource), ['status', 'log', 'exec', 'attach', 'portforward', 'ephemeralcontainers', 'binding', 'eviction', 'anatomy']);
  assert.equal(subs.find((s) => s.subresource === 'exec')!.responseKind.kind, 'PodExecOptions');
  // peapod's own subresource names its own group and kind (issue 16).
  assert.deepEqual(subs.find((s) => s.subresource === 'anatomy')!.responseKind, { group: 'peapod.dev', version: 'v1', kind: 'PodAnatomy' });
});
