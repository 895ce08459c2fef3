// The daemon's structured logger (pino). Components take a Logger and add their own bindings.

import { Writable } from 'node:stream';
import { pino, type Logger as PinoLogger } from 'pino';

export type Logger = PinoLogger;

/**
 * Lines go to stdout asynchronously (coalesced while a write is in flight). pino's default writes each line with a
 * synchronous write(2) on the event loop, and a write to a file stalls while the kernel throttles dirty
 * pages (a burst of pod deletions dirties many): measured, that blocked the API for most of a second.
 * What is buffered is written at exit (pino flushes it synchronously then), and on flush().
 */
export function createLogger(opts: { level?: string; name?: string } = {}): Logger {
  const level = opts.level ?? process.env.PEAPOD_LOG_LEVEL ?? 'info';
  return pino({ name: opts.name ?? 'peapod', level }, pino.destination({ dest: 1, sync: false }));
}

/** A logger that drops everything, for unit tests. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}

/** A logger that appends each JSON line to `lines`, for tests that print or inspect the log. */
export function capturingLogger(lines: string[], level = 'debug'): Logger {
  return pino({ level }, new Writable({ write: (b: Buffer, _e, cb) => (lines.push(b.toString()), cb()) }));
}
