import assert from 'node:assert/strict';
import { after, before, describe, it, test } from 'node:test';
import { startHarness, type ApiHarness } from './testing/harness.js';
import type { NodeUsage, PodUsage, ResourceMetricsSource } from '../metrics/rates.js';
import { metricsFieldSelector, parseMetricsPath } from './metrics-api.js';

const SAMPLED = Date.UTC(2026, 0, 1, 0, 0, 10);

/** Usage for the pods and nodes named; none for the others (not yet sampled twice). */
function source(pods: Record<string, PodUsage>, nodes: Record<string, NodeUsage>): ResourceMetricsSource {
  return { podUsage: (ns, name) => pods[`${ns}/${name}`], nodeUsage: (name) => nodes[name] };
}

const podUsage = (cpu: number, mem: number): PodUsage => ({ timestamp: SAMPLED, windowMs: 15_000, containers: [{ name: 'app', usage: { cpuNanoCores: cpu, memoryBytes: mem } }] });

test('metrics paths name pods (all, a namespace\'s, one) and nodes (all, one); anything else nothing', () => {
  assert.deepEqual(parseMetricsPath('pods'), { resource: 'pods' });
  assert.deepEqual(parseMetricsPath('namespaces/default/pods'), { resource: 'pods', namespace: 'default' });
  assert.deepEqual(parseMetricsPath('namespaces/default/pods/web'), { resource: 'pods', namespace: 'default', name: 'web' });
  assert.deepEqual(parseMetricsPath('nodes/n1'), { resource: 'nodes', name: 'n1' });
  for (const p of ['pods/web', 'namespaces/default/nodes', 'namespaces/default/pods/web/status', 'services', 'nodes/n1/x', '']) {
    assert.equal(parseMetricsPath(p), undefined, p);
  }
});

test('a metrics field selector takes metadata.name and metadata.namespace only, in the apiserver\'s words', () => {
  assert.deepEqual(metricsFieldSelector('metadata.name=web,metadata.namespace!=kube-system').map((r) => r.field), ['metadata.name', 'metadata.namespace']);
  assert.throws(() => metricsFieldSelector('spec.nodeName=n1'), /^BadRequestError: "spec\.nodeName" is not a known field selector: only "metadata\.name", "metadata\.namespace"$/);
});

describe('metrics.k8s.io through the API', () => {
  let h: ApiHarness;
  const get = (url: string, who: 'admin' | 'viewer' | 'nobody' = 'admin', accept?: string) =>
    h.request(who, { method: 'GET', url, ...(accept ? { headers: { accept } } : {}) });

  before(() => {
    h = startHarness({
      resourceMetrics: source(
        { 'default/web': podUsage(250_000_000, 41943040), 'kube-system/dns': podUsage(1_000_000, 1 << 20), 'default/other': podUsage(2_000_000, 2 << 20) },
        { 'node-1': { timestamp: SAMPLED, windowMs: 15_000, usage: { cpuNanoCores: 1_500_000_000, memoryBytes: 1 << 30 } } },
      ),
    });
    const pod = (namespace: string, name: string, labels: Record<string, string>) =>
      h.store.create('pods', { apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace, labels }, spec: { containers: [{ name: 'app', image: 'busybox' }] } });
    pod('default', 'web', { app: 'web' });
    pod('default', 'other', { app: 'other' });
    pod('default', 'fresh', { app: 'web' });
    pod('kube-system', 'dns', { app: 'dns' });
    h.store.create('nodes', { apiVersion: 'v1', kind: 'Node', metadata: { name: 'node-1', labels: { 'kubernetes.io/hostname': 'node-1' } } });
    h.store.create('nodes', { apiVersion: 'v1', kind: 'Node', metadata: { name: 'node-2' } });
  });
  after(() => h.close());

  it('gets one pod\'s metrics', async () => {
    const r = await get('/apis/metrics.k8s.io/v1beta1/namespaces/default/pods/web');
    assert.equal(r.statusCode, 200, r.payload);
    const pm = r.json();
    assert.equal(pm.kind, 'PodMetrics');
    assert.deepEqual(pm.metadata.labels, { app: 'web' });
    assert.deepEqual(pm.containers, [{ name: 'app', usage: { cpu: '250m', memory: '40Mi' } }]);
    assert.equal(pm.window, '15s');
  });

  it('answers a pod not yet sampled twice, and a pod that does not exist, as metrics-server does', async () => {
    const fresh = await get('/apis/metrics.k8s.io/v1beta1/namespaces/default/pods/fresh');
    assert.equal(fresh.statusCode, 404);
    assert.equal(fresh.json().message, 'podmetrics.metrics.k8s.io "default/fresh" not found');
    const missing = await get('/apis/metrics.k8s.io/v1beta1/namespaces/default/pods/nope');
    assert.equal(missing.json().message, 'pods "nope" not found');
    const node = await get('/apis/metrics.k8s.io/v1beta1/nodes/node-2');
    assert.equal(node.json().message, 'nodemetrics.metrics.k8s.io "node-2" not found');
    assert.equal((await get('/apis/metrics.k8s.io/v1beta1/nodes/node-9')).json().message, 'node "node-9" not found');
  });

  it('lists a namespace\'s sampled pods, by name, leaving out the unsampled', async () => {
    const list = (await get('/apis/metrics.k8s.io/v1beta1/namespaces/default/pods')).json();
    assert.equal(list.kind, 'PodMetricsList');
    assert.deepEqual(list.metadata, {});
    assert.deepEqual(list.items.map((i: { metadata: { name: string } }) => i.metadata.name), ['other', 'web']);
  });

  it('lists across namespaces, with label and field selectors', async () => {
    const names = async (q: string) => (await get(`/apis/metrics.k8s.io/v1beta1/pods${q}`)).json().items.map((i: { metadata: { namespace: string; name: string } }) => `${i.metadata.namespace}/${i.metadata.name}`);
    assert.deepEqual(await names(''), ['default/other', 'default/web', 'kube-system/dns']);
    assert.deepEqual(await names('?labelSelector=app%3Dweb'), ['default/web']);
    assert.deepEqual(await names('?labelSelector=app%20in%20(web,dns)'), ['default/web', 'kube-system/dns']);
    assert.deepEqual(await names('?fieldSelector=metadata.namespace%3Dkube-system'), ['kube-system/dns']);
    assert.deepEqual(await names('?fieldSelector=metadata.name%21%3Dweb'), ['default/other', 'kube-system/dns']);
    const bad = await get('/apis/metrics.k8s.io/v1beta1/pods?fieldSelector=status.phase%3DRunning');
    assert.equal(bad.statusCode, 400);
  });

  it('lists and gets node metrics', async () => {
    const list = (await get('/apis/metrics.k8s.io/v1beta1/nodes')).json();
    assert.equal(list.kind, 'NodeMetricsList');
    assert.deepEqual(list.items.map((i: { metadata: { name: string }; usage: unknown }) => [i.metadata.name, i.usage]), [['node-1', { cpu: '1500m', memory: '1Gi' }]]);
    assert.equal((await get('/apis/metrics.k8s.io/v1beta1/nodes/node-1')).json().kind, 'NodeMetrics');
  });

  it('answers kubectl get with metrics-server\'s Table', async () => {
    const t = (await get('/apis/metrics.k8s.io/v1beta1/namespaces/default/pods', 'admin', 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json')).json();
    assert.equal(t.kind, 'Table');
    assert.deepEqual(t.rows.map((r: { cells: unknown[] }) => r.cells), [['other', '2m', '2Mi', '15s'], ['web', '250m', '40Mi', '15s']]);
    assert.equal(t.rows[0].object.kind, 'PartialObjectMetadata');
  });

  it('serves only get and list', async () => {
    const r = await h.request('admin', { method: 'DELETE', url: '/apis/metrics.k8s.io/v1beta1/namespaces/default/pods/web' });
    assert.equal(r.statusCode, 405);
    assert.equal((await get('/apis/metrics.k8s.io/v1beta1/pods?watch=true')).statusCode, 405);
    assert.equal((await get('/apis/metrics.k8s.io/v1beta1/namespaces/default/pods/web/status')).statusCode, 404);
  });

  it('is authorized like any resource: a viewer may read it, a user without rules may not', async () => {
    assert.equal((await get('/apis/metrics.k8s.io/v1beta1/pods', 'viewer')).statusCode, 200);
    const denied = await get('/apis/metrics.k8s.io/v1beta1/pods', 'nobody');
    assert.equal(denied.statusCode, 403);
    assert.match(denied.json().message, /cannot list resource "pods" in API group "metrics\.k8s\.io" at the cluster scope/);
  });

  it('is in discovery: the group list, the group, its resource list and aggregated discovery', async () => {
    const groups = (await get('/apis')).json();
    assert.ok(groups.groups.some((g: { name: string }) => g.name === 'metrics.k8s.io'));
    assert.equal((await get('/apis/metrics.k8s.io')).json().preferredVersion.groupVersion, 'metrics.k8s.io/v1beta1');
    const rl = (await get('/apis/metrics.k8s.io/v1beta1')).json();
    assert.deepEqual(rl.resources, [
      { name: 'nodes', singularName: '', namespaced: false, kind: 'NodeMetrics', verbs: ['get', 'list'] },
      { name: 'pods', singularName: '', namespaced: true, kind: 'PodMetrics', verbs: ['get', 'list'] },
    ]);
    const agg = (await get('/apis', 'admin', 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList')).json();
    const m = agg.items.find((i: { metadata: { name: string } }) => i.metadata.name === 'metrics.k8s.io');
    assert.deepEqual(m.versions[0].resources.map((r: { resource: string; scope: string; responseKind: { kind: string } }) => [r.resource, r.scope, r.responseKind.kind]), [
      ['nodes', 'Cluster', 'NodeMetrics'],
      ['pods', 'Namespaced', 'PodMetrics'],
    ]);
  });
});

describe('metrics.k8s.io without a sampler', () => {
  it('answers 503 as the aggregator does when metrics-server is away', async () => {
    const h = startHarness();
    try {
      const r = await h.request('admin', { method: 'GET', url: '/apis/metrics.k8s.io/v1beta1/nodes' });
      assert.equal(r.statusCode, 503);
      assert.equal(r.json().reason, 'ServiceUnavailable');
    } finally {
      h.close();
    }
  });
});
