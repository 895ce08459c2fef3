// `logs POD [-c C] [-f] [--previous] [--tail N] [--timestamps]`: picks the container like kubectl
// (-c, else the default-container annotation, else the first, telling which on stderr) and streams
// the pod's log subresource to stdout.

import type { Pod } from '../../k8s/types.js';
import { CliError, type CliContext } from '../context.js';
import { findResource, resourcePath } from '../resources.js';

export interface LogsOptions {
  container?: string;
  follow?: boolean;
  previous?: boolean;
  tail?: number;
  timestamps?: boolean;
}

const DEFAULT_CONTAINER = 'kubectl.kubernetes.io/default-container';

/** Every container name of the pod: init, regular, ephemeral. */
export function containerNames(pod: Pod): string[] {
  return [...(pod.spec.initContainers ?? []), ...pod.spec.containers, ...(pod.spec.ephemeralContainers ?? [])].map((c) => c.name);
}

/** The container kubectl would read, and the notice it prints when it had to choose. */
export function chooseContainer(pod: Pod, flag: string | undefined): { name: string; notice?: string } {
  if (flag) return { name: flag };
  const annotated = pod.metadata.annotations?.[DEFAULT_CONTAINER];
  const all = containerNames(pod);
  if (annotated && all.includes(annotated)) return { name: annotated };
  const first = pod.spec.containers[0]?.name;
  if (!first) throw new CliError(`error: pod ${pod.metadata.name} has no containers`);
  if (all.length > 1) return { name: first, notice: `Defaulted container "${first}" out of: ${all.join(', ')}` };
  return { name: first };
}

export async function runLogs(ctx: CliContext, podName: string, opts: LogsOptions): Promise<void> {
  const api = await ctx.api();
  const ns = await ctx.namespace();
  const r = findResource('pods');
  const pod = await api.json<Pod>('GET', resourcePath(r, ns, podName));
  const { name, notice } = chooseContainer(pod, opts.container);
  if (notice) ctx.err(notice);
  const query = {
    container: name,
    follow: opts.follow ? 'true' : undefined,
    previous: opts.previous ? 'true' : undefined,
    tailLines: opts.tail !== undefined && opts.tail >= 0 ? opts.tail : undefined,
    timestamps: opts.timestamps ? 'true' : undefined,
  };
  const stream = await api.stream('GET', resourcePath(r, ns, podName, 'log'), { query, accept: 'text/plain, */*' });
  for await (const chunk of stream) ctx.io.stdout(Buffer.isBuffer(chunk) ? chunk.toString('utf8') : String(chunk));
}
