import { test } from 'node:test';
import assert from 'node:assert/strict';
import { nodeSelectorTermsMatch } from './node-selector.js';

const node = { name: 'n1', labels: { 'kubernetes.io/hostname': 'n1', rack: '7' } };

test('node selector terms: ORed terms, ANDed requirements, an empty term matches nothing, matchFields on metadata.name only', () => {
  assert.equal(nodeSelectorTermsMatch([], node), false);
  assert.equal(nodeSelectorTermsMatch([{}], node), false);
  assert.equal(nodeSelectorTermsMatch([{ matchExpressions: [{ key: 'x', operator: 'Exists' }] }, { matchExpressions: [{ key: 'rack', operator: 'In', values: ['7'] }] }], node), true);
  assert.equal(nodeSelectorTermsMatch([{ matchExpressions: [{ key: 'rack', operator: 'In', values: ['7'] }, { key: 'x', operator: 'Exists' }] }], node), false);
  assert.equal(nodeSelectorTermsMatch([{ matchExpressions: [{ key: 'x', operator: 'NotIn', values: ['a'] }, { key: 'y', operator: 'DoesNotExist' }] }], node), true);
  assert.equal(nodeSelectorTermsMatch([{ matchFields: [{ key: 'metadata.name', operator: 'In', values: ['n1'] }] }], node), true);
  assert.equal(nodeSelectorTermsMatch([{ matchFields: [{ key: 'metadata.uid', operator: 'NotIn', values: ['u'] }] }], node), false);
});

test('node selector terms: Gt and Lt compare integers as Go parses them, anything else matches nothing', () => {
  const gt = (label: string, value: string) => nodeSelectorTermsMatch([{ matchExpressions: [{ key: 'rack', operator: 'Gt', values: [value] }] }], { name: 'n', labels: { rack: label } });
  assert.equal(gt('7', '5'), true);
  assert.equal(gt('5', '7'), false);
  assert.equal(gt('07', '+5'), true);
  assert.equal(gt('', '-1'), false);
  assert.equal(gt(' 7', '5'), false);
  assert.equal(gt('0x10', '5'), false);
  assert.equal(gt('7', '5.0'), false);
  assert.equal(nodeSelectorTermsMatch([{ matchExpressions: [{ key: 'rack', operator: 'Lt', values: ['8'] }] }], node), true);
});
