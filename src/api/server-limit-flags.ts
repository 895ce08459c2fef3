// `peapod serve`'s flags for the API server's limits (server-limits.ts), parsed and checked: sizes as byte
// counts or quantities ("3Mi"), durations Go-style ("32s", "5m"), counts as integers. A value that would
// refuse every ordinary client (a body cap under 64 KiB, a header cap under 8 KiB, a header timeout
// under a second) is refused with the flag's name.

import { parseByteSize } from './upload-limit.js';
import type { ServerLimits } from './server-limits.js';

/** The flags as given (undefined: the default). */
export interface ServerLimitFlags {
  maxRequestBody?: string;
  maxRequestHeader?: string;
  maxConnections?: string;
  maxConnectionsPerClient?: string;
  requestHeaderTimeout?: string;
  requestTimeout?: string;
}

/** Parses the flags that were given; throws an Error naming the flag on a bad value. */
export function parseServerLimitFlags(f: ServerLimitFlags, parseDurationMs: (v: string) => number): Partial<ServerLimits> {
  const out: Partial<ServerLimits> = {};
  const size = (flag: string, v: string, min: number): number => {
    let n: number;
    try {
      n = parseByteSize(v);
    } catch (err) {
      throw new Error(`${flag}: ${(err as Error).message}`);
    }
    if (n < min) throw new Error(`${flag} must be at least ${min} bytes`);
    return n;
  };
  const count = (flag: string, v: string): number => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < 1) throw new Error(`${flag} must be a whole number of at least 1, not ${JSON.stringify(v)}`);
    return n;
  };
  const duration = (flag: string, v: string): number => {
    const ms = parseDurationMs(v);
    if (ms < 1000) throw new Error(`${flag} must be at least 1s`);
    return ms;
  };
  if (f.maxRequestBody !== undefined) out.maxBodyBytes = size('--max-request-body', f.maxRequestBody, 64 * 1024);
  if (f.maxRequestHeader !== undefined) out.maxHeaderBytes = size('--max-request-header', f.maxRequestHeader, 8 * 1024);
  if (f.maxConnections !== undefined) out.maxConnections = count('--max-connections', f.maxConnections);
  if (f.maxConnectionsPerClient !== undefined) out.maxConnectionsPerClient = count('--max-connections-per-client', f.maxConnectionsPerClient);
  if (f.requestHeaderTimeout !== undefined) out.headersTimeoutMs = duration('--request-header-timeout', f.requestHeaderTimeout);
  if (f.requestTimeout !== undefined) out.requestTimeoutMs = duration('--request-timeout', f.requestTimeout);
  if (out.headersTimeoutMs && out.requestTimeoutMs && out.headersTimeoutMs > out.requestTimeoutMs) throw new Error('--request-header-timeout must not be longer than --request-timeout');
  return out;
}
