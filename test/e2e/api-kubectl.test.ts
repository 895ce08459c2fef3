// The API server against the REAL kubectl: ApiServer on 127.0.0.1:0 over an in-memory SqliteStore, no
// pod manager (the test plays its part for deletions). Drives /usr/bin/kubectl (which dispatches to
// the bundled 1.33 client, matching our /version) and kubectl 1.28/1.27 for the protobuf OpenAPI v2
// and v2beta1 discovery paths. No root needed.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { appendFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { ApiServer } from '../../src/api/server.js';
import { buildSecurityStage } from '../../src/api/auth/security.js';
import { makeTestPki, type TestPki } from '../support/api-tls.js';
import { RESOURCES } from '../../src/k8s/registry.js';
import type { KubeObject } from '../../src/k8s/types.js';
import { containerLogPath, nodePaths, podLogDirectory } from '../../src/node/paths.js';
import { SqliteStore } from '../../src/store/sqlite-store.js';
import { StoreEventSink } from '../../src/store/events.js';
import { ensureNamespaces } from '../../src/store/bootstrap.js';
import { ServiceAccountsController } from '../../src/serviceaccounts/controller.js';
import { SystemClock } from '../../src/system/clock.js';
import { HostExec } from '../../src/system/exec.js';
import { silentLogger } from '../../src/system/logger.js';

const KUBECTL = '/usr/bin/kubectl';
const SDK = '/usr/lib/google-cloud-sdk/bin';
const NODE = 'node-e2e';
const exec = new HostExec();

const podYaml = (name: string, spec: string, ns?: string) =>
  `apiVersion: v1\nkind: Pod\nmetadata:\n  name: ${name}\n${ns ? `  namespace: ${ns}\n` : ''}spec:\n${spec}`;
const oneContainer = (image = 'busybox:1.36') => `  containers:\n  - name: main\n    image: ${image}\n    command: ["sleep", "3600"]\n`;
const cols = (line: string) => line.trim().split(/\s{2,}/);

describe('the API server drives the real kubectl', { skip: existsSync(KUBECTL) ? false : 'kubectl not installed' }, () => {
  let dir: string;
  let store: SqliteStore;
  let server: ApiServer;
  let url: string;
  let stopPodManager: () => void;
  let pki: TestPki;

  before(async () => {
    pki = await makeTestPki();
    tlsOpts = { ca: pki.ca.certPem, cert: pki.admin.certPem, key: pki.admin.keyPem };
    dir = await mkdtemp(path.join(os.tmpdir(), 'peapod-api-e2e-'));
    const clock = new SystemClock();
    const logger = silentLogger();
    store = new SqliteStore({ path: ':memory:', resources: RESOURCES, clock, logger });
    ensureNamespaces(store);
    new ServiceAccountsController({ store, logger }).start();
    const events = new StoreEventSink({ store, clock, logger, component: 'kubelet', host: NODE });
    server = new ApiServer({ store, logger, clock, nodeName: NODE, paths: nodePaths(dir), events, security: buildSecurityStage() });
    ({ url } = await server.start('127.0.0.1:0', pki.tls));
    await writeFile(path.join(dir, 'kubeconfig'), pki.kubeconfig(url));
    // The pod manager's part in deletion: once a pod is marked, stop it (nothing runs) and remove it.
    const w = store.watch<KubeObject>('pods', { resourceVersion: store.currentResourceVersion() }, (ev) => {
      const m = ev.object.metadata;
      if (ev.type !== 'DELETED' && m.deletionTimestamp) {
        queueMicrotask(() => {
          try {
            store.delete('pods', m.namespace, m.name!, { expectedUid: m.uid });
          } catch {
            /* already gone */
          }
        });
      }
    });
    stopPodManager = () => w.stop();
  });

  after(async () => {
    stopPodManager?.();
    await server?.stop();
    store?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  async function kubectl(args: string[], opts: { bin?: string; input?: string } = {}) {
    const bin = opts.bin ?? KUBECTL;
    const cache = path.join(dir, `cache-${path.basename(bin)}`);
    const full = ['--kubeconfig', path.join(dir, 'kubeconfig'), '--cache-dir', cache, ...args];
    return exec.run(bin, full, { input: opts.input, timeoutMs: 60_000, env: { ...process.env, HOME: dir } });
  }

  async function ok(args: string[], opts: { bin?: string; input?: string } = {}): Promise<string> {
    const r = await kubectl(args, opts);
    assert.equal(r.code, 0, `kubectl ${args.join(' ')} failed: ${r.stderr}`);
    return r.stdout;
  }

  it('reports the server version kubectl dispatches on', async () => {
    const out = await ok(['version', '-o', 'json']);
    assert.equal(JSON.parse(out).serverVersion.gitVersion, 'v1.33.0');
  });

  it('lists the served resources with api-resources', async () => {
    const out = await ok(['api-resources']);
    assert.match(out, /^pods\s+po\s+v1\s+true\s+Pod$/m);
    assert.match(out, /^namespaces\s+ns\s+v1\s+false\s+Namespace$/m);
    assert.match(out, /^configmaps\s+cm\s+v1\s+true\s+ConfigMap$/m);
  });

  it('creates a pod from a file and binds it to the node', async () => {
    const out = await ok(['create', '-f', '-'], { input: podYaml('web', oneContainer()) });
    assert.equal(out, 'pod/web created\n');
    const pod = store.get<KubeObject>('pods', 'default', 'web');
    assert.equal((pod.spec as { nodeName: string }).nodeName, NODE);
    assert.equal((pod.status as { phase: string }).phase, 'Pending');
  });

  it('prints the pod table and the wide header', async () => {
    const out = (await ok(['get', 'pods'])).trimEnd().split('\n');
    assert.deepEqual(cols(out[0]), ['NAME', 'READY', 'STATUS', 'RESTARTS', 'AGE']);
    assert.deepEqual(cols(out[1]).slice(0, 4), ['web', '0/1', 'Pending', '0']);
    assert.match(cols(out[1])[4], /^\d+s$/);
    const wide = (await ok(['get', 'pods', '-o', 'wide'])).split('\n');
    assert.equal(wide[0].replace(/\s+/g, ' ').trim(), 'NAME READY STATUS RESTARTS AGE IP NODE NOMINATED NODE READINESS GATES');
    assert.match(wide[1], new RegExp(`<none>\\s+${NODE}\\s+<none>\\s+<none>\\s*$`));
    const all = (await ok(['get', 'pods', '-A'])).split('\n');
    assert.deepEqual(cols(all[0]).slice(0, 2), ['NAMESPACE', 'NAME']);
    assert.deepEqual(cols(all[1]).slice(0, 2), ['default', 'web']);
  });

  it('prints the stored pod as yaml and json', async () => {
    const yaml = await ok(['get', 'pod', 'web', '-o', 'yaml']);
    assert.match(yaml, new RegExp(`nodeName: ${NODE}`));
    assert.match(yaml, /qosClass: BestEffort/);
    const pod = JSON.parse(await ok(['get', 'pod', 'web', '-o', 'json']));
    assert.equal(pod.kind, 'Pod');
    assert.equal(pod.spec.restartPolicy, 'Always');
    assert.equal(pod.status.conditions[0].type, 'PodScheduled');
  });

  it('applies a pod twice: create, then a strategic patch of the image', async () => {
    assert.equal(await ok(['apply', '-f', '-'], { input: podYaml('app', oneContainer('busybox:1.36')) }), 'pod/app created\n');
    assert.equal(await ok(['apply', '-f', '-'], { input: podYaml('app', oneContainer('busybox:1.37')) }), 'pod/app configured\n');
    const pod = store.get<KubeObject>('pods', 'default', 'app');
    assert.equal((pod.spec as { containers: { image: string }[] }).containers[0].image, 'busybox:1.37');
    assert.equal(await ok(['apply', '-f', '-'], { input: podYaml('app', oneContainer('busybox:1.37')) }), 'pod/app unchanged\n');
  });

  it('describes a pod with its Scheduled event', async () => {
    const out = await ok(['describe', 'pod', 'web']);
    assert.match(out, /^Name:\s+web$/m);
    assert.match(out, new RegExp(`^Node:\\s+${NODE}/?`, 'm'));
    assert.match(out, /^Status:\s+Pending$/m);
    assert.match(out, new RegExp(`Normal\\s+Scheduled\\s+\\S+\\s+default-scheduler\\s+Successfully assigned default/web to ${NODE}`));
  });

  it('explains the pod kind from OpenAPI v3', async () => {
    const out = await ok(['explain', 'pod']);
    assert.match(out, /^KIND:\s+Pod$/m);
    assert.match(out, /^VERSION:\s+v1$/m);
    assert.match(out, /Pod is a collection of containers/);
    assert.match(out, /spec\s+<PodSpec>/);
  });

  it('creates a configmap and a secret from literals', async () => {
    assert.equal(await ok(['create', 'configmap', 'cfg', '--from-literal=a=b']), 'configmap/cfg created\n');
    assert.equal(await ok(['get', 'configmap', 'cfg', '-o', 'jsonpath={.data.a}']), 'b');
    assert.equal(await ok(['create', 'secret', 'generic', 'sec', '--from-literal=k=v']), 'secret/sec created\n');
    const out = (await ok(['get', 'secrets'])).split('\n');
    assert.deepEqual(cols(out[0]), ['NAME', 'TYPE', 'DATA', 'AGE']);
    assert.deepEqual(cols(out[1]).slice(0, 3), ['sec', 'Opaque', '1']);
    const cm = (await ok(['get', 'cm'])).split('\n');
    assert.deepEqual(cols(cm[0]), ['NAME', 'DATA', 'AGE']);
  });

  it('labels and annotates with merge patches', async () => {
    assert.equal(await ok(['label', 'pod', 'web', 'team=a']), 'pod/web labeled\n');
    assert.equal(await ok(['annotate', 'pod', 'web', 'note=hi']), 'pod/web annotated\n');
    const out = await ok(['get', 'pods', '-l', 'team=a', '-o', 'name']);
    assert.equal(out, 'pod/web\n');
    assert.equal(await ok(['get', 'pod', 'web', '-o', 'jsonpath={.metadata.annotations.note}']), 'hi');
    const shown = (await ok(['get', 'pods', '--show-labels'])).split('\n');
    assert.match(shown.find((l) => l.startsWith('web'))!, /team=a$/);
  });

  it('streams a watch as table rows', async () => {
    const child = spawn(KUBECTL, ['--kubeconfig', path.join(dir, 'kubeconfig'), '--cache-dir', path.join(dir, 'cache-w'), 'get', 'pods', '-w'], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, HOME: dir },
    });
    let out = '';
    const seen = new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        if (/^watched\s/m.test(out)) resolve();
      });
      child.on('exit', (code) => reject(new Error(`kubectl get -w exited ${code}: ${out}`)));
    });
    try {
      for (let i = 0; i < 100 && !/^web\s/m.test(out); i++) await new Promise((r) => setTimeout(r, 100));
      await ok(['create', '-f', '-'], { input: podYaml('watched', oneContainer()) });
      await Promise.race([seen, new Promise((_, rej) => setTimeout(() => rej(new Error(`no watch row: ${out}`)), 15_000))]);
    } finally {
      child.kill('SIGTERM');
    }
    const lines = out.trimEnd().split('\n');
    assert.deepEqual(cols(lines[0]), ['NAME', 'READY', 'STATUS', 'RESTARTS', 'AGE']);
    assert.equal(lines.filter((l) => l.startsWith('NAME')).length, 1);
    assert.deepEqual(cols(lines.find((l) => l.startsWith('watched'))!).slice(0, 3), ['watched', '0/1', 'Pending']);
  });

  it('deletes a bound pod through the graceful path', async () => {
    assert.equal(await ok(['delete', 'pod', 'watched']), 'pod "watched" deleted\n');
    assert.equal(store.tryGet('pods', 'default', 'watched'), undefined);
    assert.equal(await ok(['delete', 'configmap', 'cfg']), 'configmap "cfg" deleted\n');
  });

  it('serves container logs: whole, tail, timestamps, follow until the container stops, previous', async () => {
    await ok(['create', '-f', '-'], { input: podYaml('logger', oneContainer()) });
    const waiting = await kubectl(['logs', 'logger']);
    assert.equal(waiting.code, 1);
    assert.match(waiting.stderr, /container "main" in pod "logger" is waiting to start: ContainerCreating/);
    const pod = store.get<KubeObject>('pods', 'default', 'logger');
    const file = containerLogPath(podLogDirectory(nodePaths(dir), 'default', 'logger', pod.metadata.uid!), 'main', 0);
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, '2026-11-22T02:34:44.100000000+00:00 stdout F one\n2026-11-22T02:34:44.2+00:00 stderr P tw\n2026-11-22T02:34:44.3+00:00 stderr F o\n');
    const setState = (state: Record<string, unknown>) =>
      store.modify<KubeObject>('pods', 'default', 'logger', (p) => {
        p.status = { ...(p.status as object), phase: 'Running', containerStatuses: [{ name: 'main', state, lastState: {}, ready: true, restartCount: 0, image: 'busybox', imageID: '', containerID: 'peapod://c1' }] };
        return p;
      });
    setState({ running: { startedAt: '2026-11-22T02:34:44Z' } });
    assert.equal(await ok(['logs', 'logger']), 'one\ntwo\n');
    assert.equal(await ok(['logs', 'logger', '--tail=1']), 'two\n');
    assert.equal(await ok(['logs', 'logger', '--timestamps', '--tail=1']), '2026-11-22T02:34:44.200000000Z two\n');
    assert.equal(await ok(['logs', 'logger', '--limit-bytes=2']), 'on');
    const prev = await kubectl(['logs', 'logger', '--previous']);
    assert.equal(prev.code, 1);
    assert.match(prev.stderr, /previous terminated container "main" in pod "logger" not found/);

    const child = spawn(KUBECTL, ['--kubeconfig', path.join(dir, 'kubeconfig'), '--cache-dir', path.join(dir, 'cache-f'), 'logs', '-f', 'logger'], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, HOME: dir },
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      for (let i = 0; i < 100 && !out.includes('two\n'); i++) await new Promise((r) => setTimeout(r, 50));
      await appendFile(file, '2026-11-22T02:34:45+00:00 stdout F three\n');
      for (let i = 0; i < 100 && !out.includes('three\n'); i++) await new Promise((r) => setTimeout(r, 50));
      assert.equal(out, 'one\ntwo\nthree\n');
      await appendFile(file, '2026-11-22T02:34:46+00:00 stdout F last\n');
      setState({ terminated: { exitCode: 0, reason: 'Completed' } });
      const code = await Promise.race([exited, new Promise((r) => setTimeout(() => r('timeout'), 10_000))]);
      assert.equal(code, 0);
      assert.equal(out, 'one\ntwo\nthree\nlast\n');
    } finally {
      child.kill('SIGTERM');
    }
  });

  it('rejects an unknown field with a strict decoding error', async () => {
    const r = await kubectl(['create', '-f', '-'], { input: podYaml('strict', oneContainer() + '  foo: bar\n') });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /strict decoding error: unknown field "spec.foo"/);
  });

  it('warns about an unknown field with --validate=warn', async () => {
    const r = await kubectl(['create', '--validate=warn', '-f', '-'], { input: podYaml('warned', oneContainer() + '  foo: bar\n') });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /Warning: unknown field "spec.foo"/);
  });

  it('rejects an invalid name and duplicate containers as invalid', async () => {
    const bad = await kubectl(['create', '-f', '-'], { input: podYaml('Bad_Name', oneContainer()) });
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /^The Pod "Bad_Name" is invalid: metadata.name: Invalid value: "Bad_Name"/);
    const dup = await kubectl(['create', '-f', '-'], {
      input: podYaml('dup', '  containers:\n  - name: a\n    image: busybox\n  - name: a\n    image: busybox\n'),
    });
    assert.equal(dup.code, 1);
    assert.match(dup.stderr, /is invalid: spec.containers\[1\].name: Duplicate value: "a"/);
  });

  it('rejects malformed YAML and a pod in a missing namespace', async () => {
    const yaml = await kubectl(['create', '-f', '-'], { input: 'apiVersion: v1\nkind: Pod\nmetadata: [oops\n' });
    assert.equal(yaml.code, 1);
    assert.match(yaml.stderr, /error/i);
    const ns = await kubectl(['create', '-f', '-'], { input: podYaml('lost', oneContainer(), 'nope') });
    assert.equal(ns.code, 1);
    assert.match(ns.stderr, /Error from server \(NotFound\).*namespaces "nope" not found/);
  });

  it('answers a malformed JSON body with 400 BadRequest', async () => {
    const { code, body } = await rawRequest(url, 'POST', '/api/v1/namespaces/default/pods', '{"kind": "Pod",', 'application/json');
    assert.equal(code, 400);
    assert.equal(JSON.parse(body).reason, 'BadRequest');
  });

  it('streams raw watch events with bookmarks and ends at timeoutSeconds', async () => {
    store.create('configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'watched-cm', namespace: 'default' }, data: {} });
    const lines = await rawWatch(url, '/api/v1/namespaces/default/configmaps?watch=true&allowWatchBookmarks=true&timeoutSeconds=1');
    const events = lines.map((l) => JSON.parse(l));
    const added = events.findIndex((e) => e.type === 'ADDED' && e.object.metadata.name === 'watched-cm');
    const bookmark = events.findIndex((e) => e.type === 'BOOKMARK');
    assert.ok(added >= 0, 'an initial ADDED event');
    assert.ok(bookmark > added, 'a bookmark after the initial events');
    assert.equal(events[bookmark].object.kind, 'ConfigMap');
    assert.match(events[bookmark].object.metadata.resourceVersion, /^\d+$/);
    store.delete('configmaps', 'default', 'watched-cm');
  });

  it('answers a watch from a compacted resourceVersion with an Expired ERROR event', async () => {
    const clock = new SystemClock();
    const small = new SqliteStore({ path: ':memory:', resources: RESOURCES, clock, historyLimit: 1 });
    const logger = silentLogger();
    const events = new StoreEventSink({ store: small, clock, logger, component: 'kubelet', host: NODE });
    const other = new ApiServer({ store: small, logger, clock, nodeName: NODE, paths: nodePaths(dir), events, security: buildSecurityStage() });
    const { url: otherUrl } = await other.start('127.0.0.1:0', pki.tls);
    try {
      ensureNamespaces(small);
      const lines = await rawWatch(otherUrl, '/api/v1/namespaces?watch=true&resourceVersion=1&timeoutSeconds=1');
      assert.equal(lines.length, 1);
      const ev = JSON.parse(lines[0]);
      assert.equal(ev.type, 'ERROR');
      assert.equal(ev.object.code, 410);
      assert.equal(ev.object.reason, 'Expired');
    } finally {
      await other.stop();
      small.close();
    }
  });

  it('pages a list with limit and continue', async () => {
    const first = JSON.parse((await rawRequest(url, 'GET', '/api/v1/namespaces?limit=2', '', 'application/json')).body);
    assert.equal(first.items.length, 2);
    assert.ok(first.metadata.continue);
    const rest = JSON.parse((await rawRequest(url, 'GET', `/api/v1/namespaces?limit=10&continue=${encodeURIComponent(first.metadata.continue)}`, '', 'application/json')).body);
    assert.ok(rest.items.length >= 1);
    assert.ok(!rest.items.some((n: KubeObject) => first.items.some((f: KubeObject) => f.metadata.name === n.metadata.name)));
  });

  it('deletes a namespace with its content', async () => {
    assert.equal(await ok(['create', 'namespace', 'tmp']), 'namespace/tmp created\n');
    await ok(['create', '-f', '-'], { input: podYaml('p1', oneContainer(), 'tmp') });
    await ok(['create', 'configmap', 'c1', '-n', 'tmp', '--from-literal=x=y']);
    assert.equal(await ok(['delete', 'namespace', 'tmp']), 'namespace "tmp" deleted\n');
    assert.equal(store.tryGet('namespaces', undefined, 'tmp'), undefined);
    assert.equal(store.list('configmaps', { namespace: 'tmp' }).items.length, 0);
  });

  it('still serves after the bad requests', async () => {
    const out = (await ok(['get', 'ns'])).split('\n');
    assert.deepEqual(cols(out[0]), ['NAME', 'STATUS', 'AGE']);
    assert.ok(out.some((l) => /^default\s+Active\s/.test(l)));
  });

  for (const minor of ['1.28', '1.27']) {
    const bin = `${SDK}/kubectl.${minor}`;
    it(`kubectl ${minor} validates through the protobuf OpenAPI v2 and uses v2beta1 discovery`, { skip: existsSync(bin) ? false : `${bin} missing` }, async () => {
      const name = `old-${minor.replace('.', '-')}`;
      assert.equal(await ok(['create', '-f', '-'], { bin, input: podYaml(name, oneContainer()) }), `pod/${name} created\n`);
      const r = await kubectl(['create', '-f', '-'], { bin, input: podYaml(`${name}-x`, oneContainer() + '  foo: bar\n') });
      assert.equal(r.code, 1);
      assert.match(r.stderr, /strict decoding error: unknown field "spec.foo"/);
      assert.match(await ok(['api-resources'], { bin }), /^pods\s+po\s+v1\s+true\s+Pod$/m);
      const rows = (await ok(['get', 'pods'], { bin })).split('\n');
      assert.ok(rows.some((l) => l.startsWith(name)));
    });
  }
});

/** The admin's TLS options (CA and client certificate) for the raw requests below; set in before(). */
let tlsOpts: { ca: string; cert: string; key: string };

function rawRequest(base: string, method: string, p: string, body: string, type: string): Promise<{ code: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = https.request(new URL(p, base), { method, headers: { 'Content-Type': type }, ...tlsOpts, agent: false }, (res) => {
      let data = '';
      res.on('data', (d) => (data += d));
      res.on('end', () => resolve({ code: res.statusCode ?? 0, body: data }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

function rawWatch(base: string, p: string): Promise<string[]> {
  return new Promise((resolve, reject) => {
    https
      .get(new URL(p, base), { ...tlsOpts, agent: false }, (res) => {
        let data = '';
        res.on('data', (d) => (data += d));
        res.on('end', () => resolve(data.split('\n').filter((l) => l.trim() !== '')));
      })
      .on('error', reject);
  });
}
