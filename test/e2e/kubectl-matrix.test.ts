// End to end, issue 12: every bundled kubectl, 1.27 to 1.33, each its own binary, against one daemon,
// each in a namespace of its own: what a user runs — create -f, apply -f (create, then a change), get
// (table, wide, yaml, json, jsonpath), describe, logs, exec, wait (condition, jsonpath, delete) and
// delete — asserted on what each prints, not only on exit codes.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import YAML from 'yaml';
import { TestDaemon, type KubectlResult } from '../support/daemon.js';
import { reportingFailure } from '../support/failure.js';

const ROOT = process.getuid?.() === 0;
const SDK = '/usr/lib/google-cloud-sdk/bin';
const VERSIONS = [27, 28, 29, 30, 31, 32, 33];
const SUBNET = /^10\.88\.235\.\d+$/;

/**
 * A pod that says which kubectl made it, then sleeps until TERM, and takes half a second to go: long enough
 * for `wait --for=delete` to see both pods still there, far within the grace period.
 */
const podYaml = (name: string, ns: string, labels: Record<string, string>, note?: string) => `apiVersion: v1
kind: Pod
metadata:
  name: ${name}
  namespace: ${ns}
  labels: {${Object.entries(labels).map(([k, v]) => `${k}: ${v}`).join(', ')}}
${note ? `  annotations: {note: ${note}}\n` : ''}spec:
  terminationGracePeriodSeconds: 5
  containers:
  - name: main
    image: localhost/busybox
    imagePullPolicy: IfNotPresent
    command: ["sh", "-c", "echo hello from ${ns}; trap 'sleep 0.5; exit 0' TERM; sleep 3600 & wait"]
`;

/** Columns of a kubectl table line (two or more spaces apart). */
const cols = (line: string) => line.trim().split(/\s{2,}/);

describe('every bundled kubectl, 1.27 to 1.33, against one daemon (issue 12)', { skip: ROOT ? false : 'needs root: run the tests as root' }, () => {
  let d: TestDaemon;
  let failed = false;

  before(async () => {
    d = await TestDaemon.start({ name: 'e2e-kmatrix', podCidr: '10.88.235.0/24' });
  });
  after(async () => {
    await d?.destroy(failed);
  });

  for (const minor of VERSIONS) {
    const bin = `${SDK}/kubectl.1.${minor}`;
    const ns = `kubectl-1-${minor}`;
    const missing = fs.existsSync(bin) ? false : `${bin} is not installed`;

    describe(`kubectl 1.${minor}`, { skip: missing }, () => {
      const step = (name: string, fn: () => Promise<void>) => it(name, reportingFailure(fn, () => (failed = true)));
      const run = (args: string[], input?: string): Promise<KubectlResult> => d.kubectl(['-n', ns, ...args], { bin, input });
      const ok = async (args: string[], input?: string): Promise<string> => {
        const r = await run(args, input);
        assert.equal(r.code, 0, `kubectl 1.${minor} ${args.join(' ')} exited ${r.code}: ${r.stderr}${r.stdout}`);
        return r.stdout;
      };

      step('reports its own client version and the server version', async () => {
        const v = JSON.parse(await ok(['version', '-o', 'json']));
        assert.equal(v.clientVersion.minor, String(minor));
        assert.match(v.serverVersion.gitVersion, /^v1\.\d+\.\d+/);
      });

      step('create -f makes the namespace and a pod, apply -f creates a second', async () => {
        assert.equal(await ok(['create', 'namespace', ns]), `namespace/${ns} created\n`);
        assert.equal(await ok(['create', '-f', '-'], podYaml('web', ns, { app: 'matrix' })), 'pod/web created\n');
        assert.equal(await ok(['apply', '-f', '-'], podYaml('applied', ns, { app: 'matrix', stage: 'one' })), 'pod/applied created\n');
      });

      step('wait --for=condition=Ready and --for=jsonpath see both pods ready and running', async () => {
        const ready = await ok(['wait', '--for=condition=Ready', 'pod/web', 'pod/applied', '--timeout=60s']);
        assert.deepEqual(ready.trim().split('\n').sort(), ['pod/applied condition met', 'pod/web condition met']);
        assert.equal(await ok(['wait', '--for=jsonpath={.status.phase}=Running', 'pod/web', '--timeout=30s']), 'pod/web condition met\n');
      });

      step('apply -f of a changed manifest configures the pod, then leaves it unchanged', async () => {
        const changed = podYaml('applied', ns, { app: 'matrix', stage: 'two' }, `from-1.${minor}`);
        assert.equal(await ok(['apply', '-f', '-'], changed), 'pod/applied configured\n');
        assert.equal(await ok(['apply', '-f', '-'], changed), 'pod/applied unchanged\n');
        assert.equal(await ok(['get', 'pod', 'applied', '-o', 'jsonpath={.metadata.labels.stage} {.metadata.annotations.note}']), `two from-1.${minor}`);
      });

      step('get prints the table and the wide table', async () => {
        const [header, ...rows] = (await ok(['get', 'pods'])).trimEnd().split('\n');
        assert.deepEqual(cols(header!), ['NAME', 'READY', 'STATUS', 'RESTARTS', 'AGE']);
        assert.deepEqual(rows.map((r) => cols(r).slice(0, 4)), [
          ['applied', '1/1', 'Running', '0'],
          ['web', '1/1', 'Running', '0'],
        ]);
        for (const r of rows) assert.match(cols(r)[4]!, /^\d+s$/);
        const [wideHeader, ...wide] = (await ok(['get', 'pods', '-o', 'wide', '-l', 'app=matrix'])).trimEnd().split('\n');
        assert.deepEqual(cols(wideHeader!), ['NAME', 'READY', 'STATUS', 'RESTARTS', 'AGE', 'IP', 'NODE', 'NOMINATED NODE', 'READINESS GATES']);
        assert.equal(wide.length, 2);
        for (const r of wide) {
          const c = cols(r);
          assert.match(c[5]!, SUBNET);
          assert.deepEqual(c.slice(6), [d.nodeName, '<none>', '<none>']);
        }
        const byLabel = await ok(['get', 'pods', '-l', 'stage=two', '-o', 'name']);
        assert.equal(byLabel, 'pod/applied\n');
      });

      step('get -o yaml, -o json and -o jsonpath print the stored objects', async () => {
        const pod = YAML.parse(await ok(['get', 'pod', 'web', '-o', 'yaml']));
        assert.equal(pod.kind, 'Pod');
        assert.equal(pod.metadata.namespace, ns);
        assert.equal(pod.spec.nodeName, d.nodeName);
        assert.equal(pod.status.phase, 'Running');
        assert.match(pod.status.podIP, SUBNET);
        assert.equal(pod.status.containerStatuses[0].ready, true);
        const list = JSON.parse(await ok(['get', 'pods', '-o', 'json']));
        assert.equal(list.kind, 'List');
        assert.deepEqual(list.items.map((p: { metadata: { name: string } }) => p.metadata.name), ['applied', 'web']);
        assert.ok(list.items.every((p: { kind: string }) => p.kind === 'Pod'));
        const names = await ok(['get', 'pods', '-o', 'jsonpath={.items[*].metadata.name}']);
        assert.equal(names, 'applied web');
        const range = await ok(['get', 'pods', '-o', 'jsonpath={range .items[*]}{.metadata.name}={.status.containerStatuses[0].restartCount}{"\\n"}{end}']);
        assert.equal(range, 'applied=0\nweb=0\n');
      });

      step('describe shows the pod, its container and its events', async () => {
        const out = await ok(['describe', 'pod', 'web']);
        assert.match(out, /^Name:\s+web$/m);
        assert.match(out, new RegExp(`^Namespace:\\s+${ns}$`, 'm'));
        assert.match(out, new RegExp(`^Node:\\s+${d.nodeName}/`, 'm'));
        assert.match(out, /^Status:\s+Running$/m);
        assert.match(out, /^IP:\s+10\.88\.235\.\d+$/m);
        assert.match(out, /^Labels:\s+app=matrix$/m);
        assert.match(out, /^\s+main:\n\s+Container ID:\s+\S+:\/\/[0-9a-f]+/m);
        assert.match(out, /^\s+Image:\s+localhost\/busybox$/m);
        assert.match(out, /^\s+State:\s+Running$/m);
        assert.match(out, /^\s+Ready\s+True\s*$/m);
        assert.match(out, new RegExp(`Normal\\s+Scheduled\\s+.*Successfully assigned ${ns}/web to ${d.nodeName}`));
        assert.match(out, /Normal\s+Started\s+\S+\s+kubelet\s+Started container main/);
      });

      step('logs prints what the container wrote', async () => {
        assert.equal(await ok(['logs', 'web']), `hello from ${ns}\n`);
        assert.equal(await ok(['logs', 'pod/applied', '-c', 'main']), `hello from ${ns}\n`);
      });

      step('exec prints stdout and returns the command\'s exit code', async () => {
        assert.equal(await ok(['exec', 'web', '--', 'sh', '-c', 'echo out-$((6*7))']), 'out-42\n');
        const r = await run(['exec', 'web', '-c', 'main', '--', 'sh', '-c', 'echo partial; exit 7']);
        assert.equal(r.code, 7, r.stderr);
        assert.equal(r.stdout, 'partial\n');
        assert.match(r.stderr, /command terminated with exit code 7/);
      });

      step('delete, then wait --for=delete until the pods are gone', async () => {
        assert.equal(await ok(['delete', 'pod', 'web', '--wait=false']), 'pod "web" deleted\n');
        assert.equal(await ok(['wait', '--for=delete', 'pod/web', '--timeout=60s']), 'pod/web condition met\n');
        // Without --wait=false, delete itself waits until the pod is gone.
        assert.equal(await ok(['delete', '-f', '-'], podYaml('applied', ns, {})), 'pod "applied" deleted\n');
        const after = await run(['get', 'pod', 'web']);
        assert.equal(after.code, 1);
        assert.match(after.stderr, /pods "web" not found/);
        assert.equal((await run(['get', 'pods'])).stderr, `No resources found in ${ns} namespace.\n`);
      });
    });
  }
});
