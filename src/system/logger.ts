// The daemon's structured logger (pino). Components take a Logger and add their own bindings.

import { pino, type Logger as PinoLogger } from 'pino';

export type Logger = PinoLogger;

export function createLogger(opts: { level?: string; name?: string } = {}): Logger {
  return pino({ name: opts.name ?? 'peapod', level: opts.level ?? process.env.PEAPOD_LOG_LEVEL ?? 'info' });
}

/** A logger that drops everything, for unit tests. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
