// exec and attach over SPDY/3.1 (kubectl 1.27-1.29): the client opens one stream per role, named by its
// `streamtype` header (error, stdin, stdout, stderr, resize); the command starts once every stream the
// request asked for is there. The outcome goes on the error stream, then every stream is half-closed.

import type { TerminalSize } from '../../runtime/streaming/types.js';
import { errorChannelPayload, parseResize } from './channel.js';
import { ResizeFeed, type CommandStreams } from './remote-command.js';
import type { SpdyConnection, SpdyStream } from './spdy-connection.js';
import type { StreamFlags } from './ws-channels.js';

/** The kubelet's streamCreationTimeout: how long the client may take to open its streams. */
export const STREAM_CREATION_TIMEOUT_MS = 30_000;
/** After the outcome, how long the client may keep the connection before we close it. */
const CLOSE_GRACE_MS = 5_000;

/** The stream types a request needs (pure): error always; stdin/stdout as asked; stderr unless a tty; resize with a tty. */
export function expectedStreamTypes(flags: StreamFlags): string[] {
  const out = ['error'];
  if (flags.stdin) out.push('stdin');
  if (flags.stdout) out.push('stdout');
  if (flags.stderr && !flags.tty) out.push('stderr');
  if (flags.tty) out.push('resize');
  return out;
}

/** Resize events from a stream of newline-separated JSON objects (Go's json.Encoder). */
function resizeEvents(stream: SpdyStream, listener: (s: TerminalSize) => void): void {
  let buf = '';
  stream.on('data', (b: Buffer) => {
    buf += b.toString('utf8');
    let i: number;
    while ((i = buf.indexOf('\n')) >= 0) {
      const size = parseResize(Buffer.from(buf.slice(0, i)));
      buf = buf.slice(i + 1);
      if (size) listener(size);
    }
  });
}

/**
 * Waits for the request's streams and returns them as CommandStreams; rejects when the client does not
 * open them in time or leaves first. `version` is the negotiated protocol's (4 for v4.channel.k8s.io).
 */
export function spdyCommandStreams(
  conn: SpdyConnection,
  flags: StreamFlags,
  cmd: string[],
  version: number,
  timeoutMs = STREAM_CREATION_TIMEOUT_MS,
): Promise<CommandStreams> {
  const want = expectedStreamTypes(flags);
  const got = new Map<string, SpdyStream>();
  const gone = new Promise<void>((resolve) => conn.once('close', () => resolve()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      reject(new Error(`timed out waiting for client streams (have ${[...got.keys()].join(', ') || 'none'}, want ${want.join(', ')})`));
    }, timeoutMs);
    timer.unref();
    void gone.then(() => {
      clearTimeout(timer);
      reject(new Error('the client closed the connection before opening its streams'));
    });
    const onStream = (s: SpdyStream) => {
      const type = s.header('streamtype') ?? '';
      if (!want.includes(type) || got.has(type)) {
        s.resume();
        return;
      }
      got.set(type, s);
      if (type !== 'stdin' && type !== 'resize') s.resume(); // the client writes nothing on them that we need
      if (got.size < want.length) return;
      conn.off('stream', onStream);
      clearTimeout(timer);
      const error = got.get('error')!;
      const stdout = got.get('stdout');
      const stderr = got.get('stderr');
      const resizes = new ResizeFeed();
      const resizeStream = got.get('resize');
      if (resizeStream) resizeEvents(resizeStream, (size) => resizes.push(size));
      resolve({
        stdin: got.get('stdin'),
        stdout: stdout ? (d) => void stdout.write(d.length === 1 ? d[0] : Buffer.concat(d)) : undefined,
        stderr: stderr ? (d) => void stderr.write(d.length === 1 ? d[0] : Buffer.concat(d)) : undefined,
        onResize: resizes.onResize,
        finish: (outcome) => {
          const payload = errorChannelPayload(outcome, cmd, version);
          if (payload) error.write(payload);
          error.end();
          stdout?.end();
          stderr?.end();
          // kubectl closes the connection once it has read everything; a client that does not is closed for it.
          setTimeout(() => conn.close(), CLOSE_GRACE_MS).unref();
        },
        gone,
      });
    };
    conn.on('stream', onStream);
  });
}
