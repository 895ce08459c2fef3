import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { promises as fs } from 'node:fs';
import { Readable } from 'node:stream';
import type { AddressInfo } from 'node:net';
import { parse as parseYaml } from 'yaml';
import { FakeClock } from '../../system/clock.js';
import type { CliIO } from '../context.js';
import { main } from '../main.js';
import type { PodAnatomy } from '../../node/anatomy-types.js';
import { anatomySvg } from '../../ui/anatomy-svg.js';
import { oneLine, formatAnatomy } from './anatomy.js';

const UID = '1b2c3d4e-5f60-4a7b-8c9d-0e1f2a3b4c5d';
const VOLS = `/var/lib/peapod/pods/${UID}/volumes`;
const NET = { kind: 'net', inode: 'net:[4026532301]' };
const IPC = { kind: 'ipc', inode: 'ipc:[4026532299]' };
const UTS = { kind: 'uts', inode: 'uts:[4026532298]' };
const joined = [NET, IPC, UTS].map((n) => ({ ...n, from: 'infra' as const }));
const own = (pid: number) => [
  { kind: 'pid', inode: `pid:[40265324${pid % 100}]`, from: 'own' as const },
  { kind: 'mnt', inode: `mnt:[40265325${pid % 100}]`, from: 'own' as const },
  { kind: 'cgroup', inode: `cgroup:[40265326${pid % 100}]`, from: 'own' as const },
];

/** Every part of the model: infra, veth, host port, init done, a sidecar, an app with probes, mounts, a 3-level process tree, an ephemeral container not running, two volumes. */
function fixture(): PodAnatomy {
  return {
    kind: 'PodAnatomy',
    apiVersion: 'peapod.dev/v1',
    pod: { namespace: 'default', name: 'web', uid: UID, phase: 'Running', node: 'vm', qosClass: 'BestEffort' },
    infra: {
      id: '409d5bfa3f96e0c1d2b3a4958677f8e9d0c1b2a3f4e5d6c7b8a9f0e1d2c3b4a5',
      state: 'ready',
      pid: 22913,
      createdAt: '2026-12-04T02:31:07Z',
      command: 'catatonit -P',
      held: [
        { ...NET, pinnedAt: '/run/peapod/netns/409d5bfa3f96' },
        { ...IPC, pinnedAt: '/run/peapod/ipcns/409d5bfa3f96' },
        { ...UTS, pinnedAt: '/run/peapod/utsns/409d5bfa3f96' },
      ],
      cgroup: '/peapod.slice/peapod-besteffort.slice/pod1b2c3d4e/409d5bfa3f96',
    },
    network: {
      hostNetwork: false,
      ips: ['10.88.0.5'],
      podInterface: { name: 'eth0', mac: '0a:58:0a:58:00:05', mtu: 1500, addresses: ['10.88.0.5/16'] },
      hostInterface: { name: 'veth1a2b3c4d', bridge: 'peapod0' },
      gateway: '10.88.0.1',
      hostPorts: [
        { containerPort: 80, hostPort: 8080, protocol: 'TCP' },
        { containerPort: 53, hostPort: 5353, protocol: 'UDP', hostIP: '127.0.0.1' },
      ],
    },
    containers: [
      {
        name: 'setup',
        kind: 'init',
        image: 'localhost/busybox:latest',
        id: 'aa11bb22cc33dd44ee55ff66aa77bb88cc99dd00ee11ff22aa33bb44cc55dd66',
        state: 'terminated',
        reason: 'Completed',
        exitCode: 0,
        restartCount: 0,
        ready: false,
        pid: 0,
        namespaces: [],
        probes: [],
        mounts: [{ volume: 'shared', path: '/data', readOnly: false, hostSource: `${VOLS}/kubernetes.io~empty-dir/shared` }],
        processes: [],
      },
      {
        name: 'sidecar',
        kind: 'sidecar',
        image: 'localhost/busybox:latest',
        id: 'bb22cc33dd44ee55ff66aa77bb88cc99dd00ee11ff22aa33bb44cc55dd66ee77',
        state: 'running',
        restartCount: 1,
        ready: true,
        pid: 2301,
        namespaces: [...joined, ...own(2301)],
        probes: [],
        mounts: [
          { volume: 'shared', path: '/logs', readOnly: true, subPath: 'logs', hostSource: `${VOLS}/kubernetes.io~empty-dir/shared/logs` },
        ],
        processes: [{ pid: 2301, ppid: 2290, command: 'tail -F /logs/access.log', children: [] }],
      },
      {
        name: 'web',
        kind: 'app',
        image: 'docker.io/library/nginx:1.27',
        id: 'cc33dd44ee55ff66aa77bb88cc99dd00ee11ff22aa33bb44cc55dd66ee77ff88',
        state: 'running',
        restartCount: 0,
        ready: true,
        pid: 2345,
        namespaces: [...joined, ...own(2345)],
        probes: [
          { type: 'readiness', handler: 'httpGet :8080/', periodSeconds: 10, lastResult: 'success' },
          { type: 'liveness', handler: 'tcpSocket :8080', periodSeconds: 20 },
        ],
        mounts: [
          { volume: 'shared', path: '/data', readOnly: false, hostSource: `${VOLS}/kubernetes.io~empty-dir/shared` },
          { volume: 'cache', path: '/var/cache/nginx', readOnly: false, hostSource: `${VOLS}/kubernetes.io~empty-dir/cache` },
          { path: '/etc/hosts', readOnly: true, hostSource: `/var/lib/peapod/pods/${UID}/etc-hosts` },
          { path: '/dev/shm', readOnly: false, hostSource: 'tmpfs' },
        ],
        processes: [
          {
            pid: 2345,
            ppid: 2330,
            command: 'nginx -g daemon off;',
            children: [
              { pid: 2380, ppid: 2345, command: 'nginx: worker process', children: [{ pid: 2391, ppid: 2380, command: 'sh -c sleep 5', children: [] }] },
              { pid: 2381, ppid: 2345, command: 'nginx: cache manager process', children: [] },
            ],
          },
        ],
      },
      {
        name: 'debugger-x7k2p',
        kind: 'ephemeral',
        image: 'localhost/busybox:latest',
        state: 'waiting',
        reason: 'ContainerCreating',
        restartCount: 0,
        ready: false,
        pid: 0,
        namespaces: [],
        probes: [],
        mounts: [],
        processes: [],
      },
    ],
    volumes: [
      {
        name: 'shared',
        kind: 'emptyDir',
        hostSource: `${VOLS}/kubernetes.io~empty-dir/shared`,
        mountedBy: [
          { container: 'setup', path: '/data', readOnly: false },
          { container: 'sidecar', path: '/logs', readOnly: true, subPath: 'logs' },
          { container: 'web', path: '/data', readOnly: false },
        ],
      },
      {
        name: 'cache',
        kind: 'emptyDir',
        detail: 'Memory',
        hostSource: `${VOLS}/kubernetes.io~empty-dir/cache`,
        mountedBy: [{ container: 'web', path: '/var/cache/nginx', readOnly: false }],
      },
    ],
  };
}

const EXPECTED = `pod default/web  Running  node vm  BestEffort  uid 1b2c3d4e…
├─ infra container 409d5bfa3f96  catatonit -P  pid 22913  ready  created 2026-12-04T02:31:07Z
│  ├─ holds
│  │  ├─ net:[4026532301]  pinned at /run/peapod/netns/409d5bfa3f96
│  │  ├─ ipc:[4026532299]  pinned at /run/peapod/ipcns/409d5bfa3f96
│  │  └─ uts:[4026532298]  pinned at /run/peapod/utsns/409d5bfa3f96
│  └─ cgroup  /peapod.slice/peapod-besteffort.slice/pod1b2c3d4e/409d5bfa3f96
├─ network  10.88.0.5
│  ├─ in the pod   eth0  10.88.0.5/16  mac 0a:58:0a:58:00:05  mtu 1500
│  ├─ on the host  veth1a2b3c4d ⇄ eth0, on bridge peapod0
│  ├─ gateway      10.88.0.1
│  ├─ host port    8080/TCP → 80
│  └─ host port    127.0.0.1:5353/UDP → 53
├─ containers
│  ├─ init       setup           terminated (Completed, exit 0)  not running  restarts 0
│  │  ├─ image  localhost/busybox:latest  id aa11bb22cc33
│  │  └─ mounts
│  │     └─ /data  rw  ← volume shared
│  ├─ sidecar    sidecar         running                         pid 2301     restarts 1  ready
│  │  ├─ image  localhost/busybox:latest  id bb22cc33dd44
│  │  ├─ namespaces  joins net, ipc, uts · own pid, mnt, cgroup
│  │  ├─ mounts
│  │  │  └─ /logs  ro  ← volume shared, subPath logs  ${VOLS}/kubernetes.io~empty-dir/shared/logs
│  │  └─ processes
│  │     └─ 2301 tail -F /logs/access.log
│  ├─ app        web             running                         pid 2345     restarts 0  ready
│  │  ├─ image  docker.io/library/nginx:1.27  id cc33dd44ee55
│  │  ├─ namespaces  joins net, ipc, uts · own pid, mnt, cgroup
│  │  ├─ probes
│  │  │  ├─ readiness  httpGet :8080/   every 10s  → success
│  │  │  └─ liveness   tcpSocket :8080  every 20s
│  │  ├─ mounts
│  │  │  ├─ /data             rw  ← volume shared
│  │  │  ├─ /var/cache/nginx  rw  ← volume cache
│  │  │  ├─ /etc/hosts        ro  ← /var/lib/peapod/pods/${UID}/etc-hosts
│  │  │  └─ /dev/shm          rw  ← tmpfs
│  │  └─ processes
│  │     └─ 2345 nginx -g daemon off;
│  │        ├─ 2380 nginx: worker process
│  │        │  └─ 2391 sh -c sleep 5
│  │        └─ 2381 nginx: cache manager process
│  └─ ephemeral  debugger-x7k2p  waiting (ContainerCreating)     not running  restarts 0
│     └─ image  localhost/busybox:latest
└─ volumes
   ├─ shared  emptyDir           ${VOLS}/kubernetes.io~empty-dir/shared
   │  ├─ setup    /data  (rw)
   │  ├─ sidecar  /logs  (ro, subPath logs)
   │  └─ web      /data  (rw)
   └─ cache   emptyDir (Memory)  ${VOLS}/kubernetes.io~empty-dir/cache
      └─ web  /var/cache/nginx  (rw)`;

test('the full anatomy draws as one tree: infra, network, containers with their namespaces, probes, mounts and processes, volumes', () => {
  const text = formatAnatomy(fixture());
  // Line by line first, so a failure names the line that differs.
  const got = text.split('\n');
  const want = EXPECTED.split('\n');
  for (let i = 0; i < Math.max(got.length, want.length); i++) assert.equal(got[i], want[i], `line ${i + 1}`);
  assert.equal(text, EXPECTED);
  assert.doesNotMatch(text, /\x1b\[/, 'no colour unless asked');
});

test('a running container whose processes could not be read says so', () => {
  const a = fixture();
  const web = a.containers[2];
  web.processes = [];
  const lines = formatAnatomy(a).split('\n');
  const i = lines.lastIndexOf('│  │  └─ processes');
  assert.ok(i > 0, 'processes node present');
  assert.equal(lines[i - 1], '│  │  │  └─ /dev/shm          rw  ← tmpfs', 'the web container\'s processes');
  assert.equal(lines[i + 1], '│  │     └─ none found');
});

test('a hostNetwork pod: the node\'s interfaces, no veth, and its containers in the host\'s net and uts namespaces', () => {
  const a = fixture();
  a.network = { hostNetwork: true, ips: ['192.168.122.10'], hostPorts: [{ containerPort: 8080, hostPort: 8080, protocol: 'TCP' }] };
  // The infra holds only ipc; it is itself in the host's net, uts and cgroup namespaces.
  a.infra!.held = [{ ...IPC, pinnedAt: '/run/peapod/ipcns/409d5bfa3f96' }];
  a.containers = [a.containers[2]];
  const hostNs = [
    { kind: 'net', inode: 'net:[4026531840]' },
    { ...IPC },
    { kind: 'uts', inode: 'uts:[4026531838]' },
    { kind: 'pid', inode: 'pid:[4026532445]' },
    { kind: 'mnt', inode: 'mnt:[4026532545]' },
    { kind: 'cgroup', inode: 'cgroup:[4026531835]' },
  ];
  // ipc joined from the infra, pid and mnt its own, net, uts and cgroup the host's (pid 1's).
  a.containers[0].namespaces = hostNs.map((n) => ({ ...n, from: n.kind === 'ipc' ? ('infra' as const) : ['net', 'uts', 'cgroup'].includes(n.kind) ? ('host' as const) : ('own' as const) }));
  const lines = formatAnatomy(a).split('\n');
  const n = lines.indexOf("├─ network  host network: the node's interfaces (192.168.122.10)");
  assert.ok(n > 0, lines.join('\n'));
  assert.deepEqual(lines.slice(n + 1, n + 3), ['│  └─ host port  8080/TCP → 8080', '├─ containers']);
  assert.deepEqual(lines.slice(1, 5), [
    '├─ infra container 409d5bfa3f96  catatonit -P  pid 22913  ready  created 2026-12-04T02:31:07Z',
    '│  ├─ holds',
    '│  │  └─ ipc:[4026532299]  pinned at /run/peapod/ipcns/409d5bfa3f96',
    '│  └─ cgroup  /peapod.slice/peapod-besteffort.slice/pod1b2c3d4e/409d5bfa3f96',
  ]);
  const nsLine = "│     ├─ namespaces  joins ipc · own pid, mnt · the host's net, uts, cgroup";
  assert.ok(lines.includes(nsLine), lines.join('\n'));
  assert.ok(!lines.some((l) => /veth|gateway|in the pod/.test(l)));
});

test('a pod with no sandbox yet: said plainly, no IP, containers not running', () => {
  const a = fixture();
  delete a.infra;
  a.pod.phase = 'Pending';
  delete a.pod.qosClass;
  a.network = { hostNetwork: false, ips: [], hostPorts: [] };
  a.containers = [
    { name: 'web', kind: 'app', image: 'docker.io/library/nginx:1.27', state: 'waiting', reason: 'ContainerCreating', restartCount: 0, ready: false, pid: 0, namespaces: [], probes: [], mounts: [], processes: [] },
  ];
  a.volumes = [{ name: 'shared', kind: 'emptyDir', mountedBy: [] }];
  assert.equal(
    formatAnatomy(a),
    [
      'pod default/web  Pending  node vm  uid 1b2c3d4e…',
      '├─ infra container  no sandbox yet',
      '├─ network  no pod IP yet',
      '├─ containers',
      '│  └─ app  web  waiting (ContainerCreating)  not running  restarts 0  not ready',
      '│     └─ image  docker.io/library/nginx:1.27',
      '└─ volumes',
      '   └─ shared  emptyDir',
      '      └─ mounted by no container',
    ].join('\n'),
  );
  a.pod.phase = 'Succeeded';
  assert.match(formatAnatomy(a), /^├─ infra container {2}no sandbox \(removed: the pod is Succeeded\)$/m);
});

test('a sandbox whose network namespace was not read, and a crash-looping container', () => {
  const a = fixture();
  a.network = { hostNetwork: false, ips: ['10.88.0.5'], hostPorts: [] };
  a.infra!.pid = 0;
  a.infra!.state = 'notready';
  const web = a.containers[2];
  Object.assign(web, { state: 'waiting', reason: 'CrashLoopBackOff', pid: 0, restartCount: 4, ready: false, namespaces: [], processes: [] });
  const lines = formatAnatomy(a).split('\n');
  assert.equal(lines[1], '├─ infra container 409d5bfa3f96  catatonit -P  not running  notready  created 2026-12-04T02:31:07Z');
  const n = lines.indexOf('├─ network  10.88.0.5');
  assert.equal(lines[n + 1], "│  └─ veth pair  not known (the pod's network namespace was not read)");
  assert.ok(lines.includes('│  ├─ app        web             waiting (CrashLoopBackOff)      not running  restarts 4  not ready'), lines.join('\n'));
  assert.ok(!lines.some((l) => l.includes('2345')), 'no process of a container that does not run');
});

test('colour only when asked, on state words only, without moving the columns', () => {
  const a = fixture();
  const plain = formatAnatomy(a);
  const colored = formatAnatomy(a, { color: true });
  assert.notEqual(colored, plain);
  assert.equal(colored.replace(/\x1b\[\d+m/g, ''), plain);
  const first = colored.split('\n')[0];
  assert.equal(first, 'pod default/web  \x1b[32mRunning\x1b[39m  node vm  BestEffort  uid 1b2c3d4e…');
  assert.ok(colored.includes('\x1b[32mrunning\x1b[39m'));
  assert.ok(colored.includes('\x1b[32m→ success\x1b[39m'));
  assert.ok(!/\x1b\[\d+m(web|setup|sidecar|nginx)/.test(colored), 'names are not coloured');
});

// runAnatomy through main(): a real HTTP API on loopback standing in for the daemon's endpoint.

interface Served {
  url: string;
  requests: string[];
  close(): Promise<void>;
}

async function serve(answer: (path: string) => { status: number; body: unknown }): Promise<Served> {
  const requests: string[] = [];
  const server = http.createServer((req, res) => {
    requests.push(`${req.method} ${req.url}`);
    const { status, body } = answer(req.url ?? '');
    res.writeHead(status, { 'Content-Type': 'application/json' }).end(JSON.stringify(body));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, requests, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

const tmp = fs.mkdtemp(path.join(os.tmpdir(), 'peapod-anatomy-test-'));
after(async () => fs.rm(await tmp, { recursive: true, force: true }));
let configs = 0;

async function kubeconfig(server: string, namespace?: string): Promise<string> {
  const file = path.join(await tmp, `kubeconfig-${++configs}`);
  await fs.writeFile(
    file,
    `apiVersion: v1
kind: Config
clusters: [{name: c, cluster: {server: "${server}"}}]
users: [{name: u, user: {}}]
contexts: [{name: x, context: {cluster: c, user: u${namespace ? `, namespace: ${namespace}` : ''}}}]
current-context: x
`,
  );
  return file;
}

function io(): CliIO & { out: string[]; errs: string[] } {
  const out: string[] = [];
  const errs: string[] = [];
  return { out, errs, stdout: (t) => out.push(t), stderr: (t) => errs.push(t), stdin: Readable.from([]), env: {}, clock: new FakeClock() };
}

const notFound = (name: string) => ({ kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'NotFound', code: 404, message: `pods "${name}" not found` });

test('peapod anatomy: the context\'s namespace, -n, the tree, -o json that round-trips, -o yaml, and a missing pod as kubectl says it', async () => {
  const a = fixture();
  const srv = await serve((p) => {
    const m = /^\/api\/v1\/namespaces\/([^/]+)\/pods\/([^/]+)\/anatomy$/.exec(p);
    if (m && m[2] === 'web') return { status: 200, body: { ...a, pod: { ...a.pod, namespace: decodeURIComponent(m[1]) } } };
    return { status: 404, body: notFound(m ? decodeURIComponent(m[2]) : p) };
  });
  try {
    const cfg = await kubeconfig(srv.url, 'shop');
    let x = io();
    assert.equal(await main(['anatomy', 'web', '--kubeconfig', cfg], x), 0, x.errs.join(''));
    assert.equal(srv.requests.at(-1), 'GET /api/v1/namespaces/shop/pods/web/anatomy');
    assert.equal(x.out.join(''), EXPECTED.replace('pod default/web', 'pod shop/web') + '\n');

    x = io();
    assert.equal(await main(['anatomy', 'web', '-n', 'default', '-o', 'json', '--kubeconfig', cfg], x), 0, x.errs.join(''));
    assert.equal(srv.requests.at(-1), 'GET /api/v1/namespaces/default/pods/web/anatomy');
    const json = x.out.join('');
    assert.deepEqual(JSON.parse(json), a);
    assert.equal(json, JSON.stringify(a, null, 2) + '\n');
    assert.ok(json.startsWith('{\n  "kind": "PodAnatomy",\n'));

    x = io();
    assert.equal(await main(['--namespace', 'default', 'anatomy', 'web', '-o', 'yaml', '--kubeconfig', cfg], x), 0, x.errs.join(''));
    assert.deepEqual(parseYaml(x.out.join('')), a);

    x = io();
    assert.equal(await main(['anatomy', 'nope', '--kubeconfig', cfg], x), 1);
    assert.equal(x.errs.join(''), 'Error from server (NotFound): pods "nope" not found\n');
    assert.deepEqual(x.out, []);

    const before = srv.requests.length;
    x = io();
    assert.equal(await main(['anatomy', 'web', '-o', 'wide', '--kubeconfig', cfg], x), 1);
    assert.match(x.errs.join(''), /^error: unable to match a printer suitable for the output format "wide", allowed formats are: json,yaml,svg\n$/);
    assert.equal(srv.requests.length, before, 'no request for an unknown format');
  } finally {
    await srv.close();
  }
});

test('peapod anatomy -o svg: the diagram as a standalone SVG document, the same one the renderer draws', async () => {
  const a = fixture();
  const srv = await serve((p) =>
    p === '/api/v1/namespaces/default/pods/web/anatomy' ? { status: 200, body: a } : { status: 404, body: notFound(p) },
  );
  try {
    const cfg = await kubeconfig(srv.url);
    const x = io();
    assert.equal(await main(['anatomy', 'web', '-o', 'svg', '--kubeconfig', cfg], x), 0, x.errs.join(''));
    assert.deepEqual(srv.requests, ['GET /api/v1/namespaces/default/pods/web/anatomy']);
    const svg = x.out.join('');
    assert.equal(svg, anatomySvg(a) + '\n');
    assert.match(svg, /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg" [^>]*role="img"[^>]*viewBox="0 0 960 \d+"[^>]*>/);
    assert.ok(svg.trimEnd().endsWith('</svg>'));
    assert.ok(svg.includes('<title id="anatomy-1b2c3d4e-5f60-4a7b-8c9d-0e1f2a3b4c5d-title">Pod default/web</title>'));
    for (const c of a.containers) assert.ok(svg.includes(`data-name="${c.name}"`), c.name);
    assert.doesNotMatch(svg, /\x1b\[/, 'no colour codes');
  } finally {
    await srv.close();
  }
});

test('runAnatomy names the allowed formats itself, and refuses an answer that is not a PodAnatomy', async () => {
  const { runAnatomy } = await import('./anatomy.js');
  const { CliContext } = await import('../context.js');
  const srv = await serve(() => ({ status: 200, body: { kind: 'Pod', apiVersion: 'v1', metadata: { name: 'web' } } }));
  try {
    const ctx = new CliContext(io(), { kubeconfig: await kubeconfig(srv.url) });
    await assert.rejects(runAnatomy(ctx, 'web', { output: 'xml' }), {
      message: 'error: unable to match a printer suitable for the output format "xml", allowed formats are: json,yaml,svg',
    });
    assert.equal(srv.requests.length, 0);
    await assert.rejects(runAnatomy(ctx, 'web'), /answered a Pod where a PodAnatomy was expected/);
    assert.deepEqual(srv.requests, ['GET /api/v1/namespaces/default/pods/web/anatomy']);
  } finally {
    await srv.close();
  }
});

test('`anatomy --help` shows the examples', async () => {
  const x = io();
  assert.equal(await main(['anatomy', '--help'], x), 0);
  const help = x.out.join('');
  assert.match(help, /Usage: peapod anatomy \[options\] <pod>/);
  assert.match(help, /-o, --output <format>/);
  assert.ok(help.includes('peapod anatomy web -n shop -o json | jq .network'));
  assert.ok(help.includes('peapod anatomy web -o svg > web.svg'));
});

test('a process\'s command line is drawn on one line (a shell script in argv), cut at 120 characters', () => {
  assert.equal(oneLine('/bin/sh -c while true; do\n  echo hi\n  sleep 5\ndone\n'), '/bin/sh -c while true; do echo hi sleep 5 done');
  const long = oneLine(`sleep ${'9'.repeat(200)}`);
  assert.equal(long.length, 120);
  assert.ok(long.endsWith('…'));
});

test('what the pod wrote reaches the terminal printable, one line each: escapes and newlines in a command line or a probe', () => {
  const a = fixture();
  const web = a.containers.find((c) => c.name === 'web')!;
  web.processes = [{ pid: 7, ppid: 1, command: 'evil \u001b[2K\u001b[1A\u001b]0;owned\u0007 done', children: [] }];
  web.probes = [{ type: 'readiness', handler: 'exec sh -c first\nsecond', periodSeconds: 5 }];
  const out = formatAnatomy(a);
  assert.ok(!/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/.test(out), 'no control character but newlines');
  assert.ok(out.includes('7 evil \\x1b[2K\\x1b[1A\\x1b]0;owned\\x07 done'), out);
  assert.ok(out.split('\n').some((l) => l.includes('exec sh -c first second')), 'a two-line probe on one line');
});
