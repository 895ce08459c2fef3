import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyPatch, LAST_APPLIED, objectPatch, withLastApplied } from './apply-patch.js';

const pod = (image: string, extra: Record<string, unknown> = {}) => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'web', labels: { app: 'web' } },
  spec: { containers: [{ name: 'main', image }], ...extra },
});

test('an unchanged manifest gives an empty patch', () => {
  const applied = withLastApplied(pod('nginx:1.26'));
  const live = { ...applied, spec: { ...applied.spec, restartPolicy: 'Always' }, status: { phase: 'Running' } };
  assert.deepEqual(applyPatch(applied as never, live as never), {});
});

test('a changed image patches the container by name with $setElementOrder', () => {
  const live = withLastApplied(pod('nginx:1.26'));
  const next = withLastApplied(pod('nginx:1.27'));
  const p = applyPatch(next as never, live as never);
  assert.deepEqual(p.spec, { '$setElementOrder/containers': [{ name: 'main' }], containers: [{ name: 'main', image: 'nginx:1.27' }] });
  assert.equal((p.metadata as { annotations: Record<string, string> }).annotations[LAST_APPLIED], next.metadata.annotations![LAST_APPLIED]);
});

test('a label dropped from the manifest is deleted with null, but server-set fields stay', () => {
  const original = { metadata: { labels: { app: 'web', tier: 'x' } } };
  const current = { metadata: { labels: { app: 'web', tier: 'x', added: 'by-server' } } };
  const modified = { metadata: { labels: { app: 'web' } } };
  assert.deepEqual(objectPatch(original, modified, current), { metadata: { labels: { tier: null } } });
});

test('a container removed from the manifest becomes a $patch delete entry', () => {
  const two = { spec: { containers: [{ name: 'a', image: 'x' }, { name: 'b', image: 'y' }] } };
  const one = { spec: { containers: [{ name: 'a', image: 'x' }] } };
  assert.deepEqual(objectPatch(two, one, two), {
    spec: { '$setElementOrder/containers': [{ name: 'a' }], containers: [{ name: 'b', $patch: 'delete' }] },
  });
});

test('a list without a merge key is replaced whole', () => {
  const cur = { spec: { containers: [{ name: 'a', command: ['sh', '-c', 'x'] }] } };
  const mod = { spec: { containers: [{ name: 'a', command: ['sh'] }] } };
  assert.deepEqual(objectPatch(cur, mod, cur), {
    spec: { '$setElementOrder/containers': [{ name: 'a' }], containers: [{ name: 'a', command: ['sh'] }] },
  });
});

test('the annotation holds the manifest without itself', () => {
  const a = withLastApplied(pod('x'));
  const inner = JSON.parse(a.metadata.annotations![LAST_APPLIED]);
  assert.equal(inner.metadata.annotations, undefined);
  assert.equal(inner.spec.containers[0].image, 'x');
});
