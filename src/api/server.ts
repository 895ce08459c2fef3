// ApiServer: the Kubernetes-compatible HTTP API on node:http, loopback only (there is no
// authentication yet). Every request runs in its own try/catch: a handler bug becomes a 500 Status
// and a log line with the request id, never a daemon crash. stop() ends watches, log follows and
// keep-alive sockets.

import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Watch } from '../store/store.js';
import type { EventSink } from '../k8s/events.js';
import type { ApiDeps } from './deps.js';
import { sendJson, type RequestContext } from './http.js';
import { buildOpenApi } from './openapi/documents.js';
import { dispatch, type RouterEnv } from './router.js';
import { errorToStatus } from './status.js';
import { StoreEventSink } from '../store/events.js';
import { KUBE_VERSION, type KubeVersion } from '../k8s/version.js';
import { BadRequestError } from '../errors.js';

/** How long an idle keep-alive connection stays open (Go's net/http, which the API server uses, keeps them ~minutes). */
const IDLE_CONNECTION_MS = 120_000;

/** What ApiServer is built from: the handlers' dependencies, with the scheduler's event sink optional. */
export type ApiServerOptions = Omit<ApiDeps, 'schedulerEvents' | 'background'> & {
  version?: KubeVersion;
  /** Where the Scheduled event of a pod bound at admission goes; default: a store sink as "default-scheduler". */
  schedulerEvents?: EventSink;
};

/** Splits "host:port" ("[::1]:6443" for IPv6) and refuses anything but a loopback address. */
export function parseListenAddress(listen: string): { host: string; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:]+)):(\d+)$/.exec(listen.trim());
  if (!m) throw new Error(`invalid listen address ${JSON.stringify(listen)}: want host:port, e.g. 127.0.0.1:6443`);
  const host = m[1] ?? m[2];
  const port = Number(m[3]);
  if (port > 65535) throw new Error(`invalid listen address ${JSON.stringify(listen)}: port out of range`);
  const loopback = host === 'localhost' || host === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
  if (!loopback) {
    throw new Error(`refusing to listen on ${host}: the API has no authentication yet, so it only listens on loopback (127.0.0.1 or ::1)`);
  }
  return { host, port };
}

export class ApiServer {
  private readonly deps: ApiDeps;
  private readonly version: KubeVersion;
  private server?: http.Server;
  private readonly inflight = new Set<AbortController>();
  private readonly background = new Set<Watch>();
  private seq = 0;

  constructor(opts: ApiServerOptions) {
    this.version = opts.version ?? KUBE_VERSION;
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
      runtime: opts.runtime,
      background: this.background,
    };
  }

  async start(listen: string): Promise<{ url: string }> {
    if (this.server) throw new Error('api server already started');
    const { host, port } = parseListenAddress(listen);
    const server = http.createServer({ keepAlive: true }, (req, res) => void this.onRequest(req, res));
    // Clients (kubectl, informers, the bench) keep connections idle for long stretches; Node's 5 s default
    // closes them while a client may be reusing one, which the client sees as ECONNRESET.
    server.keepAliveTimeout = IDLE_CONNECTION_MS;
    server.headersTimeout = IDLE_CONNECTION_MS + 5_000;
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    const addr = server.address() as AddressInfo;
    const shown = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
    const url = `http://${shown}:${addr.port}`;
    this.env = { deps: this.deps, openapi: buildOpenApi(this.version.gitVersion), version: this.version, serverAddress: `${shown}:${addr.port}` };
    this.deps.logger.info({ url }, 'api server listening');
    return { url };
  }

  private env?: RouterEnv;

  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    for (const ac of this.inflight) ac.abort();
    for (const w of this.background) w.stop();
    this.background.clear();
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeAllConnections();
    await closed;
  }

  private async onRequest(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const id = `${(++this.seq).toString(36)}`;
    const ac = new AbortController();
    this.inflight.add(ac);
    res.on('close', () => {
      ac.abort();
      this.inflight.delete(ac);
    });
    let url: URL;
    try {
      url = new URL(req.url ?? '/', 'http://localhost');
    } catch {
      // A request target like "//:99999" is not a URL: answer it rather than leave the client hanging.
      const { status } = errorToStatus(new BadRequestError(`invalid request target ${JSON.stringify(req.url)}`));
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
    };
    const log = this.deps.logger;
    try {
      if (!this.env) throw new Error('api server not started');
      await dispatch(this.env, ctx);
      log.debug({ req: id, method: ctx.method, path: ctx.path, code: res.statusCode }, 'request');
    } catch (err) {
      const { status, internal } = errorToStatus(err);
      if (internal) log.error({ err, req: id, method: ctx.method, path: ctx.path }, 'request failed');
      else log.debug({ req: id, method: ctx.method, path: ctx.path, code: status.code, reason: status.reason }, 'request rejected');
      if (res.headersSent) {
        res.destroy();
        return;
      }
      // Drain an unread body so the connection can be reused.
      req.resume();
      sendJson(ctx, status.code, status);
    }
  }
}
