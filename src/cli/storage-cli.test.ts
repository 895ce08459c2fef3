// The CLI against a fake API (a plain HTTP server answering canned JSON): paths for the core and
// named groups, multi-type get, apply/delete -f of storage manifests, describe pvc's requests.

import { after, before, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { Readable } from 'node:stream';
import type { AddressInfo } from 'node:net';
import { FakeClock } from '../system/clock.js';
import { main } from './main.js';
import type { CliIO } from './context.js';
import { findResource, qualifiedKind, resourceForKind, resourcePath } from './resources.js';
import { parseGetArgs } from './commands/get.js';

interface Seen {
  method: string;
  path: string;
  query: URLSearchParams;
  accept: string;
  body: string;
}

type Reply = { status?: number; body: unknown } | ((s: Seen) => { status?: number; body: unknown });

const routes = new Map<string, Reply>();
const seen: Seen[] = [];
let server: http.Server;
let dir: string;
let kubeconfig: string;

const notFound = (resource: string, name: string) => ({
  status: 404,
  body: { kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'NotFound', code: 404, message: `${resource} "${name}" not found` },
});

before(async () => {
  server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://x');
      const s: Seen = { method: req.method ?? '', path: url.pathname, query: url.searchParams, accept: String(req.headers.accept ?? ''), body: Buffer.concat(chunks).toString() };
      seen.push(s);
      const r = routes.get(`${s.method} ${s.path}`);
      const reply = typeof r === 'function' ? r(s) : (r ?? notFound('things', s.path));
      res.writeHead(reply.status ?? 200, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify(reply.body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  dir = await mkdtemp(path.join(os.tmpdir(), 'peapod-cli-storage-'));
  kubeconfig = path.join(dir, 'kubeconfig');
  const { port } = server.address() as AddressInfo;
  await writeFile(kubeconfig, `apiVersion: v1
kind: Config
clusters: [{name: c, cluster: {server: "http://127.0.0.1:${port}"}}]
users: [{name: u, user: {}}]
contexts: [{name: c, context: {cluster: c, user: u, namespace: web}}]
current-context: c
`);
});

after(async () => {
  await new Promise((resolve) => server.close(resolve));
  await rm(dir, { recursive: true, force: true });
});

beforeEach(() => {
  routes.clear();
  seen.length = 0;
});

async function run(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const errs: string[] = [];
  const io: CliIO = { stdout: (t) => out.push(t), stderr: (t) => errs.push(t), stdin: Readable.from([]), env: {}, clock: new FakeClock(Date.parse('2026-01-01T01:00:00Z')) };
  const code = await main(['--kubeconfig', kubeconfig, ...args], io);
  return { code, out: out.join(''), err: errs.join('') };
}

const T0 = '2026-01-01T00:00:00Z';

function table(columns: string[], rows: { cells: unknown[]; namespace?: string }[]): { body: unknown } {
  return {
    body: {
      kind: 'Table',
      apiVersion: 'meta.k8s.io/v1',
      metadata: { resourceVersion: '7' },
      columnDefinitions: columns.map((name) => ({ name, type: 'string', format: name === 'Name' ? 'name' : '' })),
      rows: rows.map((r) => ({ cells: r.cells, object: { metadata: { name: String(r.cells[0]), namespace: r.namespace } } })),
    },
  };
}

const PV_COLUMNS = ['Name', 'Capacity', 'Access Modes', 'Reclaim Policy', 'Status', 'Claim', 'StorageClass', 'VolumeAttributesClass', 'Reason', 'Age'];
const PVC_COLUMNS = ['Name', 'Status', 'Volume', 'Capacity', 'Access Modes', 'StorageClass', 'VolumeAttributesClass', 'Age'];
const SC_COLUMNS = ['Name', 'Provisioner', 'ReclaimPolicy', 'VolumeBindingMode', 'AllowVolumeExpansion', 'Age'];

test('paths: /api/v1 for the core group, /apis/<group>/<version> for storage.k8s.io', () => {
  assert.equal(resourcePath(findResource('sc'), 'ignored', 'local-path'), '/apis/storage.k8s.io/v1/storageclasses/local-path');
  assert.equal(resourcePath(findResource('storageclasses'), undefined), '/apis/storage.k8s.io/v1/storageclasses');
  assert.equal(resourcePath(findResource('pvc'), 'web', 'data'), '/api/v1/namespaces/web/persistentvolumeclaims/data');
  assert.equal(resourcePath(findResource('pvc'), undefined), '/api/v1/persistentvolumeclaims');
  assert.equal(resourcePath(findResource('pv'), 'web', 'pv1'), '/api/v1/persistentvolumes/pv1');
  for (const n of ['storageclass', 'StorageClass', 'storageclass.storage.k8s.io', 'sc.storage.k8s.io', 'storageclasses.v1.storage.k8s.io']) {
    assert.equal(findResource(n).resource, 'storageclasses', n);
  }
  for (const n of ['persistentvolumeclaims', 'persistentvolumeclaim', 'pvc', 'PersistentVolumeClaim']) assert.equal(findResource(n).resource, 'persistentvolumeclaims');
  assert.equal(findResource('pv').resource, 'persistentvolumes');
  assert.throws(() => findResource('pvc.storage.k8s.io'), /doesn't have a resource type "pvc.storage.k8s.io"/);
  assert.equal(qualifiedKind(findResource('sc')), 'storageclass.storage.k8s.io');
  assert.equal(qualifiedKind(findResource('pv')), 'persistentvolume');
});

test('kinds map with their apiVersion; an unknown one reads like kubectl\'s error', () => {
  assert.equal(resourceForKind('StorageClass', 'storage.k8s.io/v1').resource, 'storageclasses');
  assert.equal(resourceForKind('PersistentVolumeClaim', 'v1').resource, 'persistentvolumeclaims');
  assert.equal(resourceForKind('Pod').resource, 'pods');
  assert.throws(
    () => resourceForKind('StorageClass', 'v1', { name: 'fast', source: 'sc.yaml' }),
    { message: 'error: resource mapping not found for name: "fast" namespace: "" from "sc.yaml": no matches for kind "StorageClass" in version "v1"\nensure CRDs are installed first' },
  );
  assert.throws(
    () => resourceForKind('Deployment', 'apps/v1', { name: 'web', namespace: 'prod', source: 'STDIN' }),
    { message: 'error: resource mapping not found for name: "web" namespace: "prod" from "STDIN": no matches for kind "Deployment" in version "apps/v1"\nensure CRDs are installed first' },
  );
});

test('get arguments: comma-separated types with names, or TYPE/NAME', () => {
  const show = (args: string[]) => parseGetArgs(args).map((q) => `${q.r.resource}:${q.names.join('+')}`);
  assert.deepEqual(show(['pv,pvc,sc']), ['persistentvolumes:', 'persistentvolumeclaims:', 'storageclasses:']);
  assert.deepEqual(show(['pvc', 'a', 'b']), ['persistentvolumeclaims:a+b']);
  assert.deepEqual(show(['pv/a', 'sc/b', 'pv/c']), ['persistentvolumes:a+c', 'storageclasses:b']);
  assert.deepEqual(show(['pods,pods']), ['pods:']);
  assert.throws(() => parseGetArgs(['pv/a', 'b']), /must have a single resource and name/);
  assert.throws(() => parseGetArgs(['pv', 'sc/b']), /no need to specify a resource type/);
  assert.throws(() => parseGetArgs(['pv,nope']), /doesn't have a resource type "nope"/);
});

test('get pv,pvc,sc: a table per type, names prefixed with kind[.group]/, a blank line between, empty types left out', async () => {
  routes.set('GET /api/v1/persistentvolumes', table(PV_COLUMNS, [
    { cells: ['task-pv-volume', '10Gi', 'RWO', 'Retain', 'Bound', 'web/task-pv-claim', 'manual', '<unset>', '', '5m'] },
  ]));
  routes.set('GET /api/v1/namespaces/web/persistentvolumeclaims', table(PVC_COLUMNS, []));
  routes.set('GET /apis/storage.k8s.io/v1/storageclasses', table(SC_COLUMNS, [
    { cells: ['local-path', 'rancher.io/local-path', 'Delete', 'WaitForFirstConsumer', false, '1h'] },
  ]));
  const r = await run(['get', 'pv,pvc,sc']);
  assert.equal(r.err, '');
  assert.equal(r.code, 0);
  assert.equal(r.out, [
    'NAME                              CAPACITY   ACCESS MODES   RECLAIM POLICY   STATUS   CLAIM               STORAGECLASS   VOLUMEATTRIBUTESCLASS   REASON   AGE',
    'persistentvolume/task-pv-volume   10Gi       RWO            Retain           Bound    web/task-pv-claim   manual         <unset>                          5m',
    '',
    'NAME                                     PROVISIONER             RECLAIMPOLICY   VOLUMEBINDINGMODE      ALLOWVOLUMEEXPANSION   AGE',
    'storageclass.storage.k8s.io/local-path   rancher.io/local-path   Delete          WaitForFirstConsumer   false                  1h',
    '',
  ].join('\n'));
  assert.deepEqual(seen.map((s) => s.path), ['/api/v1/persistentvolumes', '/api/v1/namespaces/web/persistentvolumeclaims', '/apis/storage.k8s.io/v1/storageclasses']);
  assert.ok(seen.every((s) => s.accept.startsWith('application/json;as=Table')));
});

test('get with one type keeps plain names; -A adds NAMESPACE to namespaced types, and (as kubectl) to the types after one that printed', async () => {
  routes.set('GET /api/v1/namespaces/web/persistentvolumeclaims', table(PVC_COLUMNS, [
    { cells: ['data', 'Bound', 'pvc-1', '1Gi', 'RWO', 'local-path', '<unset>', '2m'], namespace: 'web' },
  ]));
  routes.set('GET /api/v1/persistentvolumeclaims', table(PVC_COLUMNS, [
    { cells: ['data', 'Bound', 'pvc-1', '1Gi', 'RWO', 'local-path', '<unset>', '2m'], namespace: 'web' },
  ]));
  routes.set('GET /api/v1/pods', table(['Name', 'Ready', 'Status', 'Restarts', 'Age'], [{ cells: ['app', '1/1', 'Running', 0, '2m'], namespace: 'web' }]));
  routes.set('GET /apis/storage.k8s.io/v1/storageclasses', table(SC_COLUMNS, [{ cells: ['local-path', 'rancher.io/local-path', 'Delete', 'Immediate', false, '1h'] }]));
  assert.equal((await run(['get', 'pvc'])).out, 'NAME   STATUS   VOLUME   CAPACITY   ACCESS MODES   STORAGECLASS   VOLUMEATTRIBUTESCLASS   AGE\ndata   Bound    pvc-1    1Gi        RWO            local-path     <unset>                 2m\n');
  const r = await run(['get', 'pvc,pods,sc', '-A']);
  assert.equal(r.out, [
    'NAMESPACE   NAME                         STATUS   VOLUME   CAPACITY   ACCESS MODES   STORAGECLASS   VOLUMEATTRIBUTESCLASS   AGE',
    'web         persistentvolumeclaim/data   Bound    pvc-1    1Gi        RWO            local-path     <unset>                 2m',
    '',
    'NAMESPACE   NAME      READY   STATUS    RESTARTS   AGE',
    'web         pod/app   1/1     Running   0          2m',
    '',
    'NAMESPACE   NAME                                     PROVISIONER             RECLAIMPOLICY   VOLUMEBINDINGMODE   ALLOWVOLUMEEXPANSION   AGE',
    '            storageclass.storage.k8s.io/local-path   rancher.io/local-path   Delete          Immediate           false                  1h',
    '',
  ].join('\n'));
  // A cluster-scoped type listed first has no NAMESPACE column.
  routes.set('GET /api/v1/namespaces/web/pods', table(['Name', 'Ready', 'Status', 'Restarts', 'Age'], [{ cells: ['app', '1/1', 'Running', 0, '2m'], namespace: 'web' }]));
  assert.match((await run(['get', 'sc,pods', '-A'])).out, /^NAME {37}PROVISIONER/);
});

test('get of several empty types says No resources found once (naming the namespace only if all are namespaced)', async () => {
  routes.set('GET /api/v1/persistentvolumes', table(PV_COLUMNS, []));
  routes.set('GET /api/v1/namespaces/web/persistentvolumeclaims', table(PVC_COLUMNS, []));
  routes.set('GET /api/v1/namespaces/web/pods', table(['Name'], []));
  let r = await run(['get', 'pv,pvc']);
  assert.deepEqual([r.code, r.out, r.err], [0, '', 'No resources found\n']);
  r = await run(['get', 'pvc,pods']);
  assert.deepEqual([r.code, r.out, r.err], [0, '', 'No resources found in web namespace.\n']);
});

test('get -w with several types is refused as kubectl does, before any request', async () => {
  const r = await run(['get', 'pv,pvc', '-w']);
  assert.deepEqual([r.code, r.err], [1, 'error: you may only specify a single resource type\n']);
  assert.equal(seen.length, 0);
});

test('get -o yaml/json: objects keep their apiVersion inside a v1 List; one named object prints alone', async () => {
  const sc = { metadata: { name: 'local-path' }, provisioner: 'rancher.io/local-path' };
  routes.set('GET /apis/storage.k8s.io/v1/storageclasses', { body: { kind: 'StorageClassList', apiVersion: 'storage.k8s.io/v1', metadata: {}, items: [sc] } });
  routes.set('GET /api/v1/persistentvolumes', { body: { kind: 'PersistentVolumeList', apiVersion: 'v1', metadata: {}, items: [{ metadata: { name: 'pv1' }, spec: {} }] } });
  routes.set('GET /apis/storage.k8s.io/v1/storageclasses/local-path', { body: { apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass', ...sc } });
  const list = JSON.parse((await run(['get', 'sc,pv', '-o', 'json'])).out);
  assert.deepEqual({ apiVersion: list.apiVersion, kind: list.kind }, { apiVersion: 'v1', kind: 'List' });
  assert.deepEqual(list.items.map((o: { apiVersion: string; kind: string }) => `${o.apiVersion} ${o.kind}`), ['storage.k8s.io/v1 StorageClass', 'v1 PersistentVolume']);
  const yaml = (await run(['get', 'sc', '-o', 'yaml'])).out;
  // kubectl's (go-yaml's) layout: a list's dashes level with its key.
  assert.match(yaml, /^apiVersion: v1\nitems:\n- apiVersion: storage.k8s.io\/v1\n {2}kind: StorageClass\n/);
  assert.match((await run(['get', 'sc', 'local-path', '-o', 'yaml'])).out, /^apiVersion: storage.k8s.io\/v1\nkind: StorageClass\nmetadata:\n {2}name: local-path\n/);
  assert.equal((await run(['get', 'sc,pv', '-o', 'name'])).out, 'storageclass.storage.k8s.io/local-path\npersistentvolume/pv1\n');
});

test('get of several names prints those found and the errors of the others, exit 1', async () => {
  routes.set('GET /api/v1/namespaces/web/persistentvolumeclaims/a', table(PVC_COLUMNS, [{ cells: ['a', 'Pending', '', '', '', 'local-path', '<unset>', '1s'] }]));
  routes.set('GET /api/v1/namespaces/web/persistentvolumeclaims/b', notFound('persistentvolumeclaims', 'b'));
  const r = await run(['get', 'pvc', 'a', 'b']);
  assert.equal(r.code, 1);
  assert.match(r.out, /^NAME   STATUS    VOLUME/);
  assert.match(r.out, /\na      Pending {4}/);
  assert.equal(r.err, 'Error from server (NotFound): persistentvolumeclaims "b" not found\n');
});

test('apply and delete -f of storage manifests use each kind\'s group path; a kind in the wrong version is refused', async () => {
  const file = path.join(dir, 'storage.yaml');
  await writeFile(file, `apiVersion: storage.k8s.io/v1
kind: StorageClass
metadata: {name: fast}
provisioner: rancher.io/local-path
---
apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: data}
spec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 1Gi}}}
---
apiVersion: v1
kind: PersistentVolume
metadata: {name: pv1}
spec: {capacity: {storage: 1Gi}, accessModes: [ReadWriteOnce], hostPath: {path: /srv/pv1}}
`);
  routes.set('GET /apis/storage.k8s.io/v1/storageclasses/fast', notFound('storageclasses.storage.k8s.io', 'fast'));
  routes.set('GET /api/v1/namespaces/web/persistentvolumeclaims/data', notFound('persistentvolumeclaims', 'data'));
  routes.set('GET /api/v1/persistentvolumes/pv1', notFound('persistentvolumes', 'pv1'));
  for (const p of ['/apis/storage.k8s.io/v1/storageclasses', '/api/v1/namespaces/web/persistentvolumeclaims', '/api/v1/persistentvolumes']) {
    routes.set(`POST ${p}`, (s) => ({ status: 201, body: JSON.parse(s.body) }));
  }
  let r = await run(['apply', '-f', file]);
  assert.equal(r.err, '');
  assert.equal(r.out, 'storageclass.storage.k8s.io/fast created\npersistentvolumeclaim/data created\npersistentvolume/pv1 created\n');
  assert.deepEqual(seen.filter((s) => s.method === 'POST').map((s) => s.path), ['/apis/storage.k8s.io/v1/storageclasses', '/api/v1/namespaces/web/persistentvolumeclaims', '/api/v1/persistentvolumes']);

  seen.length = 0;
  routes.set('DELETE /apis/storage.k8s.io/v1/storageclasses/fast', { body: {} });
  routes.set('DELETE /api/v1/namespaces/web/persistentvolumeclaims/data', { body: {} });
  routes.set('DELETE /api/v1/persistentvolumes/pv1', { body: {} });
  r = await run(['delete', '-f', file]);
  assert.equal(r.out, 'storageclass.storage.k8s.io "fast" deleted\npersistentvolumeclaim "data" deleted\npersistentvolume "pv1" deleted\n');
  assert.deepEqual(seen.filter((s) => s.method === 'DELETE').map((s) => s.path), ['/apis/storage.k8s.io/v1/storageclasses/fast', '/api/v1/namespaces/web/persistentvolumeclaims/data', '/api/v1/persistentvolumes/pv1']);

  seen.length = 0;
  r = await run(['delete', 'pvc,pv', 'data']);
  assert.deepEqual(seen.filter((s) => s.method === 'DELETE').map((s) => s.path), ['/api/v1/namespaces/web/persistentvolumeclaims/data', '/api/v1/persistentvolumes/data']);

  const bad = path.join(dir, 'bad.yaml');
  await writeFile(bad, 'apiVersion: v1\nkind: StorageClass\nmetadata: {name: fast}\nprovisioner: x\n');
  seen.length = 0;
  r = await run(['apply', '-f', bad]);
  assert.deepEqual([r.code, r.out, r.err], [1, '', `error: resource mapping not found for name: "fast" namespace: "" from "${bad}": no matches for kind "StorageClass" in version "v1"\nensure CRDs are installed first\n`]);
  r = await run(['delete', '-f', bad]);
  assert.deepEqual([r.code, r.err], [1, `error: resource mapping not found for name: "fast" namespace: "" from "${bad}": no matches for kind "StorageClass" in version "v1"\nensure CRDs are installed first\n`]);
  assert.equal(seen.length, 0);
});

test('describe pvc reads the claim, its namespace\'s pods, its volume and its events', async () => {
  routes.set('GET /api/v1/namespaces/web/persistentvolumeclaims/data', {
    body: {
      apiVersion: 'v1', kind: 'PersistentVolumeClaim',
      metadata: { name: 'data', namespace: 'web', uid: 'c1', finalizers: ['kubernetes.io/pvc-protection'], creationTimestamp: T0 },
      spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } }, storageClassName: 'local-path', volumeName: 'pvc-c1', volumeMode: 'Filesystem' },
      status: { phase: 'Bound', accessModes: ['ReadWriteOnce'], capacity: { storage: '1Gi' } },
    },
  });
  routes.set('GET /api/v1/namespaces/web/pods', {
    body: {
      kind: 'PodList', apiVersion: 'v1', metadata: {},
      items: [
        { metadata: { name: 'writer', namespace: 'web' }, spec: { containers: [], volumes: [{ name: 'd', persistentVolumeClaim: { claimName: 'data' } }] } },
        { metadata: { name: 'other', namespace: 'web' }, spec: { containers: [], volumes: [{ name: 'd', persistentVolumeClaim: { claimName: 'logs' } }] } },
      ],
    },
  });
  routes.set('GET /api/v1/persistentvolumes/pvc-c1', {
    body: { apiVersion: 'v1', kind: 'PersistentVolume', metadata: { name: 'pvc-c1' }, spec: { hostPath: { path: '/var/lib/peapod/storage/pvc-c1_web_data', type: 'DirectoryOrCreate' } } },
  });
  routes.set('GET /api/v1/namespaces/web/events', {
    body: {
      kind: 'EventList', apiVersion: 'v1', metadata: {},
      items: [{
        metadata: { name: 'e1', namespace: 'web' }, involvedObject: { kind: 'PersistentVolumeClaim', name: 'data', namespace: 'web', uid: 'c1' },
        type: 'Normal', reason: 'ProvisioningSucceeded', message: 'Successfully provisioned volume pvc-c1', source: { component: 'rancher.io/local-path_node1' },
        firstTimestamp: '2026-01-01T00:59:00Z', lastTimestamp: '2026-01-01T00:59:00Z', count: 1,
      }],
    },
  });
  const r = await run(['describe', 'pvc', 'data']);
  assert.equal(r.err, '');
  assert.equal(r.out, `Name:          data
Namespace:     web
StorageClass:  local-path
Status:        Bound
Volume:        pvc-c1
Host Path:     /var/lib/peapod/storage/pvc-c1_web_data
Labels:        <none>
Annotations:   <none>
Finalizers:    [kubernetes.io/pvc-protection]
Capacity:      1Gi
Access Modes:  RWO
VolumeMode:    Filesystem
Used By:       writer
Events:
  Type    Reason                 Age   From                         Message
  ----    ------                 ----  ----                         -------
  Normal  ProvisioningSucceeded  60s   rancher.io/local-path_node1  Successfully provisioned volume pvc-c1
`);
  const ev = seen.find((s) => s.path === '/api/v1/namespaces/web/events');
  assert.equal(ev?.query.get('fieldSelector'), 'involvedObject.name=data,involvedObject.namespace=web,involvedObject.kind=PersistentVolumeClaim,involvedObject.uid=c1');
});

test('describe sc and pv look up their events in every namespace; describe of other types is refused', async () => {
  routes.set('GET /apis/storage.k8s.io/v1/storageclasses/local-path', { body: { apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass', metadata: { name: 'local-path', uid: 's1' }, provisioner: 'rancher.io/local-path' } });
  routes.set('GET /api/v1/events', { body: { kind: 'EventList', apiVersion: 'v1', metadata: {}, items: [] } });
  const r = await run(['describe', 'sc', 'local-path']);
  assert.match(r.out, /^Name:                  local-path\nIsDefaultClass:        No\n/);
  assert.match(r.out, /\nEvents:                <none>\n$/);
  assert.equal(seen[1].path, '/api/v1/events');
  assert.equal(seen[1].query.get('fieldSelector'), 'involvedObject.name=local-path,involvedObject.namespace=,involvedObject.kind=StorageClass,involvedObject.uid=s1');
  const cm = await run(['describe', 'cm', 'x']);
  assert.equal(cm.code, 1);
  assert.match(cm.err, /^error: describe supports pods, persistentvolumeclaims, persistentvolumes and storageclasses, not configmaps/);
});
