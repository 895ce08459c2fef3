// End to end, issue 12: the node's heartbeat Lease in kube-node-lease as a kubelet keeps it, Leases as a
// kubectl user meets them, and Events in both API versions kube-apiserver serves (core/v1 and
// events.k8s.io/v1, one storage), with kubectl 1.27 and 1.33.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { TestDaemon } from '../support/daemon.js';
import { reportingFailure } from '../support/failure.js';

const ROOT = process.getuid?.() === 0;
const KUBECTL_DIR = '/usr/lib/google-cloud-sdk/bin';
const OLDEST = `${KUBECTL_DIR}/kubectl.1.27`;
const NEWEST = `${KUBECTL_DIR}/kubectl.1.33`;
const BOTH = [OLDEST, NEWEST];

const POD = `apiVersion: v1
kind: Pod
metadata:
  name: ev-pod
spec:
  terminationGracePeriodSeconds: 1
  containers:
    - name: main
      image: localhost/busybox:latest
      command: [sleep, "3600"]
`;

const lease = (name: string, holder: string) => `apiVersion: coordination.k8s.io/v1
kind: Lease
metadata:
  name: ${name}
spec:
  holderIdentity: ${holder}
  leaseDurationSeconds: 15
  renewTime: "2026-01-01T00:00:00.000000Z"
`;

const v1Event = (name: string, note: string) => `apiVersion: events.k8s.io/v1
kind: Event
metadata:
  name: ${name}
eventTime: "2026-01-01T00:00:00.000000Z"
reportingController: example.com/e2e
reportingInstance: e2e-1
action: Testing
reason: Tested
type: Normal
note: ${note}
regarding:
  apiVersion: v1
  kind: Pod
  name: ev-pod
  namespace: default
`;

describe('node lease and events.k8s.io with kubectl', { skip: ROOT ? false : 'needs root: run the tests as root' }, () => {
  let d: TestDaemon;
  let failed = false;

  before(async () => {
    d = await TestDaemon.start({ name: 'e2e-evlease', podCidr: '10.88.234.0/24', extraArgs: ['--node-lease-renew-interval', '1s'] });
  });
  after(async () => {
    await d?.destroy(failed);
  });

  const step = (name: string, fn: () => Promise<void>) => it(name, reportingFailure(fn, () => (failed = true)));
  const kc = async (bin: string, ...args: string[]) => {
    const r = await d.kubectl(args, { bin });
    assert.equal(r.code, 0, `${bin} ${args.join(' ')}: ${r.stderr}`);
    return r.stdout;
  };

  step('the node keeps its Lease in kube-node-lease, renewed as a kubelet renews it', async () => {
    const get = async () => (await d.getJson('lease', '-n', 'kube-node-lease', d.nodeName)) as { spec: { holderIdentity: string; leaseDurationSeconds: number; renewTime: string }; metadata: { ownerReferences: { kind: string; name: string; uid: string }[] } };
    const first = await get();
    assert.equal(first.spec.holderIdentity, d.nodeName);
    assert.equal(first.spec.leaseDurationSeconds, 40);
    assert.match(first.spec.renewTime, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
    const node = await d.getJson('node', d.nodeName);
    assert.deepEqual(first.metadata.ownerReferences.map((o) => [o.kind, o.name, o.uid]), [['Node', d.nodeName, node.metadata.uid]]);
    await d.waitFor('renewTime to move', async () => (await get()).spec.renewTime > first.spec.renewTime, 10_000);
    for (const bin of BOTH) {
      const out = await kc(bin, 'get', 'lease', '-n', 'kube-node-lease');
      assert.match(out, /^NAME\s+HOLDER\s+AGE\s*$/m, bin);
      assert.match(out, new RegExp(`^${d.nodeName}\\s+${d.nodeName}\\s+\\d+s\\s*$`, 'm'), bin);
      assert.match(await kc(bin, 'get', 'lease', '-A'), new RegExp(`^kube-node-lease\\s+${d.nodeName}\\s+${d.nodeName}\\s+`, 'm'), bin);
      const described = await kc(bin, 'describe', 'lease', '-n', 'kube-node-lease', d.nodeName);
      assert.match(described, new RegExp(`Holder Identity:\\s+${d.nodeName}`), bin);
      assert.match(described, /Lease Duration Seconds:\s+40/, bin);
    }
  });

  step('a deleted node lease comes back', async () => {
    await d.k('delete', 'lease', '-n', 'kube-node-lease', d.nodeName);
    await d.waitFor('the lease again', async () => (await d.kubectl(['get', 'lease', '-n', 'kube-node-lease', d.nodeName])).code === 0, 10_000);
  });

  step('leases are created, applied, validated and deleted with kubectl 1.27 and 1.33', async () => {
    for (const [i, bin] of BOTH.entries()) {
      const name = `l${i}`;
      assert.match(await d.kubectl(['create', '-f', '-'], { bin, input: lease(name, 'a') }).then((r) => r.stdout + r.stderr), /created/);
      assert.match(await d.kubectl(['apply', '-f', '-'], { bin, input: lease(name, 'b') }).then((r) => r.stdout + r.stderr), /configured/);
      assert.equal((await d.getJson('lease', name)).spec.holderIdentity, 'b');
      const bad = await d.kubectl(['apply', '-f', '-'], { bin, input: lease(`${name}-bad`, 'a').replace('leaseDurationSeconds: 15', 'leaseDurationSeconds: 0') });
      assert.notEqual(bad.code, 0);
      assert.match(bad.stderr, /spec\.leaseDurationSeconds: Invalid value: 0: must be greater than 0/);
      const badTime = await d.kubectl(['create', '-f', '-'], { bin, input: lease(`${name}-t`, 'a').replace('.000000Z', 'Z') });
      assert.notEqual(badTime.code, 0);
      assert.match(badTime.stderr, /cannot parse "Z" as ".000000"/);
      await kc(bin, 'delete', 'lease', name);
    }
  });

  step('discovery and explain know leases and events.k8s.io events', async () => {
    for (const bin of BOTH) {
      const resources = await kc(bin, 'api-resources');
      assert.match(resources, /^leases\s+coordination\.k8s\.io\/v1\s+true\s+Lease\s*$/m, bin);
      assert.match(resources, /^events\s+ev\s+events\.k8s\.io\/v1\s+true\s+Event\s*$/m, bin);
      assert.match(await kc(bin, 'explain', 'lease.spec'), /holderIdentity\s+<string>/, bin);
      assert.match(await kc(bin, 'explain', 'events', '--api-version=events.k8s.io/v1'), /reportingController\s+<string>/, bin);
    }
  });

  step('a pod\'s Scheduled and Started events read through core/v1 and events.k8s.io/v1', async () => {
    assert.equal((await d.kubectl(['apply', '-f', '-'], { input: POD })).code, 0);
    await d.waitFor('the pod running', async () => (await d.getJson('pod', 'ev-pod')).status?.phase === 'Running');
    await d.waitFor('its Started event', async () => /Started/.test(await d.k('get', 'events', '--field-selector', 'involvedObject.name=ev-pod')));
    for (const bin of BOTH) {
      const table = await kc(bin, 'get', 'events');
      assert.match(table, /^LAST SEEN\s+TYPE\s+REASON\s+OBJECT\s+MESSAGE\s*$/m, bin);
      assert.match(table, /\s+Normal\s+Scheduled\s+pod\/ev-pod\s+Successfully assigned default\/ev-pod to /, bin);
      const v1Table = await kc(bin, 'get', 'events.v1.events.k8s.io');
      assert.match(v1Table, /^LAST SEEN\s+TYPE\s+REASON\s+OBJECT\s+MESSAGE\s*$/m, bin);
      assert.match(v1Table, /\s+Normal\s+Started\s+pod\/ev-pod\s+Started container main/, bin);
      const yaml = await kc(bin, 'get', 'events.events.k8s.io', '-o', 'yaml');
      assert.match(yaml, /^kind: List$/m, bin);
      assert.match(yaml, /apiVersion: events\.k8s\.io\/v1\n/, bin);
      assert.match(yaml, /note: Successfully assigned default\/ev-pod to /, bin);
      assert.match(yaml, /reason: Started\n/, bin);
      assert.match(yaml, /reportingController: kubelet\n/, bin);
      assert.match(yaml, /regarding:\n(\s{4}.*\n)*?\s{4}name: ev-pod\n/, bin);
      assert.match(yaml, /deprecatedSource:\n\s+component: default-scheduler/, bin);
    }
    const events = await kc(NEWEST, 'events', '--for', 'pod/ev-pod');
    assert.match(events, /^LAST SEEN\s+TYPE\s+REASON\s+OBJECT\s+MESSAGE\s*$/m);
    assert.match(events, /Normal\s+Scheduled\s+Pod\/ev-pod\s+Successfully assigned/);
    assert.match(events, /Normal\s+Started\s+Pod\/ev-pod\s+Started container main/);
  });

  step('a watch on /apis/events.k8s.io/v1/events receives a new event in that version', async () => {
    const rv = (await d.getJson('events.events.k8s.io', '-A')).metadata.resourceVersion as string;
    const watch = spawn(NEWEST, ['--kubeconfig', d.kubeconfig, 'get', '--raw', `/apis/events.k8s.io/v1/events?watch=true&resourceVersion=${rv}&timeoutSeconds=8`], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    watch.stdout.on('data', (b: Buffer) => (out += b.toString()));
    const done = new Promise<number | null>((resolve) => watch.on('close', resolve));
    try {
      // No wait for the watch to connect: it starts from rv, so an event made before it is open is sent too.
      const created = await d.kubectl(['create', '-f', '-'], { input: v1Event('watched', 'seen by the watch') });
      assert.equal(created.code, 0, created.stderr);
      await d.waitFor('the watch event', async () => out.includes('"watched"'), 8_000);
    } finally {
      watch.kill();
      await done;
    }
    const line = out.split('\n').find((l) => l.includes('"watched"'))!;
    const ev = JSON.parse(line) as { type: string; object: { apiVersion: string; note: string; regarding: { name: string } } };
    assert.equal(ev.type, 'ADDED');
    assert.equal(ev.object.apiVersion, 'events.k8s.io/v1');
    assert.equal(ev.object.note, 'seen by the watch');
    assert.equal(ev.object.regarding.name, 'ev-pod');
  });

  step('an events.k8s.io/v1 event made with kubectl 1.27 and 1.33 reads back through core/v1; its rules are upstream\'s', async () => {
    for (const [i, bin] of BOTH.entries()) {
      const name = `made-${i}`;
      assert.equal((await d.kubectl(['create', '-f', '-'], { bin, input: v1Event(name, `made by ${i}`) })).code, 0);
      const core = await d.getJson('events', name);
      assert.equal(core.apiVersion, 'v1');
      assert.equal(core.message, `made by ${i}`);
      assert.equal(core.reportingComponent, 'example.com/e2e');
      assert.equal(core.involvedObject.name, 'ev-pod');
      assert.equal(core.eventTime, '2026-01-01T00:00:00.000000Z');
      const noAction = await d.kubectl(['create', '-f', '-'], { bin, input: v1Event(`${name}-x`, 'n').replace('action: Testing\n', '') });
      assert.notEqual(noAction.code, 0);
      assert.match(noAction.stderr, /action: Required value/);
      await kc(bin, 'delete', 'events.events.k8s.io', name);
      assert.notEqual((await d.kubectl(['get', 'event', name])).code, 0);
    }
  });
});
