import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { PersistentVolume, PersistentVolumeClaim } from '../k8s/storage-types.js';
import { checkVolumeSatisfiesClaim, findMatchingVolume, nodeAffinityAllows, selectorMatches } from './binder.js';
import { claimClassName } from './classes.js';

function pv(name: string, size: string, extra: Partial<PersistentVolume['spec']> = {}, labels?: Record<string, string>, phase = 'Available'): PersistentVolume {
  return {
    apiVersion: 'v1',
    kind: 'PersistentVolume',
    metadata: { name, uid: `uid-${name}`, labels },
    spec: { capacity: { storage: size }, accessModes: ['ReadWriteOnce'], hostPath: { path: `/data/${name}` }, ...extra },
    status: { phase: phase as 'Available' },
  };
}

function pvc(request: string, extra: Partial<PersistentVolumeClaim['spec']> = {}): PersistentVolumeClaim {
  return {
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: { name: 'data', namespace: 'default', uid: 'claim-uid' },
    spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: request } }, ...extra },
  };
}

const names = (v: PersistentVolume | undefined) => v?.metadata.name;

test('the smallest Available volume that fits wins; too small, other class, unavailable ones do not', () => {
  const vols = [pv('big', '10Gi'), pv('small', '1Gi'), pv('tiny', '100Mi'), pv('classy', '1Gi', { storageClassName: 'fast' }), pv('released', '1Gi', {}, undefined, 'Released')];
  assert.equal(names(findMatchingVolume(pvc('500Mi'), vols, undefined, false)), 'small');
  assert.equal(names(findMatchingVolume(pvc('1Gi'), vols, undefined, false)), 'small', 'equal capacity fits');
  assert.equal(names(findMatchingVolume(pvc('2Gi'), vols, undefined, false)), 'big');
  assert.equal(names(findMatchingVolume(pvc('20Gi'), vols, undefined, false)), undefined);
  assert.equal(names(findMatchingVolume(pvc('500Mi', { storageClassName: 'fast' }), vols, undefined, false)), 'classy');
  assert.equal(names(findMatchingVolume(pvc('500Mi', { storageClassName: '' }), vols, undefined, false)), 'small', '"" is no class');
  assert.equal(names(findMatchingVolume(pvc('500Mi', { storageClassName: 'slow' }), vols, undefined, false)), undefined);
});

test('access modes must be a superset, volume modes equal; fewer modes beat a smaller volume', () => {
  const rwx = pv('rwx', '1Gi', { accessModes: ['ReadWriteOnce', 'ReadWriteMany'] });
  const rwo = pv('rwo', '5Gi');
  const block = pv('block', '1Gi', { volumeMode: 'Block' });
  assert.equal(names(findMatchingVolume(pvc('1Gi'), [rwx, rwo, block], undefined, false)), 'rwo');
  assert.equal(names(findMatchingVolume(pvc('1Gi', { accessModes: ['ReadWriteMany'] }), [rwx, rwo], undefined, false)), 'rwx');
  assert.equal(names(findMatchingVolume(pvc('1Gi', { accessModes: ['ReadOnlyMany'] }), [rwx, rwo], undefined, false)), undefined);
  assert.equal(names(findMatchingVolume(pvc('1Gi', { volumeMode: 'Block' }), [rwx, rwo, block], undefined, false)), 'block');
});

test('label selectors: matchLabels and every expression operator', () => {
  const vols = [pv('a', '1Gi', {}, { tier: 'gold', zone: 'x' }), pv('b', '1Gi', {}, { tier: 'silver' })];
  assert.equal(names(findMatchingVolume(pvc('1Gi', { selector: { matchLabels: { tier: 'silver' } } }), vols, undefined, false)), 'b');
  assert.equal(names(findMatchingVolume(pvc('1Gi', { selector: { matchExpressions: [{ key: 'zone', operator: 'Exists' }] } }), vols, undefined, false)), 'a');
  assert.equal(names(findMatchingVolume(pvc('1Gi', { selector: { matchExpressions: [{ key: 'tier', operator: 'NotIn', values: ['gold'] }] } }), vols, undefined, false)), 'b');
  assert.equal(names(findMatchingVolume(pvc('1Gi', { selector: { matchLabels: { tier: 'bronze' } } }), vols, undefined, false)), undefined);
  assert.ok(selectorMatches({}, undefined));
  assert.ok(selectorMatches({ matchExpressions: [{ key: 'k', operator: 'DoesNotExist' }] }, { other: '1' }));
  assert.ok(!selectorMatches({ matchExpressions: [{ key: 'k', operator: 'In', values: ['v'] }] }, {}));
});

test('claimRef: a volume reserved for another claim is skipped; one pre-bound to this claim wins, even bigger', () => {
  const other = pv('other', '1Gi', { claimRef: { namespace: 'default', name: 'someone' } });
  const mine = pv('mine', '10Gi', { claimRef: { namespace: 'default', name: 'data' } }, undefined, 'Available');
  const free = pv('free', '1Gi');
  assert.equal(names(findMatchingVolume(pvc('1Gi'), [other, free, mine], undefined, false)), 'mine');
  assert.equal(names(findMatchingVolume(pvc('1Gi'), [other, free], undefined, false)), 'free');
  const wrongUid = pv('stale', '1Gi', { claimRef: { namespace: 'default', name: 'data', uid: 'old-uid' } });
  assert.equal(names(findMatchingVolume(pvc('1Gi'), [wrongUid], undefined, false)), undefined);
  const deleting = pv('deleting', '1Gi');
  deleting.metadata.deletionTimestamp = '2026-01-01T00:00:00Z';
  assert.equal(names(findMatchingVolume(pvc('1Gi'), [deleting], undefined, false)), undefined);
});

test('WaitForFirstConsumer: without a node only a pre-bound volume; with one, nodeAffinity must allow it', () => {
  const here = pv('here', '1Gi', {
    nodeAffinity: { required: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'kubernetes.io/hostname', operator: 'In', values: ['n1'] }] }] } },
  });
  const there = pv('there', '1Gi', {
    nodeAffinity: { required: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'kubernetes.io/hostname', operator: 'In', values: ['n2'] }] }] } },
  });
  const node = { name: 'n1', labels: { 'kubernetes.io/hostname': 'n1' } };
  assert.equal(names(findMatchingVolume(pvc('1Gi'), [here, there], undefined, true)), undefined);
  assert.equal(names(findMatchingVolume(pvc('1Gi'), [there, here], node, true)), 'here');
  assert.equal(names(findMatchingVolume(pvc('1Gi'), [there], node, true)), undefined);
  assert.equal(names(findMatchingVolume(pvc('1Gi'), [there], undefined, false)), 'there', 'Immediate binding does not look at the node');
});

test('nodeAffinity: terms are ORed, expressions ANDed, matchFields on metadata.name, Gt/Lt', () => {
  const node = { name: 'n1', labels: { 'kubernetes.io/hostname': 'n1', rack: '7' } };
  assert.ok(nodeAffinityAllows(undefined, node));
  assert.ok(!nodeAffinityAllows({ required: { nodeSelectorTerms: [] } }, node));
  assert.ok(!nodeAffinityAllows({ required: { nodeSelectorTerms: [{}] } }, node));
  assert.ok(nodeAffinityAllows({ required: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'x', operator: 'Exists' }] }, { matchFields: [{ key: 'metadata.name', operator: 'In', values: ['n1'] }] }] } }, node));
  assert.ok(nodeAffinityAllows({ required: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'rack', operator: 'Gt', values: ['5'] }, { key: 'rack', operator: 'Lt', values: ['8'] }] }] } }, node));
  assert.ok(!nodeAffinityAllows({ required: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'rack', operator: 'Gt', values: ['5'] }, { key: 'x', operator: 'Exists' }] }] } }, node));
});

test('a claim naming its volume: why it cannot bind, with upstream messages', () => {
  assert.equal(checkVolumeSatisfiesClaim(pv('v', '1Gi'), pvc('1Gi')), undefined);
  assert.equal(checkVolumeSatisfiesClaim(pv('v', '1Gi'), pvc('2Gi')), 'requested PV is too small');
  assert.equal(checkVolumeSatisfiesClaim(pv('v', '1Gi', { storageClassName: 'x' }), pvc('1Gi')), 'storageClassName does not match');
  assert.equal(checkVolumeSatisfiesClaim(pv('v', '1Gi'), pvc('1Gi', { volumeMode: 'Block' })), 'incompatible volumeMode');
  assert.equal(checkVolumeSatisfiesClaim(pv('v', '1Gi'), pvc('1Gi', { accessModes: ['ReadWriteMany'] })), 'incompatible accessMode');
});

test('the claim\'s class is GetPersistentVolumeClaimClass: the beta annotation wins over spec.storageClassName', () => {
  const beta = (cls: string, spec: Partial<PersistentVolumeClaim['spec']> = {}): PersistentVolumeClaim => {
    const c = pvc('1Gi', spec);
    c.metadata.annotations = { 'volume.beta.kubernetes.io/storage-class': cls };
    return c;
  };
  assert.equal(claimClassName(beta('fast', { storageClassName: 'slow' })), 'fast');
  assert.equal(claimClassName(beta('')), '');
  assert.equal(claimClassName(pvc('1Gi', { storageClassName: null })), '');
  const vols = [pv('plain', '1Gi'), pv('classy', '1Gi', { storageClassName: 'fast' })];
  assert.equal(names(findMatchingVolume(beta('fast'), vols, undefined, false)), 'classy');
  assert.equal(names(findMatchingVolume(beta('', { storageClassName: 'fast' }), vols, undefined, false)), 'plain', '"" by the annotation: no class');
  assert.equal(checkVolumeSatisfiesClaim(vols[1]!, beta('fast', { storageClassName: 'slow' })), undefined);
});
