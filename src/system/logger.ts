// The daemon's structured logger (pino). Components take a Logger and add their own bindings.

import { Writable } from 'node:stream';
import { pino, type Logger as PinoLogger } from 'pino';

export type Logger = PinoLogger;

export function createLogger(opts: { level?: string; name?: string } = {}): Logger {
  return pino({ name: opts.name ?? 'peapod', level: opts.level ?? process.env.PEAPOD_LOG_LEVEL ?? 'info' });
}

/** A logger that drops everything, for unit tests. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}

/** A logger that appends each JSON line to `lines`, for tests that print or inspect the log. */
export function capturingLogger(lines: string[], level = 'debug'): Logger {
  return pino({ level }, new Writable({ write: (b: Buffer, _e, cb) => (lines.push(b.toString()), cb()) }));
}
