// A recording Exec for unit tests of the runc wrapper and the runtime: records each call and answers
// from a script (which may wait, to hold a step in flight).
// Never wired into the daemon.

import type { Exec, ExecOptions, ExecResult } from '../system/exec.js';

export interface RecordedCall {
  file: string;
  args: string[];
  opts?: ExecOptions;
}

export class RecordingExec implements Exec {
  readonly calls: RecordedCall[] = [];
  constructor(
    private readonly answer: (call: RecordedCall) => ExecResult | Promise<ExecResult> = () => ({ code: 0, stdout: '', stderr: '' }),
  ) {}

  async run(file: string, args: string[], opts?: ExecOptions): Promise<ExecResult> {
    const call = { file, args, opts };
    this.calls.push(call);
    return this.answer(call);
  }
}
