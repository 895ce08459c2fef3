// What every command gets: output sinks, stdin, env, a clock (for waits), and a lazily built API
// client for the kubeconfig the global options select.

import { promises as fs } from 'node:fs';
import type { Clock } from '../system/clock.js';
import { ApiClient } from './client.js';
import { kubeconfigChoice, parseKubeconfig } from './kubeconfig.js';

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
  /** -v: 1 and up names the daemon reached; 6 and up each request (kubectl's levels). */
  v?: number;
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

/** A word as the shell reads it back: as is when plain, else in single quotes. */
export function shellQuote(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

/** ` --data-dir DIR` as the user gave it (quoted for pasting), or nothing. */
function dataDirFlag(dataDir: string | undefined): string {
  return dataDir ? ` --data-dir ${shellQuote(dataDir)}` : '';
}

/**
 * The command that starts the daemon in the background with its log, to paste: as root, the command
 * itself; otherwise through sudo, with the redirection inside root's shell (the user's own shell may not
 * write /var/log) and sudo in the foreground (it may ask for a password).
 */
export function startDaemonCommand(dataDir: string | undefined, root: boolean): string {
  const cmd = `setsid peapod${dataDirFlag(dataDir)} serve >> /var/log/peapod.log 2>&1 < /dev/null &`;
  return root ? cmd : `sudo sh -c ${shellQuote(cmd)}`;
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

  /** The kubeconfig this command uses and the rule that chose it. */
  kubeconfig(): { path: string; from: string } {
    return kubeconfigChoice(this.globals, this.io.env);
  }

  async api(): Promise<ApiClient> {
    if (this.client) return this.client;
    const { path: file, from } = this.kubeconfig();
    const serve = startDaemonCommand(this.globals.dataDir, process.getuid?.() === 0);
    // A kubeconfig the user named may be any daemon's: what starts it is not known.
    const named = from === '--kubeconfig' || from === '$KUBECONFIG';
    const text = await fs.readFile(file, 'utf8').catch((err: NodeJS.ErrnoException) => {
      throw new CliError(
        err.code === 'ENOENT'
          ? named
            ? `error: no kubeconfig at ${file} (${from}): save a daemon's there with \`sudo peapod [--data-dir DIR] kubeconfig > ${shellQuote(file)}\`, or mint one for a user with \`sudo peapod kubeconfig --user NAME\``
            : `error: no kubeconfig at ${file}: the daemon writes it when it starts. Start it with \`${serve}\` (or \`bash scripts/setup-and-run.sh\`), or pass --kubeconfig`
          : err.code === 'EACCES'
            ? `error: read kubeconfig ${file}: permission denied (the data dir is root's): run as root, or save one for yourself with \`mkdir -p ~/.kube && (umask 077; sudo peapod${dataDirFlag(this.globals.dataDir)} kubeconfig > ~/.kube/peapod)\` and pass --kubeconfig ~/.kube/peapod`
            : `error: read kubeconfig ${file}: ${err.message}`,
      );
    });
    const config = parseKubeconfig(text);
    const v = this.globals.v ?? 0;
    if (v >= 1) this.err(`peapod: ${config.server} (context ${config.context || '-'}, user ${config.user || '-'}, namespace ${config.namespace}) from kubeconfig ${file} (${from})`);
    this.client = new ApiClient(config, {
      ...(v >= 6 ? { trace: (line: string) => this.err(`peapod: ${line}`) } : {}),
      refusedHint: named ? `Is the daemon of ${file} (${from}) running?` : `Is the daemon running? Start it with \`${serve}\``,
    });
    return this.client;
  }

  /** The -n namespace, else the kubeconfig context's. */
  async namespace(): Promise<string> {
    return this.globals.namespace ?? (await this.api()).config.namespace;
  }
}
