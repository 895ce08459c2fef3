import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BadRequestError, InvalidError } from '../errors.js';
import type { KubeObject } from '../k8s/types.js';
import { applyPatch } from './patch.js';

const SMP = 'application/strategic-merge-patch+json';
const MERGE = 'application/merge-patch+json';
const JSONP = 'application/json-patch+json';

function pod(): KubeObject {
  return {
    apiVersion: 'v1', kind: 'Pod',
    metadata: { name: 'web', namespace: 'default', labels: { app: 'web', tier: 'fe' }, finalizers: ['a/x'], annotations: { keep: 'me' } },
    spec: {
      containers: [
        { name: 'main', image: 'nginx:1.25', ports: [{ containerPort: 80, protocol: 'TCP' }], env: [{ name: 'A', value: '1' }, { name: 'B', value: '2' }], args: ['x', 'y'] },
        { name: 'side', image: 'busybox', volumeMounts: [{ name: 'data', mountPath: '/data' }] },
      ],
      volumes: [{ name: 'data', emptyDir: {} }],
      tolerations: [{ key: 'k', operator: 'Exists' }],
    },
  };
}

const spec = (o: KubeObject): any => o.spec;

const cases: { name: string; type: string; patch: unknown; check: (out: KubeObject) => void }[] = [
  {
    name: 'kubectl apply changes one image by name and keeps the other container',
    type: SMP,
    patch: {
      metadata: { annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{"apiVersion":"v1"}\n' } },
      spec: { '$setElementOrder/containers': [{ name: 'main' }, { name: 'side' }], containers: [{ image: 'nginx:1.26', name: 'main' }] },
    },
    check: (o) => {
      assert.deepEqual(spec(o).containers.map((c: any) => `${c.name}=${c.image}`), ['main=nginx:1.26', 'side=busybox']);
      assert.equal(spec(o).containers[0].ports[0].containerPort, 80);
      assert.equal(o.metadata.annotations!.keep, 'me');
      assert.equal(o.metadata.annotations!['kubectl.kubernetes.io/last-applied-configuration'], '{"apiVersion":"v1"}\n');
      assert.equal(JSON.stringify(o).includes('$setElementOrder'), false);
    },
  },
  {
    name: 'setElementOrder reorders the merged list',
    type: SMP,
    patch: { spec: { '$setElementOrder/containers': [{ name: 'side' }, { name: 'main' }] } },
    check: (o) => assert.deepEqual(spec(o).containers.map((c: any) => c.name), ['side', 'main']),
  },
  {
    name: 'a new env var is appended and an existing one merged by name',
    type: SMP,
    patch: { spec: { containers: [{ name: 'main', env: [{ name: 'B', value: '3' }, { name: 'C', value: '4' }] }] } },
    check: (o) => assert.deepEqual(spec(o).containers[0].env, [{ name: 'A', value: '1' }, { name: 'B', value: '3' }, { name: 'C', value: '4' }]),
  },
  {
    name: 'a list without a merge key is replaced whole',
    type: SMP,
    patch: { spec: { containers: [{ name: 'main', args: ['z'] }], tolerations: [{ key: 'j', operator: 'Exists' }] } },
    check: (o) => {
      assert.deepEqual(spec(o).containers[0].args, ['z']);
      assert.deepEqual(spec(o).tolerations, [{ key: 'j', operator: 'Exists' }]);
    },
  },
  {
    name: '$patch delete removes a container by name',
    type: SMP,
    patch: { spec: { containers: [{ name: 'side', $patch: 'delete' }] } },
    check: (o) => assert.deepEqual(spec(o).containers.map((c: any) => c.name), ['main']),
  },
  {
    name: '$patch replace on a map replaces it whole',
    type: SMP,
    patch: { metadata: { labels: { $patch: 'replace', only: 'this' } } },
    check: (o) => assert.deepEqual(o.metadata.labels, { only: 'this' }),
  },
  {
    name: 'a $patch replace item replaces the whole keyed list',
    type: SMP,
    patch: { spec: { volumes: [{ $patch: 'replace' }, { name: 'new', emptyDir: {} }] } },
    check: (o) => assert.deepEqual(spec(o).volumes, [{ name: 'new', emptyDir: {} }]),
  },
  {
    name: 'null deletes a key',
    type: SMP,
    patch: { metadata: { labels: { tier: null } } },
    check: (o) => assert.deepEqual(o.metadata.labels, { app: 'web' }),
  },
  {
    name: 'finalizers merge as a set and deleteFromPrimitiveList removes',
    type: SMP,
    patch: { metadata: { finalizers: ['a/x', 'b/y'], '$deleteFromPrimitiveList/finalizers': ['a/x'] } },
    check: (o) => assert.deepEqual(o.metadata.finalizers, ['b/y']),
  },
  {
    name: 'retainKeys drops the old volume source when it changes',
    type: SMP,
    patch: { spec: { volumes: [{ name: 'data', $retainKeys: ['hostPath', 'name'], hostPath: { path: '/srv' } }] } },
    check: (o) => assert.deepEqual(spec(o).volumes, [{ name: 'data', hostPath: { path: '/srv' } }]),
  },
  {
    name: 'ports merge by containerPort',
    type: SMP,
    patch: { spec: { containers: [{ name: 'main', ports: [{ containerPort: 80, name: 'http' }, { containerPort: 443 }] }] } },
    check: (o) => assert.deepEqual(spec(o).containers[0].ports, [{ containerPort: 80, protocol: 'TCP', name: 'http' }, { containerPort: 443 }]),
  },
  {
    name: 'volumeMounts merge by mountPath',
    type: SMP,
    patch: { spec: { containers: [{ name: 'side', volumeMounts: [{ mountPath: '/data', readOnly: true }] }] } },
    check: (o) => assert.deepEqual(spec(o).containers[1].volumeMounts, [{ name: 'data', mountPath: '/data', readOnly: true }]),
  },
  {
    name: 'kubectl debug adds an ephemeral container',
    type: SMP,
    patch: { spec: { ephemeralContainers: [{ name: 'debugger-x', image: 'busybox', targetContainerName: 'main', stdin: true, tty: true }] } },
    check: (o) => assert.equal(spec(o).ephemeralContainers[0].name, 'debugger-x'),
  },
  {
    name: 'kubectl label sends a merge patch',
    type: MERGE,
    patch: { metadata: { labels: { env: 'prod', tier: null } } },
    check: (o) => assert.deepEqual(o.metadata.labels, { app: 'web', env: 'prod' }),
  },
  {
    name: 'a merge patch replaces lists whole',
    type: MERGE,
    patch: { spec: { containers: [{ name: 'only', image: 'x' }] } },
    check: (o) => assert.deepEqual(spec(o).containers, [{ name: 'only', image: 'x' }]),
  },
  {
    name: 'json patch replaces an image and adds an escaped label',
    type: JSONP,
    patch: [
      { op: 'replace', path: '/spec/containers/0/image', value: 'nginx:1.27' },
      { op: 'add', path: '/metadata/labels/app.kubernetes.io~1name', value: 'web' },
      { op: 'test', path: '/spec/containers/1/name', value: 'side' },
    ],
    check: (o) => {
      assert.equal(spec(o).containers[0].image, 'nginx:1.27');
      assert.equal(o.metadata.labels!['app.kubernetes.io/name'], 'web');
    },
  },
  {
    name: 'json patch move, copy, remove and append work together',
    type: JSONP,
    patch: [
      { op: 'copy', from: '/metadata/labels/app', path: '/metadata/labels/copy' },
      { op: 'move', from: '/metadata/labels/tier', path: '/metadata/annotations/tier' },
      { op: 'remove', path: '/spec/tolerations/0' },
      { op: 'add', path: '/spec/containers/0/args/-', value: 'z' },
    ],
    check: (o) => {
      assert.deepEqual(o.metadata.labels, { app: 'web', copy: 'web' });
      assert.equal(o.metadata.annotations!.tier, 'fe');
      assert.deepEqual(spec(o).tolerations, []);
      assert.deepEqual(spec(o).containers[0].args, ['x', 'y', 'z']);
    },
  },
];

for (const c of cases) {
  test(c.name, () => {
    const target = pod();
    const before = structuredClone(target);
    const out = applyPatch(target, c.type, c.patch);
    assert.deepEqual(target, before, 'the input is not mutated');
    c.check(out);
  });
}

const bad: { name: string; type: string; patch: unknown; err: new (...a: any[]) => Error; msg: RegExp }[] = [
  { name: 'a json patch test that fails is a 422 with one cause', type: JSONP, patch: [{ op: 'test', path: '/metadata/name', value: 'other' }], err: InvalidError, msg: /^Pod "web" is invalid: metadata\.name: Invalid value: "other": testing value \/metadata\/name failed/ },
  { name: 'a json patch on a missing path is a 422', type: JSONP, patch: [{ op: 'replace', path: '/spec/nope/x', value: 1 }], err: InvalidError, msg: /spec\.nope\.x: Not found/ },
  { name: 'a json patch that is not a list is a bad request', type: JSONP, patch: { op: 'add' }, err: BadRequestError, msg: /JSON array/ },
  { name: 'an unknown json patch op is a bad request', type: JSONP, patch: [{ op: 'frob', path: '/a' }], err: BadRequestError, msg: /unexpected op "frob"/ },
  { name: 'a keyed list item without its merge key is a bad request', type: SMP, patch: { spec: { containers: [{ image: 'x' }] } }, err: BadRequestError, msg: /does not contain declared merge key: name/ },
  { name: 'an unknown $patch value is a bad request', type: SMP, patch: { metadata: { $patch: 'explode' } }, err: BadRequestError, msg: /unknown patch type/ },
  { name: 'a merge patch that is not an object is a bad request', type: MERGE, patch: [1], err: BadRequestError, msg: /must be a JSON object/ },
  { name: 'an unsupported patch type is a bad request', type: 'application/foo', patch: {}, err: BadRequestError, msg: /unsupported patch type/ },
  { name: 'a body that is not JSON is a bad request', type: SMP, patch: '{not json', err: BadRequestError, msg: /error decoding patch/ },
];

for (const c of bad) {
  test(c.name, () => {
    assert.throws(() => applyPatch(pod(), c.type, c.patch), (e: unknown) => e instanceof c.err && c.msg.test((e as Error).message));
  });
}

test('a failed json patch test carries a single FieldValueInvalid cause', () => {
  try {
    applyPatch(pod(), JSONP, [{ op: 'test', path: '/spec/containers/0/image', value: 'x' }]);
    assert.fail('expected an error');
  } catch (e) {
    assert.ok(e instanceof InvalidError);
    assert.deepEqual(e.causes.map((c) => [c.type, c.field]), [['FieldValueInvalid', 'spec.containers[0].image']]);
  }
});
