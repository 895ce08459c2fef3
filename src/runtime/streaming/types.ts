// The streaming role of the Runtime contract (the CRI keeps it apart as its streaming server): exec
// with live stdin/stdout/stderr and a terminal, attach to a container's own stdio, and port-forward
// into a sandbox's network namespace. The API layer speaks the wire protocols; this speaks processes.

import type { Duplex } from 'node:stream';

export interface TerminalSize {
  width: number;
  height: number;
}

/** Where a session's output goes, as it comes (no buffering in between). */
export interface SessionOutput {
  output(stream: 'stdout' | 'stderr', data: Buffer): void;
}

export interface ExecRequest {
  cmd: string[];
  /** The process gets a stdin the client writes to (else /dev/null). */
  stdin: boolean;
  /** A terminal: stdout and stderr are one stream, resize applies. */
  tty: boolean;
  /** The terminal's size from the start (the OCI process's consoleSize), when the client sent one. */
  size?: TerminalSize;
}

export interface AttachRequest {
  stdin: boolean;
  tty: boolean;
}

export interface SessionEnd {
  /** The exec'd process's exit code; undefined for an attach (it ends when the container's streams do). */
  exitCode?: number;
}

export interface StreamSession {
  /** Writes to the process's stdin; resolves once handed to the runtime (callers await it for order and back-pressure). */
  writeStdin(data: Buffer): Promise<void>;
  /** The client's EOF on stdin, after what was written before it. */
  closeStdin(): void;
  resize(size: TerminalSize): void;
  /** Settles when the session is over and all its output has been delivered. */
  readonly done: Promise<SessionEnd>;
  /**
   * The client went away: an exec'd process is killed (a session nobody can see must not go on); an
   * attach only lets go of the container, which keeps running.
   */
  cancel(): void;
}

export interface StreamingRuntime {
  /** Starts cmd in a running container. ConflictError when it is not running, NotFoundError when unknown. */
  execStream(containerId: string, req: ExecRequest, out: SessionOutput): Promise<StreamSession>;
  /** Joins a running container's own stdio (its stdin only when the container was made with one). */
  attach(containerId: string, req: AttachRequest, out: SessionOutput): Promise<StreamSession>;
  /**
   * A TCP connection to `port` on localhost inside the sandbox's network namespace, as a duplex
   * stream. Rejects with a message that says why (nothing listening, sandbox gone).
   */
  portForward(sandboxId: string, port: number): Promise<Duplex>;
}
