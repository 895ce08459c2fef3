// What one client may cost the API server: connections (in all, and per client address), header bytes, body
// bytes, and how long a connection may take over its TLS handshake, its request headers and its request
// body. Without these a slowloris client (headers a byte a second), a slow body, a connection that
// handshakes and then says nothing, or a flood of connections from one address holds memory and file
// descriptors until the daemon runs out.
//
// None of them cuts a long answer: Node's header and request timeouts cover receiving the request only (a
// watch, a `logs -f` or a `get -w` is a GET whose request is complete once its headers are in), and exec,
// attach and port-forward leave the HTTP server at their upgrade. kube-apiserver's own: ReadHeaderTimeout 32 s, MaxRequestBodyBytes 3 MB, and Go's
// MaxHeaderBytes 1 MiB (Node's parser keeps the whole head in memory, so the cap here is smaller).

import type https from 'node:https';
import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import fs from 'node:fs';
import type { Logger } from '../system/logger.js';
import { CONNECT_STATUS, statusBytes } from './client-errors.js';
import { DRAIN_MAX_BYTES, DRAIN_MAX_MS } from './upload-limit.js';

export interface ServerLimits {
  /** Open connections in all (server.maxConnections); more are closed at once. */
  maxConnections: number;
  /** Open connections from one client address; more are closed at once. */
  maxConnectionsPerClient: number;
  /** Bytes of a request's head (request line and headers); more is a 431. */
  maxHeaderBytes: number;
  /** Bytes of an object body (create, update, patch); more is a 413. Image uploads have their own cap. */
  maxBodyBytes: number;
  /**
   * From a request's first byte (or a new connection's handshake: Node counts a connection that has not
   * sent a request yet as one waiting for headers) to the end of its headers; past it, a 408 and the
   * connection closes.
   */
  headersTimeoutMs: number;
  /** From a request's first byte to the end of its body (uploads included); past it, a 408. */
  requestTimeoutMs: number;
  /** A new connection's TLS handshake. */
  handshakeTimeoutMs: number;
  /** An idle keep-alive connection between requests. */
  keepAliveTimeoutMs: number;
}

/**
 * The defaults: they admit kubectl, the client libraries, informers and the bench's `load` and `watchers`
 * scenarios (a hundred watches plus a pool of 32 keep-alive connections, all from one address).
 */
export const DEFAULT_SERVER_LIMITS: ServerLimits = {
  maxConnections: 4096,
  maxConnectionsPerClient: 1024,
  maxHeaderBytes: 64 * 1024,
  maxBodyBytes: 3 * 1024 * 1024,
  headersTimeoutMs: 32_000,
  requestTimeoutMs: 300_000,
  handshakeTimeoutMs: 10_000,
  // Clients (kubectl, informers, the bench) keep connections idle for long stretches; Node's 5 s default
  // closes them while a client may be reusing one, which the client sees as ECONNRESET. Go's net/http
  // keeps them for minutes.
  keepAliveTimeoutMs: 120_000,
};

/** The Node options of https.createServer that carry limits. */
export function serverOptions(l: ServerLimits) {
  return {
    maxHeaderSize: l.maxHeaderBytes,
    handshakeTimeout: l.handshakeTimeoutMs,
    requestTimeout: l.requestTimeoutMs,
    headersTimeout: l.headersTimeoutMs,
    keepAliveTimeout: l.keepAliveTimeoutMs,
    // Node looks for requests past their header or request timeout this often (its default, 30 s, would let
    // a slowloris client hold a connection for a minute past a 32 s limit).
    connectionsCheckingInterval: Math.max(100, Math.min(1000, Math.floor(l.headersTimeoutMs / 4))),
  };
}

/** Counts open connections per client address (pure: no sockets). */
export class ClientConnections {
  private readonly open = new Map<string, number>();
  constructor(private readonly perClient: number) {}

  /** True, and counted, when `address` may open one more connection. */
  admit(address: string): boolean {
    const n = this.open.get(address) ?? 0;
    if (n >= this.perClient) return false;
    this.open.set(address, n + 1);
    return true;
  }

  release(address: string): void {
    const n = (this.open.get(address) ?? 0) - 1;
    if (n > 0) this.open.set(address, n);
    else this.open.delete(address);
  }

  count(address: string): number {
    return this.open.get(address) ?? 0;
  }
}

/**
 * The soft limit on this process' open files (RLIMIT_NOFILE), from /proc/self/limits; undefined when it
 * cannot be read or is unlimited.
 */
export function openFilesLimit(read: () => string = () => fs.readFileSync('/proc/self/limits', 'utf8')): number | undefined {
  try {
    const m = /^Max open files\s+(\d+)/m.exec(read());
    return m ? Number(m[1]) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The total cap actually used: the configured one, but never more than half the open-files limit, so
 * connections alone cannot take the descriptors containers, logs and the store need.
 */
export function effectiveMaxConnections(configured: number, nofile: number | undefined): number {
  return nofile ? Math.max(16, Math.min(configured, Math.floor(nofile / 2))) : configured;
}

/**
 * Applies the limits to a started-or-not HTTPS server: timeouts and the total cap on the server, the
 * per-client cap on each new connection. Connections over a cap are closed before their handshake (as
 * Node's maxConnections does), with one warning per client per burst.
 */
export function guardServer(server: https.Server, limits: ServerLimits, logger: Logger, nofile = openFilesLimit()): void {
  server.maxConnections = effectiveMaxConnections(limits.maxConnections, nofile);
  server.headersTimeout = limits.headersTimeoutMs;
  server.requestTimeout = limits.requestTimeoutMs;
  server.keepAliveTimeout = limits.keepAliveTimeoutMs;
  const clients = new ClientConnections(limits.maxConnectionsPerClient);
  const warned = new Set<string>();
  server.on('connection', (socket: Socket) => {
    const address = socket.remoteAddress ?? '';
    if (!clients.admit(address)) {
      if (!warned.has(address)) {
        warned.add(address);
        logger.warn({ client: address, open: clients.count(address), limit: limits.maxConnectionsPerClient }, 'api: client is over its connection limit; closing its new connections');
      }
      socket.destroy();
      return;
    }
    socket.once('close', () => {
      clients.release(address);
      if (clients.count(address) === 0) warned.delete(address);
    });
  });
}

/**
 * Answers what the HTTP parser refused before a request existed (a malformed request line, an unknown
 * method, a head over maxHeaderBytes, a header or request timeout), and CONNECT, with a Status as every
 * other error, then closes the connection. A socket already broken, or mid-answer, is just closed.
 */
export function answerClientErrors(server: https.Server): void {
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Duplex) => {
    // A request already handed to the API (its body too slow) is answered too, unless its answer has begun.
    const answering = (socket as Duplex & { _httpMessage?: { headersSent?: boolean } })._httpMessage;
    if (!socket.writable || answering?.headersSent || err.code === 'ECONNRESET') {
      socket.destroy();
      return;
    }
    answerThenClose(socket, statusBytes(err));
  });
  server.on('connect', (_req: IncomingMessage, socket: Duplex) => {
    socket.on('error', () => socket.destroy());
    socket.end(statusBytes(CONNECT_STATUS));
  });
}

/**
 * Writes `answer` and ends the socket, then closes it once the client has read it: when the client ends
 * its side, or after the rest of what it sends (dropped, up to a bound) or a time bound. Destroying at once
 * would drop the answer still queued in TLS (after a 100 Continue the parser's error comes with a request
 * already handed out), and closing with the client's body unread would reset the connection under the
 * answer (a 4 MB body with both Content-Length and Transfer-Encoding). A second parser error on the same
 * socket is ignored: its answer is already on the way.
 */
function answerThenClose(socket: Duplex, answer: Buffer, maxBytes = DRAIN_MAX_BYTES, maxMs = DRAIN_MAX_MS): void {
  if (answered.has(socket)) return;
  answered.add(socket);
  socket.on('error', () => socket.destroy());
  // The HTTP parser gave up on this connection: what else arrives is only read and dropped.
  socket.removeAllListeners('data');
  let seen = 0;
  const close = (): void => {
    clearTimeout(timer);
    socket.destroy();
  };
  const timer = setTimeout(close, maxMs);
  timer.unref();
  socket.on('data', (chunk: Buffer) => {
    seen += chunk.length;
    if (seen > maxBytes) close();
  });
  socket.once('end', close).once('close', () => clearTimeout(timer));
  socket.end(answer);
  socket.resume();
}

const answered = new WeakSet<Duplex>();
