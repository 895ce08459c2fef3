// A do-nothing API server for the load scenario's floor: the same TLS (the daemon's own serving
// certificate and key), the same node flags and the same thread and session priority as the daemon, in a
// process of its own, answering `GET /bytes/<n>` with n bytes of JSON and nothing else. The request samplers time it
// beside the daemon, over the same kind of connection, in the same burst: what it takes to answer is what
// the host and the client add to any server's answer at that moment, the floor under the daemon's.
//
// Protocol (IPC): { t: 'init', cert, key } → { port }. The channel's end ends the process.

import https from 'node:https';
import { LOOP_NICE, raiseSessionPriority, setAllThreadsNice } from '../src/system/thread-priority.js';

/** The argument that makes this module the reference server process. */
export const REFERENCE_ARG = '--reference-server';
/** Replies larger than this are refused (a list of a few hundred pods is well under it). */
export const REFERENCE_MAX_BYTES = 16 * 1024 * 1024;

/** `n` bytes of valid JSON: an object with one string of filler. */
export function filler(n: number): Buffer {
  const frame = '{"x":""}';
  if (n < frame.length) return Buffer.from(' '.repeat(n));
  const buf = Buffer.alloc(n, 0x61);
  buf.write('{"x":"', 0);
  buf.write('"}', n - 2);
  return buf;
}

if (process.argv[2] === REFERENCE_ARG && process.send) {
  process.on('disconnect', () => process.exit(0));
  process.once('message', (msg: { t: 'init'; cert: string; key: string }) => {
    setAllThreadsNice(LOOP_NICE);
    raiseSessionPriority(LOOP_NICE); // in a session of its own (detached), as the bench's daemon
    const bodies = new Map<number, Buffer>();
    const server = https.createServer({ cert: msg.cert, key: msg.key, keepAlive: true }, (req, res) => {
      const m = /^\/bytes\/(\d+)$/.exec(req.url ?? '');
      const n = m ? Number(m[1]) : NaN;
      if (req.method !== 'GET' || !(n >= 0 && n <= REFERENCE_MAX_BYTES)) {
        res.writeHead(404).end();
        return;
      }
      let body = bodies.get(n);
      if (!body) {
        body = filler(n);
        if (bodies.size < 64) bodies.set(n, body);
      }
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': n }).end(body);
    });
    server.listen(0, '127.0.0.1', () => {
      const addr = server.address();
      process.send!({ port: typeof addr === 'object' && addr ? addr.port : 0 });
    });
  });
}
