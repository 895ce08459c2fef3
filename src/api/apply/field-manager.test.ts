import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { KubeObject } from '../../k8s/types.js';
import { CONFIG_MAP } from '../validation/schema-objects.js';
import { POD } from '../validation/schema-pod.js';
import { emptyObject, ignoredFields } from './endpoint-fields.js';
import { applyConfiguration, trackUpdate, type WriteTarget } from './field-manager.js';

const T0 = '2026-12-03T10:00:00Z';
const T1 = '2026-12-03T10:05:00Z';

function target(kind: 'cm' | 'pod', time = T0, subresource?: string): WriteTarget {
  const schema = kind === 'cm' ? CONFIG_MAP : POD;
  return { schema, apiVersion: 'v1', subresource, ignored: ignoredFields(kind === 'pod', subresource), empty: emptyObject(schema, kind === 'cm' ? 'configmaps' : 'pods'), time };
}

const cm = (data: Record<string, string>, extra: Record<string, unknown> = {}): KubeObject =>
  ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'default', ...extra }, data }) as KubeObject;

/** A stored object as the store returns it: uid and resourceVersion set. */
function stored(o: KubeObject): KubeObject {
  return { ...o, metadata: { ...o.metadata, uid: 'u1', resourceVersion: '5', creationTimestamp: T0 } };
}

function created(o: KubeObject, manager: string): KubeObject {
  const obj = structuredClone(o);
  trackUpdate(undefined, obj, manager, target('cm'));
  return stored(obj);
}

const fields = (o: KubeObject) => (o.metadata.managedFields as { manager: string; operation: string; fieldsV1: unknown }[]).map((e) => [e.manager, e.operation, e.fieldsV1]);

test('a created ConfigMap is owned by its creator, data as a member with its keys, as apiserver writes it', () => {
  const obj = created(cm({ a: '1' }, { labels: { app: 'x' } }), 'kubectl-create');
  assert.deepEqual(obj.metadata.managedFields, [
    {
      manager: 'kubectl-create',
      operation: 'Update',
      apiVersion: 'v1',
      time: T0,
      fieldsType: 'FieldsV1',
      fieldsV1: { 'f:data': { '.': {}, 'f:a': {} }, 'f:metadata': { 'f:labels': { '.': {}, 'f:app': {} } } },
    },
  ]);
});

test('a pod from kubectl run owns its defaulted fields, containers keyed by name, as on a cluster', () => {
  const pod = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'nginx', namespace: 'default', labels: { run: 'nginx' } },
    spec: {
      containers: [{ name: 'nginx', image: 'nginx', imagePullPolicy: 'Always', resources: {}, terminationMessagePath: '/dev/termination-log', terminationMessagePolicy: 'File' }],
      dnsPolicy: 'ClusterFirst', enableServiceLinks: true, restartPolicy: 'Always', schedulerName: 'default-scheduler', securityContext: {}, terminationGracePeriodSeconds: 30,
    },
    status: { phase: 'Pending' },
  } as unknown as KubeObject;
  trackUpdate(undefined, pod, 'kubectl-run', target('pod'));
  assert.deepEqual(fields(pod), [[
    'kubectl-run', 'Update',
    {
      'f:metadata': { 'f:labels': { '.': {}, 'f:run': {} } },
      'f:spec': {
        'f:containers': {
          'k:{"name":"nginx"}': { '.': {}, 'f:image': {}, 'f:imagePullPolicy': {}, 'f:name': {}, 'f:resources': {}, 'f:terminationMessagePath': {}, 'f:terminationMessagePolicy': {} },
        },
        'f:dnsPolicy': {}, 'f:enableServiceLinks': {}, 'f:restartPolicy': {}, 'f:schedulerName': {}, 'f:securityContext': {}, 'f:terminationGracePeriodSeconds': {},
      },
    },
  ]]);
});

test('an applied ConfigMap is owned by an Apply entry without "." for data, as apiserver writes it', () => {
  const out = applyConfiguration(undefined, { config: cm({ a: '1' }), manager: 'kubectl', force: false }, target('cm'));
  assert.deepEqual(fields(out), [['kubectl', 'Apply', { 'f:data': { 'f:a': {} } }]]);
});

test('ports are keyed by containerPort and protocol, TCP when the configuration omits it', () => {
  const config = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { containers: [{ name: 'main', image: 'nginx', ports: [{ containerPort: 80 }] }] } } as unknown as KubeObject;
  const out = applyConfiguration(undefined, { config, manager: 'm', force: false }, target('pod'));
  assert.deepEqual(fields(out)[0][2], {
    'f:spec': { 'f:containers': { 'k:{"name":"main"}': { '.': {}, 'f:image': {}, 'f:name': {}, 'f:ports': { 'k:{"containerPort":80,"protocol":"TCP"}': { '.': {}, 'f:containerPort': {} } } } } },
  });
});

test('another manager changing an applied field is a conflict naming the field and the manager', () => {
  const live = created(cm({ a: '1' }), 'kubectl-client-side-apply');
  assert.throws(
    () => applyConfiguration(live, { config: cm({ a: '2' }), manager: 'kubectl', force: false }, target('cm', T1)),
    (err: any) => {
      assert.equal(err.httpCode, 409);
      assert.equal(err.reason, 'Conflict');
      assert.equal(err.message, 'Apply failed with 1 conflict: conflict with "kubectl-client-side-apply" using v1: .data.a');
      assert.deepEqual(err.details.causes, [{ reason: 'FieldManagerConflict', message: 'conflict with "kubectl-client-side-apply" using v1', field: '.data.a' }]);
      return true;
    },
  );
});

test('applying the value another manager already set is shared ownership, not a conflict', () => {
  const live = created(cm({ a: '1' }), 'kubectl-create');
  const out = applyConfiguration(live, { config: cm({ a: '1' }), manager: 'kubectl', force: false }, target('cm', T1));
  assert.deepEqual(fields(out), [['kubectl', 'Apply', { 'f:data': { 'f:a': {} } }], ['kubectl-create', 'Update', { 'f:data': { '.': {}, 'f:a': {} } }]]);
});

test('force takes a conflicting field over from its manager, who keeps the rest', () => {
  const live = created(cm({ a: '1', b: '1' }), 'kubectl-create');
  const out = applyConfiguration(live, { config: cm({ a: '2' }), manager: 'kubectl', force: true }, target('cm', T1));
  assert.deepEqual((out as any).data, { a: '2', b: '1' });
  assert.deepEqual(fields(out), [['kubectl', 'Apply', { 'f:data': { 'f:a': {} } }], ['kubectl-create', 'Update', { 'f:data': { '.': {}, 'f:b': {} } }]]);
});

test('a field the manager applied before and no longer applies is removed', () => {
  const first = stored(applyConfiguration(undefined, { config: cm({ a: '1', b: '2' }), manager: 'kubectl', force: false }, target('cm')));
  const out = applyConfiguration(first, { config: cm({ a: '1' }), manager: 'kubectl', force: false }, target('cm', T1));
  assert.deepEqual((out as any).data, { a: '1' });
  assert.deepEqual(fields(out), [['kubectl', 'Apply', { 'f:data': { 'f:a': {} } }]]);
});

test('a field no longer applied stays while another manager also owns it', () => {
  const first = stored(applyConfiguration(undefined, { config: cm({ a: '1', b: '2' }), manager: 'one', force: false }, target('cm')));
  const second = stored(applyConfiguration(first, { config: cm({ b: '2' }), manager: 'two', force: false }, target('cm')));
  const out = applyConfiguration(second, { config: cm({ a: '1' }), manager: 'one', force: false }, target('cm', T1));
  assert.deepEqual((out as any).data, { a: '1', b: '2' });
});

test('an update moves the fields it changes to its Update entry and leaves the others', () => {
  const live = stored(applyConfiguration(undefined, { config: cm({ a: '1', b: '1' }), manager: 'kubectl', force: false }, target('cm')));
  const next = structuredClone(live) as any;
  next.data.b = '2';
  trackUpdate(live, next, 'kubectl-edit', target('cm', T1));
  assert.deepEqual(fields(next), [['kubectl', 'Apply', { 'f:data': { 'f:a': {} } }], ['kubectl-edit', 'Update', { 'f:data': { 'f:b': {} } }]]);
});

test('an entry left without fields is dropped; a creator keeps the map it added', () => {
  const created1 = created(cm({ a: '1' }), 'kubectl-create');
  const edited = structuredClone(created1) as any;
  edited.data.a = '2';
  trackUpdate(created1, edited, 'kubectl-edit', target('cm', T1));
  assert.deepEqual(fields(edited), [['kubectl-create', 'Update', { 'f:data': {} }], ['kubectl-edit', 'Update', { 'f:data': { 'f:a': {} } }]]);
  const live = stored(applyConfiguration(undefined, { config: cm({ a: '1' }), manager: 'kubectl', force: false }, target('cm')));
  const next = structuredClone(live) as any;
  next.data.a = '2';
  trackUpdate(live, next, 'kubectl-edit', target('cm', T1));
  assert.deepEqual(fields(next).map((f) => f[0]), ['kubectl-edit']);
});

test('managedFields sent in the request replace the stored ones; an empty list resets them', () => {
  const live = created(cm({ a: '1' }), 'kubectl-client-side-apply');
  const migrated = structuredClone(live) as any;
  migrated.metadata.managedFields = [{ manager: 'kubectl', operation: 'Apply', apiVersion: 'v1', time: T0, fieldsType: 'FieldsV1', fieldsV1: { 'f:data': { 'f:a': {} } } }];
  trackUpdate(live, migrated, 'kubectl', target('cm', T1));
  assert.deepEqual(fields(migrated), [['kubectl', 'Apply', { 'f:data': { 'f:a': {} } }]]);
  const reset = structuredClone(live) as any;
  reset.metadata.managedFields = [];
  trackUpdate(live, reset, 'kubectl', target('cm', T1));
  assert.equal(reset.metadata.managedFields, undefined);
  const absent = structuredClone(live) as any;
  delete absent.metadata.managedFields;
  absent.data.b = '2';
  trackUpdate(live, absent, 'kubectl-edit', target('cm', T1));
  assert.deepEqual(fields(absent).map((f) => f[0]), ['kubectl-client-side-apply', 'kubectl-edit']);
});

test('a conflict on a field the last client-side apply set to its live value is forgiven for kubectl', () => {
  const lastApplied = '{"apiVersion":"v1","data":{"a":"1"},"kind":"ConfigMap","metadata":{"annotations":{},"name":"c","namespace":"default"}}\n';
  const live = created(cm({ a: '1' }, { annotations: { 'kubectl.kubernetes.io/last-applied-configuration': lastApplied } }), 'kubectl-client-side-apply');
  const out = applyConfiguration(live, { config: cm({ a: '2' }), manager: 'kubectl', force: false }, target('cm', T1)) as any;
  assert.equal(out.data.a, '2');
  assert.equal(out.metadata.annotations['kubectl.kubernetes.io/last-applied-configuration'], '{"apiVersion":"v1","data":{"a":"2"},"kind":"ConfigMap","metadata":{"name":"c","namespace":"default"}}\n');
  assert.throws(() => applyConfiguration(live, { config: cm({ a: '2' }), manager: 'other', force: false }, target('cm', T1)), /conflict with "kubectl-client-side-apply"/);
});

test('an apply on /status owns status only, under an entry with subresource status', () => {
  const live = stored({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'default', managedFields: [] }, spec: { containers: [{ name: 'main', image: 'x' }] } } as unknown as KubeObject);
  const config = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, status: { conditions: [{ type: 'Ready', status: 'True' }] } } as unknown as KubeObject;
  const out = applyConfiguration(live, { config, manager: 'ctl', force: false }, target('pod', T1, 'status'));
  const e = (out.metadata.managedFields as any[]).find((m) => m.manager === 'ctl');
  assert.equal(e.subresource, 'status');
  assert.deepEqual(e.fieldsV1, { 'f:status': { 'f:conditions': { 'k:{"type":"Ready"}': { '.': {}, 'f:status': {}, 'f:type': {} } } } });
});

test('the first apply to an object nobody tracked gives its existing fields to "before-first-apply"', () => {
  const live = stored(cm({ a: '1', b: '1' }));
  const out = applyConfiguration(live, { config: cm({ a: '2' }), manager: 'kubectl', force: true }, target('cm', T1));
  assert.deepEqual(fields(out), [['kubectl', 'Apply', { 'f:data': { 'f:a': {} } }], ['before-first-apply', 'Update', { 'f:data': { '.': {}, 'f:b': {} } }]]);
});

test('an existing object without managedFields is not tracked by updates, as upstream skips it', () => {
  const live = stored(cm({ a: '1' }));
  const next = structuredClone(live) as any;
  next.data.a = '2';
  trackUpdate(live, next, 'kubectl-edit', target('cm', T1));
  assert.equal(next.metadata.managedFields, undefined);
});

test('more than ten Update managers fold the oldest into "ancient-changes"', () => {
  let obj = created(cm({ k0: 'v' }), 'm0');
  for (let i = 1; i <= 11; i++) {
    const next = structuredClone(obj) as any;
    next.data[`k${i}`] = 'v';
    trackUpdate(obj, next, `m${i}`, target('cm', `2026-12-03T10:${String(i).padStart(2, '0')}:00Z`));
    obj = next;
  }
  const managers = (obj.metadata.managedFields as { manager: string }[]).map((e) => e.manager);
  assert.equal(managers.length, 10);
  assert.ok(managers.includes('ancient-changes'));
  assert.ok(!managers.includes('m0') && !managers.includes('m1') && managers.includes('m11'));
});

test('an apply that changes nothing keeps the applier\'s time and the object', () => {
  const first = stored(applyConfiguration(undefined, { config: cm({ a: '1' }), manager: 'kubectl', force: false }, target('cm')));
  const again = applyConfiguration(first, { config: cm({ a: '1' }), manager: 'kubectl', force: false }, target('cm', T1));
  assert.deepEqual(again, first);
});

test('a configuration with managedFields is refused, as upstream requires them nil', () => {
  assert.throws(() => applyConfiguration(undefined, { config: cm({ a: '1' }, { managedFields: [] }), manager: 'kubectl', force: false }, target('cm')), /metadata\.managedFields must be nil/);
});

test('a configuration with a field the schema does not declare fails to type with upstream\'s text, whatever fieldValidation says, as a 400 (upstream\'s 500 is a bug)', () => {
  const config = { ...cm({ a: '1' }), bogus: 1 } as unknown as KubeObject;
  assert.throws(() => applyConfiguration(undefined, { config, manager: 'kubectl', force: false }, target('cm')), (err: Error & { httpCode?: number; reason?: string }) => {
    assert.equal(err.message, 'failed to create typed patch object (default/c; /v1, Kind=ConfigMap): .bogus: field not declared in schema');
    assert.equal(err.httpCode, 400);
    assert.equal(err.reason, 'BadRequest');
    return true;
  });
  const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'default' }, spec: { containers: [{ name: 'main', image: 'x', imagePullPolicyy: 'Always' }] } } as unknown as KubeObject;
  assert.throws(() => applyConfiguration(undefined, { config: pod, manager: 'kubectl', force: false }, target('pod')), /: \.spec\.containers\[name="main"\]\.imagePullPolicyy: field not declared in schema$/);
});
