// Lifecycle hooks (pod-lifecycle.md §8): postStart right after a container starts, preStop before it is
// stopped. exec runs in the container (no timeout of its own), httpGet goes to the pod IP and fails only
// on transport errors (the status code is never checked; an HTTPS hook answered in plain HTTP is retried
// over HTTP, a LifecycleHTTPFallback event), sleep waits on the injected clock. tcpSocket
// passes validation (the API kept it for compatibility) but, as on the kubelet, cannot run.
// Failure messages are the kubelet's; they become the waiting message (PostStartHookError) and the log,
// never the event (events say only "PostStartHook failed", so that secrets in output do not leak).

import { errorMessage } from '../errors.js';
import type { Container, LifecycleHandler, Pod } from '../k8s/types.js';
import { KUBE_VERSION } from '../k8s/version.js';
import type { ContainerRuntime } from '../runtime/runtime.js';
import type { Clock } from '../system/clock.js';
import { httpGet } from './probes/http-get.js';
import { httpGetUrl, resolvePort } from './probes/target.js';
import { podDescription } from './spec.js';

export interface HookTarget {
  pod: Pod;
  container: Container;
  containerId: string;
  /** The pod IP (the node IP with hostNetwork). */
  podIP: string;
}

/** `fallback`: an HTTPS hook answered in plain HTTP and the retry over HTTP worked (LifecycleHTTPFallback event). */
export type HookOutcome = { ok: true; fallback?: string } | { ok: false; message: string };

export interface HookRunner {
  /**
   * Runs one handler to its end. `signal` abandons the wait (the outcome is then a failure saying so);
   * `timeoutMs` bounds an exec (a preStop gets the grace period), 0 = none.
   */
  run(handler: LifecycleHandler, target: HookTarget, opts?: { signal?: AbortSignal; timeoutMs?: number }): Promise<HookOutcome>;
}

export const LIFECYCLE_USER_AGENT = `kube-lifecycle/${KUBE_VERSION.major}.${KUBE_VERSION.minor}`;

/** Go's %v of a []string. */
const goList = (xs: string[]) => `[${xs.join(' ')}]`;

export class ContainerHookRunner implements HookRunner {
  constructor(private readonly deps: { runtime: Pick<ContainerRuntime, 'execSync'>; clock: Clock }) {}

  async run(handler: LifecycleHandler, t: HookTarget, opts: { signal?: AbortSignal; timeoutMs?: number } = {}): Promise<HookOutcome> {
    const who = `for Container "${t.container.name}" in Pod "${podDescription(t.pod)}"`;
    if (handler.exec) {
      const cmd = handler.exec.command ?? [];
      try {
        const r = await this.deps.runtime.execSync(t.containerId, cmd, opts.timeoutMs ?? 0);
        if (r.exitCode === 0) return { ok: true };
        const output = Buffer.concat([r.stdout, r.stderr]).toString('utf8');
        const err = `command '${cmd.join(' ')}' exited with ${r.exitCode}: ${r.stderr.toString('utf8')}`;
        return { ok: false, message: `Exec lifecycle hook (${goList(cmd)}) ${who} failed - error: ${err}, message: ${JSON.stringify(output)}` };
      } catch (err) {
        return { ok: false, message: `Exec lifecycle hook (${goList(cmd)}) ${who} failed - error: ${errorMessage(err)}, message: ""` };
      }
    }
    if (handler.httpGet) {
      const a = handler.httpGet;
      try {
        const url = httpGetUrl(a, a.host || t.podIP, resolvePort(a.port, t.container));
        const timeoutMs = opts.timeoutMs && opts.timeoutMs > 0 ? opts.timeoutMs : 2 ** 31 - 1;
        const req = { url, headers: a.httpHeaders ?? [], timeoutMs, userAgent: LIFECYCLE_USER_AGENT, followCrossHost: true, signal: opts.signal };
        const r = await httpGet(req);
        if (r.ok) return { ok: true };
        if (r.httpAnswer) {
          // As the kubelet: an HTTPS hook served in plain HTTP is retried over HTTP, without Authorization.
          const plain = new URL(url);
          plain.protocol = 'http:';
          const again = await httpGet({ ...req, url: plain, headers: req.headers.filter((h) => h.name.toLowerCase() !== 'authorization') });
          if (again.ok) return { ok: true, fallback: `request to HTTPS lifecycle hook ${url.host} got HTTP response, retry with HTTP succeeded` };
        }
        return { ok: false, message: `HTTP lifecycle hook (${a.path ?? ''}) ${who} failed - error: ${r.error}` };
      } catch (err) {
        return { ok: false, message: `HTTP lifecycle hook (${a.path ?? ''}) ${who} failed - error: ${errorMessage(err)}` };
      }
    }
    if (handler.sleep) {
      try {
        await this.deps.clock.sleep(Math.max(0, handler.sleep.seconds) * 1000, opts.signal);
        return { ok: true };
      } catch {
        return { ok: false, message: `Sleep lifecycle hook (${handler.sleep.seconds}) ${who} was interrupted` };
      }
    }
    const kind = handler.tcpSocket ? 'tcpSocket is not supported as a lifecycle handler' : 'no handler set';
    return { ok: false, message: `Cannot run handler: invalid handler: ${kind}` };
  }
}
