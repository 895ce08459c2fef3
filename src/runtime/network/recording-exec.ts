// A recording fake Exec for the network unit tests: records every call and answers from a handler.
// Never wired into the daemon.

import type { Exec, ExecOptions, ExecResult } from '../../system/exec.js';

export interface RecordedCall {
  file: string;
  args: string[];
  input: string;
  env: Record<string, string>;
}

export type ExecHandler = (call: RecordedCall) => Partial<ExecResult> | undefined;

export class RecordingExec implements Exec {
  readonly calls: RecordedCall[] = [];

  constructor(private readonly handler: ExecHandler = () => undefined) {}

  async run(file: string, args: string[], opts: ExecOptions = {}): Promise<ExecResult> {
    const call: RecordedCall = {
      file,
      args,
      input: opts.input === undefined ? '' : opts.input.toString(),
      env: Object.fromEntries(Object.entries(opts.env ?? {}).filter((e): e is [string, string] => e[1] !== undefined)),
    };
    this.calls.push(call);
    const r = this.handler(call) ?? {};
    return { code: r.code ?? 0, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
  }
}
