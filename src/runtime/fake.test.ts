import { test } from 'node:test';
import { FakeClock } from '../system/clock.js';
import { RUNTIME_CONFORMANCE } from './conformance.js';
import { FakeRuntime } from './fake.js';
import { LABEL_POD_UID, type PodSandboxConfig } from './runtime.js';

function fakeEnv() {
  const clock = new FakeClock();
  const runtime = new FakeRuntime({ clock });
  const exits = new Map<string, number>();
  let n = 0;
  return {
    runtime,
    sandbox(name: string): PodSandboxConfig {
      const uid = `uid-${name}-${++n}`;
      return {
        metadata: { name, namespace: 'default', uid, attempt: 0 }, hostname: name, logDirectory: '/logs', dns: { servers: [], searches: [], options: [] },
        hostAliases: [], portMappings: [], labels: { [LABEL_POD_UID]: uid }, annotations: {}, hostNetwork: false, hostPID: false, hostIPC: false,
        shareProcessNamespace: false, sysctls: {},
      };
    },
    async container(sandboxId: string, sb: PodSandboxConfig, name: string, b: { sleep: true } | { exitCode: number }) {
      const id = await runtime.createContainer(sandboxId, {
        metadata: { name, attempt: 0 }, image: 'busybox', args: [], envs: [], workingDir: '/', mounts: [], logPath: `${name}/0.log`,
        stdin: false, stdinOnce: false, tty: false, labels: { [LABEL_POD_UID]: sb.metadata.uid }, annotations: {},
        security: { privileged: false, supplementalGroups: [], readonlyRootfs: false, noNewPrivileges: false, capabilitiesAdd: [], capabilitiesDrop: [] },
        resources: {}, stopSignal: 'SIGTERM',
      }, sb);
      if ('exitCode' in b) exits.set(id, b.exitCode);
      return id;
    },
    async start(id: string) {
      await runtime.startContainer(id);
      const code = exits.get(id);
      if (code !== undefined) runtime.exitContainer(id, code);
    },
    async waitExited(id: string) {
      return runtime.containerStatus(id);
    },
  };
}

for (const c of RUNTIME_CONFORMANCE) test(`runtime contract (fake): ${c.name}`, () => c.run(fakeEnv()));
