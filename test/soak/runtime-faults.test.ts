// Runtime faults (issue 13, scope 7): things broken from outside under a running pod of a real daemon —
// conmon killed (the app's, the infra's), the infra container (catatonit) killed, an app container's
// cgroup removed by hand, the pod's netns unmounted and its file removed, an app container's runc state
// deleted. For each, the pod manager must notice within its resync period, report it as the kubelet does
// (a sandbox fault: SandboxChanged and a new sandbox; either way the container restarts and its
// restartCount goes up) and repair it: the pod Running and Ready again, its IP answering, and after
// deletion nothing of the engine left on the host.
//
// Short form: one pod per fault, all at once, each fault injected once. Full form: the same pods go
// through soakSize(1, 5) rounds, the faults rotating over the pods, so each fault hits several pods.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import https from 'node:https';
import path from 'node:path';
import { TestDaemon, httpGet } from '../support/daemon.js';
import { reportingFailure } from '../support/failure.js';
import { recordFigure, soakSize } from '../support/soak.js';
import { cgroupsPathFor } from '../../src/runtime/oci-spec.js';

const ROOT = process.getuid?.() === 0;
const CASE = 'runtime-faults';
const ROUNDS = soakSize(1, 5);
/** The pod manager's steady resync (passes.ts RESYNC_STEADY_MS) plus the time a busy 2-core host needs. */
const DETECT_TIMEOUT_MS = 30_000;
const REPAIR_TIMEOUT_MS = 60_000;

type Fault = 'conmon-app' | 'conmon-infra' | 'infra-killed' | 'cgroup-removed' | 'netns-unmounted' | 'runc-state-deleted';
const FAULTS: Fault[] = ['conmon-app', 'conmon-infra', 'infra-killed', 'cgroup-removed', 'netns-unmounted', 'runc-state-deleted'];
/** Faults that break the sandbox itself: the kubelet kills the pod and makes a new sandbox. */
const SANDBOX_FAULTS = new Set<Fault>(['conmon-infra', 'infra-killed', 'netns-unmounted']);

const podYaml = (name: string) => `apiVersion: v1
kind: Pod
metadata:
  name: ${name}
  labels: {soak: runtime-faults}
spec:
  terminationGracePeriodSeconds: 1
  containers:
    - name: web
      image: localhost/busybox:latest
      imagePullPolicy: IfNotPresent
      command: ["sh", "-c", "mkdir -p /www && echo ${name} > /www/index.html && exec httpd -f -p 8080 -h /www"]
      readinessProbe:
        tcpSocket: {port: 8080}
        periodSeconds: 1
`;

interface Snapshot {
  uid: string;
  ip: string;
  restarts: number;
  containerId: string;
  /** lastState.terminated.exitCode, -1 without one. */
  lastExit: number;
  ready: boolean;
  phase: string;
  running: boolean;
}

interface SandboxRec {
  id: string;
  state: string;
  createdAt: number;
  netnsPath?: string;
  pausePid?: number;
  config: { metadata: { uid: string }; qosLevel?: string };
}

function readJson<T>(file: string): T | undefined {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as T;
  } catch {
    return undefined;
  }
}

/** A process that exists and is not a zombie (an orphan waits for pid 1 to reap it). */
function pidAlive(pid: number): boolean {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

describe('runtime faults under a running pod', { skip: ROOT ? false : 'needs root: run the tests as root' }, () => {
  let d: TestDaemon;
  let failed = false;

  before(async () => {
    d = await TestDaemon.start({ name: 'soak-runtime-faults', podCidr: '10.88.242.0/24' });
  });
  after(async () => {
    await d?.destroy(failed);
  });
  const step = (name: string, fn: () => Promise<void>) => it(name, reportingFailure(fn, () => (failed = true)));

  /** GET on the API as the admin (kubectl per poll would keep both cores busy with six pods polling). */
  const api = (p: string): Promise<any> =>
    new Promise((resolve, reject) => {
      const c = d.cluster;
      const req = https.request(new URL(p, c.server), { method: 'GET', ca: c.ca, cert: c.cert, key: c.key, agent: false }, (res) => {
        let data = '';
        res.on('data', (chunk) => (data += chunk));
        res.on('end', () => {
          try {
            if (res.statusCode !== 200) throw new Error(`GET ${p}: ${res.statusCode} ${data}`);
            resolve(JSON.parse(data));
          } catch (err) {
            reject(err);
          }
        });
      });
      req.on('error', reject);
      req.end();
    });

  const snapshot = async (name: string): Promise<Snapshot> => {
    const pod = await api(`/api/v1/namespaces/default/pods/${name}`);
    const cs = pod.status?.containerStatuses?.[0] ?? {};
    return {
      uid: pod.metadata.uid,
      ip: pod.status?.podIP ?? '',
      restarts: cs.restartCount ?? 0,
      containerId: String(cs.containerID ?? '').replace(/^runc:\/\//, ''),
      lastExit: cs.lastState?.terminated?.exitCode ?? -1,
      ready: cs.ready === true,
      phase: pod.status?.phase ?? '',
      running: !!cs.state?.running,
    };
  };

  const sandboxChangedCount = async (uid: string): Promise<number> => {
    const list = await api(`/api/v1/namespaces/default/events?fieldSelector=${encodeURIComponent(`involvedObject.uid=${uid},reason=SandboxChanged`)}`);
    return (list.items as any[]).reduce((n, e) => n + (e.count ?? 1), 0);
  };

  /** The pod's ready sandbox, as the runtime recorded it. */
  const readySandbox = (uid: string): SandboxRec | undefined => {
    const dir = d.paths.sandboxesDir;
    const recs = fs.readdirSync(dir).flatMap((id) => readJson<SandboxRec>(path.join(dir, id, 'record.json')) ?? []);
    return recs.filter((r) => r.config.metadata.uid === uid && r.state === 'ready').sort((a, b) => b.createdAt - a.createdAt)[0];
  };

  const answers = async (ip: string, name: string): Promise<boolean> => {
    try {
      const r = await httpGet(`http://${ip}:8080/index.html`, 2000);
      return r.status === 200 && r.body.trim() === name;
    } catch {
      return false;
    }
  };

  /** Running, Ready, one sandbox ready, and its IP serving the pod's page. */
  const healthy = async (name: string): Promise<Snapshot | false> => {
    const s = await snapshot(name);
    if (s.phase !== 'Running' || !s.running || !s.ready || !s.ip || !s.containerId) return false;
    if (!readySandbox(s.uid)) return false;
    return (await answers(s.ip, name)) ? s : false;
  };

  /** Moves a cgroup's tasks to its parent and removes it, in every hierarchy (rmdir needs it empty). */
  const removeCgroup = (rel: string): void => {
    for (const h of fs.readdirSync('/sys/fs/cgroup')) {
      const dir = path.join('/sys/fs/cgroup', h, rel);
      if (!fs.existsSync(dir)) continue;
      for (let i = 0; ; i++) {
        const procs = fs.readFileSync(path.join(dir, 'cgroup.procs'), 'utf8').split('\n').filter(Boolean);
        for (const p of procs) {
          try {
            fs.writeFileSync(path.join(path.dirname(dir), 'cgroup.procs'), p);
          } catch {
            /* exited meanwhile */
          }
        }
        try {
          fs.rmdirSync(dir);
          break;
        } catch (err) {
          if (i >= 50) throw err;
        }
      }
    }
  };

  const inject = (fault: Fault, s: Snapshot): void => {
    const sb = readySandbox(s.uid);
    assert.ok(sb, `pod ${s.uid} has a ready sandbox`);
    const ctrDir = path.join(d.paths.containersDir, s.containerId);
    const infraDir = path.join(d.paths.sandboxesDir, sb.id, 'infra');
    const killPidFile = (file: string) => {
      const pid = Number(fs.readFileSync(file, 'utf8').trim());
      assert.ok(pid > 1 && pidAlive(pid), `${file} names a live process`);
      process.kill(pid, 'SIGKILL');
    };
    switch (fault) {
      case 'conmon-app':
        return killPidFile(path.join(ctrDir, 'conmon.pid'));
      case 'conmon-infra':
        return killPidFile(path.join(infraDir, 'conmon.pid'));
      case 'infra-killed':
        assert.ok(sb.pausePid && pidAlive(sb.pausePid), 'the infra process runs');
        process.kill(sb.pausePid, 'SIGKILL');
        return;
      case 'cgroup-removed':
        return removeCgroup(cgroupsPathFor(d.paths.cgroupParent, s.uid, s.containerId, sb.config.qosLevel));
      case 'netns-unmounted':
        assert.ok(sb.netnsPath, 'the sandbox has a netns file');
        execFileSync('umount', [sb.netnsPath]);
        fs.rmSync(sb.netnsPath);
        return;
      case 'runc-state-deleted': {
        const state = path.join(d.paths.runcRoot, s.containerId);
        assert.ok(fs.existsSync(path.join(state, 'state.json')), 'runc has state for the container');
        fs.rmSync(state, { recursive: true });
        return;
      }
    }
  };

  /** One fault on one pod: inject, wait for the report, wait for the repair; returns the times (ms). */
  const faultOnce = async (name: string, fault: Fault): Promise<{ detectMs: number; repairMs: number }> => {
    const before = await d.waitFor(`${name} healthy before ${fault}`, () => healthy(name), REPAIR_TIMEOUT_MS);
    const sandboxBefore = readySandbox(before.uid)!.id;
    const changesBefore = await sandboxChangedCount(before.uid);
    const oldPid = readJson<{ pid: number }>(path.join(d.paths.containersDir, before.containerId, 'record.json'))?.pid ?? 0;
    assert.ok(oldPid > 1 && pidAlive(oldPid), `${name}: the app's process runs`);
    const t0 = Date.now();
    inject(fault, before);
    const sandboxFault = SANDBOX_FAULTS.has(fault);
    // Reported: the container's instance is no longer the one that ran (restarted or shown not running),
    // and for a sandbox fault the SandboxChanged event is there.
    await d.waitFor(`${name}: ${fault} reported`, async () => {
      const s = await snapshot(name);
      const reported = s.restarts > before.restarts || s.containerId !== before.containerId || !s.running;
      return reported && (!sandboxFault || (await sandboxChangedCount(before.uid)) > changesBefore);
    }, DETECT_TIMEOUT_MS);
    const detectMs = Date.now() - t0;
    const after = await d.waitFor(`${name}: repaired after ${fault}`, async () => {
      const s = await healthy(name);
      return s && s.containerId !== before.containerId ? s : false;
    }, REPAIR_TIMEOUT_MS);
    const repairMs = Date.now() - t0;
    assert.equal(after.restarts, before.restarts + 1, `${name}: one restart for ${fault}`);
    // The old instance is gone for real, not only forgotten (pid reuse within seconds is not a concern here).
    assert.ok(!pidAlive(oldPid), `${name}: the old app process ${oldPid} is gone after ${fault}`);
    const sandboxAfter = readySandbox(after.uid)!.id;
    if (sandboxFault) {
      assert.notEqual(sandboxAfter, sandboxBefore, `${name}: a new sandbox after ${fault}`);
      assert.equal(await sandboxChangedCount(before.uid), changesBefore + 1, `${name}: one SandboxChanged for ${fault}`);
    } else {
      // The lost container was SIGKILLed by the runtime: the kubelet shows 137 as its last state.
      assert.equal(after.lastExit, 137, `${name}: the killed instance's exit code after ${fault}`);
      assert.equal(sandboxAfter, sandboxBefore, `${name}: the sandbox is kept after ${fault}`);
      assert.equal(await sandboxChangedCount(before.uid), changesBefore, `${name}: no SandboxChanged for ${fault}`);
    }
    return { detectMs, repairMs };
  };

  step(`detects and repairs each fault (${ROUNDS} round(s) over ${FAULTS.length} pods)`, async () => {
    const names = FAULTS.map((_, i) => `rf-${i}`);
    for (const n of names) await d.kubectl(['apply', '-f', '-'], { input: podYaml(n) }).then((r) => assert.equal(r.code, 0, r.stderr));
    const times = new Map<Fault, { detect: number[]; repair: number[] }>(FAULTS.map((f) => [f, { detect: [], repair: [] }]));
    for (let round = 0; round < ROUNDS; round++) {
      // Every pod's fault runs to its end, so one failure report names every fault that was not handled.
      const results = await Promise.allSettled(
        names.map(async (name, i) => {
          const fault = FAULTS[(i + round) % FAULTS.length]!;
          const t = await faultOnce(name, fault);
          times.get(fault)!.detect.push(t.detectMs);
          times.get(fault)!.repair.push(t.repairMs);
        }),
      );
      const errors = results.flatMap((r) => (r.status === 'rejected' ? [String(r.reason).split('\n--- daemon log tail')[0]] : []));
      assert.deepEqual(errors, [], `round ${round + 1}`);
    }
    // Repair includes the crash-loop back-off: a container lost again within minutes waits 10 s, 20 s, ...
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    for (const [fault, t] of times) {
      recordFigure(CASE, `${fault} detection (max of ${t.detect.length})`, Math.max(...t.detect) / 1000, 's');
      recordFigure(CASE, `${fault} repair (median / max of ${t.repair.length})`, `${median(t.repair) / 1000} / ${Math.max(...t.repair) / 1000}`, 's');
    }
  });

  step('leaves nothing of the engine on the host once the pods are deleted', async () => {
    const r = await d.kubectl(['delete', 'pods', '-l', 'soak=runtime-faults', '--grace-period=1', '--wait=true', '--timeout=90s'], { timeoutMs: 120_000 });
    assert.equal(r.code, 0, r.stderr);
    const left = await d.waitFor('no engine leftovers', async () => {
      const l = await d.leftovers();
      return Object.keys(l).length === 0 ? l : false;
    }, 30_000).catch(() => d.leftovers());
    assert.deepEqual(left, {});
  });
});
