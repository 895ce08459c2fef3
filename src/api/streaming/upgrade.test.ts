// The upgrade path end to end in-process: a real TLS socket, the security stage, the pod and container
// lookup, then WebSocket channels (v5, v4 base64) and raw SPDY/3.1 against the fake runtime.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough, Duplex } from 'node:stream';
import https from 'node:https';
import tls from 'node:tls';
import WebSocket from 'ws';
import type { Pod } from '../../k8s/types.js';
import { FakeRuntime } from '../../runtime/fake.js';
import { LABEL_CONTAINER_NAME, LABEL_POD_UID, type PodSandboxConfig } from '../../runtime/runtime.js';
import { SystemClock } from '../../system/clock.js';
import { startTlsHarness, type TlsHarness } from '../testing/harness.js';
import { KUBECTL_127_EXEC_STDIN } from './recorded-frames.js';
import { FrameParser } from './spdy-frames.js';

const runtime = new FakeRuntime({ clock: new SystemClock() });
let h: TlsHarness;

async function runningPod(name: string, containers: string[]): Promise<Pod> {
  const pod = h.store.create<Pod>('pods', {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'default' },
    spec: { containers: containers.map((c) => ({ name: c, image: 'busybox' })) },
  } as Pod);
  const uid = pod.metadata.uid!;
  const sb: PodSandboxConfig = {
    metadata: { name, namespace: 'default', uid, attempt: 0 }, hostname: name, logDirectory: '/logs', dns: { servers: [], searches: [], options: [] },
    hostAliases: [], portMappings: [], labels: { [LABEL_POD_UID]: uid }, annotations: {}, hostNetwork: false, hostPID: false, hostIPC: false,
    shareProcessNamespace: false, sysctls: {},
  };
  const sandboxId = await runtime.runPodSandbox(sb);
  for (const c of containers) {
    const id = await runtime.createContainer(sandboxId, {
      metadata: { name: c, attempt: 0 }, image: 'busybox', args: [], envs: [], workingDir: '/', mounts: [], logPath: `${c}/0.log`,
      stdin: false, stdinOnce: false, tty: false, labels: { [LABEL_POD_UID]: uid, [LABEL_CONTAINER_NAME]: c }, annotations: {},
      security: { privileged: false, supplementalGroups: [], readonlyRootfs: false, noNewPrivileges: false, capabilitiesAdd: [], capabilitiesDrop: [] },
      resources: {}, stopSignal: 'SIGTERM',
    }, sb);
    await runtime.startContainer(id);
  }
  return h.store.modify<Pod>('pods', 'default', name, (p) => ({ ...p, status: { phase: 'Running' } }));
}

interface WsResult {
  messages: { channel: number; data: string }[];
  closeCode: number;
}

/** Runs a WebSocket client to the end: sends `send` once open, collects what comes back. */
function wsSession(path: string, protocols: string[], send: (ws: WebSocket) => void, who: 'admin' | 'viewer' = 'admin'): Promise<WsResult> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(h.url.replace('https:', 'wss:') + path, protocols, { headers: { Authorization: h.auth(who) }, ca: h.caPem });
    const messages: WsResult['messages'] = [];
    ws.on('open', () => send(ws));
    ws.on('message', (raw: Buffer, isBinary: boolean) => {
      if (isBinary) messages.push({ channel: raw[0], data: raw.subarray(1).toString() });
      else messages.push({ channel: raw.toString().charCodeAt(0) - 48, data: Buffer.from(raw.toString().slice(1), 'base64').toString() });
    });
    ws.on('close', (code) => resolve({ messages, closeCode: code }));
    ws.on('unexpected-response', (_req, res) => {
      let body = '';
      res.on('data', (b: Buffer) => (body += b.toString()));
      res.on('end', () => reject(Object.assign(new Error(body), { statusCode: res.statusCode, body })));
    });
    ws.on('error', reject);
  });
}

const channel = (r: WsResult, c: number) => r.messages.filter((m) => m.channel === c).map((m) => m.data).join('');

describe('streaming upgrades', () => {
  before(async () => {
    h = await startTlsHarness(runtime);
    runtime.streamHandler = (_id, req, stdin) => ({
      exitCode: req.cmd.includes('fail') ? 3 : 0,
      stdout: Buffer.concat([Buffer.from(`${req.cmd.join(' ')}:`), stdin]),
      stderr: Buffer.from('warn'),
    });
    await runningPod('web', ['app']);
    await runningPod('two', ['a', 'b']);
  });
  after(async () => {
    await h?.close();
  });

  it('exec over v5: stdin to its close signal, stdout and stderr on their channels, Success', async () => {
    const r = await wsSession('/api/v1/namespaces/default/pods/web/exec?command=cat&stdin=true&stdout=true&stderr=true', ['v5.channel.k8s.io'], (ws) => {
      ws.send(Buffer.from([0, ...Buffer.from('hello')]));
      ws.send(Buffer.from([255, 0]));
    });
    assert.equal(channel(r, 1), 'cat:hello');
    assert.equal(channel(r, 2), 'warn');
    assert.deepEqual(JSON.parse(channel(r, 3)), { metadata: {}, status: 'Success' });
    assert.equal(r.closeCode, 1000);
  });

  it('exec over v4 base64 without stdin: the exit code as NonZeroExitCode', async () => {
    const r = await wsSession('/api/v1/namespaces/default/pods/web/exec?command=fail&stdout=true&stderr=true', ['v4.base64.channel.k8s.io'], () => {});
    assert.equal(channel(r, 1), 'fail:');
    const status = JSON.parse(channel(r, 3));
    assert.equal(status.reason, 'NonZeroExitCode');
    assert.equal(status.details.causes[0].message, '3');
  });

  it('a tty has no stderr channel: the process output all arrives on stdout', async () => {
    const r = await wsSession('/api/v1/namespaces/default/pods/web/exec?command=sh&stdout=true&stderr=true&tty=true', ['v5.channel.k8s.io'], () => {});
    assert.equal(channel(r, 1), 'sh:warn');
    assert.equal(channel(r, 2), '');
  });

  it('refuses before upgrading: no command, no stream, a missing or ambiguous container, a viewer', async () => {
    const fails = async (path: string, who: 'admin' | 'viewer' = 'admin') =>
      wsSession(path, ['v5.channel.k8s.io'], () => {}, who).then(
        () => assert.fail(`${path} was upgraded`),
        (err: { statusCode: number; body: string }) => ({ code: err.statusCode, message: JSON.parse(err.body).message as string }),
      );
    assert.deepEqual(await fails('/api/v1/namespaces/default/pods/web/exec?stdout=true'), { code: 400, message: 'you must specify at least one command for the container' });
    assert.deepEqual(await fails('/api/v1/namespaces/default/pods/web/exec?command=ls'), { code: 400, message: 'you must specify at least one of stdin, stdout, stderr' });
    assert.equal((await fails('/api/v1/namespaces/default/pods/nope/exec?command=ls&stdout=true')).code, 404);
    assert.deepEqual(await fails('/api/v1/namespaces/default/pods/web/exec?command=ls&stdout=true&container=zz'), { code: 400, message: 'container zz is not valid for pod web' });
    assert.match((await fails('/api/v1/namespaces/default/pods/two/exec?command=ls&stdout=true')).message, /^a container name must be specified for pod two, choose one of: \[a b\]/);
    assert.equal((await fails('/api/v1/namespaces/default/pods/web/exec?command=ls&stdout=true', 'viewer')).code, 403);
  });

  it('exec over raw SPDY/3.1 with the frames kubectl 1.27 sent: v4 negotiated, output and exit status on their streams', async () => {
    const sock = tls.connect({ host: '127.0.0.1', port: Number(new URL(h.url).port), ca: h.caPem, servername: 'localhost' });
    await new Promise((r) => sock.once('secureConnect', r));
    sock.write(
      'POST /api/v1/namespaces/default/pods/web/exec?command=cat&container=app&stdin=true&stdout=true&stderr=true HTTP/1.1\r\n' +
        `Host: localhost\r\nAuthorization: ${h.auth('admin')}\r\nConnection: Upgrade\r\nUpgrade: SPDY/3.1\r\n` +
        'X-Stream-Protocol-Version: v4.channel.k8s.io\r\nX-Stream-Protocol-Version: v3.channel.k8s.io\r\nContent-Length: 0\r\n\r\n',
    );
    let raw = Buffer.alloc(0);
    sock.on('data', (b: Buffer) => (raw = Buffer.concat([raw, b])));
    for (let i = 0; i < 200 && !raw.includes('\r\n\r\n'); i++) await new Promise((r) => setTimeout(r, 5));
    const headEnd = raw.indexOf('\r\n\r\n') + 4;
    const head = raw.subarray(0, headEnd).toString();
    assert.match(head, /^HTTP\/1\.1 101 /);
    assert.match(head, /X-Stream-Protocol-Version: v4\.channel\.k8s\.io/i);
    // Everything kubectl sent up to its stdin's FIN (its resets after the outcome are left out).
    // (its last four frames, three RST_STREAMs and a GOAWAY of 16 bytes each, came after the outcome)
    sock.write(KUBECTL_127_EXEC_STDIN.subarray(0, KUBECTL_127_EXEC_STDIN.length - 4 * 16));
    const data = new Map<number, string>();
    const fins = new Set<number>();
    for (let i = 0; i < 400 && !fins.has(1); i++) {
      await new Promise((r) => setTimeout(r, 5));
      const frames = new FrameParser().push(raw.subarray(headEnd));
      data.clear();
      for (const f of frames) {
        if (f.kind === 'data') {
          data.set(f.streamId, (data.get(f.streamId) ?? '') + f.data.toString());
          if (f.fin) fins.add(f.streamId);
        }
      }
    }
    sock.destroy();
    assert.equal(data.get(5), 'cat:hi');
    assert.equal(data.get(7), 'warn');
    assert.deepEqual(JSON.parse(data.get(1)!), { metadata: {}, status: 'Success' });
  });

  it('port-forward over v4 channels: the port prefix on both channels, then the bytes both ways', async () => {
    runtime.portHandler = async () => {
      const toPod = new PassThrough();
      const fromPod = new PassThrough();
      toPod.on('data', (b: Buffer) => fromPod.write(`echo:${b.toString()}`));
      return Duplex.from({ writable: toPod, readable: fromPod });
    };
    const r = await wsSession('/api/v1/namespaces/default/pods/web/portforward?ports=8080', ['v4.channel.k8s.io'], (ws) => {
      ws.send(Buffer.from([0, ...Buffer.from('ping')]));
      setTimeout(() => ws.close(), 100);
    });
    const first = r.messages.filter((m) => m.channel === 0);
    assert.deepEqual(Buffer.from(first[0].data, 'latin1').length, 2);
    assert.equal(first.slice(1).map((m) => m.data).join(''), 'echo:ping');
    assert.deepEqual(runtime.calls.filter((c) => c.method === 'portForward').map((c) => c.args[1]), [8080]);
  });

  it('an upgrade whose target is not a URL is a 400, not a 500 (the fuzz soak\'s `OPTIONS http://[::1`)', async () => {
    const sock = tls.connect({ host: '127.0.0.1', port: Number(new URL(h.url).port), ca: h.caPem, servername: 'localhost' });
    await new Promise((r) => sock.once('secureConnect', r));
    sock.write(`OPTIONS http://[::1 HTTP/1.1\r\nHost: localhost\r\nAuthorization: ${h.auth('admin')}\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n`);
    let raw = '';
    sock.on('data', (b: Buffer) => (raw += b.toString()));
    await new Promise((r) => sock.once('close', r));
    assert.match(raw, /^HTTP\/1\.1 400 /);
    assert.match(raw, /invalid request target \\"http:\/\/\[::1\\"/);
  });

  it('a plain request to exec is told to upgrade', async () => {
    const code = await new Promise<number>((resolve, reject) => {
      const req = https.request(`${h.url}/api/v1/namespaces/default/pods/web/exec?command=ls&stdout=true`, { method: 'POST', ca: h.caPem, headers: { Authorization: h.auth('admin') } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      req.end();
    });
    assert.equal(code, 400);
  });
});
