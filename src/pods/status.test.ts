import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Pod, PodSpec, PodStatus } from '../k8s/types.js';
import type { ContainerStatus, PodSandboxStatus } from '../runtime/runtime.js';
import { podIPOf, rfc3339 } from './spec.js';
import { computePodStatus, type StartError } from './status.js';
import { T0, ctr, makePod, observed, rec, sandbox } from './test-fixtures.js';

const NOW = T0 + 60_000;
const IMAGES = new Map([['busybox:1.36', { image: 'docker.io/library/busybox:1.36', imageID: 'docker.io/library/busybox@sha256:d1' }]]);

interface Case {
  name: string;
  spec?: Partial<PodSpec>;
  pod?: (p: Pod) => void;
  sandboxes?: PodSandboxStatus[];
  records?: ContainerStatus[];
  errors?: Record<string, StartError>;
  expect: (s: PodStatus) => void;
}

const cond = (s: PodStatus, type: string) => s.conditions?.find((c) => c.type === type);
const cs = (s: PodStatus, name: string) => s.containerStatuses?.find((c) => c.name === name) ?? assert.fail(`no status ${name}`);
const ics = (s: PodStatus, name: string) => s.initContainerStatuses?.find((c) => c.name === name) ?? assert.fail(`no init status ${name}`);
const crashMsg = 'back-off 10s restarting failed container=c pod=p_ns(uid-1)';
const inits2 = [ctr('init1'), ctr('init2')];

const cases: Case[] = [
  {
    name: 'scenario 1: a running container makes the pod Running 1/1 with five True conditions',
    records: [rec('c', 'running')],
    expect: (s) => {
      assert.equal(s.phase, 'Running');
      assert.deepEqual(s.conditions?.map((c) => [c.type, c.status]), [
        ['PodReadyToStartContainers', 'True'], ['Initialized', 'True'], ['Ready', 'True'], ['ContainersReady', 'True'], ['PodScheduled', 'True'],
      ]);
      const c = cs(s, 'c');
      assert.equal(c.ready, true);
      assert.equal(c.started, true);
      assert.equal(c.restartCount, 0);
      assert.match(c.containerID ?? '', /^runc:\/\/c-0-/);
      assert.equal(c.image, 'docker.io/library/busybox:1.36');
      assert.equal(c.imageID, 'docker.io/library/busybox@sha256:d1');
      assert.equal(c.state.running?.startedAt, rfc3339(T0));
      assert.equal(s.qosClass, 'BestEffort');
      assert.equal(s.podIP, '10.88.0.5');
      assert.deepEqual(s.hostIPs, [{ ip: '192.168.1.2' }]);
      assert.equal(s.startTime, rfc3339(NOW));
    },
  },
  {
    name: 'ephemeral containers: ContainerCreating, then running and never ready, without touching the pod readiness',
    spec: { ephemeralContainers: [ctr('debug'), ctr('later')] },
    records: [rec('c', 'running'), rec('debug', 'running')],
    expect: (s) => {
      const [debug, later] = s.ephemeralContainerStatuses ?? assert.fail('no ephemeral statuses');
      assert.equal(debug.name, 'debug');
      assert.ok(debug.state.running);
      assert.equal(debug.ready, false);
      assert.equal(debug.restartCount, 0);
      assert.deepEqual(later.state, { waiting: { reason: 'ContainerCreating' } });
      assert.equal(cond(s, 'Ready')?.status, 'True');
      assert.deepEqual(s.containerStatuses?.map((c) => c.name), ['c']);
    },
  },
  {
    name: 'scenario 2: restartPolicy Never and exit 0 make the pod Succeeded with PodCompleted conditions',
    spec: { restartPolicy: 'Never' },
    sandboxes: [sandbox('notready')],
    records: [rec('c', 'exited', { exitCode: 0 })],
    expect: (s) => {
      assert.equal(s.phase, 'Succeeded');
      assert.deepEqual(cs(s, 'c').state.terminated?.exitCode, 0);
      assert.equal(cs(s, 'c').state.terminated?.reason, 'Completed');
      assert.equal(cond(s, 'Ready')?.status, 'False');
      assert.equal(cond(s, 'Ready')?.reason, 'PodCompleted');
      assert.equal(cond(s, 'ContainersReady')?.reason, 'PodCompleted');
      assert.equal(cond(s, 'Initialized')?.reason, 'PodCompleted');
      assert.equal(cond(s, 'PodReadyToStartContainers')?.status, 'False');
      assert.equal(s.podIP, '10.88.0.5');
    },
  },
  {
    name: 'scenario 3: restartPolicy Never and exit 1 make the pod Failed with reason Error and no restarts',
    spec: { restartPolicy: 'Never' },
    records: [rec('c', 'exited', { exitCode: 1 })],
    expect: (s) => {
      assert.equal(s.phase, 'Failed');
      assert.equal(cs(s, 'c').state.terminated?.reason, 'Error');
      assert.equal(cs(s, 'c').restartCount, 0);
      assert.equal(cond(s, 'ContainersReady')?.reason, 'PodFailed');
    },
  },
  {
    name: 'scenario 4 (Always): a container running after two failures counts 2 restarts and is ready',
    records: [rec('c', 'exited', { exitCode: 1, attempt: 1 }), rec('c', 'running', { attempt: 2 })],
    expect: (s) => {
      assert.equal(s.phase, 'Running');
      assert.equal(cs(s, 'c').restartCount, 2);
      assert.equal(cs(s, 'c').ready, true);
      assert.equal(cs(s, 'c').lastState.terminated?.exitCode, 1);
    },
  },
  {
    name: 'scenario 4 (OnFailure): success on the second run makes the pod Succeeded with 1 restart',
    spec: { restartPolicy: 'OnFailure' },
    records: [rec('c', 'exited', { exitCode: 1, attempt: 0 }), rec('c', 'exited', { exitCode: 0, attempt: 1 })],
    expect: (s) => {
      assert.equal(s.phase, 'Succeeded');
      assert.equal(cs(s, 'c').restartCount, 1);
    },
  },
  {
    name: 'scenario 5: exit 0 under Always shows CrashLoopBackOff with lastState Completed and stays Running',
    records: [rec('c', 'exited', { exitCode: 0, attempt: 1 })],
    errors: { c: { reason: 'CrashLoopBackOff', message: crashMsg } },
    expect: (s) => {
      assert.equal(s.phase, 'Running');
      assert.deepEqual(cs(s, 'c').state.waiting, { reason: 'CrashLoopBackOff', message: crashMsg });
      assert.equal(cs(s, 'c').lastState.terminated?.reason, 'Completed');
      assert.equal(cs(s, 'c').restartCount, 1);
      assert.equal(cond(s, 'ContainersReady')?.message, 'containers with unready status: [c]');
      assert.equal(cond(s, 'Ready')?.reason, 'ContainersNotReady');
    },
  },
  {
    name: 'scenario 6: exit 1 under Always shows the back-off message and lastState Error',
    records: [rec('c', 'exited', { exitCode: 1, attempt: 3 })],
    errors: { c: { reason: 'CrashLoopBackOff', message: crashMsg } },
    expect: (s) => {
      assert.equal(cs(s, 'c').state.waiting?.message, crashMsg);
      assert.equal(cs(s, 'c').lastState.terminated?.reason, 'Error');
    },
  },
  {
    name: 'scenario 7: a failed pull leaves the pod Pending with ErrImagePull',
    errors: { c: { reason: 'ErrImagePull', message: 'pull failed' } },
    expect: (s) => {
      assert.equal(s.phase, 'Pending');
      assert.equal(cs(s, 'c').state.waiting?.reason, 'ErrImagePull');
      assert.equal(cs(s, 'c').imageID, '');
    },
  },
  {
    name: 'scenario 8: pull policy Never with the image absent shows ErrImageNeverPull with its message',
    errors: { c: { reason: 'ErrImageNeverPull', message: 'Container image "x:1" is not present with pull policy of Never' } },
    expect: (s) => {
      assert.equal(s.phase, 'Pending');
      assert.deepEqual(cs(s, 'c').state.waiting, { reason: 'ErrImageNeverPull', message: 'Container image "x:1" is not present with pull policy of Never' });
    },
  },
  {
    name: 'scenario 9: a missing ConfigMap shows CreateContainerConfigError',
    errors: { c: { reason: 'CreateContainerConfigError', message: 'configmap "x" not found' } },
    expect: (s) => {
      assert.equal(s.phase, 'Pending');
      assert.deepEqual(cs(s, 'c').state.waiting, { reason: 'CreateContainerConfigError', message: 'configmap "x" not found' });
    },
  },
  {
    name: 'scenario 10: a start failure shows RunContainerError with lastState exit 128 under Always',
    records: [rec('c', 'exited', { exitCode: 128, reason: 'StartError' })],
    errors: { c: { reason: 'RunContainerError', message: 'exec: "/nonexistent": not found' } },
    expect: (s) => {
      assert.equal(cs(s, 'c').state.waiting?.reason, 'RunContainerError');
      assert.equal(cs(s, 'c').lastState.terminated?.exitCode, 128);
      assert.equal(cs(s, 'c').lastState.terminated?.reason, 'StartError');
    },
  },
  {
    name: 'scenario 10 (Never): a start failure makes the pod Failed with terminated StartError',
    spec: { restartPolicy: 'Never' },
    records: [rec('c', 'exited', { exitCode: 128, reason: 'StartError' })],
    errors: { c: { reason: 'RunContainerError', message: 'boom' } },
    expect: (s) => {
      assert.equal(s.phase, 'Failed');
      assert.equal(cs(s, 'c').state.terminated?.reason, 'StartError');
    },
  },
  {
    name: 'scenario 11: two successful inits and a successful app under Never make the pod Succeeded',
    spec: { restartPolicy: 'Never', initContainers: inits2 },
    records: [rec('init1', 'exited'), rec('init2', 'exited'), rec('c', 'exited')],
    expect: (s) => {
      assert.equal(s.phase, 'Succeeded');
      assert.deepEqual(s.initContainerStatuses?.map((x) => [x.name, x.ready, x.state.terminated?.exitCode]), [
        ['init1', true, 0], ['init2', true, 0],
      ]);
      assert.equal(cond(s, 'Initialized')?.status, 'True');
    },
  },
  {
    name: 'scenario 12: a failing first init under Always keeps the pod Pending with both inits incomplete',
    spec: { initContainers: inits2 },
    records: [rec('init1', 'exited', { exitCode: 1, attempt: 3 })],
    errors: { init1: { reason: 'CrashLoopBackOff', message: 'back-off 40s restarting failed container=init1 pod=p_ns(uid-1)' } },
    expect: (s) => {
      assert.equal(s.phase, 'Pending');
      assert.equal(ics(s, 'init1').state.waiting?.reason, 'CrashLoopBackOff');
      assert.equal(ics(s, 'init1').lastState.terminated?.reason, 'Error');
      assert.equal(ics(s, 'init1').restartCount, 3);
      assert.equal(ics(s, 'init2').state.waiting?.reason, 'PodInitializing');
      assert.equal(cs(s, 'c').state.waiting?.reason, 'PodInitializing');
      assert.equal(cond(s, 'Initialized')?.reason, 'ContainersNotInitialized');
      assert.equal(cond(s, 'Initialized')?.message, 'containers with incomplete status: [init1 init2]');
    },
  },
  {
    name: 'scenario 13: a failing second init under Never makes the pod Failed with only init2 incomplete',
    spec: { restartPolicy: 'Never', initContainers: inits2 },
    records: [rec('init1', 'exited'), rec('init2', 'exited', { exitCode: 1 })],
    expect: (s) => {
      assert.equal(s.phase, 'Failed');
      assert.equal(ics(s, 'init2').state.terminated?.reason, 'Error');
      assert.equal(cs(s, 'c').state.waiting?.reason, 'PodInitializing');
      assert.equal(cond(s, 'Initialized')?.message, 'containers with incomplete status: [init2]');
    },
  },
  {
    name: 'scenario 14: while the second init runs the pod is Pending and the app waits PodInitializing',
    spec: { initContainers: inits2 },
    records: [rec('init1', 'exited'), rec('init2', 'running')],
    expect: (s) => {
      assert.equal(s.phase, 'Pending');
      assert.equal(ics(s, 'init2').ready, false);
      assert.equal(cs(s, 'c').state.waiting?.reason, 'PodInitializing');
    },
  },
  {
    name: 'scenario 14: once the inits are done and the app runs the pod is Running and Initialized',
    spec: { initContainers: inits2 },
    records: [rec('init1', 'exited'), rec('init2', 'exited'), rec('c', 'running')],
    expect: (s) => {
      assert.equal(s.phase, 'Running');
      assert.equal(cond(s, 'Initialized')?.status, 'True');
    },
  },
  {
    name: 'a pod without any record waits ContainerCreating and is Pending',
    sandboxes: [],
    expect: (s) => {
      assert.equal(s.phase, 'Pending');
      assert.equal(cs(s, 'c').state.waiting?.reason, 'ContainerCreating');
      assert.equal(cond(s, 'PodReadyToStartContainers')?.status, 'False');
      assert.equal(s.podIP, undefined);
    },
  },
  {
    name: 'a created but never started instance shows waiting with an empty reason',
    records: [rec('c', 'created')],
    expect: (s) => assert.deepEqual(cs(s, 'c').state, { waiting: {} }),
  },
  {
    name: 'a container that was running and vanished is terminated 137 ContainerStatusUnknown',
    pod: (p) => {
      p.status = { phase: 'Running', containerStatuses: [{ name: 'c', state: { running: { startedAt: rfc3339(T0) } }, lastState: {}, ready: true, restartCount: 4, image: 'x', imageID: '' }] };
    },
    expect: (s) => {
      assert.equal(cs(s, 'c').state.terminated?.exitCode, 137);
      assert.equal(cs(s, 'c').state.terminated?.reason, 'ContainerStatusUnknown');
      assert.equal(cs(s, 'c').restartCount, 4);
    },
  },
  {
    name: 'a terminal phase is final even if a container shows up running',
    pod: (p) => (p.status = { phase: 'Failed', reason: 'DeadlineExceeded', message: 'm' }),
    records: [rec('c', 'running')],
    expect: (s) => {
      assert.equal(s.phase, 'Failed');
      assert.equal(s.reason, 'DeadlineExceeded');
    },
  },
  {
    name: 'containerStatuses are ordered by name and initContainerStatuses by spec order',
    spec: { containers: [ctr('zeta'), ctr('alpha')], initContainers: [ctr('z-init'), ctr('a-init')] },
    records: [rec('z-init', 'exited'), rec('a-init', 'exited'), rec('zeta', 'running'), rec('alpha', 'running')],
    expect: (s) => {
      assert.deepEqual(s.containerStatuses?.map((c) => c.name), ['alpha', 'zeta']);
      assert.deepEqual(s.initContainerStatuses?.map((c) => c.name), ['z-init', 'a-init']);
    },
  },
  {
    name: 'with hostNetwork the pod IP is the node IP',
    spec: { hostNetwork: true },
    records: [rec('c', 'running')],
    expect: (s) => assert.deepEqual(s.podIPs, [{ ip: '192.168.1.2' }]),
  },
  {
    name: 'while a new sandbox\'s network is being attached the pod keeps the IPs it showed, not an older sandbox\'s, and is not ready to start containers',
    pod: (p) => (p.status = { ...p.status, podIP: '10.88.0.9', podIPs: [{ ip: '10.88.0.9' }] }),
    sandboxes: [{ ...sandbox('ready', 1), ip: undefined }, { ...sandbox('notready', 0), ip: '10.88.0.7' }],
    records: [],
    expect: (s) => {
      assert.deepEqual(s.podIPs, [{ ip: '10.88.0.9' }]);
      assert.equal(s.podIP, '10.88.0.9');
      assert.equal(cond(s, 'PodReadyToStartContainers')?.status, 'False');
    },
  },
  {
    name: 'once the newest sandbox has its IP the pod shows it and is ready to start containers',
    pod: (p) => (p.status = { ...p.status, podIP: '10.88.0.9', podIPs: [{ ip: '10.88.0.9' }] }),
    sandboxes: [{ ...sandbox('ready', 1), ip: '10.88.0.8' }, { ...sandbox('notready', 0), ip: '10.88.0.7' }],
    records: [],
    expect: (s) => {
      assert.deepEqual(s.podIPs, [{ ip: '10.88.0.8' }]);
      assert.equal(cond(s, 'PodReadyToStartContainers')?.status, 'True');
    },
  },
  {
    name: 'a hostNetwork pod is ready to start containers with a ready sandbox of no IP of its own',
    spec: { hostNetwork: true },
    sandboxes: [{ ...sandbox('ready'), ip: undefined, hostNetwork: true }],
    records: [],
    expect: (s) => assert.equal(cond(s, 'PodReadyToStartContainers')?.status, 'True'),
  },
  {
    name: 'a deleted pod whose containers all stopped after exit 0 is Succeeded',
    pod: (p) => (p.metadata.deletionTimestamp = rfc3339(T0)),
    records: [rec('c', 'exited', { exitCode: 0 })],
    expect: (s) => assert.equal(s.phase, 'Succeeded'),
  },
  {
    name: 'an unmet readiness gate keeps Ready False with ReadinessGatesNotReady',
    spec: { readinessGates: [{ conditionType: 'example.com/gate' }] },
    records: [rec('c', 'running')],
    expect: (s) => {
      assert.equal(cond(s, 'ContainersReady')?.status, 'True');
      assert.equal(cond(s, 'Ready')?.reason, 'ReadinessGatesNotReady');
      assert.match(cond(s, 'Ready')?.message ?? '', /example.com\/gate/);
    },
  },
];

function statusOf(c: Case, now = NOW, old?: PodStatus): PodStatus {
  const pod = makePod(c.spec);
  c.pod?.(pod);
  if (old) pod.status = old;
  return computePodStatus({
    pod,
    observed: observed(c.sandboxes ?? [sandbox()], c.records ?? []),
    startErrors: new Map(Object.entries(c.errors ?? {})),
    images: IMAGES,
    nodeIP: '192.168.1.2',
    qosClass: 'BestEffort',
    now,
  });
}

for (const c of cases) test(c.name, () => c.expect(statusOf(c)));

test('lastTransitionTime and startTime stay put while nothing flips, and change only on a flip', () => {
  const running: Case = { name: '', records: [rec('c', 'running')], expect: () => {} };
  const first = statusOf(running, NOW);
  const again = statusOf(running, NOW + 30_000, first);
  assert.deepEqual(again, first);
  const crashed: Case = { name: '', records: [rec('c', 'exited', { exitCode: 1 })], errors: { c: { reason: 'CrashLoopBackOff', message: crashMsg } }, expect: () => {} };
  const flipped = statusOf(crashed, NOW + 60_000, first);
  assert.equal(cond(flipped, 'Ready')?.lastTransitionTime, rfc3339(NOW + 60_000));
  assert.equal(cond(flipped, 'PodScheduled')?.lastTransitionTime, rfc3339(NOW));
  assert.equal(flipped.startTime, rfc3339(NOW));
});

test('conditions owned by others are kept after the five the kubelet writes', () => {
  const c: Case = { name: '', records: [rec('c', 'running')], expect: () => {} };
  const s = statusOf(c, NOW, { conditions: [{ type: 'DisruptionTarget', status: 'True' }] });
  assert.deepEqual(s.conditions?.map((x) => x.type).slice(-1), ['DisruptionTarget']);
});

test('podIPOf gives the newest sandbox\'s IP only: none while its network is being attached, never an older one\'s', () => {
  const pending = sandbox('ready', 1);
  delete pending.ip;
  const old = { ...sandbox('notready', 0), ip: '10.88.0.7' };
  assert.equal(podIPOf(makePod(), observed([pending, old], []), '192.168.1.2'), '');
  assert.equal(podIPOf(makePod(), observed([{ ...pending, ip: '10.88.0.8' }, old], []), '192.168.1.2'), '10.88.0.8');
  assert.equal(podIPOf(makePod({ hostNetwork: true }), observed([pending], []), '192.168.1.2'), '192.168.1.2');
});
