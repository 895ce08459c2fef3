// The API's upgrade path, beside its request pipeline: exec, attach and port-forward requests that ask
// for a WebSocket or SPDY/3.1 connection. Each goes through the same security stage as every request
// (a stream needs `create` on its subresource, as the apiserver's websocket upgrade check asks), then
// the pod and container are resolved, and the connection is handed to the wire protocol.

import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { BadRequestError, ConflictError, NotFoundError } from '../../errors.js';
import type { Pod } from '../../k8s/types.js';
import { LABEL_CONTAINER_NAME, LABEL_POD_UID, type Runtime } from '../../runtime/runtime.js';
import type { Logger } from '../../system/logger.js';
import type { ObjectStore } from '../../store/store.js';
import type { SecurityStage } from '../auth/stage.js';
import { selectContainer } from '../log-target.js';
import { runtimeUidOf } from '../../node/static-pods/manifest.js';
import { parseResourcePath } from '../route.js';
import { requestTarget } from '../http.js';
import { errorToStatus } from '../status.js';
import { negotiateChannelProtocol, offeredProtocols, SPDY_TUNNEL_PROTOCOL } from './channel.js';
import { forwardError, parsePorts, servePortForwardChannels, servePortForwardSpdy, type PortDialer } from './port-forward.js';
import { runCommand, type CommandStreams } from './remote-command.js';
import { SpdyConnection, type ByteTransport } from './spdy-connection.js';
import { spdyCommandStreams } from './spdy-exec.js';
import type { StreamFlags } from './ws-channels.js';
import { channelCommandStreams } from './ws-channels.js';

const STREAMING_SUBRESOURCES = new Set(['exec', 'attach', 'portforward']);

/** SPDY remote-command versions, best first (v5 is v4 on SPDY: its close signal is WebSocket's). */
const SPDY_EXEC_VERSIONS: [string, number][] = [
  ['v4.channel.k8s.io', 4],
  ['v3.channel.k8s.io', 3],
  ['v2.channel.k8s.io', 2],
  ['channel.k8s.io', 1],
];
const SPDY_PORT_FORWARD = 'portforward.k8s.io';

export interface StreamingDeps {
  store: ObjectStore;
  runtime?: Runtime;
  security: SecurityStage;
  logger: Logger;
}

/** A boolean query parameter as Go's strconv.ParseBool reads it (the Python client sends "True"). */
function truthy(v: string | null): boolean {
  return v !== null && ['1', 't', 'T', 'true', 'TRUE', 'True'].includes(v);
}

/** The X-Stream-Protocol-Version offers (a repeated header, which Node joins with commas). */
function streamProtocols(req: IncomingMessage): string[] {
  return offeredProtocols(req.headers['x-stream-protocol-version']);
}

/** Writes a Status as a plain HTTP reply on the raw socket and closes it. */
function replyError(socket: Duplex, err: unknown): void {
  const { status } = errorToStatus(err);
  const body = JSON.stringify(status);
  const code = Number(status.code) || 500;
  socket.end(
    `HTTP/1.1 ${code} ${String(status.reason ?? 'Error')}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}

/** A command's target, resolved from the pod in the store and the runtime's running containers. */
interface Target {
  pod: Pod;
  containerId: string;
}

export class StreamingEndpoint {
  private readonly open = new Set<Duplex>();

  constructor(private readonly deps: StreamingDeps) {}

  /** Ends every stream (the server is stopping). */
  closeAll(): void {
    for (const s of this.open) s.destroy();
    this.open.clear();
  }

  /** The server's 'upgrade' listener. */
  readonly onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
    socket.on('error', () => socket.destroy());
    this.open.add(socket);
    socket.once('close', () => this.open.delete(socket));
    this.handle(req, socket, head).catch((err: unknown) => {
      const { internal } = errorToStatus(err);
      if (internal) this.deps.logger.error({ err, path: req.url }, 'stream upgrade failed');
      if (socket.writable) replyError(socket, err);
      else socket.destroy();
    });
  };

  private async handle(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    const url = requestTarget(req.url);
    const route = parseResourcePath(url.pathname);
    if (!route || route.resource.resource !== 'pods' || !route.name || !route.subresource || !STREAMING_SUBRESOURCES.has(route.subresource)) {
      throw new BadRequestError('upgrade requests are served for pods/exec, pods/attach and pods/portforward only');
    }
    const method = (req.method ?? 'GET').toUpperCase();
    // A WebSocket upgrade is a GET: it must be allowed to get and to create the subresource.
    if (method === 'GET') this.deps.security.check(req, 'GET', url.pathname, url.searchParams);
    this.deps.security.check(req, 'POST', url.pathname, url.searchParams);
    const pod = this.deps.store.tryGet<Pod>('pods', route.namespace, route.name);
    if (!pod) throw NotFoundError.of({ resource: 'pods', name: route.name });
    const runtime = this.deps.runtime;
    if (!runtime) throw new ConflictError('this server runs no pods');
    const upgrade = String(req.headers.upgrade ?? '').toLowerCase();
    const sub = route.subresource;
    if (sub === 'portforward') return this.portForward(req, socket, head, upgrade, pod, runtime, url.searchParams);
    const flags: StreamFlags = {
      stdin: truthy(url.searchParams.get('stdin')),
      stdout: truthy(url.searchParams.get('stdout')),
      stderr: truthy(url.searchParams.get('stderr')),
      tty: truthy(url.searchParams.get('tty')),
    };
    const cmd = url.searchParams.getAll('command');
    if (sub === 'exec' && cmd.length === 0) throw new BadRequestError('you must specify at least one command for the container');
    if (!flags.stdin && !flags.stdout && !flags.stderr) throw new BadRequestError('you must specify at least one of stdin, stdout, stderr');
    const target = await this.resolveContainer(pod, url.searchParams.get('container') ?? undefined, sub, runtime);
    const start = (streams: CommandStreams) =>
      runCommand(streams, { tty: flags.tty }, (out, size) =>
        sub === 'exec'
          ? runtime.execStream(target.containerId, { cmd, stdin: flags.stdin, tty: flags.tty, size }, out)
          : runtime.attach(target.containerId, { stdin: flags.stdin, tty: flags.tty }, out),
      );
    const log = this.deps.logger;
    const what = { pod: `${pod.metadata.namespace}/${pod.metadata.name}`, container: target.containerId.slice(0, 12), sub };
    if (upgrade === 'websocket') {
      const proto = negotiateChannelProtocol(offeredProtocols(req.headers['sec-websocket-protocol']), 'exec');
      if (!proto) throw new BadRequestError('none of the offered WebSocket subprotocols is supported');
      const ws = await this.acceptWebSocket(req, socket, head, proto.name);
      log.debug({ ...what, protocol: proto.name }, 'stream opened');
      const outcome = await start(channelCommandStreams(ws, proto, flags, cmd));
      log.debug({ ...what, outcome }, 'stream ended');
      return;
    }
    if (upgrade === 'spdy/3.1') {
      const offered = streamProtocols(req);
      const chosen = SPDY_EXEC_VERSIONS.find(([name]) => offered.includes(name));
      if (offered.length && !chosen) throw new BadRequestError(`none of the offered stream protocols [${offered.join(' ')}] is supported`);
      const [name, version] = chosen ?? ['', 1];
      const conn = this.acceptSpdy(socket, head, name);
      log.debug({ ...what, protocol: name || 'v1' }, 'stream opened');
      const streams = await spdyCommandStreams(conn, flags, cmd, version).catch((err: unknown) => {
        log.debug({ ...what, err: (err as Error).message }, 'stream abandoned');
        conn.close();
        return undefined;
      });
      if (!streams) return;
      const outcome = await start(streams);
      log.debug({ ...what, outcome }, 'stream ended');
      return;
    }
    throw new BadRequestError(`unsupported upgrade ${JSON.stringify(req.headers.upgrade ?? '')}: want websocket or SPDY/3.1`);
  }

  private async portForward(req: IncomingMessage, socket: Duplex, head: Buffer, upgrade: string, pod: Pod, runtime: Runtime, query: URLSearchParams): Promise<void> {
    const uid = runtimeUidOf(pod);
    const sandboxes = await runtime.listPodSandboxes({ labelSelector: { [LABEL_POD_UID]: uid }, state: 'ready' });
    const sandbox = sandboxes.sort((a, b) => b.createdAt - a.createdAt)[0];
    if (!sandbox) throw new BadRequestError(`pod ${pod.metadata.name} does not have a running sandbox: it is ${pod.status?.phase ?? 'Pending'}`);
    const dial: PortDialer = (port) => runtime.portForward(sandbox.id, port);
    const describe = (port: number, err: unknown) => forwardError(port, sandbox.id, uid, err);
    const what = { pod: `${pod.metadata.namespace}/${pod.metadata.name}`, sub: 'portforward' };
    if (upgrade === 'websocket') {
      const offered = offeredProtocols(req.headers['sec-websocket-protocol']);
      if (offered.includes(SPDY_TUNNEL_PROTOCOL)) {
        const ws = await this.acceptWebSocket(req, socket, head, SPDY_TUNNEL_PROTOCOL);
        this.deps.logger.debug({ ...what, protocol: SPDY_TUNNEL_PROTOCOL }, 'stream opened');
        servePortForwardSpdy(new SpdyConnection(webSocketBytes(ws)), dial, describe);
        return;
      }
      const proto = negotiateChannelProtocol(offered, 'portforward');
      if (!proto) throw new BadRequestError('none of the offered WebSocket subprotocols is supported');
      const ports = parsePorts(query);
      if (ports.length === 0) throw new BadRequestError('query parameter "ports" is required');
      const ws = await this.acceptWebSocket(req, socket, head, proto.name);
      this.deps.logger.debug({ ...what, protocol: proto.name, ports }, 'stream opened');
      servePortForwardChannels(ws, proto, ports, dial, describe);
      return;
    }
    if (upgrade === 'spdy/3.1') {
      const offered = streamProtocols(req);
      if (offered.length && !offered.includes(SPDY_PORT_FORWARD)) {
        throw new BadRequestError(`none of the offered stream protocols [${offered.join(' ')}] is supported`);
      }
      const conn = this.acceptSpdy(socket, head, SPDY_PORT_FORWARD);
      this.deps.logger.debug({ ...what, protocol: SPDY_PORT_FORWARD }, 'stream opened');
      servePortForwardSpdy(conn, dial, describe);
      return;
    }
    throw new BadRequestError(`unsupported upgrade ${JSON.stringify(req.headers.upgrade ?? '')}: want websocket or SPDY/3.1`);
  }

  /** The running container exec or attach reaches, with the apiserver's and the kubelet's errors. */
  private async resolveContainer(pod: Pod, requested: string | undefined, sub: string, runtime: Runtime): Promise<Target> {
    const name = selectContainer(pod, requested);
    const phase = pod.status?.phase;
    if (phase === 'Succeeded' || phase === 'Failed') {
      const verb = sub === 'exec' ? 'exec into' : 'attach to';
      throw new BadRequestError(`cannot ${verb} a container in a completed pod; current phase is ${phase}`);
    }
    const running = await runtime.listContainers({
      state: 'running',
      labelSelector: { [LABEL_POD_UID]: runtimeUidOf(pod), [LABEL_CONTAINER_NAME]: name },
    });
    const c = running.sort((a, b) => b.createdAt - a.createdAt)[0];
    if (!c) throw new BadRequestError(`container not found ("${name}")`);
    return { pod, containerId: c.id };
  }

  private acceptWebSocket(req: IncomingMessage, socket: Duplex, head: Buffer, protocol: string): Promise<WebSocket> {
    // A server per upgrade: it only answers this handshake, with the subprotocol chosen above.
    const wss = new WebSocketServer({ noServer: true, perMessageDeflate: false, maxPayload: 16 * 1024 * 1024, handleProtocols: () => protocol || false });
    return new Promise((resolve) => {
      wss.handleUpgrade(req, socket, head, (ws) => {
        ws.on('error', () => ws.terminate());
        resolve(ws);
      });
    });
  }

  private acceptSpdy(socket: Duplex, head: Buffer, protocol: string): SpdyConnection {
    const lines = ['HTTP/1.1 101 Switching Protocols', 'Connection: Upgrade', 'Upgrade: SPDY/3.1'];
    if (protocol) lines.push(`X-Stream-Protocol-Version: ${protocol}`);
    socket.write(lines.join('\r\n') + '\r\n\r\n');
    const conn = new SpdyConnection(socketBytes(socket));
    if (head.length) socket.unshift(head);
    return conn;
  }
}

/** A raw upgraded socket as the SPDY connection's transport. */
function socketBytes(socket: Duplex): ByteTransport {
  return {
    write: (b) => socket.write(b),
    onData: (l) => void socket.on('data', l),
    onDrain: (l) => void socket.on('drain', l),
    onClose: (l) => void socket.once('close', l),
    close: () => socket.end(() => socket.destroy()),
  };
}

/** A WebSocket whose binary messages carry SPDY bytes (kubectl 1.31+ port-forward). Empty messages are not EOF. */
function webSocketBytes(ws: WebSocket): ByteTransport {
  return {
    write: (b) => {
      if (ws.readyState === ws.OPEN) ws.send(b, { binary: true });
      return true;
    },
    onData: (l) =>
      void ws.on('message', (raw: Buffer | ArrayBuffer | Buffer[]) => {
        const b = Array.isArray(raw) ? Buffer.concat(raw) : Buffer.isBuffer(raw) ? raw : Buffer.from(raw);
        if (b.length) l(b);
      }),
    onDrain: () => {},
    onClose: (l) => void ws.once('close', l),
    close: () => {
      if (ws.readyState === ws.OPEN) ws.close(1000);
    },
  };
}

