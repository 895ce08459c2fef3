// Fuzzed API requests from a seeded PRNG (the same seed makes the same cases): valid manifests of every
// kind with one path given a wrong value, raw bodies corrupted (truncated, invalid UTF-8, deep nesting,
// huge), bad content types, bad query parameters, bad paths and methods, patches of every type with bad
// bodies, odd headers. Every case names its namespace `ns` (or a cluster-scoped object named fz-…), so
// nothing outside it can be touched by a case that happens to be valid.

import type { RawRequest } from './raw-https.js';

/** mulberry32: a small, fast, seeded PRNG. */
export class Prng {
  private s: number;
  constructor(seed: number) {
    this.s = seed >>> 0;
  }
  next(): number {
    this.s = (this.s + 0x6d2b79f5) >>> 0;
    let t = this.s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  pick<T>(xs: readonly T[]): T {
    return xs[this.int(xs.length)]!;
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
}

export interface FuzzCase extends RawRequest {
  /** What the case is, for the failure message. */
  label: string;
  /** A 2xx may stream (watch, logs -f): its head is enough. */
  streaming: boolean;
}

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

interface Kind {
  /** Collection path under the case's namespace (or cluster-scoped). */
  collection: (ns: string) => string;
  object: (name: string, ns: string) => Json;
}

const meta = (name: string, ns?: string): Json => ({ name, ...(ns ? { namespace: ns } : {}), labels: { app: 'fuzz', tier: 'x' }, annotations: { note: 'fuzz' } });

const KINDS: Record<string, Kind> = {
  pod: {
    collection: (ns) => `/api/v1/namespaces/${ns}/pods`,
    object: (name, ns) => ({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: meta(name, ns),
      spec: {
        restartPolicy: 'Never',
        terminationGracePeriodSeconds: 0,
        containers: [
          {
            name: 'c',
            image: 'localhost/busybox:latest',
            command: ['true'],
            env: [{ name: 'A', value: 'b' }],
            ports: [{ containerPort: 80, protocol: 'TCP' }],
            resources: { limits: { cpu: '100m', memory: '32Mi' } },
            volumeMounts: [{ name: 'v', mountPath: '/v' }],
            readinessProbe: { exec: { command: ['true'] }, periodSeconds: 5 },
            securityContext: { runAsUser: 1000 },
          },
        ],
        volumes: [{ name: 'v', emptyDir: { sizeLimit: '1Mi' } }],
        tolerations: [{ key: 'k', operator: 'Exists', effect: 'NoSchedule' }],
      },
    }),
  },
  configmap: {
    collection: (ns) => `/api/v1/namespaces/${ns}/configmaps`,
    object: (name, ns) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: meta(name, ns), data: { a: 'b' }, binaryData: { c: 'ZA==' } }),
  },
  secret: {
    collection: (ns) => `/api/v1/namespaces/${ns}/secrets`,
    object: (name, ns) => ({ apiVersion: 'v1', kind: 'Secret', metadata: meta(name, ns), type: 'Opaque', data: { a: 'Yg==' }, stringData: { c: 'd' } }),
  },
  service: {
    collection: (ns) => `/api/v1/namespaces/${ns}/services`,
    object: (name, ns) => ({ apiVersion: 'v1', kind: 'Service', metadata: meta(name, ns), spec: { selector: { app: 'fuzz' }, ports: [{ port: 80, targetPort: 8080, protocol: 'TCP' }] } }),
  },
  serviceaccount: {
    collection: (ns) => `/api/v1/namespaces/${ns}/serviceaccounts`,
    object: (name, ns) => ({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: meta(name, ns), automountServiceAccountToken: false }),
  },
  pvc: {
    collection: (ns) => `/api/v1/namespaces/${ns}/persistentvolumeclaims`,
    object: (name, ns) => ({ apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: meta(name, ns), spec: { storageClassName: 'fuzz-none', accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Mi' } } } }),
  },
  event: {
    collection: (ns) => `/api/v1/namespaces/${ns}/events`,
    object: (name, ns) => ({ apiVersion: 'v1', kind: 'Event', metadata: meta(name, ns), involvedObject: { kind: 'Pod', name: 'x', namespace: ns }, reason: 'Fuzz', message: 'm', type: 'Normal', count: 1, firstTimestamp: '2026-01-01T00:00:00Z' }),
  },
  eventsv1: {
    collection: (ns) => `/apis/events.k8s.io/v1/namespaces/${ns}/events`,
    object: (name, ns) => ({ apiVersion: 'events.k8s.io/v1', kind: 'Event', metadata: meta(name, ns), eventTime: '2026-01-01T00:00:00.000000Z', reportingController: 'fuzz/c', reportingInstance: 'i', action: 'A', reason: 'R', type: 'Normal', regarding: { kind: 'Pod', name: 'x', namespace: ns } }),
  },
  lease: {
    collection: (ns) => `/apis/coordination.k8s.io/v1/namespaces/${ns}/leases`,
    object: (name, ns) => ({ apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: meta(name, ns), spec: { holderIdentity: 'h', leaseDurationSeconds: 10, renewTime: '2026-01-01T00:00:00.000000Z' } }),
  },
  namespace: {
    collection: () => `/api/v1/namespaces`,
    object: (name) => ({ apiVersion: 'v1', kind: 'Namespace', metadata: meta(name) }),
  },
  storageclass: {
    collection: () => `/apis/storage.k8s.io/v1/storageclasses`,
    object: (name) => ({ apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass', metadata: meta(name), provisioner: 'fuzz.example/none', reclaimPolicy: 'Delete', volumeBindingMode: 'WaitForFirstConsumer', parameters: { a: 'b' } }),
  },
  pv: {
    collection: () => `/api/v1/persistentvolumes`,
    object: (name) => ({ apiVersion: 'v1', kind: 'PersistentVolume', metadata: meta(name), spec: { storageClassName: 'fuzz-none', capacity: { storage: '1Mi' }, accessModes: ['ReadWriteOnce'], hostPath: { path: `/tmp/peapod-fuzz-${name}` }, persistentVolumeReclaimPolicy: 'Retain' } }),
  },
  crd: {
    collection: () => `/apis/apiextensions.k8s.io/v1/customresourcedefinitions`,
    object: (name) => ({
      apiVersion: 'apiextensions.k8s.io/v1',
      kind: 'CustomResourceDefinition',
      metadata: { name: `${name}s.fuzz.example` },
      spec: { group: 'fuzz.example', scope: 'Namespaced', names: { plural: `${name}s`, singular: name, kind: 'Fz' }, versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object', properties: { spec: { type: 'object' } } } } }] },
    }),
  },
};

const HUGE = 'x'.repeat(1 << 20);

/** Values of a wrong type or shape for any field. */
function wrongValue(rng: Prng): Json {
  const options: (() => Json)[] = [
    () => 'str',
    () => '',
    () => 12345,
    () => -1,
    () => 1.5,
    () => 1e308,
    () => -0,
    () => true,
    () => false,
    () => null,
    () => [],
    () => ({}),
    () => [1, 'a', null, {}],
    () => ({ a: { b: [1] } }),
    () => HUGE.slice(0, rng.pick([300, 64 * 1024, 1 << 20])),
    () => '\ud800\udfff\ud800',
    () => 'a\u0000b',
    () => 'ΩЖ中\u202e',
    () => '-1',
    () => '1Gi',
    () => '2026-13-45T99:99:99Z',
    () => Array.from({ length: 5000 }, (_, i) => i),
    () => deepNest(rng.pick([64, 1000, 2000])),
  ];
  return rng.pick(options)();
}

function deepNest(depth: number): Json {
  let v: Json = 1;
  for (let i = 0; i < depth; i++) v = i % 2 ? [v] : { a: v };
  return v;
}

/** Every path into a JSON value (object keys and array indices), the root excluded. */
function paths(v: Json, prefix: (string | number)[] = [], out: (string | number)[][] = []): (string | number)[][] {
  if (Array.isArray(v)) v.forEach((x, i) => (out.push([...prefix, i]), paths(x, [...prefix, i], out)));
  else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) out.push([...prefix, k]), paths(x, [...prefix, k], out);
  return out;
}

function setAt(root: Json, path: (string | number)[], value: Json | undefined): void {
  let cur = root as Record<string | number, Json>;
  for (const p of path.slice(0, -1)) cur = cur[p] as Record<string | number, Json>;
  const last = path[path.length - 1]!;
  if (value === undefined) {
    if (Array.isArray(cur)) cur.splice(last as number, 1);
    else delete cur[last];
  } else cur[last] = value;
}

/** A valid object with one to three of its paths given a wrong value, removed, or joined by an unknown field. */
function mutatedObject(rng: Prng, kind: Kind, name: string, ns: string): Json {
  const obj = kind.object(name, ns);
  const n = 1 + rng.int(3);
  for (let i = 0; i < n; i++) {
    const all = paths(obj);
    const p = rng.pick(all);
    const r = rng.next();
    if (r < 0.7) setAt(obj, p, wrongValue(rng));
    else if (r < 0.85) setAt(obj, p, undefined);
    else setAt(obj, [...p.slice(0, -1), `bogus${rng.int(100)}`], wrongValue(rng));
  }
  return obj;
}

/** Bytes made wrong: truncated, bytes flipped, invalid UTF-8 inserted, duplicated keys, trailing junk. */
function corrupt(rng: Prng, text: string): Buffer {
  const buf = Buffer.from(text);
  switch (rng.int(7)) {
    case 0:
      return buf.subarray(0, rng.int(buf.length));
    case 1: {
      const out = Buffer.from(buf);
      for (let i = 0; i < 1 + rng.int(8); i++) out[rng.int(out.length)] = rng.int(256);
      return out;
    }
    case 2: {
      const at = rng.int(buf.length);
      const bad = rng.pick([[0xff, 0xfe], [0xc0, 0xaf], [0xed, 0xa0, 0x80], [0xf8, 0x88, 0x80, 0x80, 0x80], [0x80], [0xe2, 0x82]]);
      return Buffer.concat([buf.subarray(0, at), Buffer.from(bad), buf.subarray(at)]);
    }
    case 3:
      return Buffer.from(text.replace('"metadata"', '"metadata":{"name":"dup"},"metadata"'));
    case 4:
      return Buffer.concat([buf, Buffer.from(rng.pick(['}', ']]]', '\n---\nkind: Pod', '\u0000', ' garbage', '{}']))]);
    case 5:
      return Buffer.from(text.replace(/"([a-zA-Z]+)":/, '$1:'));
    default:
      return Buffer.from(rng.pick(['', ' ', 'null', '[]', '"a"', '1', 'true', '{', '{"a":', 'NaN', '{"kind":"Pod"}', '{"apiVersion":"v1"}', '\ufeff{}']));
  }
}

/** Bodies that stress the decoder itself. */
function hostileBody(rng: Prng): { body: Buffer; type: string } {
  switch (rng.int(8)) {
    case 0:
      return { body: Buffer.from('['.repeat(rng.pick([1000, 100_000, 1_000_000])) + ']'.repeat(rng.pick([0, 1000])), 'utf8'), type: 'application/json' };
    case 1:
      return { body: Buffer.from('{"a":'.repeat(rng.pick([1000, 200_000])) + '1' + '}'.repeat(200_000)), type: 'application/json' };
    case 2: {
      // A YAML alias bomb ("billion laughs").
      const lines = ['a: &a ["x","x","x","x","x","x","x","x","x"]'];
      for (let i = 1; i < 12; i++) lines.push(`${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [*${String.fromCharCode(96 + i)},*${String.fromCharCode(96 + i)},*${String.fromCharCode(96 + i)},*${String.fromCharCode(96 + i)},*${String.fromCharCode(96 + i)},*${String.fromCharCode(96 + i)},*${String.fromCharCode(96 + i)},*${String.fromCharCode(96 + i)},*${String.fromCharCode(96 + i)}]`);
      return { body: Buffer.from(lines.join('\n')), type: 'application/yaml' };
    }
    case 3:
      return { body: Buffer.from('- '.repeat(50_000) + 'x'), type: 'application/yaml' };
    case 4: {
      const b = Buffer.alloc(rng.pick([16, 1024, 65536]));
      for (let i = 0; i < b.length; i++) b[i] = rng.int(256);
      if (rng.chance(0.5)) Buffer.from('k8s\u0000').copy(b);
      return { body: b, type: 'application/vnd.kubernetes.protobuf' };
    }
    case 5:
      return { body: Buffer.from(JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'big' }, data: { a: HUGE.repeat(4) } })), type: 'application/json' };
    case 6:
      return { body: Buffer.from('!!binary ' + 'A'.repeat(1000) + '\n? [a]\n: b\n%TAG ! tag:x\n&x *x'), type: 'application/yaml' };
    default:
      return { body: Buffer.from(`{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"n${'\\ud800'.repeat(10)}"},"data":{"\\u0000":"\\udfff"}}`), type: 'application/json' };
  }
}

const CONTENT_TYPES = [
  'application/json',
  'application/json',
  'application/yaml',
  'application/vnd.kubernetes.protobuf',
  'application/cbor',
  'application/apply-patch+cbor',
  'text/plain',
  'multipart/form-data; boundary=x',
  'application/x-www-form-urlencoded',
  'application/json; charset=latin1',
  'application/json;;;;',
  'Application/JSON',
  '*/*',
  '',
  'application/merge-patch+json',
  'application/strategic-merge-patch+json',
  'application/json-patch+json',
  'application/apply-patch+yaml',
  'application/octet-stream',
];

const PATCH_TYPES = ['application/json-patch+json', 'application/merge-patch+json', 'application/strategic-merge-patch+json', 'application/apply-patch+yaml', 'application/apply-patch+json'];

function badPatchBody(rng: Prng, type: string): string {
  if (type === 'application/json-patch+json') {
    return JSON.stringify(
      rng.pick<Json>([
        [{ op: 'bogus', path: '/a' }],
        [{ op: 'add' }],
        [{ op: 'add', path: 'no-slash', value: 1 }],
        [{ op: 'replace', path: '/metadata/name', value: {} }],
        [{ op: 'remove', path: '/spec/containers/99' }],
        [{ op: 'move', from: '/metadata', path: '/metadata/labels' }],
        [{ op: 'copy', from: '/nope', path: '/x' }],
        [{ op: 'test', path: '/metadata/name', value: 'other' }],
        [{ op: 'add', path: '/metadata/labels/~2', value: 'x' }],
        [{ op: 'add', path: '/spec/containers/-', value: deepNest(500) }],
        [{ op: 'add', path: '/metadata/labels/' + 'a'.repeat(5000), value: 'x' }],
        [{ op: 'replace', path: '/spec/containers/0/image', value: 5 }],
        [{ op: 'add', path: '/metadata/finalizers', value: ['x/y'] }],
        Array.from({ length: 10_000 }, () => ({ op: 'add', path: '/metadata/labels/a', value: 'b' })),
        {},
        'str',
        [1, 2],
      ]),
    );
  }
  return JSON.stringify(
    rng.pick<Json>([
      { metadata: { name: 5 } },
      { metadata: { labels: 'x' } },
      { metadata: { labels: { 'a b': 'c' } } },
      { spec: { containers: 'x' } },
      { spec: { containers: [{ name: 'c', image: null }] } },
      { spec: { containers: [{ $patch: 'delete' }] } },
      { $patch: 'replace' },
      { $patch: 'bogus' },
      { $setElementOrder: { containers: 'x' } },
      { 'spec': { '$setElementOrder/containers': [{ name: 'nope' }] } },
      { $retainKeys: 5 },
      { 'metadata': { '$deleteFromPrimitiveList/finalizers': 'x' } },
      { apiVersion: 'v2', kind: 'Nope' },
      { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'other' } },
      { metadata: { resourceVersion: 'abc' } },
      { metadata: { uid: 'x' } },
      { data: { 'bad key!': 'x' } },
      [],
      null,
      'str',
      deepNest(2000),
    ]),
  );
}

const SELECTORS = ['a=', '=b', '!!', 'a in (', 'a notin b', 'x'.repeat(10_000), 'a=b,', 'a==b==c', 'a=(b)', 'a,b,,c', '!a=b', 'a!=', 'a in ()', 'a in (b,c', 'ü=ö', 'a=b c', '\u0000', 'a>1', 'a<', 'a,!b', 'x/y/z=1'];
const FIELD_SELECTORS = ['metadata.name', 'spec.foo=bar', 'status.phase!=', 'a=b=c', 'metadata.name==x', 'spec.nodeName=', 'metadata.namespace=default', ',', 'metadata.name in (a)', 'involvedObject.kind=Pod', 'spec.schedulerName=x', 'x'.repeat(5000)];
const BAD_INTS = ['-1', 'abc', '1e3', '9999999999999999999', '0x10', '', '1.5', '-0', ' 1', '2147483648', '99999999999', 'Infinity', 'NaN', '0'];

const QUERY_VALUES: Record<string, string[]> = {
  labelSelector: SELECTORS,
  fieldSelector: FIELD_SELECTORS,
  limit: BAD_INTS,
  continue: ['!!', 'abc', Buffer.from('{"v":"meta.k8s.io/v1","rv":-1,"start":""}').toString('base64'), Buffer.from('{"v":"x","rv":1}').toString('base64'), Buffer.from('{"v":"meta.k8s.io/v1","rv":1,"start":"\u0000/../"}').toString('base64'), 'eyJ2IjoibWV0YS5rOHMuaW8vdjEiLCJydiI6MSwic3RhcnQiOnt9fQ', ''],
  resourceVersion: BAD_INTS,
  resourceVersionMatch: ['Exact', 'NotOlderThan', 'bogus', ''],
  timeoutSeconds: BAD_INTS,
  watch: ['maybe', '1', 'true', 'false', '', 'TRUE'],
  allowWatchBookmarks: ['maybe', 'true'],
  sendInitialEvents: ['true', 'x'],
  dryRun: ['All', 'all', 'None', 'bogus', '', 'All,All'],
  fieldManager: ['x'.repeat(200), '\u0000', '', 'ok', 'ü'],
  fieldValidation: ['Strict', 'Warn', 'Ignore', 'bogus', ''],
  propagationPolicy: ['Orphan', 'Background', 'Foreground', 'Bogus', ''],
  gracePeriodSeconds: BAD_INTS,
  orphanDependents: ['maybe', 'true'],
  force: ['maybe', 'true'],
  pretty: ['maybe', 'true'],
  includeObject: ['Object', 'None', 'Metadata', 'bogus'],
  container: ['nope', '', '\u0000'],
  follow: ['maybe', 'true'],
  tailLines: BAD_INTS,
  sinceSeconds: BAD_INTS,
  sinceTime: ['yesterday', '2026-13-01T00:00:00Z', ''],
  limitBytes: BAD_INTS,
  previous: ['maybe'],
};

function query(rng: Prng, n: number): string {
  const parts: string[] = [];
  const keys = Object.keys(QUERY_VALUES);
  for (let i = 0; i < n; i++) {
    const k = rng.chance(0.05) ? rng.pick(['bogus', '', '%zz', 'limit[]', 'a'.repeat(3000)]) : rng.pick(keys);
    const v = rng.pick(QUERY_VALUES[k] ?? ['x']);
    parts.push(`${rng.chance(0.1) ? k : encodeURIComponent(k)}=${rng.chance(0.05) ? v.replace(/./g, '%') : encodeURIComponent(v)}`);
  }
  // A watch that stays valid ends on its own.
  if (!parts.some((p) => p.startsWith('timeoutSeconds='))) parts.push('timeoutSeconds=1');
  return parts.join('&');
}

function pathsFor(ns: string, name: string): string[] {
  return [
    '/',
    '/api',
    '/api/v1',
    '/apis',
    '/apis/apps/v1',
    '/version',
    '/openapi/v2',
    '/openapi/v3',
    '/openapi/v3/api/v1',
    '/openapi/v3/apis/bogus/v1',
    `/api/v1/namespaces/${ns}`,
    `/api/v1/namespaces/${ns}/pods`,
    `/api/v1/namespaces/${ns}/pods/${name}`,
    `/api/v1/namespaces/${ns}/pods/${name}/status`,
    `/api/v1/namespaces/${ns}/pods/${name}/log`,
    `/api/v1/namespaces/${ns}/pods/${name}/exec`,
    `/api/v1/namespaces/${ns}/pods/${name}/attach`,
    `/api/v1/namespaces/${ns}/pods/${name}/portforward`,
    `/api/v1/namespaces/${ns}/pods/${name}/eviction`,
    `/api/v1/namespaces/${ns}/pods/${name}/binding`,
    `/api/v1/namespaces/${ns}/pods/${name}/ephemeralcontainers`,
    `/api/v1/namespaces/${ns}/pods/${name}/proxy`,
    `/api/v1/namespaces/${ns}/pods/${name}/bogus`,
    `/api/v1/namespaces/${ns}/serviceaccounts/${name}/token`,
    `/api/v1/namespaces/${ns}/persistentvolumeclaims/${name}/status`,
    `/api/v1/namespaces/${ns}/configmaps/${name}`,
    `/api/v1/namespaces/${ns}/events`,
    `/apis/events.k8s.io/v1/namespaces/${ns}/events`,
    `/apis/coordination.k8s.io/v1/namespaces/${ns}/leases/${name}`,
    `/api/v1/watch/namespaces/${ns}/pods`,
    `/api/v1/nodes`,
    `/api/v1/nodes/${name}`,
    `/api/v1/nodes/${name}/proxy/stats`,
    `/apis/metrics.k8s.io/v1beta1/namespaces/${ns}/pods`,
    `/apis/authorization.k8s.io/v1/selfsubjectaccessreviews`,
    `/apis/authorization.k8s.io/v1/selfsubjectrulesreviews`,
    `/apis/authentication.k8s.io/v1/selfsubjectreviews`,
    `/apis/fuzz.example/v1/namespaces/${ns}/fzs`,
    `/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${name}s.fuzz.example`,
    `/peapod/v1/images`,
    `/peapod/v1/images/${name}`,
    `/healthz`,
    `/livez/bogus`,
    `/readyz?verbose`,
    `/metrics`,
  ];
}

function mangledPath(rng: Prng, p: string): string {
  switch (rng.int(14)) {
    case 0:
      return p + '/' + rng.pick(['..', '%2e%2e', '.', '', 'x/y/z', '%00', '%ff%fe', '%', '%zz', 'UPPER', 'a'.repeat(300), '%2F']);
    case 1:
      return p.replace(/\/[^/]*$/, '/' + rng.pick(['..', '%2e%2e', 'a b', 'a%20b', 'A_B', '-x-', 'x.', '%c0%af', '\u00ff']));
    case 2:
      return '//' + p;
    case 3:
      return p + '/' + 'x'.repeat(rng.pick([1000, 8000, 60_000]));
    case 4:
      return p.replace('/namespaces/', '/namespaces//');
    case 5:
      return p.replace(/v1/, rng.pick(['v2', 'v1beta1', 'V1', '']));
    case 6:
      return p + rng.pick(['#frag', '?', '??', '?&&', '?=', '?a=%', ';x', '%3F']);
    case 7:
      return rng.pick(['*', 'http://localhost/api', 'https://other.example:1/api/v1/pods', '//:99999', 'api/v1', '', '\\api\\v1', '/%', 'http://[::1', '/api/v1/namespaces/%zz/pods']);
    case 8:
      return p.split('/').map((s) => (rng.chance(0.3) ? encodeURIComponent(encodeURIComponent(s)) : s)).join('/');
    case 9:
      return p.replace(/\/[^/]+$/, '/' + Array.from({ length: 20 }, () => 'seg').join('/'));
    default:
      return p;
  }
}

const METHODS = ['GET', 'GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS', 'TRACE', 'PROPFIND', 'get', 'FOO', 'GET\tX', 'PURGE', 'M-SEARCH', 'LINK'];

function headersFor(rng: Prng, type: string | undefined): [string, string][] {
  const h: [string, string][] = [];
  if (type !== undefined && type !== '') h.push(['Content-Type', type]);
  if (rng.chance(0.3)) {
    h.push([
      'Accept',
      rng.pick([
        'application/json',
        'application/json;as=Table;v=v1;g=meta.k8s.io',
        'application/json;as=Table;v=v1beta1;g=meta.k8s.io, application/json',
        'application/json;as=PartialObjectMetadataList;v=v1;g=meta.k8s.io',
        'application/json;as=PartialObjectMetadata;v=v1;g=meta.k8s.io',
        'application/json;as=Bogus;v=v9;g=x',
        'application/vnd.kubernetes.protobuf',
        'application/vnd.kubernetes.protobuf;stream=watch',
        'application/cbor',
        'text/html',
        'application/yaml',
        '*/*;q=x',
        ';;;',
        'application/json;as=Table;v=v1;g=meta.k8s.io;includeObject=Bogus',
      ]),
    ]);
  }
  if (rng.chance(0.1)) h.push(['Impersonate-User', rng.pick(['system:admin', 'nobody', '', 'x'.repeat(500)])]);
  if (rng.chance(0.05)) h.push(['Impersonate-Group', rng.pick(['system:masters', ''])]);
  if (rng.chance(0.05)) h.push(['Authorization', rng.pick(['Bearer', 'Bearer x.y.z', 'Basic Zm9vOmJhcg==', 'Bearer ' + 'a'.repeat(4000)])]);
  if (rng.chance(0.05)) h.push(['Content-Encoding', rng.pick(['gzip', 'br', 'bogus'])]);
  if (rng.chance(0.05)) h.push(['X-Filler', 'y'.repeat(rng.pick([100, 10_000, 20_000]))]);
  if (rng.chance(0.03)) for (let i = 0; i < rng.pick([50, 300]); i++) h.push([`X-H${i}`, 'v']);
  if (rng.chance(0.03)) h.push(['Expect', '100-continue']);
  if (rng.chance(0.02)) h.push(['Transfer-Encoding', rng.pick(['chunked', 'gzip', 'bogus'])]);
  if (rng.chance(0.02)) h.push(['Upgrade', rng.pick(['websocket', 'SPDY/3.1', 'h2c'])], ['Connection', 'Upgrade']);
  return h;
}

/** The `i`th case of the run with this PRNG. Names are unique per case (fz-<i>), in namespace `ns`. */
export function fuzzCase(rng: Prng, i: number, ns: string): FuzzCase {
  const name = `fz-${i}`;
  const kindName = rng.pick(Object.keys(KINDS));
  const kind = KINDS[kindName]!;
  const collection = kind.collection(ns);
  // Pods that a case makes valid would start for real (2 CPUs: the run would be about them); most are dry runs.
  const dry = rng.chance(kindName === 'pod' ? 0.95 : 0.5) ? '?dryRun=All' : '';
  const kindOf = (c: Partial<FuzzCase> & { label: string; method: string; target: string }): FuzzCase => ({ headers: [], streaming: false, ...c });
  switch (rng.int(9)) {
    case 0:
    case 1: {
      // A valid manifest with wrong values: created, replaced or applied.
      const obj = mutatedObject(rng, kind, name, ns);
      const how = rng.int(3);
      const type = rng.chance(0.2) ? 'application/yaml' : 'application/json';
      if (how === 0) return kindOf({ label: `create ${kindName} with wrong values`, method: 'POST', target: collection + dry, headers: headersFor(rng, type), body: Buffer.from(JSON.stringify(obj)) });
      if (how === 1) return kindOf({ label: `replace ${kindName} with wrong values`, method: 'PUT', target: `${collection}/${name}${dry}`, headers: headersFor(rng, type), body: Buffer.from(JSON.stringify(obj)) });
      return kindOf({ label: `apply ${kindName} with wrong values`, method: 'PATCH', target: `${collection}/${name}?fieldManager=fuzz${dry ? '&dryRun=All' : ''}`, headers: headersFor(rng, 'application/apply-patch+yaml'), body: Buffer.from(JSON.stringify(obj)) });
    }
    case 2: {
      // Corrupted bytes of a valid manifest.
      const text = JSON.stringify(kind.object(name, ns));
      const method = rng.pick(['POST', 'PUT', 'PATCH']);
      const type = method === 'PATCH' ? rng.pick(PATCH_TYPES) : rng.pick(['application/json', 'application/yaml']);
      return kindOf({ label: `${method} ${kindName} with corrupted bytes`, method, target: method === 'POST' ? collection : `${collection}/${name}?fieldManager=fuzz`, headers: headersFor(rng, type), body: corrupt(rng, text) });
    }
    case 3: {
      const { body, type } = hostileBody(rng);
      const method = rng.pick(['POST', 'PUT', 'PATCH']);
      const t = method === 'PATCH' && type === 'application/json' ? rng.pick(PATCH_TYPES) : type;
      return kindOf({ label: `${method} ${kindName} with a hostile ${t} body of ${body.length} bytes`, method, target: method === 'POST' ? collection : `${collection}/${name}?fieldManager=fuzz`, headers: headersFor(rng, t), body });
    }
    case 4: {
      // A valid body with a bad content type.
      const type = rng.pick(CONTENT_TYPES);
      const method = rng.pick(['POST', 'PUT', 'PATCH']);
      return kindOf({ label: `${method} ${kindName} as ${JSON.stringify(type)}`, method, target: method === 'POST' ? collection + dry : `${collection}/${name}?fieldManager=fuzz`, headers: headersFor(rng, type), body: Buffer.from(JSON.stringify(kind.object(name, ns))) });
    }
    case 5: {
      // Bad query parameters on lists, gets, watches, deletes, creates and logs.
      const method = rng.pick(['GET', 'GET', 'GET', 'DELETE', 'POST', 'PATCH']);
      const base = rng.pick([collection, `${collection}/${name}`, `/api/v1/namespaces/${ns}/pods/${name}/log`, `/api/v1/namespaces/${ns}/events`]);
      const q = query(rng, 1 + rng.int(4));
      const body = method === 'POST' ? Buffer.from(JSON.stringify(kind.object(name, ns))) : method === 'PATCH' ? Buffer.from('{"metadata":{"labels":{"p":"q"}}}') : undefined;
      const type = method === 'POST' ? 'application/json' : method === 'PATCH' ? 'application/merge-patch+json' : undefined;
      return kindOf({ label: `${method} ${base} with bad parameters`, method, target: `${base}?${q}`, headers: headersFor(rng, type), body, streaming: /watch=|follow=/.test(q) });
    }
    case 6: {
      // Bad paths and methods.
      const method = rng.pick(METHODS);
      const target = mangledPath(rng, rng.pick(pathsFor(ns, name)));
      const withBody = rng.chance(0.4);
      return kindOf({ label: `${method} on a bad path`, method, target, headers: headersFor(rng, withBody ? rng.pick(CONTENT_TYPES) : undefined), body: withBody ? Buffer.from('{"a":1}') : undefined, streaming: true });
    }
    case 7: {
      // Patches of every type with bad bodies, on an object that may or may not exist.
      const type = rng.pick(PATCH_TYPES);
      const target = rng.pick([`${collection}/${name}`, `${collection}/fz-base`, `/api/v1/namespaces/${ns}/pods/fz-base/status`, `/api/v1/namespaces/${ns}/configmaps/fz-base`]);
      return kindOf({ label: `${type} patch with a bad body`, method: 'PATCH', target: `${target}?fieldManager=fuzz${dry ? '&dryRun=All' : ''}`, headers: headersFor(rng, type), body: Buffer.from(badPatchBody(rng, type)) });
    }
    default: {
      // Lying lengths and truncated uploads.
      const text = JSON.stringify(kind.object(name, ns));
      const body = Buffer.from(text);
      const r = rng.int(3);
      if (r === 0) return kindOf({ label: 'a body shorter than its Content-Length, then end of input', method: 'POST', target: collection, headers: headersFor(rng, 'application/json'), body: body.subarray(0, rng.int(body.length)), contentLength: body.length, endAfterBody: true });
      if (r === 1) return kindOf({ label: 'a Content-Length far over the body cap', method: 'POST', target: collection, headers: headersFor(rng, 'application/json'), body, contentLength: rng.pick([64 << 20, 2 ** 40, 2 ** 53 + 1]), endAfterBody: true });
      return kindOf({ label: 'a body with no Content-Length', method: 'POST', target: collection, headers: headersFor(rng, 'application/json'), body, contentLength: null, endAfterBody: true });
    }
  }
}
