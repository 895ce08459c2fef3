import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ContainerStatus, Pod } from '../../k8s/types.js';
import { podRowCells } from './pod-row.js';

const NOW = Date.UTC(2026, 0, 1, 12, 0, 0);
const ago = (s: number) => new Date(NOW - s * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');

function cs(name: string, state: ContainerStatus['state'], extra: Partial<ContainerStatus> = {}): ContainerStatus {
  return { name, state, lastState: {}, ready: false, restartCount: 0, image: 'busybox', imageID: '', ...extra };
}
const running = (name: string, ready = true, extra: Partial<ContainerStatus> = {}) =>
  cs(name, { running: { startedAt: ago(60) } }, { ready, started: true, ...extra });

function pod(mut: (p: Pod) => void = () => {}): Pod {
  const p: Pod = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'p', namespace: 'default', creationTimestamp: ago(330) },
    spec: { containers: [{ name: 'app', image: 'busybox' }], nodeName: 'node1' },
    status: { phase: 'Running', containerStatuses: [running('app')], podIPs: [{ ip: '10.88.0.5' }] },
  };
  mut(p);
  return p;
}

const cases: { name: string; pod: Pod; want: Partial<ReturnType<typeof podRowCells>> }[] = [
  { name: 'a running ready pod shows Running 1/1 with its age', pod: pod(), want: { status: 'Running', ready: '1/1', restarts: '0', age: '5m30s' } },
  {
    name: 'a pending pod whose container is being created shows ContainerCreating',
    pod: pod((p) => {
      p.status = { phase: 'Pending', containerStatuses: [cs('app', { waiting: { reason: 'ContainerCreating' } })] };
    }),
    want: { status: 'ContainerCreating', ready: '0/1', ip: '<none>' },
  },
  {
    name: 'a crash-looping container shows CrashLoopBackOff and restarts with the last exit age',
    pod: pod((p) => {
      p.status!.containerStatuses = [
        cs('app', { waiting: { reason: 'CrashLoopBackOff' } }, { restartCount: 3, lastState: { terminated: { exitCode: 1, reason: 'Error', finishedAt: ago(300) } } }),
      ];
    }),
    want: { status: 'CrashLoopBackOff', ready: '0/1', restarts: '3 (5m ago)' },
  },
  {
    name: 'a succeeded pod shows Completed and a completed row condition',
    pod: pod((p) => {
      p.status = { phase: 'Succeeded', containerStatuses: [cs('app', { terminated: { exitCode: 0, reason: 'Completed' } })] };
    }),
    want: { status: 'Completed', ready: '0/1', completed: { reason: 'Succeeded', message: 'The pod has completed successfully.' } },
  },
  {
    name: 'a terminated container without a reason shows its exit code',
    pod: pod((p) => {
      p.status!.containerStatuses = [cs('app', { terminated: { exitCode: 7 } })];
    }),
    want: { status: 'ExitCode:7' },
  },
  {
    name: 'the first listed container wins when several have reasons',
    pod: pod((p) => {
      p.spec.containers.push({ name: 'b' });
      p.status!.containerStatuses = [cs('app', { waiting: { reason: 'ErrImagePull' } }), cs('b', { terminated: { exitCode: 1, reason: 'Error' } })];
    }),
    want: { status: 'ErrImagePull', ready: '0/2' },
  },
  {
    name: 'a pod running its second of two init containers shows Init:1/2',
    pod: pod((p) => {
      p.spec.initContainers = [{ name: 'i1' }, { name: 'i2' }];
      p.status = {
        phase: 'Pending',
        initContainerStatuses: [cs('i1', { terminated: { exitCode: 0, reason: 'Completed' } }), cs('i2', { running: {} })],
        containerStatuses: [cs('app', { waiting: { reason: 'PodInitializing' } })],
      };
    }),
    want: { status: 'Init:1/2', ready: '0/1' },
  },
  {
    name: 'a failed init container shows Init:Error and counts init restarts',
    pod: pod((p) => {
      p.spec.initContainers = [{ name: 'i1' }];
      p.status = {
        phase: 'Pending',
        initContainerStatuses: [cs('i1', { terminated: { exitCode: 1, reason: 'Error' } }, { restartCount: 2, lastState: { terminated: { exitCode: 1, finishedAt: ago(20) } } })],
        containerStatuses: [cs('app', { waiting: { reason: 'PodInitializing' } })],
      };
    }),
    want: { status: 'Init:Error', restarts: '2 (20s ago)' },
  },
  {
    name: 'an init container in back-off shows Init:CrashLoopBackOff',
    pod: pod((p) => {
      p.spec.initContainers = [{ name: 'i1' }];
      p.status = { phase: 'Pending', initContainerStatuses: [cs('i1', { waiting: { reason: 'CrashLoopBackOff' } })] };
    }),
    want: { status: 'Init:CrashLoopBackOff' },
  },
  {
    name: 'an init container that exited without a reason shows Init:ExitCode:N',
    pod: pod((p) => {
      p.spec.initContainers = [{ name: 'i1' }];
      p.status = { phase: 'Pending', initContainerStatuses: [cs('i1', { terminated: { exitCode: 3 } })] };
    }),
    want: { status: 'Init:ExitCode:3' },
  },
  {
    name: 'a started ready sidecar counts toward READY and does not block',
    pod: pod((p) => {
      p.spec.initContainers = [{ name: 'side', restartPolicy: 'Always' }];
      p.status!.initContainerStatuses = [running('side', true, { restartCount: 1 })];
    }),
    want: { status: 'Running', ready: '2/2', restarts: '1' },
  },
  {
    name: 'a pod being deleted shows Terminating',
    pod: pod((p) => {
      p.metadata.deletionTimestamp = ago(-30);
    }),
    want: { status: 'Terminating' },
  },
  {
    name: 'a terminal pod being deleted keeps its terminal status',
    pod: pod((p) => {
      p.metadata.deletionTimestamp = ago(-30);
      p.status = { phase: 'Failed', containerStatuses: [cs('app', { terminated: { exitCode: 1, reason: 'Error' } })] };
    }),
    want: { status: 'Error' },
  },
  {
    name: 'status.reason overrides the phase',
    pod: pod((p) => {
      p.status = { phase: 'Failed', reason: 'DeadlineExceeded' };
    }),
    want: { status: 'DeadlineExceeded', ready: '0/1' },
  },
  {
    name: 'Completed with a still running ready container shows NotReady when the pod is not Ready',
    pod: pod((p) => {
      p.spec.containers.push({ name: 'b' });
      p.status!.containerStatuses = [cs('app', { terminated: { exitCode: 0, reason: 'Completed' } }), running('b')];
    }),
    want: { status: 'NotReady', ready: '1/2' },
  },
  {
    name: 'readiness gates count the true conditions',
    pod: pod((p) => {
      p.spec.readinessGates = [{ conditionType: 'x/ok' }, { conditionType: 'x/other' }];
      p.status!.conditions = [{ type: 'x/ok', status: 'True' }];
    }),
    want: { readinessGates: '1/2', node: 'node1', ip: '10.88.0.5', nominatedNode: '<none>' },
  },
];

for (const c of cases) {
  test(c.name, () => {
    const got = podRowCells(c.pod, NOW);
    for (const [k, v] of Object.entries(c.want)) assert.deepEqual(got[k as keyof typeof got], v, k);
  });
}
