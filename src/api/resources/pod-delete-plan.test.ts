import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod } from '../../k8s/types.js';
import { planPodDelete } from './pod-delete-plan.js';

const NOW = Date.UTC(2026, 0, 1, 12, 0, 0);
const at = (s: number) => new Date(NOW + s * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');

function pod(mut: (p: Pod) => void = () => {}): Pod {
  const p: Pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { containers: [{ name: 'c' }], nodeName: 'n1' }, status: { phase: 'Running' } };
  mut(p);
  return p;
}

const cases: { name: string; pod: Pod; grace?: number; want: ReturnType<typeof planPodDelete> }[] = [
  { name: 'a running pod gets the default 30 s grace', pod: pod(), want: { action: 'mark', deletionTimestamp: at(30), gracePeriodSeconds: 30 } },
  {
    name: 'the pod terminationGracePeriodSeconds is used when the request names none',
    pod: pod((p) => (p.spec.terminationGracePeriodSeconds = 5)),
    want: { action: 'mark', deletionTimestamp: at(5), gracePeriodSeconds: 5 },
  },
  { name: 'a requested grace wins over the pod default', pod: pod(), grace: 10, want: { action: 'mark', deletionTimestamp: at(10), gracePeriodSeconds: 10 } },
  { name: 'a negative grace becomes one second', pod: pod(), grace: -3, want: { action: 'mark', deletionTimestamp: at(1), gracePeriodSeconds: 1 } },
  { name: 'grace zero removes the pod at once', pod: pod(), grace: 0, want: { action: 'remove' } },
  { name: 'an unbound pod is removed at once', pod: pod((p) => delete p.spec.nodeName), want: { action: 'remove' } },
  { name: 'a succeeded pod is removed at once', pod: pod((p) => (p.status = { phase: 'Succeeded' })), want: { action: 'remove' } },
  { name: 'a failed pod is removed at once', pod: pod((p) => (p.status = { phase: 'Failed' })), want: { action: 'remove' } },
  {
    name: 'a second delete without grace leaves a terminating pod unchanged',
    pod: pod((p) => Object.assign(p.metadata, { deletionTimestamp: at(20), deletionGracePeriodSeconds: 30 })),
    want: { action: 'unchanged' },
  },
  {
    name: 'a second delete with a longer grace cannot extend it',
    pod: pod((p) => Object.assign(p.metadata, { deletionTimestamp: at(20), deletionGracePeriodSeconds: 30 })),
    grace: 60,
    want: { action: 'unchanged' },
  },
  {
    name: 'a second delete with a shorter grace moves the deadline from the first request',
    pod: pod((p) => Object.assign(p.metadata, { deletionTimestamp: at(20), deletionGracePeriodSeconds: 30 })),
    grace: 5,
    want: { action: 'mark', deletionTimestamp: at(-5), gracePeriodSeconds: 5 },
  },
  {
    name: 'a forced delete of a terminating pod removes it',
    pod: pod((p) => Object.assign(p.metadata, { deletionTimestamp: at(20), deletionGracePeriodSeconds: 30 })),
    grace: 0,
    want: { action: 'remove' },
  },
];

for (const c of cases) test(c.name, () => assert.deepEqual(planPodDelete(c.pod, c.grace, NOW), c.want));
