// A recording Exec for unit tests of the runc wrapper: records each call and answers from a script.
// Never wired into the daemon.

import type { Exec, ExecOptions, ExecResult } from '../system/exec.js';

export interface RecordedCall {
  file: string;
  args: string[];
  opts?: ExecOptions;
}

export class RecordingExec implements Exec {
  readonly calls: RecordedCall[] = [];
  constructor(private readonly answer: (call: RecordedCall) => ExecResult = () => ({ code: 0, stdout: '', stderr: '' })) {}

  async run(file: string, args: string[], opts?: ExecOptions): Promise<ExecResult> {
    const call = { file, args, opts };
    this.calls.push(call);
    return this.answer(call);
  }
}
