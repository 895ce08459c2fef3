import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Pod, PodSpec } from '../k8s/types.js';
import type { ContainerStatus, PodSandboxStatus } from '../runtime/runtime.js';
import { computePodActions, type PodActions } from './actions.js';
import { backoffNext, crashLoopKey, type BackoffState } from './backoff.js';
import { containerHash } from './spec.js';
import { T0, UID, ctr, makePod, observed, rec, sandbox } from './test-fixtures.js';

interface Case {
  name: string;
  spec?: Partial<PodSpec>;
  pod?: (p: Pod) => void;
  sandboxes?: PodSandboxStatus[];
  records?: ContainerStatus[];
  backoff?: BackoffState;
  now?: number;
  expect: (a: PodActions) => void;
}

const starts = (a: PodActions) => a.containersToStart.map((s) => s.name);
const inits = [ctr('i1'), ctr('i2')];
const cKey = crashLoopKey('p', 'ns', UID, 'c', containerHash(ctr('c')));

const cases: Case[] = [
  {
    name: 'creates the first sandbox and starts every container of a new pod',
    sandboxes: [],
    expect: (a) => {
      assert.deepEqual(a.createSandbox, { attempt: 0, changed: false });
      assert.deepEqual(starts(a), ['c']);
      assert.equal(a.killPod, undefined);
    },
  },
  {
    name: 'starts a container that has no record yet, even under restartPolicy Never',
    spec: { restartPolicy: 'Never' },
    expect: (a) => {
      assert.deepEqual(starts(a), ['c']);
      assert.equal(a.containersToStart[0].attempt, 0);
      assert.equal(a.containersToStart[0].isRestart, false);
    },
  },
  {
    name: 'leaves a running container alone',
    records: [rec('c', 'running')],
    expect: (a) => assert.deepEqual(a, { containersToStart: [], containersToKill: [] }),
  },
  {
    name: 'restarts a crashed container at once when restartPolicy is Always and no back-off is recorded',
    records: [rec('c', 'exited', { exitCode: 1 })],
    expect: (a) => {
      assert.deepEqual(starts(a), ['c']);
      assert.equal(a.containersToStart[0].attempt, 1);
      assert.equal(a.containersToStart[0].isRestart, true);
      assert.equal(a.containersToStart[0].blockedUntil, undefined);
    },
  },
  {
    name: 'restarts a container that exited 0 when restartPolicy is Always',
    records: [rec('c', 'exited', { exitCode: 0 })],
    expect: (a) => assert.deepEqual(starts(a), ['c']),
  },
  {
    name: 'blocks the restart until finishedAt plus the recorded delay',
    records: [rec('c', 'exited', { exitCode: 1, finishedAt: T0 + 5000 })],
    backoff: new Map([[cKey, backoffNext(undefined, T0)]]),
    now: T0 + 6000,
    expect: (a) => assert.deepEqual(a.containersToStart[0].blockedUntil, { until: T0 + 15_000, delayMs: 10_000 }),
  },
  {
    name: 'does not restart and stops the sandbox when restartPolicy is Never and the container exited',
    spec: { restartPolicy: 'Never' },
    records: [rec('c', 'exited', { exitCode: 1 })],
    expect: (a) => {
      assert.deepEqual(starts(a), []);
      assert.deepEqual(a.killPod, { reason: 'completed', containers: [], sandboxIds: ['sb0'] });
    },
  },
  {
    name: 'does not restart a container that succeeded under OnFailure',
    spec: { restartPolicy: 'OnFailure' },
    records: [rec('c', 'exited', { exitCode: 0 })],
    expect: (a) => {
      assert.deepEqual(starts(a), []);
      assert.equal(a.killPod?.reason, 'completed');
    },
  },
  {
    name: 'restarts a container that failed under OnFailure',
    spec: { restartPolicy: 'OnFailure' },
    records: [rec('c', 'exited', { exitCode: 2 })],
    expect: (a) => assert.deepEqual(starts(a), ['c']),
  },
  {
    name: 'kills a created but never started instance before starting a new one',
    records: [rec('c', 'created')],
    expect: (a) => assert.match(a.containersToStart[0].killFirst?.id ?? '', /^c-0-/),
  },
  {
    name: 'kills everything and starts nothing once the pod has a deletionTimestamp',
    pod: (p) => (p.metadata.deletionTimestamp = new Date(T0).toISOString()),
    records: [rec('c', 'running')],
    expect: (a) => {
      assert.equal(a.killPod?.reason, 'deleted');
      assert.equal(a.killPod?.containers.length, 1);
      assert.deepEqual(a.killPod?.sandboxIds, ['sb0']);
      assert.deepEqual(starts(a), []);
      assert.equal(a.createSandbox, undefined);
    },
  },
  {
    name: 'plans nothing for a deleted pod whose containers and sandbox are stopped',
    pod: (p) => (p.metadata.deletionTimestamp = new Date(T0).toISOString()),
    sandboxes: [sandbox('notready')],
    records: [rec('c', 'exited')],
    expect: (a) => assert.equal(a.killPod, undefined),
  },
  {
    name: 'stops a terminal pod and never restarts it',
    pod: (p) => (p.status = { phase: 'Succeeded' }),
    records: [rec('c', 'exited')],
    expect: (a) => {
      assert.equal(a.killPod?.reason, 'terminal');
      assert.deepEqual(starts(a), []);
    },
  },
  {
    name: 'starts only the first init container of a new pod',
    spec: { initContainers: inits },
    expect: (a) => {
      assert.equal(a.initToStart?.name, 'i1');
      assert.equal(a.initToStart?.kind, 'init');
      assert.deepEqual(starts(a), []);
    },
  },
  {
    name: 'starts the next init container after the previous one exited 0',
    spec: { initContainers: inits },
    records: [rec('i1', 'exited', { exitCode: 0 })],
    expect: (a) => assert.equal(a.initToStart?.name, 'i2'),
  },
  {
    name: 'waits while an init container runs',
    spec: { initContainers: inits },
    records: [rec('i1', 'running')],
    expect: (a) => assert.deepEqual(a, { containersToStart: [], containersToKill: [] }),
  },
  {
    name: 'starts the regular containers once every init container exited 0',
    spec: { initContainers: inits, containers: [ctr('a'), ctr('b')] },
    records: [rec('i1', 'exited'), rec('i2', 'exited')],
    expect: (a) => {
      assert.equal(a.initToStart, undefined);
      assert.deepEqual(starts(a), ['a', 'b']);
    },
  },
  {
    name: 'restarts a failed init container when restartPolicy is Always',
    spec: { initContainers: inits },
    records: [rec('i1', 'exited', { exitCode: 1 })],
    expect: (a) => {
      assert.equal(a.initToStart?.name, 'i1');
      assert.equal(a.initToStart?.isRestart, true);
    },
  },
  {
    name: 'kills the pod instead of retrying a failed init container when restartPolicy is Never',
    spec: { initContainers: inits, restartPolicy: 'Never' },
    records: [rec('i1', 'exited', { exitCode: 0 }), rec('i2', 'exited', { exitCode: 1 })],
    expect: (a) => {
      assert.equal(a.initToStart, undefined);
      assert.equal(a.killPod?.reason, 'init-failed');
    },
  },
  {
    name: 'recreates a dead sandbox and re-runs the init containers from the first',
    spec: { initContainers: inits },
    sandboxes: [sandbox('notready')],
    records: [rec('i1', 'exited'), rec('i2', 'exited'), rec('c', 'exited', { exitCode: 137 })],
    expect: (a) => {
      assert.deepEqual(a.createSandbox, { attempt: 1, changed: true });
      assert.equal(a.initToStart?.name, 'i1');
      assert.equal(a.initToStart?.attempt, 0);
    },
  },
  {
    name: 'kills running containers when the sandbox died and is recreated',
    sandboxes: [sandbox('notready')],
    records: [rec('c', 'running')],
    expect: (a) => {
      assert.equal(a.killPod?.reason, 'sandbox-changed');
      assert.equal(a.killPod?.containers.length, 1);
      assert.equal(a.createSandbox?.attempt, 1);
    },
  },
  {
    name: 'does not recreate the sandbox under restartPolicy Never once containers ran',
    spec: { restartPolicy: 'Never' },
    sandboxes: [sandbox('notready')],
    records: [rec('c', 'exited', { exitCode: 137 })],
    expect: (a) => assert.equal(a.createSandbox, undefined),
  },
  {
    name: 'does not recreate the sandbox under OnFailure when every container succeeded',
    spec: { restartPolicy: 'OnFailure' },
    sandboxes: [sandbox('notready')],
    records: [rec('c', 'exited', { exitCode: 0 })],
    expect: (a) => assert.equal(a.createSandbox, undefined),
  },
  {
    name: 'kills and restarts a running container whose image changed, whatever the restart policy',
    spec: { restartPolicy: 'Never', containers: [ctr('c', { image: 'busybox:1.37' })] },
    records: [rec('c', 'running')],
    expect: (a) => {
      assert.equal(a.containersToKill[0].message, 'Container c definition changed, will be restarted');
      assert.deepEqual(starts(a), ['c']);
    },
  },
];

for (const c of cases) {
  test(c.name, () => {
    const pod = makePod(c.spec);
    c.pod?.(pod);
    const obs = observed(c.sandboxes ?? [sandbox()], c.records ?? []);
    c.expect(computePodActions({ pod, observed: obs, backoff: c.backoff ?? new Map(), now: c.now ?? T0 + 60_000 }));
  });
}
