// The Runtime contract as behaviour (style.md §8): one suite of cases that both the FakeRuntime (unit
// tests, src/runtime/fake.test.ts) and the RuncRuntime (root integration, test/integration/) must pass,
// so that a pod-manager unit test on the fake proves something about the real runtime. Each case says
// one rule of runtime.ts in its name. Not used by the daemon.

import assert from 'node:assert/strict';
import { isNotFound, ConflictError } from '../errors.js';
import type { ContainerEvent, ContainerStatus, PodSandboxConfig, Runtime } from './runtime.js';

/** What a suite needs from an implementation besides the contract itself. */
export interface ConformanceEnv {
  runtime: Runtime;
  /** A fresh sandbox config (its own uid) named `name`. */
  sandbox(name: string): PodSandboxConfig;
  /** Creates a container that runs until stopped (`sleep`), or exits on its own with `code` once started. */
  container(sandboxId: string, sb: PodSandboxConfig, name: string, behaviour: { sleep: true } | { exitCode: number }): Promise<string>;
  /** Starts it; for an exiting container, resolves once its exit is recorded. */
  start(id: string): Promise<void>;
  /** Waits until the container's status shows it exited. */
  waitExited(id: string): Promise<ContainerStatus>;
}

export interface ConformanceCase {
  name: string;
  run(env: ConformanceEnv): Promise<void>;
}

async function running(env: ConformanceEnv, name: string) {
  const sb = env.sandbox(name);
  const sandboxId = await env.runtime.runPodSandbox(sb);
  const id = await env.container(sandboxId, sb, 'main', { sleep: true });
  await env.start(id);
  return { sb, sandboxId, id };
}

async function cleanUp(env: ConformanceEnv, sandboxId: string): Promise<void> {
  await env.runtime.stopPodSandbox(sandboxId);
  await env.runtime.removePodSandbox(sandboxId);
}

export const RUNTIME_CONFORMANCE: ConformanceCase[] = [
  {
    name: 'writable-layer usage is answered for known containers; unknown and removed ones are left out',
    async run(env) {
      const { sandboxId, id } = await running(env, 'fs-usage');
      const used = await env.runtime.containerFsUsage([id, 'no-such-container']);
      assert.deepEqual([...used.keys()], [id]);
      assert.ok(Number.isInteger(used.get(id)) && used.get(id)! >= 0);
      await cleanUp(env, sandboxId);
      assert.equal((await env.runtime.containerFsUsage([id])).size, 0);
    },
  },
  {
    name: 'unknown ids: status is NotFound; stop and remove of something already gone succeed',
    async run({ runtime }) {
      await assert.rejects(runtime.containerStatus('no-such-container'), (e) => isNotFound(e));
      await assert.rejects(runtime.podSandboxStatus('no-such-sandbox'), (e) => isNotFound(e));
      await runtime.stopContainer('no-such-container', 1);
      await runtime.removeContainer('no-such-container');
      await runtime.stopPodSandbox('no-such-sandbox');
      await runtime.removePodSandbox('no-such-sandbox');
    },
  },
  {
    name: 'a created container is listed as created, then running once started, with a start time',
    async run(env) {
      const sb = env.sandbox('lifecycle');
      const sandboxId = await env.runtime.runPodSandbox(sb);
      try {
        const id = await env.container(sandboxId, sb, 'main', { sleep: true });
        assert.equal((await env.runtime.containerStatus(id)).state, 'created');
        await env.start(id);
        const s = await env.runtime.containerStatus(id);
        assert.equal(s.state, 'running');
        assert.ok(s.startedAt > 0);
        assert.equal(s.sandboxId, sandboxId);
        assert.deepEqual((await env.runtime.listContainers({ sandboxId })).map((c) => c.id), [id]);
      } finally {
        await cleanUp(env, sandboxId);
      }
    },
  },
  {
    name: 'starting a container that is not created is a Conflict',
    async run(env) {
      const { sandboxId, id } = await running(env, 'restart');
      try {
        await assert.rejects(env.runtime.startContainer(id), (e) => e instanceof ConflictError);
      } finally {
        await cleanUp(env, sandboxId);
      }
    },
  },
  {
    name: 'exec in a container that is not running is a Conflict',
    async run(env) {
      const { sandboxId, id } = await running(env, 'exec');
      try {
        await env.runtime.stopContainer(id, 2);
        await assert.rejects(env.runtime.execSync(id, ['true'], 1000), (e) => e instanceof ConflictError);
      } finally {
        await cleanUp(env, sandboxId);
      }
    },
  },
  {
    name: 'a container exiting on its own is reported: an exited event, then its exit code and finish time',
    async run(env) {
      const events: ContainerEvent[] = [];
      const off = env.runtime.onContainerEvent((ev) => events.push(ev));
      const sb = env.sandbox('exits');
      const sandboxId = await env.runtime.runPodSandbox(sb);
      try {
        const id = await env.container(sandboxId, sb, 'main', { exitCode: 3 });
        await env.start(id);
        const s = await env.waitExited(id);
        assert.equal(s.exitCode, 3);
        assert.equal(s.reason, 'Error');
        assert.ok(s.finishedAt >= s.startedAt);
        assert.ok(events.some((e) => e.type === 'exited' && e.containerId === id && e.podUid === sb.metadata.uid));
      } finally {
        off();
        await cleanUp(env, sandboxId);
      }
    },
  },
  {
    name: 'stopping a container that exited already succeeds and keeps its exit',
    async run(env) {
      const sb = env.sandbox('stopped');
      const sandboxId = await env.runtime.runPodSandbox(sb);
      try {
        const id = await env.container(sandboxId, sb, 'main', { exitCode: 0 });
        await env.start(id);
        await env.waitExited(id);
        await env.runtime.stopContainer(id, 1);
        const s = await env.runtime.containerStatus(id);
        assert.equal(s.exitCode, 0);
        assert.equal(s.reason, 'Completed');
      } finally {
        await cleanUp(env, sandboxId);
      }
    },
  },
  {
    name: 'stopPodSandbox stops every container of the sandbox, created ones too; the sandbox stays, notready',
    async run(env) {
      const { sb, sandboxId, id } = await running(env, 'stopall');
      const created = await env.container(sandboxId, sb, 'later', { sleep: true });
      await env.runtime.stopPodSandbox(sandboxId);
      try {
        for (const c of [id, created]) assert.equal((await env.runtime.containerStatus(c)).state, 'exited', c);
        const s = await env.runtime.podSandboxStatus(sandboxId);
        assert.equal(s.state, 'notready');
        assert.deepEqual((await env.runtime.listPodSandboxes({ state: 'notready' })).map((x) => x.id).filter((x) => x === sandboxId), [sandboxId]);
        await assert.rejects(env.container(sandboxId, sb, 'more', { sleep: true }), (e) => e instanceof ConflictError);
      } finally {
        await env.runtime.removePodSandbox(sandboxId);
      }
    },
  },
  {
    name: 'removePodSandbox removes its containers; listing by the pod uid label finds nothing',
    async run(env) {
      const { sb, sandboxId, id } = await running(env, 'removeall');
      await env.runtime.removePodSandbox(sandboxId);
      await assert.rejects(env.runtime.containerStatus(id), (e) => isNotFound(e));
      const sel = { labelSelector: { 'io.kubernetes.pod.uid': sb.metadata.uid } };
      assert.deepEqual(await env.runtime.listContainers(sel), []);
      assert.deepEqual(await env.runtime.listPodSandboxes(sel), []);
    },
  },
];
