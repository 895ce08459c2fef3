// Leaving the host as found (issue 14, items 1 and 2): the whole host's inventory (links, iptables nat and
// filter, mounts, cgroups, /run, conmon and runc processes) is taken before the daemon first starts, and
// compared after (1) a clean stop once every pod is deleted and (2) `peapod reset` on a data dir whose
// daemon was SIGKILLed with its pods running. Both must give the inventory back line for line, the host
// port rules of a pod included, and the portmap plugin's shared CNI-HOSTPORT-* chains, which go once
// nothing uses them (when the host had them unused before, they may go: the plugin makes them again).

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { TestDaemon, freePort, run, PEAPOD_BIN } from '../support/daemon.js';
import { reportingFailure } from '../support/failure.js';
import { hostChangesSince, hostInventory, type HostInventory } from '../support/soak.js';

const ROOT = process.getuid?.() === 0;

const pods = (hostPort: number) => `apiVersion: v1
kind: Pod
metadata: {name: plain, labels: {suite: host-reset}}
spec:
  terminationGracePeriodSeconds: 1
  containers:
    - {name: app, image: localhost/busybox:latest, command: ["sleep", "3600"]}
---
apiVersion: v1
kind: Pod
metadata: {name: volumes, labels: {suite: host-reset}}
spec:
  terminationGracePeriodSeconds: 1
  initContainers:
    - {name: init, image: localhost/busybox:latest, command: ["sh", "-c", "echo hi > /mem/greeting"], volumeMounts: [{name: mem, mountPath: /mem}]}
  containers:
    - name: app
      image: localhost/busybox:latest
      command: ["sleep", "3600"]
      resources: {requests: {cpu: 50m}}
      volumeMounts: [{name: mem, mountPath: /mem}, {name: disk, mountPath: /disk}]
    - {name: sidecar, image: localhost/busybox:latest, command: ["sleep", "3600"]}
  volumes:
    - {name: mem, emptyDir: {medium: Memory}}
    - {name: disk, emptyDir: {}}
---
apiVersion: v1
kind: Pod
metadata: {name: ported, labels: {suite: host-reset}}
spec:
  terminationGracePeriodSeconds: 1
  containers:
    - name: web
      image: localhost/busybox:latest
      command: ["httpd", "-f", "-p", "8080"]
      ports: [{containerPort: 8080, hostPort: ${hostPort}}]
`;

describe('leaving the host as found: a clean stop, and peapod reset after a crash (issue 14)', { skip: ROOT ? false : 'needs root: run the tests as root' }, () => {
  let d: TestDaemon;
  let failed = false;
  let baseline: HostInventory;
  let hostPort = 0;

  before(async () => {
    baseline = hostInventory();
    hostPort = await freePort();
    d = await TestDaemon.start({ name: 'host-reset', podCidr: '10.88.244.0/24' });
  });
  after(async () => {
    await d?.destroy(failed);
  });
  const step = (name: string, fn: () => Promise<void>) => it(name, reportingFailure(fn, () => (failed = true)));
  const reset = (...args: string[]) => run(process.execPath, [PEAPOD_BIN, 'reset', '--data-dir', d.paths.dataDir, ...args], { timeoutMs: 120_000 });

  const runPods = async () => {
    const r = await d.kubectl(['apply', '-f', '-'], { input: pods(hostPort) });
    assert.equal(r.code, 0, r.stderr);
    await d.k('wait', '--for=condition=Ready', 'pod', '-l', 'suite=host-reset', '--timeout=90s');
  };

  step('a daemon stopped once its pods are deleted leaves the host exactly as it found it', async () => {
    await runPods();
    // Its node-level state is there while it serves: the bridge and the run dir.
    assert.ok(hostInventory().links.includes(d.paths.bridgeName), 'the bridge exists while the daemon serves');
    await d.k('delete', 'pods', '--all', '--wait=true', '--timeout=90s');
    await d.stopProcess();
    assert.deepEqual(hostChangesSince(baseline), {});
    assert.match(d.log(), /no pod left: removed the node-level state/);
  });

  step('a daemon stopped with pods left keeps what they need: they keep running', async () => {
    await d.serve();
    await runPods();
    await d.stopProcess();
    const inv = hostInventory();
    assert.ok(inv.links.includes(d.paths.bridgeName), 'the bridge stays');
    assert.ok(inv.run.includes(d.paths.runDir), 'the run dir stays');
    assert.match(d.log(), /pods are left on the node/);
    await d.serve();
    const list = await d.getJson<{ items: { status: { containerStatuses?: { restartCount: number; state: { running?: unknown } }[] } }[] }>('pods', '-l', 'suite=host-reset');
    for (const p of list.items) for (const c of p.status.containerStatuses ?? []) assert.ok(c.state.running && c.restartCount === 0, 'adopted, not restarted');
  });

  step('peapod reset refuses while the daemon serves the data dir, and names it', async () => {
    const r = await reset();
    assert.equal(r.code, 1);
    assert.match(r.stderr, new RegExp(`a peapod daemon \\(pid ${d.pid}\\) serves ${d.paths.dataDir}: stop it first, or pass --force`));
    assert.ok(hostInventory().links.includes(d.paths.bridgeName), 'nothing was touched');
  });

  step('peapod reset after a SIGKILL with pods running gives the host back; the data dir is kept and runs the pods again', async () => {
    process.kill(d.pid!, 'SIGKILL');
    await d.waitFor('the daemon to die', async () => !fs.existsSync(`/proc/${d.pid}/status`) || /State:\s+Z/.test(fs.readFileSync(`/proc/${d.pid}/status`, 'utf8')), 15_000);
    const r = await reset();
    assert.equal(r.code, 0, r.stderr);
    for (const what of [/^stopped conmon \d+$/m, /^deleted runc container [0-9a-f]{64}$/m, /^unmounted .*kubernetes\.io~empty-dir\/mem$/m, /^removed nat chains CNI-DN-/m, /^removed nat chain PEAPOD-MASQ-/m, /^deleted bridge /m, /^removed CNI's shared host port chains/m, /^removed cgroup \/peapod-/m, /^released IP reservations 10\.88\.244\./m]) {
      assert.match(r.stdout, what);
    }
    assert.match(r.stdout, new RegExp(`^kept ${d.paths.dataDir} `, 'm'));
    assert.deepEqual(hostChangesSince(baseline), {});
    assert.equal((await reset()).stdout.split('\n')[0], `the host holds nothing of ${d.paths.dataDir}'s engine`);
    // The store and images stayed: a daemon started on the data dir runs the same pods anew.
    await d.serve();
    await d.k('wait', '--for=condition=Ready', 'pod', '-l', 'suite=host-reset', '--timeout=90s');
  });

  step('peapod reset --force stops the daemon first; --all removes the data dir too', async () => {
    const pid = d.pid;
    const r = await reset('--force', '--all');
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`^stopping the peapod daemon \\(pid ${pid}\\)$`, 'm'));
    assert.match(r.stdout, new RegExp(`^removed dir ${d.paths.dataDir}$`, 'm'));
    assert.equal(fs.existsSync(d.paths.dataDir), false);
    await d.waitFor('the daemon to exit', async () => !d.pid || !fs.existsSync(`/proc/${pid}`) || /State:\s+Z/.test(fs.readFileSync(`/proc/${pid}/status`, 'utf8')), 30_000);
    assert.deepEqual(hostChangesSince(baseline), {});
    // Reset needs no data dir: its names derive from the path.
    const again = await reset();
    assert.equal(again.code, 0, again.stderr);
    assert.equal(again.stdout, `the host holds nothing of ${path.resolve(d.paths.dataDir)}'s engine\n`);
  });
});
