// ProbeRunner: runs one probe attempt and says what it found (style.md §2). A failed probe is a result;
// `unknown` means it could not run (the kubelet throws such attempts away). httpGet, tcpSocket and grpc
// run from the daemon itself against the pod IP (no process per probe); exec runs in the container
// through the runtime, whose timeout kills what it started.

import { TimeoutError, errorMessage } from '../../errors.js';
import type { Container, Probe } from '../../k8s/types.js';
import { KUBE_VERSION } from '../../k8s/version.js';
import type { ContainerRuntime } from '../../runtime/runtime.js';
import { grpcHealthCheck } from './grpc.js';
import { httpGet } from './http-get.js';
import { httpGetUrl, resolvePort } from './target.js';
import { tcpConnect } from './tcp.js';

export type ProbeOutcomeKind = 'success' | 'warning' | 'failure' | 'unknown';

export interface ProbeOutcome {
  result: ProbeOutcomeKind;
  /** What the probe said: the command's output, the failure, or the error. */
  output: string;
}

export interface ProbeTarget {
  containerId: string;
  container: Container;
  /** The pod IP (the node IP with hostNetwork); '' when the pod has none. */
  podIP: string;
}

export interface ProbeRunner {
  run(probe: Probe, target: ProbeTarget, timeoutMs: number, signal?: AbortSignal): Promise<ProbeOutcome>;
}

export const PROBE_USER_AGENT = `kube-probe/${KUBE_VERSION.major}.${KUBE_VERSION.minor}`;
/** The kubelet keeps at most this much of an exec probe's output. */
const MAX_EXEC_OUTPUT = 10 * 1024;

export class HostProbeRunner implements ProbeRunner {
  constructor(private readonly runtime: Pick<ContainerRuntime, 'execSync'>) {}

  async run(probe: Probe, target: ProbeTarget, timeoutMs: number, signal?: AbortSignal): Promise<ProbeOutcome> {
    try {
      if (probe.exec) return await this.exec(probe.exec.command ?? [], target, timeoutMs);
      if (probe.httpGet) {
        const a = probe.httpGet;
        const url = httpGetUrl(a, a.host || target.podIP, resolvePort(a.port, target.container));
        const r = await httpGet({ url, headers: a.httpHeaders ?? [], timeoutMs, userAgent: PROBE_USER_AGENT, followCrossHost: false, signal });
        if (!r.ok) return { result: 'failure', output: r.error };
        if (r.statusCode >= 200 && r.statusCode < 400) {
          if (r.crossHostRedirect || r.statusCode >= 300) return { result: 'warning', output: `Probe terminated redirects, Response body: ${r.body}` };
          return { result: 'success', output: r.body };
        }
        return { result: 'failure', output: `HTTP probe failed with statuscode: ${r.statusCode}` };
      }
      if (probe.tcpSocket) {
        const a = probe.tcpSocket;
        const r = await tcpConnect(a.host || target.podIP, resolvePort(a.port, target.container), timeoutMs, signal);
        return r.ok ? { result: 'success', output: '' } : { result: 'failure', output: r.error };
      }
      if (probe.grpc) {
        const g = probe.grpc;
        const r = await grpcHealthCheck({ host: target.podIP, port: g.port, service: g.service ?? '', timeoutMs, userAgent: PROBE_USER_AGENT, signal });
        return { result: r.ok ? 'success' : 'failure', output: r.output };
      }
      return { result: 'unknown', output: 'missing probe handler' };
    } catch (err) {
      return { result: 'unknown', output: errorMessage(err) };
    }
  }

  private async exec(cmd: string[], target: ProbeTarget, timeoutMs: number): Promise<ProbeOutcome> {
    try {
      const r = await this.runtime.execSync(target.containerId, cmd, timeoutMs);
      const output = Buffer.concat([r.stdout, r.stderr]).subarray(0, MAX_EXEC_OUTPUT).toString('utf8');
      return { result: r.exitCode === 0 ? 'success' : 'failure', output };
    } catch (err) {
      if (err instanceof TimeoutError) return { result: 'failure', output: `command "${cmd.join(' ')}" timed out` };
      throw err;
    }
  }
}
