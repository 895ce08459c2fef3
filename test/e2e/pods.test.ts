// End to end, issue 2's acceptance story: a real `peapod serve` driven by the real kubectl — the seed
// examples, init ordering, restart policies and exit codes, configMap/secret env and volumes, bad input,
// a daemon restart that keeps containers running, and nothing left on the host after deletion.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import os from 'node:os';
import { TestDaemon, REPO_ROOT, freePort, httpGet } from '../support/daemon.js';
import { reportingFailure } from '../support/failure.js';

const ROOT = process.getuid?.() === 0;

function example(name: string, hostPorts: Record<number, number> = {}): string {
  let text = fs.readFileSync(path.join(REPO_ROOT, 'examples', name), 'utf8');
  for (const [from, to] of Object.entries(hostPorts)) text = text.replace(`hostPort: ${from}`, `hostPort: ${to}`);
  return text;
}

function podYaml(name: string, spec: string): string {
  return `apiVersion: v1\nkind: Pod\nmetadata:\n  name: ${name}\nspec:\n${spec}`;
}

describe('pods end to end with kubectl (issue 2)', { skip: ROOT ? false : 'needs root: run the tests as root' }, () => {
  let d: TestDaemon;
  let failed = false;

  before(async () => {
    d = await TestDaemon.start({ name: 'e2e-pods', podCidr: '10.88.210.0/24' });
  });
  after(async () => {
    await d?.destroy(failed);
  });

  const step = (name: string, fn: () => Promise<void>) => it(name, reportingFailure(fn, () => (failed = true)));

  const pod = (name: string) => d.getJson('pod', name);
  const phaseIs = (name: string, phase: string) => async () => (await pod(name)).status?.phase === phase;
  let serverPort = 0;
  let firstServer: { containerID: string; startedAt: string } | undefined;

  step('runs the two-containers seed: shared volume, hostPort, logs, wide output', async () => {
    serverPort = await freePort();
    await d.kubectl(['create', '-f', '-'], { input: example('two-containers.yaml', { 8080: serverPort }) }).then((r) => assert.equal(r.code, 0, r.stderr));
    await d.waitFor('two-containers Running and Ready', async () => {
      const p = await pod('two-containers');
      return p.status?.phase === 'Running' && p.status.conditions?.find((c: any) => c.type === 'Ready')?.status === 'True';
    });
    const wide = await d.k('get', 'pod', '-o', 'wide');
    const [header, row] = wide.trim().split('\n');
    assert.match(header!, /^NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE\s+IP\s+NODE\s+NOMINATED NODE\s+READINESS GATES$/);
    assert.match(row!, new RegExp(`^two-containers\\s+2/2\\s+Running\\s+0\\s+\\S+\\s+10\\.88\\.210\\.\\d+\\s+${d.nodeName}\\s+<none>\\s+<none>$`));
    const page = await d.waitFor('the page the writer wrote', async () => {
      const r = await httpGet(`http://127.0.0.1:${serverPort}/`);
      return r.status === 200 && r.body;
    });
    assert.match(page, /Hello from the writer container/);
    assert.match(await d.k('logs', 'two-containers', '-c', 'writer'), /wrote index.html at/);
    const p = await pod('two-containers');
    assert.match(p.status.podIP, /^10\.88\.210\.\d+$/);
    assert.equal(p.status.qosClass, 'BestEffort');
    for (const cs of p.status.containerStatuses) {
      assert.equal(cs.restartCount, 0);
      assert.match(cs.containerID, /^\w+:\/\/[0-9a-f]+/);
    }
    const server = p.status.containerStatuses.find((c: any) => c.name === 'server');
    firstServer = { containerID: server.containerID, startedAt: server.state.running.startedAt };
  });

  step('describes the pod with its events, and lists its containers under the hood', async () => {
    const out = await d.k('describe', 'pod', 'two-containers');
    assert.match(out, /Status:\s+Running/);
    assert.match(out, /Scheduled/);
    assert.match(out, /Started\s+\S+\s+kubelet\s+Started container writer/);
    const ps = await d.peapod(['runtime', 'ps']);
    assert.equal(ps.code, 0, ps.stderr);
    assert.match(ps.stdout, /two-containers/);
    assert.match(ps.stdout, /\bPOD\b/);
    assert.match(ps.stdout, /\bserver\b/);
    assert.match(ps.stdout, /\bwriter\b/);
  });

  step('peapod version names the daemon reached and what it runs, as the host\'s programs report themselves', async () => {
    const v = await d.peapod(['version']);
    assert.equal(v.code, 0, v.stderr);
    const runc = /runc version (\S+)/.exec(execFileSync('runc', ['--version'], { encoding: 'utf8' }))![1];
    const conmon = /conmon version (\S+)/.exec(execFileSync('conmon', ['--version'], { encoding: 'utf8' }))![1];
    assert.match(v.stdout, /^Client Version: peapod \d+\.\d+\.\d+ \(Node\.js v\d+/);
    assert.match(v.stdout, /\nServer: https:\/\/127\.0\.0\.1:\d+ \(kubeconfig \S+kubeconfig, from /);
    assert.match(v.stdout, /\nServer Version: peapod \d+\.\d+\.\d+, Kubernetes API v1\.\d+\.\d+ /);
    assert.ok(v.stdout.includes(`\nRuntime: runc ${runc}, conmon ${conmon}, catatonit `), v.stdout);
    const json = JSON.parse((await d.peapod(['version', '-o', 'json'])).stdout);
    assert.equal(json.serverVersion.kernel, os.release());
  });

  step('lets two containers talk over localhost', async () => {
    await d.kubectl(['apply', '-f', '-'], { input: example('localhost.yaml') }).then((r) => assert.equal(r.code, 0, r.stderr));
    await d.waitFor('the client to reach the server over 127.0.0.1', async () => /pong from the server container/.test(await d.k('logs', 'localhost', '-c', 'client')));
  });

  step('runs init containers to completion before the app containers', async () => {
    const port = await freePort();
    await d.kubectl(['create', '-f', '-'], { input: example('init-container.yaml', { 8081: port }) }).then((r) => assert.equal(r.code, 0, r.stderr));
    await d.waitFor('init-container Running', phaseIs('init-container', 'Running'));
    const p = await pod('init-container');
    const init = p.status.initContainerStatuses[0];
    assert.equal(init.state.terminated.exitCode, 0);
    assert.equal(init.state.terminated.reason, 'Completed');
    const started = Date.parse(p.status.containerStatuses[0].state.running.startedAt);
    assert.ok(started >= Date.parse(init.state.terminated.finishedAt) - 1000, 'the server started after the init container finished');
    const r = await d.waitFor('the deployed artifact', async () => {
      const res = await httpGet(`http://127.0.0.1:${port}/`);
      return res.status === 200 && res.body;
    });
    assert.match(r, /deployed by the init container/);
    assert.match(await d.k('logs', 'init-container', '-c', 'deploy-artifact'), /artifact copied/);
  });

  step('records exit codes and follows restartPolicy', async () => {
    const c = (cmd: string) => `  containers:\n  - name: main\n    image: localhost/busybox:latest\n    imagePullPolicy: IfNotPresent\n    command: ["sh", "-c", "${cmd}"]\n`;
    const pods = [
      podYaml('never-fails', `  restartPolicy: Never\n${c('echo bye; exit 3')}`),
      podYaml('onfailure-ok', `  restartPolicy: OnFailure\n${c('exit 0')}`),
      podYaml('always-crashes', `  restartPolicy: Always\n${c('exit 1')}`),
      podYaml('no-binary', `  restartPolicy: Never\n  containers:\n  - name: main\n    image: localhost/busybox:latest\n    imagePullPolicy: IfNotPresent\n    command: ["/nonexistent"]\n`),
    ].join('\n---\n');
    await d.kubectl(['create', '-f', '-'], { input: pods }).then((r) => assert.equal(r.code, 0, r.stderr));
    await d.waitFor('never-fails Failed', phaseIs('never-fails', 'Failed'));
    const nf = (await pod('never-fails')).status.containerStatuses[0];
    assert.deepEqual([nf.state.terminated.exitCode, nf.state.terminated.reason, nf.restartCount], [3, 'Error', 0]);
    assert.match(await d.k('logs', 'never-fails'), /bye/);
    await d.waitFor('onfailure-ok Succeeded', phaseIs('onfailure-ok', 'Succeeded'));
    const ok = (await pod('onfailure-ok')).status.containerStatuses[0];
    assert.equal(ok.state.terminated.reason, 'Completed');
    const crash = await d.waitFor('always-crashes to restart', async () => {
      const cs = (await pod('always-crashes')).status.containerStatuses?.[0];
      return cs && cs.restartCount >= 1 && cs;
    });
    assert.equal(crash.lastState.terminated.exitCode, 1);
    const status = await d.waitFor('CrashLoopBackOff', async () => {
      const w = (await pod('always-crashes')).status.containerStatuses[0].state.waiting;
      return w?.reason === 'CrashLoopBackOff' && w;
    });
    assert.match(status.message, /back-off \d+s restarting failed container=main pod=always-crashes_default/);
    await d.waitFor('no-binary Failed', phaseIs('no-binary', 'Failed'));
    const nb = (await pod('no-binary')).status.containerStatuses[0].state.terminated;
    assert.deepEqual([nb.exitCode, nb.reason], [128, 'StartError']);
    assert.match(nb.message, /exec: "\/nonexistent": stat \/nonexistent: no such file or directory/);
    const table = await d.k('get', 'pods');
    assert.match(table, /never-fails\s+0\/1\s+Error\s+0/);
    assert.match(table, /onfailure-ok\s+0\/1\s+Completed\s+0/);
  });

  step('fails the pod when an init container fails under restartPolicy Never', async () => {
    const spec = `  restartPolicy: Never\n  initContainers:\n  - name: init1\n    image: localhost/busybox:latest\n    imagePullPolicy: IfNotPresent\n    command: ["false"]\n  containers:\n  - name: app\n    image: localhost/busybox:latest\n    imagePullPolicy: IfNotPresent\n    command: ["true"]\n`;
    await d.kubectl(['create', '-f', '-'], { input: podYaml('init-fails', spec) }).then((r) => assert.equal(r.code, 0, r.stderr));
    await d.waitFor('init-fails Failed', phaseIs('init-fails', 'Failed'));
    const p = await pod('init-fails');
    assert.equal(p.status.containerStatuses[0].state.waiting.reason, 'PodInitializing');
    assert.match(await d.k('get', 'pod', 'init-fails'), /Init:Error/);
  });

  step('reports a missing image as a waiting reason, not a crash', async () => {
    const spec = `  containers:\n  - name: app\n    image: localhost/not-there:1.0\n    imagePullPolicy: Never\n`;
    await d.kubectl(['create', '-f', '-'], { input: podYaml('no-image', spec) }).then((r) => assert.equal(r.code, 0, r.stderr));
    const w = await d.waitFor('ErrImageNeverPull', async () => {
      const waiting = (await pod('no-image')).status.containerStatuses?.[0]?.state.waiting;
      return waiting?.reason === 'ErrImageNeverPull' && waiting;
    });
    assert.equal(w.message, 'Container image "localhost/not-there:1.0" is not present with pull policy of Never');
  });

  step('feeds configMap and secret data into env and volumes, and waits for a missing configMap', async () => {
    const spec = `  restartPolicy: Never
  volumes:
  - name: cfg
    configMap:
      name: app-config
      items:
      - key: app.properties
        path: conf/app.properties
  - name: creds
    secret:
      secretName: app-secret
      defaultMode: 0400
  containers:
  - name: app
    image: localhost/busybox:latest
    imagePullPolicy: IfNotPresent
    command: ["sh", "-c", "echo greeting=$GREETING; echo password=$DB_PASSWORD; echo pod=$POD_NAME ip=$POD_IP; cat /etc/app/conf/app.properties; echo; cat /creds/password; echo; ls -lL /creds/"]
    env:
    - name: GREETING
      valueFrom:
        configMapKeyRef: {name: app-config, key: greeting}
    - name: DB_PASSWORD
      valueFrom:
        secretKeyRef: {name: app-secret, key: password}
    - name: POD_NAME
      valueFrom:
        fieldRef: {fieldPath: metadata.name}
    - name: POD_IP
      valueFrom:
        fieldRef: {fieldPath: status.podIP}
    volumeMounts:
    - {name: cfg, mountPath: /etc/app, readOnly: true}
    - {name: creds, mountPath: /creds}
`;
    const envOnly = `  restartPolicy: Never
  containers:
  - name: app
    image: localhost/busybox:latest
    imagePullPolicy: IfNotPresent
    command: ["sh", "-c", "echo greeting=$GREETING"]
    env:
    - name: GREETING
      valueFrom:
        configMapKeyRef: {name: app-config, key: greeting}
`;
    const input = [podYaml('config-consumer', spec), podYaml('env-consumer', envOnly)].join('\n---\n');
    await d.kubectl(['create', '-f', '-'], { input }).then((r) => assert.equal(r.code, 0, r.stderr));
    // As the kubelet: a missing configMap behind an env var is CreateContainerConfigError; behind a volume
    // the pod stays ContainerCreating with FailedMount events.
    const w = await d.waitFor('CreateContainerConfigError', async () => {
      const waiting = (await pod('env-consumer')).status.containerStatuses?.[0]?.state.waiting;
      return waiting?.reason === 'CreateContainerConfigError' && waiting;
    });
    assert.match(w.message, /configmap "app-config" not found/);
    assert.equal((await pod('config-consumer')).status.containerStatuses[0].state.waiting.reason, 'ContainerCreating');
    await d.waitFor('a FailedMount event', async () =>
      /FailedMount\s+.*MountVolume.SetUp failed for volume "cfg" : configmap "app-config" not found/.test(await d.k('describe', 'pod', 'config-consumer')),
    );
    await d.k('create', 'configmap', 'app-config', '--from-literal=greeting=hello', '--from-literal=app.properties=mode=production');
    await d.k('create', 'secret', 'generic', 'app-secret', '--from-literal=password=s3cr3t');
    await d.waitFor('config-consumer Succeeded', phaseIs('config-consumer', 'Succeeded'));
    await d.waitFor('env-consumer Succeeded', phaseIs('env-consumer', 'Succeeded'));
    assert.match(await d.k('logs', 'env-consumer'), /greeting=hello/);
    const logs = await d.k('logs', 'config-consumer');
    assert.match(logs, /greeting=hello/);
    assert.match(logs, /password=s3cr3t/);
    assert.match(logs, /pod=config-consumer ip=10\.88\.210\.\d+/);
    assert.match(logs, /mode=production/);
    assert.match(logs, /-r-------- .* password/);
  });

  step('imports a root filesystem as an image, runs a pod on it, and removes it', async () => {
    const dir = fs.mkdtempSync(path.join(d.paths.dataDir, 'rootfs-'));
    fs.mkdirSync(path.join(dir, 'bin'));
    fs.copyFileSync('/usr/bin/busybox', path.join(dir, 'bin', 'busybox'));
    fs.symlinkSync('busybox', path.join(dir, 'bin', 'sh'));
    const tar = path.join(d.paths.dataDir, 'mini.tar');
    execFileSync('tar', ['-cf', tar, '-C', dir, '.']);
    const imported = await d.peapod(['image', 'import', tar, 'localhost/mini:1']);
    assert.equal(imported.code, 0, imported.stderr);
    assert.match((await d.peapod(['image', 'ls'])).stdout, /localhost\/mini\s+1\s/);
    const spec = `  restartPolicy: Never\n  containers:\n  - name: app\n    image: localhost/mini:1\n    command: ["/bin/sh", "-c", "echo hello from an imported image"]\n`;
    await d.kubectl(['create', '-f', '-'], { input: podYaml('mini', spec) }).then((r) => assert.equal(r.code, 0, r.stderr));
    await d.waitFor('mini Succeeded', phaseIs('mini', 'Succeeded'));
    assert.match(await d.k('logs', 'mini'), /hello from an imported image/);
    await d.k('delete', 'pod', 'mini', '--wait=true');
    const rm = await d.peapod(['image', 'rm', 'localhost/mini:1']);
    assert.equal(rm.code, 0, rm.stderr);
    assert.doesNotMatch((await d.peapod(['image', 'ls'])).stdout, /localhost\/mini/);
  });

  step('rejects bad input with field errors and keeps serving', async () => {
    const bad = async (yaml: string, pattern: RegExp) => {
      const r = await d.kubectl(['create', '-f', '-'], { input: yaml });
      assert.notEqual(r.code, 0, `expected failure for:\n${yaml}`);
      assert.match(r.stderr, pattern);
    };
    const c = (name: string, extra = '') => `  - name: ${name}\n    image: localhost/busybox:latest\n${extra}`;
    await bad(podYaml('unknown-field', `  containers:\n${c('a', '    imagePullPolicyy: Never\n')}`), /unknown field "spec.containers\[0\].imagePullPolicyy"/);
    await bad(podYaml('dup-names', `  containers:\n${c('a')}${c('a')}`), /spec.containers\[1\].name: Duplicate value: "a"/);
    await bad(podYaml('Bad_Name', `  containers:\n${c('a')}`), /metadata.name: Invalid value: "Bad_Name"/);
    await bad(podYaml('missing-volume', `  containers:\n${c('a', '    volumeMounts:\n    - {name: nope, mountPath: /x}\n')}`), /volumeMounts\[0\].name: Not found: "nope"/);
    await bad(podYaml('bad-port', `  containers:\n${c('a', '    ports:\n    - containerPort: 70000\n')}`), /containerPort: Invalid value: 70000/);
    await bad('apiVersion: v1\nkind: Pod\nmetadata: {name: x\n', /error/i);
    assert.equal((await pod('two-containers')).status.phase, 'Running');
    assert.equal((await d.kubectl(['get', '--raw', '/readyz'])).code, 0);
  });

  step('keeps containers running across a daemon restart and adopts them', async () => {
    await d.stopProcess();
    const during = await httpGet(`http://127.0.0.1:${serverPort}/`);
    assert.equal(during.status, 200, 'the pod keeps serving while the daemon is down');
    await d.serve();
    // The stored status is the old daemon's until the new one writes: asserting on it proves nothing.
    // So the writer's process is killed from the host, which only the restarted daemon can notice (through
    // the adopted conmon's exit file) and answer with a restart and a status write. That write is the
    // new daemon's view of the whole pod: an adopted server keeps its container, start time and count,
    // where a broken adoption (containers recorded as exited, or the sandbox torn down and made again)
    // shows a new server container or a restart; a daemon that never syncs the pod times out here.
    const before = (await pod('two-containers')).status.containerStatuses.find((c: any) => c.name === 'writer');
    const writerRecord = path.join(d.paths.containersDir, before.containerID.replace(/^\w+:\/\//, ''), 'record.json');
    const writerPid = Number(JSON.parse(fs.readFileSync(writerRecord, 'utf8')).pid);
    // Never a pid of 0 or 1 (kill(0) is this test's own process group) nor a reused one: it must be the
    // writer's shell. A record without that live pid is itself an adoption gone wrong.
    assert.ok(writerPid > 1, `the adopted writer's record has no live pid (${writerPid})`);
    const cmdline = fs.readFileSync(`/proc/${writerPid}/cmdline`, 'utf8').split('\0');
    assert.deepEqual(cmdline.slice(0, 2), ['/bin/sh', '-c'], `pid ${writerPid} is not the writer`);
    process.kill(writerPid, 'SIGKILL');
    const p = await d.waitFor('the restarted daemon to replace the killed writer', async () => {
      const cur = await pod('two-containers');
      const writer = cur.status.containerStatuses.find((c: any) => c.name === 'writer');
      return writer.containerID !== before.containerID && writer.state.running && cur;
    });
    assert.equal(p.status.phase, 'Running');
    const writer = p.status.containerStatuses.find((c: any) => c.name === 'writer');
    assert.equal(writer.restartCount, 1);
    assert.equal(writer.lastState.terminated.exitCode, 137);
    const server = p.status.containerStatuses.find((c: any) => c.name === 'server');
    assert.equal(server.restartCount, 0);
    assert.equal(server.containerID, firstServer?.containerID);
    assert.equal(server.state.running.startedAt, firstServer?.startedAt);
    assert.equal((await httpGet(`http://127.0.0.1:${serverPort}/`)).status, 200);
  });

  step('deletes gracefully and leaves nothing behind on the host', async () => {
    await d.k('delete', 'pod', 'two-containers', '--wait=true', '--timeout=60s');
    assert.match((await d.kubectl(['get', 'pod', 'two-containers'])).stderr, /NotFound/);
    await d.k('delete', 'pods', '--all', '--wait=true', '--timeout=90s');
    const left = await d.waitFor('the host to be clean', async () => {
      const l = await d.leftovers();
      return Object.keys(l).length === 0 ? l : false;
    }, 30_000).catch(() => d.leftovers());
    assert.deepEqual(left, {});
  });
});
