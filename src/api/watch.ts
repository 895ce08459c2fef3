// Watch streams: one `{"type","object"}` JSON line per event, chunked and flushed per event.
// Table mode sends one-row Tables (column definitions only in the first event). Bookmarks are sent
// periodically and after the initial events when allowWatchBookmarks=true. The stream ends cleanly at
// timeoutSeconds (default 30 min), when the client goes away, or when the server stops.
// Events carry the store's shared objects (watchStored): a plain event splices the stored JSON as it is.

import { GoneError, PeapodError } from '../errors.js';
import type { KubeObject } from '../k8s/types.js';
import { apiVersionOf } from '../k8s/registry.js';
import type { StoredObject, StoredWatchEvent } from '../store/store.js';
import type { ApiDeps } from './deps.js';
import { negotiateShape, queryBool, queryInt, type RequestContext } from './http.js';
import type { ResourceRoute } from './route.js';
import { routeListOptions, servedJson, servedResource, tableServed } from './resources/served.js';
import { errorToStatus } from './status.js';
import { buildTable, parseIncludeObject, partialObject } from './tables/table.js';

/** Unread bytes a watch may queue for a client before it is closed. */
const MAX_UNREAD_WATCH_BYTES = 16 * 1024 * 1024;

/** Seconds between bookmarks; upstream sends one about every minute. */
const BOOKMARK_INTERVAL_MS = 60_000;
const DEFAULT_TIMEOUT_S = 1800;

export function handleWatch(deps: ApiDeps, ctx: RequestContext, route: ResourceRoute): void {
  const r = route.resource;
  const namespace = r.namespaced ? route.namespace : undefined;
  const base = routeListOptions(ctx.query, route, namespace);
  if (route.name) base.fieldSelector = [...(base.fieldSelector ?? []), { field: 'metadata.name', operator: 'Equals', value: route.name }];
  const shape = negotiateShape(ctx);
  const includeObject = parseIncludeObject(ctx.query.get('includeObject'));
  const bookmarks = queryBool(ctx.query, 'allowWatchBookmarks');
  const sendInitial = queryBool(ctx.query, 'sendInitialEvents');
  const timeoutS = queryInt(ctx.query, 'timeoutSeconds') || DEFAULT_TIMEOUT_S;
  let rv = ctx.query.get('resourceVersion') ?? undefined;
  if (sendInitial && rv && rv !== '0') rv = undefined;
  let firstTable = true;

  const res = ctx.res;
  res.writeHead(200, { 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked', 'Cache-Control': 'no-cache, private' });
  res.flushHeaders();
  let ended = false;
  const cleanups: (() => void)[] = [];
  const end = (): void => {
    if (ended) return;
    ended = true;
    for (const c of cleanups) c();
    res.end();
  };
  /** One event line: JSON.stringify({ type, object }), with the object serialised already. */
  const writeLine = (type: string, objectJson: string): void => {
    if (ended) return;
    res.write(`{"type":${JSON.stringify(type)},"object":${objectJson}}\n`);
    // A client that stays connected but stops reading would make every event pile up in memory: drop it,
    // as the API server drops slow watchers (clients re-watch from their last resourceVersion).
    if (res.writableLength > MAX_UNREAD_WATCH_BYTES) {
      deps.logger.warn({ req: ctx.id, unread: res.writableLength }, 'watch: client is not reading; closing the watch');
      end();
    }
  };
  const write = (type: string, object: unknown): void => writeLine(type, JSON.stringify(object));
  const encode = (stored: StoredObject): string => {
    if (shape.kind === 'object') return servedJson(route, stored);
    const obj = stored.object;
    if (shape.kind === 'table') {
      const t = buildTable([obj], { resourceVersion: obj.metadata.resourceVersion }, {
        resource: r.resource,
        version: shape.version,
        includeObject,
        noHeaders: !firstTable,
        now: deps.clock.now(),
        served: tableServed(route),
      });
      firstTable = false;
      return JSON.stringify(t);
    }
    return JSON.stringify(partialObject(obj, shape.version));
  };
  const bookmark = (initialEnd: boolean): void => {
    const metadata: Record<string, unknown> = { resourceVersion: deps.store.currentResourceVersion() };
    if (initialEnd) metadata.annotations = { 'k8s.io/initial-events-end': 'true' };
    write('BOOKMARK', { kind: r.kind, apiVersion: apiVersionOf(servedResource(route)), metadata });
  };

  const onEvent = (ev: StoredWatchEvent<KubeObject>): void => {
    try {
      writeLine(ev.type, encode(ev.stored));
    } catch (err) {
      deps.logger.error({ err, req: ctx.id }, 'watch: encoding an event failed');
      end();
    }
  };
  try {
    const w = deps.store.watchStored<KubeObject>(r.resource, { ...base, resourceVersion: rv }, onEvent);
    // The initial events are delivered inside store.watch; if one of them ended the watch, stop it now.
    if (ended) w.stop();
    else cleanups.push(() => w.stop());
  } catch (err) {
    if (err instanceof GoneError || (err instanceof PeapodError && err.code === 'Gone')) {
      write('ERROR', errorToStatus(err).status);
      end();
      return;
    }
    end();
    throw err;
  }
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
