import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { RESOURCES } from '../k8s/registry.js';
import type { Pod } from '../k8s/types.js';
import { STORAGE, type PersistentVolume, type PersistentVolumeClaim } from '../k8s/storage-types.js';
import { nodePaths } from '../node/paths.js';
import { SqliteStore } from '../store/sqlite-store.js';
import { FakeClock } from '../system/clock.js';
import type { Exec } from '../system/exec.js';
import { silentLogger } from '../system/logger.js';
import { HostVolumeManager } from './host-volumes.js';
import { VolumeEventError } from './volumes.js';

const tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'peapod-pvc-'));
after(() => fs.rm(tmp, { recursive: true, force: true }));

const noExec: Exec = { run: async () => assert.fail('no command expected') } as unknown as Exec;

function setup() {
  const store = new SqliteStore({ path: ':memory:', resources: RESOURCES, clock: new FakeClock() });
  const vm = new HostVolumeManager({ paths: nodePaths(path.join(tmp, 'data')), exec: noExec, store, logger: silentLogger(), node: { cpuMilli: 1000, memoryBytes: 1 << 30 } });
  const claim = (name: string, status: PersistentVolumeClaim['status'] = { phase: 'Pending' }, spec: PersistentVolumeClaim['spec'] = {}) =>
    store.create<PersistentVolumeClaim>('persistentvolumeclaims', { apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name, namespace: 'default' }, spec, status });
  const pv = (name: string, spec: PersistentVolume['spec']) => store.create<PersistentVolume>('persistentvolumes', { apiVersion: 'v1', kind: 'PersistentVolume', metadata: { name }, spec });
  /** The claim Bound to a new PV with `source`, as the binder leaves them. */
  const bound = (name: string, source: Partial<PersistentVolume['spec']>) => {
    const c = claim(name, { phase: 'Bound' }, { volumeName: `pv-${name}` });
    pv(`pv-${name}`, { ...source, claimRef: { kind: 'PersistentVolumeClaim', namespace: 'default', name, uid: c.metadata.uid } });
  };
  let n = 0;
  const pod = (claimName: string, opts: { readOnly?: boolean; mounted?: boolean } = {}): Pod => ({
    apiVersion: 'v1', kind: 'Pod', metadata: { name: `p${n}`, namespace: 'default', uid: `uid-${n++}` },
    spec: {
      containers: [{ name: 'c', image: 'x', volumeMounts: opts.mounted === false ? [] : [{ name: 'data', mountPath: '/data' }] }],
      volumes: [{ name: 'data', persistentVolumeClaim: { claimName, ...(opts.readOnly ? { readOnly: true } : {}) } }],
    },
  });
  const failure = async (p: Pod) => {
    const err = await vm.setUpPodVolumes(p).then(() => undefined, (e: unknown) => e);
    assert.ok(err instanceof VolumeEventError, `expected a VolumeEventError, got ${String(err)}`);
    return err.message;
  };
  return { store, vm, claim, pv, bound, pod, failure };
}

const waiting = (why: string) => `Unable to attach or mount volumes: unmounted volumes=[data], unattached volumes=[], failed to process volumes=[data]: error processing PVC default/${why}`;

test('PVC mount: a claim not ready fails with the kubelet FailedMount text', async () => {
  const h = setup();
  assert.equal(await h.failure(h.pod('data')), waiting('data: failed to fetch PVC from API server: persistentvolumeclaims "data" not found'));
  h.claim('pending');
  assert.equal(await h.failure(h.pod('pending')), waiting('pending: PVC is not bound'));
  h.claim('nopv', { phase: 'Bound' }, { volumeName: 'missing' });
  assert.equal(await h.failure(h.pod('nopv')), waiting('nopv: failed to fetch PV missing from API server: persistentvolumes "missing" not found'));
  h.claim('stolen', { phase: 'Bound' }, { volumeName: 'pv-other' });
  h.pv('pv-other', { hostPath: { path: tmp }, claimRef: { namespace: 'default', name: 'stolen', uid: 'someone-else' } });
  const c = h.store.get<PersistentVolumeClaim>('persistentvolumeclaims', 'default', 'stolen');
  assert.equal(await h.failure(h.pod('stolen')), waiting(`stolen: found PV object pv-other but its pv.Spec.ClaimRef.UID someone-else does not point to claim.UID ${c.metadata.uid}`));
  h.bound('deleting', { hostPath: { path: tmp } });
  h.store.modify<PersistentVolumeClaim>('persistentvolumeclaims', 'default', 'deleting', (x) => ({ ...x, metadata: { ...x.metadata, deletionTimestamp: '2026-01-01T00:00:00Z' } }));
  assert.equal(await h.failure(h.pod('deleting')), waiting('deleting: PVC is being deleted'));
  h.store.modify<PersistentVolumeClaim>('persistentvolumeclaims', 'default', 'deleting', (x) => ({ ...x, metadata: { ...x.metadata, finalizers: [STORAGE.pvcProtection] } }));
  assert.ok((await h.vm.setUpPodVolumes(h.pod('deleting'))).get('data'), 'still usable while pvc-protection holds it');
  assert.equal((await h.vm.setUpPodVolumes(h.pod('data', { mounted: false }))).size, 0, 'a claim no container mounts is not looked at');
});

test('PVC mount: hostPath and local PVs are the host directory; readOnly from the pod volume; teardown leaves them', async () => {
  const h = setup();
  const dir = path.join(tmp, 'pv-dir');
  h.bound('hp', { hostPath: { path: dir, type: 'DirectoryOrCreate' } });
  const p = h.pod('hp');
  const got = await h.vm.setUpPodVolumes(p);
  assert.deepEqual(got.get('data'), { name: 'data', hostPath: dir, readOnly: false });
  assert.ok((await fs.stat(dir)).isDirectory(), 'DirectoryOrCreate made it');
  await fs.writeFile(path.join(dir, 'keep'), 'x');
  assert.equal((await h.vm.setUpPodVolumes(h.pod('hp', { readOnly: true }))).get('data')?.readOnly, true);
  await h.vm.tearDownPodVolumes(p.metadata.uid!);
  assert.equal(await fs.readFile(path.join(dir, 'keep'), 'utf8'), 'x', 'teardown never touches the PV directory');

  h.bound('hpfile', { hostPath: { path: path.join(tmp, 'absent'), type: 'Directory' } });
  const err = await h.vm.setUpPodVolumes(h.pod('hpfile')).then(() => undefined, (e: Error) => e.message);
  assert.equal(err, `for volume "pv-hpfile" : hostPath type check failed: ${path.join(tmp, 'absent')} is not a directory`, 'named by the PV, as the kubelet does');

  h.bound('loc', { local: { path: dir } });
  assert.equal((await h.vm.setUpPodVolumes(h.pod('loc'))).get('data')?.hostPath, dir);
  h.bound('locgone', { local: { path: path.join(tmp, 'nowhere') } });
  assert.equal(await h.failure(h.pod('locgone')), `MountVolume.NewMounter initialization failed for volume "pv-locgone" : path "${path.join(tmp, 'nowhere')}" does not exist`);
  h.bound('nfs', { nfs: { server: 'x', path: '/' } });
  assert.match(await h.failure(h.pod('nfs')), /failed to process volumes=\[data\]: failed to get Plugin from volumeSpec for volume "pv-nfs" err=no volume plugin matched$/);
});

test('claimClassName is the storage controllers\' definition: the beta annotation (even "") before spec.storageClassName', async () => {
  const { claimClassName } = await import('./claims.js');
  const storage = await import('../storage/classes.js');
  assert.equal(claimClassName, storage.claimClassName, 'one function for the scheduler, the kubelet and the binder');
  const c = (annotations: Record<string, string> | undefined, storageClassName?: string | null): PersistentVolumeClaim => ({
    apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'c', namespace: 'default', annotations }, spec: { storageClassName },
  });
  assert.equal(claimClassName(c({ 'volume.beta.kubernetes.io/storage-class': 'beta' }, 'ga')), 'beta');
  assert.equal(claimClassName(c({ 'volume.beta.kubernetes.io/storage-class': '' }, 'ga')), '');
  assert.equal(claimClassName(c(undefined, 'ga')), 'ga');
  assert.equal(claimClassName(c(undefined, null)), '');
});
