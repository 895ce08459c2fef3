import { after, describe, it, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Pod } from '../../k8s/types.js';
import { RESOURCES } from '../../k8s/registry.js';
import { ensureNamespaces } from '../../store/bootstrap.js';
import { SqliteStore } from '../../store/sqlite-store.js';
import { FakeClock } from '../../system/clock.js';
import { silentLogger } from '../../system/logger.js';
import { ANNOTATION_CONFIG_MIRROR, isMirrorPod, mirrorPodOf, runtimeUidOf, staticPodFromManifest } from './manifest.js';
import { StaticPodSource } from './source.js';

const WEB = `apiVersion: v1
kind: Pod
metadata:
  name: static-web
spec:
  containers:
  - name: web
    image: busybox
`;
const SEEN = '2026-12-03T00:00:00.000Z';

test('a manifest becomes the kubelet-style static pod: <name>-<node>, bound, defaulted, annotated', () => {
  const r = staticPodFromManifest(WEB, '/etc/m/web.yaml', 'node1', SEEN);
  assert.ok(r.ok);
  const p = r.pod;
  assert.equal(p.metadata.name, 'static-web-node1');
  assert.equal(p.metadata.namespace, 'default');
  assert.equal(p.spec.nodeName, 'node1');
  assert.match(p.metadata.uid ?? '', /^[0-9a-f]{32}$/);
  assert.equal(p.metadata.annotations?.['kubernetes.io/config.hash'], p.metadata.uid);
  assert.equal(p.metadata.annotations?.['kubernetes.io/config.source'], 'file');
  assert.deepEqual(p.spec.tolerations?.at(-1), { operator: 'Exists', effect: 'NoExecute' });
  assert.equal(p.spec.containers[0].terminationMessagePath, '/dev/termination-log');
  assert.equal(p.spec.restartPolicy, 'Always');
});

test('the UID is the same for the same file, and changes with its content, path or node', () => {
  const uid = (text: string, file = '/m/web.yaml', node = 'n1') => {
    const r = staticPodFromManifest(text, file, node, SEEN);
    return r.ok ? r.pod.metadata.uid : assert.fail(r.error);
  };
  assert.equal(uid(WEB), uid(WEB));
  assert.notEqual(uid(WEB), uid(WEB.replace('busybox', 'busybox:1')));
  assert.notEqual(uid(WEB), uid(WEB, '/m/other.yaml'));
  assert.notEqual(uid(WEB), uid(WEB, '/m/web.yaml', 'n2'));
});

test('a bad manifest says why: not YAML, not a Pod, or a field error', () => {
  const err = (text: string) => {
    const r = staticPodFromManifest(text, '/m/x.yaml', 'n1', SEEN);
    return r.ok ? assert.fail('accepted') : r.error;
  };
  assert.match(err('a: [\n'), /.+/);
  assert.match(err('apiVersion: v1\nkind: Service\nmetadata: {name: s}\n'), /want a v1 Pod, found v1 Service/);
  assert.match(err('apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - name: c\n'), /spec\.containers\[0\]\.image/);
});

test('the mirror pod carries the hash and is owned by the node; a node runs a mirror under its static UID', () => {
  const r = staticPodFromManifest(WEB, '/m/web.yaml', 'n1', SEEN);
  assert.ok(r.ok);
  const mirror = mirrorPodOf(r.pod, { metadata: { name: 'n1', uid: 'node-uid' } });
  assert.ok(isMirrorPod(mirror));
  assert.equal(mirror.metadata.annotations?.[ANNOTATION_CONFIG_MIRROR], r.pod.metadata.uid);
  assert.deepEqual(mirror.metadata.ownerReferences, [{ apiVersion: 'v1', kind: 'Node', name: 'n1', uid: 'node-uid', controller: true }]);
  assert.equal(mirror.metadata.uid, undefined);
  assert.equal(runtimeUidOf({ ...mirror, metadata: { ...mirror.metadata, uid: 'api-uid' } }), r.pod.metadata.uid);
});

describe('the static pod source', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'peapod-static-'));
  const manifests = path.join(dir, 'manifests');
  const clock = new FakeClock();
  const store = new SqliteStore({ path: ':memory:', resources: RESOURCES, clock, logger: silentLogger() });
  ensureNamespaces(store);
  store.create('nodes', { apiVersion: 'v1', kind: 'Node', metadata: { name: 'n1' } } as never);
  const events: string[] = [];
  const seen: string[] = [];
  const source = new StaticPodSource({
    dir: manifests, nodeName: 'n1', store, clock, logger: silentLogger(), pollMs: 50,
    events: { record: (_ref, type, reason, message) => void events.push(`${type} ${reason} ${message}`) },
  });
  after(() => {
    source.stop();
    store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  const until = async (cond: () => boolean, what: string) => {
    for (let i = 0; i < 200 && !cond(); i++) await new Promise((r) => setTimeout(r, 20));
    assert.ok(cond(), `timed out waiting for ${what}: ${seen.join(', ')}`);
  };
  const mirror = () => store.tryGet<Pod>('pods', 'default', 'static-web-n1');

  it('starts with no directory, then follows files appearing, changing and going, with their mirror pods', async () => {
    assert.deepEqual(source.load(), []);
    source.start({
      upsert: (p) => seen.push(`up ${p.metadata.uid?.slice(0, 6)}`),
      remove: (p) => seen.push(`rm ${p.metadata.uid?.slice(0, 6)}`),
      refresh: () => {},
    });
    fs.mkdirSync(manifests);
    fs.writeFileSync(path.join(manifests, 'web.yaml'), WEB);
    fs.writeFileSync(path.join(manifests, '.hidden.yaml'), WEB);
    await until(() => seen.length === 1 && !!mirror(), 'the pod and its mirror');
    const first = source.pods()[0];
    assert.equal(mirror()!.metadata.annotations?.[ANNOTATION_CONFIG_MIRROR], first.metadata.uid);
    assert.equal(mirror()!.metadata.ownerReferences?.[0].kind, 'Node');
    // Deleted through the store: made again.
    const oldUid = mirror()!.metadata.uid;
    store.delete('pods', 'default', 'static-web-n1');
    await until(() => !!mirror() && mirror()!.metadata.uid !== oldUid, 'the mirror made again');
    // A changed file replaces the pod, and the mirror follows.
    fs.writeFileSync(path.join(manifests, 'web.yaml'), WEB.replace('busybox', 'busybox:2'));
    await until(() => seen.length === 3, 'the replacement');
    const second = source.pods()[0];
    assert.deepEqual(seen.slice(1), [`rm ${first.metadata.uid?.slice(0, 6)}`, `up ${second.metadata.uid?.slice(0, 6)}`]);
    await until(() => mirror()?.metadata.annotations?.[ANNOTATION_CONFIG_MIRROR] === second.metadata.uid, 'the new mirror');
    // A bad file is reported and does not stop the others.
    fs.writeFileSync(path.join(manifests, 'bad.yaml'), 'a: [\n');
    await until(() => events.some((e) => e.startsWith('Warning FailedStaticPodManifest') && e.includes('bad.yaml')), 'the event');
    assert.equal(source.pods().length, 1);
    // Gone: removed, and so is its mirror.
    fs.rmSync(path.join(manifests, 'web.yaml'));
    await until(() => seen.length === 4 && !mirror(), 'the removal');
  });
});
