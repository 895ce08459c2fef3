// `describe pod NAME`: the pod and its events (by involvedObject name, namespace and uid).

import type { KubeEvent, Pod } from '../../k8s/types.js';
import { CliError, type CliContext } from '../context.js';
import { findResource, resourcePath } from '../resources.js';
import { describePod } from '../printers/describe-pod.js';

export async function runDescribe(ctx: CliContext, type: string, name: string | undefined): Promise<void> {
  const r = findResource(type);
  if (r.resource !== 'pods') throw new CliError(`error: describe supports pods only, not ${r.resource}`);
  if (!name) throw new CliError('error: describe pod needs a NAME');
  const api = await ctx.api();
  const ns = await ctx.namespace();
  const pod = await api.json<Pod>('GET', resourcePath(r, ns, name));
  const fieldSelector = `involvedObject.name=${name},involvedObject.namespace=${ns},involvedObject.uid=${pod.metadata.uid ?? ''}`;
  const events = await api
    .json<{ items?: KubeEvent[] }>('GET', resourcePath(findResource('events'), ns), { query: { fieldSelector, limit: 500 } })
    .then((l) => l.items ?? [])
    .catch(() => undefined);
  ctx.out(describePod(pod, events, ctx.io.clock.now()));
}
