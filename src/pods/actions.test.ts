import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Pod, PodSpec } from '../k8s/types.js';
import type { ContainerStatus, PodSandboxStatus } from '../runtime/runtime.js';
import { computePodActions, type PodActions } from './actions.js';
import { backoffNext, crashLoopKey, type BackoffState } from './backoff.js';
import { containerHash } from './spec.js';
import type { ProbeView } from './probes/manager.js';
import { T0, UID, ctr, makePod, observed, rec, sandbox } from './test-fixtures.js';

interface Case {
  name: string;
  spec?: Partial<PodSpec>;
  pod?: (p: Pod) => void;
  sandboxes?: PodSandboxStatus[];
  records?: ContainerStatus[];
  backoff?: BackoffState;
  now?: number;
  probes?: ProbeView;
  expect: (a: PodActions) => void;
}

const starts = (a: PodActions) => a.containersToStart.map((s) => s.name);
const inits = [ctr('i1'), ctr('i2')];
const side = (name: string, extra = {}) => ctr(name, { restartPolicy: 'Always', ...extra });
const initStarts = (a: PodActions) => a.initContainersToStart.map((s) => s.name);
const probeView = (v: Partial<ProbeView>): ProbeView => ({ started: () => true, ready: () => true, failed: () => undefined, ...v });
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
    expect: (a) => assert.deepEqual(a, { ephemeralContainersToStart: [], initContainersToStart: [], containersToStart: [], containersToKill: [] }),
  },
  {
    name: 'starts an ephemeral container once, beside a running pod, and never again after it exits',
    spec: { ephemeralContainers: [ctr('debug', { targetContainerName: 'c' })] },
    records: [rec('c', 'running')],
    expect: (a) => {
      assert.deepEqual(a.ephemeralContainersToStart.map((s) => [s.name, s.kind, s.attempt]), [['debug', 'ephemeral', 0]]);
      assert.deepEqual(starts(a), []);
    },
  },
  {
    name: 'an exited ephemeral container stays exited, whatever the restart policy',
    spec: { ephemeralContainers: [ctr('debug')] },
    records: [rec('c', 'running'), rec('debug', 'exited', { exitCode: 1 })],
    expect: (a) => assert.deepEqual(a.ephemeralContainersToStart, []),
  },
  {
    name: 'an ephemeral container gets in while an init container still runs',
    spec: { initContainers: inits, ephemeralContainers: [ctr('debug')] },
    records: [rec('i1', 'running')],
    expect: (a) => {
      assert.deepEqual(a.ephemeralContainersToStart.map((s) => s.name), ['debug']);
      assert.deepEqual(initStarts(a), []);
    },
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
      assert.equal(a.initContainersToStart[0]?.name, 'i1');
      assert.equal(a.initContainersToStart[0]?.kind, 'init');
      assert.deepEqual(starts(a), []);
    },
  },
  {
    name: 'starts the next init container after the previous one exited 0',
    spec: { initContainers: inits },
    records: [rec('i1', 'exited', { exitCode: 0 })],
    expect: (a) => assert.equal(a.initContainersToStart[0]?.name, 'i2'),
  },
  {
    name: 'waits while an init container runs',
    spec: { initContainers: inits },
    records: [rec('i1', 'running')],
    expect: (a) => assert.deepEqual(a, { ephemeralContainersToStart: [], initContainersToStart: [], containersToStart: [], containersToKill: [] }),
  },
  {
    name: 'starts the regular containers once every init container exited 0',
    spec: { initContainers: inits, containers: [ctr('a'), ctr('b')] },
    records: [rec('i1', 'exited'), rec('i2', 'exited')],
    expect: (a) => {
      assert.equal(a.initContainersToStart[0], undefined);
      assert.deepEqual(starts(a), ['a', 'b']);
    },
  },
  {
    name: 'restarts a failed init container when restartPolicy is Always',
    spec: { initContainers: inits },
    records: [rec('i1', 'exited', { exitCode: 1 })],
    expect: (a) => {
      assert.equal(a.initContainersToStart[0]?.name, 'i1');
      assert.equal(a.initContainersToStart[0]?.isRestart, true);
    },
  },
  {
    name: 'kills the pod instead of retrying a failed init container when restartPolicy is Never',
    spec: { initContainers: inits, restartPolicy: 'Never' },
    records: [rec('i1', 'exited', { exitCode: 0 }), rec('i2', 'exited', { exitCode: 1 })],
    expect: (a) => {
      assert.equal(a.initContainersToStart[0], undefined);
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
      assert.equal(a.initContainersToStart[0]?.name, 'i1');
      assert.equal(a.initContainersToStart[0]?.attempt, 0);
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
  {
    name: 'sidecars: a started sidecar lets the next init container start beside it',
    spec: { initContainers: [side('s'), ctr('i')] },
    records: [rec('s', 'running')],
    expect: (a) => {
      assert.deepEqual(initStarts(a), ['i']);
      assert.equal(a.initContainersToStart[0].kind, 'init');
      assert.deepEqual(starts(a), []);
    },
  },
  {
    name: 'sidecars: a sidecar whose startup probe has not passed holds the next container back',
    spec: { initContainers: [side('s', { startupProbe: { exec: { command: ['x'] } } })] },
    records: [rec('s', 'running')],
    probes: probeView({ started: () => false }),
    expect: (a) => assert.deepEqual(a, { ephemeralContainersToStart: [], initContainersToStart: [], containersToStart: [], containersToKill: [] }),
  },
  {
    name: 'sidecars: a failed startup probe kills and restarts the sidecar',
    spec: { initContainers: [side('s', { startupProbe: { exec: { command: ['x'] } } })] },
    records: [rec('s', 'running')],
    probes: probeView({ started: () => false, failed: () => 'Startup' }),
    expect: (a) => {
      assert.equal(a.containersToKill[0].message, 'Init container s failed startup probe');
      assert.deepEqual(initStarts(a), ['s']);
      assert.equal(a.initContainersToStart[0].attempt, 1);
    },
  },
  {
    name: 'sidecars: an exited sidecar is restarted even under restartPolicy Never, beside the running app',
    spec: { restartPolicy: 'Never', initContainers: [side('s')] },
    records: [rec('s', 'exited', { exitCode: 1 }), rec('c', 'running')],
    expect: (a) => {
      assert.deepEqual(initStarts(a), ['s']);
      assert.equal(a.initContainersToStart[0].kind, 'sidecar');
      assert.equal(a.killPod, undefined);
    },
  },
  {
    name: 'sidecars: a sidecar whose record is gone after initialization is started again',
    spec: { initContainers: [side('s'), ctr('i')] },
    records: [rec('c', 'running')],
    expect: (a) => assert.deepEqual(initStarts(a), ['s']),
  },
  {
    name: 'sidecars: once every regular container is done (RP Never) the pod is killed, sidecars with it, none restarted',
    spec: { restartPolicy: 'Never', initContainers: [side('s')] },
    records: [rec('s', 'running'), rec('c', 'exited', { exitCode: 0 })],
    expect: (a) => {
      assert.equal(a.killPod?.reason, 'completed');
      assert.deepEqual(a.killPod?.containers.map((c) => c.name), ['s']);
      assert.deepEqual(initStarts(a), []);
    },
  },
  {
    name: 'a liveness failure under RP Always kills and restarts in the same pass, back-off judged by the last exited instance',
    records: [rec('c', 'running', { attempt: 1 }), rec('c', 'exited', { attempt: 0, exitCode: 1, finishedAt: T0 + 55_000 })],
    backoff: new Map([[cKey, backoffNext(undefined, T0 + 55_000)]]),
    probes: probeView({ failed: (id) => (id.startsWith('c-1-') ? 'Liveness' : undefined) }),
    expect: (a) => {
      assert.equal(a.containersToKill[0].message, 'Container c failed liveness probe, will be restarted');
      assert.equal(a.containersToKill[0].cause, 'liveness');
      assert.deepEqual(starts(a), ['c']);
      assert.equal(a.containersToStart[0].attempt, 2);
      assert.ok(a.containersToStart[0].blockedUntil, 'the exit at 55 s with a 10 s back-off blocks a start at 60 s');
    },
  },
];

for (const c of cases) {
  test(c.name, () => {
    const pod = makePod(c.spec);
    c.pod?.(pod);
    const obs = observed(c.sandboxes ?? [sandbox()], c.records ?? []);
    c.expect(computePodActions({ pod, observed: obs, backoff: c.backoff ?? new Map(), now: c.now ?? T0 + 60_000, ...(c.probes ? { probes: c.probes } : {}) }));
  });
}
