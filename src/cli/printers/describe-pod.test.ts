import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeEvent, Pod } from '../../k8s/types.js';
import { describePod, rfc1123z } from './describe-pod.js';

const NOW = Date.parse('2026-01-01T00:10:00Z');

const pod: Pod = {
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: {
    name: 'web', namespace: 'default', uid: 'u1', labels: { tier: 'front', app: 'web' },
    annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{}' },
  },
  spec: {
    nodeName: 'node1',
    serviceAccountName: 'default',
    containers: [{
      name: 'web', image: 'localhost/busybox:latest', command: ['sh', '-c', 'sleep 3600'],
      ports: [{ containerPort: 80, protocol: 'TCP' }],
      env: [{ name: 'MODE', value: 'prod' }],
      volumeMounts: [{ name: 'data', mountPath: '/data' }, { name: 'cfg', mountPath: '/etc/app', readOnly: true, subPath: 'app' }],
      readinessProbe: { httpGet: { path: '/healthz', port: 80 }, periodSeconds: 5 },
    }],
    volumes: [{ name: 'data', emptyDir: {} }, { name: 'cfg', configMap: { name: 'app' } }],
  },
  status: {
    phase: 'Running', hostIP: '10.0.0.1', podIP: '10.88.0.5', podIPs: [{ ip: '10.88.0.5' }],
    startTime: '2026-01-01T00:00:00Z', qosClass: 'BestEffort',
    conditions: [{ type: 'Ready', status: 'True' }, { type: 'PodScheduled', status: 'True' }],
    containerStatuses: [{
      name: 'web', ready: true, restartCount: 1, image: 'localhost/busybox:latest', imageID: 'sha256:abc', containerID: 'peapod://c1',
      state: { running: { startedAt: '2026-01-01T00:01:00Z' } },
      lastState: { terminated: { exitCode: 1, reason: 'Error', startedAt: '2026-01-01T00:00:01Z', finishedAt: '2026-01-01T00:00:59Z' } },
    }],
  },
};

const events: KubeEvent[] = [
  { apiVersion: 'v1', kind: 'Event', metadata: { name: 'e2' }, involvedObject: {}, type: 'Normal', reason: 'Pulled', message: 'Container image already present', source: { component: 'kubelet' }, firstTimestamp: '2026-01-01T00:00:00Z', lastTimestamp: '2026-01-01T00:01:00Z', count: 2 },
  { apiVersion: 'v1', kind: 'Event', metadata: { name: 'e1' }, involvedObject: {}, type: 'Normal', reason: 'Scheduled', message: 'Successfully assigned default/web to node1', source: { component: 'default-scheduler' }, firstTimestamp: '2026-01-01T00:00:00Z', lastTimestamp: '2026-01-01T00:00:00Z', count: 1 },
];

const EXPECTED = `Name:             web
Namespace:        default
Service Account:  default
Node:             node1/10.0.0.1
Start Time:       Thu, 01 Jan 2026 00:00:00 +0000
Labels:           app=web
                  tier=front
Annotations:      <none>
Status:           Running
IP:               10.88.0.5
IPs:
  IP:  10.88.0.5
Containers:
  web:
    Container ID:  peapod://c1
    Image:         localhost/busybox:latest
    Image ID:      sha256:abc
    Port:          80/TCP
    Host Port:     0/TCP
    Command:
      sh
      -c
      sleep 3600
    State:          Running
      Started:      Thu, 01 Jan 2026 00:01:00 +0000
    Last State:     Terminated
      Reason:       Error
      Exit Code:    1
      Started:      Thu, 01 Jan 2026 00:00:01 +0000
      Finished:     Thu, 01 Jan 2026 00:00:59 +0000
    Ready:          True
    Restart Count:  1
    Readiness:      http-get http://:80/healthz delay=0s timeout=1s period=5s #success=1 #failure=3
    Environment:
      MODE:  prod
    Mounts:
      /data from data (rw)
      /etc/app from cfg (ro,path="app")
Conditions:
  Type           Status
  Ready          True 
  PodScheduled   True 
Volumes:
  data:
    Type:       EmptyDir (a temporary directory that shares a pod's lifetime)
    Medium:     
    SizeLimit:  <unset>
  cfg:
    Type:        ConfigMap (a volume populated by a ConfigMap)
    Name:        app
    Optional:    false
QoS Class:       BestEffort
Node-Selectors:  <none>
Tolerations:     <none>
Events:
  Type    Reason     Age               From               Message
  ----    ------     ----              ----               -------
  Normal  Scheduled  10m               default-scheduler  Successfully assigned default/web to node1
  Normal  Pulled     9m (x2 over 10m)  kubelet            Container image already present`;

// Alignment follows Go's tabwriter as kubectl uses it: a block runs across adjacent tabbed lines, so
// the last volume's fields align with QoS Class (as in real kubectl output).
test('describes a pod like kubectl describe, events oldest first', () => {
  assert.equal(describePod(pod, events, NOW), EXPECTED);
});

test('a pod without events says Events: <none>', () => {
  assert.match(describePod(pod, [], NOW), /\nTolerations:     <none>\nEvents:          <none>$/);
});

test('formats timestamps as RFC1123Z', () => {
  assert.equal(rfc1123z('2026-11-22T02:34:44Z'), 'Sun, 22 Nov 2026 02:34:44 +0000');
});

test('annotations print as key: value (long ones below their key) and claims as PersistentVolumeClaim volumes', () => {
  const long = 'x'.repeat(150);
  const p: Pod = {
    ...pod,
    metadata: { ...pod.metadata, annotations: { 'b.example/long': long, 'a.example/short': 'yes' } },
    spec: { ...pod.spec, volumes: [{ name: 'data', persistentVolumeClaim: { claimName: 'data' } }] },
  };
  const text = describePod(p, [], NOW);
  assert.match(text, new RegExp(`\nAnnotations:      a.example/short: yes\n                  b.example/long:\n                    ${'x'.repeat(138)}\\.\\.\\.\n`));
  assert.match(text, /\n {2}data:\n {4}Type: +PersistentVolumeClaim \(a reference to a PersistentVolumeClaim in the same namespace\)\n {4}ClaimName: +data\n {4}ReadOnly: +false\n/);
});
