// End to end, seccompProfile as kubectl users meet it: RuntimeDefault and Localhost profiles applied to
// real containers, a missing profile file shown as CreateContainerError, and API validation messages.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { TestDaemon } from '../support/daemon.js';
import { reportingFailure } from '../support/failure.js';

const ROOT = process.getuid?.() === 0;
const PROBES = 'grep ^Seccomp: /proc/self/status; unshare -U true; echo unshare=$?; mkdir /tmp/d; echo mkdir=$?';

function podYaml(name: string, seccompProfile: string, script = PROBES): string {
  return [
    'apiVersion: v1', 'kind: Pod', `metadata: {name: ${name}}`, 'spec:', '  restartPolicy: Never',
    `  securityContext: {seccompProfile: ${seccompProfile}}`,
    '  containers:', `  - {name: c, image: localhost/busybox:latest, command: [sh, -c, ${JSON.stringify(script)}]}`,
  ].join('\n');
}

describe('seccomp profiles end to end with kubectl', { skip: ROOT ? false : 'needs root: run the tests as root' }, () => {
  let d: TestDaemon;
  let failed = false;

  before(async () => {
    d = await TestDaemon.start({ name: 'e2e-seccomp', podCidr: '10.88.222.0/24' });
  });
  after(async () => {
    await d?.destroy(failed);
  });

  const step = (name: string, fn: () => Promise<void>) => it(name, reportingFailure(fn, () => (failed = true)));

  const create = async (yaml: string) => d.kubectl(['create', '-f', '-'], { input: yaml });
  const logsWhenDone = async (name: string) => {
    await d.waitFor(`${name} Succeeded`, async () => (await d.getJson('pod', name)).status?.phase === 'Succeeded');
    return d.k('logs', name);
  };

  step('RuntimeDefault and a Localhost profile filter the container; Unconfined does not', async () => {
    fs.writeFileSync(path.join(d.paths.seccompDir, 'no-mkdir.json'), JSON.stringify({
      defaultAction: 'SCMP_ACT_ALLOW',
      syscalls: [{ names: ['mkdir', 'mkdirat'], action: 'SCMP_ACT_ERRNO', errnoRet: 1 }],
    }));
    for (const [name, profile] of [['rd', '{type: RuntimeDefault}'], ['lh', '{type: Localhost, localhostProfile: no-mkdir.json}'], ['un', '{type: Unconfined}']]) {
      const r = await create(podYaml(name, profile));
      assert.equal(r.code, 0, r.stderr);
    }
    const rd = await logsWhenDone('rd');
    assert.match(rd, /Seccomp:\s+2\n/);
    assert.match(rd, /unshare=1\n/);
    assert.match(rd, /mkdir=0\n/);
    const lh = await logsWhenDone('lh');
    assert.match(lh, /Seccomp:\s+2\n/);
    assert.match(lh, /Operation not permitted/);
    assert.match(lh, /unshare=0\n/);
    assert.match(lh, /mkdir=1\n/);
    const un = await logsWhenDone('un');
    assert.match(un, /Seccomp:\s+0\nunshare=0\nmkdir=0\n/);
  });

  step('a privileged container runs unconfined, with the capabilities this host grants', async () => {
    const yaml = podYaml('priv', '{type: RuntimeDefault}', 'grep -E "^(Seccomp|CapBnd):" /proc/self/status')
      .replace("command:", "securityContext: {privileged: true}, command:");
    const r = await create(yaml);
    assert.equal(r.code, 0, r.stderr);
    const out = await logsWhenDone('priv');
    assert.match(out, /Seccomp:\s+0\n/);
    const host = /^CapBnd:\s*(\S+)$/m.exec(fs.readFileSync('/proc/self/status', 'utf8'))![1];
    assert.match(out, new RegExp(`CapBnd:\\s+${host}`));
  });

  step('a Localhost profile file that does not exist keeps the container in CreateContainerError', async () => {
    const r = await create(podYaml('missing', '{type: Localhost, localhostProfile: nope/missing.json}', 'true'));
    assert.equal(r.code, 0, r.stderr);
    const file = path.join(d.paths.seccompDir, 'nope', 'missing.json');
    const waiting = await d.waitFor('CreateContainerError', async () => {
      const w = (await d.getJson('pod', 'missing')).status?.containerStatuses?.[0]?.state?.waiting;
      return w?.reason === 'CreateContainerError' ? w : undefined;
    });
    assert.ok(waiting.message.includes(`unable to load local seccomp profile "${file}"`), waiting.message);
  });

  step('the API rejects a Localhost profile without a relative localhostProfile, with upstream messages', async () => {
    const abs = await create(podYaml('abs', '{type: Localhost, localhostProfile: /etc/p.json}'));
    assert.notEqual(abs.code, 0);
    assert.match(abs.stderr, /spec\.securityContext\.seccompProfile\.localhostProfile: Invalid value: "\/etc\/p\.json": must be a relative path/);
    const none = await create(podYaml('none', '{type: Localhost}'));
    assert.match(none.stderr, /spec\.securityContext\.seccompProfile\.localhostProfile: Required value: must be set when seccomp type is Localhost/);
  });
});
