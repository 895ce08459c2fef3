// Port-forward, over SPDY (kubectl: a raw upgrade, or tunnelled in WebSocket messages from 1.31) and
// over WebSocket channels (client-node, Python). Each forwarded connection is a TCP connection to the
// port on localhost inside the pod's network namespace, made by the runtime.

import type { Duplex } from 'node:stream';
import type { WebSocket } from 'ws';
import { decodeMessage, encodeMessage, type ChannelProtocol } from './channel.js';
import type { SpdyConnection, SpdyStream } from './spdy-connection.js';

/** Opens the connection to a port (the runtime's portForward for the pod's sandbox). */
export type PortDialer = (port: number) => Promise<Duplex>;

/** The kubelet's wording of a failed forward. */
export function forwardError(port: number, sandboxId: string, podUid: string, err: unknown): string {
  return `error forwarding port ${port} to pod ${sandboxId}, uid ${podUid}: ${(err as Error)?.message ?? String(err)}`;
}

/** Relays a client stream and a dialed connection both ways, each side's end half-closing the other. */
function relay(client: Duplex, remote: Duplex): Promise<void> {
  return new Promise((resolve) => {
    let open = 2;
    const done = () => {
      if (--open === 0) resolve();
    };
    remote.on('error', () => remote.destroy());
    client.pipe(remote);
    remote.pipe(client);
    remote.once('close', () => {
      client.end();
      resolve();
    });
    remote.once('end', done);
    client.once('end', done);
    client.once('close', () => remote.destroy());
  });
}

/**
 * Serves port-forward streams on a SPDY connection: per local connection the client opens an error
 * stream then a data stream, both with the same `port` and `requestid` headers.
 */
export function servePortForwardSpdy(conn: SpdyConnection, dial: PortDialer, describe: (port: number, err: unknown) => string): void {
  const pairs = new Map<string, { error?: SpdyStream; data?: SpdyStream }>();
  conn.on('stream', (s: SpdyStream) => {
    const type = s.header('streamtype');
    const id = s.header('requestid') ?? '';
    const pair = pairs.get(id) ?? {};
    pairs.set(id, pair);
    if (type === 'error') {
      pair.error = s;
      s.resume(); // the client half-closes it at once
    } else if (type === 'data') {
      pair.data = s;
    } else {
      conn.reset(s.id);
      return;
    }
    if (!pair.error || !pair.data) return;
    pairs.delete(id);
    void forwardPair(pair.error, pair.data, dial, describe);
  });
}

async function forwardPair(error: SpdyStream, data: SpdyStream, dial: PortDialer, describe: (port: number, err: unknown) => string): Promise<void> {
  const port = Number(data.header('port'));
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    error.end(Buffer.from(`invalid port ${JSON.stringify(data.header('port') ?? '')}`));
    data.end();
    return;
  }
  let remote: Duplex;
  try {
    remote = await dial(port);
  } catch (err) {
    error.end(Buffer.from(describe(port, err)));
    data.resume();
    data.end();
    return;
  }
  await relay(data, remote);
  error.end();
}

/** Ports of a channel port-forward request: `ports=80,8080` or repeated (pure). */
export function parsePorts(query: URLSearchParams): number[] {
  const out: number[] = [];
  for (const v of query.getAll('ports')) {
    for (const p of v.split(',')) {
      const n = Number(p.trim());
      if (!Number.isInteger(n) || n < 1 || n > 65535) throw new Error(`invalid port value "${p.trim()}"`);
      out.push(n);
    }
  }
  return out;
}

/**
 * Port-forward over WebSocket channels: port i has data channel 2i and error channel 2i+1, each opened by
 * a message holding the port (u16, little-endian). Any connection's end closes the WebSocket, as the
 * kubelet does.
 */
export function servePortForwardChannels(ws: WebSocket, proto: ChannelProtocol, ports: number[], dial: PortDialer, describe: (port: number, err: unknown) => string): void {
  const send = (channel: number, data: Buffer) => {
    if (ws.readyState !== ws.OPEN) return;
    const m = encodeMessage(channel, data, proto);
    ws.send(m.payload, { binary: m.binary });
  };
  const remotes: (Duplex | undefined)[] = [];
  const waiting: Buffer[][] = ports.map(() => []);
  const closeAll = () => {
    if (ws.readyState === ws.OPEN) ws.close(1000);
    for (const r of remotes) r?.destroy();
  };
  ports.forEach((port, i) => {
    const prefix = Buffer.alloc(2);
    prefix.writeUInt16LE(port);
    send(2 * i, prefix);
    send(2 * i + 1, prefix);
    dial(port).then(
      (remote) => {
        remotes[i] = remote;
        remote.on('error', () => remote.destroy());
        for (const b of waiting[i]) remote.write(b);
        waiting[i] = [];
        remote.on('data', (b: Buffer) => send(2 * i, b));
        remote.once('close', closeAll);
        if (ws.readyState !== ws.OPEN) remote.destroy();
      },
      (err: unknown) => {
        send(2 * i + 1, Buffer.from(describe(port, err)));
        closeAll();
      },
    );
  });
  ws.on('message', (raw: Buffer) => {
    const m = decodeMessage(Buffer.isBuffer(raw) ? raw : Buffer.from(raw), proto);
    if (!m || m.channel % 2 !== 0) return;
    const i = m.channel / 2;
    if (i >= ports.length) return;
    const data = m.data;
    if (!data.length) return;
    const r = remotes[i];
    if (r) r.write(data);
    else waiting[i].push(Buffer.from(data));
  });
  ws.once('close', () => {
    for (const r of remotes) r?.destroy();
  });
}
