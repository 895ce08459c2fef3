// Shell completion's names from a real daemon (issue 17): pods, namespaces, containers and images, for the
// --kubeconfig and -n given on the line being completed; first through complete() and the CLI's client,
// then through the bash script and the real CLI (bin/peapod.js). Subnet 10.88.251.0/24, its own data dir.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { PEAPOD_BIN, TestDaemon } from '../support/daemon.js';
import { reportingFailure } from '../support/failure.js';
import { buildProgram } from '../../src/cli/main.js';
import { complete, daemonNames } from '../../src/cli/commands/completion.js';
import type { CliIO, GlobalOptions } from '../../src/cli/context.js';
import { SystemClock } from '../../src/system/clock.js';

const ROOT = process.getuid?.() === 0;
const SUBNET = '10.88.251.0/24';

const PODS = `apiVersion: v1
kind: Namespace
metadata: {name: shop}
---
apiVersion: v1
kind: Pod
metadata: {name: web, namespace: shop}
spec:
  terminationGracePeriodSeconds: 1
  initContainers: [{name: prepare, image: localhost/busybox:latest, imagePullPolicy: Never, command: ["true"]}]
  containers:
    - {name: app, image: localhost/busybox:latest, imagePullPolicy: Never, command: ["sleep", "3600"]}
    - {name: sidecar, image: localhost/busybox:latest, imagePullPolicy: Never, command: ["sleep", "3600"]}
---
apiVersion: v1
kind: Pod
metadata: {name: seed, namespace: default}
spec:
  terminationGracePeriodSeconds: 1
  containers: [{name: main, image: localhost/busybox:latest, imagePullPolicy: Never, command: ["sleep", "3600"]}]
`;

describe('completion: names from the daemon (issue 17)', { skip: ROOT ? false : 'needs root: run the tests as root' }, () => {
  let d: TestDaemon;
  let failed = false;
  let bin = '';
  const io: CliIO = { stdout: () => {}, stderr: () => {}, stdin: Readable.from([]), env: {}, clock: new SystemClock() };
  const program = buildProgram(io);

  before(async () => {
    d = await TestDaemon.start({ name: 'e2e-compl', podCidr: SUBNET });
    const r = await d.kubectl(['apply', '-f', '-'], { input: PODS });
    assert.equal(r.code, 0, r.stderr);
    bin = mkdtempSync(path.join(os.tmpdir(), 'peapod-compl-e2e-'));
    writeFileSync(path.join(bin, 'peapod'), `#!/bin/sh\nexec ${JSON.stringify(process.execPath)} ${JSON.stringify(PEAPOD_BIN)} "$@"\n`);
    chmodSync(path.join(bin, 'peapod'), 0o755);
  });
  after(async () => {
    if (bin) rmSync(bin, { recursive: true, force: true });
    await d?.destroy(failed);
  });
  const step = (name: string, fn: () => Promise<void>) => it(name, reportingFailure(fn, () => (failed = true)));

  step('complete() with the CLI\'s client: the line\'s kubeconfig and namespace', async () => {
    const names = (g: GlobalOptions) => daemonNames(io, g);
    const values = async (...line: string[]) =>
      (await complete(program, ['--kubeconfig', d.kubeconfig, ...line.slice(0, -1)], line[line.length - 1], names)).candidates.map((c) => c.value);
    assert.deepEqual(await values('get', 'pods', ''), ['seed']);
    assert.deepEqual(await values('-n', 'shop', 'get', 'pods', ''), ['web']);
    assert.deepEqual(await values('get', 'pods/'), ['pods/seed']);
    assert.deepEqual(await values('logs', '--namespace=shop', ''), ['web']);
    assert.deepEqual(await values('logs', 'web', '-n', 'shop', '-c', ''), ['prepare', 'app', 'sidecar']);
    assert.deepEqual(await values('exec', 'seed', '-c', ''), ['main']);
    const namespaces = await values('-n', '');
    for (const ns of ['default', 'shop']) assert.ok(namespaces.includes(ns), `${ns} in ${namespaces.join(' ')}`);
    assert.ok((await values('image', 'rm', '')).includes('localhost/busybox:latest'));
    assert.deepEqual(await values('get', 'ns', 'sh'), ['shop']);
  });

  step('bash: TAB\'s reply through the script and bin/peapod.js', async () => {
    const script = await run('peapod', ['completion', 'bash'], { PATH: `${bin}:${process.env.PATH}` });
    assert.equal(script.code, 0, script.err);
    writeFileSync(path.join(bin, 'completion.bash'), script.out);
    const reply = async (line: string) => {
      const words: string[] = [];
      for (const w of line.split(' ')) words.push(...(w.match(/[=:]+|[^=:]+/g) ?? ['']));
      const body = `source ${JSON.stringify(path.join(bin, 'completion.bash'))} || exit 9
COMP_LINE=$1 COMP_POINT=\${#1} COMP_CWORD=$2
COMP_WORDS=("\${@:3}")
__peapod_complete
printf '%s\\n' "\${COMPREPLY[@]}"`;
      const r = await run('bash', ['--norc', '--noprofile', '-c', body, 'bash', line, String(words.length - 1), ...words], { PATH: `${bin}:${process.env.PATH}` });
      assert.equal(r.code, 0, r.err);
      assert.equal(r.err, '');
      return r.out.split('\n').filter(Boolean);
    };
    assert.deepEqual(await reply(`peapod --kubeconfig ${d.kubeconfig} get pods `), ['seed']);
    assert.deepEqual(await reply(`peapod --kubeconfig ${d.kubeconfig} -n shop logs web -c s`), ['sidecar']);
    // After a colon bash replaces only what follows it.
    assert.deepEqual(await reply(`peapod --kubeconfig=${d.kubeconfig} image rm localhost/busybox:l`), ['latest']);
    assert.deepEqual(await reply(`peapod --kubeconfig ${d.kubeconfig} --namespace=sh`), ['shop']);
  });
});

function run(file: string, args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number; out: string; err: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (b) => (out += b));
    child.stderr.on('data', (b) => (err += b));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, out, err }));
  });
}
