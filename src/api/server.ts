// ApiServer: the Kubernetes-compatible API over HTTPS only (node:https), every request through the
// security stage (authentication, then authorization) before it is dispatched. Every request runs in
// its own try/catch: a handler bug becomes a 500 Status and a log line with the request id, never a
// daemon crash. stop() ends watches, log follows and keep-alive sockets. `listener` is the bare
// request handler, for in-process tests that inject requests without a socket.

import type http from 'node:http';
import https from 'node:https';
import { constants as cryptoConstants } from 'node:crypto';
import type { AddressInfo, Socket } from 'node:net';
import type { Watch } from '../store/store.js';
import type { EventSink } from '../k8s/events.js';
import type { ApiDeps } from './deps.js';
import { requestTarget, sendJson, type RequestContext } from './http.js';
import { buildOpenApi } from './openapi/documents.js';
import { dispatch, type RouterEnv } from './router.js';
import { errorToStatus } from './status.js';
import { StoreEventSink } from '../store/events.js';
import { KUBE_VERSION, type KubeVersion } from '../k8s/version.js';
import type { SecurityStage } from './auth/stage.js';
import { StreamingEndpoint } from './streaming/upgrade.js';
import { apiRequestSample } from '../metrics/api-requests.js';
import { servedRequestKeys } from './auth/served.js';
import { drainRequest, DRAIN_MAX_BYTES, DRAIN_MAX_MS } from './upload-limit.js';
import type { ApiRequestRecorder } from '../metrics/recorder.js';
import { answerClientErrors, DEFAULT_SERVER_LIMITS, guardServer, serverOptions, type ServerLimits } from './server-limits.js';
import { WatchLimiter } from './watch-limits.js';
import { SharedEventLines } from './watch-lines.js';

/** What ApiServer is built from: the handlers' dependencies, with the scheduler's event sink optional. */
export type ApiServerOptions = Omit<ApiDeps, 'schedulerEvents' | 'background' | 'authorizer'> & {
  version?: KubeVersion;
  /** Authentication and authorization of every request. */
  security: SecurityStage;
  /** Where the Scheduled event of a pod bound at admission goes; default: a store sink as "default-scheduler". */
  schedulerEvents?: EventSink;
  /** Renders GET /metrics; without it /metrics is 404. */
  metrics?: () => string;
  /** Counts and times each admitted resource request (apiserver_request_total and _duration_seconds). */
  requests?: ApiRequestRecorder;
  /** Connections, header and body sizes, timeouts (server-limits.ts); unset ones take the defaults. */
  limits?: Partial<ServerLimits>;
};

/** Splits "host:port" ("[::1]:6443" for IPv6). */
export function parseListenAddress(listen: string): { host: string; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:]+)):(\d+)$/.exec(listen.trim());
  if (!m) throw new Error(`invalid listen address ${JSON.stringify(listen)}: want host:port, e.g. 127.0.0.1:6443`);
  const host = m[1] ?? m[2];
  const port = Number(m[3]);
  if (port > 65535) throw new Error(`invalid listen address ${JSON.stringify(listen)}: port out of range`);
  return { host, port };
}

/** The TLS material the API serves with: its certificate and key, and the CA that client certificates must chain to. */
export interface TlsMaterial {
  certPem: string;
  keyPem: string;
  clientCaPem: string;
}

function secureOptions(tls: TlsMaterial) {
  // Client certificates are asked for but not required: token and anonymous requests come without one.
  // A certificate that fails verification still connects; the security stage answers it 401. No
  // renegotiation: a TLS 1.2 client could otherwise present another certificate mid-connection (Go's
  // servers refuse it too); the stage also verifies the certificate again on every request.
  return {
    cert: tls.certPem,
    key: tls.keyPem,
    ca: tls.clientCaPem,
    requestCert: true,
    rejectUnauthorized: false,
    minVersion: 'TLSv1.2' as const,
    secureOptions: cryptoConstants.SSL_OP_NO_RENEGOTIATION,
  };
}

/** The address clients should dial: the bound one, or loopback when bound to every address. */
export function dialAddress(addr: AddressInfo): string {
  if (addr.address === '0.0.0.0') return '127.0.0.1';
  if (addr.address === '::') return '[::1]';
  return addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
}

export class ApiServer {
  private readonly deps: ApiDeps;
  private readonly version: KubeVersion;
  private server?: https.Server;
  private readonly security: SecurityStage;
  private readonly inflight = new Set<AbortController>();
  private readonly background = new Set<Watch>();
  /** Every TCP connection open now, from accept on (before its TLS handshake): stop() ends them all. */
  private readonly sockets = new Set<Socket>();
  private readonly streaming: StreamingEndpoint;
  private readonly requests?: ApiRequestRecorder;
  private readonly limits: ServerLimits;
  /** What request metrics may name (auth/served.ts). */
  private readonly servedKeys = servedRequestKeys();
  private seq = 0;

  constructor(opts: ApiServerOptions) {
    this.version = opts.version ?? KUBE_VERSION;
    this.security = opts.security;
    this.requests = opts.requests;
    this.limits = { ...DEFAULT_SERVER_LIMITS, ...opts.limits };
    this.deps = {
      store: opts.store,
      logger: opts.logger.child({ component: 'api' }),
      clock: opts.clock,
      nodeName: opts.nodeName,
      paths: opts.paths,
      events: opts.events,
      schedulerEvents:
        opts.schedulerEvents ??
        new StoreEventSink({ store: opts.store, clock: opts.clock, logger: opts.logger, component: 'default-scheduler', host: '' }),
      images: opts.images,
      ...(opts.imageUpload ? { imageUpload: opts.imageUpload } : {}),
      runtime: opts.runtime,
      background: this.background,
      authorizer: opts.security.authorizer,
      ...(opts.serviceAccountTokens ? { serviceAccountTokens: opts.serviceAccountTokens } : {}),
      ...(opts.resourceMetrics ? { resourceMetrics: opts.resourceMetrics } : {}),
      ...(opts.anatomy ? { anatomy: opts.anatomy } : {}),
      ...(opts.versions ? { versions: opts.versions } : {}),
      ...(opts.security.sessions ? { dashboard: opts.security.sessions } : {}),
      watches: opts.watches ?? { limiter: new WatchLimiter(), lines: new SharedEventLines() },
    };
    this.streaming = new StreamingEndpoint({ store: opts.store, runtime: opts.runtime, security: opts.security, logger: this.deps.logger });
    this.env = { deps: this.deps, openapi: buildOpenApi(this.version.gitVersion), version: this.version, serverAddress: '', metrics: opts.metrics };
  }

  /** The request handler itself: what the HTTPS server calls, and what in-process tests inject into. */
  readonly listener = (req: http.IncomingMessage, res: http.ServerResponse): void => void this.onRequest(req, res);

  async start(listen: string, tls: TlsMaterial): Promise<{ url: string }> {
    if (this.server) throw new Error('api server already started');
    const { host, port } = parseListenAddress(listen);
    this.security.trustClientCa(tls.clientCaPem);
    const server = https.createServer({ keepAlive: true, ...secureOptions(tls), ...serverOptions(this.limits) }, this.listener);
    guardServer(server, this.limits, this.deps.logger);
    answerClientErrors(server);
    server.on('connection', (socket: Socket) => {
      this.sockets.add(socket);
      socket.once('close', () => this.sockets.delete(socket));
    });
    // exec, attach and port-forward: WebSocket and SPDY/3.1 upgrades, through the same security stage.
    server.on('upgrade', this.streaming.onUpgrade);
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    const addr = server.address() as AddressInfo;
    const shown = dialAddress(addr);
    const url = `https://${shown}:${addr.port}`;
    this.env.serverAddress = `${shown}:${addr.port}`;
    this.deps.logger.info({ url }, 'api server listening');
    return { url };
  }

  /** Serves new connections with renewed certificates; open connections keep theirs. */
  updateTls(tls: TlsMaterial): void {
    this.server?.setSecureContext(secureOptions(tls));
    this.security.trustClientCa(tls.clientCaPem);
  }

  private readonly env: RouterEnv;

  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    for (const ac of this.inflight) ac.abort();
    for (const w of this.background) w.stop();
    this.background.clear();
    this.streaming.closeAll();
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeAllConnections();
    // closeAllConnections ends only what the HTTP layer has seen: a connection still in its TLS handshake,
    // or one that never sent a byte, kept stop() waiting until its handshake or header timeout (about 20 s).
    for (const socket of this.sockets) socket.destroy();
    this.sockets.clear();
    await closed;
  }

  private async onRequest(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const id = `${(++this.seq).toString(36)}`;
    const began = performance.now();
    const ac = new AbortController();
    this.inflight.add(ac);
    res.on('close', () => {
      ac.abort();
      this.inflight.delete(ac);
    });
    let url: URL;
    try {
      url = requestTarget(req.url);
    } catch (err) {
      // Answer it rather than leave the client hanging.
      const { status } = errorToStatus(err);
      res.writeHead(400, { 'Content-Type': 'application/json' }).end(JSON.stringify(status));
      return;
    }
    const ctx: RequestContext = {
      id,
      req,
      res,
      method: (req.method ?? 'GET').toUpperCase(),
      path: url.pathname,
      query: url.searchParams,
      signal: ac.signal,
      warnings: [],
      maxBodyBytes: this.limits.maxBodyBytes,
    };
    const log = this.deps.logger;
    try {
      const admitted = this.security.check(req, ctx.method, ctx.path, ctx.query);
      ctx.user = admitted.user;
      ctx.authMethod = admitted.method;
      const requests = this.requests;
      if (requests) {
        const contentType = req.headers['content-type']?.split(';')[0]?.trim();
        res.once('close', () => {
          const s = apiRequestSample({ method: ctx.method, query: ctx.query, contentType }, admitted.attrs, res.statusCode, (performance.now() - began) / 1000, this.servedKeys);
          if (s) requests.apiRequest(s);
        });
      }
      await dispatch(this.env, ctx);
      log.debug({ req: id, method: ctx.method, path: ctx.path, code: res.statusCode, ms: Math.round((performance.now() - began) * 10) / 10 }, 'request');
    } catch (err) {
      const { status, internal } = errorToStatus(err);
      if (internal) log.error({ err, req: id, method: ctx.method, path: ctx.path }, 'request failed');
      else {
        const authFailure = (err as { authFailure?: string }).authFailure;
        log.debug({ req: id, method: ctx.method, path: ctx.path, code: status.code, reason: status.reason, user: ctx.user?.username, authFailure }, 'request rejected');
      }
      if (res.headersSent) {
        res.destroy();
        return;
      }
      // An over-cap upload: the connection closes after the answer. The rest of the body is read (and
      // dropped) first, up to a bound, so that a client busy sending it gets the answer instead of a
      // broken pipe when the socket closes under its writes.
      // Any other error waits for the body's end too (same bound): a client that sent Connection: close
      // would otherwise see the socket reset under its unread upload and never read the answer.
      if ((err as { closeConnection?: boolean }).closeConnection) res.setHeader('Connection', 'close');
      await drainRequest(req, DRAIN_MAX_BYTES, (fn) => this.deps.clock.setTimer(DRAIN_MAX_MS, fn));
      try {
        sendJson(ctx, status.code, status);
      } catch (sendErr) {
        // The answer itself could not be written: close rather than leave the client waiting.
        log.error({ err: sendErr, req: id, method: ctx.method, path: ctx.path }, 'request failed: cannot send its error');
        res.destroy();
      }
    }
  }
}

