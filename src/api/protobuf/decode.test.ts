import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ProtoWriter } from '../openapi/protobuf.js';
import { decodeK8sProtobuf, isK8sProtobuf } from './decode.js';

function envelope(apiVersion: string, kind: string, raw: Buffer): Buffer {
  const body = new ProtoWriter()
    .message(1, (tm) => tm.string(1, apiVersion).string(2, kind))
    .bytes(2, raw)
    .string(3, '')
    .string(4, '')
    .finish();
  return Buffer.concat([Buffer.from('k8s\0', 'binary'), body]);
}

test('a configmap from kubectl create configmap decodes to its JSON form', () => {
  const raw = new ProtoWriter()
    .message(1, (m) => m.string(1, 'cfg').string(2, '').string(3, 'default').message(8, () => {}))
    .message(2, (e) => e.string(1, 'a').string(2, 'b'))
    .message(2, (e) => e.string(1, 'empty'))
    .finish();
  const obj = decodeK8sProtobuf(envelope('v1', 'ConfigMap', raw));
  assert.deepEqual(obj, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cfg', namespace: 'default' }, data: { a: 'b', empty: '' } });
});

test('secret data bytes become base64 and the type is kept', () => {
  const raw = new ProtoWriter()
    .message(1, (m) => m.string(1, 's'))
    .message(2, (e) => e.string(1, 'k').bytes(2, Buffer.from('v')))
    .string(3, 'Opaque')
    .finish();
  assert.deepEqual(decodeK8sProtobuf(envelope('v1', 'Secret', raw)), {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: 's' },
    data: { k: 'dg==' },
    type: 'Opaque',
  });
});

test('delete options fall back to meta/v1 and keep an explicit zero grace period', () => {
  const raw = new ProtoWriter().message(2, (p) => p.string(1, 'uid-1')).string(4, 'Background').finish();
  const buf = new ProtoWriter().message(1, (tm) => tm.string(1, 'v1').string(2, 'DeleteOptions')).bytes(2, Buffer.concat([Buffer.from([0x08, 0x00]), raw])).finish();
  const obj = decodeK8sProtobuf(Buffer.concat([Buffer.from('k8s\0', 'binary'), buf]));
  assert.deepEqual(obj, { apiVersion: 'v1', kind: 'DeleteOptions', gracePeriodSeconds: 0, preconditions: { uid: 'uid-1' }, propagationPolicy: 'Background' });
});

test('timestamps and quantities use their JSON forms', () => {
  const raw = new ProtoWriter()
    .message(1, (m) => m.string(1, 'p').message(8, (t) => t.bytes(99, Buffer.alloc(0))))
    .message(2, (spec) =>
      spec.message(2, (c) =>
        c
          .string(1, 'main')
          .string(2, 'busybox')
          .message(8, (rr) => rr.message(1, (e) => e.string(1, 'cpu').message(2, (q) => q.string(1, '500m')))),
      ),
    )
    .finish();
  const obj = decodeK8sProtobuf(envelope('v1', 'Pod', raw)) as { spec: { containers: { resources: unknown }[] } };
  assert.deepEqual(obj.spec.containers[0].resources, { limits: { cpu: '500m' } });
});

test('a body without the magic prefix is not protobuf', () => {
  assert.equal(isK8sProtobuf(Buffer.from('{"kind":"Pod"}')), false);
  assert.throws(() => decodeK8sProtobuf(Buffer.from('{}')), /magic prefix/);
});

test('an overlong varint is a bad request, refused at its 11th byte', () => {
  const body = Buffer.concat([Buffer.from('k8s\0', 'latin1'), Buffer.alloc(1 << 20, 0xff)]);
  assert.throws(() => decodeK8sProtobuf(body), /varint longer than 10 bytes/);
});

test("a volume's source is inlined as Go's JSON writes it (kubectl debug node/ sends its pod as protobuf)", () => {
  const raw = new ProtoWriter()
    .message(1, (m) => m.string(1, 'node-debugger'))
    .message(2, (spec) =>
      spec.message(1, (v) => v.string(1, 'host-root').message(2, (src) => src.message(1, (hp) => hp.string(1, '/')))),
    )
    .finish();
  const pod = decodeK8sProtobuf(envelope('v1', 'Pod', raw)) as { spec: { volumes: unknown[] } };
  assert.deepEqual(pod.spec.volumes, [{ name: 'host-root', hostPath: { path: '/' } }]);
});
