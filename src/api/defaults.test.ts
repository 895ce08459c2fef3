import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { KubeObject, Pod } from '../k8s/types.js';
import { applyDefaults, defaultPullPolicy } from './defaults.js';

const pulls: [string, string, string][] = [
  ['an untagged image is pulled Always', 'nginx', 'Always'],
  ['a :latest image is pulled Always', 'nginx:latest', 'Always'],
  ['a tagged image is IfNotPresent', 'nginx:1.25', 'IfNotPresent'],
  ['a registry port is not a tag', 'localhost:5000/app', 'Always'],
  ['a registry port with a tag uses the tag', 'localhost:5000/app:v1', 'IfNotPresent'],
  ['a digest without a tag is IfNotPresent', 'busybox@sha256:abc', 'IfNotPresent'],
  ['a latest tag with a digest is Always', 'busybox:latest@sha256:abc', 'Always'],
];
for (const [name, image, want] of pulls) test(name, () => assert.equal(defaultPullPolicy(image), want));

function pod(): Pod {
  return {
    apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'default' },
    spec: {
      hostNetwork: true,
      volumes: [{ name: 'a' }, { name: 'b', configMap: { name: 'c' } }, { name: 'h', hostPath: { path: '/x' } }],
      initContainers: [{ name: 'i', image: 'busybox' }],
      containers: [{
        name: 'm', image: 'nginx:1.25', ports: [{ containerPort: 80 }],
        livenessProbe: { httpGet: { port: 80 } },
        env: [{ name: 'N', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } }],
        resources: { limits: { cpu: '1', memory: '1Gi' } },
      }],
    },
  };
}

test('a pod gets the API server defaults', () => {
  const p = pod();
  applyDefaults('pods', p);
  const s = p.spec;
  assert.equal(s.restartPolicy, 'Always');
  assert.equal(s.dnsPolicy, 'ClusterFirst');
  assert.equal(s.terminationGracePeriodSeconds, 30);
  assert.equal(s.schedulerName, 'default-scheduler');
  assert.equal(s.serviceAccountName, 'default');
  assert.equal(s.serviceAccount, 'default');
  assert.equal(s.enableServiceLinks, true);
  assert.equal(s.priority, undefined, "priority is the Priority admission's (pod-admission.ts), not a default");
  assert.deepEqual(s.securityContext, {});
  assert.deepEqual(s.tolerations, [
    { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
    { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
  ]);
  const c = s.containers[0];
  assert.equal(c.imagePullPolicy, 'IfNotPresent');
  assert.equal(c.terminationMessagePath, '/dev/termination-log');
  assert.equal(c.terminationMessagePolicy, 'File');
  assert.deepEqual(c.ports, [{ containerPort: 80, protocol: 'TCP', hostPort: 80 }]);
  assert.deepEqual(c.livenessProbe, { httpGet: { port: 80, path: '/', scheme: 'HTTP' }, timeoutSeconds: 1, periodSeconds: 10, successThreshold: 1, failureThreshold: 3 });
  assert.equal(c.env![0].valueFrom!.fieldRef!.apiVersion, 'v1');
  assert.deepEqual(c.resources, { limits: { cpu: '1', memory: '1Gi' }, requests: { cpu: '1', memory: '1Gi' } });
  assert.equal(s.initContainers![0].imagePullPolicy, 'Always');
  assert.deepEqual(s.initContainers![0].resources, {});
  assert.deepEqual(s.volumes![0], { name: 'a', emptyDir: {} });
  assert.equal(s.volumes![1].configMap!.defaultMode, 420);
  assert.equal(s.volumes![2].hostPath!.type, '');
  assert.equal(p.status!.phase, 'Pending');
  assert.equal(p.status!.qosClass, 'Burstable');
});

test('defaulting a pod twice changes nothing the second time', () => {
  const p = pod();
  applyDefaults('pods', p);
  const once = structuredClone(p);
  applyDefaults('pods', p);
  assert.deepEqual(p, once);
});

test('explicit values and an own not-ready toleration are kept', () => {
  const p = pod();
  p.spec.restartPolicy = 'Never';
  p.spec.containers[0].imagePullPolicy = 'Never';
  p.spec.tolerations = [{ key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute' }];
  applyDefaults('pods', p);
  assert.equal(p.spec.restartPolicy, 'Never');
  assert.equal(p.spec.containers[0].imagePullPolicy, 'Never');
  assert.equal(p.spec.tolerations.length, 2);
  assert.equal(p.spec.tolerations[0].tolerationSeconds, undefined);
});

test('a secret merges stringData into base64 data and defaults its type', () => {
  const s: KubeObject = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' }, data: { a: 'eA==', b: 'eQ==' }, stringData: { b: 'hello' } };
  applyDefaults('secrets', s);
  assert.deepEqual(s.data, { a: 'eA==', b: 'aGVsbG8=' });
  assert.equal('stringData' in s, false);
  assert.equal(s.type, 'Opaque');
});

test('a namespace gets the kubernetes finalizer and phase Active', () => {
  const ns: KubeObject = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'n' } };
  applyDefaults('namespaces', ns);
  assert.deepEqual(ns.spec, { finalizers: ['kubernetes'] });
  assert.deepEqual(ns.status, { phase: 'Active' });
});

test('a configmap has no defaults', () => {
  const cm: KubeObject = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' } };
  applyDefaults('configmaps', cm);
  assert.deepEqual(cm, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' } });
});

test('a PersistentVolume defaults to Retain, Filesystem and phase Pending; its hostPath type to ""', () => {
  const pv: KubeObject = { apiVersion: 'v1', kind: 'PersistentVolume', metadata: { name: 'v' }, spec: { hostPath: { path: '/x' }, volumeAttributesClassName: 'gold' } };
  applyDefaults('persistentvolumes', pv);
  assert.deepEqual(pv.spec, { hostPath: { path: '/x', type: '' }, persistentVolumeReclaimPolicy: 'Retain', volumeMode: 'Filesystem' });
  assert.deepEqual(pv.status, { phase: 'Pending' });
  const kept: KubeObject = { apiVersion: 'v1', kind: 'PersistentVolume', metadata: { name: 'v' }, spec: { persistentVolumeReclaimPolicy: 'Delete', volumeMode: 'Block' }, status: { phase: 'Bound' } };
  applyDefaults('persistentvolumes', kept);
  assert.deepEqual(kept.spec, { persistentVolumeReclaimPolicy: 'Delete', volumeMode: 'Block' });
  assert.deepEqual(kept.status, { phase: 'Bound' });
});

test('a PersistentVolumeClaim defaults to Filesystem and phase Pending, and keeps its class as given', () => {
  const pvc: KubeObject = { apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'c', namespace: 'd' }, spec: { storageClassName: '' } };
  applyDefaults('persistentvolumeclaims', pvc);
  assert.deepEqual(pvc.spec, { storageClassName: '', volumeMode: 'Filesystem' });
  assert.deepEqual(pvc.status, { phase: 'Pending' });
});

test('a StorageClass defaults to Delete and Immediate when they are absent', () => {
  const sc: KubeObject = { apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass', metadata: { name: 's' }, provisioner: 'p' };
  applyDefaults('storageclasses', sc);
  assert.equal(sc.reclaimPolicy, 'Delete');
  assert.equal(sc.volumeBindingMode, 'Immediate');
  const wait: KubeObject = { ...sc, reclaimPolicy: 'Retain', volumeBindingMode: 'WaitForFirstConsumer' };
  applyDefaults('storageclasses', wait);
  assert.equal(wait.reclaimPolicy, 'Retain');
  assert.equal(wait.volumeBindingMode, 'WaitForFirstConsumer');
});

test('the deprecated serviceAccount names the account when serviceAccountName is empty, and always reads back as serviceAccountName', () => {
  const only = pod();
  (only.spec as { serviceAccount?: string }).serviceAccount = 'robot';
  applyDefaults('pods', only);
  assert.equal(only.spec.serviceAccountName, 'robot');
  assert.equal(only.spec.serviceAccount, 'robot');
  const both = pod();
  both.spec.serviceAccountName = 'robot';
  both.spec.serviceAccount = 'other';
  applyDefaults('pods', both);
  assert.equal(both.spec.serviceAccountName, 'robot');
  assert.equal(both.spec.serviceAccount, 'robot');
});
