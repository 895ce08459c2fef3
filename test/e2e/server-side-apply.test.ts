// End to end, server-side apply as a kubectl user meets it (kubectl 1.33 and 1.27, each in its own
// namespace): create and change with `apply --server-side`, a second manager's conflict and
// --force-conflicts, pruning of a field dropped from the file, `kubectl diff`, client-side apply
// migrating to server-side apply and back, `get --show-managed-fields`, and one pod.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import https from 'node:https';
import { TestDaemon } from '../support/daemon.js';
import { reportingFailure } from '../support/failure.js';

const ROOT = process.getuid?.() === 0;
const KUBECTL_DIR = '/usr/lib/google-cloud-sdk/bin';
const VERSIONS = [
  { v: '1.33', bin: `${KUBECTL_DIR}/kubectl.1.33`, ns: 'ssa-133' },
  { v: '1.27', bin: `${KUBECTL_DIR}/kubectl.1.27`, ns: 'ssa-127' },
];

const configMap = (name: string, ns: string, data: Record<string, string>) =>
  `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\n  namespace: ${ns}\ndata:\n${Object.entries(data).map(([k, v]) => `  ${k}: "${v}"`).join('\n')}\n`;

interface Entry {
  manager: string;
  operation: string;
  apiVersion: string;
  time?: string;
  fieldsType: string;
  fieldsV1: Record<string, unknown>;
  subresource?: string;
}

describe('server-side apply end to end with kubectl', { skip: ROOT ? false : 'needs root: run the tests as root' }, () => {
  let d: TestDaemon;
  let failed = false;

  before(async () => {
    d = await TestDaemon.start({ name: 'e2e-ssa', podCidr: '10.88.231.0/24' });
    for (const { ns } of VERSIONS) await d.k('create', 'namespace', ns);
  });
  after(async () => {
    await d?.destroy(failed);
  });

  const step = (name: string, fn: () => Promise<void>) => it(name, reportingFailure(fn, () => (failed = true)));
  /** A raw PATCH as the admin, for what kubectl cannot send (apply on /status, missing fieldManager). */
  const patch = (p: string, type: string, body: unknown): Promise<{ code: number; body: any }> =>
    new Promise((resolve, reject) => {
      const c = d.cluster;
      const req = https.request(new URL(p, c.server), { method: 'PATCH', headers: { 'Content-Type': type, 'User-Agent': 'ssa-e2e/1.0' }, ca: c.ca, cert: c.cert, key: c.key, agent: false }, (res) => {
        let data = '';
        res.on('data', (chunk) => (data += chunk));
        res.on('end', () => resolve({ code: res.statusCode ?? 0, body: JSON.parse(data) }));
      });
      req.on('error', reject);
      req.end(JSON.stringify(body));
    });
  const managed = async (ns: string, what: string): Promise<Entry[]> => (await d.getJson('-n', ns, what, '--show-managed-fields')).metadata.managedFields;
  const data = async (ns: string, what: string) => (await d.getJson('-n', ns, what)).data;

  for (const { v, bin, ns } of VERSIONS) {
    const kubectl = (args: string[], input?: string) => d.kubectl(args, { bin, input });

    step(`${v}: apply --server-side creates a ConfigMap owned by an Apply entry of "kubectl", then changes it`, async () => {
      let r = await kubectl(['apply', '--server-side', '-f', '-'], configMap('ssa', ns, { a: '1', b: '2', c: '3' }));
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /configmap\/ssa serverside-applied/);
      const entries = await managed(ns, 'configmap/ssa');
      assert.equal(entries.length, 1);
      assert.deepEqual({ ...entries[0], time: undefined }, { manager: 'kubectl', operation: 'Apply', apiVersion: 'v1', time: undefined, fieldsType: 'FieldsV1', fieldsV1: { 'f:data': { 'f:a': {}, 'f:b': {}, 'f:c': {} } } });
      assert.match(entries[0].time!, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
      r = await kubectl(['apply', '--server-side', '-f', '-'], configMap('ssa', ns, { a: '10', b: '2', c: '3' }));
      assert.equal(r.code, 0, r.stderr);
      assert.deepEqual(await data(ns, 'configmap/ssa'), { a: '10', b: '2', c: '3' });
    });

    step(`${v}: a second manager's change to an applied field is a conflict until --force-conflicts`, async () => {
      let r = await kubectl(['apply', '--server-side', '--field-manager=other', '-f', '-'], configMap('ssa', ns, { a: '20' }));
      assert.equal(r.code, 1);
      assert.match(r.stderr, /Apply failed with 1 conflict: conflict with "kubectl": \.data\.a/);
      assert.match(r.stderr, /--force-conflicts/);
      assert.equal((await data(ns, 'configmap/ssa')).a, '10');
      r = await kubectl(['apply', '--server-side', '--field-manager=other', '--force-conflicts', '-f', '-'], configMap('ssa', ns, { a: '20' }));
      assert.equal(r.code, 0, r.stderr);
      assert.equal((await data(ns, 'configmap/ssa')).a, '20');
      const byManager = Object.fromEntries((await managed(ns, 'configmap/ssa')).map((e) => [e.manager, e.fieldsV1]));
      assert.deepEqual(byManager, { kubectl: { 'f:data': { 'f:b': {}, 'f:c': {} } }, other: { 'f:data': { 'f:a': {} } } });
    });

    step(`${v}: a field dropped from the applied file is removed, one another manager owns stays`, async () => {
      const r = await kubectl(['apply', '--server-side', '-f', '-'], configMap('ssa', ns, { b: '2' }));
      assert.equal(r.code, 0, r.stderr);
      assert.deepEqual(await data(ns, 'configmap/ssa'), { a: '20', b: '2' });
    });

    step(`${v}: kubectl diff shows a change and exits 1, and exits 0 when there is none`, async () => {
      for (const mode of [[], ['--server-side']]) {
        let r = await kubectl(['diff', ...mode, '-f', '-'], configMap('ssa', ns, { b: '3' }));
        assert.equal(r.code, 1, `${mode.join(' ')}: ${r.stderr}`);
        assert.match(r.stdout, /^-\s+b: "2"$/m);
        assert.match(r.stdout, /^\+\s+b: "3"$/m);
        r = await kubectl(['diff', '--server-side', '-f', '-'], configMap('ssa', ns, { b: '2' }));
        assert.equal(r.code, 0, `${r.stderr}${r.stdout}`);
      }
      assert.equal((await data(ns, 'configmap/ssa')).b, '2', 'a diff changes nothing');
    });

    step(`${v}: client-side apply migrates to server-side apply without conflicts, and back`, async () => {
      let r = await kubectl(['apply', '-f', '-'], configMap('csa', ns, { x: '1', z: '1' }));
      assert.equal(r.code, 0, r.stderr);
      assert.deepEqual((await managed(ns, 'configmap/csa')).map((e) => [e.manager, e.operation]), [['kubectl-client-side-apply', 'Update']]);
      r = await kubectl(['apply', '--server-side', '-f', '-'], configMap('csa', ns, { x: '2', z: '1' }));
      assert.equal(r.code, 0, r.stderr);
      const cm = await d.getJson('-n', ns, 'configmap/csa', '--show-managed-fields');
      assert.deepEqual(cm.data, { x: '2', z: '1' });
      const apply = (cm.metadata.managedFields as Entry[]).find((e) => e.manager === 'kubectl' && e.operation === 'Apply');
      assert.deepEqual(apply?.fieldsV1['f:data'], { 'f:x': {}, 'f:z': {} });
      // kubectl moves the client-side entry into its Apply entry (csaupgrade), then applies the annotation as kubectl-last-applied
      const entries = (cm.metadata.managedFields as Entry[]).map((e) => `${e.manager}/${e.operation}`).sort();
      assert.deepEqual(entries, ['kubectl-last-applied/Apply', 'kubectl/Apply']);
      const lastApplied = JSON.parse(cm.metadata.annotations['kubectl.kubernetes.io/last-applied-configuration']);
      assert.deepEqual(lastApplied.data, { x: '2', z: '1' }, 'the server keeps the annotation in step with the applied file');
      r = await kubectl(['apply', '-f', '-'], configMap('csa', ns, { x: '3' }));
      assert.equal(r.code, 0, r.stderr);
      assert.deepEqual(await data(ns, 'configmap/csa'), { x: '3' });
    });

    step(`${v}: get --show-managed-fields -o yaml prints the entries as a cluster does, plain get hides them`, async () => {
      const r = await kubectl(['get', '-n', ns, 'configmap/ssa', '-o', 'yaml', '--show-managed-fields']);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /managedFields:\n/);
      assert.match(r.stdout, /\n  - apiVersion: v1\n    fieldsType: FieldsV1\n    fieldsV1:\n      f:data:\n        f:b: \{\}\n    manager: kubectl\n    operation: Apply\n    time: "\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ"\n/);
      const plain = await kubectl(['get', '-n', ns, 'configmap/ssa', '-o', 'yaml']);
      assert.doesNotMatch(plain.stdout, /managedFields/);
    });
  }

  step('kubectl create records kubectl-create, and edits by label/annotate move only their fields', async () => {
    await d.k('create', 'configmap', '-n', 'ssa-133', 'made', '--from-literal=k=v');
    await d.k('label', '-n', 'ssa-133', 'configmap/made', 'team=a');
    const entries = await managed('ssa-133', 'configmap/made');
    assert.deepEqual(
      entries.map((e) => [e.manager, e.operation, e.fieldsV1]),
      [
        ['kubectl-create', 'Update', { 'f:data': { '.': {}, 'f:k': {} } }],
        ['kubectl-label', 'Update', { 'f:metadata': { 'f:labels': { '.': {}, 'f:team': {} } } }],
      ],
    );
  });

  step('kubectl run records the fields a cluster records for kubectl-run, none of admission\'s', async () => {
    await d.k('run', '-n', 'ssa-133', 'ssa-run', '--image=localhost/busybox:latest', '--image-pull-policy=IfNotPresent', '--restart=Never', '--', 'sleep', '3600');
    const entries = await managed('ssa-133', 'pod/ssa-run');
    const run = entries.find((e) => e.manager === 'kubectl-run')!;
    assert.deepEqual([run.operation, run.apiVersion, run.fieldsType, run.subresource], ['Update', 'v1', 'FieldsV1', undefined]);
    assert.deepEqual(run.fieldsV1, {
      'f:metadata': { 'f:labels': { '.': {}, 'f:run': {} } },
      'f:spec': {
        'f:containers': {
          'k:{"name":"ssa-run"}': { '.': {}, 'f:args': {}, 'f:image': {}, 'f:imagePullPolicy': {}, 'f:name': {}, 'f:resources': {}, 'f:terminationMessagePath': {}, 'f:terminationMessagePolicy': {} },
        },
        'f:dnsPolicy': {}, 'f:enableServiceLinks': {}, 'f:restartPolicy': {}, 'f:schedulerName': {}, 'f:securityContext': {}, 'f:terminationGracePeriodSeconds': {},
      },
    });
  });

  step('apply without fieldManager is refused (422 PatchOptions), force on a merge patch too, and apply on /status owns status', async () => {
    const url = '/api/v1/namespaces/ssa-133/pods/ssa-run/status';
    let r = await patch(url, 'application/apply-patch+yaml', { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'ssa-run' } });
    assert.equal(r.code, 422);
    assert.equal(r.body.message, 'PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: is required for apply patch');
    r = await patch('/api/v1/namespaces/ssa-133/configmaps/made?force=true', 'application/merge-patch+json', { data: { k: 'w' } });
    assert.equal(r.code, 422);
    assert.match(r.body.message, /force: Forbidden: may not be specified for non-apply patch/);
    const condition = { type: 'example.com/Checked', status: 'True' };
    r = await patch(`${url}?fieldManager=checker`, 'application/apply-patch+yaml', { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'ssa-run' }, status: { conditions: [condition] } });
    assert.equal(r.code, 200, JSON.stringify(r.body));
    assert.ok(r.body.status.conditions.some((c: { type: string }) => c.type === condition.type));
    const entry = (r.body.metadata.managedFields as Entry[]).find((e) => e.manager === 'checker')!;
    assert.deepEqual([entry.operation, entry.subresource, entry.fieldsV1], ['Apply', 'status', { 'f:status': { 'f:conditions': { 'k:{"type":"example.com/Checked"}': { '.': {}, 'f:status': {}, 'f:type': {} } } } }]);
    r = await patch('/api/v1/namespaces/ssa-133/configmaps/made', 'application/merge-patch+json', { data: { k: 'w' } });
    assert.equal(r.code, 200);
    assert.ok((r.body.metadata.managedFields as Entry[]).some((e) => e.manager === 'ssa-e2e' && e.operation === 'Update'), 'the manager comes from the User-Agent');
  });

  step('a pod applied server-side: a second manager\'s image change conflicts on the container by name', async () => {
    const pod = (image: string) =>
      `apiVersion: v1\nkind: Pod\nmetadata:\n  name: ssa-pod\n  namespace: ssa-133\nspec:\n  restartPolicy: Never\n  containers:\n  - name: main\n    image: ${image}\n    imagePullPolicy: IfNotPresent\n    command: ["sleep", "3600"]\n    ports:\n    - containerPort: 8080\n`;
    let r = await d.kubectl(['apply', '--server-side', '-f', '-'], { input: pod('localhost/busybox:latest') });
    assert.equal(r.code, 0, r.stderr);
    const entries = await managed('ssa-133', 'pod/ssa-pod');
    const mine = entries.find((e) => e.manager === 'kubectl')!;
    assert.deepEqual(Object.keys((mine.fieldsV1 as any)['f:spec']['f:containers']['k:{"name":"main"}']['f:ports']), ['k:{"containerPort":8080,"protocol":"TCP"}']);
    r = await d.kubectl(['apply', '--server-side', '--field-manager=other', '-f', '-'], { input: pod('localhost/busybox') });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /Apply failed with 1 conflict: conflict with "kubectl": \.spec\.containers\[name="main"\]\.image/);
  });
});
