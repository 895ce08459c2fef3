// End to end, issue 12: the two client libraries programs use, each loading the daemon's kubeconfig its
// own way — Debian's python3-kubernetes (config.load_kube_config) and @kubernetes/client-node
// (KubeConfig.loadFromFile) — each in a namespace it makes: list nodes and pods, watch (ADDED, MODIFIED up
// to Running, DELETED of a pod it creates), create, logs, exec (output and exit status), delete.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import * as k8s from '@kubernetes/client-node';
import { TestDaemon, run } from '../support/daemon.js';
import { reportingFailure } from '../support/failure.js';
import { clientNodeExec, exitCodeOf } from '../support/client-node-exec.js';

const ROOT = process.getuid?.() === 0;
const PYTHON = '/usr/bin/python3';
const SUBNET = /^10\.88\.236\.\d+$/;

/** The pod each client creates: it says hello, then sleeps until TERM. */
const pod = (name: string) => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, labels: { app: 'client' } },
  spec: {
    terminationGracePeriodSeconds: 5,
    containers: [{ name: 'main', image: 'localhost/busybox', imagePullPolicy: 'IfNotPresent', command: ['sh', '-c', `echo hello from ${name}; trap 'exit 0' TERM; sleep 3600 & wait`] }],
  },
});

/**
 * The Python program: every step through the library's own calls; prints one JSON document of what it saw.
 * The watch runs on a thread, from the first list's resourceVersion until it has seen the DELETED event.
 */
const PYTHON_PROGRAM = `
import json, sys, threading, time
from kubernetes import client, config, watch
from kubernetes.stream import stream

kubeconfig, ns, name, pod_json = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4]
config.load_kube_config(config_file=kubeconfig)
v1 = client.CoreV1Api()
out = {}
v1.create_namespace(client.V1Namespace(metadata=client.V1ObjectMeta(name=ns)))
# Reading a Node checks NodeSystemInfo's required fields (machineID, systemUUID, bootID...).
out['nodes'] = [[n.metadata.name, bool(n.status.node_info.boot_id)] for n in v1.list_node().items]
before = v1.list_namespaced_pod(ns)
out['before'] = [p.metadata.name for p in before.items]

events, running, deleted = [], threading.Event(), threading.Event()
w = watch.Watch()
def watcher():
    for ev in w.stream(v1.list_namespaced_pod, namespace=ns, resource_version=before.metadata.resource_version, timeout_seconds=60):
        o = ev['object']
        events.append([ev['type'], o.metadata.name, o.status.phase if o.status else None])
        if ev['type'] == 'MODIFIED' and o.status and o.status.phase == 'Running':
            running.set()
        if ev['type'] == 'DELETED':
            deleted.set()
            w.stop()
t = threading.Thread(target=watcher, daemon=True)
t.start()

created = v1.create_namespaced_pod(ns, json.loads(pod_json))
out['created'] = [created.metadata.name, created.metadata.namespace, created.spec.node_name, bool(created.metadata.uid)]
if not running.wait(60):
    raise SystemExit('no MODIFIED event with phase Running: %r' % events)
listed = v1.list_namespaced_pod(ns, label_selector='app=client')
out['listed'] = [[p.metadata.name, p.status.phase, p.status.pod_ip] for p in listed.items]
out['all_namespaces'] = any(p.metadata.namespace == ns and p.metadata.name == name for p in v1.list_pod_for_all_namespaces().items)

for _ in range(50):
    out['logs'] = v1.read_namespaced_pod_log(name, ns, container='main')
    if out['logs']:
        break
    time.sleep(0.1)
out['exec'] = stream(v1.connect_get_namespaced_pod_exec, name, ns, container='main', command=['sh', '-c', 'echo py-$((6*7))'], stderr=True, stdin=False, stdout=True, tty=False)
r = stream(v1.connect_get_namespaced_pod_exec, name, ns, container='main', command=['sh', '-c', 'echo before-exit; echo oops >&2; exit 3'], stderr=True, stdin=False, stdout=True, tty=False, _preload_content=False)
r.run_forever(timeout=20)
out['exec_fail'] = [r.read_stdout(), r.read_stderr(), r.returncode]

gone = v1.delete_namespaced_pod(name, ns)
out['delete_kind'] = type(gone).__name__
if not deleted.wait(60):
    raise SystemExit('no DELETED event: %r' % events)
out['events'] = events
out['after'] = [p.metadata.name for p in v1.list_namespaced_pod(ns).items]
print(json.dumps(out))
`;

describe('client libraries: python3-kubernetes and @kubernetes/client-node (issue 12)', { skip: ROOT ? false : 'needs root: run the tests as root' }, () => {
  let d: TestDaemon;
  let failed = false;

  before(async () => {
    d = await TestDaemon.start({ name: 'e2e-clients', podCidr: '10.88.236.0/24' });
  });
  after(async () => {
    await d?.destroy(failed);
  });

  const step = (name: string, fn: () => Promise<void>, skip: string | false = false) => it(name, { skip }, reportingFailure(fn, () => (failed = true)));

  /** The watch's story of one pod: ADDED, MODIFIED until Running, then DELETED last. */
  const assertWatchStory = (events: [string, string, string | null][], name: string) => {
    const mine = events.filter((e) => e[1] === name);
    assert.deepEqual(mine[0]!.slice(0, 2), ['ADDED', name], JSON.stringify(events));
    assert.ok(mine.some((e) => e[0] === 'MODIFIED' && e[2] === 'Running'), JSON.stringify(events));
    assert.equal(mine.at(-1)![0], 'DELETED', JSON.stringify(events));
    assert.equal(mine.filter((e) => e[0] === 'ADDED').length, 1, JSON.stringify(events));
  };

  const python = !fs.existsSync(PYTHON)
    ? `${PYTHON} is not installed (the README's test setup installs python3-kubernetes)`
    : spawnSync(PYTHON, ['-c', 'import kubernetes']).status !== 0
      ? `${PYTHON} has no kubernetes module (the README's test setup installs python3-kubernetes)`
      : false;
  step("python3-kubernetes, through load_kube_config: list, watch, create, logs, exec, delete", async () => {
    const r = await run(PYTHON, ['-c', PYTHON_PROGRAM, d.kubeconfig, 'py-client', 'py-pod', JSON.stringify(pod('py-pod'))], { timeoutMs: 120_000 });
    assert.equal(r.code, 0, r.stderr + r.stdout);
    const out = JSON.parse(r.stdout);
    assert.deepEqual(out.before, []);
    assert.deepEqual(out.nodes, [[d.nodeName, true]]);
    assert.deepEqual(out.created, ['py-pod', 'py-client', d.nodeName, true]);
    assert.equal(out.listed.length, 1);
    assert.deepEqual(out.listed[0].slice(0, 2), ['py-pod', 'Running']);
    assert.match(out.listed[0][2], SUBNET);
    assert.equal(out.all_namespaces, true);
    assert.equal(out.logs, 'hello from py-pod\n');
    assert.equal(out.exec, 'py-42\n');
    assert.deepEqual(out.exec_fail, ['before-exit\n', 'oops\n', 3]);
    assert.equal(out.delete_kind, 'V1Pod');
    assertWatchStory(out.events, 'py-pod');
    assert.deepEqual(out.after, []);
  }, python);

  step('@kubernetes/client-node, through KubeConfig.loadFromFile: list, watch, create, logs, exec, delete', async () => {
    const ns = 'node-client';
    const name = 'node-pod';
    const kc = new k8s.KubeConfig();
    kc.loadFromFile(d.kubeconfig);
    const core = kc.makeApiClient(k8s.CoreV1Api);
    await core.createNamespace({ body: { metadata: { name: ns } } });
    assert.deepEqual((await core.listNamespacedPod({ namespace: ns })).items, []);
    const nodes = await core.listNode();
    assert.deepEqual(nodes.items.map((n) => n.metadata?.name), [d.nodeName]);
    assert.match(nodes.items[0]!.status!.nodeInfo!.bootID, /^[0-9a-f-]{36}$/);

    const events: [string, string, string | null][] = [];
    let watchEnded: unknown = 'still open';
    let seen: (what: string) => void = () => undefined;
    const waitSeen = (what: string, test: () => boolean) =>
      new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no ${what} in ${JSON.stringify(events)}`)), 60_000);
        seen = () => test() && (clearTimeout(timer), resolve());
        seen(what);
      });
    const abort = await new k8s.Watch(kc).watch(
      `/api/v1/namespaces/${ns}/pods`,
      {},
      (type, obj: k8s.V1Pod) => {
        events.push([type, obj.metadata!.name!, obj.status?.phase ?? null]);
        seen(type);
      },
      (err) => (watchEnded = err),
    );
    try {
      const created = await core.createNamespacedPod({ namespace: ns, body: pod(name) });
      assert.equal(created.metadata?.namespace, ns);
      assert.equal(created.spec?.nodeName, d.nodeName);
      assert.ok(created.metadata?.uid);
      await waitSeen('MODIFIED with phase Running', () => events.some((e) => e[0] === 'MODIFIED' && e[2] === 'Running'));

      const listed = await core.listNamespacedPod({ namespace: ns, labelSelector: 'app=client' });
      assert.deepEqual(listed.items.map((p) => [p.metadata?.name, p.status?.phase]), [[name, 'Running']]);
      assert.match(listed.items[0]!.status!.podIP!, SUBNET);
      assert.match(listed.metadata?.resourceVersion ?? '', /^\d+$/);
      const all = await core.listPodForAllNamespaces();
      assert.ok(all.items.some((p) => p.metadata?.namespace === ns && p.metadata.name === name));

      let logs = '';
      for (let i = 0; i < 50 && !logs; i++) {
        logs = await core.readNamespacedPodLog({ name, namespace: ns, container: 'main' });
        if (!logs) await new Promise((r) => setTimeout(r, 100));
      }
      assert.equal(logs, `hello from ${name}\n`);

      const okExec = await clientNodeExec(kc, ns, name, 'main', ['sh', '-c', 'echo node-$((6*7))']);
      assert.deepEqual([okExec.stdout, okExec.stderr, okExec.status.status, exitCodeOf(okExec.status)], ['node-42\n', '', 'Success', 0]);
      const failing = await clientNodeExec(kc, ns, name, 'main', ['sh', '-c', 'read x; echo got-$x; echo oops >&2; exit 3'], 'in\n');
      assert.deepEqual([failing.stdout, failing.stderr, failing.status.status, failing.status.reason, exitCodeOf(failing.status)], ['got-in\n', 'oops\n', 'Failure', 'NonZeroExitCode', 3]);

      const gone = await core.deleteNamespacedPod({ name, namespace: ns });
      assert.equal(gone.kind, 'Pod');
      assert.ok(gone.metadata?.deletionTimestamp, 'the answer is the pod, marked for deletion');
      await waitSeen('DELETED', () => events.some((e) => e[0] === 'DELETED'));
      assertWatchStory(events, name);
      assert.equal(watchEnded, 'still open');
      assert.deepEqual((await core.listNamespacedPod({ namespace: ns })).items, []);
    } finally {
      abort.abort();
    }
  });
});
