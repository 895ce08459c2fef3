import assert from 'node:assert/strict';
import http from 'node:http';
import http2 from 'node:http2';
import fs from 'node:fs';
import net from 'node:net';
import { after, before, test } from 'node:test';
import { TimeoutError } from '../../errors.js';
import type { Container, Probe } from '../../k8s/types.js';
import { decodeHealthResponse, encodeHealthRequest } from './grpc.js';
import { HostProbeRunner } from './runner.js';

let server: http.Server;
let port = 0;
const seen: http.IncomingHttpHeaders[] = [];

before(async () => {
  server = http.createServer((req, res) => {
    seen.push(req.headers);
    const u = new URL(req.url ?? '/', 'http://x');
    if (u.pathname === '/ok') return res.end('fine');
    if (u.pathname === '/fail') return (res.statusCode = 500), res.end('bad');
    if (u.pathname === '/redirect-same') return res.writeHead(302, { Location: '/fail' }).end();
    if (u.pathname === '/redirect-other') return res.writeHead(302, { Location: 'http://127.0.0.2:1/x' }).end('moved');
    if (u.pathname === '/loop') return res.writeHead(302, { Location: '/loop' }).end();
    if (u.pathname === '/slow') return void setTimeout(() => res.end('late'), 3000).unref();
    if (u.pathname === '/big') return res.end('x'.repeat(100_000));
    res.statusCode = 404;
    res.end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as net.AddressInfo).port;
});
after(() => server.close());

const noExec = { execSync: async () => ({ exitCode: 0, stdout: Buffer.alloc(0), stderr: Buffer.alloc(0) }) };
const container = (): Container => ({ name: 'c', image: 'x', ports: [{ name: 'web', containerPort: port }] }) as Container;
const target = () => ({ containerId: 'c1', container: container(), podIP: '127.0.0.1' });
const run = (p: Probe, timeoutMs = 1000) => new HostProbeRunner(noExec).run(p, target(), timeoutMs);

test('httpGet: 2xx is success, with the kubelet\'s User-Agent and Accept; port by name', async () => {
  assert.deepEqual(await run({ httpGet: { port: 'web', path: '/ok' } }), { result: 'success', output: 'fine' });
  const h = seen.at(-1)!;
  assert.equal(h['user-agent'], 'kube-probe/1.33');
  assert.equal(h.accept, '*/*');
});

test('httpGet: headers override the defaults, Host sets the virtual host', async () => {
  await run({ httpGet: { port, path: '/ok', httpHeaders: [{ name: 'Host', value: 'example.test' }, { name: 'User-Agent', value: 'mine' }, { name: 'X-A', value: '1' }] } });
  const h = seen.at(-1)!;
  assert.equal(h.host, 'example.test');
  assert.equal(h['user-agent'], 'mine');
  assert.equal(h['x-a'], '1');
});

test('httpGet: a status of 400 or more fails with the kubelet\'s message', async () => {
  assert.deepEqual(await run({ httpGet: { port, path: '/fail' } }), { result: 'failure', output: 'HTTP probe failed with statuscode: 500' });
});

test('httpGet: a same-host redirect is followed; a cross-host one is a warning, not followed', async () => {
  assert.deepEqual(await run({ httpGet: { port, path: '/redirect-same' } }), { result: 'failure', output: 'HTTP probe failed with statuscode: 500' });
  assert.deepEqual(await run({ httpGet: { port, path: '/redirect-other' } }), { result: 'warning', output: 'Probe terminated redirects, Response body: moved' });
  const loop = await run({ httpGet: { port, path: '/loop' } });
  assert.equal(loop.result, 'failure');
  assert.match(loop.output, /stopped after 10 redirects$/);
});

test('httpGet: a closed port and a timeout fail with Go\'s wording; the body is cut at 10 KiB', async () => {
  const closed = net.createServer();
  await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
  const cport = (closed.address() as net.AddressInfo).port;
  await new Promise<void>((r) => closed.close(() => r()));
  assert.deepEqual(await run({ httpGet: { port: cport, path: '/' } }), {
    result: 'failure',
    output: `Get "http://127.0.0.1:${cport}/": dial tcp 127.0.0.1:${cport}: connect: connection refused`,
  });
  const slow = await run({ httpGet: { port, path: '/slow' } }, 200);
  assert.equal(slow.output, `Get "http://127.0.0.1:${port}/slow": context deadline exceeded (Client.Timeout exceeded while awaiting headers)`);
  const big = await run({ httpGet: { port, path: '/big' } });
  assert.equal(big.output.length, 10 * 1024);
});

test('an unknown port name is an error (unknown), not a failure', async () => {
  assert.deepEqual(await run({ httpGet: { port: 'nope', path: '/' } }), { result: 'unknown', output: "couldn't find port: nope in c" });
});

test('tcpSocket: connects, or fails with the dial error', async () => {
  assert.deepEqual(await run({ tcpSocket: { port } }), { result: 'success', output: '' });
  const closed = net.createServer();
  await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
  const cport = (closed.address() as net.AddressInfo).port;
  await new Promise<void>((r) => closed.close(() => r()));
  assert.deepEqual(await run({ tcpSocket: { port: cport } }), { result: 'failure', output: `dial tcp 127.0.0.1:${cport}: connect: connection refused` });
});

test('exec: exit 0 passes with the output, non-zero fails, a timeout fails naming the command', async () => {
  const results = [
    async () => ({ exitCode: 0, stdout: Buffer.from('ok\n'), stderr: Buffer.alloc(0) }),
    async () => ({ exitCode: 1, stdout: Buffer.from('out '), stderr: Buffer.from('err') }),
    async () => {
      throw new TimeoutError('exec timed out');
    },
  ];
  for (const [i, want] of [
    { result: 'success', output: 'ok\n' },
    { result: 'failure', output: 'out err' },
    { result: 'failure', output: 'command "sleep 10" timed out' },
  ].entries()) {
    const r = new HostProbeRunner({ execSync: results[i] });
    assert.deepEqual(await r.run({ exec: { command: ['sleep', '10'] } }, target(), 1000), want);
  }
});

test('grpc: messages are framed and read as the health protocol defines them', () => {
  assert.deepEqual([...encodeHealthRequest('')], [0, 0, 0, 0, 0]);
  assert.deepEqual([...encodeHealthRequest('ab')], [0, 0, 0, 0, 4, 0x0a, 2, 0x61, 0x62]);
  assert.equal(decodeHealthResponse(Buffer.from([0, 0, 0, 0, 2, 0x08, 1])), 1);
  assert.equal(decodeHealthResponse(Buffer.from([0, 0, 0, 0, 0])), 0);
  assert.equal(decodeHealthResponse(Buffer.from([0, 0, 0, 0, 9, 0x08])), undefined);
});

test('grpc: SERVING passes, NOT_SERVING and an unimplemented service fail with the kubelet\'s words', async () => {
  let answer: 'serving' | 'not' | 'unimplemented' = 'serving';
  let lastService = '';
  const g = http2.createServer();
  g.on('stream', (stream, headers) => {
    const chunks: Buffer[] = [];
    stream.on('data', (c: Buffer) => chunks.push(c));
    stream.on('end', () => {
      const body = Buffer.concat(chunks);
      lastService = body.length > 7 ? body.subarray(7).toString() : '';
      assert.equal(headers[':path'], '/grpc.health.v1.Health/Check');
      if (answer === 'unimplemented') {
        stream.respond({ ':status': 200, 'content-type': 'application/grpc', 'grpc-status': '12', 'grpc-message': 'unknown service' }, { endStream: true });
        return;
      }
      stream.respond({ ':status': 200, 'content-type': 'application/grpc' }, { waitForTrailers: true });
      stream.on('wantTrailers', () => stream.sendTrailers({ 'grpc-status': '0' }));
      stream.end(Buffer.from([0, 0, 0, 0, 2, 0x08, answer === 'serving' ? 1 : 2]));
    });
  });
  await new Promise<void>((r) => g.listen(0, '127.0.0.1', r));
  const gport = (g.address() as net.AddressInfo).port;
  try {
    assert.deepEqual(await run({ grpc: { port: gport, service: 'svc' } }), { result: 'success', output: 'service healthy' });
    assert.equal(lastService, 'svc');
    answer = 'not';
    assert.deepEqual(await run({ grpc: { port: gport } }), { result: 'failure', output: 'service unhealthy (responded with "NOT_SERVING")' });
    answer = 'unimplemented';
    assert.deepEqual(await run({ grpc: { port: gport } }), {
      result: 'failure',
      output: 'error: this server does not implement the grpc health protocol (grpc.health.v1.Health): unknown service',
    });
  } finally {
    g.close();
  }
});

test('the plain HTTP reader: a head in pieces, a chunked body, a malformed status line', async () => {
  const { parseHead, dechunk } = await import('./http-get.js');
  assert.equal(parseHead(Buffer.from('HTTP/1.1 200 OK\r\nContent-Le')), undefined);
  const h = parseHead(Buffer.from('HTTP/1.1 302 Found\r\nLocation: /x\r\nContent-Length: 2\r\n\r\nhi'));
  assert.ok(h && !('malformed' in h));
  assert.equal(h.statusCode, 302);
  assert.equal(h.headers.get('location'), '/x');
  assert.equal(h.bodyStart, 55, 'the body starts after the blank line');
  assert.deepEqual(parseHead(Buffer.from('SSH-2.0-OpenSSH\r\n\r\n')), { malformed: 'malformed HTTP response "SSH-2.0-OpenSSH"' });
  assert.deepEqual(dechunk(Buffer.from('5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n')), { body: Buffer.from('hello world'), done: true });
  assert.deepEqual(dechunk(Buffer.from('5\r\nhel')), { body: Buffer.from('hel'), done: false });
});

test('a probe leaves no TIME_WAIT socket behind: the connection is reset, as the kubelet\'s probe dialer does', async () => {
  const r = await run({ httpGet: { port, path: '/ok' } });
  assert.equal(r.result, 'success');
  await new Promise((res) => setTimeout(res, 50));
  const tw = fs.readFileSync('/proc/net/tcp', 'utf8').split('\n').filter((l) => l.includes(`:${port.toString(16).toUpperCase().padStart(4, '0')} `) && / 06 /.test(l));
  assert.deepEqual(tw, []);
});
