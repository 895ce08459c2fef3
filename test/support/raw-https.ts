// One raw HTTP/1.1 exchange over TLS: the request is written byte for byte as given (any method, any
// request target, any header, any body, a Content-Length that lies), so a test can send what no HTTP
// client library would. The answer is parsed from the socket: status, headers, body (chunked or not).
// A streaming answer (a watch, logs -f) ends the exchange once its headers are in, when asked.

import tls from 'node:tls';

export interface RawRequest {
  method: string;
  /** The request target exactly as sent ("/api/v1/pods?limit=1", or anything else). */
  target: string;
  headers: [string, string][];
  body?: Buffer;
  /** Content-Length to declare instead of the body's (a lying length); omitted when null. */
  contentLength?: number | null;
  /** Half-close the connection after the body (a truncated upload). */
  endAfterBody?: boolean;
}

export interface RawAnswer {
  /** 0 when the connection closed without an answer. */
  status: number;
  headers: Record<string, string>;
  body: Buffer;
  /** The answer's headers came, then the exchange was ended by us (a streaming 2xx). */
  streamed: boolean;
  /** The connection closed without an answer. */
  closedEarly: boolean;
}

export interface RawTarget {
  host: string;
  port: number;
  ca?: Buffer;
  cert?: Buffer;
  key?: Buffer;
  /** The last TLS session the server gave: the next connection resumes it (no full handshake), and updates it. */
  session?: Buffer;
}

/** Serializes the request head and body as bytes on the wire. */
export function encodeRequest(r: RawRequest, host: string): Buffer {
  const lines = [`${r.method} ${r.target} HTTP/1.1`, `Host: ${host}`];
  for (const [k, v] of r.headers) lines.push(`${k}: ${v}`);
  const length = r.contentLength === undefined ? r.body?.length : r.contentLength;
  if (length !== undefined && length !== null) lines.push(`Content-Length: ${length}`);
  lines.push('Connection: close');
  // A chunked request with no body still ends with its last chunk, as every client sends it; without it the
  // server rightly waits for the body until its request timeout (the fuzz soak took that for a hang).
  const chunked = r.headers.some(([k, v]) => /^transfer-encoding$/i.test(k) && /chunked\s*$/i.test(v));
  const body = r.body?.length ? r.body : chunked ? Buffer.from('0\r\n\r\n', 'latin1') : Buffer.alloc(0);
  return Buffer.concat([Buffer.from(lines.join('\r\n') + '\r\n\r\n', 'latin1'), body]);
}

/** Parses an HTTP/1.1 answer head, after any 1xx interim answers; undefined until its blank line has arrived. */
export function parseHead(buf: Buffer): { status: number; headers: Record<string, string>; bodyAt: number } | undefined {
  let skip = 0;
  while (/^HTTP\/1\.[01] 1\d\d /.test(buf.subarray(skip, skip + 16).toString('latin1'))) {
    const interim = buf.indexOf('\r\n\r\n', skip);
    if (interim < 0) return undefined;
    skip = interim + 4;
  }
  const head = parseOneHead(buf.subarray(skip));
  return head && { ...head, bodyAt: head.bodyAt + skip };
}

function parseOneHead(buf: Buffer): { status: number; headers: Record<string, string>; bodyAt: number } | undefined {
  const end = buf.indexOf('\r\n\r\n');
  if (end < 0) return undefined;
  const lines = buf.subarray(0, end).toString('latin1').split('\r\n');
  const m = /^HTTP\/1\.[01] (\d{3})/.exec(lines[0] ?? '');
  const headers: Record<string, string> = {};
  for (const l of lines.slice(1)) {
    const i = l.indexOf(':');
    if (i > 0) {
      const k = l.slice(0, i).trim().toLowerCase();
      headers[k] = headers[k] === undefined ? l.slice(i + 1).trim() : `${headers[k]}, ${l.slice(i + 1).trim()}`;
    }
  }
  return { status: m ? Number(m[1]) : -1, headers, bodyAt: end + 4 };
}

/** Decodes a chunked body (as much of it as is complete). */
export function dechunk(buf: Buffer): Buffer {
  const out: Buffer[] = [];
  let at = 0;
  for (;;) {
    const eol = buf.indexOf('\r\n', at);
    if (eol < 0) break;
    const size = parseInt(buf.subarray(at, eol).toString('latin1'), 16);
    if (!(size > 0)) break;
    out.push(buf.subarray(eol + 2, eol + 2 + size));
    at = eol + 2 + size + 2;
  }
  return Buffer.concat(out);
}

/**
 * Sends one request on a new TLS connection and reads the answer to the connection's end. Rejects with
 * a timeout error after `timeoutMs` without a complete answer (a hang), unless `streaming` says a 2xx
 * head is enough.
 */
export function rawExchange(t: RawTarget, r: RawRequest, opts: { timeoutMs: number; streaming?: boolean }): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let done = false;
    const sock = tls.connect({ host: t.host, port: t.port, ca: t.ca, cert: t.cert, key: t.key, servername: 'localhost', ...(t.session ? { session: t.session } : {}) });
    sock.on('session', (session: Buffer) => (t.session = session));
    const finish = (streamed: boolean) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      sock.destroy();
      const all = Buffer.concat(chunks);
      const head = parseHead(all);
      if (!head) return resolve({ status: 0, headers: {}, body: Buffer.alloc(0), streamed: false, closedEarly: true });
      const raw = all.subarray(head.bodyAt);
      const body = /chunked/i.test(head.headers['transfer-encoding'] ?? '') ? dechunk(raw) : raw;
      resolve({ status: head.status, headers: head.headers, body, streamed, closedEarly: false });
    };
    const timer = setTimeout(() => {
      if (done) return;
      done = true;
      sock.destroy();
      const head = parseHead(Buffer.concat(chunks));
      reject(new Error(`no complete answer in ${opts.timeoutMs} ms to ${r.method} ${r.target.slice(0, 200)}${head ? ` (status ${head.status} came)` : ''}`));
    }, opts.timeoutMs);
    sock.on('secureConnect', () => {
      sock.write(encodeRequest(r, `${t.host}:${t.port}`));
      if (r.endAfterBody) sock.end();
    });
    sock.on('data', (d: Buffer) => {
      chunks.push(d);
      if (opts.streaming) {
        const head = parseHead(Buffer.concat(chunks));
        if (head && head.status >= 200 && head.status < 300) finish(true);
      }
    });
    sock.on('end', () => finish(false));
    sock.on('close', () => finish(false));
    sock.on('error', () => finish(false));
  });
}
