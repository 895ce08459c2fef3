// End to end, the node's metrics as an operator meets them: `kubectl top pod` and `kubectl top node` (1.27
// and 1.33) on the daemon's own metrics.k8s.io (sampled from the cgroups, as metrics-server would from the
// kubelet), the raw PodMetrics JSON, `kubectl get podmetrics`, and the Prometheus families of /metrics
// after pods started. The daemon samples every 2 s here (serve --metrics-resolution), not every 15 s.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { TestDaemon } from '../support/daemon.js';
import { reportingFailure } from '../support/failure.js';

const ROOT = process.getuid?.() === 0;
const KUBECTL_DIR = '/usr/lib/google-cloud-sdk/bin';
const OLDEST = `${KUBECTL_DIR}/kubectl.1.27`;
const NEWEST = `${KUBECTL_DIR}/kubectl.1.33`;

/** One container spinning on a core, one holding 40 MiB in the pod's /dev/shm (charged to its cgroup). */
const BUSY_POD = `apiVersion: v1
kind: Pod
metadata:
  name: busy
  labels: {app: busy}
spec:
  terminationGracePeriodSeconds: 1
  containers:
    - name: burn
      image: localhost/busybox:latest
      command: [sh, -c, 'while :; do :; done']
    - name: hold
      image: localhost/busybox:latest
      command: [sh, -c, 'dd if=/dev/zero of=/dev/shm/fill bs=1048576 count=40 && sleep 3600']
`;

/** A pod that never runs: its image's registry (a closed loopback port) refuses every pull. */
const WAITING_POD = `apiVersion: v1
kind: Pod
metadata:
  name: waiting
spec:
  containers:
    - name: c
      image: 127.0.0.1:1/not-here:latest
`;

/** A container that exits at once, restarted by its pod. */
const CRASHING_POD = `apiVersion: v1
kind: Pod
metadata:
  name: crashing
spec:
  terminationGracePeriodSeconds: 1
  containers:
    - name: c
      image: localhost/busybox:latest
      command: [sh, -c, 'exit 1']
`;

/** "998m" → 998; "40Mi" → 40 (kubectl top's units). */
const milli = (s: string) => Number(/^(\d+)m$/.exec(s)?.[1] ?? NaN);
const mebi = (s: string) => Number(/^(\d+)Mi$/.exec(s)?.[1] ?? NaN);

/** Rows of `kubectl top pod --containers`: POD NAME CPU MEMORY. */
function containerRows(out: string): Map<string, { cpu: number; memory: number }> {
  const rows = new Map<string, { cpu: number; memory: number }>();
  for (const line of out.trim().split('\n').slice(1)) {
    const [pod, name, cpu, memory] = line.trim().split(/\s+/);
    rows.set(`${pod}/${name}`, { cpu: milli(cpu!), memory: mebi(memory!) });
  }
  return rows;
}

describe('resource metrics and /metrics end to end', { skip: ROOT ? false : 'needs root: run the tests as root' }, () => {
  let d: TestDaemon;
  let failed = false;

  before(async () => {
    d = await TestDaemon.start({ name: 'e2e-metrics', podCidr: '10.88.232.0/24', extraArgs: ['--metrics-resolution', '2s'] });
  });
  after(async () => {
    await d?.destroy(failed);
  });

  const step = (name: string, fn: () => Promise<void>) => it(name, reportingFailure(fn, () => (failed = true)));

  step('the metrics API is in discovery, as metrics-server registers it', async () => {
    const groups = JSON.parse(await d.k('get', '--raw', '/apis'));
    const g = groups.groups.find((x: { name: string }) => x.name === 'metrics.k8s.io');
    assert.deepEqual(g?.preferredVersion, { groupVersion: 'metrics.k8s.io/v1beta1', version: 'v1beta1' });
    const list = JSON.parse(await d.k('get', '--raw', '/apis/metrics.k8s.io/v1beta1'));
    assert.deepEqual(
      list.resources.map((r: Record<string, unknown>) => [r.name, r.kind, r.namespaced, r.verbs]),
      [['nodes', 'NodeMetrics', false, ['get', 'list']], ['pods', 'PodMetrics', true, ['get', 'list']]],
    );
    const resources = await d.k('api-resources', '--api-group=metrics.k8s.io');
    assert.match(resources, /^pods\s+metrics\.k8s\.io\/v1beta1\s+true\s+PodMetrics$/m);
  });

  step('kubectl top pod --containers shows the spinning container\'s CPU and the other\'s memory, in 1.27 and 1.33', async () => {
    let r = await d.kubectl(['apply', '-f', '-'], { input: BUSY_POD });
    assert.equal(r.code, 0, r.stderr);
    r = await d.kubectl(['apply', '-f', '-'], { input: WAITING_POD });
    assert.equal(r.code, 0, r.stderr);
    await d.waitFor('busy Running', async () => (await d.getJson('pod', 'busy')).status?.phase === 'Running');
    for (const bin of [NEWEST, OLDEST]) {
      const rows = await d.waitFor(`top pod --containers (${bin})`, async () => {
        const t = await d.kubectl(['top', 'pod', 'busy', '--containers'], { bin });
        if (t.code !== 0) throw new Error(t.stderr);
        const rows = containerRows(t.stdout);
        const hold = rows.get('busy/hold');
        return hold && hold.memory >= 40 ? { rows, text: t.stdout } : false;
      });
      assert.match(rows.text.split('\n')[0]!, /^POD\s+NAME\s+CPU\(cores\)\s+MEMORY\(bytes\)\s*$/);
      const burn = rows.rows.get('busy/burn')!;
      // A core's worth at most; how much of one it gets depends on what else the host runs.
      assert.ok(burn.cpu >= 20 && burn.cpu <= 1100, `burn cpu ${burn.cpu}m`);
      assert.ok(rows.rows.get('busy/hold')!.cpu < 100);
      assert.equal(rows.rows.size, 2);
    }
  });

  step('kubectl top pod without a name lists sampled pods by label, and names the unsampled one with metrics-server\'s error', async () => {
    const out = await d.k('top', 'pod', '-l', 'app=busy');
    assert.match(out, /^NAME\s+CPU\(cores\)\s+MEMORY\(bytes\)\s*\nbusy\s+\d+m\s+\d+Mi\s*$/);
    const all = await d.k('top', 'pod', '-A');
    assert.match(all, /^default\s+busy\s+\d+m\s+\d+Mi\s*$/m);
    assert.doesNotMatch(all, /waiting/);
    const r = await d.kubectl(['top', 'pod', 'waiting']);
    assert.notEqual(r.code, 0);
    assert.equal(r.stderr.trim(), 'Error from server (NotFound): podmetrics.metrics.k8s.io "default/waiting" not found');
    const none = await d.kubectl(['top', 'pod', 'nobody']);
    assert.equal(none.stderr.trim(), 'Error from server (NotFound): pods "nobody" not found');
  });

  step('kubectl top node shows the node\'s CPU and memory, in 1.27 and 1.33', async () => {
    for (const bin of [NEWEST, OLDEST]) {
      const r = await d.kubectl(['top', 'node'], { bin });
      assert.equal(r.code, 0, r.stderr);
      const m = new RegExp(`^${d.nodeName}\\s+(\\d+)m\\s+(\\d+)%\\s+(\\d+)Mi\\s+(\\d+)%\\s*$`, 'm').exec(r.stdout);
      assert.ok(m, r.stdout);
      assert.ok(Number(m[1]) >= 20, `node cpu ${m[1]}m`);
      assert.ok(Number(m[3]) >= 40, `node memory ${m[3]}Mi`);
    }
  });

  step('the raw PodMetrics list is metrics-server\'s JSON', async () => {
    const list = JSON.parse(await d.k('get', '--raw', '/apis/metrics.k8s.io/v1beta1/namespaces/default/pods'));
    assert.equal(list.kind, 'PodMetricsList');
    assert.equal(list.apiVersion, 'metrics.k8s.io/v1beta1');
    assert.equal(list.items.length, 1);
    const pm = list.items[0];
    assert.deepEqual(Object.keys(pm), ['kind', 'apiVersion', 'metadata', 'timestamp', 'window', 'containers']);
    assert.equal(pm.metadata.name, 'busy');
    assert.equal(pm.metadata.namespace, 'default');
    assert.deepEqual(pm.metadata.labels, { app: 'busy' });
    assert.match(pm.metadata.creationTimestamp, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    assert.match(pm.timestamp, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    assert.match(pm.window, /^[12](\.\d+)?s$/);
    assert.deepEqual(pm.containers.map((c: { name: string }) => c.name), ['burn', 'hold']);
    assert.match(pm.containers[0].usage.cpu, /^\d+[nu]$|^\d+m$|^1$/);
    assert.match(pm.containers[1].usage.memory, /^\d+(Ki|Mi)?$/);
    const one = JSON.parse(await d.k('get', '--raw', '/apis/metrics.k8s.io/v1beta1/namespaces/default/pods/busy'));
    assert.equal(one.kind, 'PodMetrics');
    const byField = JSON.parse(await d.k('get', '--raw', '/apis/metrics.k8s.io/v1beta1/pods?fieldSelector=metadata.name%3Dbusy'));
    assert.deepEqual(byField.items.map((i: { metadata: { name: string } }) => i.metadata.name), ['busy']);
    const nodes = JSON.parse(await d.k('get', '--raw', '/apis/metrics.k8s.io/v1beta1/nodes'));
    assert.equal(nodes.items[0].metadata.name, d.nodeName);
    assert.match(nodes.items[0].usage.memory, /^\d+(Ki|Mi)?$/);
  });

  step('kubectl get podmetrics and nodemetrics print metrics-server\'s Table', async () => {
    const pods = await d.k('get', 'podmetrics');
    assert.match(pods, /^NAME\s+CPU\s+MEMORY\s+WINDOW\s*\nbusy\s+\S+\s+\S+\s+[12](\.\d+)?s\s*$/);
    const nodes = await d.k('get', 'nodemetrics');
    assert.match(nodes, new RegExp(`^${d.nodeName}\\s+\\S+\\s+\\S+\\s+[12](\\.\\d+)?s\\s*$`, 'm'));
  });

  step('/metrics carries pod, image, API and store families with the values of this run', async () => {
    const r = await d.kubectl(['apply', '-f', '-'], { input: CRASHING_POD });
    assert.equal(r.code, 0, r.stderr);
    await d.waitFor('a restart of the crashing container', async () => (await d.getJson('pod', 'crashing')).status?.containerStatuses?.[0]?.restartCount >= 1, 30_000);
    const text = await d.k('get', '--raw', '/metrics');
    const value = (re: RegExp) => Number(re.exec(text)?.[1] ?? NaN);
    const starts = value(/^kubelet_pod_start_duration_seconds_count (\d+)$/m);
    assert.equal(starts, 2, 'busy and crashing started, waiting never did');
    const startSeconds = value(/^kubelet_pod_start_duration_seconds_sum ([\d.e+-]+)$/m);
    assert.ok(startSeconds > 0 && startSeconds / starts < 30, `pod start ${startSeconds / starts}s on average`);
    assert.ok(value(/^kubelet_pod_start_duration_seconds_bucket\{le="\+Inf"\} (\d+)$/m) >= 1);
    assert.match(text, /^kubelet_pod_start_duration_seconds_bucket\{le="0\.5"\} \d+$/m);
    assert.equal(value(/^peapod_pods\{phase="Running"\} (\d+)$/m), 2);
    assert.equal(value(/^peapod_pods\{phase="Pending"\} (\d+)$/m), 1);
    assert.equal(value(/^peapod_pods\{phase="Failed"\} (\d+)$/m), 0);
    assert.ok(value(/^peapod_container_restarts_total (\d+)$/m) >= 1);
    assert.ok(value(/^peapod_image_pulls_total\{result="failure"\} (\d+)$/m) >= 1, 'the refused pull counted');
    assert.doesNotMatch(text, /^peapod_image_pulls_total\{result="success"\}/m);
    assert.ok(value(/^apiserver_request_total\{verb="POST",dry_run="",group="",version="v1",resource="pods",subresource="",scope="resource",component="apiserver",code="201"\} (\d+)$/m) >= 2);
    assert.ok(value(/^apiserver_request_duration_seconds_count\{verb="LIST",dry_run="",group="metrics\.k8s\.io",version="v1beta1",resource="pods",subresource="",scope="namespace",component="apiserver"\} (\d+)$/m) >= 1);
    assert.match(text, /^apiserver_request_duration_seconds_bucket\{verb="GET",[^}]*resource="pods"[^}]*le="0\.005"\} \d+$/m);
    assert.equal(value(/^apiserver_storage_objects\{resource="pods"\} (\d+)$/m), 3);
    assert.ok(value(/^apiserver_storage_objects\{resource="namespaces"\} (\d+)$/m) >= 4);
    assert.ok(value(/^apiserver_storage_size_bytes\{storage_cluster_id="[^"]+"\} (\d+)$/m) > 4096);
  });
});
