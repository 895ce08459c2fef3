// exec and attach, whatever the wire: a runtime session joined to the client's streams. The transports
// (WebSocket channels, SPDY streams) turn their frames into CommandStreams; this moves the bytes, the
// resizes and stdin's EOF, and ends with the outcome on the error channel.

import type { Readable } from 'node:stream';
import type { SessionOutput, StreamSession, TerminalSize } from '../../runtime/streaming/types.js';
import { errorToStatus } from '../status.js';
import type { CommandOutcome } from './channel.js';

export interface CommandStreams {
  /** What the client types or pipes; ends at its EOF. Absent when the request has no stdin. */
  stdin?: Readable;
  stdout?: (data: Buffer) => void;
  stderr?: (data: Buffer) => void;
  onResize(listener: (size: TerminalSize) => void): void;
  /** Reports the outcome on the error channel and closes the connection. */
  finish(outcome: CommandOutcome): void;
  /** Settles when the client has gone (the connection closed). */
  gone: Promise<void>;
}

export interface CommandOptions {
  /** A terminal: the process's stderr is its stdout. */
  tty: boolean;
}

/** Runs one session to its end; never rejects. */
export async function runCommand(
  streams: CommandStreams,
  opts: CommandOptions,
  start: (out: SessionOutput) => Promise<StreamSession>,
): Promise<CommandOutcome> {
  const out: SessionOutput = {
    output: (stream, data) => {
      const sink = stream === 'stderr' && !opts.tty ? streams.stderr : streams.stdout;
      sink?.(data);
    },
  };
  let session: StreamSession;
  try {
    session = await start(out);
  } catch (err) {
    const outcome = failure(err);
    streams.finish(outcome);
    return outcome;
  }
  let over = false;
  void streams.gone.then(() => {
    if (!over) session.cancel();
  });
  const stdin = streams.stdin;
  if (stdin) {
    stdin.on('data', (chunk: Buffer) => {
      stdin.pause();
      void session.writeStdin(chunk).finally(() => stdin.resume());
    });
    stdin.once('end', () => session.closeStdin());
    stdin.on('error', () => session.closeStdin());
  }
  streams.onResize((size) => session.resize(size));
  let outcome: CommandOutcome;
  try {
    const end = await session.done;
    outcome = { exitCode: end.exitCode ?? 0 };
  } catch (err) {
    outcome = failure(err);
  }
  over = true;
  stdin?.removeAllListeners('data');
  streams.finish(outcome);
  return outcome;
}

/** An error as the Status the apiserver would give it (its code and message). */
function failure(err: unknown): CommandOutcome {
  const { status } = errorToStatus(err);
  return { error: String(status.message), code: Number(status.code) };
}
