import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Pod } from '../../k8s/types.js';
import { checkRuntimeClass } from './pod-admission.js';

const pod = (spec: Partial<Pod['spec']>): Pod => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web', namespace: 'default' }, spec: { containers: [{ name: 'c', image: 'x' }], ...spec } });

test('issue 8: a pod naming a RuntimeClass is refused as a cluster without it refuses it (403)', () => {
  assert.doesNotThrow(() => checkRuntimeClass(pod({})));
  assert.throws(() => checkRuntimeClass(pod({ runtimeClassName: 'gvisor' })), (e: Error & { status?: number; code?: number }) => {
    assert.equal(e.message, 'pods "web" is forbidden: pod rejected: RuntimeClass "gvisor" not found');
    return true;
  });
  assert.throws(() => checkRuntimeClass(pod({ overhead: { cpu: '250m' } })), { message: 'pods "web" is forbidden: pod rejected: Pod Overhead set without corresponding RuntimeClass defined Overhead' });
});
