// An exec through @kubernetes/client-node's own Exec (its WebSocket), as a program using the library makes
// it: stdout and stderr collected, stdin given whole and closed, resolved with the status channel's V1Status.

import { PassThrough, Writable } from 'node:stream';
import * as k8s from '@kubernetes/client-node';

export interface ClientNodeExecResult {
  stdout: string;
  stderr: string;
  /** What the status channel said: Success, or Failure with reason NonZeroExitCode and the code in its causes. */
  status: k8s.V1Status;
}

/** The exit code a V1Status reports (0 on Success), as kubectl reads it. */
export function exitCodeOf(status: k8s.V1Status): number | undefined {
  if (status.status === 'Success') return 0;
  const cause = status.details?.causes?.find((c) => c.reason === 'ExitCode');
  return cause?.message === undefined ? undefined : Number(cause.message);
}

export function clientNodeExec(kc: k8s.KubeConfig, namespace: string, pod: string, container: string, command: string[], stdin?: string): Promise<ClientNodeExecResult> {
  let stdout = '';
  let stderr = '';
  const sink = (append: (s: string) => void) => new Writable({ write: (c, _e, cb) => (append(String(c)), cb()) });
  const input = stdin === undefined ? null : new PassThrough();
  return new Promise<ClientNodeExecResult>((resolve, reject) => {
    new k8s.Exec(kc)
      .exec(namespace, pod, container, command, sink((s) => (stdout += s)), sink((s) => (stderr += s)), input, false, (status) => resolve({ stdout, stderr, status }))
      .catch(reject);
    input?.end(stdin);
  });
}
