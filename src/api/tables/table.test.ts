import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject, Pod } from '../../k8s/types.js';
import { SharedJson } from '../../store/object-index.js';
import { buildTable, tableJson, type IncludeObject } from './table.js';

const NOW = Date.UTC(2026, 0, 1, 12, 0, 0);

function pod(name: string, phase: string, annotations?: Record<string, string>): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'default', uid: `uid-${name}`, resourceVersion: '7', creationTimestamp: '2026-01-01T11:00:00Z', labels: { app: 'é"\\' }, annotations },
    spec: { containers: [{ name: 'app', image: 'busybox' }], nodeName: 'node1' },
    status: { phase, podIPs: [{ ip: '10.88.0.5' }] },
  } as Pod;
}

const stored = (objs: KubeObject[]) => objs.map((o) => new SharedJson(JSON.stringify(o)));

test('a Table made from stored pieces is byte for byte the serialised Table, for every includeObject', () => {
  const pods = [pod('a', 'Running', { 'kubectl.kubernetes.io/last-applied-configuration': '{"kind":"Pod"}\n' }), pod('b', 'Succeeded'), pod('c', 'Failed')];
  for (const includeObject of ['None', 'Metadata', 'Object'] as IncludeObject[]) {
    for (const meta of [{ resourceVersion: '12' }, { resourceVersion: '12', continue: 'tok' }, {}]) {
      const opts = { resource: 'pods', version: 'v1' as const, includeObject, now: NOW };
      const want = JSON.stringify(buildTable(pods, meta, opts));
      assert.equal(tableJson(stored(pods), meta, opts).toString('utf8'), want, `${includeObject} ${JSON.stringify(meta)}`);
    }
  }
});

test('an empty Table from pieces keeps its column definitions and an empty rows array', () => {
  const opts = { resource: 'pods', version: 'v1beta1' as const, includeObject: 'Metadata' as const, now: NOW };
  const got = JSON.parse(tableJson([], { resourceVersion: '3' }, opts).toString('utf8'));
  assert.deepEqual(got, JSON.parse(JSON.stringify(buildTable([], { resourceVersion: '3' }, opts))));
  assert.deepEqual(got.rows, []);
  assert.equal(got.apiVersion, 'meta.k8s.io/v1beta1');
});

test('a stored row is reused while its times read the same, and made again when they change or the shape asked for does', () => {
  const entries = stored([pod('a', 'Running'), pod('b', 'Running')]);
  const opts = { resource: 'pods', version: 'v1' as const, includeObject: 'Metadata' as const, now: NOW };
  const ages = (b: Buffer) => (JSON.parse(b.toString('utf8')) as { rows: { cells: string[] }[] }).rows.map((r) => r.cells[4]);
  assert.deepEqual(ages(tableJson(entries, {}, opts)), ['60m', '60m']);
  const kept = entries[0]!.tableRow;
  assert.ok(kept);
  assert.deepEqual(ages(tableJson(entries, {}, { ...opts, now: NOW + 30_000 })), ['60m', '60m']);
  assert.equal(entries[0]!.tableRow, kept);
  const later = { ...opts, now: NOW + 2 * 3600_000 + 20 * 60_000 };
  assert.equal(tableJson(entries, {}, later).toString('utf8'), JSON.stringify(buildTable(entries.map((e) => e.object), {}, later)));
  assert.deepEqual(ages(tableJson(entries, {}, later)), ['3h20m', '3h20m']);
  const full = { ...later, includeObject: 'Object' as const };
  assert.equal(tableJson(entries, {}, full).toString('utf8'), JSON.stringify(buildTable(entries.map((e) => e.object), {}, full)));
  entries[0]!.release();
  assert.equal(entries[0]!.tableRow, undefined);
});

test('a Table row reads a restart\'s age at the time of the request', () => {
  const p = pod('r', 'Running');
  p.status!.containerStatuses = [
    { name: 'app', state: { running: { startedAt: '2026-01-01T11:58:00Z' } }, lastState: { terminated: { exitCode: 1, finishedAt: '2026-01-01T11:57:00Z' } }, ready: true, restartCount: 2, image: 'busybox', imageID: '' },
  ];
  const [e] = stored([p]);
  const opts = { resource: 'pods', version: 'v1' as const, includeObject: 'None' as const, now: NOW };
  const restarts = (now: number) => (JSON.parse(tableJson([e!], {}, { ...opts, now }).toString('utf8')) as { rows: { cells: string[] }[] }).rows[0]!.cells[3];
  assert.equal(restarts(NOW), '2 (3m ago)');
  assert.equal(restarts(NOW + 60_000), '2 (4m ago)');
});
