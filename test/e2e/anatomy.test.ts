// A pod's anatomy from outside (issue 16): the pods/anatomy subresource read with the real kubectl, on the
// seeds' picture: an init container, two containers sharing an emptyDir, one with a readiness probe. Every
// part is checked against the host itself: the infra container's pinned namespaces and its pid, the veth
// pair and the bridge, the pod IP inside the pod, each container's namespaces joined or its own, its
// processes, and the volume's directory on the host with the mounts that come from it.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { TestDaemon } from '../support/daemon.js';
import { reportingFailure } from '../support/failure.js';
import type { PodAnatomy } from '../../src/node/anatomy-types.js';

const ROOT = process.getuid?.() === 0;
const SUBNET = '10.88.247.0/24';

const POD = `apiVersion: v1
kind: Pod
metadata: {name: seed, labels: {suite: anatomy}}
spec:
  terminationGracePeriodSeconds: 1
  initContainers:
    - {name: prepare, image: localhost/busybox:latest, command: ["sh", "-c", "echo ready > /shared/state"], volumeMounts: [{name: shared, mountPath: /shared}]}
  containers:
    - name: writer
      image: localhost/busybox:latest
      command: ["sh", "-c", "while true; do date >> /shared/log; sleep 1; done"]
      volumeMounts: [{name: shared, mountPath: /shared}]
    - name: reader
      image: localhost/busybox:latest
      command: ["sh", "-c", "exec sleep 3600"]
      readinessProbe: {exec: {command: ["cat", "/data/state"]}, periodSeconds: 1}
      livenessProbe: {exec: {command: ["cat", "/data/state"]}, periodSeconds: 1}
      volumeMounts: [{name: shared, mountPath: /data, readOnly: true}]
  volumes:
    - {name: shared, emptyDir: {}}
`;

describe('pods/anatomy: a running pod as the node holds it (issue 16)', { skip: ROOT ? false : 'needs root: run the tests as root' }, () => {
  let d: TestDaemon;
  let failed = false;
  let a: PodAnatomy;

  before(async () => {
    d = await TestDaemon.start({ name: 'anatomy', podCidr: SUBNET });
    const r = await d.kubectl(['apply', '-f', '-'], { input: POD });
    assert.equal(r.code, 0, r.stderr);
    await d.k('wait', '--for=condition=Ready', 'pod/seed', '--timeout=90s');
    a = JSON.parse(await d.k('get', '--raw', '/api/v1/namespaces/default/pods/seed/anatomy')) as PodAnatomy;
  });
  after(async () => {
    await d?.destroy(failed);
  });
  const step = (name: string, fn: () => Promise<void>) => it(name, reportingFailure(fn, () => (failed = true)));

  step('the pod and its infra container: the pause process, holding net, ipc and uts pinned as files', async () => {
    const pod = await d.getJson<{ metadata: { uid: string }; status: { podIP: string; qosClass: string } }>('pod', 'seed');
    assert.deepEqual([a.kind, a.apiVersion], ['PodAnatomy', 'peapod.dev/v1']);
    assert.deepEqual(a.pod, { namespace: 'default', name: 'seed', uid: pod.metadata.uid, phase: 'Running', node: d.nodeName, qosClass: pod.status.qosClass });
    assert.ok(a.infra, 'an infra container');
    assert.equal(a.infra.state, 'ready');
    assert.match(a.infra.command, /catatonit/);
    const ps = await d.peapod(['runtime', 'ps']);
    assert.ok(ps.stdout.includes(a.infra.id.slice(0, 13)), 'the same sandbox as runtime ps');
    assert.deepEqual(a.infra.held.map((n) => n.kind), ['net', 'ipc', 'uts']);
    for (const n of a.infra.held) {
      assert.equal(n.inode, fs.readlinkSync(`/proc/${a.infra.pid}/ns/${n.kind}`), `${n.kind}: the pause's own`);
      assert.ok(n.pinnedAt && fs.existsSync(n.pinnedAt), `${n.kind} pinned at a file`);
      assert.ok(n.pinnedAt!.startsWith(d.paths.runDir), n.pinnedAt);
    }
    assert.match(a.infra.cgroup ?? '', new RegExp(`pod${pod.metadata.uid}/${a.infra.id}$`));
  });

  step('the network: the pod IP on eth0 inside the pod, its veth peer on the host, enslaved to the bridge', async () => {
    const pod = await d.getJson<{ status: { podIP: string } }>('pod', 'seed');
    const n = a.network;
    assert.equal(n.hostNetwork, false);
    assert.deepEqual(n.ips, [pod.status.podIP]);
    assert.equal(n.podInterface?.name, 'eth0');
    assert.deepEqual(n.podInterface?.addresses, [`${pod.status.podIP}/24`]);
    assert.equal(n.gateway, '10.88.247.1');
    assert.ok(n.hostInterface, 'the host side of the veth');
    assert.equal(n.hostInterface.bridge, d.paths.bridgeName);
    const link = fs.readFileSync(`/sys/class/net/${n.hostInterface.name}/master/uevent`, 'utf8');
    assert.match(link, new RegExp(`INTERFACE=${d.paths.bridgeName}`), 'the host interface really is on the bridge');
    assert.deepEqual(n.hostPorts, []);
  });

  step('the containers: kinds and states, the namespaces they join and their own, their processes and probes', async () => {
    assert.deepEqual(a.containers.map((c) => [c.name, c.kind, c.state]), [
      ['prepare', 'init', 'terminated'],
      ['writer', 'app', 'running'],
      ['reader', 'app', 'running'],
    ]);
    const init = a.containers[0]!;
    assert.deepEqual([init.reason, init.exitCode, init.pid, init.processes], ['Completed', 0, 0, []]);
    for (const c of a.containers.slice(1)) {
      assert.ok(c.pid > 1 && c.id, c.name);
      const ns = Object.fromEntries(c.namespaces.map((n) => [n.kind, n]));
      for (const k of ['net', 'ipc', 'uts']) assert.equal(ns[k]?.from, 'infra', `${c.name} joins ${k}`);
      for (const k of ['pid', 'mnt']) assert.equal(ns[k]?.from, 'own', `${c.name} has its own ${k}`);
      assert.equal(ns.net!.inode, fs.readlinkSync(`/proc/${c.pid}/ns/net`));
      assert.equal(c.processes[0]?.pid, c.pid, `${c.name}: its first process is the root of its tree`);
    }
    const writer = a.containers[1]!;
    assert.match(writer.processes[0]!.command, /^sh -c while true/);
    const reader = a.containers[2]!;
    assert.equal(reader.processes[0]!.command, 'sleep 3600', 'exec replaced the shell');
    // Liveness is in no status: its result is the probe workers' own.
    assert.deepEqual(reader.probes, [
      { type: 'readiness', handler: 'exec cat /data/state', periodSeconds: 1, lastResult: 'success' },
      { type: 'liveness', handler: 'exec cat /data/state', periodSeconds: 1, lastResult: 'success' },
    ]);
    assert.equal(reader.ready, true);
  });

  step('the volume: its directory on the host, mounted by each container where the spec says, read-only or not', async () => {
    assert.equal(a.volumes.length, 1);
    const v = a.volumes[0]!;
    assert.equal(v.kind, 'emptyDir');
    assert.equal(v.hostSource, `${d.paths.podsDir}/${a.pod.uid}/volumes/kubernetes.io~empty-dir/shared`);
    assert.equal(fs.readFileSync(`${v.hostSource}/state`, 'utf8'), 'ready\n', 'what the init container wrote is there on the host');
    assert.deepEqual(v.mountedBy, [
      { container: 'prepare', path: '/shared', readOnly: false },
      { container: 'writer', path: '/shared', readOnly: false },
      { container: 'reader', path: '/data', readOnly: true },
    ]);
    const reader = a.containers[2]!;
    const data = reader.mounts.find((m) => m.path === '/data');
    assert.deepEqual(data, { volume: 'shared', path: '/data', readOnly: true, hostSource: v.hostSource });
    assert.ok(reader.mounts.some((m) => m.path === '/etc/hosts' && !m.volume && m.hostSource?.startsWith(d.paths.dataDir)), 'the runtime\'s /etc/hosts, from the sandbox\'s files');
  });

  step('peapod anatomy draws the same pod as a tree; -o json is the subresource\'s object', async () => {
    const r = await d.peapod(['anatomy', 'seed']);
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.split('\n');
    assert.match(lines[0]!, /^pod default\/seed\s+Running/);
    assert.ok(lines.some((l) => l.includes(`infra container ${a.infra!.id.slice(0, 12)}`)), r.stdout);
    assert.ok(lines.some((l) => l.includes(a.network.hostInterface!.name) && l.includes(d.paths.bridgeName)), r.stdout);
    assert.equal(lines.filter((l) => l.includes('joins net, ipc, uts')).length, 2, 'both running containers join the infra\'s namespaces');
    assert.ok(lines.some((l) => l.includes('sleep 3600')), 'the reader\'s process');
    assert.ok(lines.some((l) => l.includes(a.volumes[0]!.hostSource!)), 'the volume\'s host dir');
    const j = await d.peapod(['anatomy', 'seed', '-o', 'json']);
    assert.equal(j.code, 0, j.stderr);
    const again = JSON.parse(j.stdout) as PodAnatomy;
    assert.equal(again.infra?.id, a.infra!.id);
    assert.deepEqual(again.volumes, a.volumes);
  });

  step('an ephemeral container with --target: shares its target\'s pid namespace, joins the infra\'s', async () => {
    const r = await d.kubectl(['debug', 'seed', '--image=localhost/busybox:latest', '--image-pull-policy=IfNotPresent', '--container=dbg', '--target=reader', '--', 'sleep', '3600']);
    assert.equal(r.code, 0, r.stderr);
    let dbg: PodAnatomy['containers'][number] | undefined;
    for (let i = 0; i < 60 && dbg?.state !== 'running'; i++) {
      if (i) await new Promise((res) => setTimeout(res, 500));
      dbg = (JSON.parse(await d.k('get', '--raw', '/api/v1/namespaces/default/pods/seed/anatomy')) as PodAnatomy).containers.find((c) => c.name === 'dbg');
    }
    assert.equal(dbg?.kind, 'ephemeral');
    assert.equal(dbg?.state, 'running', JSON.stringify(dbg));
    const pid = dbg!.namespaces.find((n) => n.kind === 'pid')!;
    const reader = a.containers.find((c) => c.name === 'reader')!;
    assert.equal(pid.inode, fs.readlinkSync(`/proc/${reader.pid}/ns/pid`));
    assert.deepEqual([pid.from, pid.container], ['container', 'reader']);
    assert.equal(dbg!.namespaces.find((n) => n.kind === 'net')!.from, 'infra');
    const tree = await d.peapod(['anatomy', 'seed']);
    assert.ok(tree.stdout.split('\n').some((l) => l.includes('shares pid of reader')), tree.stdout);
  });

  step('a hostNetwork pod: no veth; its containers in the node\'s net and uts, the infra\'s ipc', async () => {
    const r = await d.kubectl(['run', 'hostnet', '--image=localhost/busybox:latest', '--image-pull-policy=IfNotPresent', '--restart=Never', '--overrides={"spec":{"hostNetwork":true,"terminationGracePeriodSeconds":1}}', '--', 'sleep', '3600']);
    assert.equal(r.code, 0, r.stderr);
    await d.k('wait', '--for=condition=Ready', 'pod/hostnet', '--timeout=90s');
    const h = JSON.parse(await d.k('get', '--raw', '/api/v1/namespaces/default/pods/hostnet/anatomy')) as PodAnatomy;
    assert.equal(h.network.hostNetwork, true);
    assert.equal(h.network.podInterface, undefined);
    assert.deepEqual(h.infra?.held.map((n) => n.kind), ['ipc']);
    const from = Object.fromEntries(h.containers[0]!.namespaces.map((n) => [n.kind, n.from]));
    assert.deepEqual([from.net, from.uts, from.ipc, from.pid], ['host', 'host', 'infra', 'own']);
    assert.equal(h.containers[0]!.namespaces.find((n) => n.kind === 'net')!.inode, fs.readlinkSync('/proc/self/ns/net'), 'the node\'s own network namespace');
  });

  step('a pod that does not exist is a 404 Status; the subresource is in discovery', async () => {
    const r = await d.kubectl(['get', '--raw', '/api/v1/namespaces/default/pods/nope/anatomy']);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /pods "nope" not found/);
    const disc = JSON.parse(await d.k('get', '--raw', '/api/v1')) as { resources: { name: string; kind: string; group?: string }[] };
    assert.deepEqual(disc.resources.find((x) => x.name === 'pods/anatomy'), { name: 'pods/anatomy', singularName: '', namespaced: true, kind: 'PodAnatomy', group: 'peapod.dev', version: 'v1', verbs: ['get'] });
  });
});
