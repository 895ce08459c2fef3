import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { Duplex, PassThrough } from 'node:stream';
import { SPDY_HEADER_DICTIONARY } from './spdy-dictionary.js';
import { decodeHeaderBlock, encodeHeaderBlock, FrameParser, pingFrame, type SpdyFrame } from './spdy-frames.js';
import { HeaderCodec } from './spdy-headers.js';
import { SpdyConnection, type ByteTransport, type SpdyStream } from './spdy-connection.js';
import { KUBECTL_127_EXEC_STDIN, KUBECTL_127_PORT_FORWARD } from './recorded-frames.js';
import { expectedStreamTypes, spdyCommandStreams } from './spdy-exec.js';
import { runCommand } from './remote-command.js';
import { servePortForwardSpdy } from './port-forward.js';

test('the SPDY/3 header dictionary is the 1423 bytes every peer compresses against', () => {
  assert.equal(SPDY_HEADER_DICTIONARY.length, 1423);
  assert.equal(createHash('sha256').update(SPDY_HEADER_DICTIONARY).digest('hex'), '51d27341373f923f3cd88e1eb7162aeaa3723d7585ff2399201dc06498407f02');
});

/** The recording cut into its frames' bytes. */
function frameBytes(bytes: Buffer): Buffer[] {
  const out: Buffer[] = [];
  for (let i = 0; i < bytes.length; ) {
    const len = 8 + bytes.readUIntBE(i + 5, 3);
    out.push(bytes.subarray(i, i + len));
    i += len;
  }
  return out;
}

/** kubectl's exec up to stdin's FIN: what it sends before the outcome (then come its resets and GOAWAY). */
const EXEC_BEFORE_OUTCOME = Buffer.concat(frameBytes(KUBECTL_127_EXEC_STDIN).slice(0, 6));
const EXEC_TEARDOWN = Buffer.concat(frameBytes(KUBECTL_127_EXEC_STDIN).slice(6));

function framesOf(bytes: Buffer, chunk = bytes.length): SpdyFrame[] {
  const p = new FrameParser();
  const out: SpdyFrame[] = [];
  for (let i = 0; i < bytes.length; i += chunk) out.push(...p.push(bytes.subarray(i, i + chunk)));
  assert.equal(p.pending, 0);
  return out;
}

test('recorded kubectl 1.27 exec frames parse the same whole or a byte at a time', () => {
  const whole = framesOf(KUBECTL_127_EXEC_STDIN);
  assert.deepEqual(framesOf(KUBECTL_127_EXEC_STDIN, 1), whole);
  assert.deepEqual(whole.filter((f) => f.kind === 'syn_stream').map((f) => (f as { streamId: number }).streamId), [1, 3, 5, 7]);
});

test("recorded kubectl 1.27 exec headers inflate in order: error, stdin, stdout, stderr, then stdin's data and FIN", async () => {
  const frames = framesOf(KUBECTL_127_EXEC_STDIN);
  const codec = new HeaderCodec();
  const types: string[] = [];
  for (const f of frames) if (f.kind === 'syn_stream') types.push((await codec.decode(f.headerBlock)).streamtype[0]);
  codec.close();
  assert.deepEqual(types, ['error', 'stdin', 'stdout', 'stderr']);
  const stdinData = frames.filter((f): f is Extract<SpdyFrame, { kind: 'data' }> => f.kind === 'data' && f.streamId === 3);
  assert.equal(Buffer.concat(stdinData.map((f) => f.data)).toString(), 'hi');
  assert.ok(stdinData.some((f) => f.fin));
});

test('header blocks round-trip, repeated values joined by NUL', () => {
  const block = encodeHeaderBlock({ StreamType: 'data', port: ['80', '81'] });
  assert.deepEqual(decodeHeaderBlock(block), { streamtype: ['data'], port: ['80', '81'] });
});

test('one compression context spans the blocks of a connection', async () => {
  const a = new HeaderCodec();
  const b = new HeaderCodec();
  const first = await a.encode({ streamtype: 'error', requestid: '0' });
  const second = await a.encode({ streamtype: 'data', requestid: '0' });
  assert.deepEqual(await b.decode(first), { streamtype: ['error'], requestid: ['0'] });
  assert.deepEqual(await b.decode(second), { streamtype: ['data'], requestid: ['0'] });
  a.close();
  b.close();
});

/** A transport that records what the server writes and lets the test play the client. */
function pipeTransport(): ByteTransport & { sent: Buffer[]; feed(b: Buffer): void; end(): void; closed: boolean } {
  let onData: (b: Buffer) => void = () => {};
  let onClose: () => void = () => {};
  const t = {
    sent: [] as Buffer[],
    closed: false,
    write: (b: Buffer) => (t.sent.push(b), true),
    onData: (l: (b: Buffer) => void) => void (onData = l),
    onDrain: () => {},
    onClose: (l: () => void) => void (onClose = l),
    close: () => {
      t.closed = true;
      onClose();
    },
    feed: (b: Buffer) => onData(b),
    end: () => onClose(),
  };
  return t;
}

const until = async (cond: () => boolean, what: string) => {
  for (let i = 0; i < 200 && !cond(); i++) await new Promise((r) => setTimeout(r, 5));
  assert.ok(cond(), `timed out waiting for ${what}`);
};

/** The server's frames, header blocks inflated by a client-side codec. */
async function serverFrames(sent: Buffer[]): Promise<{ replies: number[]; data: Map<number, Buffer>; fins: Set<number>; pings: number[] }> {
  const codec = new HeaderCodec();
  const out = { replies: [] as number[], data: new Map<number, Buffer>(), fins: new Set<number>(), pings: [] as number[] };
  for (const f of framesOf(Buffer.concat(sent))) {
    if (f.kind === 'syn_reply') {
      await codec.decode(f.headerBlock);
      out.replies.push(f.streamId);
    } else if (f.kind === 'data') {
      out.data.set(f.streamId, Buffer.concat([out.data.get(f.streamId) ?? Buffer.alloc(0), f.data]));
      if (f.fin) out.fins.add(f.streamId);
    } else if (f.kind === 'ping') out.pings.push(f.id);
  }
  codec.close();
  return out;
}

test('a SPDY connection answers every stream with SYN_REPLY, echoes PING, and hands out streams with their data', async () => {
  const t = pipeTransport();
  const conn = new SpdyConnection(t);
  const streams: SpdyStream[] = [];
  conn.on('stream', (s: SpdyStream) => streams.push(s));
  t.feed(EXEC_BEFORE_OUTCOME);
  t.feed(pingFrame(7));
  await until(() => streams.length === 4, 'four streams');
  const stdin = streams.find((s) => s.header('streamtype') === 'stdin')!;
  const chunks: Buffer[] = [];
  stdin.on('data', (b: Buffer) => chunks.push(b));
  await new Promise((r) => stdin.once('end', r));
  assert.equal(Buffer.concat(chunks).toString(), 'hi');
  await until(() => t.sent.length >= 5, 'replies');
  const seen = await serverFrames(t.sent);
  assert.deepEqual(seen.replies, [1, 3, 5, 7]);
  assert.deepEqual(seen.pings, [7]);
  // kubectl's resets and GOAWAY after the outcome close the connection.
  t.feed(EXEC_TEARDOWN);
  await until(() => t.closed, 'the transport to close');
});

test('exec over SPDY: stdin reaches the session, output goes on stdout, the exit code as a v4 Status on the error stream', async () => {
  const t = pipeTransport();
  const conn = new SpdyConnection(t);
  const flags = { stdin: true, stdout: true, stderr: true, tty: false };
  assert.deepEqual(expectedStreamTypes(flags), ['error', 'stdin', 'stdout', 'stderr']);
  const streamsP = spdyCommandStreams(conn, flags, ['sh', '-c', 'cat; exit 2'], 4);
  t.feed(EXEC_BEFORE_OUTCOME);
  const streams = await streamsP;
  let stdinSeen = '';
  let closedStdin = false;
  let end!: (v: { exitCode: number }) => void;
  const outcome = await runCommand(streams, { tty: false }, async (out) => ({
    writeStdin: async (d) => void (stdinSeen += d.toString()),
    closeStdin: () => {
      closedStdin = true;
      out.output('stdout', Buffer.from(stdinSeen));
      out.output('stderr', Buffer.from('oops'));
      end({ exitCode: 2 });
    },
    resize: () => {},
    done: new Promise((r) => (end = r)),
    cancel: () => {},
  }));
  assert.deepEqual(outcome, { exitCode: 2 });
  assert.ok(closedStdin);
  await until(() => t.sent.length >= 8, 'the final frames');
  const seen = await serverFrames(t.sent);
  assert.equal(seen.data.get(5)?.toString(), 'hi');
  assert.equal(seen.data.get(7)?.toString(), 'oops');
  const status = JSON.parse(seen.data.get(1)!.toString());
  assert.equal(status.reason, 'NonZeroExitCode');
  assert.deepEqual(status.details.causes, [{ reason: 'ExitCode', message: '2' }]);
  assert.ok(seen.fins.has(1) && seen.fins.has(5) && seen.fins.has(7));
  conn.close();
});

test('port-forward over SPDY (recorded kubectl 1.27): the data stream reaches the dialed port and its answer comes back', async () => {
  const t = pipeTransport();
  const conn = new SpdyConnection(t);
  const remote = new PassThrough();
  const received: Buffer[] = [];
  const dialed: number[] = [];
  const dial = async (port: number): Promise<Duplex> => {
    dialed.push(port);
    // The pod's end: whatever arrives is recorded; it answers once.
    const pod = new PassThrough();
    pod.on('data', (b: Buffer) => {
      received.push(b);
      remote.write('HTTP/1.0 200 OK\r\n\r\nhello');
      remote.end();
    });
    return new DuplexPair(pod, remote);
  };
  servePortForwardSpdy(conn, dial, (port, err) => `error forwarding port ${port}: ${String(err)}`);
  t.feed(KUBECTL_127_PORT_FORWARD);
  await until(() => received.length > 0, 'the request at the pod');
  assert.deepEqual(dialed, [80]);
  assert.match(Buffer.concat(received).toString(), /^GET \/ HTTP\/1\.1/);
  await until(() => t.sent.some((b) => b.includes(Buffer.from('hello'))), 'the answer');
  const seen = await serverFrames(t.sent);
  assert.equal(seen.replies.length, 2);
  assert.equal(seen.data.get(3)?.toString(), 'HTTP/1.0 200 OK\r\n\r\nhello');
  conn.close();
});

test('port-forward over SPDY: a port nothing listens on is reported on the error stream', async () => {
  const t = pipeTransport();
  const conn = new SpdyConnection(t);
  servePortForwardSpdy(conn, async () => Promise.reject(new Error('connection refused')), (port, err) => `error forwarding port ${port}: ${(err as Error).message}`);
  t.feed(KUBECTL_127_PORT_FORWARD);
  await until(() => t.sent.some((b) => b.includes(Buffer.from('refused'))), 'the error');
  const seen = await serverFrames(t.sent);
  assert.equal(seen.data.get(1)?.toString(), 'error forwarding port 80: connection refused');
  assert.ok(seen.fins.has(1));
  conn.close();
});

/** Writes go to `writable`, reads come from `readable`: the dialed side of a forwarded connection. */
class DuplexPair extends Duplex {
  constructor(
    private readonly writable_: PassThrough,
    readable: PassThrough,
  ) {
    super();
    readable.on('data', (b: Buffer) => this.push(b));
    readable.on('end', () => this.push(null));
  }
  override _read(): void {}
  override _write(chunk: Buffer, _e: BufferEncoding, cb: () => void): void {
    this.writable_.write(chunk);
    cb();
  }
}
