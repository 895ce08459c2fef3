// pods/binding and pods/eviction (POST → 201 Success Status).

import { BadRequestError, ConflictError, NotFoundError } from '../../errors.js';
import type { Pod } from '../../k8s/types.js';
import type { ApiDeps } from '../deps.js';
import { readObject, sendJson, type RequestContext } from '../http.js';
import type { ResourceRoute } from '../route.js';
import { successStatus } from '../status.js';
import { isDryRun } from './common.js';
import { deletePod } from './pod-delete.js';

function bodyName(body: Record<string, unknown>, route: ResourceRoute, kind: string): string {
  const meta = (body.metadata ?? {}) as { name?: string; namespace?: string };
  const name = route.name ?? meta.name;
  if (!name) throw new BadRequestError(`${kind}: metadata.name is required`);
  if (route.name && meta.name && meta.name !== route.name) {
    throw new BadRequestError(`name in URL does not match name in ${kind} object`);
  }
  if (meta.namespace && meta.namespace !== route.namespace) {
    throw new BadRequestError('the namespace of the provided object does not match the namespace sent on the request');
  }
  return name;
}

/** Binding: sets spec.nodeName of an unbound pod (pods are bound at admission; rebinding is a conflict). */
export async function handleBinding(deps: ApiDeps, ctx: RequestContext, route: ResourceRoute): Promise<void> {
  const body = await readObject(ctx);
  const name = bodyName(body, route, 'Binding');
  const target = (body.target ?? {}) as { kind?: string; name?: string };
  if (!target.name) throw new BadRequestError('Binding: target.name is required');
  if (target.kind && target.kind !== 'Node') throw new BadRequestError(`Binding: target.kind must be Node, not ${target.kind}`);
  const dry = isDryRun(ctx.query);
  deps.store.modify<Pod>('pods', route.namespace, name, (pod) => {
    if (pod.metadata.deletionTimestamp) throw new ConflictError(`pod ${name} is being deleted, cannot be assigned to a host`, { resource: 'pods', name });
    if (pod.spec.nodeName) {
      if (pod.spec.nodeName === target.name) return undefined;
      throw new ConflictError(`pod ${name} is already assigned to node "${pod.spec.nodeName}"`, { resource: 'pods', name });
    }
    if (dry) return undefined;
    pod.spec.nodeName = target.name;
    return pod;
  });
  sendJson(ctx, 201, successStatus(201));
}

/** Eviction: the graceful delete path with the eviction's DeleteOptions. */
export async function handleEviction(deps: ApiDeps, ctx: RequestContext, route: ResourceRoute): Promise<void> {
  const body = await readObject(ctx);
  const name = bodyName(body, route, 'Eviction');
  const pod = deps.store.tryGet<Pod>('pods', route.namespace, name);
  if (!pod) throw NotFoundError.of({ resource: 'pods', name });
  const opts = (body.deleteOptions ?? {}) as { gracePeriodSeconds?: number; dryRun?: string[] };
  deletePod(deps, pod, { gracePeriodSeconds: opts.gracePeriodSeconds, dryRun: isDryRun(ctx.query) || (opts.dryRun ?? []).includes('All') });
  sendJson(ctx, 201, successStatus(201));
}
