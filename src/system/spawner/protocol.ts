// The messages between the daemon and its spawn helper (client.ts ↔ helper.ts), over the Node IPC
// channel with the 'advanced' serialization (structured clone), so a Buffer input crosses as bytes.

import type { ExecResult, MonitorLaunch, MonitorOutcome, SessionLaunch } from '../exec.js';

export type SpawnRequest =
  | {
      t: 'run';
      id: number;
      file: string;
      args: string[];
      input?: string | Uint8Array;
      env?: Record<string, string>;
      cwd?: string;
      timeoutMs?: number;
      truncateOutput?: boolean;
    }
  | { t: 'monitor'; id: number; launch: MonitorLaunch }
  /** A conmon exec-attach session: replied to when its attach socket is ready. */
  | { t: 'session'; id: number; launch: SessionLaunch }
  /** The session's start() and exited, by the id of its 'session' request: replied to with the sync line. */
  | { t: 'session-start' | 'session-exit'; id: number; session: number }
  /** A run: abort its signal (the child gets SIGTERM). A monitor: kill() it. A session: release() it. */
  | { t: 'cancel'; id: number };

export type SpawnReply =
  | { id: number; ok: true; run: ExecResult }
  | { id: number; ok: true; monitor: MonitorOutcome }
  | { id: number; ok: true; line: string }
  | { id: number; ok: false; message: string; code?: string };
