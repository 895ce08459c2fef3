// exec and attach over a WebSocket channel protocol (channel.ts): the client's messages become stdin,
// resizes and stdin's close; output and the final status go out as channel messages.

import { PassThrough } from 'node:stream';
import type { WebSocket } from 'ws';
import { CLOSE, decodeMessage, encodeMessage, ERROR, errorChannelPayload, parseResize, RESIZE, STDERR, STDIN, STDOUT, type ChannelProtocol } from './channel.js';
import { ResizeFeed, type CommandStreams } from './remote-command.js';

export interface StreamFlags {
  stdin: boolean;
  stdout: boolean;
  stderr: boolean;
  tty: boolean;
}

/** The CommandStreams of one WebSocket; `cmd` words the exit-code status (empty for attach). */
export function channelCommandStreams(ws: WebSocket, proto: ChannelProtocol, flags: StreamFlags, cmd: string[]): CommandStreams {
  const stdin = flags.stdin ? new PassThrough() : undefined;
  const resizes = new ResizeFeed();
  const send = (channel: number, data: Buffer | Buffer[]) => {
    if (ws.readyState !== ws.OPEN) return;
    const m = encodeMessage(channel, data, proto);
    ws.send(m.payload, { binary: m.binary });
  };
  ws.on('message', (raw: Buffer | ArrayBuffer | Buffer[]) => {
    const buf = Array.isArray(raw) ? Buffer.concat(raw) : Buffer.isBuffer(raw) ? raw : Buffer.from(raw);
    const m = decodeMessage(buf, proto);
    if (!m) return;
    if (m.channel === STDIN) {
      if (stdin && !stdin.writableEnded && m.data.length && !stdin.write(m.data)) {
        // Back-pressure: stop reading the socket until the process has taken what it was sent.
        ws.pause();
        stdin.once('drain', () => ws.resume());
      }
    } else if (m.channel === RESIZE && proto.version >= 3) {
      const size = parseResize(m.data);
      if (size) resizes.push(size);
    } else if (m.channel === CLOSE && proto.version >= 5 && !proto.base64) {
      if (m.data[0] === STDIN) stdin?.end();
    }
  });
  const gone = new Promise<void>((resolve) => ws.once('close', () => resolve()));
  void gone.then(() => stdin?.end());
  return {
    stdin,
    stdout: flags.stdout ? (d) => send(STDOUT, d) : undefined,
    stderr: flags.stderr && !flags.tty ? (d) => send(STDERR, d) : undefined,
    onResize: resizes.onResize,
    finish: (outcome) => {
      const payload = errorChannelPayload(outcome, cmd, proto.version);
      if (payload) send(ERROR, payload);
      if (ws.readyState === ws.OPEN) ws.close(1000);
    },
    gone,
  };
}
