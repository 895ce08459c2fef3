// Watch streams: one `{"type","object"}` JSON line per event, chunked and flushed per event.
// Table mode sends one-row Tables (column definitions only in the first event). Bookmarks are sent
// periodically and after the initial events when allowWatchBookmarks=true. The stream ends cleanly at
// timeoutSeconds (default 30 min; any larger value is honoured), when the client goes away, or when the
// server stops. Events carry the store's shared objects (watchStored): a plain event splices the stored
// JSON as it is, built once for every watcher (watch-lines.ts); they reach the socket at the client's
// pace (watch-stream.ts), so an initial list of any size is sent whole. The number of watches is bounded
// per client and in total (watch-limits.ts, serve --max-watches and --max-watches-per-client).

import { GoneError, PeapodError } from '../errors.js';
import { HttpStatusError } from './api-errors.js';
import type { KubeObject } from '../k8s/types.js';
import { apiVersionOf } from '../k8s/registry.js';
import type { StoredObject, StoredWatchEvent } from '../store/store.js';
import type { ApiDeps } from './deps.js';
import { cacheControl, negotiateShape, queryBool, queryInt, type RequestContext } from './http.js';
import type { ResourceRoute } from './route.js';
import { routeListOptions, servedJson, servedResource, tableServed } from './resources/served.js';
import { errorToStatus } from './status.js';
import { buildTable, parseIncludeObject, partialObject } from './tables/table.js';
import { WATCH_RETRY_AFTER_SECONDS } from './watch-limits.js';
import { SharedEventLines } from './watch-lines.js';
import { WatchStream } from './watch-stream.js';

/** Seconds between bookmarks; upstream sends one about every minute. */
const BOOKMARK_INTERVAL_MS = 60_000;
const DEFAULT_TIMEOUT_S = 1800;

/** Who a watch counts against in the per-client bound: the user, else the client's address. */
function watchClient(ctx: RequestContext): string {
  return ctx.user?.username ? `user:${ctx.user.username}` : `addr:${ctx.req.socket?.remoteAddress ?? ''}`;
}

/** 429 as the API server's max-in-flight filter answers work it has no seat for (watch-limits.ts). */
function tooManyWatches(ctx: RequestContext): HttpStatusError {
  ctx.res.setHeader('Retry-After', String(WATCH_RETRY_AFTER_SECONDS));
  return new HttpStatusError(429, 'TooManyRequests', 'Too many requests, please try again later.', { retryAfterSeconds: WATCH_RETRY_AFTER_SECONDS });
}

export function handleWatch(deps: ApiDeps, ctx: RequestContext, route: ResourceRoute): void {
  const r = route.resource;
  const namespace = r.namespaced ? route.namespace : undefined;
  const base = routeListOptions(ctx.query, route, namespace);
  if (route.name) base.fieldSelector = [...(base.fieldSelector ?? []), { field: 'metadata.name', operator: 'Equals', value: route.name }];
  const shape = negotiateShape(ctx);
  const includeObject = parseIncludeObject(ctx.query.get('includeObject'));
  const bookmarks = queryBool(ctx.query, 'allowWatchBookmarks');
  const sendInitial = queryBool(ctx.query, 'sendInitialEvents');
  // 0 or absent: the default. Any other value is kept as it is (the clock's timers take any length), so a
  // huge timeoutSeconds means a long watch, as upstream, never an immediate end.
  const timeoutS = queryInt(ctx.query, 'timeoutSeconds') || DEFAULT_TIMEOUT_S;
  let rv = ctx.query.get('resourceVersion') ?? undefined;
  if (sendInitial && rv && rv !== '0') rv = undefined;
  let firstTable = true;
  const release = deps.watches ? deps.watches.limiter.acquire(watchClient(ctx)) : () => undefined;
  if (!release) throw tooManyWatches(ctx);
  const lines = deps.watches?.lines ?? new SharedEventLines();

  const res = ctx.res;
  res.writeHead(200, { 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked', 'Cache-Control': cacheControl(ctx) });
  res.flushHeaders();
  let ended = false;
  const cleanups: (() => void)[] = [release];
  const end = (): void => {
    if (ended) return;
    ended = true;
    stream.close();
    for (const c of cleanups) c();
    res.end();
  };
  const stream = new WatchStream(
    res,
    (unread) => {
      // A client that stays connected but stops reading would make every event pile up in memory: drop
      // it, as the API server drops slow watchers (clients re-watch from their last resourceVersion).
      deps.logger.warn({ req: ctx.id, unread }, 'watch: client is not reading; closing the watch');
      end();
    },
    (err) => {
      deps.logger.error({ err, req: ctx.id }, 'watch: encoding an event failed');
      end();
    },
  );
  /** The event's line: shared by every watcher of the same encoding (watch-lines.ts), Tables aside. */
  const render = (type: string, stored: StoredObject): Buffer | string => {
    if (shape.kind === 'object') {
      const encoding = route.served ? `served:${apiVersionOf(route.served.resource)}` : 'stored';
      return lines.line(encoding, type, stored, () => servedJson(route, stored));
    }
    if (shape.kind === 'partial') return lines.line(`partial:${shape.version}`, type, stored, () => JSON.stringify(partialObject(stored.object, shape.version)));
    const obj = stored.object;
    const t = buildTable([obj], { resourceVersion: obj.metadata.resourceVersion }, {
      resource: r.resource,
      version: shape.version,
      includeObject,
      noHeaders: !firstTable,
      now: deps.clock.now(),
      served: tableServed(route),
    });
    firstTable = false;
    return `{"type":${JSON.stringify(type)},"object":${JSON.stringify(t)}}\n`;
  };
  const line = (type: string, object: unknown): string => `{"type":${JSON.stringify(type)},"object":${JSON.stringify(object)}}\n`;
  const bookmark = (initialEnd: boolean): void => {
    const metadata: Record<string, unknown> = { resourceVersion: deps.store.currentResourceVersion() };
    if (initialEnd) metadata.annotations = { 'k8s.io/initial-events-end': 'true' };
    const text = line('BOOKMARK', { kind: r.kind, apiVersion: apiVersionOf(servedResource(route)), metadata });
    stream.live({ render: () => text, bytes: text.length });
  };

  // The initial events are delivered inside store.watch: they are queued uncounted (the client reads them
  // at its pace); what arrives after it returns is live.
  let initial = true;
  const onEvent = (ev: StoredWatchEvent<KubeObject>): void => {
    const pending = { render: () => render(ev.type, ev.stored), bytes: ev.stored.json.length };
    if (initial) stream.initial(pending);
    else stream.live(pending);
  };
  try {
    const w = deps.store.watchStored<KubeObject>(r.resource, { ...base, resourceVersion: rv }, onEvent);
    initial = false;
    if (ended) w.stop();
    else cleanups.push(() => w.stop());
  } catch (err) {
    initial = false;
    if (err instanceof GoneError || (err instanceof PeapodError && err.code === 'Gone')) {
      res.write(line('ERROR', errorToStatus(err).status));
      end();
      return;
    }
    end();
    throw err;
  }
  if (ended) return;
  if (bookmarks && (sendInitial || !rv || rv === '0')) bookmark(sendInitial);
  if (bookmarks) {
    const tick = (): void => {
      bookmark(false);
      cancelTick = deps.clock.setTimer(BOOKMARK_INTERVAL_MS, tick);
    };
    let cancelTick = deps.clock.setTimer(BOOKMARK_INTERVAL_MS, tick);
    cleanups.push(() => cancelTick());
  }
  const cancelTimeout = deps.clock.setTimer(Math.max(0, timeoutS) * 1000, end);
  cleanups.push(cancelTimeout);
  const onAbort = (): void => end();
  ctx.signal.addEventListener('abort', onAbort, { once: true });
  cleanups.push(() => ctx.signal.removeEventListener('abort', onAbort));
}
