// The page's only way to the daemon: the Kubernetes API of the server that served it, through the same
// authentication and authorization as kubectl's. Every request carries the session's page secret in the
// dashboard's header (the HttpOnly cookie rides along by itself); a WebSocket, which cannot carry a
// header, offers it as a subprotocol. A 401 means the session is gone: the page shows its login again.

export const DASHBOARD_HEADER = 'x-peapod-dashboard';
/** The WebSocket subprotocol prefix that carries the page secret (the server never selects it). */
export const SECRET_PROTOCOL_PREFIX = 'dashboard.peapod.dev.';
const SECRET_KEY = 'peapod.pageSecret';
const USER_KEY = 'peapod.user';

/** A field error of a Status (details.causes). */
export interface Cause {
  field?: string;
  message?: string;
  reason?: string;
}

/** An API error: the Status the server answered, or a network failure (code 0). */
export class ApiError extends Error {
  constructor(
    readonly code: number,
    message: string,
    readonly reason = '',
    readonly causes: Cause[] = [],
  ) {
    super(message);
  }
}

type Listener = () => void;
const loggedOutListeners = new Set<Listener>();

/** Called when a request finds the session gone (401). */
export function onLoggedOut(l: Listener): () => void {
  loggedOutListeners.add(l);
  return () => loggedOutListeners.delete(l);
}

export function session(): { secret: string; user: string } | undefined {
  const secret = sessionStorage.getItem(SECRET_KEY);
  return secret ? { secret, user: sessionStorage.getItem(USER_KEY) ?? '' } : undefined;
}

function forget(): void {
  sessionStorage.removeItem(SECRET_KEY);
  sessionStorage.removeItem(USER_KEY);
  for (const l of loggedOutListeners) l();
}

/** Trades the one-time token of a `peapod dashboard` link for a session. */
export async function login(token: string): Promise<string> {
  const res = await fetch('/ui/login', {
    method: 'POST',
    headers: { 'content-type': 'application/json', [DASHBOARD_HEADER]: 'login' },
    body: JSON.stringify({ token }),
    credentials: 'same-origin',
  });
  const body = (await res.json().catch(() => ({}))) as { pageSecret?: string; user?: string; message?: string };
  if (!res.ok || !body.pageSecret) throw new ApiError(res.status, body.message ?? `login failed (${res.status})`);
  sessionStorage.setItem(SECRET_KEY, body.pageSecret);
  sessionStorage.setItem(USER_KEY, body.user ?? '');
  return body.user ?? '';
}

export async function logout(): Promise<void> {
  // The page secret names this tab's session, which the server ends (the browser's other tabs keep theirs).
  const secret = session()?.secret ?? 'logout';
  await fetch('/ui/logout', { method: 'POST', headers: { 'content-type': 'application/json', [DASHBOARD_HEADER]: secret }, body: '{}', credentials: 'same-origin' }).catch(() => undefined);
  forget();
}

async function errorOf(res: Response): Promise<ApiError> {
  const text = await res.text().catch(() => '');
  let status: { message?: string; reason?: string; details?: { causes?: Cause[] } } = {};
  try {
    status = JSON.parse(text) as typeof status;
  } catch {
    status = { message: text || res.statusText };
  }
  if (res.status === 401) forget();
  return new ApiError(res.status, status.message ?? `${res.status} ${res.statusText}`, status.reason ?? '', status.details?.causes ?? []);
}

/** A request to the API; the answer's Response when it is 2xx, else an ApiError with the server's Status. */
export async function request(method: string, path: string, opts: { body?: string; contentType?: string; accept?: string; signal?: AbortSignal } = {}): Promise<Response> {
  const s = session();
  const headers: Record<string, string> = { accept: opts.accept ?? 'application/json' };
  if (s) headers[DASHBOARD_HEADER] = s.secret;
  if (opts.body !== undefined) headers['content-type'] = opts.contentType ?? 'application/json';
  const init: RequestInit = { method, headers, credentials: 'same-origin', ...(opts.body !== undefined ? { body: opts.body } : {}), ...(opts.signal ? { signal: opts.signal } : {}) };
  // A GET (idempotent) whose fetch itself failed is tried again after a short pause: Chromium fails requests
  // in flight with net::ERR_NETWORK_CHANGED whenever the host's interfaces change, which on a peapod node is
  // every pod start and stop (a veth comes or goes). An HTTP error or an abort is never retried.
  const retryDelays = method === 'GET' ? GET_RETRY_DELAYS_MS : [];
  let res: Response;
  for (let attempt = 0; ; attempt++) {
    try {
      res = await fetch(path, init);
      break;
    } catch (err) {
      if ((err as Error).name === 'AbortError' || opts.signal?.aborted) throw err;
      const delay = retryDelays[attempt];
      if (delay === undefined) throw new ApiError(0, `the daemon did not answer: ${(err as Error).message}`);
      await pause(delay, opts.signal);
    }
  }
  if (!res.ok) throw await errorOf(res);
  return res;
}

/** The pauses before a failed GET's second and third tries. */
const GET_RETRY_DELAYS_MS = [200, 600];

/** Waits `ms`; rejects with the abort's reason (an AbortError) if `signal` aborts first. */
function pause(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const abort = () => {
      clearTimeout(timer);
      reject(new DOMException('aborted', 'AbortError'));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', abort);
      resolve();
    }, ms);
    if (signal?.aborted) abort();
    else signal?.addEventListener('abort', abort, { once: true });
  });
}

export async function getJson<T>(path: string, signal?: AbortSignal): Promise<T> {
  return (await (await request('GET', path, signal ? { signal } : {})).json()) as T;
}

/**
 * Reads a streamed answer (a watch, a followed log) chunk by chunk, as text, until it ends or `signal` aborts.
 * `onOpen` is called once the answer's head has arrived 2xx, before any of its text.
 */
export async function streamText(path: string, onText: (text: string) => void, signal: AbortSignal, accept = '*/*', onOpen?: () => void): Promise<void> {
  const res = await request('GET', path, { signal, accept });
  onOpen?.();
  if (!res.body) return;
  const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      onText(value);
    }
  } catch (err) {
    if ((err as Error).name !== 'AbortError') throw err;
  } finally {
    reader.releaseLock();
  }
}

export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata: { name: string; namespace?: string; uid?: string; resourceVersion?: string; creationTimestamp?: string; [k: string]: unknown };
  [k: string]: unknown;
}

interface List<T> {
  metadata: { resourceVersion?: string };
  items: T[];
}

const keyOf = (o: KubeObject) => `${o.metadata.namespace ?? ''}/${o.metadata.name}`;

/**
 * Lists `path` (a collection, e.g. /api/v1/pods) and keeps the list current from a watch, no polling:
 * onChange gets the whole list after the first list and after each event. A watch that ends is resumed
 * from the last resourceVersion; a 410 (too old) lists again. After an error (onError), a resumed watch
 * whose answer arrives 2xx calls onChange with the list as it stands even if nothing changed, so a view
 * clears the error it shows. Returns the stop function.
 */
export function listWatch<T extends KubeObject>(path: string, onChange: (items: T[]) => void, onError: (err: ApiError) => void): () => void {
  const ctl = new AbortController();
  const items = new Map<string, T>();
  const sep = path.includes('?') ? '&' : '?';
  let rv = '';
  const emit = () => onChange([...items.values()]);
  const relist = async () => {
    const list = await getJson<List<T>>(path, ctl.signal);
    items.clear();
    for (const o of list.items) items.set(keyOf(o), o);
    rv = list.metadata.resourceVersion ?? '';
    emit();
  };
  const run = async () => {
    let backoff = 500;
    let needList = true;
    // An error was reported (onError) and no onChange has followed it yet.
    let erred = false;
    while (!ctl.signal.aborted) {
      try {
        if (needList) {
          await relist();
          erred = false;
        }
        needList = false;
        let buf = '';
        await streamText(
          `${path}${sep}watch=1&allowWatchBookmarks=true&resourceVersion=${encodeURIComponent(rv)}`,
          (text) => {
            buf += text;
            let nl: number;
            let changed = false;
            while ((nl = buf.indexOf('\n')) >= 0) {
              const line = buf.slice(0, nl).trim();
              buf = buf.slice(nl + 1);
              if (!line) continue;
              const ev = JSON.parse(line) as { type: string; object: T & { code?: number } };
              if (ev.type === 'ERROR') {
                if (ev.object.code === 410) needList = true;
                throw new ApiError(ev.object.code ?? 500, String((ev.object as { message?: unknown }).message ?? 'watch error'));
              }
              if (ev.object.metadata?.resourceVersion) rv = ev.object.metadata.resourceVersion;
              if (ev.type === 'BOOKMARK') continue;
              if (ev.type === 'DELETED') items.delete(keyOf(ev.object));
              else items.set(keyOf(ev.object), ev.object);
              changed = true;
            }
            if (changed) emit();
          },
          ctl.signal,
          'application/json',
          () => {
            if (!erred) return;
            erred = false;
            emit();
          },
        );
        backoff = 500;
      } catch (err) {
        if (ctl.signal.aborted) return;
        const e = err instanceof ApiError ? err : new ApiError(0, (err as Error).message);
        if (e.code === 401 || e.code === 403) return onError(e);
        if (e.code === 410) needList = true;
        else {
          erred = true;
          onError(e);
        }
        await new Promise((r) => setTimeout(r, backoff));
        backoff = Math.min(backoff * 2, 8000);
      }
    }
  };
  void run();
  return () => ctl.abort();
}

/**
 * Opens an exec into a container over a WebSocket (the v5/v4 channel protocols: byte 0 of each message is
 * the channel; 0 stdin, 1 stdout, 2 stderr, 3 error/status, 4 resize). The page secret rides as a
 * subprotocol the server reads and never selects.
 */
export function openExec(ns: string, pod: string, container: string, command: string[], tty: boolean): WebSocket {
  const q = new URLSearchParams({ container, stdin: 'true', stdout: 'true', stderr: String(!tty), tty: String(tty) });
  for (const c of command) q.append('command', c);
  const s = session();
  const protocols = ['v5.channel.k8s.io', 'v4.channel.k8s.io'];
  if (s) protocols.push(SECRET_PROTOCOL_PREFIX + s.secret);
  const ws = new WebSocket(`wss://${location.host}/api/v1/namespaces/${encodeURIComponent(ns)}/pods/${encodeURIComponent(pod)}/exec?${q}`, protocols);
  ws.binaryType = 'arraybuffer';
  return ws;
}
