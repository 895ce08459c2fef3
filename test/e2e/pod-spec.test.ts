// End to end, issue 8: the rest of the pod spec on a real daemon, driven by the real kubectl.
// readiness over httpGet (by port name) and liveness over tcpSocket against a busybox httpd in the pod,
// a failing exec liveness probe that restarts, a startup probe holding readiness back, postStart writing a
// file the container reads, a failing postStart, and a preStop that runs before SIGTERM.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { REPO_ROOT, TestDaemon, freePort, httpGet } from '../support/daemon.js';
import { reportingFailure } from '../support/failure.js';

const ROOT = process.getuid?.() === 0;

/** The /proc/<pid>/cgroup lines of the first process found in the pod's cgroup. */
function cgroupLinesOf(podUid: string): string[] {
  for (const pid of fs.readdirSync('/proc').filter((x) => /^\d+$/.test(x))) {
    try {
      const text = fs.readFileSync(`/proc/${pid}/cgroup`, 'utf8');
      if (text.includes(`/pod${podUid}/`) && fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').startsWith('sleep')) return text.trim().split('\n');
    } catch {
      // gone meanwhile
    }
  }
  return [];
}

/** Processes on the host whose command line is exactly `sleep 30` (the timed-out probe's). */
function probeSleeps(): number {
  let n = 0;
  for (const pid of fs.readdirSync('/proc').filter((x) => /^\d+$/.test(x))) {
    try {
      if (fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8') === 'sleep\u000030\u0000') n++;
    } catch {
      // gone meanwhile
    }
  }
  return n;
}

function podYaml(name: string, spec: string): string {
  return `apiVersion: v1\nkind: Pod\nmetadata:\n  name: ${name}\nspec:\n${spec}`;
}

describe('the pod spec end to end: probes, hooks, sidecars, termination messages, admission (issue 8)', { skip: ROOT ? false : 'needs root: run the tests as root' }, () => {
  let d: TestDaemon;
  let failed = false;

  before(async () => {
    d = await TestDaemon.start({ name: 'e2e-probes', podCidr: '10.88.225.0/24' });
  });
  after(async () => {
    await d?.destroy(failed);
  });

  const step = (name: string, fn: () => Promise<void>) => it(name, reportingFailure(fn, () => (failed = true)));
  const pod = (name: string) => d.getJson('pod', name);
  const apply = async (yaml: string) => {
    const r = await d.kubectl(['apply', '-f', '-'], { input: yaml });
    assert.equal(r.code, 0, r.stderr);
  };
  const events = async (name: string) => {
    const list = await d.getJson('events', '--field-selector', `involvedObject.name=${name}`);
    return list.items as { reason: string; message: string; type: string; count?: number }[];
  };

  step('an httpGet readiness probe (port by name) and a tcpSocket liveness probe: 0/1 until ready, 1/1, then 0/1 when /ready goes', async () => {
    await apply(
      podYaml(
        'web',
        `  containers:
  - name: web
    image: localhost/busybox
    command: ["sh", "-c", "mkdir -p /www && echo ok > /www/ready && (sleep 8; rm /www/ready) & mkdir -p /www && exec httpd -f -p 8080 -h /www"]
    ports:
    - name: http
      containerPort: 8080
    readinessProbe:
      httpGet: {path: /ready, port: http}
      periodSeconds: 1
      failureThreshold: 1
    livenessProbe:
      tcpSocket: {port: 8080}
      periodSeconds: 1
`,
      ),
    );
    await d.waitFor('web 1/1', async () => /\b1\/1\s+Running\b/.test(await d.k('get', 'pod', 'web')));
    const ready = (await pod('web')).status.conditions.find((c: any) => c.type === 'Ready');
    assert.equal(ready.status, 'True');
    await d.waitFor('web 0/1 after /ready is removed', async () => /\b0\/1\s+Running\s+0\b/.test(await d.k('get', 'pod', 'web')), 30_000);
    const p = await pod('web');
    assert.equal(p.status.containerStatuses[0].restartCount, 0, 'the tcp liveness probe keeps passing');
    assert.equal(p.status.conditions.find((c: any) => c.type === 'ContainersReady').message, 'containers with unready status: [web]');
    const unhealthy = (await events('web')).filter((e) => e.reason === 'Unhealthy');
    assert.ok(unhealthy.some((e) => e.message === 'Readiness probe failed: HTTP probe failed with statuscode: 404'), JSON.stringify(unhealthy));
  });

  step('a failing exec liveness probe restarts the container with the kubelet\'s Killing message', async () => {
    await apply(
      podYaml(
        'live',
        `  terminationGracePeriodSeconds: 2
  containers:
  - name: c
    image: localhost/busybox
    command: ["sleep", "3600"]
    livenessProbe:
      exec: {command: ["false"]}
      periodSeconds: 1
      failureThreshold: 2
`,
      ),
    );
    await d.waitFor('live restarted', async () => (await pod('live')).status?.containerStatuses?.[0]?.restartCount >= 1, 40_000);
    const evs = await events('live');
    assert.ok(evs.some((e) => e.reason === 'Killing' && e.message === 'Container c failed liveness probe, will be restarted'), JSON.stringify(evs));
    assert.ok(evs.some((e) => e.reason === 'Unhealthy' && e.type === 'Warning' && e.message.startsWith('Liveness probe failed')));
    const out = await d.k('describe', 'pod', 'live');
    assert.match(out, /Liveness:\s+exec \[false\] delay=0s timeout=1s period=1s #success=1 #failure=2/);
  });

  step('an exec probe that times out fails and leaves no process behind', async () => {
    await apply(
      podYaml(
        'slowprobe',
        `  containers:
  - name: c
    image: localhost/busybox
    command: ["sleep", "3600"]
    readinessProbe:
      exec: {command: ["sleep", "30"]}
      timeoutSeconds: 1
      periodSeconds: 2
`,
      ),
    );
    // Each timed-out attempt's sleep is killed: at most the attempt in flight runs (without the kill one
    // more would pile up every 2 s, each living 30 s). The Unhealthy event's count tells how many attempts
    // have timed out; once three more have, unkilled sleeps would number at least three.
    const timedOut = async () => {
      const e = (await events('slowprobe')).find((x) => x.message === 'Readiness probe failed: command "sleep 30" timed out');
      return e ? (e.count ?? 1) : 0;
    };
    const first = await d.waitFor('a timed-out readiness attempt', timedOut, 30_000);
    await d.waitFor('three more timed-out attempts', async () => (await timedOut()) >= first + 3, 30_000);
    // Right after a time-out its process may still be on its way out while the next attempt starts; the
    // count must come down to the one in flight (unkilled, a dozen would be alive here for 30 s).
    await d.waitFor('at most the attempt in flight', async () => probeSleeps() <= 1, 10_000).catch(() => {
      assert.fail(`${probeSleeps()} probe processes still run`);
    });
    const p = await pod('slowprobe');
    assert.equal(p.status.containerStatuses[0].ready, false);
  });

  step('a startup probe holds readiness back until it passes', async () => {
    await apply(
      podYaml(
        'slowstart',
        `  containers:
  - name: c
    image: localhost/busybox
    command: ["sh", "-c", "sleep 4; touch /tmp/started; exec sleep 3600"]
    startupProbe:
      exec: {command: ["cat", "/tmp/started"]}
      periodSeconds: 1
      failureThreshold: 30
    readinessProbe:
      exec: {command: ["true"]}
      periodSeconds: 30
`,
      ),
    );
    await d.waitFor('slowstart running', async () => (await pod('slowstart')).status?.containerStatuses?.[0]?.state?.running);
    const early = (await pod('slowstart')).status.containerStatuses[0];
    assert.equal(early.started, false);
    assert.equal(early.ready, false);
    await d.waitFor('slowstart ready soon after it started', async () => (await pod('slowstart')).status.containerStatuses[0].ready, 20_000);
    const cs = (await pod('slowstart')).status.containerStatuses[0];
    assert.equal(cs.started, true);
    assert.equal(cs.restartCount, 0);
  });

  step('postStart runs before the container counts as started; its file is there', async () => {
    await apply(
      podYaml(
        'hooked',
        `  containers:
  - name: c
    image: localhost/busybox
    command: ["sh", "-c", "while [ ! -f /tmp/hook ]; do sleep 0.1; done; cat /tmp/hook; exec sleep 3600"]
    lifecycle:
      postStart:
        exec: {command: ["sh", "-c", "echo from-poststart > /tmp/hook"]}
`,
      ),
    );
    await d.waitFor('hooked Running', async () => (await pod('hooked')).status?.phase === 'Running');
    await d.waitFor('the hook output in the log', async () => (await d.k('logs', 'hooked')).includes('from-poststart'));
  });

  step('a failing postStart: FailedPostStartHook, the container killed and restarted', async () => {
    await apply(
      podYaml(
        'badhook',
        `  terminationGracePeriodSeconds: 2
  containers:
  - name: c
    image: localhost/busybox
    command: ["sleep", "3600"]
    lifecycle:
      postStart:
        exec: {command: ["sh", "-c", "echo nope; exit 3"]}
`,
      ),
    );
    await d.waitFor('FailedPostStartHook', async () => (await events('badhook')).some((e) => e.reason === 'FailedPostStartHook' && e.message === 'PostStartHook failed'), 30_000);
    const evs = await events('badhook');
    assert.ok(evs.some((e) => e.reason === 'Killing' && e.message === 'FailedPostStartHook'));
    await d.waitFor('badhook restarted', async () => (await pod('badhook')).status.containerStatuses[0].restartCount >= 1, 30_000);
    const waiting = (await pod('badhook')).status.containerStatuses[0].state.waiting;
    if (waiting?.reason === 'PostStartHookError') assert.match(waiting.message, /^Exec lifecycle hook \(\[sh -c echo nope; exit 3\]\) for Container "c" in Pod "badhook_default\(.+\)" failed - error: command 'sh -c echo nope; exit 3' exited with 3: , message: "nope\\n"$/);
  });

  step('preStop runs to its end before SIGTERM', async () => {
    // The hook and the container's TERM trap append to a file on the host, which outlives the pod: the
    // order of the lines is the behaviour (a hook cut short, run after TERM or not run at all reads
    // differently), with no clock involved.
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'peapod-prestop-'));
    try {
      await apply(
        podYaml(
          'stopper',
          `  terminationGracePeriodSeconds: 20
  volumes:
  - name: out
    hostPath: {path: ${out}, type: Directory}
  containers:
  - name: c
    image: localhost/busybox
    command: ["sh", "-c", "trap 'echo term >> /out/trace; exit 0' TERM; echo started >> /out/trace; while true; do sleep 0.2; done"]
    volumeMounts:
    - {name: out, mountPath: /out}
    lifecycle:
      preStop:
        exec: {command: ["sh", "-c", "echo prestop-begin >> /out/trace; sleep 3; echo prestop-end >> /out/trace"]}
`,
        ),
      );
      await d.waitFor('stopper Running', async () => (await pod('stopper')).status?.phase === 'Running');
      await d.waitFor('the trap set', async () => fs.readFileSync(path.join(out, 'trace'), 'utf8').includes('started'));
      await d.k('delete', 'pod', 'stopper', '--wait=true', '--timeout=60s');
      assert.deepEqual(fs.readFileSync(path.join(out, 'trace'), 'utf8').trim().split('\n'), ['started', 'prestop-begin', 'prestop-end', 'term']);
    } finally {
      fs.rmSync(out, { recursive: true, force: true });
    }
  });

  step('native sidecars: a log shipper beside the app, sharing an emptyDir; 2/2 Running; Init:0/1 never sticks', async () => {
    await apply(
      podYaml(
        'shipper',
        `  terminationGracePeriodSeconds: 2
  initContainers:
  - name: ship
    image: localhost/busybox
    restartPolicy: Always
    command: ["sh", "-c", "touch /logs/app.log; exec tail -F /logs/app.log"]
    volumeMounts: [{name: logs, mountPath: /logs}]
  containers:
  - name: app
    image: localhost/busybox
    command: ["sh", "-c", "i=0; while true; do i=$((i+1)); echo line-$i >> /logs/app.log; sleep 1; done"]
    volumeMounts: [{name: logs, mountPath: /logs}]
  volumes:
  - name: logs
    emptyDir: {}
`,
      ),
    );
    await d.waitFor('shipper 2/2 Running', async () => /\b2\/2\s+Running\b/.test(await d.k('get', 'pod', 'shipper')), 60_000);
    await d.waitFor('the sidecar ships the app\'s lines', async () => /line-2/.test(await d.k('logs', 'shipper', '-c', 'ship')));
    const p = await pod('shipper');
    assert.equal(p.status.conditions.find((c: any) => c.type === 'Initialized').status, 'True');
    assert.equal(p.status.initContainerStatuses[0].started, true);
  });

  step('a job-like pod with a sidecar: the app completes, the sidecar is stopped, the pod Succeeded', async () => {
    await apply(
      podYaml(
        'job',
        `  restartPolicy: Never
  terminationGracePeriodSeconds: 2
  initContainers:
  - name: proxy
    image: localhost/busybox
    restartPolicy: Always
    command: ["sleep", "3600"]
  containers:
  - name: app
    image: localhost/busybox
    command: ["sh", "-c", "sleep 2; echo done"]
`,
      ),
    );
    await d.waitFor('job Succeeded', async () => (await pod('job')).status?.phase === 'Succeeded', 60_000);
    const p = await pod('job');
    assert.ok(p.status.initContainerStatuses[0].state.terminated, 'the sidecar was stopped');
    assert.match(await d.k('get', 'pod', 'job'), /\bjob\s+0\/2\s+Completed\b/);
  });

  step('terminationMessagePolicy FallbackToLogsOnError: an empty message file and exit 1 take the log tail', async () => {
    await apply(
      podYaml(
        'fallback',
        `  restartPolicy: Never
  containers:
  - name: c
    image: localhost/busybox
    command: ["sh", "-c", "echo first; echo -n DONE; exit 1"]
    terminationMessagePolicy: FallbackToLogsOnError
  - name: file
    image: localhost/busybox
    command: ["sh", "-c", "echo -n from-file > /dev/termination-log; exit 2"]
    terminationMessagePolicy: FallbackToLogsOnError
  - name: custom
    image: localhost/busybox
    command: ["sh", "-c", "i=0; while [ $i -lt 600 ]; do printf xxxxxxxxxx; i=$((i+1)); done > /tmp/msg; printf END >> /tmp/msg; exit 3"]
    terminationMessagePath: /tmp/msg
    securityContext:
      runAsUser: 1000
`,
      ),
    );
    await d.waitFor('fallback Failed', async () => (await pod('fallback')).status?.phase === 'Failed', 60_000);
    const byName = Object.fromEntries((await pod('fallback')).status.containerStatuses.map((c: any) => [c.name, c.state.terminated]));
    assert.equal(byName.c.message, 'first\nDONE');
    assert.equal(byName.c.exitCode, 1);
    assert.equal(byName.file.message, 'from-file', 'a message in the file wins over the log');
    // Issue 13: a custom terminationMessagePath was ignored and the file read whole; the kubelet binds the
    // file there (0666, so uid 1000 writes it) and keeps its last 4096 bytes.
    assert.equal(byName.custom.message, 'x'.repeat(4093) + 'END');
  });

  step('admission: a pod asking more cpu than the node has is rejected OutOfcpu; the node advertises its resources', async () => {
    const node = (await d.getJson('nodes')).items[0];
    assert.ok(Number(node.status.allocatable.cpu) >= 1);
    assert.match(node.status.allocatable['ephemeral-storage'], /^\d+Ki$/);
    assert.equal(node.status.allocatable.pods, '110');
    await apply(
      podYaml(
        'greedy',
        `  containers:
  - name: c
    image: localhost/busybox
    command: ["sleep", "3600"]
    resources:
      requests: {cpu: "1000"}
`,
      ),
    );
    await d.waitFor('greedy rejected', async () => (await pod('greedy')).status?.phase === 'Failed');
    const st = (await pod('greedy')).status;
    assert.equal(st.reason, 'OutOfcpu');
    assert.match(st.message, /^Pod was rejected: Node didn't have enough resource: cpu, requested: 1000000, used: \d+, capacity: \d+$/);
    assert.match(await d.k('get', 'pod', 'greedy'), /\bgreedy\s+0\/1\s+OutOfcpu\b/);
    assert.ok((await events('greedy')).some((e) => e.reason === 'OutOfcpu' && e.type === 'Warning'));
    await d.k('delete', 'pod', 'greedy', '--wait=true', '--timeout=30s');
  });

  step('huge pages: the node advertises the pools it can limit, and a pod asking for more is rejected OutOfhugepages-2Mi', async () => {
    const node = (await d.getJson('nodes')).items[0];
    const pool = node.status.allocatable['hugepages-2Mi'];
    assert.ok(pool !== undefined, 'hugepages-2Mi is listed');
    await apply(
      podYaml(
        'huge',
        `  containers:
  - name: c
    image: localhost/busybox
    command: ["sleep", "3600"]
    resources:
      limits: {memory: 64Mi, hugepages-2Mi: 2Gi}
`,
      ),
    );
    await d.waitFor('huge rejected', async () => (await pod('huge')).status?.phase === 'Failed');
    const st = (await pod('huge')).status;
    assert.equal(st.reason, 'OutOfhugepages-2Mi');
    assert.match(st.message, /^Pod was rejected: Node didn't have enough resource: hugepages-2Mi, requested: 2147483648, used: 0, capacity: \d+$/);
    await d.k('delete', 'pod', 'huge', '--wait=true', '--timeout=30s');
    const bad = await d.kubectl(['apply', '-f', '-'], {
      input: podYaml('huge-bad', `  containers:\n  - name: c\n    image: localhost/busybox\n    resources:\n      limits: {hugepages-2Mi: 3Mi}\n`),
    });
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /spec.containers\[0\].resources.limits\[hugepages-2Mi\]: Invalid value: "3Mi": 3Mi is not positive integer multiple of hugepages-2Mi/);
    assert.match(bad.stderr, /spec.containers\[0\].resources: Forbidden: HugePages require cpu or memory/);
  });

  step('local ephemeral storage: a pod writing past its limit, and one filling an emptyDir past its sizeLimit, are Evicted', async () => {
    await apply(
      podYaml(
        'hog',
        `  terminationGracePeriodSeconds: 30
  containers:
  - name: c
    image: localhost/busybox
    command: ["sh", "-c", "dd if=/dev/zero of=/fill bs=1M count=3 && sleep 3600"]
    resources:
      limits: {ephemeral-storage: 1Mi}
`,
      ),
    );
    await apply(
      podYaml(
        'cachehog',
        `  containers:
  - name: c
    image: localhost/busybox
    command: ["sh", "-c", "dd if=/dev/zero of=/cache/fill bs=1M count=3 && sleep 3600"]
    volumeMounts: [{name: cache, mountPath: /cache}]
  volumes:
  - name: cache
    emptyDir: {sizeLimit: 1Mi}
`,
      ),
    );
    await d.waitFor('both evicted', async () => (await pod('hog')).status?.reason === 'Evicted' && (await pod('cachehog')).status?.reason === 'Evicted', 60_000);
    const hog = (await pod('hog')).status;
    assert.equal(hog.phase, 'Failed');
    assert.equal(hog.message, 'Pod ephemeral local storage usage exceeds the total limit of containers 1Mi. ');
    assert.equal((await pod('cachehog')).status.message, 'Usage of EmptyDir volume "cache" exceeds the limit "1Mi". ');
    // A finished pod's volumes are released, as the kubelet unmounts them: the disk comes back at once.
    const cacheDir = path.join(d.paths.podsDir, (await pod('cachehog')).metadata.uid);
    await d.waitFor('the evicted pod\'s emptyDir released', async () => !fs.existsSync(cacheDir), 20_000);
    assert.ok((await events('hog')).some((e) => e.reason === 'Evicted' && e.type === 'Warning' && e.message === hog.message));
    await d.waitFor('the evicted containers stopped', async () => (await pod('hog')).status.containerStatuses?.[0]?.state?.terminated !== undefined, 20_000);
    // kubectl's STATUS column shows a terminated container's reason over the pod's (its printPod), so
    // an evicted pod reads Error there, as on a cluster; describe shows the pod's reason.
    assert.match(await d.k('get', 'pod', 'hog'), /\bhog\s+0\/1\s+Error\b/);
    assert.match(await d.k('describe', 'pod', 'hog'), /^Reason:\s+Evicted$/m);
    await d.k('delete', 'pod', 'hog', 'cachehog', '--wait=true', '--timeout=30s');
  });

  step('an emptyDir of an unknown medium fails its mount with the kubelet\'s reason', async () => {
    await apply(podYaml('tape', `  containers:\n  - name: c\n    image: localhost/busybox\n    command: ["sleep", "3600"]\n  volumes:\n  - name: v\n    emptyDir: {medium: Tape}\n`));
    await d.waitFor('FailedMount', async () => (await events('tape')).some((e) => e.reason === 'FailedMount' && /unknown storage medium "Tape"/.test(e.message)), 30_000);
    assert.equal((await pod('tape')).status.phase, 'Pending');
    await d.k('delete', 'pod', 'tape', '--wait=true', '--timeout=30s');
  });

  step('scheduling: a pod this node does not match waits Pending (FailedScheduling) until kubectl label node; a gated pod until its gate goes', async () => {
    const nodeName = (await d.getJson('nodes')).items[0].metadata.name;
    await apply(podYaml('picky', `  terminationGracePeriodSeconds: 2\n  nodeSelector: {disk: ssd}\n  containers:\n  - name: c\n    image: localhost/busybox\n    command: ["sleep", "3600"]\n`));
    await apply(podYaml('gated', `  terminationGracePeriodSeconds: 2\n  schedulingGates: [{name: example.com/wait}]\n  containers:\n  - name: c\n    image: localhost/busybox\n    command: ["sleep", "3600"]\n`));
    await d.waitFor('FailedScheduling', async () => (await events('picky')).some((e) => e.reason === 'FailedScheduling' && e.type === 'Warning'), 10_000);
    const failed = (await events('picky')).find((e) => e.reason === 'FailedScheduling')!;
    assert.equal(failed.message, "0/1 nodes are available: 1 node(s) didn't match Pod's node affinity/selector. preemption: 0/1 nodes are available: 1 Preemption is not helpful for scheduling.");
    assert.match(await d.k('get', 'pod', 'picky', 'gated'), /picky\s+0\/1\s+Pending[\s\S]*gated\s+0\/1\s+SchedulingGated/);
    assert.equal((await pod('picky')).spec.nodeName, undefined);
    await d.k('label', 'node', nodeName, 'disk=ssd');
    try {
      await d.waitFor('picky Running', async () => (await pod('picky')).status?.phase === 'Running', 30_000);
    } finally {
      await d.k('label', 'node', nodeName, 'disk-');
    }
    assert.ok((await events('picky')).some((e) => e.reason === 'Scheduled'));
    const patched = await d.kubectl(['patch', 'pod', 'gated', '--type=json', '-p', '[{"op":"remove","path":"/spec/schedulingGates"}]']);
    assert.equal(patched.code, 0, patched.stderr);
    await d.waitFor('gated Running', async () => (await pod('gated')).status?.phase === 'Running', 30_000);
    const rc = await d.kubectl(['apply', '-f', '-'], { input: podYaml('sandboxed', `  runtimeClassName: gvisor\n  containers:\n  - name: c\n    image: localhost/busybox\n`) });
    assert.notEqual(rc.code, 0);
    assert.match(rc.stderr, /pods "sandboxed" is forbidden: pod rejected: RuntimeClass "gvisor" not found/);
    const pc = await d.kubectl(['apply', '-f', '-'], { input: podYaml('vip', `  priorityClassName: high\n  containers:\n  - name: c\n    image: localhost/busybox\n`) });
    assert.match(pc.stderr, /pods "vip" is forbidden: no PriorityClass with name high was found/);
    await d.k('delete', 'pod', 'picky', 'gated', '--wait=true', '--timeout=30s');
  });

  step('downward API and projected volumes: resourceFieldRef with a divisor, a ConfigMap, labels that follow kubectl label', async () => {
    const cm = await d.kubectl(['create', 'configmap', 'proj-cfg', '--from-literal=greeting=hello']);
    assert.equal(cm.code, 0, cm.stderr);
    await apply(
      podYaml(
        'projected',
        `  terminationGracePeriodSeconds: 2
  containers:
  - name: c
    image: localhost/busybox
    command: ["sh", "-c", "while true; do cat /etc/info/mem /etc/info/greeting; echo; cat /etc/info/labels; sleep 1; done"]
    resources:
      limits: {memory: 64Mi, cpu: 250m}
    volumeMounts: [{name: info, mountPath: /etc/info}]
  volumes:
  - name: info
    projected:
      sources:
      - configMap: {name: proj-cfg}
      - downwardAPI:
          items:
          - path: mem
            resourceFieldRef: {containerName: c, resource: limits.memory, divisor: 1Mi}
          - path: labels
            fieldRef: {fieldPath: metadata.labels}
`,
      ),
    );
    await d.waitFor('the projected files in the log', async () => /64hello/.test(await d.k('logs', 'projected')), 60_000);
    await d.k('label', 'pod', 'projected', 'tier=db');
    await d.waitFor('the new label in the labels file', async () => /tier="db"/.test(await d.k('logs', 'projected', '--tail=5')), 30_000);
  });

  step('cgroups as the kubelet lays them out: QoS level, then the pod, then the container; cpu limit as CFS quota', async () => {
    await apply(
      podYaml(
        'qos',
        `  terminationGracePeriodSeconds: 2
  containers:
  - name: c
    image: localhost/busybox
    command: ["sleep", "3600"]
    resources:
      requests: {cpu: 100m, memory: 16Mi}
      limits: {cpu: 500m, memory: 64Mi}
`,
      ),
    );
    await d.waitFor('qos Running', async () => (await pod('qos')).status?.phase === 'Running');
    const p = await pod('qos');
    assert.equal(p.status.qosClass, 'Burstable');
    const uid = p.metadata.uid;
    const cg = cgroupLinesOf(uid);
    assert.ok(cg.length > 0, 'a process of the pod is found by its cgroup');
    const cpu = cg.find((l) => /:cpu,cpuacct:|:cpu:|:cpuacct,cpu:/.test(l));
    assert.match(cpu ?? '', new RegExp(`/burstable/pod${uid}/[0-9a-f]{64}$`));
    const dir = `/sys/fs/cgroup/cpu${cpu!.slice(cpu!.lastIndexOf(':') + 1)}`;
    assert.equal(fs.readFileSync(`${dir}/cpu.cfs_quota_us`, 'utf8').trim(), '50000');
    assert.equal(fs.readFileSync(`${dir}/cpu.shares`, 'utf8').trim(), '102');
    // The burstable level weighs what its pods requested (this one, and the sidecar pods' if running).
    const level = fs.readFileSync(`${dir.slice(0, dir.indexOf('/burstable/') + '/burstable'.length)}/cpu.shares`, 'utf8').trim();
    assert.ok(Number(level) >= 102 && Number(level) < 1024, `burstable level cpu.shares ${level}`);
  });

  step('the README examples: probes-and-hooks.yaml goes 1/1 and serves what postStart wrote; native-sidecar.yaml ships the app\'s log', async () => {
    const port = await freePort();
    const web = fs.readFileSync(path.join(REPO_ROOT, 'examples', 'probes-and-hooks.yaml'), 'utf8').replace('hostPort: 8082', `hostPort: ${port}`);
    await apply(web);
    await apply(fs.readFileSync(path.join(REPO_ROOT, 'examples', 'native-sidecar.yaml'), 'utf8'));
    await d.waitFor('web-with-probes 1/1', async () => /\b1\/1\s+Running\b/.test(await d.k('get', 'pod', 'web-with-probes')), 60_000);
    const cs = (await pod('web-with-probes')).status.containerStatuses[0];
    assert.equal(cs.started, true);
    assert.equal(cs.restartCount, 0);
    const page = await d.waitFor('healthz over the hostPort', async () => {
      const r = await httpGet(`http://127.0.0.1:${port}/healthz`);
      return r.status === 200 && r.body;
    });
    assert.equal(page, 'ok\n');
    await d.waitFor('log-shipper 2/2', async () => /\b2\/2\s+Running\b/.test(await d.k('get', 'pod', 'log-shipper')), 60_000);
    await d.waitFor('the shipped lines', async () => /request 2/.test(await d.k('logs', 'log-shipper', '-c', 'shipper')), 30_000);
    const t0 = Date.now();
    await d.k('delete', 'pod', 'web-with-probes', '--wait=true', '--timeout=60s');
    // A lower bound, not a speed bound: the preStop sleep action's 2 s are the behaviour, made by the
    // daemon itself, and a slow host only makes the deletion longer.
    assert.ok(Date.now() - t0 >= 2000, 'the preStop sleep ran first');
  });
});
