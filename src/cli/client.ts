// A small HTTP client for the daemon's Kubernetes-compatible API (node:http/https). Failures come
// back as ApiError whose message is kubectl's `Error from server (Reason): message`.

import http from 'node:http';
import https from 'node:https';
import type { Readable } from 'node:stream';
import type { ClusterConfig } from './kubeconfig.js';

export const TABLE_ACCEPT =
  'application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json';

export interface RequestOptions {
  query?: Record<string, string | number | boolean | undefined>;
  /** A JSON value (serialised) or a stream (sent as is). */
  body?: unknown;
  contentType?: string;
  accept?: string;
}

export class ApiError extends Error {
  constructor(
    message: string,
    readonly httpStatus: number,
    readonly reason: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** Builds kubectl's error line from a response body (a Status, or plain text). */
export function errorFromResponse(httpStatus: number, text: string): ApiError {
  try {
    const st = JSON.parse(text) as { kind?: string; reason?: string; message?: string };
    if (st.kind === 'Status') {
      const reason = st.reason || 'Unknown';
      return new ApiError(`Error from server (${reason}): ${st.message ?? ''}`, httpStatus, reason);
    }
  } catch {
    /* not JSON */
  }
  const reason = httpStatus === 404 ? 'NotFound' : 'Unknown';
  return new ApiError(`Error from server (${reason}): ${text.trim() || `HTTP ${httpStatus}`}`, httpStatus, reason);
}

export interface ClientOptions {
  /** Called with a line per request once its answer's status is in (-v 6 and up): method, URL, status, time. */
  trace?: (line: string) => void;
  /** Appended to the error of a refused connection: what starts the daemon. */
  refusedHint?: string;
}

export class ApiClient {
  constructor(
    readonly config: ClusterConfig,
    private readonly opts: ClientOptions = {},
  ) {}

  /** Sends a request and resolves with the response stream (any status). */
  open(method: string, path: string, opts: RequestOptions = {}): Promise<http.IncomingMessage> {
    const url = new URL(this.config.server + path);
    for (const [k, v] of Object.entries(opts.query ?? {})) if (v !== undefined) url.searchParams.set(k, String(v));
    const headers: Record<string, string> = { Accept: opts.accept ?? 'application/json', 'User-Agent': 'peapod-cli' };
    if (this.config.token && url.protocol === 'https:') headers.Authorization = `Bearer ${this.config.token}`;
    const isStream = typeof (opts.body as Readable | undefined)?.pipe === 'function';
    let payload: Buffer | undefined;
    if (opts.body !== undefined && !isStream) payload = Buffer.from(JSON.stringify(opts.body));
    if (opts.body !== undefined) headers['Content-Type'] = opts.contentType ?? 'application/json';
    if (payload) headers['Content-Length'] = String(payload.length);
    const lib = url.protocol === 'https:' ? https : http;
    return new Promise((resolve, reject) => {
      const req = lib.request(url, {
        method,
        headers,
        ca: this.config.ca,
        cert: this.config.cert,
        key: this.config.key,
        rejectUnauthorized: !this.config.insecureSkipTlsVerify,
      });
      const began = performance.now();
      req.on('response', (res) => {
        this.opts.trace?.(`${method} ${url.href} ${res.statusCode ?? 0} ${res.statusMessage ?? ''} in ${Math.round(performance.now() - began)} milliseconds`);
        resolve(res);
      });
      req.on('error', (err: NodeJS.ErrnoException) => {
        if (err.code === 'ECONNREFUSED') {
          const hint = this.opts.refusedHint ? `\n${this.opts.refusedHint}` : '';
          reject(new Error(`The connection to the server ${url.host} was refused - did you specify the right host or port?${hint}`));
        } else reject(new Error(`Unable to connect to the server: ${err.message}`));
      });
      if (isStream) (opts.body as Readable).on('error', reject).pipe(req);
      else req.end(payload);
    });
  }

  /** Sends a request; resolves with the body text on 2xx, rejects with ApiError otherwise. */
  async text(method: string, path: string, opts: RequestOptions = {}): Promise<string> {
    const res = await this.open(method, path, opts);
    const text = await readAll(res);
    if ((res.statusCode ?? 500) >= 400) throw errorFromResponse(res.statusCode ?? 500, text);
    return text;
  }

  async json<T>(method: string, path: string, opts: RequestOptions = {}): Promise<T> {
    const text = await this.text(method, path, opts);
    return (text ? JSON.parse(text) : undefined) as T;
  }

  /** Opens a streaming response (logs -f, watch), rejecting with ApiError on an error status. */
  async stream(method: string, path: string, opts: RequestOptions = {}): Promise<http.IncomingMessage> {
    const res = await this.open(method, path, opts);
    if ((res.statusCode ?? 500) >= 400) throw errorFromResponse(res.statusCode ?? 500, await readAll(res));
    return res;
  }
}

export async function readAll(stream: Readable): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(Buffer.isBuffer(c) ? c : Buffer.from(c as string));
  return Buffer.concat(chunks).toString('utf8');
}

/** Yields each newline-delimited JSON value of a watch stream. */
export async function* jsonLines<T>(stream: Readable): AsyncGenerator<T> {
  let buf = '';
  for await (const c of stream) {
    buf += Buffer.isBuffer(c) ? c.toString('utf8') : String(c);
    let i: number;
    while ((i = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, i).trim();
      buf = buf.slice(i + 1);
      if (line) yield JSON.parse(line) as T;
    }
  }
  if (buf.trim()) yield JSON.parse(buf) as T;
}
