import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import type { PersistentVolumeClaim, StorageClass } from '../k8s/storage-types.js';
import { STORAGE } from '../k8s/storage-types.js';
import { buildProvisionedVolume, checkProvisionable, createVolumeDirectory } from './local-path.js';

const node = { name: 'n1', labels: { 'kubernetes.io/hostname': 'n1' } };
const claim = (name = 'data', namespace = 'default'): PersistentVolumeClaim => ({
  apiVersion: 'v1',
  kind: 'PersistentVolumeClaim',
  metadata: { name, namespace, uid: '0123456789abcdef0123456789abcdef0123' },
  spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } }, storageClassName: 'lp' },
});
const cls = (extra: Partial<StorageClass> = {}): StorageClass => ({
  apiVersion: 'storage.k8s.io/v1',
  kind: 'StorageClass',
  metadata: { name: 'lp' },
  provisioner: STORAGE.localPathProvisioner,
  ...extra,
});

test('checkProvisionable: a class with mountOptions is refused (hostPath volumes take none)', () => {
  assert.equal(checkProvisionable(claim(), cls(), node), undefined);
  assert.equal(
    checkProvisionable(claim(), cls({ mountOptions: ['ro', 'noatime'] }), node),
    'storage class "lp" has mountOptions, which the rancher.io/local-path provisioner cannot honour: it makes hostPath volumes, which take no mount options',
  );
  assert.equal(checkProvisionable(claim(), cls({ mountOptions: [] }), node), undefined, 'an empty list is none');
});

test('checkProvisionable: allowedTopologies must allow the node', () => {
  const allowed = cls({ allowedTopologies: [{ matchLabelExpressions: [{ key: 'kubernetes.io/hostname', values: ['n1'] }] }] });
  const other = cls({ allowedTopologies: [{ matchLabelExpressions: [{ key: 'kubernetes.io/hostname', values: ['n2'] }] }] });
  assert.equal(checkProvisionable(claim(), allowed, node), undefined);
  assert.equal(checkProvisionable(claim(), other, node), 'node "n1" does not satisfy the allowedTopologies of storage class "lp": its labels match none of the terms');
});

test('checkProvisionable: a directory name over 255 bytes is refused with its length (multibyte names counted in bytes)', () => {
  // pvc-<36>_default_<name>: 4 + 36 + 1 + 7 + 1 = 49 bytes before the name.
  assert.equal(checkProvisionable(claim('a'.repeat(255 - 49)), cls(), node), undefined, 'exactly 255 fits');
  assert.equal(
    checkProvisionable(claim('a'.repeat(256 - 49)), cls(), node),
    'the directory name for this claim (pvc-<uid>_<namespace>_<name>) would be 256 bytes, longer than the 255 a file name may have: use a shorter namespace or claim name',
  );
  assert.match(checkProvisionable(claim('é'.repeat(110)), cls(), node) ?? '', /would be 269 bytes/);
});

test('createVolumeDirectory: ENAMETOOLONG becomes the clear message', async (t) => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'peapod-lp-'));
  t.after(() => fs.rmSync(root, { recursive: true, force: true }));
  await assert.rejects(createVolumeDirectory(root, claim('b'.repeat(300))), {
    message: 'the directory name for this claim (pvc-<uid>_<namespace>_<name>) would be 349 bytes, longer than the 255 a file name may have: use a shorter namespace or claim name',
  });
});

test('buildProvisionedVolume never copies the class mountOptions onto the hostPath PV', () => {
  const pv = buildProvisionedVolume({ claim: claim(), cls: cls({ mountOptions: ['noatime'] }), dir: '/srv/x', hostname: 'n1' });
  assert.equal(pv.spec.mountOptions, undefined);
  assert.deepEqual(pv.spec.hostPath, { path: '/srv/x', type: 'DirectoryOrCreate' });
});
