// What every command gets: output sinks, stdin, env, a clock (for waits), and a lazily built API
// client for the kubeconfig the global options select.

import { promises as fs } from 'node:fs';
import type { Clock } from '../system/clock.js';
import { ApiClient } from './client.js';
import { kubeconfigPathFor, parseKubeconfig } from './kubeconfig.js';

/** The user's terminal, when stdin and stdout are one (exec -t, attach -t, debug -t). */
export interface CliTerminal {
  setRawMode(raw: boolean): void;
  size(): { width: number; height: number };
  onResize(listener: () => void): () => void;
}

export interface CliIO {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** Bytes as they are (a container's output); default: as text. */
  stdoutBytes?: (data: Buffer) => void;
  stderrBytes?: (data: Buffer) => void;
  stdin: NodeJS.ReadableStream;
  /** Set when stdin and stdout are a terminal. */
  terminal?: CliTerminal;
  env: NodeJS.ProcessEnv;
  clock: Clock;
}

export interface GlobalOptions {
  kubeconfig?: string;
  dataDir?: string;
  namespace?: string;
}

/** A command failure whose message is printed as is (kubectl style) with exit code 1. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

export class CliContext {
  private client?: ApiClient;
  constructor(
    readonly io: CliIO,
    readonly globals: GlobalOptions,
  ) {}

  out(line: string): void {
    this.io.stdout(line.endsWith('\n') ? line : line + '\n');
  }
  err(line: string): void {
    this.io.stderr(line.endsWith('\n') ? line : line + '\n');
  }

  async api(): Promise<ApiClient> {
    if (this.client) return this.client;
    const file = kubeconfigPathFor(this.globals, this.io.env);
    const text = await fs.readFile(file, 'utf8').catch((err: NodeJS.ErrnoException) => {
      throw new CliError(
        err.code === 'ENOENT'
          ? `error: no kubeconfig at ${file}: start the daemon with \`peapod serve\` or pass --kubeconfig`
          : err.code === 'EACCES'
            ? `error: read kubeconfig ${file}: permission denied: the data dir is root's (run as root, or pass --kubeconfig)`
            : `error: read kubeconfig ${file}: ${err.message}`,
      );
    });
    this.client = new ApiClient(parseKubeconfig(text));
    return this.client;
  }

  /** The -n namespace, else the kubeconfig context's. */
  async namespace(): Promise<string> {
    return this.globals.namespace ?? (await this.api()).config.namespace;
  }
}
