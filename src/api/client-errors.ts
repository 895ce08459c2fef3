// The answer to a request Node's HTTP parser refused before the request reached the API (a malformed
// request line or header, an unknown method, a head over the header cap, headers or a body that took too
// long): Node's own answer is a bare "400 Bad Request" with no body, so a client reading a Status finds
// none. Here it is a Status like every other error, with Connection: close. Go's server also answers
// these bare; a Status is what every other 4xx of this API carries.

import type { KubeStatus } from '../k8s/types.js';

/** The code, reason and message for a parser error (err.code is llhttp's HPE_* or Node's ERR_*). */
export function clientErrorStatus(err: NodeJS.ErrnoException): KubeStatus {
  const code = err.code ?? '';
  if (code === 'HPE_HEADER_OVERFLOW') return status(431, '', 'the request\'s headers are larger than the server accepts');
  if (code === 'ERR_HTTP_REQUEST_TIMEOUT') return status(408, 'Timeout', 'the request was not received in time');
  const what = code.startsWith('HPE_') ? `${code.slice(4).toLowerCase().replace(/_/g, ' ')}` : 'malformed request';
  return status(400, 'BadRequest', `the request could not be parsed as HTTP/1.1: ${what}`);
}

function status(code: number, reason: string, message: string): KubeStatus {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code };
}

const PHRASES: Record<number, string> = { 400: 'Bad Request', 405: 'Method Not Allowed', 408: 'Request Timeout', 431: 'Request Header Fields Too Large' };

/** CONNECT, which Node hands over outside the request handler: no resource serves it. */
export const CONNECT_STATUS: KubeStatus = status(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource: CONNECT');

/** The whole HTTP/1.1 answer for a parser error (or a Status), as bytes for the raw socket. */
export function statusBytes(err: NodeJS.ErrnoException | KubeStatus): Buffer {
  const s = 'kind' in err && err.kind === 'Status' ? err : clientErrorStatus(err as NodeJS.ErrnoException);
  const body = Buffer.from(JSON.stringify(s));
  const head = `HTTP/1.1 ${s.code} ${PHRASES[s.code] ?? 'Bad Request'}\r\nContent-Type: application/json\r\nCache-Control: no-cache, private\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n`;
  return Buffer.concat([Buffer.from(head, 'latin1'), body]);
}
