// The gRPC health check (grpc.health.v1.Health/Check) over cleartext HTTP/2, as the kubelet's grpc
// probe sends it: one unary call, SERVING = healthy. The call is small enough to frame by hand:
//   request  HealthCheckRequest  { string service = 1 }
//   response HealthCheckResponse { ServingStatus status = 1 }  (UNKNOWN 0, SERVING 1, NOT_SERVING 2, SERVICE_UNKNOWN 3)
// each message behind gRPC's 5-byte prefix (compressed flag, big-endian length). Messages as the kubelet's.

import http2 from 'node:http2';

export type GrpcOutcome = { ok: true; output: string } | { ok: false; output: string };

const STATUS_NAMES = ['UNKNOWN', 'SERVING', 'NOT_SERVING', 'SERVICE_UNKNOWN'];
const GRPC_CODE_NAMES = ['OK', 'Canceled', 'Unknown', 'InvalidArgument', 'DeadlineExceeded', 'NotFound', 'AlreadyExists', 'PermissionDenied', 'ResourceExhausted', 'FailedPrecondition', 'Aborted', 'OutOfRange', 'Unimplemented', 'Internal', 'Unavailable', 'DataLoss', 'Unauthenticated'];

/** The request message, framed. */
export function encodeHealthRequest(service: string): Buffer {
  const svc = Buffer.from(service, 'utf8');
  const msg = svc.length ? Buffer.concat([Buffer.from([0x0a]), varint(svc.length), svc]) : Buffer.alloc(0);
  const prefix = Buffer.alloc(5);
  prefix.writeUInt32BE(msg.length, 1);
  return Buffer.concat([prefix, msg]);
}

function varint(n: number): Buffer {
  const out: number[] = [];
  while (n > 0x7f) {
    out.push((n & 0x7f) | 0x80);
    n >>>= 7;
  }
  out.push(n);
  return Buffer.from(out);
}

/** A protobuf varint at `i`: its value and where the next field starts; undefined when cut short. */
function readVarint(buf: Buffer, i: number): { value: number; next: number } | undefined {
  let value = 0;
  for (let shift = 0; ; shift += 7) {
    if (i >= buf.length) return undefined;
    const b = buf[i++];
    value |= (b & 0x7f) << shift;
    if (!(b & 0x80)) return { value, next: i };
  }
}

/** The serving status in a framed response (0 when the field is absent); undefined when malformed. */
export function decodeHealthResponse(data: Buffer): number | undefined {
  if (data.length < 5 || data[0] !== 0) return undefined;
  const len = data.readUInt32BE(1);
  const msg = data.subarray(5, 5 + len);
  if (msg.length !== len) return undefined;
  let status = 0;
  for (let i = 0; i < msg.length; ) {
    const key = msg[i++];
    const wire = key & 7;
    if (wire !== 0 && wire !== 2) return undefined;
    const v = readVarint(msg, i);
    if (!v) return undefined;
    i = v.next;
    if (wire === 0 && key >> 3 === 1) status = v.value;
    if (wire === 2) i += v.value; // a length-delimited field of no interest
  }
  return status;
}

const secs = (ms: number) => `${ms / 1000}s`;

export function grpcHealthCheck(opts: { host: string; port: number; service: string; timeoutMs: number; userAgent: string; signal?: AbortSignal }): Promise<GrpcOutcome> {
  const addr = opts.host.includes(':') ? `[${opts.host}]:${opts.port}` : `${opts.host}:${opts.port}`;
  return new Promise((resolve) => {
    let done = false;
    let connected = false;
    const session = http2.connect(`http://${addr}`);
    const finish = (v: GrpcOutcome) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      opts.signal?.removeEventListener('abort', onAbort);
      session.destroy();
      resolve(v);
    };
    const timer = setTimeout(() => {
      finish(
        connected
          ? { ok: false, output: `timeout: health rpc did not complete within ${secs(opts.timeoutMs)}` }
          : { ok: false, output: `timeout: failed to connect service "${addr}" within ${secs(opts.timeoutMs)}: context deadline exceeded` },
      );
    }, Math.max(1, opts.timeoutMs));
    const onAbort = () => finish({ ok: false, output: 'error: health rpc probe failed: context canceled' });
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    session.on('error', (err: NodeJS.ErrnoException) => {
      const output = connected
        ? `error: health rpc probe failed: rpc error: code = Unavailable desc = ${err.message}`
        : `error: failed to connect service at "${addr}": ${err.code === 'ECONNREFUSED' ? `dial tcp ${addr}: connect: connection refused` : err.message}`;
      finish({ ok: false, output });
    });
    session.on('connect', () => {
      connected = true;
      const req = session.request({
        ':method': 'POST',
        ':path': '/grpc.health.v1.Health/Check',
        'content-type': 'application/grpc',
        te: 'trailers',
        'user-agent': opts.userAgent,
      });
      const chunks: Buffer[] = [];
      let headers: http2.IncomingHttpHeaders = {};
      req.on('response', (h) => (headers = h));
      req.on('data', (c: Buffer) => chunks.push(c));
      const settle = (trailers: http2.IncomingHttpHeaders) => {
        const code = Number(trailers['grpc-status'] ?? headers['grpc-status'] ?? (Number(headers[':status']) === 200 ? 0 : 2));
        const desc = decodeURIComponent(String(trailers['grpc-message'] ?? headers['grpc-message'] ?? ''));
        if (code === 12) return finish({ ok: false, output: `error: this server does not implement the grpc health protocol (grpc.health.v1.Health): ${desc}` });
        if (code !== 0) {
          return finish({ ok: false, output: `error: health rpc probe failed: rpc error: code = ${GRPC_CODE_NAMES[code] ?? `Code(${code})`} desc = ${desc}` });
        }
        const status = decodeHealthResponse(Buffer.concat(chunks));
        if (status === undefined) return finish({ ok: false, output: 'error: health rpc probe failed: rpc error: code = Internal desc = malformed response' });
        if (status !== 1) return finish({ ok: false, output: `service unhealthy (responded with "${STATUS_NAMES[status] ?? String(status)}")` });
        finish({ ok: true, output: 'service healthy' });
      };
      let trailers: http2.IncomingHttpHeaders | undefined;
      req.on('trailers', (t) => (trailers = t));
      req.on('end', () => settle(trailers ?? {}));
      req.on('error', (err) => finish({ ok: false, output: `error: health rpc probe failed: rpc error: code = Unavailable desc = ${err.message}` }));
      req.end(encodeHealthRequest(opts.service));
    });
  });
}
