import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { PersistentVolumeClaim, StorageClass } from '../k8s/storage-types.js';
import { STORAGE } from '../k8s/storage-types.js';
import { claimClassName, claimHasClass, defaultClassOf, isDefaultClass, topologyAllows } from './classes.js';

const claim = (annotations?: Record<string, string>, storageClassName?: string | null): PersistentVolumeClaim => ({
  apiVersion: 'v1',
  kind: 'PersistentVolumeClaim',
  metadata: { name: 'c', namespace: 'default', annotations },
  spec: storageClassName === undefined ? {} : { storageClassName },
});
const cls = (name: string, annotations?: Record<string, string>, creationTimestamp?: string, extra: Partial<StorageClass> = {}): StorageClass => ({
  apiVersion: 'storage.k8s.io/v1',
  kind: 'StorageClass',
  metadata: { name, annotations, creationTimestamp },
  provisioner: STORAGE.localPathProvisioner,
  ...extra,
});

test('claimClassName and claimHasClass: upstream GetPersistentVolumeClaimClass and PersistentVolumeClaimHasClass', () => {
  const BETA = 'volume.beta.kubernetes.io/storage-class';
  assert.equal(claimClassName(claim({ [BETA]: 'b' }, 'ga')), 'b');
  assert.equal(claimClassName(claim({ [BETA]: '' }, 'ga')), '');
  assert.equal(claimClassName(claim(undefined, 'ga')), 'ga');
  assert.equal(claimClassName(claim(undefined, null)), '');
  assert.equal(claimClassName(claim()), '');
  assert.equal(claimHasClass(claim({ [BETA]: '' })), true, 'the annotation, even empty');
  assert.equal(claimHasClass(claim(undefined, '')), true, '"" is a choice');
  assert.equal(claimHasClass(claim(undefined, 'x')), true);
  assert.equal(claimHasClass(claim(undefined, null)), false);
  assert.equal(claimHasClass(claim()), false);
});

test('the default class: either annotation; the newest, then the first by name', () => {
  assert.equal(isDefaultClass(cls('a', { [STORAGE.defaultClass]: 'true' })), true);
  assert.equal(isDefaultClass(cls('a', { 'storageclass.beta.kubernetes.io/is-default-class': 'true' })), true);
  assert.equal(isDefaultClass(cls('a', { [STORAGE.defaultClass]: 'false' })), false);
  const classes = [
    cls('old', { [STORAGE.defaultClass]: 'true' }, '2025-01-01T00:00:00Z'),
    cls('beta', { 'storageclass.beta.kubernetes.io/is-default-class': 'true' }, '2025-06-01T00:00:00Z'),
    cls('plain', undefined, '2026-01-01T00:00:00Z'),
  ];
  assert.equal(defaultClassOf(classes)?.metadata.name, 'beta');
  assert.equal(defaultClassOf([cls('b', { [STORAGE.defaultClass]: 'true' }), cls('a', { [STORAGE.defaultClass]: 'true' })])?.metadata.name, 'a');
  assert.equal(defaultClassOf([cls('plain')]), undefined);
});

test('topologyAllows: MatchTopologySelectorTerms — no terms allow all, one term must match, an empty term matches nothing', () => {
  const labels = { 'kubernetes.io/hostname': 'n1', zone: 'a' };
  const topo = (allowedTopologies: unknown[]) => cls('c', undefined, undefined, { allowedTopologies });
  assert.equal(topologyAllows(cls('c'), labels), true);
  assert.equal(topologyAllows(topo([]), labels), true);
  assert.equal(topologyAllows(topo([{ matchLabelExpressions: [{ key: 'zone', values: ['a', 'b'] }] }]), labels), true);
  assert.equal(topologyAllows(topo([{ matchLabelExpressions: [{ key: 'zone', values: ['a'] }, { key: 'kubernetes.io/hostname', values: ['n2'] }] }]), labels), false, 'all of a term');
  assert.equal(topologyAllows(topo([{ matchLabelExpressions: [{ key: 'zone', values: ['b'] }] }, { matchLabelExpressions: [{ key: 'kubernetes.io/hostname', values: ['n1'] }] }]), labels), true, 'any term');
  assert.equal(topologyAllows(topo([{ matchLabelExpressions: [{ key: 'rack', values: ['r1'] }] }]), labels), false, 'label absent');
  assert.equal(topologyAllows(topo([{}]), labels), false);
});
