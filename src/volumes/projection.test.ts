import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ConfigMap, Pod, Secret } from '../k8s/types.js';
import { ContainerConfigError } from '../errors.js';
import { configMapPayload, downwardApiPayload, formatMap, projectedPayload, secretPayload, validatePayloadPath, type PodTokenRequest } from './projection.js';

const cm: ConfigMap = {
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name: 'cfg', namespace: 'default' },
  data: { a: 'A', b: 'B' },
  binaryData: { bin: Buffer.from([0, 1, 2]).toString('base64') },
};
const secret: Secret = {
  apiVersion: 'v1',
  kind: 'Secret',
  metadata: { name: 's', namespace: 'default' },
  data: { token: Buffer.from('t0k').toString('base64') },
};
const show = (p: Map<string, { data: Buffer; mode: number }>) =>
  Object.fromEntries([...p].map(([k, v]) => [k, `${v.data.toString('hex')}:${v.mode.toString(8)}`]));
const hex = (s: string) => Buffer.from(s).toString('hex');

test('a configMap without items projects every key with mode 0644', () => {
  assert.deepEqual(show(configMapPayload({ name: 'cfg' }, cm)), {
    a: `${hex('A')}:644`,
    b: `${hex('B')}:644`,
    bin: '000102:644',
  });
});

test('configMap items select, rename and set modes over defaultMode', () => {
  const p = configMapPayload({ name: 'cfg', defaultMode: 0o600, items: [{ key: 'a', path: 'dir/x' }, { key: 'b', path: 'y', mode: 0o755 }] }, cm);
  assert.deepEqual(show(p), { 'dir/x': `${hex('A')}:600`, y: `${hex('B')}:755` });
});

const errorCases: { name: string; run: () => unknown; message: string }[] = [
  { name: 'a missing configMap that is not optional is a config error', run: () => configMapPayload({ name: 'x' }, undefined), message: 'configmap "x" not found' },
  { name: 'a missing secret that is not optional is a config error', run: () => secretPayload({ secretName: 'x' }, undefined), message: 'secret "x" not found' },
  { name: 'a missing configMap key is a config error', run: () => configMapPayload({ name: 'cfg', items: [{ key: 'k', path: 'k' }] }, cm), message: 'configmap references non-existent config key: k' },
  { name: 'a missing secret key is a config error', run: () => secretPayload({ secretName: 's', items: [{ key: 'k', path: 'k' }] }, secret), message: 'secret references non-existent secret key: k' },
  { name: 'an item path with .. is rejected', run: () => configMapPayload({ name: 'cfg', items: [{ key: 'a', path: '../a' }] }, cm), message: "path ../a must not contain '..'" },
];
for (const c of errorCases) {
  test(c.name, () => {
    assert.throws(c.run, (err: unknown) => err instanceof ContainerConfigError && err.message === c.message);
  });
}

test('an optional missing configMap or key gives what exists', () => {
  assert.equal(configMapPayload({ name: 'x', optional: true }, undefined).size, 0);
  const p = configMapPayload({ name: 'cfg', optional: true, items: [{ key: 'k', path: 'k' }, { key: 'a', path: 'a' }] }, cm);
  assert.deepEqual([...p.keys()], ['a']);
});

test('secret values are base64-decoded', () => {
  assert.equal(secretPayload({ secretName: 's' }, secret).get('token')?.data.toString(), 't0k');
});

test('payload paths follow the kubelet rules', () => {
  assert.equal(validatePayloadPath('a/b'), undefined);
  assert.ok(validatePayloadPath('/abs'));
  assert.ok(validatePayloadPath('..data'));
  assert.ok(validatePayloadPath(''));
});

test('downwardAPI projects name, namespace, uid and sorted labels', () => {
  const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'ns', uid: 'u', labels: { b: '2', a: 'x"y' } }, spec: { containers: [] } } as Pod;
  const p = downwardApiPayload(
    { items: [
      { path: 'name', fieldRef: { fieldPath: 'metadata.name' } },
      { path: 'labels', fieldRef: { fieldPath: 'metadata.labels' } },
      { path: 'one', fieldRef: { fieldPath: "metadata.labels['b']" } },
    ] },
    pod,
    { cpuMilli: 2000, memoryBytes: 1 << 30 },
  );
  assert.equal(p.get('name')?.data.toString(), 'p');
  assert.equal(p.get('labels')?.data.toString(), 'a="x\\"y"\nb="2"\n');
  assert.equal(p.get('one')?.data.toString(), '2');
  assert.equal(formatMap(undefined), '');
});

test('downwardAPI resourceFieldRef: a limit with its divisor, a missing limit falls back to the node, a missing request is 0', () => {
  const pod = {
    apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'ns', uid: 'u' },
    spec: { containers: [{ name: 'app', image: 'x', resources: { limits: { cpu: '500m', memory: '64Mi' } } }, { name: 'free', image: 'x' }] },
  } as Pod;
  const p = downwardApiPayload(
    { items: [
      { path: 'cpu_limit', resourceFieldRef: { containerName: 'app', resource: 'limits.cpu', divisor: '1m' } },
      { path: 'mem_limit', resourceFieldRef: { containerName: 'app', resource: 'limits.memory', divisor: '1Mi' } },
      { path: 'free_cpu', resourceFieldRef: { containerName: 'free', resource: 'limits.cpu' } },
      { path: 'free_req', resourceFieldRef: { containerName: 'free', resource: 'requests.memory' } },
    ] },
    pod,
    { cpuMilli: 2000, memoryBytes: 1 << 30 },
  );
  assert.deepEqual([...p].map(([k, v]) => [k, v.data.toString()]), [['cpu_limit', '500'], ['mem_limit', '64'], ['free_cpu', '2'], ['free_req', '0']]);
});

test('projected: configMap, secret and downwardAPI sources merged under one defaultMode; a missing source names itself', () => {
  const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'ns', uid: 'u', labels: { app: 'web' } }, spec: { containers: [] } } as unknown as Pod;
  const lookup = {
    configMap: (n: string) => (n === 'cfg' ? ({ metadata: { name: 'cfg' }, data: { 'a.conf': 'A' } } as never) : undefined),
    secret: (n: string) => (n === 'sec' ? ({ metadata: { name: 'sec' }, data: { token: Buffer.from('T').toString('base64') } } as never) : undefined),
  };
  const node = { cpuMilli: 1000, memoryBytes: 1 << 30 };
  const p = projectedPayload(
    { defaultMode: 0o440, sources: [
      { configMap: { name: 'cfg' } },
      { secret: { name: 'sec', items: [{ key: 'token', path: 'auth/token', mode: 0o400 }] } },
      { downwardAPI: { items: [{ path: 'labels', fieldRef: { fieldPath: 'metadata.labels' } }] } },
    ] },
    pod, lookup, node,
  );
  assert.deepEqual([...p].map(([k, v]) => [k, v.data.toString(), v.mode]), [
    ['a.conf', 'A', 0o440],
    ['auth/token', 'T', 0o400],
    ['labels', 'app="web"\n', 0o440],
  ]);
  assert.throws(() => projectedPayload({ sources: [{ configMap: { name: 'nope' } }] }, pod, lookup, node), /configmap "nope" not found/);
  assert.equal(projectedPayload({ sources: [{ configMap: { name: 'nope', optional: true } }] }, pod, lookup, node).size, 0);
  assert.throws(() => projectedPayload({ sources: [{ serviceAccountToken: { path: 't' } }] }, pod, lookup, node), /this node issues no service account tokens/);
  assert.throws(() => projectedPayload({ sources: [{ clusterTrustBundle: { path: 'b', signerName: 'x' } }] } as never, pod, lookup, node), /projected source clusterTrustBundle is not supported/);
});

test('projected: a serviceAccountToken source asks for a token bound to the pod and writes it with the defaultMode, 0600 under an fsGroup', () => {
  const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'ns', uid: 'u' }, spec: { serviceAccountName: 'robot', containers: [] } } as unknown as Pod;
  const asked: PodTokenRequest[] = [];
  const lookup = { configMap: () => undefined, secret: () => undefined, serviceAccountToken: (r: PodTokenRequest) => (asked.push(r), `tok-${r.audiences.join(',')}`) };
  const node = { cpuMilli: 1000, memoryBytes: 1 << 30 };
  const src = { defaultMode: 0o644, sources: [{ serviceAccountToken: { path: 'token', audience: 'api', expirationSeconds: 3600 } }, { serviceAccountToken: { path: 'api-token' } }] };
  const p = projectedPayload(src, pod, lookup, node);
  assert.deepEqual([...p].map(([k, v]) => [k, v.data.toString(), v.mode]), [['token', 'tok-api', 0o644], ['api-token', 'tok-', 0o644]]);
  assert.deepEqual(asked[0], { serviceAccountName: 'robot', audiences: ['api'], expirationSeconds: 3600, boundObjectRef: { apiVersion: 'v1', kind: 'Pod', name: 'p', uid: 'u' } });
  assert.deepEqual(asked[1].audiences, [], 'no audience: the API\'s own');
  const grouped = { ...pod, spec: { ...pod.spec, securityContext: { fsGroup: 2000 } } } as Pod;
  assert.equal(projectedPayload(src, grouped, lookup, node).get('token')?.mode, 0o600);
});
