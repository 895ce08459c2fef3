// `peapod serve --warm-pool` from outside (issue 15), as a user runs it, with the real kubectl: pods claim
// ready sandboxes and look to kubectl like pods on fresh ones (IP, hostname, /etc/hosts, `peapod runtime ps`);
// a pod with a hostPort gets a fresh sandbox; `peapod runtime ps` shows no pool sandbox; /metrics counts the claims. The host's
// inventory is taken before the daemon first starts and must come back line for line after a clean stop
// (the pool is removed with the node-level state) and after `peapod reset` on a daemon SIGKILLed with a full pool.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { TestDaemon, freePort, run, PEAPOD_BIN } from '../support/daemon.js';
import { reportingFailure } from '../support/failure.js';
import { hostChangesSince, hostInventory, type HostInventory } from '../support/soak.js';

const ROOT = process.getuid?.() === 0;
const SUBNET = '10.88.246.0/24';

const pods = (hostPort: number) => `apiVersion: v1
kind: Pod
metadata: {name: warm, labels: {suite: warm-pool}}
spec:
  terminationGracePeriodSeconds: 1
  hostAliases: [{ip: 10.9.8.7, hostnames: [aliased]}]
  containers:
    - name: app
      image: localhost/busybox:latest
      command: ["sleep", "3600"]
      resources: {limits: {cpu: 100m, memory: 32Mi}}
    - {name: peer, image: localhost/busybox:latest, command: ["sh", "-c", "mkdir -p /www && echo hello-peer > /www/index.html && exec httpd -f -p 8080 -h /www"]}
---
apiVersion: v1
kind: Pod
metadata: {name: ported, labels: {suite: warm-pool}}
spec:
  terminationGracePeriodSeconds: 1
  containers:
    - name: web
      image: localhost/busybox:latest
      command: ["httpd", "-f", "-p", "8080"]
      ports: [{containerPort: 8080, hostPort: ${hostPort}}]
`;

describe('serve --warm-pool: pods claim ready sandboxes; the host is left as found (issue 15)', { skip: ROOT ? false : 'needs root: run the tests as root' }, () => {
  let d: TestDaemon;
  let failed = false;
  let baseline: HostInventory;
  let hostPort = 0;

  before(async () => {
    baseline = hostInventory();
    hostPort = await freePort();
    d = await TestDaemon.start({ name: 'warm-pool', podCidr: SUBNET, extraArgs: ['--warm-pool', '2'] });
  });
  after(async () => {
    await d?.destroy(failed);
  });
  const step = (name: string, fn: () => Promise<void>) => it(name, reportingFailure(fn, () => (failed = true)));
  const metric = async (name: string): Promise<number> => {
    const text = await d.k('get', '--raw', '/metrics');
    const m = new RegExp(`^${name} (\\S+)$`, 'm').exec(text);
    assert.ok(m, `${name} in /metrics`);
    return Number(m[1]);
  };
  const poolFull = () => d.waitFor('the warm pool to fill', async () => (await metric('peapod_warm_pool_ready_sandboxes')) === 2, 60_000);

  step('a pod claims a pool sandbox and is a pod like any other; a hostPort pod gets a fresh one', async () => {
    await poolFull();
    assert.equal(await metric('peapod_warm_pool_size'), 2);
    const r = await d.kubectl(['apply', '-f', '-'], { input: pods(hostPort) });
    assert.equal(r.code, 0, r.stderr);
    await d.k('wait', '--for=condition=Ready', 'pod', '-l', 'suite=warm-pool', '--timeout=90s');
    assert.equal(await metric('peapod_warm_pool_claims_total'), 1, 'the plain pod claimed one, the hostPort pod did not');

    const pod = await d.getJson<{ status: { podIP: string; podIPs: { ip: string }[] }; metadata: { uid: string } }>('pod', 'warm');
    assert.match(pod.status.podIP, /^10\.88\.246\.\d+$/);
    assert.equal(await d.k('exec', 'warm', '-c', 'app', '--', 'hostname'), 'warm\n');
    const hosts = await d.k('exec', 'warm', '-c', 'app', '--', 'cat', '/etc/hosts');
    assert.match(hosts, new RegExp(`^${pod.status.podIP.replace(/\./g, '\\.')}\\twarm$`, 'm'));
    assert.match(hosts, /^10\.9\.8\.7\taliased$/m);
    // One network namespace: the app reaches its peer on localhost, and sees the pod IP on eth0.
    const page = await d.waitFor('the peer\'s page on localhost', async () => {
      const w = await d.kubectl(['exec', 'warm', '-c', 'app', '--', 'wget', '-qO-', 'http://127.0.0.1:8080/']);
      return w.code === 0 ? w.stdout : false;
    });
    assert.equal(page, 'hello-peer\n');
    assert.match(await d.k('exec', 'warm', '-c', 'app', '--', 'ip', '-4', 'addr', 'show', 'eth0'), new RegExp(`inet ${pod.status.podIP.replace(/\./g, '\\.')}/24`));
    // The runtime's view: the infra container is the pod's, holding the namespaces its containers join.
    const ps = await d.peapod(['runtime', 'ps']);
    assert.equal(ps.code, 0, ps.stderr);
    const rows = ps.stdout.split('\n').filter((l) => l.includes('default/warm'));
    assert.equal(rows.length, 3, ps.stdout);
    assert.match(rows[0]!, /\bPOD\b.*holds net,ipc,uts/);
    assert.ok(!ps.stdout.includes('peapod-warm-pool'), 'runtime ps lists no pool sandbox');
    // The pool refills once the node is quiet.
    await poolFull();
  });

  step('a clean stop once the pods are deleted removes the pool and leaves the host exactly as found', async () => {
    await d.k('delete', 'pods', '--all', '--wait=true', '--timeout=90s');
    await d.stopProcess();
    assert.deepEqual(hostChangesSince(baseline), {});
  });

  step('peapod reset after a SIGKILL with a full pool gives the host back; a restart removes an old pool', async () => {
    await d.serve();
    await poolFull();
    process.kill(d.pid!, 'SIGKILL');
    await d.waitFor('the daemon to die', async () => !fs.existsSync(`/proc/${d.pid}/status`) || /State:\s+Z/.test(fs.readFileSync(`/proc/${d.pid}/status`, 'utf8')), 15_000);
    // A daemon started over it removes the dead one's pool sandboxes and makes its own.
    await d.serve();
    await poolFull();
    assert.match(d.log(), /removing a warm pool sandbox of the previous run/);
    process.kill(d.pid!, 'SIGKILL');
    await d.waitFor('the daemon to die', async () => !fs.existsSync(`/proc/${d.pid}/status`) || /State:\s+Z/.test(fs.readFileSync(`/proc/${d.pid}/status`, 'utf8')), 15_000);
    const r = await run(process.execPath, [PEAPOD_BIN, 'reset', '--data-dir', d.paths.dataDir], { timeoutMs: 120_000 });
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(hostChangesSince(baseline), {});
  });
});
