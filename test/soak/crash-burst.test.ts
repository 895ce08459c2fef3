// kill -9 mid-burst (issue 13, scope 1; issue 14, items 3 and 4): N pods created at once through the API
// (one multi-document kubectl apply), the daemon SIGKILLed at an instant of the burst and restarted at
// once (not waiting for the old process to be reaped). The restarted daemon must bring every pod to
// Running with exactly one sandbox and one app container in the runtime (the daemon's own view and runc's
// list of its root), and one conmon, netns, veth, IP reservation and pod cgroup per pod. Then the same
// pods are deleted at once and the daemon killed again during the deletes: after the restart every pod is
// gone and nothing of the engine is left on the host (engineLeftovers, and the whole-host inventory
// against the one taken before any pod, limited to what this data dir's engine names).
//
// Round 0 runs without a kill and measures how long the create and delete bursts take; the kill instants
// of the later rounds are spread over those durations (round r kills at a random point of the r-th slice).
// Figures: recovery time (restart → all Running, restart → all gone) per round.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { TestDaemon, sleep } from '../support/daemon.js';
import { reportingFailure } from '../support/failure.js';
import { engineLeftovers } from '../support/host-state.js';
import { hostInventory, inventoryDiff, recordFigure, soakSize, type HostInventory } from '../support/soak.js';

const ROOT = process.getuid?.() === 0;
const CASE = 'crash-burst';
const PODS = soakSize(10, 50);
const KILLS = soakSize(2, 10);
const CONVERGE_TIMEOUT_MS = soakSize(90_000, 240_000);

const podYaml = (name: string) => `apiVersion: v1
kind: Pod
metadata:
  name: ${name}
  labels: {soak: crash-burst}
spec:
  terminationGracePeriodSeconds: 5
  containers:
    - name: app
      image: localhost/busybox:latest
      imagePullPolicy: IfNotPresent
      command: ["sh", "-c", "trap 'exit 0' TERM; sleep 3600 & wait"]
`;

interface RuntimePs {
  sandboxes: { id: string; state: string; metadata: { name: string; namespace: string; uid: string } }[];
  containers: { id: string; sandboxId: string; state: string; metadata: { name: string }; labels: Record<string, string> }[];
}

describe('kill -9 mid-burst: a daemon killed while pods start or stop comes back to exactly the pods asked for', { skip: ROOT ? false : 'needs root: run the tests as root' }, () => {
  let d: TestDaemon;
  let failed = false;
  let baseline: HostInventory;
  let burstCreateMs = 0;
  let burstDeleteMs = 0;
  const recoveries: { create: number[]; delete: number[] } = { create: [], delete: [] };

  before(async () => {
    d = await TestDaemon.start({ name: 'soak-crash', podCidr: '10.88.237.0/24' });
    baseline = hostInventory();
  });
  after(async () => {
    if (recoveries.create.length) {
      recordFigure(CASE, `restart → ${PODS} pods Running, max of ${recoveries.create.length} kills`, Math.max(...recoveries.create) / 1000, 's');
      recordFigure(CASE, `restart → ${PODS} pods gone, max of ${recoveries.delete.length} kills`, Math.max(0, ...recoveries.delete) / 1000, 's');
    }
    await d?.destroy(failed);
  });
  const step = (name: string, fn: () => Promise<void>) => it(name, reportingFailure(fn, () => (failed = true)));

  const names = (round: number) => Array.from({ length: PODS }, (_, i) => `crash-${round}-${i}`);

  const apply = (round: number) => d.kubectl(['apply', '-f', '-'], { input: names(round).map(podYaml).join('---\n'), timeoutMs: 120_000 });
  const applyAll = async (round: number) => {
    const r = await apply(round);
    assert.equal(r.code, 0, r.stderr);
  };

  const pods = async () =>
    (await d.getJson('pods', '-l', 'soak=crash-burst')).items as {
      metadata: { name: string; uid: string };
      status?: { phase?: string; containerStatuses?: { ready: boolean; state?: { running?: unknown } }[] };
    }[];

  const allRunning = async (round: number) => {
    const list = await pods();
    const want = new Set(names(round));
    const running = list.filter((p) => want.has(p.metadata.name) && p.status?.phase === 'Running' && p.status.containerStatuses?.[0]?.state?.running);
    return running.length === PODS;
  };

  const allGone = async () => (await pods()).length === 0;

  /** SIGKILL now and start again at once: the old process is not waited for (nor reaped, as far as the harness goes). */
  const crashAndRestart = async (): Promise<number> => {
    const pid = d.pid;
    assert.ok(pid, 'the daemon runs');
    process.kill(pid, 'SIGKILL');
    const t0 = Date.now();
    await d.serve();
    return t0;
  };

  const runtimePs = async (): Promise<RuntimePs> => JSON.parse(await d.k('get', '--raw', '/peapod/v1/runtime/ps')) as RuntimePs;
  const runcIds = () =>
    execFileSync('runc', ['--root', d.paths.runcRoot, 'list', '-q'], { encoding: 'utf8' }).split('\n').filter(Boolean);

  /** One ready sandbox and one running app container per pod, in the daemon's view and in runc's, and one of each host artifact. */
  const assertOnePerPod = async (round: number) => {
    const list = await pods();
    assert.equal(list.length, PODS, `pods: ${list.map((p) => p.metadata.name).join(' ')}`);
    const ps = await runtimePs();
    const problems: string[] = [];
    for (const p of list) {
      const sbs = ps.sandboxes.filter((s) => s.metadata.uid === p.metadata.uid);
      const ctrs = ps.containers.filter((c) => c.labels['io.kubernetes.pod.uid'] === p.metadata.uid);
      if (sbs.length !== 1 || ctrs.length !== 1) {
        problems.push(`${p.metadata.name}: sandboxes ${sbs.map((s) => `${s.id.slice(0, 12)}(${s.state})`).join(',') || 'none'}; containers ${ctrs.map((c) => `${c.id.slice(0, 12)}(${c.state})`).join(',') || 'none'}`);
      }
    }
    assert.deepEqual(problems, [], `round ${round}: not one sandbox and one container per pod`);
    assert.equal(ps.sandboxes.length, PODS, 'sandboxes in the runtime');
    assert.equal(ps.containers.length, PODS, 'containers in the runtime');
    // runc's own list of the data dir's root: exactly the recorded infra and app containers, all running.
    const known = new Set([...ps.sandboxes.map((s) => s.id), ...ps.containers.map((c) => c.id)]);
    const ids = runcIds();
    assert.deepEqual(ids.filter((id) => !known.has(id)), [], 'runc containers the runtime does not list');
    assert.equal(ids.length, 2 * PODS, 'runc containers (infra + app per pod)');
    const left = await engineLeftovers(d.paths);
    assert.equal(left.conmon?.length ?? 0, 2 * PODS, 'conmon processes (infra + app per pod)');
    assert.equal(left.netns?.length ?? 0, PODS, `netns files: ${left.netns?.join(' ')}`);
    assert.equal(left.veths?.length ?? 0, PODS, `veths on the bridge: ${left.veths?.join(' ')}`);
    assert.equal(left.ips?.length ?? 0, PODS, `IP reservations: ${left.ips?.join(' ')}`);
    const podCgroups = new Set((left.cgroups ?? []).map((c) => path.basename(c)));
    assert.equal(podCgroups.size, PODS, `pod cgroups: ${[...podCgroups].join(' ')}`);
  };

  /** Nothing of this data dir's engine is left: its own list, and the host inventory limited to its names. */
  const assertNothingLeft = async (round: number) => {
    // The API forgets a pod once its containers are stopped (as the kubelet lets it); its sandbox and
    // containers are removed after that: wait for them, then for their host state.
    const runtimeCounts = async () => {
      const ps = await runtimePs();
      return { sandboxes: ps.sandboxes.length, containers: ps.containers.length };
    };
    const none = { sandboxes: 0, containers: 0 };
    await d.waitFor('an empty runtime', async () => JSON.stringify(await runtimeCounts()) === JSON.stringify(none), 30_000).catch(() => undefined);
    assert.deepEqual(await runtimeCounts(), none, `round ${round}: runtime after deleting`);
    await d.waitFor('no engine leftovers', async () => Object.keys(await engineLeftovers(d.paths)).length === 0, 30_000).catch(() => undefined);
    assert.deepEqual(await engineLeftovers(d.paths), {}, `round ${round}: engine leftovers`);
    const diff = ours(inventoryDiff(baseline, hostInventory()), { nodeLevel: false });
    assert.deepEqual(diff, {}, `round ${round}: host inventory changed`);
  };

  /**
   * Entries that name this data dir's engine: its run dir, data dir, key (bridge, chains, cgroups), runc
   * root. Node-level state (the bridge, the cgroup parent and its QoS levels), made with the first pod and
   * kept while the daemon runs, is left out unless asked for.
   */
  const ours = (diff: ReturnType<typeof inventoryDiff>, opts: { nodeLevel: boolean }) => {
    const p = d.paths;
    const marks = [p.dataDir, p.runDir, p.key, p.bridgeName];
    const nodeLevel = (l: string) =>
      l === p.bridgeName || new RegExp(`^/sys/fs/cgroup/[^/]+/${p.cgroupParent}(/burstable|/besteffort)?$`).test(l);
    const keep = (l: string) => marks.some((m) => l.includes(m)) && (opts.nodeLevel || !nodeLevel(l));
    const out: typeof diff = {};
    for (const [kind, { added, removed }] of Object.entries(diff)) {
      const a = added.filter(keep);
      const r = removed.filter(keep);
      if (a.length || r.length) out[kind] = { added: a, removed: r };
    }
    return out;
  };

  const createBurst = async (round: number, killAfterMs?: number) => {
    const t0 = Date.now();
    if (killAfterMs === undefined) {
      await applyAll(round);
      await d.waitFor(`${PODS} pods Running`, () => allRunning(round), CONVERGE_TIMEOUT_MS);
      burstCreateMs = Date.now() - t0;
      recordFigure(CASE, `${PODS} pods created → Running, no kill`, burstCreateMs / 1000, 's');
      return;
    }
    const cut = apply(round); // the kill may cut it off
    await sleep(killAfterMs);
    const restartAt = await crashAndRestart();
    // Then it is applied again, as its user (or a controller) would: what was created stays as it is.
    await cut;
    await applyAll(round);
    await d.waitFor(`${PODS} pods Running after the restart`, () => allRunning(round), CONVERGE_TIMEOUT_MS);
    const ms = Date.now() - restartAt;
    recoveries.create.push(ms);
    recordFigure(CASE, `round ${round}: killed ${killAfterMs} ms into the create burst, restart → all Running`, ms / 1000, 's');
  };

  const deleteBurst = async (round: number, killAfterMs?: number) => {
    const t0 = Date.now();
    const deleted = d.kubectl(['delete', 'pods', '-l', 'soak=crash-burst', '--wait=false'], { timeoutMs: 60_000 });
    if (killAfterMs === undefined) {
      assert.equal((await deleted).code, 0);
      await d.waitFor('every pod gone', allGone, CONVERGE_TIMEOUT_MS);
      burstDeleteMs = Date.now() - t0;
      recordFigure(CASE, `${PODS} pods deleted → gone, no kill`, burstDeleteMs / 1000, 's');
      return;
    }
    await sleep(killAfterMs);
    const restartAt = await crashAndRestart();
    await deleted;
    // A delete the kill cut off before every pod was marked is repeated (kubectl would be, by its user).
    await d.kubectl(['delete', 'pods', '-l', 'soak=crash-burst', '--wait=false']);
    await d.waitFor('every pod gone after the restart', allGone, CONVERGE_TIMEOUT_MS);
    const ms = Date.now() - restartAt;
    recoveries.delete.push(ms);
    recordFigure(CASE, `round ${round}: killed ${killAfterMs} ms into the delete burst, restart → all gone`, ms / 1000, 's');
  };

  step(`round 0 (no kill): ${PODS} pods start with one sandbox and one container each, and leave nothing when deleted`, async () => {
    await createBurst(0);
    await assertOnePerPod(0);
    await deleteBurst(0);
    await assertNothingLeft(0);
  });

  for (let r = 1; r <= KILLS; r++) {
    step(`round ${r} of ${KILLS}: SIGKILL during the create burst, then during the delete burst`, async () => {
      // The r-th slice of the measured bursts, at a random point inside it.
      const at = (total: number) => Math.round((total * (r - 1 + Math.random())) / KILLS);
      await createBurst(r, at(burstCreateMs));
      await assertOnePerPod(r);
      // Converged for good: a later sync pass must not add or remove anything.
      await sleep(2000);
      await assertOnePerPod(r);
      await deleteBurst(r, at(burstDeleteMs));
      await assertNothingLeft(r);
    });
  }
});
