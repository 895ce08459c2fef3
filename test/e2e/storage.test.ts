// End to end, persistent storage as a kubectl user meets it: the documentation's PersistentVolume
// tutorial (pv-volume.yaml, pv-claim.yaml, a pod on the claim), dynamic provisioning through the default
// local-path StorageClass, protection of a claim in use, reclaim policies, expansion, unknown kinds, and
// data that outlives pods and a daemon restart.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { KUBECTL, TestDaemon } from '../support/daemon.js';
import { reportingFailure } from '../support/failure.js';

const ROOT = process.getuid?.() === 0;
const KUBECTL_DIR = '/usr/lib/google-cloud-sdk/bin';
const OLDEST = `${KUBECTL_DIR}/kubectl.1.27`;
const NEWEST = `${KUBECTL_DIR}/kubectl.1.33`;

// The documentation's files (content/en/examples/pods/storage/), with the host path moved into the test's
// data dir so the host is left as found.
const pvVolume = (hostDir: string) => `apiVersion: v1
kind: PersistentVolume
metadata:
  name: task-pv-volume
  labels:
    type: local
spec:
  storageClassName: manual
  capacity:
    storage: 10Gi
  accessModes:
    - ReadWriteOnce
  hostPath:
    path: "${hostDir}"
`;

const PV_CLAIM = `apiVersion: v1
kind: PersistentVolumeClaim
metadata:
  name: task-pv-claim
spec:
  storageClassName: manual
  accessModes:
    - ReadWriteOnce
  resources:
    requests:
      storage: 3Gi
`;

const EXPANDABLE_PVC = `apiVersion: storage.k8s.io/v1
kind: StorageClass
metadata:
  name: example-vol-default
provisioner: vendor-name.example/magicstorage
parameters:
  resturl: "http://192.168.10.100:8080"
  restuser: ""
  secretNamespace: ""
  secretName: ""
allowVolumeExpansion: true
---
apiVersion: v1
kind: PersistentVolumeClaim
metadata:
  name: example-pvc
spec:
  storageClassName: example-vol-default
  accessModes:
    - ReadWriteOnce
  resources:
    requests:
      storage: 2Gi
`;

/** The tutorial's pv-pod.yaml with a local image: it serves /usr/share/nginx/html from the claim. */
function podOnClaim(name: string, claim: string, script: string, opts: { readOnly?: boolean } = {}): string {
  return `apiVersion: v1
kind: Pod
metadata:
  name: ${name}
spec:
  terminationGracePeriodSeconds: 1
  volumes:
    - name: task-pv-storage
      persistentVolumeClaim:
        claimName: ${claim}${opts.readOnly ? '\n        readOnly: true' : ''}
  containers:
    - name: task-pv-container
      image: localhost/busybox:latest
      command: [sh, -c, ${JSON.stringify(script)}]
      volumeMounts:
        - mountPath: "/usr/share/nginx/html"
          name: task-pv-storage
`;
}

function claim(name: string, size: string, storageClass?: string): string {
  return `apiVersion: v1
kind: PersistentVolumeClaim
metadata:
  name: ${name}
spec:${storageClass !== undefined ? `\n  storageClassName: ${storageClass}` : ''}
  accessModes: [ReadWriteOnce]
  resources:
    requests:
      storage: ${size}
`;
}

describe('persistent storage end to end with kubectl', { skip: ROOT ? false : 'needs root: run the tests as root' }, () => {
  let d: TestDaemon;
  let failed = false;
  let hostDir = '';
  // Volumes' host dirs live outside the daemon's data dir: a hostPath into the node's own state is refused
  // to unprivileged containers (issue 13).
  let volumesRoot = '';

  before(async () => {
    d = await TestDaemon.start({ name: 'e2e-storage', podCidr: '10.88.230.0/24' });
    volumesRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'peapod-e2e-storage-volumes-'));
    hostDir = path.join(volumesRoot, 'mnt-data');
  });
  after(async () => {
    await d?.destroy(failed);
    if (volumesRoot) fs.rmSync(volumesRoot, { recursive: true, force: true });
  });

  const step = (name: string, fn: () => Promise<void>) => it(name, reportingFailure(fn, () => (failed = true)));
  const apply = async (yaml: string, bin?: string) => {
    const r = await d.kubectl(['apply', '-f', '-'], { input: yaml, bin });
    assert.equal(r.code, 0, r.stderr);
    return r.stdout;
  };
  const phase = async (kind: string, name: string) => (await d.getJson(kind, name)).status?.phase;
  const waitPhase = (kind: string, name: string, want: string, timeoutMs?: number) =>
    d.waitFor(`${kind} ${name} ${want}`, async () => (await phase(kind, name)) === want, timeoutMs);
  const gone = (kind: string, name: string) =>
    d.waitFor(`${kind} ${name} gone`, async () => {
      const r = await d.kubectl(['get', kind, name, '-o', 'name']);
      return r.code !== 0 && /NotFound|not found/.test(r.stderr);
    });
  const events = async (name: string) => {
    const list = await d.getJson('events', '--field-selector', `involvedObject.name=${name}`);
    return (list.items as { reason: string; message: string }[]).map((e) => `${e.reason}: ${e.message}`);
  };
  /**
   * Resolves once the claim has been given the node (annotation volume.kubernetes.io/selected-node added)
   * `times` more times, watched from its current resourceVersion; fails after 60 s.
   */
  const claimOffers = async (name: string, times: number) => {
    const claim = await d.getJson('pvc', name);
    const query = `watch=true&fieldSelector=metadata.name%3D${name}&resourceVersion=${claim.metadata.resourceVersion}&timeoutSeconds=60`;
    const watch = spawn(KUBECTL, ['--kubeconfig', d.kubeconfig, 'get', '--raw', `/api/v1/namespaces/default/persistentvolumeclaims?${query}`], { stdio: ['ignore', 'pipe', 'pipe'] });
    const closed = new Promise((r) => watch.once('close', r));
    const selected = (c: any) => c.metadata.annotations?.['volume.kubernetes.io/selected-node'] !== undefined;
    let had = selected(claim);
    let offers = 0;
    let buf = '';
    try {
      await new Promise<void>((resolve, reject) => {
        watch.stdout.on('data', (b: Buffer) => {
          buf += b.toString();
          for (let nl = buf.indexOf('\n'); nl >= 0; nl = buf.indexOf('\n')) {
            let ev: any;
            try {
              ev = JSON.parse(buf.slice(0, nl));
            } catch (err) {
              return reject(new Error(`not a watch event: ${buf.slice(0, nl)}`, { cause: err }));
            }
            buf = buf.slice(nl + 1);
            const has = selected(ev.object);
            if (has && !had) offers++;
            had = has;
            if (offers >= times) resolve();
          }
        });
        watch.once('close', () => reject(new Error(`the claim was given the node ${offers} times of ${times} before the watch ended`)));
      });
    } finally {
      watch.kill();
      await closed;
    }
  };

  step('the documentation\'s storage files pass a server dry run with kubectl 1.27 and 1.33', async () => {
    for (const bin of [OLDEST, NEWEST]) {
      for (const yaml of [pvVolume('/mnt/data'), PV_CLAIM, EXPANDABLE_PVC]) {
        const r = await d.kubectl(['apply', '--dry-run=server', '-f', '-'], { input: yaml, bin });
        assert.equal(r.code, 0, `${bin}: ${r.stderr}`);
        assert.match(r.stdout, /created \(server dry run\)/);
      }
    }
    assert.deepEqual((await d.getJson('pv')).items, []);
  });

  step('a kind the server does not serve is answered as a cluster without that CRD answers it', async () => {
    const r = await d.kubectl(['apply', '-f', '-'], { input: 'apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w}\n' });
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /no matches for kind "Widget" in version "example.com\/v1"/);
    assert.doesNotMatch(r.stderr, /failed to check CRD/);
  });

  step('the default StorageClass is local-path, as on k3s', async () => {
    const out = await d.k('get', 'storageclass');
    assert.match(out, /^local-path \(default\)\s+rancher\.io\/local-path\s+Delete\s+WaitForFirstConsumer\s+false\s+/m);
  });

  step('the tutorial: the claim binds the static volume, and a file written by one pod is read by the next', async () => {
    fs.mkdirSync(hostDir, { recursive: true });
    await apply(pvVolume(hostDir), OLDEST);
    await waitPhase('pv', 'task-pv-volume', 'Available');
    await apply(PV_CLAIM, NEWEST);
    await waitPhase('pvc', 'task-pv-claim', 'Bound');
    const pvc = await d.getJson('pvc', 'task-pv-claim');
    assert.equal(pvc.spec.volumeName, 'task-pv-volume');
    assert.equal(pvc.status.capacity.storage, '10Gi');
    assert.deepEqual(pvc.metadata.finalizers, ['kubernetes.io/pvc-protection']);
    const pvs = await d.k('get', 'pv');
    assert.match(pvs, /^task-pv-volume\s+10Gi\s+RWO\s+Retain\s+Bound\s+default\/task-pv-claim\s+manual\s+/m);
    const pvcs = await d.k('get', 'pvc');
    assert.match(pvcs, /^task-pv-claim\s+Bound\s+task-pv-volume\s+10Gi\s+RWO\s+manual\s+/m);

    await apply(podOnClaim('task-pv-pod', 'task-pv-claim', 'echo "Hello from Kubernetes storage" > /usr/share/nginx/html/index.html; sleep 3600'));
    await waitPhase('pod', 'task-pv-pod', 'Running');
    await d.waitFor('the file on the host', async () => fs.existsSync(path.join(hostDir, 'index.html')));
    await d.k('delete', 'pod', 'task-pv-pod', '--grace-period=1');
    await apply(podOnClaim('task-pv-pod', 'task-pv-claim', 'cat /usr/share/nginx/html/index.html; sleep 3600'));
    await waitPhase('pod', 'task-pv-pod', 'Running');
    await d.waitFor('the file read back', async () => (await d.k('logs', 'task-pv-pod')).includes('Hello from Kubernetes storage'));
  });

  step('a claim in use is not deleted under its pod; once the pod is gone, Retain leaves the volume Released', async () => {
    const r = await d.kubectl(['delete', 'pvc', 'task-pv-claim', '--wait=false']);
    assert.equal(r.code, 0, r.stderr);
    const pvc = await d.getJson('pvc', 'task-pv-claim');
    assert.ok(pvc.metadata.deletionTimestamp);
    assert.match(await d.k('get', 'pvc', 'task-pv-claim'), /task-pv-claim\s+Terminating\s+/);
    // The pod keeps running and its data stays readable.
    assert.equal(await phase('pod', 'task-pv-pod'), 'Running');
    await d.k('delete', 'pod', 'task-pv-pod', '--grace-period=1');
    await gone('pvc', 'task-pv-claim');
    await waitPhase('pv', 'task-pv-volume', 'Released');
    assert.equal(fs.readFileSync(path.join(hostDir, 'index.html'), 'utf8'), 'Hello from Kubernetes storage\n');
    await d.k('delete', 'pv', 'task-pv-volume');
    await gone('pv', 'task-pv-volume');
    assert.ok(fs.existsSync(path.join(hostDir, 'index.html')), 'deleting a Retain volume keeps its data');
  });

  step('a claim on the default class waits for its first consumer, then gets a directory of its own', async () => {
    await apply(claim('data', '1Gi'));
    const pvc = await d.getJson('pvc', 'data');
    assert.equal(pvc.spec.storageClassName, 'local-path');
    await d.waitFor('WaitForFirstConsumer', async () => (await events('data')).some((e) => e.startsWith('WaitForFirstConsumer')));
    assert.equal(await phase('pvc', 'data'), 'Pending');
    await apply(podOnClaim('writer', 'data', 'echo kept > /usr/share/nginx/html/f; sleep 3600'));
    await waitPhase('pvc', 'data', 'Bound');
    await waitPhase('pod', 'writer', 'Running');
    const bound = await d.getJson('pvc', 'data');
    const pv = await d.getJson('pv', bound.spec.volumeName);
    assert.equal(pv.spec.persistentVolumeReclaimPolicy, 'Delete');
    assert.equal(pv.spec.storageClassName, 'local-path');
    const dir = pv.spec.hostPath.path as string;
    assert.ok(dir.startsWith(path.join(d.paths.dataDir, 'storage') + '/'), dir);
    assert.equal(path.basename(dir), `pvc-${bound.metadata.uid}_default_data`);
    await d.waitFor('the file in the claim\'s directory', async () => fs.existsSync(path.join(dir, 'f')));
    const described = await d.peapod(['describe', 'pvc', 'data']);
    assert.equal(described.code, 0, described.stderr);
    assert.ok(described.stdout.includes(dir), described.stdout);
  });

  step('the data survives a daemon restart and a new pod', async () => {
    await d.stopProcess();
    await d.serve();
    await waitPhase('pod', 'writer', 'Running');
    await d.k('delete', 'pod', 'writer', '--grace-period=1');
    await apply(podOnClaim('reader', 'data', 'cat /usr/share/nginx/html/f; sleep 3600', { readOnly: true }));
    await waitPhase('pod', 'reader', 'Running');
    await d.waitFor('the file read back', async () => (await d.k('logs', 'reader')).includes('kept'));
  });

  step('a read-only claim volume cannot be written', async () => {
    const r = await d.kubectl(['exec', 'reader', '--', 'sh', '-c', 'echo x > /usr/share/nginx/html/g']);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr + r.stdout, /Read-only file system/);
  });

  step('deleting the claim (reclaim policy Delete) removes its volume and directory once the pod is gone', async () => {
    const bound = await d.getJson('pvc', 'data');
    const pvName = bound.spec.volumeName as string;
    const dir = (await d.getJson('pv', pvName)).spec.hostPath.path as string;
    await d.k('delete', 'pvc', 'data', '--wait=false');
    assert.equal(await phase('pod', 'reader'), 'Running');
    assert.ok(fs.existsSync(dir));
    await d.k('delete', 'pod', 'reader', '--grace-period=1');
    await gone('pvc', 'data');
    await gone('pv', pvName);
    await d.waitFor('the directory removed', async () => !fs.existsSync(dir));
  });

  step('a pod whose claim is missing waits with the scheduler\'s reason, and starts once the claim exists and binds', async () => {
    await apply(podOnClaim('waiter', 'later', 'echo started; sleep 3600'));
    await d.waitFor('FailedScheduling', async () => (await events('waiter')).some((e) => /FailedScheduling: .*persistentvolumeclaim "later" not found/.test(e)));
    const pod = await d.getJson('pod', 'waiter');
    assert.equal(pod.status.phase, 'Pending');
    assert.equal(pod.status.conditions?.find((c: { type: string }) => c.type === 'PodScheduled')?.reason, 'Unschedulable');
    await apply(claim('later', '64Mi'));
    await waitPhase('pod', 'waiter', 'Running');
    assert.equal(await phase('pvc', 'later'), 'Bound');
    await d.k('delete', 'pod', 'waiter', '--grace-period=1');
    await d.k('delete', 'pvc', 'later');
  });

  step('a claim on a class that allows expansion grows; one on local-path is refused', async () => {
    await apply(`apiVersion: storage.k8s.io/v1
kind: StorageClass
metadata: {name: growable}
provisioner: rancher.io/local-path
allowVolumeExpansion: true
volumeBindingMode: Immediate
`);
    await apply(claim('grow', '1Gi', 'growable'));
    await waitPhase('pvc', 'grow', 'Bound');
    await d.k('patch', 'pvc', 'grow', '-p', '{"spec":{"resources":{"requests":{"storage":"2Gi"}}}}');
    await d.waitFor('capacity 2Gi', async () => (await d.getJson('pvc', 'grow')).status?.capacity?.storage === '2Gi');
    const pv = await d.getJson('pv', (await d.getJson('pvc', 'grow')).spec.volumeName);
    assert.equal(pv.spec.capacity.storage, '2Gi');

    await apply(claim('fixed', '1Gi'));
    await apply(podOnClaim('user', 'fixed', 'sleep 3600'));
    await waitPhase('pvc', 'fixed', 'Bound');
    const r = await d.kubectl(['patch', 'pvc', 'fixed', '-p', '{"spec":{"resources":{"requests":{"storage":"2Gi"}}}}']);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /only dynamically provisioned pvc can be resized and the storageclass that provisions the pvc must support resize/);
    await d.k('delete', 'pod', 'user', '--grace-period=1');
    await d.k('delete', 'pvc', 'fixed', 'grow');
  });

  step('bad claims and volumes are refused with the field named', async () => {
    const r = await d.kubectl(['apply', '-f', '-'], {
      input: 'apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata: {name: bad}\nspec: {resources: {requests: {storage: 1Gi}}}\n',
    });
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /spec\.accessModes: Required value/);
    const nfs = await d.kubectl(['apply', '-f', '-'], {
      input: 'apiVersion: v1\nkind: PersistentVolume\nmetadata: {name: nfs}\nspec: {capacity: {storage: 1Gi}, accessModes: [ReadWriteMany], nfs: {server: 10.0.0.1, path: /x}}\n',
    });
    assert.notEqual(nfs.code, 0);
    assert.match(nfs.stderr, /spec\.nfs/);
  });

  step('static local volumes (no-provisioner, WaitForFirstConsumer): the pod says why it waits, and starts once a volume fits', async () => {
    const disk = path.join(volumesRoot, 'disks', 'ssd1');
    fs.mkdirSync(disk, { recursive: true });
    await apply(`apiVersion: storage.k8s.io/v1
kind: StorageClass
metadata: {name: local-storage}
provisioner: kubernetes.io/no-provisioner
volumeBindingMode: WaitForFirstConsumer
`);
    await apply(claim('ssd', '10Gi', 'local-storage'));
    await apply(podOnClaim('on-ssd', 'ssd', 'echo ok; sleep 3600'));
    const why = '0/1 nodes are available: 1 node(s) didn\'t find available persistent volumes to bind.';
    await d.waitFor('FailedScheduling', async () => (await events('on-ssd')).some((e) => e.startsWith(`FailedScheduling: ${why}`)));
    assert.equal((await d.getJson('pod', 'on-ssd')).status.conditions?.find((c: { type: string }) => c.type === 'PodScheduled')?.reason, 'Unschedulable');
    await apply(`apiVersion: v1
kind: PersistentVolume
metadata: {name: ssd1}
spec:
  capacity: {storage: 100Gi}
  accessModes: [ReadWriteOnce]
  persistentVolumeReclaimPolicy: Delete
  storageClassName: local-storage
  local: {path: ${disk}}
  nodeAffinity:
    required:
      nodeSelectorTerms:
      - matchExpressions: [{key: kubernetes.io/hostname, operator: In, values: [${d.nodeName}]}]
`);
    await waitPhase('pod', 'on-ssd', 'Running');
    assert.equal((await d.getJson('pvc', 'ssd')).spec.volumeName, 'ssd1');
    await d.k('delete', 'pod', 'on-ssd', '--grace-period=1');
    await d.k('delete', 'pvc', 'ssd');
    // Nothing here may delete an administrator's disk: the volume fails, its data stays.
    await waitPhase('pv', 'ssd1', 'Failed');
    assert.match((await d.getJson('pv', 'ssd1')).status.message, /no deletable volume plugin matched/);
    await d.k('delete', 'pv', 'ssd1');
    await d.k('delete', 'storageclass', 'local-storage');
  });

  step('a claim the provisioner refuses: the claim says why, the pod says provisioning failed, and neither repeats itself', async () => {
    await apply(`apiVersion: storage.k8s.io/v1
kind: StorageClass
metadata: {name: odd}
provisioner: rancher.io/local-path
volumeBindingMode: WaitForFirstConsumer
parameters: {nodePath: /srv}
`);
    await apply(claim('refused', '1Gi', 'odd'));
    await apply(podOnClaim('on-refused', 'refused', 'sleep 3600'));
    await d.waitFor('ProvisioningFailed', async () => (await events('refused')).some((e) => e.startsWith('ProvisioningFailed: ')));
    await d.waitFor('FailedScheduling', async () =>
      (await events('on-refused')).some((e) => /^FailedScheduling: .*provisioning failed for PVC "refused"/.test(e)));
    const count = async () => {
      const list = await d.getJson('events', '--field-selector', 'involvedObject.name=on-refused');
      return (list.items as { count?: number }[]).reduce((n, e) => n + (e.count ?? 1), 0);
    };
    const before = await count();
    // The chance to repeat itself: each time the scheduler gives the claim this node again (after its
    // back-off) the provisioner refuses it again and the scheduler fails the pod again. Two such rounds,
    // counted on a watch of the claim from here, come before the events are counted again.
    await claimOffers('refused', 2);
    assert.equal(await count(), before, 'the pod\'s events do not grow while it waits');
    assert.equal(await phase('pod', 'on-refused'), 'Pending');
    await d.k('delete', 'pod', 'on-refused', '--grace-period=1');
    await d.k('delete', 'pvc', 'refused');
    await d.k('delete', 'storageclass', 'odd');
  });

  step('peapod get lists volumes, claims and classes together', async () => {
    await apply(claim('listed', '1Gi', 'growable'));
    await waitPhase('pvc', 'listed', 'Bound');
    const r = await d.peapod(['get', 'pv,pvc,sc']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /persistentvolume\/pvc-/);
    assert.match(r.stdout, /persistentvolumeclaim\/listed\s+Bound/);
    assert.match(r.stdout, /storageclass\.storage\.k8s\.io\/local-path \(default\)/);
    await d.k('delete', 'pvc', 'listed');
    await d.k('delete', 'storageclass', 'growable');
  });
});
