// End to end, issue 9: static pods from the manifest directory, through the real kubectl: the mirror pod
// <name>-<node> owned by the Node, deleting it brings it back with the same containers, a changed file
// replaces the pod, a bad file is an event, a daemon restart adopts the running pod, a removed file stops
// it, and an ephemeral container works on it.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { REPO_ROOT, TestDaemon } from '../support/daemon.js';
import { reportingFailure } from '../support/failure.js';

const ROOT = process.getuid?.() === 0;

const manifest = (message: string) => `apiVersion: v1
kind: Pod
metadata:
  name: static-web
  labels: {app: static}
spec:
  terminationGracePeriodSeconds: 2
  containers:
  - name: web
    image: localhost/busybox
    command: ["sh", "-c", "echo ${message}; exec sleep 100000"]
`;

describe('static pods (issue 9)', { skip: ROOT ? false : 'needs root: run the tests as root' }, () => {
  let d: TestDaemon;
  let failed = false;
  let dir: string;
  let name: string;

  before(async () => {
    d = await TestDaemon.start({ name: 'e2e-static', podCidr: '10.88.228.0/24' });
    dir = path.join(d.paths.dataDir, 'manifests');
    name = `static-web-${d.nodeName}`;
  });
  after(async () => {
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
    await d?.destroy(failed);
  });

  const step = (title: string, fn: () => Promise<void>) => it(title, reportingFailure(fn, () => (failed = true)));
  const mirror = async () => {
    const r = await d.kubectl(['get', 'pod', name, '-o', 'json']);
    return r.code === 0 ? JSON.parse(r.stdout) : undefined;
  };
  const containerId = async () => (await mirror())?.status?.containerStatuses?.[0]?.containerID as string | undefined;
  const running = (want?: string) =>
    d.waitFor(`${name} running${want ? ` (${want})` : ''}`, async () => {
      const m = await mirror();
      const id = m?.status?.containerStatuses?.[0]?.state?.running ? (m.status.containerStatuses[0].containerID as string) : undefined;
      return id && (!want || (await d.kubectl(['logs', name])).stdout.includes(want)) ? id : false;
    });

  step('a manifest dropped in the directory (made after the daemon started) runs, shown as a mirror pod owned by the node', async () => {
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, 'static-web.yaml'), manifest('v1'));
    await running('v1');
    const m = await mirror();
    assert.ok(m.metadata.annotations['kubernetes.io/config.mirror']);
    assert.equal(m.metadata.annotations['kubernetes.io/config.source'], 'file');
    assert.deepEqual(m.metadata.ownerReferences.map((o: { kind: string; name: string }) => [o.kind, o.name]), [['Node', d.nodeName]]);
    const exec = await d.kubectl(['exec', name, '--', 'echo', 'inside']);
    assert.equal(exec.stdout, 'inside\n', exec.stderr);
  });

  step('deleting the mirror pod only brings it back: the same container keeps running', async () => {
    const before = await running();
    const uid = (await mirror()).metadata.uid;
    const del = await d.kubectl(['delete', 'pod', name, '--wait=false']);
    assert.equal(del.code, 0, del.stderr);
    await d.waitFor('a new mirror pod', async () => {
      const m = await mirror();
      return m && m.metadata.uid !== uid && !m.metadata.deletionTimestamp && m.status?.containerStatuses?.[0]?.state?.running;
    });
    assert.equal(await containerId(), before);
  });

  step('a daemon restart adopts the running static pod instead of restarting it', async () => {
    const before = await running();
    await d.stopProcess();
    await d.serve();
    await d.waitFor('the pod seen again', async () => (await containerId()) === before && (await mirror())?.status?.phase === 'Running');
    const after = await d.kubectl(['get', 'pod', name, '-o', 'jsonpath={.status.containerStatuses[0].restartCount}']);
    assert.equal(after.stdout, '0');
  });

  step('an ephemeral container works on a static pod', async () => {
    const r = await d.kubectl(['debug', name, '--image=localhost/busybox', '--container=dbg', '--target=web', '--', 'sh', '-c', 'ps -o args; echo dbg-done']);
    assert.equal(r.code, 0, r.stderr);
    await d.waitFor('the debugger done', async () => (await d.kubectl(['logs', name, '-c', 'dbg'])).stdout.includes('dbg-done'));
    assert.match((await d.kubectl(['logs', name, '-c', 'dbg'])).stdout, /sleep 100000/);
  });

  step('a changed manifest replaces the pod; a bad one is an event and leaves the others alone', async () => {
    const before = await running();
    fs.writeFileSync(path.join(dir, 'broken.yaml'), 'apiVersion: v1\nkind: Pod\nmetadata: {name: broken}\nspec: {containers: [{name: c}]}\n');
    fs.writeFileSync(path.join(dir, 'static-web.yaml'), manifest('v2'));
    const after = await running('v2');
    assert.notEqual(after, before);
    await d.waitFor('the event', async () => {
      const ev = await d.getJson('events', '--field-selector', 'reason=FailedStaticPodManifest');
      return ev.items.some((e: { message: string }) => e.message.includes('broken.yaml') && e.message.includes('spec.containers[0].image'));
    });
  });

  step('removing the manifest stops the pod and removes its mirror', async () => {
    fs.rmSync(path.join(dir, 'static-web.yaml'));
    await d.waitFor('the mirror gone', async () => !(await mirror()));
    await d.waitFor('no static containers left', async () => {
      const ps = await d.peapod(['runtime', 'ps']);
      return !ps.stdout.includes('static-web');
    });
  });

  step('the README example examples/static-web.yaml runs from the directory and serves its page', async () => {
    fs.copyFileSync(path.join(REPO_ROOT, 'examples', 'static-web.yaml'), path.join(dir, 'static-web.yaml'));
    await running();
    const page = await d.waitFor('the page', async () => {
      const r = await d.kubectl(['exec', name, '--', 'wget', '-qO-', 'http://127.0.0.1:80/']);
      return r.code === 0 ? r.stdout : false;
    });
    assert.equal(page, 'hello from a static pod\n');
    fs.rmSync(path.join(dir, 'static-web.yaml'));
    await d.waitFor('the mirror gone', async () => !(await mirror()));
  });
});
