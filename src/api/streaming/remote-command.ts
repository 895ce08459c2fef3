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
  /** Output in parts, in order (a batch of the runtime's chunks); the transport joins them once. */
  stdout?: (data: Buffer[]) => void;
  stderr?: (data: Buffer[]) => void;
  onResize(listener: (size: TerminalSize) => void): void;
  /** Reports the outcome on the error channel and closes the connection. */
  finish(outcome: CommandOutcome): void;
  /** Settles when the client has gone (the connection closed). */
  gone: Promise<void>;
}

/**
 * The client's terminal sizes as a transport receives them. The client sends its size at once, maybe
 * before the session has a listener: a listener added late gets the last size first.
 */
export class ResizeFeed {
  private last?: TerminalSize;
  private readonly listeners: ((size: TerminalSize) => void)[] = [];

  push(size: TerminalSize): void {
    this.last = size;
    for (const l of this.listeners) l(size);
  }

  readonly onResize = (listener: (size: TerminalSize) => void): void => {
    this.listeners.push(listener);
    if (this.last) listener(this.last);
  };
}

export interface CommandOptions {
  /** A terminal: the process's stderr is its stdout. */
  tty: boolean;
}

/** How long a terminal session waits for the client's size before it starts without one. */
const FIRST_SIZE_WAIT_MS = 1000;

/**
 * Runs one session to its end; never rejects. With a terminal, the client's first size (which it sends
 * at once) is awaited briefly and handed to `start`, so the process starts in a terminal of that size.
 */
export async function runCommand(
  streams: CommandStreams,
  opts: CommandOptions,
  start: (out: SessionOutput, size?: TerminalSize) => Promise<StreamSession>,
): Promise<CommandOutcome> {
  const batch = new OutputBatch(streams, opts.tty);
  const out: SessionOutput = { output: (stream, data) => batch.add(stream, data) };
  let size: TerminalSize | undefined;
  let current: StreamSession | undefined;
  let sized: () => void = () => {};
  const firstSize = new Promise<void>((resolve) => (sized = resolve));
  streams.onResize((s) => {
    size = s;
    current?.resize(s);
    sized();
  });
  if (opts.tty && !size) {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([firstSize, streams.gone, new Promise<void>((r) => (timer = setTimeout(r, FIRST_SIZE_WAIT_MS)))]);
    clearTimeout(timer);
  }
  let session: StreamSession;
  try {
    session = await start(out, size);
  } catch (err) {
    const outcome = failure(err);
    streams.finish(outcome);
    return outcome;
  }
  current = session;
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
  let outcome: CommandOutcome;
  try {
    const end = await session.done;
    outcome = { exitCode: end.exitCode ?? 0 };
  } catch (err) {
    outcome = failure(err);
  }
  over = true;
  stdin?.removeAllListeners('data');
  batch.flush();
  streams.finish(outcome);
  return outcome;
}

/** Output is sent in messages of up to this many bytes. */
const BATCH_MAX = 256 * 1024;

/**
 * Joins the runtime's small output chunks (conmon relays 8 KiB at a time) into fewer, larger messages:
 * what is read in one turn of the event loop goes out as one, in order across stdout and stderr.
 */
class OutputBatch {
  private stream: 'stdout' | 'stderr' = 'stdout';
  private parts: Buffer[] = [];
  private size = 0;
  private scheduled = false;

  constructor(
    private readonly streams: CommandStreams,
    private readonly tty: boolean,
  ) {}

  add(stream: 'stdout' | 'stderr', data: Buffer): void {
    const s = stream === 'stderr' && !this.tty ? 'stderr' : 'stdout';
    if (s !== this.stream) this.flush();
    this.stream = s;
    this.parts.push(data);
    this.size += data.length;
    if (this.size >= BATCH_MAX) this.flush();
    else if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => this.flush());
    }
  }

  flush(): void {
    this.scheduled = false;
    if (!this.parts.length) return;
    const data = this.parts;
    this.parts = [];
    this.size = 0;
    (this.stream === 'stderr' ? this.streams.stderr : this.streams.stdout)?.(data);
  }
}

/** An error as the Status the apiserver would give it (its code and message). */
function failure(err: unknown): CommandOutcome {
  const { status } = errorToStatus(err);
  return { error: String(status.message), code: Number(status.code) };
}
